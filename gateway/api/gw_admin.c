/*  gw_admin — administrative endpoints (see gw_admin.h).

    They answer people looking at the system, not shoppers: every call uses
    the GW_WAIT_WRITE budget (HR_GATEWAY_WRITE_TIMEOUT_MS), so a slow service
    shows up complete instead of missing, and an admin page never trips the
    circuit breakers that protect the shopper-facing endpoints (timeouts of
    that budget are not counted by the breakers).  Each list carries its own
    "status" so the dashboard can say *why* a strategy's list is empty.      */
#include "gw_admin.h"
#include "gw_auth.h"
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "gw_params.h"
#include "gw_proto.h"
#include "gw_render.h"
#include "gw_respond.h"
#include "hr_client.h"
#include "hr_log.h"
#include "hr_model_store.h"
#include "hr_pg.h"
#include "hr_validate.h"

#define MODELS_REFRESH_MS 5000
#define MODELS_PG_TIMEOUT_MS 2000
#define ADMIN_DEFAULT_LIMIT 20
#define ADMIN_MAX_LIMIT 60
#define SEARCH_MAX_LIMIT 200
#define OVERVIEW_TRENDING 12
#define FALLBACK_LIMIT 12
/*  The history window /home personalises from (gw_home.c), so the
    per-strategy lists shown are the ones /home merges.  */
#define USER_HISTORY_DAYS 30
#define USER_HISTORY_EVENTS 50

/*  Strategies whose trainers publish to model_versions.  */


/* =================================================== process-wide state */

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int refs;
    bool stopping, thread_started;
    pthread_t thread;
    char *database_url;
    char *models_json;          /* "[...]" of hr_model_info_json objects, or NULL */
    int64_t models_refreshed_ms;
} s_admin = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

/*  One JSON array of every strategy's current model; NULL when PostgreSQL
    is unreachable (the previous copy is kept: stale beats empty).         */
static char *
models_query (hr_pg_t **pg, const char *url)
{
    if (!*pg)
        *pg = hr_pg_new (url, MODELS_PG_TIMEOUT_MS, 0);
    if (!*pg || !hr_pg_conn (*pg))
        return NULL;
    json_t *arr = json_array ();
    for (size_t i = 0; i < HR_MODEL_COUNT; i++) {
        char *info = hr_model_info_json (*pg, hr_proto_models[i]);
        json_t *o = info ? json_loads (info, 0, NULL) : NULL;
        free (info);
        if (!o)                 /* never trained (or the row did not parse) */
            o = json_pack ("{s:s, s:i, s:n}", "strategy", hr_proto_models[i], "version", 0,
                           "trained_at");
        json_array_append_new (arr, o);
    }
    char *out = json_dumps (arr, JSON_COMPACT);
    json_decref (arr);
    return out;
}

static void *
poller_main (void *arg)
{
    (void) arg;
    hr_pg_t *pg = NULL;
    pthread_mutex_lock (&s_admin.lock);
    while (!s_admin.stopping) {
        pthread_mutex_unlock (&s_admin.lock);
        char *json = models_query (&pg, s_admin.database_url);
        pthread_mutex_lock (&s_admin.lock);
        if (json) {
            free (s_admin.models_json);
            s_admin.models_json = json;
            s_admin.models_refreshed_ms = hr_now_ms ();
        }
        struct timespec until;
        clock_gettime (CLOCK_REALTIME, &until);
        until.tv_sec += MODELS_REFRESH_MS / 1000;
        while (!s_admin.stopping
               && pthread_cond_timedwait (&s_admin.wake, &s_admin.lock, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock (&s_admin.lock);
    hr_pg_destroy (&pg);
    return NULL;
}


int
gw_admin_start (const char *database_url)
{
    pthread_mutex_lock (&s_admin.lock);
    if (s_admin.refs++ > 0) {
        pthread_mutex_unlock (&s_admin.lock);
        return 0;
    }
    s_admin.stopping = false;
    int rc = 0;
    if (database_url && *database_url) {
        s_admin.database_url = strdup (database_url);
        if (!s_admin.database_url
            || pthread_create (&s_admin.thread, NULL, poller_main, NULL) != 0) {
            hr_warn ("gateway: cannot start the model-info poller; the overview shows no models");
            rc = -1;
        }
        else
            s_admin.thread_started = true;
    }
    pthread_mutex_unlock (&s_admin.lock);
    return rc;
}

void
gw_admin_stop (void)
{
    pthread_mutex_lock (&s_admin.lock);
    if (s_admin.refs == 0 || --s_admin.refs > 0) {
        pthread_mutex_unlock (&s_admin.lock);
        return;
    }
    s_admin.stopping = true;
    pthread_cond_broadcast (&s_admin.wake);
    bool join = s_admin.thread_started;
    s_admin.thread_started = false;
    pthread_mutex_unlock (&s_admin.lock);
    if (join)
        pthread_join (s_admin.thread, NULL);
    pthread_mutex_lock (&s_admin.lock);
    free (s_admin.database_url);
    s_admin.database_url = NULL;
    free (s_admin.models_json);
    s_admin.models_json = NULL;
    s_admin.models_refreshed_ms = 0;
    pthread_mutex_unlock (&s_admin.lock);
}

/* ================================================================ access */

/*  What every admin endpoint checks first, before looking at its input
    (an unauthorised caller learns nothing, not even what is valid): the
    gateway's API keys (gw_auth: 401 without a key, 403 with a wrong one).
    false when answered.  */
static bool
admin_allowed (gw_request_t *r)
{
    return gw_auth_require (r);
}

/*  NULL when answered (503).  */
static gw_fanout_t *
admin_fanout (gw_request_t *r)
{
    gw_fanout_t *f = gw_fanout_new (r->thread->loop, r->req);
    if (!f)
        gw_send_overloaded (r);
    return f;
}

static bool
read_limit (gw_request_t *r, long def, long max, long *limit)
{
    h2o_iovec_t qs = gw_query_string (r->req), v;
    bool has = gw_query_get (&r->req->pool, qs.base, qs.len, "response_limit", &v);
    if (hr_parse_limit (has ? v.base : NULL, has ? v.len : 0, def, 1, max, limit) != 0) {
        gw_send_error (r, 422, "invalid_response_limit", "response_limit must be an integer");
        return false;
    }
    return true;
}

/* ================================================================ lists */

/*  One strategy's answer: the list, or why there is none.                 */
typedef struct {
    const char *status;         /* ok, not_asked, error, timeout, circuit_open, unreachable, malformed */
    const char *detail;         /* the service's error message (error only) */
    size_t detail_len;
    gw_list_t list;
} admin_list_t;

static const char *
outcome_status (gw_call_outcome_t outcome)
{
    switch (outcome) {
    case GW_CALL_OK: return "ok";
    case GW_CALL_FAILED: return "error";
    case GW_CALL_TIMEOUT: return "timeout";
    case GW_CALL_SKIPPED: return "circuit_open";
    case GW_CALL_SEND_FAILED: return "unreachable";
    default: return "pending";
    }
}

/*  The reply of call `index`, or NULL with `out` saying why.             */
static const gw_call_t *
take_call (gw_fanout_t *f, int index, admin_list_t *out)
{
    memset (out, 0, sizeof *out);
    out->status = "not_asked";
    if (index < 0)
        return NULL;
    const gw_call_t *c = gw_fanout_call (f, index);
    out->status = outcome_status (c->outcome);
    if (c->outcome == GW_CALL_OK)
        return c;
    if (c->outcome == GW_CALL_FAILED && c->body && hr_utf8_valid (c->body, c->len)) {
        out->detail = c->body;
        out->detail_len = c->len;
    }
    return NULL;
}

static void
take_list (h2o_mem_pool_t *pool, gw_fanout_t *f, int index, admin_list_t *out)
{
    const gw_call_t *c = take_call (f, index, out);
    if (c && gw_decode_one_list (pool, c->body, c->len, &out->list) != 0)
        out->status = "malformed";
}

static void
take_two_lists (h2o_mem_pool_t *pool, gw_fanout_t *f, int index, admin_list_t *a, admin_list_t *b)
{
    const gw_call_t *c = take_call (f, index, a);
    *b = *a;
    if (c && gw_decode_two_lists (pool, c->body, c->len, &a->list, &b->list) != 0) {
        memset (&a->list, 0, sizeof a->list);
        memset (&b->list, 0, sizeof b->list);
        a->status = b->status = "malformed";
    }
}

/*  ,"source_items":[{"id":..,"name":..}] for the product ids in a source
    ("B0..." or a rule's antecedent "B0...+B0..."); nothing for a query.   */
static void
put_source_items (gw_buf_t *b, const hr_catalog_t *cat, const char *source)
{
    bool any = false;
    const char *p = source;
    while (*p) {
        const char *end = strchr (p, '+');
        size_t n = end ? (size_t) (end - p) : strlen (p);
        int64_t idx = n == HR_PRODUCT_ID_LEN ? hr_catalog_find (cat, p) : -1;
        if (idx >= 0) {
            gw_buf_puts (b, any ? ",{\"id\":" : ",\"source_items\":[{\"id\":");
            gw_buf_json_str (b, p, n);
            gw_buf_puts (b, ",\"name\":");
            const char *name = hr_catalog_at (cat, (uint32_t) idx)->name;
            gw_buf_json_str (b, name ? name : "", name ? strlen (name) : 0);
            gw_buf_putc (b, '}');
            any = true;
        }
        if (!end)
            break;
        p = end + 1;
    }
    if (any)
        gw_buf_putc (b, ']');
}

/*  The catalog item with "score", "strategy", "source" spliced in.        */
static bool
put_scored_item (gw_buf_t *b, const hr_catalog_t *cat, const hr_scored_t *it)
{
    int64_t idx = hr_catalog_find (cat, it->id);
    if (idx < 0)
        return false;
    size_t len;
    const char *json = hr_catalog_json (cat, (uint32_t) idx, &len);
    gw_buf_put (b, json, len - 1);                      /* up to the closing brace */
    double score = isfinite (it->score) ? (double) it->score : 0.0;
    gw_buf_printf (b, ",\"score\":%.6g,\"strategy\":", score);
    const char *strategy = hr_strategy_name (it->strategy);
    gw_buf_json_str (b, strategy, strlen (strategy));
    size_t slen = strnlen (it->source, sizeof it->source);
    gw_buf_puts (b, ",\"source\":");
    gw_buf_json_str (b, it->source, slen);
    if (slen < sizeof it->source)
        put_source_items (b, cat, it->source);
    gw_buf_putc (b, '}');
    return true;
}

/*  {"status":..,"total":n,"items":[..]} — total counts what the service
    sent, items what is still in the catalog (at most `limit`).           */
static void
put_admin_list (gw_buf_t *b, const hr_catalog_t *cat, const admin_list_t *l, uint32_t limit)
{
    gw_buf_puts (b, "{\"status\":");
    gw_buf_json_str (b, l->status, strlen (l->status));
    if (l->detail) {
        gw_buf_puts (b, ",\"detail\":");
        gw_buf_json_str (b, l->detail, l->detail_len);
    }
    gw_buf_printf (b, ",\"total\":%u,\"items\":[", l->list.n);
    uint32_t n = 0;
    for (uint32_t i = 0; i < l->list.n && n < limit; i++) {
        size_t mark = b->len;
        if (n)
            gw_buf_putc (b, ',');
        if (put_scored_item (b, cat, &l->list.items[i]))
            n++;
        else
            b->len = mark;
    }
    gw_buf_puts (b, "]}");
}

/* ============================================================= overview */

typedef struct {
    gw_request_t *r;
    int c_workers, c_trending;
} overview_t;

/*  ,"services":{name: live replicas, ...} from an mmi.workers listing.    */
static bool
put_workers (gw_buf_t *b, const gw_call_t *c)
{
    if (c->outcome != GW_CALL_OK)
        return false;
    hr_reader_t rd;
    hr_reader_init (&rd, c->body, c->len);
    uint32_t n = hr_get_count (&rd, 8);
    size_t mark = b->len;
    gw_buf_puts (b, ",\"services\":{");
    for (int s = 0; s < GW_STRATEGY_SERVICES; s++)      /* a service with no replica still shows */
        gw_buf_printf (b, "%s\"%s\":0", s ? "," : "", gw_service_name ((gw_service_t) s));
    for (uint32_t i = 0; i < n && hr_reader_ok (&rd); i++) {
        size_t nlen;
        const char *name = hr_get_str (&rd, &nlen);
        uint32_t workers = hr_get_u32 (&rd);
        if (!name || !hr_reader_ok (&rd))
            break;
        /*  Later keys win in every JSON parser we care about.  */
        gw_buf_putc (b, ',');
        gw_buf_json_str (b, name, nlen);
        gw_buf_printf (b, ":%u", workers);
    }
    if (!hr_reader_done (&rd)) {
        b->len = mark;
        return false;
    }
    gw_buf_putc (b, '}');
    return true;
}

static void
put_models (gw_buf_t *b)
{
    pthread_mutex_lock (&s_admin.lock);
    if (s_admin.models_json)
        gw_buf_printf (b, ",\"models\":{\"status\":\"ok\",\"refreshed_ms\":%lld,\"items\":%s}",
                       (long long) s_admin.models_refreshed_ms, s_admin.models_json);
    else
        gw_buf_printf (b, ",\"models\":{\"status\":\"%s\",\"items\":[]}",
                       s_admin.thread_started ? "loading" : "unavailable");
    pthread_mutex_unlock (&s_admin.lock);
}

static void
overview_render (gw_fanout_t *f, void *arg)
{
    overview_t *o = arg;
    gw_request_t *r = o->r;
    h2o_mem_pool_t *pool = &r->req->pool;
    const hr_catalog_t *cat = gw_catalog_for_request (r->app->catalog, pool);
    gw_buf_t b;
    gw_buf_init (&b, pool, 4096 + OVERVIEW_TRENDING * 600);
    gw_buf_printf (&b, "{\"now_ms\":%lld", (long long) hr_now_ms ());
    const gw_call_t *w = gw_fanout_call (f, o->c_workers);
    bool broker_ok = put_workers (&b, w);
    gw_buf_puts (&b, ",\"broker\":");
    const char *bs = broker_ok ? "ok" : w->outcome == GW_CALL_OK ? "malformed" : outcome_status (w->outcome);
    gw_buf_json_str (&b, bs, strlen (bs));
    if (!broker_ok)
        gw_buf_puts (&b, ",\"services\":{}");
    put_models (&b);
    gw_buf_printf (&b, ",\"catalog\":{\"products\":%u,\"version\":%lld}", hr_catalog_size (cat),
                   (long long) gw_catalog_version (r->app->catalog));
    /*  This loop thread's view of the circuits (each loop has its own).   */
    gw_buf_printf (&b, ",\"gateway\":{\"inflight\":%d,\"threads\":%d,\"circuits\":{",
                   gw_fanout_inflight (), r->app->settings.threads);
    static const char *const states[] = { "closed", "open", "half_open" };
    for (int s = 0; s < GW_STRATEGY_SERVICES; s++) {
        const gw_breaker_t *br = gw_loop_breaker (r->thread->loop, (gw_service_t) s);
        gw_buf_printf (&b, "%s\"%s\":\"%s\"", s ? "," : "", gw_service_name ((gw_service_t) s),
                       br->state <= GW_BREAKER_HALF_OPEN ? states[br->state] : "unknown");
    }
    gw_buf_puts (&b, "}},\"trending\":");
    admin_list_t trending;
    take_list (pool, f, o->c_trending, &trending);
    put_admin_list (&b, cat, &trending, OVERVIEW_TRENDING);
    gw_buf_putc (&b, '}');
    gw_send_json (r, 200, &b);
}

void
gw_handle_admin_overview (gw_request_t *r)
{
    if (!admin_allowed (r))
        return;
    gw_fanout_t *f = admin_fanout (r);
    if (!f)
        return;
    overview_t *o = h2o_mem_alloc_pool (&r->req->pool, sizeof *o);
    o->r = r;
    hr_writer_t *w = &r->thread->writer;
    gw_fanout_phase (f, GW_WAIT_WRITE);
    o->c_workers = gw_fanout_add (f, GW_SVC_MMI, NULL, 0);
    gw_req_trending (w, OVERVIEW_TRENDING);
    o->c_trending = gw_fanout_add (f, GW_SVC_TRENDING, w->data, w->len);
    gw_fanout_wait (f, overview_render, o);
}

/* ================================================================= user */

typedef struct {
    gw_request_t *r;
    h2o_iovec_t user;
    uint32_t limit;
    int c_history, c_trending, c_content, c_collab, c_rules;
    admin_list_t history_status;
    gw_history_t hist;
} user_t;

static const unsigned char empty_history[4] = { 0, 0, 0, 0 };

static void
put_history (gw_buf_t *b, const hr_catalog_t *cat, const user_t *u)
{
    gw_buf_puts (b, "\"history\":{\"status\":");
    gw_buf_json_str (b, u->history_status.status, strlen (u->history_status.status));
    gw_buf_printf (b, ",\"days\":%d,\"events\":[", USER_HISTORY_DAYS);
    for (uint32_t i = 0; i < u->hist.n; i++) {
        const gw_event_t *e = &u->hist.events[i];
        gw_buf_printf (b, "%s{\"type\":\"%s\",\"ts_ms\":%lld,\"value\":", i ? "," : "",
                       e->type == HR_EVENT_CLICK ? "click" : e->type == HR_EVENT_SEARCH ? "search"
                       : hr_event_names[e->type], (long long) e->ts_ms);
        gw_buf_json_str (b, e->value, e->len);
        if (hr_event_is_product (e->type) && e->len == HR_PRODUCT_ID_LEN) {
            gw_buf_puts (b, ",\"product\":");
            if (!gw_render_item (b, cat, e->value))
                gw_buf_puts (b, "null");
        }
        gw_buf_putc (b, '}');
    }
    gw_buf_puts (b, "]}");
}

static void
user_render (gw_fanout_t *f, void *arg)
{
    user_t *u = arg;
    gw_request_t *r = u->r;
    h2o_mem_pool_t *pool = &r->req->pool;
    const hr_catalog_t *cat = gw_catalog_for_request (r->app->catalog, pool);
    admin_list_t clicked, search, collab, rules, diverse;
    take_two_lists (pool, f, u->c_content, &clicked, &search);
    take_list (pool, f, u->c_collab, &collab);
    take_list (pool, f, u->c_rules, &rules);
    /*  Trending's home answer: only its diverse picks feed personalized.   */
    const gw_call_t *c = take_call (f, u->c_trending, &diverse);
    gw_home_lists_t home;
    if (c) {
        if (gw_decode_home (pool, c->body, c->len, &home) == 0)
            diverse.list = home.diverse;
        else
            diverse.status = "malformed";
    }
    gw_buf_t b;
    gw_buf_init (&b, pool, 8192 + (size_t) u->limit * 5 * 700 + (size_t) u->hist.n * 600);
    gw_buf_puts (&b, "{\"user_id\":");
    gw_buf_json_str (&b, u->user.base, u->user.len);
    gw_buf_putc (&b, ',');
    put_history (&b, cat, u);
    const gw_weights_t *w = &r->app->settings.weights;
    gw_buf_printf (&b, ",\"weights\":{\"clicked\":%.6g,\"search\":%.6g,\"diverse\":%.6g,"
                   "\"clicked_content\":%.6g,\"clicked_collab\":%.6g,\"clicked_rules\":%.6g}",
                   w->clicked, w->search, w->diverse, w->clicked_content, w->clicked_collab,
                   w->clicked_rules);
    const struct { const char *name; const admin_list_t *list; } lists[] = {
        { "content_clicked", &clicked }, { "collab", &collab }, { "rules", &rules },
        { "content_search", &search }, { "diverse", &diverse },
    };
    gw_buf_puts (&b, ",\"strategies\":{");
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        gw_buf_printf (&b, "%s\"%s\":", i ? "," : "", lists[i].name);
        put_admin_list (&b, cat, lists[i].list, u->limit);
    }
    gw_buf_puts (&b, "}}");
    gw_send_json (r, 200, &b);
}

static void
user_after_history (gw_fanout_t *f, void *arg)
{
    user_t *u = arg;
    gw_thread_t *t = u->r->thread;
    h2o_mem_pool_t *pool = &u->r->req->pool;
    const void *history = empty_history;
    size_t history_len = sizeof empty_history;
    const gw_call_t *c = take_call (f, u->c_history, &u->history_status);
    if (c && gw_decode_history (pool, c->body, c->len, &u->hist) == 0) {
        history = c->body;
        history_len = c->len;
    }
    else {
        if (c)
            u->history_status.status = "malformed";
        u->hist.n = 0;
    }
    gw_fanout_phase (f, GW_WAIT_WRITE);
    hr_writer_t *w = &t->writer;
    gw_req_trending_home (w, u->limit, gw_random (t), history, history_len);
    u->c_trending = gw_fanout_add (f, GW_SVC_TRENDING, w->data, w->len);
    if (u->hist.n > 0) {
        /*  As /home does: more than shown, clicked items drop out there.  */
        uint32_t want = u->limit + u->hist.n + 10;
        gw_req_for_user (w, history, history_len, want > 200 ? 200 : want);
        u->c_content = gw_fanout_add (f, GW_SVC_CONTENT, w->data, w->len);
        u->c_collab = gw_fanout_add (f, GW_SVC_COLLAB, w->data, w->len);
        u->c_rules = gw_fanout_add (f, GW_SVC_RULES, w->data, w->len);
    }
    gw_fanout_wait (f, user_render, u);
}

void
gw_handle_admin_user (gw_request_t *r, h2o_iovec_t user_id)
{
    if (!admin_allowed (r))
        return;
    if (!hr_valid_user_id (user_id.base, user_id.len)) {
        gw_send_error (r, 400, "invalid_user_id", "user_id must match ^[a-zA-Z0-9]{1,50}$");
        return;
    }
    long limit;
    if (!read_limit (r, ADMIN_DEFAULT_LIMIT, ADMIN_MAX_LIMIT, &limit))
        return;
    gw_fanout_t *f = admin_fanout (r);
    if (!f)
        return;
    user_t *u = h2o_mem_alloc_pool (&r->req->pool, sizeof *u);
    memset (u, 0, sizeof *u);
    u->r = r;
    u->user = user_id;
    u->limit = (uint32_t) limit;
    u->c_trending = u->c_content = u->c_collab = u->c_rules = -1;
    gw_fanout_phase (f, GW_WAIT_WRITE);
    hr_writer_t *w = &r->thread->writer;
    gw_req_history (w, user_id.base, user_id.len, USER_HISTORY_DAYS, USER_HISTORY_EVENTS);
    u->c_history = gw_fanout_add (f, GW_SVC_INTERACTIONS, w->data, w->len);
    gw_fanout_wait (f, user_after_history, u);
}

/* ============================================================== product */

typedef struct {
    gw_request_t *r;
    char id[HR_PRODUCT_ID_LEN + 1];
    uint32_t limit;
    int c_similar, c_also, c_together;
} product_t;

static void
product_render (gw_fanout_t *f, void *arg)
{
    product_t *p = arg;
    gw_request_t *r = p->r;
    h2o_mem_pool_t *pool = &r->req->pool;
    const hr_catalog_t *cat = gw_catalog_for_request (r->app->catalog, pool);
    admin_list_t similar, also, together;
    take_list (pool, f, p->c_similar, &similar);
    take_list (pool, f, p->c_also, &also);
    take_list (pool, f, p->c_together, &together);
    gw_buf_t b;
    gw_buf_init (&b, pool, 2048 + (size_t) p->limit * 3 * 700);
    gw_buf_puts (&b, "{\"product\":");
    if (!gw_render_item (&b, cat, p->id))       /* left the catalog since the request came */
        gw_buf_puts (&b, "null");
    gw_buf_puts (&b, ",\"similar\":");
    put_admin_list (&b, cat, &similar, p->limit);
    gw_buf_puts (&b, ",\"also_clicked\":");
    put_admin_list (&b, cat, &also, p->limit);
    gw_buf_puts (&b, ",\"viewed_together\":");
    put_admin_list (&b, cat, &together, p->limit);
    gw_buf_putc (&b, '}');
    gw_send_json (r, 200, &b);
}

void
gw_handle_admin_product (gw_request_t *r, h2o_iovec_t product_id)
{
    if (!admin_allowed (r))
        return;
    if (!hr_valid_product_id (product_id.base, product_id.len)) {
        gw_send_error (r, 400, "invalid_product_id", "product_id must match ^[A-Z0-9]{10}$");
        return;
    }
    long limit;
    if (!read_limit (r, ADMIN_DEFAULT_LIMIT, ADMIN_MAX_LIMIT, &limit))
        return;
    const hr_catalog_t *cat = gw_catalog_for_request (r->app->catalog, &r->req->pool);
    if (hr_catalog_find (cat, product_id.base) < 0) {
        gw_send_error (r, 404, "product_not_found", "no product with id %.10s", product_id.base);
        return;
    }
    gw_fanout_t *f = admin_fanout (r);
    if (!f)
        return;
    product_t *p = h2o_mem_alloc_pool (&r->req->pool, sizeof *p);
    memset (p, 0, sizeof *p);
    p->r = r;
    memcpy (p->id, product_id.base, HR_PRODUCT_ID_LEN);
    p->limit = (uint32_t) limit;
    hr_writer_t *w = &r->thread->writer;
    gw_fanout_phase (f, GW_WAIT_WRITE);
    gw_req_product (w, HR_M_SIMILAR, p->id, p->limit);
    p->c_similar = gw_fanout_add (f, GW_SVC_CONTENT, w->data, w->len);
    p->c_also = gw_fanout_add (f, GW_SVC_COLLAB, w->data, w->len);
    gw_req_product (w, HR_M_FOR_PRODUCT, p->id, p->limit);
    p->c_together = gw_fanout_add (f, GW_SVC_RULES, w->data, w->len);
    gw_fanout_wait (f, product_render, p);
}

/* =============================================================== search */

typedef struct {
    gw_request_t *r;
    const char *query;
    size_t qlen;
    uint32_t limit;
    int c_analyze, c_search, c_trending;
} search_t;

/*  ,"analysis":{"status":..,"result":{tokens, clauses, semantic}}.  The
    service's JSON is spliced only after it parsed: a bad body must not make
    the whole answer invalid JSON.  */
static void
put_analysis (gw_buf_t *b, gw_fanout_t *f, int index)
{
    admin_list_t st;
    const gw_call_t *c = take_call (f, index, &st);
    const char *json = NULL;
    size_t len = 0;
    if (c) {
        hr_reader_t rd;
        hr_reader_init (&rd, c->body, c->len);
        json = hr_get_str (&rd, &len);
        json_t *parsed = json && hr_reader_done (&rd) ? json_loadb (json, len, 0, NULL) : NULL;
        if (!json_is_object (parsed)) {
            json = NULL;
            st.status = "malformed";
        }
        json_decref (parsed);
    }
    gw_buf_puts (b, ",\"analysis\":{\"status\":");
    gw_buf_json_str (b, st.status, strlen (st.status));
    if (st.detail) {
        gw_buf_puts (b, ",\"detail\":");
        gw_buf_json_str (b, st.detail, st.detail_len);
    }
    if (json) {
        gw_buf_puts (b, ",\"result\":");
        gw_buf_put (b, json, len);
    }
    gw_buf_putc (b, '}');
}

static void
search_render (gw_fanout_t *f, void *arg)
{
    search_t *s = arg;
    gw_request_t *r = s->r;
    h2o_mem_pool_t *pool = &r->req->pool;
    const hr_catalog_t *cat = gw_catalog_for_request (r->app->catalog, pool);
    admin_list_t results, trending;
    take_list (pool, f, s->c_search, &results);
    take_list (pool, f, s->c_trending, &trending);
    gw_buf_t b;
    gw_buf_init (&b, pool, 4096 + (size_t) (s->limit + FALLBACK_LIMIT) * 700);
    gw_buf_puts (&b, "{\"query\":");
    gw_buf_json_str (&b, s->query, s->qlen);
    put_analysis (&b, f, s->c_analyze);
    gw_buf_puts (&b, ",\"results\":");
    put_admin_list (&b, cat, &results, s->limit);
    /*  What /recommendations/search answers instead (404 + trending) when
        nothing matches, or when search itself is down.  */
    bool ok = strcmp (results.status, "ok") == 0;
    if (ok && results.list.n > 0)
        gw_buf_puts (&b, ",\"fallback\":null");
    else {
        gw_buf_printf (&b, ",\"fallback\":{\"reason\":\"%s\",\"list\":",
                       ok ? "no_search_matches" : "search_unavailable");
        put_admin_list (&b, cat, &trending, FALLBACK_LIMIT);
        gw_buf_putc (&b, '}');
    }
    gw_buf_putc (&b, '}');
    gw_send_json (r, 200, &b);
}

void
gw_handle_admin_search (gw_request_t *r)
{
    if (!admin_allowed (r))
        return;
    h2o_req_t *req = r->req;
    const char *query;
    size_t qlen;
    if (!gw_search_query (r, &query, &qlen))
        return;
    long limit;
    if (!read_limit (r, ADMIN_DEFAULT_LIMIT, SEARCH_MAX_LIMIT, &limit))
        return;
    gw_fanout_t *f = admin_fanout (r);
    if (!f)
        return;
    search_t *s = h2o_mem_alloc_pool (&req->pool, sizeof *s);
    s->r = r;
    s->query = query;
    s->qlen = qlen;
    s->limit = (uint32_t) limit;
    hr_writer_t *w = &r->thread->writer;
    gw_fanout_phase (f, GW_WAIT_WRITE);
    hr_writer_reset (w);                /* analyze: str method, str query */
    hr_put_cstr (w, "analyze");
    hr_put_str (w, query, qlen);
    s->c_analyze = gw_fanout_add (f, GW_SVC_CONTENT, w->data, w->len);
    gw_req_search (w, query, qlen, s->limit);
    s->c_search = gw_fanout_add (f, GW_SVC_CONTENT, w->data, w->len);
    gw_req_trending (w, FALLBACK_LIMIT);
    s->c_trending = gw_fanout_add (f, GW_SVC_TRENDING, w->data, w->len);
    gw_fanout_wait (f, search_render, s);
}
