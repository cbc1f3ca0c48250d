/*  trending_serve — trending-svc's requests (protocol.h): decode with
    hr_proto, answer from the current ranking (trending_state_take), encode. */
#include "serve.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "hr_log.h"
#include "hr_proto.h"
#include "hr_validate.h"
#include "protocol.h"

/* ---- requests ---------------------------------------------------------- */

static void
s_put_items (hr_writer_t *w, const hr_catalog_t *cat, const trending_rank_t *rank,
             const uint32_t *items, uint32_t n, uint8_t strategy, const char *source)
{
    size_t begin = hr_scored_list_begin (w);
    size_t slen = source ? strlen (source) : 0;
    for (uint32_t i = 0; i < n; i++)
        hr_put_scored_item (w, hr_catalog_at (cat, items[i])->id,
                            trending_rank_score (rank, items[i]), strategy, source, slen);
    hr_scored_list_end (w, begin, n);
}

static int
s_trending (void *state, const void *model, const hr_proto_req_t *req, hr_writer_t *reply,
            hr_call_t *call)
{
    (void) state;
    (void) call;
    trending_view_t v;
    trending_view_of (model, &v);
    uint32_t limit = req->limit < HR_TRENDING_LIMIT_MAX ? req->limit : HR_TRENDING_LIMIT_MAX;
    uint32_t n;
    const uint32_t *g = trending_rank_global (v.rank, &n);
    s_put_items (reply, v.catalog, v.rank, g, n < limit ? n : limit, HR_STRAT_TRENDING, NULL);
    return HR_OK;
}

/*  diverse_pools: every main category, in the catalog's order, with the
    draw's candidates (hr_diverse.h), its best min(limit, diverse_pool)
    items: what the gateway draws a page's picks from itself.             */
static int
s_diverse_pools (void *state, const void *model, const hr_proto_req_t *req, hr_writer_t *reply,
                 hr_call_t *call)
{
    (void) state;
    trending_view_t v;
    trending_view_of (model, &v);
    uint32_t pool = trending_diverse_pool (v.st);
    if (req->limit < pool)
        pool = req->limit;
    uint32_t ncats = trending_rank_ncats (v.rank);
    hr_put_u32 (reply, ncats);
    for (uint32_t c = 0; c < ncats; c++) {
        uint32_t n;
        const uint32_t *items = trending_rank_category (v.rank, (uint16_t) c, &n);
        const char *name = hr_catalog_main_name (v.catalog, (uint16_t) c);
        hr_put_str (reply, name, strlen (name));
        s_put_items (reply, v.catalog, v.rank, items, n < pool ? n : pool, HR_STRAT_DIVERSE, NULL);
    }
    return reply->oom ? hr_service_error (call, HR_INTERNAL, "diverse_pools: out of memory") : HR_OK;
}

/*  The history's clicked products that are in the catalog: their indices
    and main categories (arrays of h->n entries).  Returns how many.        */
static uint32_t
s_history_items (const hr_catalog_t *cat, const hr_proto_history_t *h, uint32_t *idx,
                 uint16_t *main_cat)
{
    hr_proto_history_iter_t it;
    hr_proto_history_iter (h, &it);
    hr_proto_event_t ev;
    uint32_t n = 0;
    while (hr_proto_history_next (&it, &ev))
        n += hr_diverse_clicked (cat, &ev, &idx[n], &main_cat[n]);
    return n;
}

/*  The parts of hr_proto_home_t before the diverse picks, in their order
    on the wire: the same for every call of one ranking and limit.        */
static void
s_put_home_head (const trending_state_t *self, const trending_view_t *v, uint32_t limit,
                 hr_writer_t *reply)
{
    const hr_catalog_t *cat = v->catalog;
    uint32_t n;
    const uint32_t *g = trending_rank_global (v->rank, &n);
    s_put_items (reply, cat, v->rank, g, n < limit ? n : limit, HR_STRAT_TRENDING, NULL);
    /*  best_value: its own score (discount × quality)  */
    const float *values;
    const uint32_t *best = trending_static_best_value (v->st, &n, &values);
    n = n < limit ? n : limit;
    size_t begin = hr_scored_list_begin (reply);
    for (uint32_t i = 0; i < n; i++)
        hr_put_scored_item (reply, hr_catalog_at (cat, best[i])->id, values[i],
                            HR_STRAT_BEST_VALUE, NULL, 0);
    hr_scored_list_end (reply, begin, n);
    uint32_t ncat;
    const uint16_t *cats = trending_rank_categories (v->rank, &ncat);
    uint32_t k = ncat < trending_state_top_categories (self) ? ncat : trending_state_top_categories (self);
    hr_put_u32 (reply, k);
    for (uint32_t c = 0; c < k; c++) {
        const char *name = hr_catalog_main_name (cat, cats[c]);
        hr_put_cstr (reply, name);
        const uint32_t *items = trending_rank_category (v->rank, cats[c], &n);
        s_put_items (reply, cat, v->rank, items, n < limit ? n : limit, HR_STRAT_TRENDING, name);
    }
}

/*  The home reply's first part (trending, best value, top categories):
    from the ranking's memo (memo.h) when an earlier call of this limit
    encoded it, else encoded now and kept.  *fingerprint: the memo's
    fingerprint of that part (0 when it could not be kept).               */
static void
s_put_home_head_memo (const trending_state_t *self, const trending_view_t *v, uint32_t limit,
                      hr_writer_t *reply, uint64_t *fingerprint)
{
    size_t head = reply->len;
    *fingerprint = 0;
    if (!trending_memo_get (v->memo, limit, reply, fingerprint)) {
        s_put_home_head (self, v, limit, reply);
        if (!reply->oom)
            *fingerprint = trending_memo_put (v->memo, limit, reply->data + head, reply->len - head);
    }
}

/*  diverse_picks: score by pick order (the draw is the ranking)  */
static void
s_put_picks (const hr_catalog_t *cat, uint32_t npicks, const uint32_t *picks, hr_writer_t *reply)
{
    size_t begin = hr_scored_list_begin (reply);
    for (uint32_t i = 0; i < npicks; i++) {
        const hr_product_t *p = hr_catalog_at (cat, picks[i]);
        hr_put_scored_item (reply, p->id, hr_diverse_score (i, npicks), HR_STRAT_DIVERSE,
                            p->main_category, strlen (p->main_category));
    }
    hr_scored_list_end (reply, begin, npicks);
}

/*  home and home_picks: the user's diverse picks drawn, then the reply.
    home: the first part, then the picks.  home_picks (picks_only): the
    9-byte prefix (hr_proto.h), the first part only when the caller does
    not hold it already (`held` = its fingerprint), then the picks.       */
static int
s_home_reply (const trending_state_t *self, const void *model, uint32_t req_limit, uint64_t seed,
              const hr_proto_history_t *history, bool picks_only, uint64_t held, hr_writer_t *reply,
              hr_call_t *call)
{
    trending_view_t view, *v = &view;
    trending_view_of (model, &view);
    uint32_t limit = req_limit < HR_TRENDING_HOME_LIMIT_MAX ? req_limit : HR_TRENDING_HOME_LIMIT_MAX;
    uint32_t *picks = malloc (((size_t) limit + 1) * sizeof *picks);
    uint32_t *hist_idx = malloc (((size_t) history->n + 1) * sizeof *hist_idx);
    uint16_t *hist_cat = malloc (((size_t) history->n + 1) * sizeof *hist_cat);
    int rc = HR_OK;
    if (picks && hist_idx && hist_cat) {
        uint32_t nh = s_history_items (v->catalog, history, hist_idx, hist_cat);
        uint32_t np = trending_diverse (v->rank, v->st, hist_cat, nh, hist_idx, nh, limit, seed, picks);
        uint64_t fingerprint = 0;
        if (!picks_only)
            s_put_home_head_memo (self, v, limit, reply, &fingerprint);
        else {
            size_t at = hr_proto_home_picks_begin (reply);
            bool full = !(held && trending_memo_fingerprint (v->memo, limit, &fingerprint) && fingerprint == held);
            if (full)
                s_put_home_head_memo (self, v, limit, reply, &fingerprint);
            hr_proto_home_picks_mark (reply, at, full, fingerprint);
        }
        s_put_picks (v->catalog, np, picks, reply);
    }
    if (!picks || !hist_idx || !hist_cat || reply->oom)
        rc = hr_service_error (call, HR_INTERNAL, picks_only ? "home_picks: out of memory" : "home: out of memory");
    free (picks);
    free (hist_idx);
    free (hist_cat);
    return rc;
}

static int
s_home (void *state, const void *model, const hr_proto_req_t *r, hr_writer_t *reply,
        hr_call_t *call)
{
    const hr_proto_home_req_t *req = &r->home;
    return s_home_reply (state, model, req->limit, req->seed, &req->history, false, 0, reply, call);
}

/*  home_picks: home's reply without its first part when the caller holds
    that part already (req->held = its fingerprint, memo.h): then only the
    user's diverse picks are encoded and sent.                             */
static int
s_home_picks (void *state, const void *model, const hr_proto_req_t *r, hr_writer_t *reply,
              hr_call_t *call)
{
    const hr_proto_home_picks_req_t *req = &r->home_picks;
    return s_home_reply (state, model, req->limit, req->seed, &req->history, true, req->held, reply, call);
}

/*  Not const: HR_TRENDING_DISABLE_METHODS takes methods out at start
    (s_disable_methods), before any worker reads it.                      */
static hr_method_t s_methods[] = {
    { HR_M_HOME, HR_REQ_HOME, s_home },
    { HR_M_HOME_PICKS, HR_REQ_HOME_PICKS, s_home_picks },
    { HR_M_TRENDING, HR_REQ_TRENDING, s_trending },
    { HR_M_DIVERSE_POOLS, HR_REQ_TRENDING, s_diverse_pools },
    { NULL, HR_REQ_RAW, NULL },
};

/*  HR_TRENDING_DISABLE_METHODS (a test / compatibility knob, never for
    production): the comma-separated methods are taken out of the table,
    so this process answers them as a trending-svc that predates them does
    (hr_service_dispatch: HR_BAD_REQUEST "trending: unknown method '..'").
    E.g. home_picks: the gateway's fallback to `home` (gateway/api/
    gw_home_picks.h; tests/e2e/test_home_compat.c).  0, or -1 when a name
    is not one of the methods.                                             */
static int
s_disable_methods (const char *list)
{
    const char *p = list ? list : "";
    while (*p) {
        size_t len = strcspn (p, ",");
        if (len > 0) {
            hr_method_t *m = s_methods;
            while (m->name && !hr_proto_method_is (p, len, m->name))
                m++;
            if (!m->name) {
                hr_error ("HR_TRENDING_DISABLE_METHODS: '%.*s' is not a trending method", (int) len, p);
                return -1;
            }
            hr_warn ("HR_TRENDING_DISABLE_METHODS: %s answers 'unknown method' (test/compatibility knob)", m->name);
            do                  /* the {NULL} end moves up too */
                m[0] = m[1];
            while ((m++)->name);
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* ---- the service definition ------------------------------------------- */

static void s_tick (void *state)
{
    trending_state_poll (state);
}


static void *s_init (hr_config_t *cfg)
{
    if (s_disable_methods (hr_config_str (cfg, "HR_TRENDING_DISABLE_METHODS")) != 0)
        return NULL;
    double mean = hr_config_double (cfg, "HR_TRENDING_BAYES_MEAN");
    trending_serve_params_t p = {
        .database_url = hr_config_database_url (cfg),
        .redis_url = hr_config_str (cfg, "REDIS_URL"),
        .pg_timeout_ms = (int) hr_config_int (cfg, "HR_PG_STATEMENT_TIMEOUT_MS"),
        .redis_timeout_ms = (int) hr_config_int (cfg, "HR_REDIS_TIMEOUT_MS"),
        .decay_rate = hr_config_double (cfg, "TRENDING_DECAY_RATE"),
        .model = {
            .prior_weight = hr_config_double (cfg, "HR_TRENDING_PRIOR_WEIGHT"),
            .bayes_strength = hr_config_double (cfg, "HR_TRENDING_BAYES_STRENGTH"),
            .bayes_mean = mean > 0 ? mean : NAN,
            .top_categories = (uint32_t) hr_config_int (cfg, "HR_TRENDING_TOP_CATEGORIES"),
            .diverse_pool = (uint32_t) hr_config_int (cfg, "HR_TRENDING_DIVERSE_POOL"),
        },
        .window_days = (uint32_t) hr_config_int (cfg, "HR_TRENDING_WINDOW_DAYS"),
        .reconcile_s = (uint32_t) hr_config_int (cfg, "HR_TRENDING_RECONCILE_S"),
        .redis_top = (uint32_t) hr_config_int (cfg, "HR_TRENDING_REDIS_TOP"),
    };
    return trending_state_new (&p, NULL);
}

HR_SERVICE_DEFINE (trending_service_def, trending_state_t, trending_state_destroy,
                   .name = HR_SERVICE_TRENDING, .config = trending_config, .init = s_init,
                   .methods = s_methods, .take = trending_state_take,
                   .no_model = "no ranking yet", .tick = s_tick, .tick_ms = TRENDING_REFRESH_MS);
