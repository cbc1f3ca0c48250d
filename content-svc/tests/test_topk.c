/*  Top-k selection (topk.h) against qsort of the whole array, on random
    inputs with many ties, every k from 0 to past n.  No servers needed.    */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "topk.h"

static int
cmp_hit (const void *a, const void *b)
{
    const content_hit_t *x = a, *y = b;
    return content_hit_before (x, y) ? -1 : content_hit_before (y, x) ? 1 : 0;
}

static uint32_t
next_rand (uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t) (*s >> 33);
}

/*  n hits with distinct docs in random order; scores from `levels` values,
    so small `levels` means many ties broken only by doc.                  */
static void
fill (content_hit_t *h, uint32_t n, uint32_t levels, uint64_t *seed)
{
    for (uint32_t i = 0; i < n; i++)
        h[i] = (content_hit_t) { i, (float) (next_rand (seed) % levels) * 0.25f };
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = next_rand (seed) % i;
        content_hit_t t = h[i - 1]; h[i - 1] = h[j]; h[j] = t;
    }
}

static void
check_against_qsort (const content_hit_t *in, uint32_t n, uint32_t k)
{
    content_hit_t *want = malloc ((n ? n : 1) * sizeof *want);
    content_hit_t *got = malloc ((n ? n : 1) * sizeof *got);
    ck_assert_ptr_nonnull (want);
    ck_assert_ptr_nonnull (got);
    if (n)
        memcpy (want, in, n * sizeof *in);
    qsort (want, n, sizeof *want, cmp_hit);
    uint64_t *scratch = malloc (2 * (n ? n : 1) * sizeof *scratch);
    ck_assert_ptr_nonnull (scratch);
    /*  the heap alone (no scratch) and the radix sort of many (scratch)    */
    for (int radix = 0; radix < 2; radix++) {
        if (n)
            memcpy (got, in, n * sizeof *in);
        content_topk_hits (got, n, k, radix ? scratch : NULL);
        uint32_t m = k < n ? k : n;
        ck_assert_int_eq (memcmp (got, want, m * sizeof *got), 0);
        /*  the rest is a permutation of the other elements: nothing lost   */
        if (n)
            qsort (got, n, sizeof *got, cmp_hit);
        ck_assert_int_eq (memcmp (got, want, n * sizeof *got), 0);
    }
    free (scratch);
    free (want);
    free (got);
}

START_TEST (test_topk_matches_qsort)
{
    uint64_t seed = 42;
    static const uint32_t sizes[] = { 0, 1, 2, 3, 7, 16, 100, 1000, 5000 };
    static const uint32_t levels[] = { 1, 3, 50, 1000000 };
    content_hit_t *h = malloc (5000 * sizeof *h);
    ck_assert_ptr_nonnull (h);
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
        for (size_t li = 0; li < sizeof levels / sizeof *levels; li++) {
            uint32_t n = sizes[si];
            fill (h, n, levels[li], &seed);
            static const uint32_t ks[] = { 0, 1, 2, 10, 20, 60, 999, 4999, 6000 };
            for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++)
                check_against_qsort (h, n, ks[ki]);
            check_against_qsort (h, n, n);
            if (n > 1)
                check_against_qsort (h, n, n - 1);
        }
    free (h);
}
END_TEST

START_TEST (test_topk_sorted_inputs)
{
    /*  ascending and descending input: the heap's worst and best cases     */
    enum { N = 3000 };
    content_hit_t *h = malloc (N * sizeof *h);
    ck_assert_ptr_nonnull (h);
    for (uint32_t i = 0; i < N; i++)
        h[i] = (content_hit_t) { i, (float) (i / 7) };
    check_against_qsort (h, N, 10);
    check_against_qsort (h, N, 2000);
    for (uint32_t i = 0; i < N; i++)
        h[i] = (content_hit_t) { N - i, (float) (N - i) };
    check_against_qsort (h, N, 10);
    check_against_qsort (h, N, 2000);
    free (h);
}
END_TEST

/*  Scores over the whole float range, negative and positive, every bit
    pattern but NaN: each byte of the radix keys differs somewhere.       */
START_TEST (test_topk_any_float)
{
    enum { N = 4000 };
    content_hit_t *h = malloc (N * sizeof *h);
    ck_assert_ptr_nonnull (h);
    uint64_t seed = 9;
    for (uint32_t i = 0; i < N; i++) {
        uint32_t bits = next_rand (&seed) ^ (next_rand (&seed) << 16);
        if ((bits & 0x7FFFFFFFu) > 0x7F800000u || bits == 0x80000000u)
            bits = 0x3F800000u;                     /* 1.0 for a NaN or -0 */
        h[i].doc = (i * 7919u) % N + (i % 3 ? 0 : 100000u);
        memcpy (&h[i].score, &bits, sizeof bits);
        if (i % 5 == 0 && i)
            h[i].score = h[i - 1].score;            /* ties */
    }
    check_against_qsort (h, N, 300);
    check_against_qsort (h, N, 2000);
    check_against_qsort (h, N, N);
    free (h);
}
END_TEST

/*  -0.0 (equal to +0.0, broken by doc) and NaN (no order at all) take the
    heap: the same result as without scratch.                               */
START_TEST (test_topk_zero_and_nan)
{
    enum { N = 1000 };
    content_hit_t *a = malloc (N * sizeof *a), *b = malloc (N * sizeof *b);
    uint64_t *scratch = malloc (2 * N * sizeof *scratch);
    ck_assert (a && b && scratch);
    for (uint32_t i = 0; i < N; i++)
        a[i] = (content_hit_t) { N - i, i % 2 ? 0.0f : -0.0f };
    check_against_qsort (a, N, 500);
    for (uint32_t i = 0; i < N; i++)
        a[i] = (content_hit_t) { i, i % 10 ? (float) (i % 37) : __builtin_nanf ("") };
    memcpy (b, a, N * sizeof *a);
    content_topk_hits (a, N, 600, NULL);
    content_topk_hits (b, N, 600, scratch);
    ck_assert_int_eq (memcmp (a, b, N * sizeof *a), 0);
    free (a);
    free (b);
    free (scratch);
}
END_TEST

/*  A second instance of the macro on another type, as serve.c uses it.    */
typedef struct {
    uint32_t id;
    float score;
    uint32_t payload;
} item_t;

static inline bool
item_before (const item_t *a, const item_t *b)
{
    return a->score > b->score || (a->score == b->score && a->id < b->id);
}

CONTENT_TOPK_DEFINE (topk_items, item_t, item_before)

START_TEST (test_topk_macro_other_type)
{
    item_t a[] = { { 5, 1.0f, 50 }, { 2, 3.0f, 20 }, { 9, 3.0f, 90 }, { 1, 1.0f, 10 },
                   { 7, 2.0f, 70 }, { 3, 3.0f, 30 } };
    topk_items (a, 6, 4);
    const uint32_t want[] = { 2, 3, 9, 7 };
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq (a[i].id, want[i]);
        ck_assert_uint_eq (a[i].payload, want[i] * 10);
    }
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("content_topk");
    TCase *tc = tcase_create ("topk");
    tcase_add_test (tc, test_topk_matches_qsort);
    tcase_add_test (tc, test_topk_sorted_inputs);
    tcase_add_test (tc, test_topk_any_float);
    tcase_add_test (tc, test_topk_zero_and_nan);
    tcase_add_test (tc, test_topk_macro_other_type);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
