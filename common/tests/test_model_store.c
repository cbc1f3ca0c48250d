/*  hr_model_store round trips: with Redis, with Redis flushed, without.    */
#include "hr_migrate.h"
#include "hr_model_store.h"
#include "hr_test.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static hr_pg_t *
s_pg (void)
{
    hr_pg_t *pg = hr_pg_new (test_database_url (), 30000, 5000);
    ck_assert_ptr_nonnull (pg);
    ck_assert_int_ge (hr_migrate (pg), 0);
    return pg;
}

static void
s_del (hr_redis_t *redis, const char *strategy, const char *what)
{
    redisReply *r = hr_redis_command (redis, "DEL hr:model:%s:%s", strategy, what);
    ck_assert_ptr_nonnull (r);
    freeReplyObject (r);
}

static void
s_fetch_eq (hr_pg_t *pg, hr_redis_t *redis, const char *strategy, int64_t v,
            const void *want, size_t want_len)
{
    void *blob = NULL;
    size_t len = 0;
    ck_assert_int_eq (hr_model_fetch (pg, redis, strategy, v, &blob, &len), 0);
    ck_assert_uint_eq (len, want_len);
    ck_assert_mem_eq (blob, want, want_len);
    free (blob);
}

START_TEST (test_round_trip_with_redis)
{
    hr_pg_t *pg = s_pg ();
    hr_redis_t *redis = hr_redis_new (test_redis_url (), 1000);
    const char *strategy = test_unique ("teststore");
    ck_assert_int_eq (hr_model_current (pg, redis, strategy), 0);
    ck_assert_ptr_null (hr_model_info_json (pg, strategy));

    //  Binary with NULs, big enough to matter
    size_t n = 300000;
    unsigned char *blob = malloc (n);
    for (size_t i = 0; i < n; i++)
        blob[i] = (unsigned char) (i * 131 + (i >> 8));
    int64_t v = 0;
    ck_assert_int_eq (hr_model_publish (pg, redis, strategy, blob, n, "{\"items\":3,\"note\":\"x\"}", &v), 0);
    ck_assert_int_eq (v, 1);
    ck_assert_int_eq (hr_model_current (pg, redis, strategy), 1);
    s_fetch_eq (pg, redis, strategy, 1, blob, n);

    //  Redis holds it: fetch works without PostgreSQL
    s_fetch_eq (NULL, redis, strategy, 1, blob, n);
    ck_assert_int_eq (hr_model_current (NULL, redis, strategy), 1);

    //  Redis flushed (our keys): everything falls back to PostgreSQL...
    s_del (redis, strategy, "current");
    s_del (redis, strategy, "1");
    ck_assert_int_eq (hr_model_current (pg, redis, strategy), 1);
    s_fetch_eq (pg, redis, strategy, 1, blob, n);
    //  ...and re-fills Redis
    s_fetch_eq (NULL, redis, strategy, 1, blob, n);
    ck_assert_int_eq (hr_model_current (NULL, redis, strategy), 1);

    char *info = hr_model_info_json (pg, strategy);
    ck_assert_ptr_nonnull (info);
    ck_assert_msg (strstr (info, "\"version\" : 1") || strstr (info, "\"version\":1"), "%s", info);
    ck_assert_msg (strstr (info, "\"items\": 3") || strstr (info, "\"items\":3"), "%s", info);
    ck_assert_msg (strstr (info, "\"trained_at\""), "%s", info);
    ck_assert_msg (strstr (info, "Z\""), "trained_at is UTC ISO-8601: %s", info);
    free (info);

    //  Unknown version: -1
    void *none = NULL;
    size_t none_len = 0;
    ck_assert_int_eq (hr_model_fetch (pg, redis, strategy, 99, &none, &none_len), -1);
    ck_assert_ptr_null (none);
    //  Malformed meta is refused, nothing is published
    ck_assert_int_eq (hr_model_publish (pg, redis, strategy, "x", 1, "{not json", &v), -1);
    ck_assert_int_eq (hr_model_current (pg, NULL, strategy), 1);
    free (blob);
    hr_redis_destroy (&redis);
    hr_pg_destroy (&pg);
}
END_TEST

START_TEST (test_without_redis_and_keep_three)
{
    hr_pg_t *pg = s_pg ();
    hr_redis_t *down = hr_redis_new ("redis://127.0.0.1:1/0", 200);
    const char *strategy = test_unique ("testkeep");
    char blob[32];
    for (int i = 1; i <= 5; i++) {
        int64_t v;
        snprintf (blob, sizeof blob, "model-%d", i);
        ck_assert_int_eq (hr_model_publish (pg, i % 2 ? NULL : down, strategy, blob, strlen (blob), NULL, &v), 0);
        ck_assert_int_eq (v, i);
    }
    ck_assert_int_eq (hr_model_current (pg, NULL, strategy), 5);
    ck_assert_int_eq (hr_model_current (pg, down, strategy), 5);
    s_fetch_eq (pg, down, strategy, 5, "model-5", 7);
    s_fetch_eq (pg, NULL, strategy, 3, "model-3", 7);
    void *gone = NULL;
    size_t len;
    ck_assert_int_eq (hr_model_fetch (pg, NULL, strategy, 2, &gone, &len), -1);
    const char *params[] = { strategy };
    PGresult *res = hr_pg_exec (pg, "SELECT count(*), min(version), (SELECT count(*) FROM model_blobs"
                                    " WHERE strategy = $1) FROM model_versions WHERE strategy = $1", 1, params);
    ck_assert_ptr_nonnull (res);
    ck_assert_str_eq (PQgetvalue (res, 0, 0), "3");
    ck_assert_str_eq (PQgetvalue (res, 0, 1), "3");
    ck_assert_str_eq (PQgetvalue (res, 0, 2), "3");
    PQclear (res);
    char *info = hr_model_info_json (pg, strategy);
    ck_assert_ptr_nonnull (info);
    ck_assert_msg (strstr (info, "\"meta\" : {}") || strstr (info, "\"meta\":{}"), "%s", info);
    free (info);
    hr_redis_destroy (&down);
    hr_pg_destroy (&pg);
}
END_TEST

START_TEST (test_publish_with_redis_keeps_current_in_step)
{
    hr_pg_t *pg = s_pg ();
    hr_redis_t *redis = hr_redis_new (test_redis_url (), 1000);
    const char *strategy = test_unique ("teststep");
    for (int i = 1; i <= 4; i++) {
        int64_t v;
        ck_assert_int_eq (hr_model_publish (pg, redis, strategy, "b", 1, "{}", &v), 0);
        ck_assert_int_eq (hr_model_current (NULL, redis, strategy), v);
    }
    //  The pruned version's cached copy went with it
    redisReply *r = hr_redis_command (redis, "EXISTS hr:model:%s:1", strategy);
    ck_assert_ptr_nonnull (r);
    ck_assert_int_eq (r->integer, 0);
    freeReplyObject (r);
    r = hr_redis_command (redis, "TTL hr:model:%s:4", strategy);
    ck_assert_ptr_nonnull (r);
    ck_assert_int_gt (r->integer, 6 * 86400);
    freeReplyObject (r);
    s_del (redis, strategy, "current");
    for (int i = 2; i <= 4; i++) {
        char v[16];
        snprintf (v, sizeof v, "%d", i);
        s_del (redis, strategy, v);
    }
    hr_redis_destroy (&redis);
    hr_pg_destroy (&pg);
}
END_TEST

//  `models rollback`: an older kept version becomes current for readers
//  with and without Redis, until the next publish; unknown versions fail.
START_TEST (test_rollback_until_next_publish)
{
    hr_pg_t *pg = s_pg ();
    hr_redis_t *redis = hr_redis_new (test_redis_url (), 1000);
    ck_assert_ptr_nonnull (redis);
    const char *strategy = test_unique ("testroll");
    for (int i = 1; i <= 3; i++) {
        char blob[16];
        snprintf (blob, sizeof blob, "m%d", i);
        ck_assert_int_eq (hr_model_publish (pg, redis, strategy, blob, strlen (blob), "{}", NULL), 0);
    }
    ck_assert_int_eq (hr_model_rollback (pg, redis, strategy, 2), 0);
    ck_assert_int_eq (hr_model_current (NULL, redis, strategy), 2);
    ck_assert_int_eq (hr_model_current (pg, NULL, strategy), 2);
    //  An emptied cache is re-filled with the pinned version, not the newest
    s_del (redis, strategy, "current");
    ck_assert_int_eq (hr_model_current (pg, redis, strategy), 2);
    ck_assert_int_eq (hr_model_current (NULL, redis, strategy), 2);
    char *info = hr_model_info_json (pg, strategy);
    ck_assert_msg (info && (strstr (info, "\"version\" : 2") || strstr (info, "\"version\":2")), "%s", info);
    free (info);
    char *list = hr_model_list_json (pg);
    ck_assert_ptr_nonnull (list);
    char want[200];
    snprintf (want, sizeof want, "\"strategy\" : \"%s\", \"version\" : 2", strategy);
    char *at = strstr (list, want);
    ck_assert_msg (at, "%s", list);
    ck_assert_msg (strstr (at, "\"current\" : true, \"pinned\" : true"), "%s", at);
    snprintf (want, sizeof want, "\"strategy\" : \"%s\", \"version\" : 3", strategy);
    at = strstr (list, want);
    ck_assert_msg (at && strstr (at, "\"current\" : false"), "%s", list);
    free (list);

    //  Not a kept version: refused, nothing changes
    ck_assert_int_eq (hr_model_rollback (pg, redis, strategy, 9), -1);
    ck_assert_int_eq (hr_model_current (pg, NULL, strategy), 2);
    //  Redis down: PostgreSQL is pinned but the command reports the failure
    hr_redis_t *down = hr_redis_new ("redis://127.0.0.1:1/0", 200);
    ck_assert_int_eq (hr_model_rollback (pg, down, strategy, 1), -1);
    hr_redis_destroy (&down);
    ck_assert_int_eq (hr_model_rollback (pg, redis, strategy, 3), 0);
    ck_assert_int_eq (hr_model_current (NULL, redis, strategy), 3);

    //  The next publish is current again and ends the pin
    ck_assert_int_eq (hr_model_rollback (pg, redis, strategy, 2), 0);
    int64_t v = 0;
    ck_assert_int_eq (hr_model_publish (pg, redis, strategy, "m4", 2, "{}", &v), 0);
    ck_assert_int_eq (v, 4);
    ck_assert_int_eq (hr_model_current (NULL, redis, strategy), 4);
    ck_assert_int_eq (hr_model_current (pg, NULL, strategy), 4);
    s_del (redis, strategy, "current");
    for (int i = 1; i <= 4; i++) {
        char n[16];
        snprintf (n, sizeof n, "%d", i);
        s_del (redis, strategy, n);
    }
    hr_redis_destroy (&redis);
    hr_pg_destroy (&pg);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_model_store");
    TCase *tc = tcase_create ("model_store");
    tcase_set_timeout (tc, 30);
    tcase_add_test (tc, test_round_trip_with_redis);
    tcase_add_test (tc, test_without_redis_and_keep_three);
    tcase_add_test (tc, test_publish_with_redis_keeps_current_in_step);
    tcase_add_test (tc, test_rollback_until_next_publish);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
