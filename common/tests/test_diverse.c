/*  hr_diverse: the draw is deterministic for a seed; it never picks an
    excluded item or one twice; it favours the categories the user clicked
    least; it takes only a category's first `pool` candidates; it ends when
    every category is spent; more categories than the stack scratch works. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "hr_diverse.h"

/*  Three categories of 10 candidates each: items c*100 + i.              */
static uint32_t s_items[3][10];
static hr_diverse_cat_t s_cats[3];

static void
s_setup (void)
{
    for (uint32_t c = 0; c < 3; c++) {
        for (uint32_t i = 0; i < 10; i++)
            s_items[c][i] = c * 100 + i;
        s_cats[c] = (hr_diverse_cat_t) { s_items[c], 10 };
    }
}

START_TEST (test_deterministic_and_distinct)
{
    uint32_t a[12], b[12];
    const uint32_t exclude[2] = { 3, 104 };
    uint32_t na = hr_diverse_draw (s_cats, 3, 50, NULL, 0, exclude, 2, 12, 42, a);
    uint32_t nb = hr_diverse_draw (s_cats, 3, 50, NULL, 0, exclude, 2, 12, 42, b);
    ck_assert_uint_eq (na, 12);
    ck_assert_uint_eq (nb, na);
    ck_assert_int_eq (memcmp (a, b, na * sizeof *a), 0);
    for (uint32_t i = 0; i < na; i++) {
        ck_assert (a[i] != 3 && a[i] != 104);
        for (uint32_t j = 0; j < i; j++)
            ck_assert_uint_ne (a[i], a[j]);
    }
    /*  another seed, another draw (for some seed of a few)               */
    bool differs = false;
    for (uint64_t seed = 43; seed < 48 && !differs; seed++) {
        hr_diverse_draw (s_cats, 3, 50, NULL, 0, exclude, 2, 12, seed, b);
        differs = memcmp (a, b, sizeof a) != 0;
    }
    ck_assert (differs);
}
END_TEST

START_TEST (test_least_clicked_categories_first)
{
    /*  Six clicks in category 0, none elsewhere: over many seeds its share
        of first picks is far below the others' (weight 1/7 against 1).   */
    uint16_t clicked[6] = { 0, 0, 0, 0, 0, 0 };
    uint32_t first[3] = { 0 };
    for (uint64_t seed = 1; seed <= 3000; seed++) {
        uint32_t out[1];
        ck_assert_uint_eq (hr_diverse_draw (s_cats, 3, 50, clicked, 6, NULL, 0, 1, seed, out), 1);
        first[out[0] / 100]++;
    }
    ck_assert_uint_lt (first[0] * 3, first[1]);
    ck_assert_uint_lt (first[0] * 3, first[2]);
}
END_TEST

START_TEST (test_pool_and_exhaustion)
{
    /*  A pool of 2: only each category's first two candidates; then all
        six are drawn and the draw ends.                                  */
    uint32_t out[20];
    uint32_t n = hr_diverse_draw (s_cats, 3, 2, NULL, 0, NULL, 0, 20, 7, out);
    ck_assert_uint_eq (n, 6);
    for (uint32_t i = 0; i < n; i++)
        ck_assert_uint_lt (out[i] % 100, 2);
    /*  empty categories are never drawn from; nothing at all: 0          */
    hr_diverse_cat_t empty[2] = { { NULL, 0 }, { s_items[1], 1 } };
    ck_assert_uint_eq (hr_diverse_draw (empty, 2, 50, NULL, 0, NULL, 0, 5, 1, out), 1);
    ck_assert_uint_eq (out[0], 100);
    ck_assert_uint_eq (hr_diverse_draw (empty, 1, 50, NULL, 0, NULL, 0, 5, 1, out), 0);
    ck_assert_uint_eq (hr_diverse_draw (s_cats, 3, 50, NULL, 0, NULL, 0, 0, 1, out), 0);
}
END_TEST

START_TEST (test_many_categories)
{
    /*  600 categories of one item each (past the stack scratch)          */
    enum { N = 600 };
    uint32_t *items = malloc (N * sizeof *items);
    hr_diverse_cat_t *cats = malloc (N * sizeof *cats);
    uint16_t clicked[1] = { 599 };
    for (uint32_t c = 0; c < N; c++) {
        items[c] = c;
        cats[c] = (hr_diverse_cat_t) { items + c, 1 };
    }
    uint32_t out[N];
    ck_assert_uint_eq (hr_diverse_draw (cats, N, 50, clicked, 1, NULL, 0, N, 9, out), N);
    uint32_t seen = 0;
    for (uint32_t i = 0; i < N; i++)
        seen += out[i] < N;
    ck_assert_uint_eq (seen, N);
    free (items);
    free (cats);
}
END_TEST

int
main (void)
{
    s_setup ();
    Suite *s = suite_create ("hr_diverse");
    TCase *tc = tcase_create ("core");
    tcase_add_test (tc, test_deterministic_and_distinct);
    tcase_add_test (tc, test_least_clicked_categories_first);
    tcase_add_test (tc, test_pool_and_exhaustion);
    tcase_add_test (tc, test_many_categories);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
