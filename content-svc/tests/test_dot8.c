/*  int8 dot products (dot8.h) against the plain loop: every dimension from
    0 to 256 (multiples of 16 take the 8-at-once path on an AVX2 CPU, the
    others its tail), counts that are and are not multiples of 8, extreme
    values (-128 × -128 in every lane; ±127 for the vpmaddubsw kernel of
    dims that are multiples of 32), and the same through content_dot8_rows
    on the vectors in reverse order.  No servers needed.                    */
#include <string.h>
#include "dot8.h"
#include "hr_test.h"

static uint32_t
next_rand (uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t) (*s >> 33);
}

/*  The oracle: 64-bit sum, last element first (another order and width
    than any path of dot8.c, the same exact value).                         */
static int32_t
naive (const int8_t *a, const int8_t *q, uint32_t dim)
{
    int64_t s = 0;
    for (uint32_t k = dim; k-- > 0;)
        s += (int64_t) a[k] * q[k];
    return (int32_t) s;
}

static void
check_all (const int8_t *vecs, uint32_t count, uint32_t dim, const int8_t *q)
{
    int32_t got[20], by_rows[20];
    uint32_t rows[20];
    for (uint32_t i = 0; i < count; i++)
        rows[i] = count - 1 - i;
    content_dot8_many (vecs, count, dim, q, got);
    content_dot8_rows (vecs, dim, rows, count, q, by_rows);
    for (uint32_t i = 0; i < count; i++) {
        int32_t want = naive (vecs + (size_t) i * dim, q, dim);
        ck_assert_int_eq (got[i], want);
        ck_assert_int_eq (by_rows[count - 1 - i], want);
        ck_assert_int_eq (content_dot8 (vecs + (size_t) i * dim, q, dim), want);
    }
}

START_TEST (test_dot8_matches_loop)
{
    enum { MAXC = 20, MAXD = 256 };
    int8_t *vecs = malloc ((size_t) MAXC * MAXD), q[MAXD];
    ck_assert_ptr_nonnull (vecs);
    uint64_t seed = 7;
    for (uint32_t dim = 0; dim <= MAXD; dim++)
        for (uint32_t count = 0; count <= MAXC; count += (dim % 16 ? 7 : 1)) {
            for (uint32_t i = 0; i < count * dim; i++)
                vecs[i] = (int8_t) (next_rand (&seed) % 255 - 127);   /* dot8.h: no -128 */
            for (uint32_t k = 0; k < dim; k++)
                q[k] = (int8_t) (next_rand (&seed) & 0xff);
            check_all (vecs, count, dim, q);
        }
    free (vecs);
}
END_TEST

/*  ±127 in every lane, no -128 in the query (the vpmaddubsw kernel): the
    largest pair sums it can make, of either sign.                          */
START_TEST (test_dot8_extremes_ubs)
{
    enum { C = 17, D = 256 };
    int8_t *vecs = malloc ((size_t) C * D), q[D];
    ck_assert_ptr_nonnull (vecs);
    for (uint32_t dim = 32; dim <= D; dim += 32) {
        memset (q, -127, sizeof q);
        for (uint32_t i = 0; i < C * dim; i++)
            vecs[i] = (int8_t) (i % 3 == 0 || i < dim ? -127 : 127);
        check_all (vecs, C, dim, q);
        ck_assert_int_eq (content_dot8 (vecs, q, dim), 127 * 127 * (int32_t) dim);
        memset (q, 127, sizeof q);
        check_all (vecs, C, dim, q);
        for (uint32_t k = 0; k < dim; k++)
            q[k] = (int8_t) (k % 2 ? 127 : -127);
        check_all (vecs, C, dim, q);
    }
    free (vecs);
}
END_TEST

/*  -128 x -128 in every lane: the largest pair sum vpmaddwd can make.     */
START_TEST (test_dot8_extremes)
{
    enum { C = 17, D = 256 };
    int8_t *vecs = malloc ((size_t) C * D), q[D];
    ck_assert_ptr_nonnull (vecs);
    memset (q, -128, sizeof q);
    for (uint32_t i = 0; i < C * D; i++)
        vecs[i] = (int8_t) (i % 3 == 0 || i < D ? -128 : 127);
    check_all (vecs, C, D, q);
    ck_assert_int_eq (content_dot8 (vecs, q, D), 128 * 128 * D);
    free (vecs);
}
END_TEST

int
main (void)
{
    const TTest *const tests[] = { test_dot8_matches_loop, test_dot8_extremes, test_dot8_extremes_ubs,
                                   NULL };
    return test_run ("content_dot8", 60, tests);
}
