/*  gw_merge against the test stack: the gateway's merge model follows the
    model store without a restart — a published version is loaded, a blob
    that is not a model is refused while the loaded one keeps serving, a
    rollback is followed.                                                  */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gw_merge.h"
#include "hr_model_store.h"
#include "hr_test.h"

static int64_t
s_publish (hr_pg_t *pg, hr_redis_t *redis, double collab_weight)
{
    hr_merge_model_t *m = hr_merge_model_new ();
    double p[HR_MERGE_MODEL_BUCKETS];
    for (int b = 0; b < HR_MERGE_MODEL_BUCKETS; b++)
        p[b] = 0.2 / (b + 1);
    ck_assert_int_eq (hr_merge_model_set (m, "collab", collab_weight, p), 0);
    size_t len = 0;
    void *blob = hr_merge_model_encode (m, &len);
    int64_t v = 0;
    ck_assert_int_eq (hr_model_publish (pg, redis, HR_MODEL_MERGE, blob, len, "{\"test\":1}", &v), 0);
    free (blob);
    hr_merge_model_destroy (&m);
    return v;
}

/*  Waits (bounded) until the holder serves `version`; every model seen on
    the way is one of `allowed` (the loaded one keeps serving).  Returns
    the collab sub-weight it serves.                                       */
static double
s_wait_for (gw_merge_t *gw, int64_t version, const int64_t *allowed, int nallowed)
{
    for (int i = 0; i < 2000; i++) {
        h2o_mem_pool_t pool;
        h2o_mem_init_pool (&pool);
        int64_t v = -1;
        const hr_merge_model_t *m = gw_merge_for_request (gw, &pool, &v);
        bool ok = false;
        for (int a = 0; a < nallowed; a++)
            ok = ok || v == allowed[a];
        ck_assert_msg (ok || v == version, "served version %lld", (long long) v);
        double w = m ? hr_merge_model_weight (m, hr_merge_model_find (m, "collab")) : -1;
        h2o_mem_clear_pool (&pool);
        if (v == version) {
            ck_assert_ptr_nonnull (m);
            return w;
        }
        usleep (10000);
    }
    ck_abort_msg ("the merge model v%lld was never loaded", (long long) version);
    return -1;
}

START_TEST (test_follows_the_model_store)
{
    hr_pg_t *pg = hr_pg_new (test_database_url (), 30000, 5000);
    ck_assert_ptr_nonnull (pg);
    ck_assert_int_ge (hr_migrate (pg), 0);
    hr_redis_t *redis = hr_redis_new (test_redis_url (), 1000);
    ck_assert_ptr_nonnull (redis);
    int64_t before = hr_model_current (pg, redis, HR_MODEL_MERGE);
    ck_assert_int_ge (before, 0);
    gw_merge_t *gw = gw_merge_new (test_database_url (), test_redis_url (), 50);
    ck_assert_ptr_nonnull (gw);

    int64_t v1 = s_publish (pg, redis, 3);
    const int64_t first[] = { before, 0 };
    ck_assert_double_eq (s_wait_for (gw, v1, first, 2), 3);

    /*  not a model: refused, v1 keeps serving until v3 arrives  */
    int64_t v2 = 0;
    ck_assert_int_eq (hr_model_publish (pg, redis, HR_MODEL_MERGE, "not a model", 11, NULL, &v2), 0);
    int64_t v3 = s_publish (pg, redis, 0.5);
    const int64_t only_v1[] = { v1 };
    ck_assert_double_eq (s_wait_for (gw, v3, only_v1, 1), 0.5);

    /*  a rollback to v1 is followed  */
    ck_assert_int_eq (hr_model_rollback (pg, redis, HR_MODEL_MERGE, v1), 0);
    const int64_t only_v3[] = { v3 };
    ck_assert_double_eq (s_wait_for (gw, v1, only_v3, 1), 3);

    gw_merge_destroy (&gw);
    ck_assert_ptr_null (gw);
    hr_redis_destroy (&redis);
    hr_pg_destroy (&pg);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("gw_merge");
    TCase *tc = tcase_create ("stack");
    tcase_set_timeout (tc, 120);
    tcase_add_test (tc, test_follows_the_model_store);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
