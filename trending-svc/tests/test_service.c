/*  trending-svc on the real stores, through a real broker:
    - reconcile from PostgreSQL equals the decay formula (restart loses nothing);
    - `train trending` publishes a snapshot that decodes to the same sums;
    - a burst of clicks published to the event stream moves an item to the
      top of `trending` over ZeroMQ (polled, bounded);
    - `home` has its four parts, diverse picks avoid the history;
      `home_picks` leaves out what the caller holds (its fingerprint);
      `diverse_pools` carries what the draw needs: hr_diverse_draw over it
      gives home_picks' picks, seed for seed (the gateway's local draw);
    - rankings appear in Redis sorted sets; malformed requests are refused.
    Needs DATABASE_URL and REDIS_URL.                                      */
#include <check.h>
#include "hr_test.h"
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "hr_broker.h"
#include "hr_catalog.h"
#include "hr_cli.h"
#include "hr_client.h"
#include "hr_diverse.h"
#include "hr_events.h"
#include "hr_log.h"
#include "hr_migrate.h"
#include "hr_model_store.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "hr_service.h"
#include "hr_wire.h"
#include "protocol.h"
#include "serve.h"
#include "train.h"

#define NPROD 12
static char P[NPROD][11];
static char CAT[3][32];

static hr_catalog_t *make_catalog (void)
{
    unsigned r = ((unsigned) time (NULL) ^ (unsigned) getpid () * 2654435761u) % 1000000u;
    for (int c = 0; c < 3; c++)
        snprintf (CAT[c], sizeof CAT[c], "tt%u-cat%d", r, c);
    hr_catalog_t *cat = hr_catalog_new ();
    for (int i = 0; i < NPROD; i++) {
        snprintf (P[i], sizeof P[i], "TT%06u%02u", r % 1000000u, (unsigned) i % 100u);
        hr_product_t p = { 0 };
        memcpy (p.id, P[i], 11);
        char name[32];
        snprintf (name, sizeof name, "product %d", i);
        p.name = name;
        p.main_category = CAT[i % 3];
        p.sub_category = "sub";
        p.image = "";
        p.link = "";
        p.rating = 3.5 + (i % 4) * 0.4;
        p.reviews = 10 + i * 100;
        p.price = 50;
        p.original_price = 100 + i;
        p.discount_ratio = 1 - p.price / p.original_price;
        ck_assert_int_eq (hr_catalog_add (cat, &p), 0);
    }
    hr_catalog_freeze (cat);
    return cat;
}

static void click_at (hr_pg_t *pg, const char *product, int64_t ts_ms)
{
    char ts[32];
    snprintf (ts, sizeof ts, "%.3f", ts_ms / 1000.0);
    const char *params[] = { product, ts };
    PGresult *r = hr_pg_exec (pg,
        "INSERT INTO interactions (user_id, event_type, product_id, ts)"
        " VALUES ('trendingtest', 1, $1, to_timestamp($2::float8))", 2, params);
    ck_assert_msg (r != NULL, "insert: %s", hr_pg_error (pg));
    PQclear (r);
}

static int call (hr_client_t *c, hr_writer_t *req, void **body, size_t *len)
{
    return test_call (c, HR_SERVICE_TRENDING, req, body, len);
}

/*  home_picks: the reply's first part is sent only to a caller that does
    not hold it (its fingerprint); a full reply after its prefix is the
    `home` reply of the same ranking, byte for byte.  The ranking may still
    move under the calls (clicks arriving): then the three calls are made
    again, until one round saw one ranking (bounded).                      */
static void
check_home_picks (hr_client_t *client, const hr_writer_t *hist)
{
    hr_writer_t w;
    hr_writer_init (&w);
    bool same_ranking = false;
    for (int round = 0; round < 50 && !same_ranking; round++) {
        void *full = NULL, *home = NULL, *picks = NULL;
        size_t full_len = 0, home_len = 0, picks_len = 0;
        hr_proto_home_picks_req_put (&w, 4, 12345, 0, hist->data, hist->len);
        ck_assert_int_eq (call (client, &w, &full, &full_len), HR_OK);
        hr_proto_home_req_put (&w, 4, 12345, hist->data, hist->len);
        ck_assert_int_eq (call (client, &w, &home, &home_len), HR_OK);
        hr_proto_home_picks_t f, p;
        ck_assert_int_eq (hr_proto_home_picks_split (full, full_len, &f), 0);
        ck_assert (f.full);
        ck_assert (f.fingerprint == hr_proto_home_fingerprint ((char *) full + f.head, f.head_len));
        hr_proto_home_picks_req_put (&w, 4, 12345, f.fingerprint, hist->data, hist->len);
        ck_assert_int_eq (call (client, &w, &picks, &picks_len), HR_OK);
        ck_assert_int_eq (hr_proto_home_picks_split (picks, picks_len, &p), 0);
        same_ranking = !p.full && p.fingerprint == f.fingerprint;
        if (same_ranking) {
            /*  full = prefix + `home`; picks alone = prefix + the picks  */
            ck_assert_uint_eq (full_len - HR_PROTO_HOME_PICKS_PREFIX, home_len);
            ck_assert (!memcmp ((char *) full + HR_PROTO_HOME_PICKS_PREFIX, home, home_len));
            ck_assert_uint_eq (p.head_len, 0);
            ck_assert_uint_eq (picks_len - p.picks, full_len - f.picks);
            ck_assert (!memcmp ((char *) picks + p.picks, (char *) full + f.picks, picks_len - p.picks));
            hr_proto_list_t div;
            ck_assert_int_eq (hr_proto_list_decode ((char *) picks + p.picks, picks_len - p.picks, &div), 0);
            ck_assert_uint_eq (div.n, 4);
            hr_proto_list_free (&div);
        }
        free (full);
        free (home);
        free (picks);
    }
    ck_assert_msg (same_ranking, "home_picks never answered the picks alone");
    /*  a fingerprint the ranking does not have: the whole reply  */
    void *body = NULL;
    size_t len = 0;
    hr_proto_home_picks_req_put (&w, 4, 12345, 42, hist->data, hist->len);
    ck_assert_int_eq (call (client, &w, &body, &len), HR_OK);
    hr_proto_home_picks_t f;
    ck_assert_int_eq (hr_proto_home_picks_split (body, len, &f), 0);
    ck_assert (f.full && f.fingerprint != 42);
    free (body);
    /*  truncated: BAD_REQUEST  */
    hr_proto_home_picks_req_put (&w, 4, 12345, 0, hist->data, hist->len - 1);
    body = NULL;
    ck_assert_int_eq (call (client, &w, &body, &len), HR_BAD_REQUEST);
    free (body);
    hr_writer_free (&w);
}

/*  diverse_pools: every main category in the catalog's (sorted) order,
    each list best first; drawing from it with hr_diverse_draw (ids mapped
    to any numbering) gives the picks home_picks answers for the same seed
    and history, in order: what the gateway does (gw_diverse.h).  Clicks
    may move the ranking between the calls: a round whose two pools
    answers differ is made again (bounded).                                */
static void
check_diverse_pools (hr_client_t *client, const hr_writer_t *hist, const char *const *clicked,
                     const char *clicked_cat, uint32_t nclicked)
{
    hr_writer_t w;
    hr_writer_init (&w);
    bool stable = false;
    for (int round = 0; round < 50 && !stable; round++) {
        void *before = NULL, *after = NULL;
        size_t before_len = 0, after_len = 0;
        hr_proto_diverse_pools_put (&w, UINT32_MAX);
        ck_assert_int_eq (call (client, &w, &before, &before_len), HR_OK);
        hr_proto_category_t *cats;
        uint32_t k;
        ck_assert_int_eq (hr_proto_pools_decode (before, before_len, &cats, &k), 0);
        ck_assert_uint_ge (k, 3);
        /*  ids numbered in the order they come; categories by position   */
        uint32_t total = 0;
        for (uint32_t c = 0; c < k; c++)
            total += cats[c].list.n;
        const char **ids = calloc (total + 1, sizeof *ids);
        uint32_t *items = calloc (total + 1, sizeof *items);
        hr_diverse_cat_t *dc = calloc (k, sizeof *dc);
        uint32_t at = 0;
        int clicked_c = -1;
        for (uint32_t c = 0; c < k; c++) {
            if (c > 0)
                ck_assert (strncmp (cats[c - 1].name, cats[c].name,
                                    cats[c].len < cats[c - 1].len ? cats[c].len : cats[c - 1].len) <= 0);
            if (strlen (clicked_cat) == cats[c].len && !memcmp (cats[c].name, clicked_cat, cats[c].len))
                clicked_c = (int) c;
            dc[c] = (hr_diverse_cat_t) { items + at, cats[c].list.n };
            for (uint32_t i = 0; i < cats[c].list.n; i++) {
                ck_assert_int_eq (cats[c].list.items[i].strategy, HR_STRAT_DIVERSE);
                if (i > 0)
                    ck_assert (cats[c].list.items[i].score <= cats[c].list.items[i - 1].score);
                ids[at] = cats[c].list.items[i].id;
                items[at] = at;
                at++;
            }
        }
        ck_assert_int_ge (clicked_c, 0);
        uint16_t ccat[8];
        uint32_t excl[8];
        for (uint32_t i = 0; i < nclicked; i++) {
            ccat[i] = (uint16_t) clicked_c;
            excl[i] = UINT32_MAX;
            for (uint32_t j = 0; j < total; j++)
                if (!strcmp (ids[j], clicked[i]))
                    excl[i] = j;
        }
        bool same = true;
        for (uint64_t seed = 1; seed <= 16 && same; seed++) {
            void *body = NULL;
            size_t len = 0;
            hr_proto_home_picks_req_put (&w, 4, seed, 0, hist->data, hist->len);
            ck_assert_int_eq (call (client, &w, &body, &len), HR_OK);
            hr_proto_home_picks_t p;
            ck_assert_int_eq (hr_proto_home_picks_split (body, len, &p), 0);
            hr_proto_list_t div;
            ck_assert_int_eq (hr_proto_list_decode ((char *) body + p.picks, len - p.picks, &div), 0);
            uint32_t out[8];
            uint32_t n = hr_diverse_draw (dc, k, UINT32_MAX, ccat, nclicked, excl, nclicked, 4, seed, out);
            same = n == div.n;
            for (uint32_t i = 0; same && i < n; i++)
                same = !strcmp (ids[out[i]], div.items[i].id);
            hr_proto_list_free (&div);
            free (body);
        }
        hr_proto_diverse_pools_put (&w, UINT32_MAX);
        ck_assert_int_eq (call (client, &w, &after, &after_len), HR_OK);
        bool moved = after_len != before_len || memcmp (after, before, before_len) != 0;
        ck_assert_msg (same || moved, "the local draw differs from home_picks' on one ranking");
        stable = same && !moved;
        hr_proto_pools_free (&cats, k);
        free (ids);
        free (items);
        free (dc);
        free (before);
        free (after);
    }
    ck_assert_msg (stable, "the ranking never held still for a round");
    /*  a limit smaller than the pool: at most that many per category      */
    void *body = NULL;
    size_t len = 0;
    hr_proto_diverse_pools_put (&w, 1);
    ck_assert_int_eq (call (client, &w, &body, &len), HR_OK);
    hr_proto_category_t *cats;
    uint32_t k;
    ck_assert_int_eq (hr_proto_pools_decode (body, len, &cats, &k), 0);
    for (uint32_t c = 0; c < k; c++)
        ck_assert_uint_le (cats[c].list.n, 1);
    hr_proto_pools_free (&cats, k);
    free (body);
    hr_writer_free (&w);
}

START_TEST (reconcile_realtime_home_redis)
{
    hr_pg_t *pg = test_pg_migrated ();
    hr_catalog_t *cat = make_catalog ();
    int64_t now = hr_now_ms ();
    /*  P1: 3 clicks 2 h ago and 1 click 30 h ago.                          */
    for (int i = 0; i < 3; i++)
        click_at (pg, P[1], now - 2 * 3600000LL);
    click_at (pg, P[1], now - 30 * 3600000LL);

    const char *redis_url = getenv ("REDIS_URL");
    trending_serve_params_t sp = {
        .database_url = getenv ("DATABASE_URL"), .redis_url = redis_url,
        .pg_timeout_ms = 10000, .redis_timeout_ms = 500, .decay_rate = 0.95,
        .model = trending_params_default (), .window_days = 30, .reconcile_s = 3600,
        .redis_top = 100,
    };
    sp.model.top_categories = 2;
    trending_state_t *st = trending_state_new (&sp, cat);
    ck_assert_ptr_nonnull (st);
    /*  Reconciled sums = the formula (+ P1's constant prior).             */
    double prior = trending_state_score (st, P[1]);
    double want = 3 * pow (0.95, 2) + pow (0.95, 30);
    trending_params_t mp = trending_params_default ();
    trending_static_t *tst = trending_static_new (cat, &mp);
    double p1_prior = trending_static_prior (tst, (uint32_t) hr_catalog_find (cat, P[1]));
    trending_static_destroy (&tst);
    ck_assert_msg (fabs (prior - p1_prior - want) < 1e-3 * want, "score %.6f, want %.6f + prior %.6f",
                   prior, want, p1_prior);

    /*  `train trending` publishes a snapshot holding the same sum.          */
    char *argv[] = { "trending", NULL };
    ck_assert_int_eq (trending_cli_train (1, argv), 0);
    hr_redis_t *redis = hr_redis_new (redis_url, 500);
    int64_t v = hr_model_current (pg, redis, HR_MODEL_TRENDING);
    ck_assert_int_gt (v, 0);
    void *blob;
    size_t blen;
    ck_assert_int_eq (hr_model_fetch (pg, redis, HR_MODEL_TRENDING, v, &blob, &blen), 0);
    trending_snapshot_t snap;
    char err[128];
    ck_assert_int_eq (trending_snapshot_decode (blob, blen, &snap, err, sizeof err), 0);
    free (blob);
    bool found = false;
    for (uint32_t i = 0; i < snap.n; i++)
        if (!strcmp (snap.ids[i], P[1])) {
            double score = snap.raw[i] * pow (0.95, (hr_now_ms () - snap.t0_ms) / 3600000.0);
            ck_assert (fabs (score - want) < 1e-3 * want);
            found = true;
        }
    ck_assert (found);
    trending_snapshot_free (&snap);

    hr_broker_t *broker = hr_broker_new ("tcp://127.0.0.1:*");
    hr_service_t *svc = hr_service_new (&trending_service_def, st, hr_broker_endpoint (broker), 2);
    hr_client_t *client = hr_client_new (hr_broker_endpoint (broker));
    test_wait_workers (client, HR_SERVICE_TRENDING, 2);

    /*  Real time: 6 clicks on P7 through the event stream -> on top.       */
    int64_t t_pub = hr_now_ms ();
    for (int i = 0; i < 6; i++) {
        hr_event_t ev = { .type = HR_EVENT_CLICK, .ts_ms = hr_now_ms () };
        snprintf (ev.user_id, sizeof ev.user_id, "trendingtest%d", i);
        snprintf (ev.value, sizeof ev.value, "%s", P[7]);
        ck_assert_int_eq (hr_events_publish (redis, &ev), 0);
    }
    hr_writer_t w;
    hr_writer_init (&w);
    bool on_top = false;
    for (int i = 0; i < 100 && !on_top; i++) {              /* bounded: ~5 s */
        hr_writer_reset (&w);
        hr_put_cstr (&w, "trending");
        hr_put_u32 (&w, 5);
        void *body = NULL;
        size_t len = 0;
        ck_assert_int_eq (call (client, &w, &body, &len), HR_OK);
        hr_reader_t r;
        hr_reader_init (&r, body, len);
        hr_scored_t *items;
        uint32_t n;
        ck_assert_int_eq (hr_get_scored_list (&r, &items, &n), 0);
        ck_assert_uint_eq (n, 5);
        on_top = !strcmp (items[0].id, P[7]) && items[0].score > 5.9f;
        free (items);
        free (body);
        if (!on_top)
            usleep (50000);
    }
    ck_assert_msg (on_top, "a burst of clicks did not reach the top");
    printf ("burst on top of `trending` after %lld ms\n", (long long) (hr_now_ms () - t_pub));

    /*  home: 4 parts; diverse picks never the history's items.            */
    hr_writer_reset (&w);
    hr_put_cstr (&w, "home");
    hr_put_u32 (&w, 4);
    hr_put_u64 (&w, 12345);
    hr_put_u32 (&w, 2);
    hr_put_u8 (&w, 1);
    hr_put_cstr (&w, P[0]);
    hr_put_i64 (&w, hr_now_ms ());
    hr_put_u8 (&w, 1);
    hr_put_cstr (&w, P[3]);
    hr_put_i64 (&w, hr_now_ms ());
    void *body = NULL;
    size_t len = 0;
    ck_assert_int_eq (call (client, &w, &body, &len), HR_OK);
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    hr_scored_t *trend, *best, *div;
    uint32_t nt, nb, nd;
    ck_assert_int_eq (hr_get_scored_list (&r, &trend, &nt), 0);
    ck_assert_int_eq (hr_get_scored_list (&r, &best, &nb), 0);
    ck_assert_uint_eq (nt, 4);
    ck_assert_str_eq (trend[0].id, P[7]);
    ck_assert_uint_eq (nb, 4);
    ck_assert_int_eq (best[0].strategy, HR_STRAT_BEST_VALUE);
    for (uint32_t i = 1; i < nb; i++)
        ck_assert (best[i].score <= best[i - 1].score);
    uint32_t k = hr_get_u32 (&r);
    ck_assert_uint_eq (k, 2);
    for (uint32_t c = 0; c < k; c++) {
        size_t nlen;
        const char *name = hr_get_str (&r, &nlen);
        ck_assert_ptr_nonnull (name);
        hr_scored_t *items;
        uint32_t n;
        ck_assert_int_eq (hr_get_scored_list (&r, &items, &n), 0);
        ck_assert_uint_eq (n, 4);
        ck_assert_int_eq (strncmp (items[0].source, name, nlen), 0);
        if (c == 0)         /* P7's category is the most popular now */
            ck_assert_int_eq (strncmp (name, CAT[7 % 3], nlen), 0);
        free (items);
    }
    ck_assert_int_eq (hr_get_scored_list (&r, &div, &nd), 0);
    ck_assert (hr_reader_done (&r));
    ck_assert_uint_eq (nd, 4);
    for (uint32_t i = 0; i < nd; i++) {
        ck_assert_str_ne (div[i].id, P[0]);
        ck_assert_str_ne (div[i].id, P[3]);
        ck_assert_int_eq (div[i].strategy, HR_STRAT_DIVERSE);
    }
    free (trend);
    free (best);
    free (div);
    free (body);
    hr_writer_t hist;
    hr_writer_init (&hist);
    hr_put_u32 (&hist, 2);
    hr_put_u8 (&hist, 1);
    hr_put_cstr (&hist, P[0]);
    hr_put_i64 (&hist, hr_now_ms ());
    hr_put_u8 (&hist, 1);
    hr_put_cstr (&hist, P[3]);
    hr_put_i64 (&hist, hr_now_ms ());
    check_home_picks (client, &hist);
    const char *const clicked[] = { P[0], P[3] };
    check_diverse_pools (client, &hist, clicked, CAT[0], 2);
    hr_writer_free (&hist);

    /*  Malformed requests.  */
    hr_writer_reset (&w);
    hr_put_cstr (&w, "home");
    hr_put_u32 (&w, 4);
    body = NULL;
    ck_assert_int_eq (call (client, &w, &body, &len), HR_BAD_REQUEST);
    free (body);
    hr_writer_reset (&w);
    hr_put_cstr (&w, "trending");
    hr_put_u32 (&w, 4);
    hr_put_u8 (&w, 0);                                          /* trailing byte */
    body = NULL;
    ck_assert_int_eq (call (client, &w, &body, &len), HR_BAD_REQUEST);
    free (body);
    hr_writer_reset (&w);
    hr_put_cstr (&w, "nope");
    body = NULL;
    ck_assert_int_eq (call (client, &w, &body, &len), HR_BAD_REQUEST);
    free (body);

    /*  Redis sorted sets (written at most every 2 s, the global one first,
        then each category: wait for both).                                 */
    char key[128];
    snprintf (key, sizeof key, "%s%s", TRENDING_KEY_CAT_PREFIX, CAT[7 % 3]);
    bool in_redis = false, in_cat = false;
    for (int i = 0; i < 60 && !(in_redis && in_cat); i++) {
        redisReply *z = hr_redis_command (redis, "ZSCORE %s %s", TRENDING_KEY_GLOBAL, P[7]);
        in_redis = z && z->type == REDIS_REPLY_STRING && atof (z->str) > 5.0;
        if (z)
            freeReplyObject (z);
        z = hr_redis_command (redis, "ZREVRANGE %s 0 0", key);
        in_cat = z && z->type == REDIS_REPLY_ARRAY && z->elements == 1
                 && !strcmp (z->element[0]->str, P[7]);
        if (z)
            freeReplyObject (z);
        if (!(in_redis && in_cat))
            usleep (100000);
    }
    ck_assert_msg (in_redis, "%s not in %s", P[7], TRENDING_KEY_GLOBAL);
    ck_assert_msg (in_cat, "%s not on top of %s", P[7], key);
    redisReply *z = hr_redis_command (redis, "ZREVRANGE %s 0 0", key);
    ck_assert (z && z->type == REDIS_REPLY_ARRAY && z->elements == 1);
    ck_assert_str_eq (z->element[0]->str, P[7]);
    freeReplyObject (z);

    hr_writer_free (&w);
    hr_client_destroy (&client);
    hr_service_destroy (&svc);
    hr_broker_destroy (&broker);
    trending_state_destroy (&st);
    ck_assert_ptr_null (st);
    hr_catalog_destroy (&cat);
    hr_redis_destroy (&redis);
    hr_pg_destroy (&pg);
}
END_TEST

START_TEST (snapshot_blob_rejects_garbage)
{
    trending_snapshot_t s = { .rate = 0.95, .t0_ms = 1, .cut_ms = 2, .n = 1 };
    char ids[1][11] = { "ABCDEFGHIJ" };
    double raw[1] = { 2.5 };
    s.ids = ids;
    s.raw = raw;
    hr_writer_t w;
    hr_writer_init (&w);
    trending_snapshot_encode (&s, &w);
    trending_snapshot_t out;
    char err[128];
    ck_assert_int_eq (trending_snapshot_decode (w.data, w.len, &out, err, sizeof err), 0);
    ck_assert_str_eq (out.ids[0], "ABCDEFGHIJ");
    ck_assert (out.raw[0] == 2.5);
    trending_snapshot_free (&out);
    for (size_t len = 0; len < w.len; len++)
        ck_assert_int_eq (trending_snapshot_decode (w.data, len, &out, err, sizeof err), -1);
    w.data[w.len - 12] = 'a';                                 /* lowercase id */
    ck_assert_int_eq (trending_snapshot_decode (w.data, w.len, &out, err, sizeof err), -1);
    hr_writer_free (&w);
}
END_TEST

int main (void)
{
    hr_log_init ("trending-test", HR_LOG_WARN);
    return test_run ("trending_service", 60, (const TTest *const[]) {
        snapshot_blob_rejects_garbage, reconcile_realtime_home_redis, NULL });
}
