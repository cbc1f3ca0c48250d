/*  hr_pool: idle objects are reused, new ones made when none is idle, the
    idle ones freed with the pool.                                         */
#include "hr_pool.h"
#include <check.h>
#include <stdlib.h>

static int s_made, s_freed;

static void *
s_make (void *arg)
{
    s_made++;
    int *item = malloc (sizeof *item);
    if (item)
        *item = *(int *) arg;
    return item;
}

static void
s_free (void *item)
{
    s_freed++;
    free (item);
}

START_TEST (test_reuse)
{
    int seed = 7;
    s_made = s_freed = 0;
    hr_pool_t *pool = hr_pool_new (s_make, s_free, &seed);
    ck_assert_ptr_nonnull (pool);
    int *a = hr_pool_take (pool), *b = hr_pool_take (pool);
    ck_assert (a && b && a != b && *a == 7);
    ck_assert_int_eq (s_made, 2);
    hr_pool_give (pool, a);
    ck_assert_ptr_eq (hr_pool_take (pool), a);      /* the idle one, not a new one */
    ck_assert_int_eq (s_made, 2);
    hr_pool_give (pool, NULL);                      /* nothing */
    for (int i = 0; i < 20; i++)                    /* grows past its first room */
        hr_pool_give (pool, s_make (&seed));
    hr_pool_give (pool, a);
    hr_pool_give (pool, b);
    ck_assert_int_eq (s_freed, 0);
    hr_pool_destroy (&pool);
    ck_assert_ptr_null (pool);
    ck_assert_int_eq (s_freed, 22);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("pool");
    TCase *tc = tcase_create ("pool");
    tcase_add_test (tc, test_reuse);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
