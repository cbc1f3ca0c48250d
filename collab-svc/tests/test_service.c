/*  collab-svc over ZeroMQ: an in-process broker, the real service skeleton
    and client; a click changes the answer; models hot-swap (directly, and
    through hr_model_store + the tick when PostgreSQL/Redis are there).     */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fixture.h"
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_migrate.h"
#include "hr_model_store.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "hr_service.h"
#include "hr_status.h"
#include "hr_wire.h"
#include "protocol.h"
#include "serve.h"

static const char *const NAMES[4] = { "PRODUCT00A", "PRODUCT00B", "PRODUCT00C", "PRODUCT00D" };
/*  Same log, B and D swapped: A's best neighbour becomes PRODUCT00D.       */
static const char *const NAMES2[4] = { "PRODUCT00A", "PRODUCT00D", "PRODUCT00C", "PRODUCT00B" };

static hr_broker_t *broker;
static hr_client_t *client;
static hr_service_t *service;
static collab_serve_t *state;

static void
s_setup (void)
{
    broker = hr_broker_new ("tcp://127.0.0.1:*");
    ck_assert_ptr_nonnull (broker);
    collab_score_params_t p;
    collab_score_params_default (&p);
    p.sknn_weight = 0;
    p.hist_pow = 1;
    state = collab_serve_new (getenv ("DATABASE_URL"), getenv ("REDIS_URL"), &p);
    ck_assert_int_eq (collab_serve_install (state, fixture_model (NAMES), -1), 0);
    service = hr_service_new (&collab_service_def, state, hr_broker_endpoint (broker), 2);
    ck_assert_ptr_nonnull (service);
    client = hr_client_new (hr_broker_endpoint (broker));
    ck_assert_ptr_nonnull (client);
    /* the replicas register asynchronously: wait until the broker has one */
    uint32_t workers = 0;
    for (int i = 0; i < 100 && workers == 0; i++) {
        hr_writer_t w;
        hr_writer_init (&w);
        hr_put_cstr (&w, COLLAB_SERVICE);
        void *body = NULL;
        size_t len = 0;
        if (hr_client_call (client, HR_MMI_WORKERS, w.data, w.len, 1000, &body, &len) == HR_OK && len >= 4) {
            hr_reader_t r;
            hr_reader_init (&r, body, len);
            workers = hr_get_u32 (&r);
        }
        free (body);
        hr_writer_free (&w);
        if (workers == 0)
            usleep (20 * 1000);
    }
    ck_assert_uint_gt (workers, 0);
}

static void
s_teardown (void)
{
    hr_client_destroy (&client);
    hr_service_destroy (&service);
    collab_serve_destroy (&state);
    hr_broker_destroy (&broker);
}

/*  Calls for_user with clicks (newest first); returns the decoded list.    */
static int
s_for_user (const char *const *clicks, uint32_t n, uint32_t limit, hr_scored_t **items, uint32_t *count)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_cstr (&w, COLLAB_METHOD_FOR_USER);
    hr_put_u32 (&w, n ? n + 1 : 0);
    for (uint32_t i = 0; i < n; i++) {
        hr_put_u8 (&w, 1);
        hr_put_cstr (&w, clicks[i]);
        hr_put_i64 (&w, 1700000000000 - i);
        if (i == 0) {                       /* a search in between is skipped */
            hr_put_u8 (&w, 2);
            hr_put_cstr (&w, "red shoes");
            hr_put_i64 (&w, 1700000000000 - i);
        }
    }
    hr_put_u32 (&w, limit);
    void *body = NULL;
    size_t len = 0;
    int status = hr_client_call (client, COLLAB_SERVICE, w.data, w.len, 5000, &body, &len);
    hr_writer_free (&w);
    *items = NULL;
    *count = 0;
    if (status == HR_OK) {
        hr_reader_t r;
        hr_reader_init (&r, body, len);
        ck_assert_int_eq (hr_get_scored_list (&r, items, count), 0);
        ck_assert (hr_reader_done (&r));
    }
    free (body);
    return status;
}

START_TEST (for_user_follows_clicks)
{
    hr_scored_t *items;
    uint32_t n;
    const char *one[] = { "PRODUCT00A" };
    ck_assert_int_eq (s_for_user (one, 1, 10, &items, &n), HR_OK);
    ck_assert_uint_eq (n, 2);
    ck_assert_str_eq (items[0].id, "PRODUCT00B");
    ck_assert_float_eq_tol (items[0].score, 0.8f, 1e-5);
    ck_assert_uint_eq (items[0].strategy, HR_STRAT_COLLAB);
    ck_assert_str_eq (items[0].source, "PRODUCT00A");
    free (items);
    /* one more click (B) changes the next answer: C leads, A and B are hidden */
    const char *two[] = { "PRODUCT00B", "PRODUCT00A" };
    ck_assert_int_eq (s_for_user (two, 2, 10, &items, &n), HR_OK);
    ck_assert_uint_eq (n, 2);
    ck_assert_str_eq (items[0].id, "PRODUCT00C");
    ck_assert_str_eq (items[1].id, "PRODUCT00D");
    free (items);
    /* limit is honoured */
    ck_assert_int_eq (s_for_user (two, 2, 1, &items, &n), HR_OK);
    ck_assert_uint_eq (n, 1);
    free (items);
    /* cold user: unknown product, and no history at all -> empty, not an error */
    const char *cold[] = { "NEWPRODUCT" };
    ck_assert_int_eq (s_for_user (cold, 1, 10, &items, &n), HR_OK);
    ck_assert_uint_eq (n, 0);
    free (items);
    ck_assert_int_eq (s_for_user (NULL, 0, 10, &items, &n), HR_OK);
    ck_assert_uint_eq (n, 0);
    free (items);
}
END_TEST

START_TEST (similar_and_bad_requests)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_cstr (&w, COLLAB_METHOD_SIMILAR);
    hr_put_cstr (&w, "PRODUCT00C");
    hr_put_u32 (&w, 10);
    void *body = NULL;
    size_t len = 0;
    ck_assert_int_eq (hr_client_call (client, COLLAB_SERVICE, w.data, w.len, 5000, &body, &len), HR_OK);
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    hr_scored_t *items;
    uint32_t n;
    ck_assert_int_eq (hr_get_scored_list (&r, &items, &n), 0);
    ck_assert_uint_eq (n, 2);
    ck_assert_str_eq (items[0].id, "PRODUCT00B");
    ck_assert_str_eq (items[1].id, "PRODUCT00A");
    free (items);
    free (body);
    /* truncated arguments */
    hr_writer_reset (&w);
    hr_put_cstr (&w, COLLAB_METHOD_FOR_USER);
    hr_put_u32 (&w, 1000000);
    ck_assert_int_eq (hr_client_call (client, COLLAB_SERVICE, w.data, w.len, 5000, &body, &len), HR_BAD_REQUEST);
    free (body);
    /* trailing bytes */
    hr_writer_reset (&w);
    hr_put_cstr (&w, COLLAB_METHOD_SIMILAR);
    hr_put_cstr (&w, "PRODUCT00C");
    hr_put_u32 (&w, 10);
    hr_put_u8 (&w, 9);
    ck_assert_int_eq (hr_client_call (client, COLLAB_SERVICE, w.data, w.len, 5000, &body, &len), HR_BAD_REQUEST);
    free (body);
    /* unknown method */
    hr_writer_reset (&w);
    hr_put_cstr (&w, "explode");
    ck_assert_int_eq (hr_client_call (client, COLLAB_SERVICE, w.data, w.len, 5000, &body, &len), HR_BAD_REQUEST);
    free (body);
    hr_writer_free (&w);
}
END_TEST

START_TEST (hot_reload)
{
    hr_scored_t *items;
    uint32_t n;
    const char *one[] = { "PRODUCT00A" };
    const char *db = getenv ("DATABASE_URL");
    if (db) {
        /* the real path: publish a version; the service's tick picks it up */
        hr_pg_t *pg = hr_pg_new (db, 10000, 10000);
        ck_assert_ptr_nonnull (pg);
        ck_assert_int_ge (hr_migrate (pg), 0);
        hr_redis_t *redis = getenv ("REDIS_URL") ? hr_redis_new (getenv ("REDIS_URL"), 500) : NULL;
        collab_model_t *m2 = fixture_model (NAMES2);
        size_t len;
        void *blob = collab_model_save (m2, &len);
        int64_t version = 0;
        ck_assert_int_eq (hr_model_publish (pg, redis, COLLAB_STRATEGY_NAME, blob, len, "{\"test\":true}", &version), 0);
        for (int i = 0; i < 100 && collab_serve_version (state) != version; i++)
            usleep (100 * 1000);
        ck_assert_int_eq (collab_serve_version (state), version);
        free (blob);
        collab_model_destroy (&m2);
        hr_redis_destroy (&redis);
        hr_pg_destroy (&pg);
    }
    else {
        printf ("SKIP (store part): DATABASE_URL not set; swapping in-process\n");
        ck_assert_int_eq (collab_serve_install (state, fixture_model (NAMES2), 2), 0);
    }
    ck_assert_int_eq (s_for_user (one, 1, 10, &items, &n), HR_OK);
    ck_assert_uint_eq (n, 2);
    ck_assert_str_eq (items[0].id, "PRODUCT00D");
    free (items);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("collab_service");
    TCase *tc = tcase_create ("service");
    tcase_add_checked_fixture (tc, s_setup, s_teardown);
    tcase_set_timeout (tc, 30);
    tcase_add_test (tc, for_user_follows_clicks);
    tcase_add_test (tc, similar_and_bad_requests);
    tcase_add_test (tc, hot_reload);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
