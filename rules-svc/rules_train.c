/*  rules_train — clicks -> baskets -> rules -> a published model version. */
#include "rules_train.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hr_log.h"
#include "hr_model_store.h"
#include "hr_progress.h"
#include "hr_wire.h"
#include "item_dict.h"
#include "protocol.h"
#include "rules_model.h"

static const char CLICKS_SQL[] =
    "SELECT user_id, product_id, (extract(epoch FROM ts) * 1000)::bigint"
    "  FROM interactions"
    " WHERE " HR_EVENT_PRODUCT_SQL " AND product_id IS NOT NULL"
    "   AND ts >= now() - make_interval(days => $1::int)"
    " ORDER BY user_id, ts";
static const char COUNT_SQL[] =
    "SELECT count(*) FROM interactions"
    " WHERE " HR_EVENT_PRODUCT_SQL " AND ts >= now() - make_interval(days => $1::int)";

static double now_s (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*  Streams the clicks (single-row mode: memory stays flat however many). */
static int read_clicks (hr_pg_t *pg, const rules_train_params_t *p, basket_builder_t *bb,
                        uint64_t *nclicks, char *err, size_t errlen)
{
    char days[16];
    snprintf (days, sizeof days, "%u", p->window_days);
    const char *params[] = { days };
    uint64_t total = 0;
    PGresult *res = hr_pg_exec (pg, COUNT_SQL, 1, params);
    if (!res) {
        snprintf (err, errlen, "counting clicks: %s", hr_pg_error (pg));
        return -1;
    }
    total = strtoull (PQgetvalue (res, 0, 0), NULL, 10);
    PQclear (res);
    PGconn *conn = hr_pg_conn (pg);
    if (!conn || !PQsendQueryParams (conn, CLICKS_SQL, 1, NULL, params, NULL, NULL, 0)
        || !PQsetSingleRowMode (conn)) {
        snprintf (err, errlen, "reading clicks: %s", conn ? PQerrorMessage (conn) : "no connection");
        return -1;
    }
    hr_progress_t *bar = p->progress ? hr_progress_new ("reading clicks", total) : NULL;
    int rc = 0;
    while ((res = PQgetResult (conn))) {
        ExecStatusType st = PQresultStatus (res);
        if (st == PGRES_SINGLE_TUPLE) {
            const char *ts = PQgetvalue (res, 0, 2);
            if (rc == 0 && basket_builder_add (bb, PQgetvalue (res, 0, 0), (size_t) PQgetlength (res, 0, 0),
                                               PQgetvalue (res, 0, 1), (size_t) PQgetlength (res, 0, 1),
                                               strtoll (ts, NULL, 10))) {
                snprintf (err, errlen, "building baskets: out of memory or unordered rows");
                rc = -1;        /* keep draining the results */
            }
            if (++*nclicks % 10000 == 0 && bar)
                hr_progress_update (bar, *nclicks);
        }
        else if (st != PGRES_TUPLES_OK && rc == 0) {
            snprintf (err, errlen, "reading clicks: %s", PQresultErrorMessage (res));
            rc = -1;
        }
        PQclear (res);
    }
    if (bar) {
        hr_progress_update (bar, *nclicks);
        hr_progress_destroy (&bar);
    }
    return rc ? rc : basket_builder_finish (bb);
}

int rules_train_run (hr_pg_t *pg, hr_redis_t *redis, const rules_train_params_t *p,
                     rules_train_summary_t *s, char *err, size_t errlen)
{
    memset (s, 0, sizeof *s);
    double t0 = now_s ();
    fpg_baskets_t *baskets = fpg_baskets_new ();
    item_dict_t *dict = item_dict_new ();
    basket_builder_t *bb = baskets && dict
        ? basket_builder_new (p->mode, p->session_gap_ms, baskets, dict) : NULL;
    fpg_result_t *res = NULL;
    hr_writer_t w;
    hr_writer_init (&w);
    int rc = -1;
    if (!bb) {
        snprintf (err, errlen, "out of memory");
        goto done;
    }
    if (read_clicks (pg, p, bb, &s->clicks, err, errlen))
        goto done;
    s->baskets = fpg_baskets_count (baskets);
    s->items = item_dict_size (dict);
    res = mine_adapt (baskets, &p->fpg, p->basket_cap, &s->adapt, err, errlen);
    if (!res)
        goto done;
    s->min_count = fpg_result_min_count (res);
    s->itemsets = fpg_result_itemset_count (res);
    s->rules_mined = fpg_result_rule_count (res);
    long kept = rules_model_encode (res, dict, p->max_rules, &w);
    if (kept < 0) {
        snprintf (err, errlen, "out of memory encoding the model");
        goto done;
    }
    s->rules_kept = (size_t) kept;
    char meta[512];
    snprintf (meta, sizeof meta,
              "{\"clicks\":%llu,\"baskets\":%u,\"items\":%u,\"mode\":\"%s\",\"min_support\":%g,"
              "\"min_count\":%u,\"min_confidence\":%g,\"max_len\":%u,\"itemsets\":%zu,"
              "\"rules_mined\":%zu,\"rules\":%zu,\"window_days\":%u,\"basket_cap\":%u,"
              "\"baskets_capped\":%u,\"attempts\":%u}",
              (unsigned long long) s->clicks, s->baskets, s->items,
              p->mode == BASKET_SESSION ? "session" : "user-day", p->fpg.min_support,
              s->min_count, p->fpg.min_confidence, p->fpg.max_len, s->itemsets,
              s->rules_mined, s->rules_kept, p->window_days, s->adapt.basket_cap,
              s->adapt.baskets_capped, s->adapt.attempts);
    if (hr_model_publish (pg, redis, HR_MODEL_RULES, w.data, w.len, meta, &s->version)) {
        snprintf (err, errlen, "publishing the model failed: %s", hr_pg_error (pg));
        goto done;
    }
    rc = 0;
done:
    s->seconds = now_s () - t0;
    hr_writer_free (&w);
    fpg_result_destroy (&res);
    basket_builder_destroy (&bb);
    item_dict_destroy (&dict);
    fpg_baskets_destroy (&baskets);
    return rc;
}
