/*  rules-svc end to end on the real stores: clicks in `interactions` ->
    `hybridrec train rules` (rules_cli_train) -> published model version ->
    the service (in-process, through a real broker) loads it and answers
    for_product / for_user over ZeroMQ; a newer version is hot-swapped;
    malformed requests are BAD_REQUEST.  Needs DATABASE_URL and REDIS_URL. */
#include <check.h>
#include "hr_test.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "hr_broker.h"
#include "hr_cli.h"
#include "hr_client.h"
#include "hr_log.h"
#include "hr_migrate.h"
#include "hr_model_store.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "hr_service.h"
#include "hr_wire.h"
#include "model.h"
#include "serve.h"

static char P[4][11];           /* this run's product ids */

static void unique_products (void)
{
    unsigned r = (unsigned) time (NULL) ^ (unsigned) getpid () * 2654435761u;
    for (int i = 0; i < 4; i++)
        snprintf (P[i], sizeof P[i], "RT%07u%c", (r + (unsigned) i * 7919u) % 10000000u, 'A' + i);
}

static void click (hr_pg_t *pg, const char *user, const char *product, int minutes_ago)
{
    char ago[16];
    snprintf (ago, sizeof ago, "%d", minutes_ago);
    const char *params[] = { user, product, ago };
    PGresult *r = hr_pg_exec (pg,
        "INSERT INTO interactions (user_id, event_type, product_id, ts)"
        " VALUES ($1, 1, $2, now() - make_interval(mins => $3::int))", 3, params);
    ck_assert_msg (r != NULL, "insert: %s", hr_pg_error (pg));
    PQclear (r);
}

/*  Writes: u32 n history (clicks on ids), then u32 limit, after the method.  */
static void put_history (hr_writer_t *w, const char *const *ids, int n)
{
    hr_put_u32 (w, (uint32_t) n + 1);
    for (int i = 0; i < n; i++) {
        hr_put_u8 (w, 1);
        hr_put_cstr (w, ids[i]);
        hr_put_i64 (w, hr_now_ms () - i * 1000);
    }
    hr_put_u8 (w, 2);                       /* a search: ignored by rules */
    hr_put_cstr (w, "red shoes");
    hr_put_i64 (w, hr_now_ms ());
}

/*  One scored list from rules (hr_test.h decodes it).                     */
static int call (hr_client_t *c, hr_writer_t *req, hr_scored_t **items, uint32_t *n)
{
    hr_proto_list_t list;
    int st = test_call_list (c, HR_SERVICE_RULES, req, &list);
    *items = list.items;
    *n = list.n;
    return st;
}

static int find (const hr_scored_t *items, uint32_t n, const char *id)
{
    for (uint32_t i = 0; i < n; i++)
        if (!strcmp (items[i].id, id))
            return (int) i;
    return -1;
}

START_TEST (train_publish_serve_swap)
{
    unique_products ();
    hr_pg_t *pg = test_pg_migrated ();
    /*  20 users view P0, P1, P2 within minutes (one session each); 10 of
        them also view P3 the next day (another session).                  */
    for (int u = 0; u < 20; u++) {
        char user[32];
        snprintf (user, sizeof user, "rulestest%s%d", P[0], u);
        click (pg, user, P[0], 3000);
        click (pg, user, P[1], 2995);
        click (pg, user, P[2], 2990);
        if (u < 10)
            click (pg, user, P[3], 1000);
    }
    /*  Train through the CLI function, as `hybridrec train rules`.        */
    setenv ("HR_RULES_MIN_SUPPORT", "0", 1);
    setenv ("HR_RULES_MIN_COUNT", "15", 1);
    setenv ("HR_RULES_MIN_CONFIDENCE", "0.5", 1);
    setenv ("HR_RULES_WINDOW_DAYS", "30", 1);
    char *argv[] = { "rules", NULL };
    ck_assert_int_eq (rules_cli_train (1, argv), 0);
    const char *redis_url = getenv ("REDIS_URL");
    hr_redis_t *redis = redis_url ? hr_redis_new (redis_url, 500) : NULL;
    int64_t v1 = hr_model_current (pg, redis, "rules");
    ck_assert_int_gt (v1, 0);

    hr_broker_t *broker = hr_broker_new ("tcp://127.0.0.1:*");
    ck_assert_ptr_nonnull (broker);
    rules_serve_params_t sp = { .database_url = getenv ("DATABASE_URL"), .redis_url = redis_url,
                                .pg_timeout_ms = 5000, .redis_timeout_ms = 500, .history_items = 20 };
    rules_state_t *state = rules_state_new (&sp);
    ck_assert_int_eq (rules_state_poll (state), 1);
    ck_assert_int_eq (rules_state_version (state), v1);
    ck_assert_int_eq (rules_state_poll (state), 0);             /* nothing new */
    hr_service_t *svc = hr_service_new (&rules_service_def, state, hr_broker_endpoint (broker), 2);
    ck_assert_ptr_nonnull (svc);
    hr_client_t *client = hr_client_new (hr_broker_endpoint (broker));
    test_wait_workers (client, HR_SERVICE_RULES, 2);
    hr_writer_t w;
    hr_writer_init (&w);
    hr_scored_t *items;
    uint32_t n;

    /*  for_product(P0): P1 and P2 (confidence 1), never P0, source P0.     */
    hr_put_cstr (&w, "for_product");
    hr_put_cstr (&w, P[0]);
    hr_put_u32 (&w, 10);
    ck_assert_int_eq (call (client, &w, &items, &n), HR_OK);
    ck_assert_int_ge (find (items, n, P[1]), 0);
    ck_assert_int_ge (find (items, n, P[2]), 0);
    ck_assert_int_lt (find (items, n, P[0]), 0);
    ck_assert_int_lt (find (items, n, P[3]), 0);                /* other session */
    ck_assert_str_eq (items[0].source, P[0]);
    ck_assert_int_eq (items[0].strategy, HR_STRAT_RULES);
    for (uint32_t i = 1; i < n; i++)
        ck_assert (items[i].score <= items[i - 1].score);
    free (items);

    /*  for_user(P0, P1): P2 via {P0,P1} or a single-item rule, not P0/P1. */
    hr_writer_reset (&w);
    hr_put_cstr (&w, "for_user");
    const char *hist[] = { P[0], P[1] };
    put_history (&w, hist, 2);
    hr_put_u32 (&w, 10);
    ck_assert_int_eq (call (client, &w, &items, &n), HR_OK);
    ck_assert_int_eq (n, 1);
    ck_assert_str_eq (items[0].id, P[2]);
    ck_assert (strstr (items[0].source, P[0]) || strstr (items[0].source, P[1]));
    free (items);

    /*  Bad requests.  */
    hr_writer_reset (&w);
    hr_put_cstr (&w, "for_product");
    hr_put_cstr (&w, "lowercase1");
    hr_put_u32 (&w, 10);
    ck_assert_int_eq (call (client, &w, &items, &n), HR_BAD_REQUEST);
    hr_writer_reset (&w);
    hr_put_cstr (&w, "for_product");
    hr_put_cstr (&w, P[0]);                                     /* no limit */
    ck_assert_int_eq (call (client, &w, &items, &n), HR_BAD_REQUEST);
    hr_writer_reset (&w);
    hr_put_cstr (&w, "for_user");
    hr_put_u32 (&w, 1000000);                                   /* hostile count */
    ck_assert_int_eq (call (client, &w, &items, &n), HR_BAD_REQUEST);
    hr_writer_reset (&w);
    hr_put_cstr (&w, "explode");
    ck_assert_int_eq (call (client, &w, &items, &n), HR_BAD_REQUEST);

    /*  Hot swap: publish a model where P3 -> P0 only; the tick (2 s) loads it. */
    {
        rules_fpg_baskets_t *b = rules_fpg_baskets_new ();
        rules_item_dict_t *d = rules_item_dict_new ();
        uint32_t ids[2] = { rules_item_dict_intern (d, P[3], 10), rules_item_dict_intern (d, P[0], 10) };
        for (int i = 0; i < 5; i++)
            rules_fpg_baskets_add (b, ids, 2);
        rules_fpg_params_t fp = rules_fpg_params_default ();
        fp.min_support = 0.5;
        char err[128];
        rules_fpg_result_t *res = rules_fpg_mine (b, &fp, err, sizeof err);
        hr_writer_t blob;
        hr_writer_init (&blob);
        ck_assert_int_eq (rules_model_encode (res, d, 0, &blob), 2);
        int64_t v2 = 0;
        ck_assert_int_eq (hr_model_publish (pg, redis, "rules", blob.data, blob.len, NULL, &v2), 0);
        ck_assert_int_gt (v2, v1);
        hr_writer_free (&blob);
        rules_fpg_result_destroy (&res);
        rules_item_dict_destroy (&d);
        rules_fpg_baskets_destroy (&b);
        bool swapped = false;
        for (int i = 0; i < 100 && !swapped; i++) {        /* bounded: 10 s */
            hr_writer_reset (&w);
            hr_put_cstr (&w, "for_product");
            hr_put_cstr (&w, P[3]);
            hr_put_u32 (&w, 10);
            ck_assert_int_eq (call (client, &w, &items, &n), HR_OK);
            swapped = n == 1 && !strcmp (items[0].id, P[0]);
            free (items);
            if (!swapped)
                usleep (100000);
        }
        ck_assert_msg (swapped, "new model version not picked up");
        ck_assert_int_eq (rules_state_version (state), v2);
    }

    hr_writer_free (&w);
    hr_client_destroy (&client);
    hr_service_destroy (&svc);
    rules_state_destroy (&state);
    hr_broker_destroy (&broker);
    hr_redis_destroy (&redis);
    hr_pg_destroy (&pg);
}
END_TEST

START_TEST (empty_before_any_model)
{
    hr_broker_t *broker = hr_broker_new ("tcp://127.0.0.1:*");
    rules_serve_params_t sp = { .history_items = 20 };          /* no database: no model */
    rules_state_t *state = rules_state_new (&sp);
    hr_service_t *svc = hr_service_new (&rules_service_def, state, hr_broker_endpoint (broker), 1);
    hr_client_t *client = hr_client_new (hr_broker_endpoint (broker));
    test_wait_workers (client, HR_SERVICE_RULES, 1);
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_cstr (&w, "for_product");
    hr_put_cstr (&w, "AAAAAAAAAA");
    hr_put_u32 (&w, 10);
    hr_scored_t *items;
    uint32_t n = 99;
    ck_assert_int_eq (call (client, &w, &items, &n), HR_OK);
    ck_assert_uint_eq (n, 0);
    hr_writer_free (&w);
    hr_client_destroy (&client);
    hr_service_destroy (&svc);
    rules_state_destroy (&state);
    hr_broker_destroy (&broker);
}
END_TEST

int main (void)
{
    hr_log_init ("rules-test", HR_LOG_WARN);
    return test_run ("rules_service", 60, (const TTest *const[]) {
        empty_before_any_model, train_publish_serve_swap, NULL });
}
