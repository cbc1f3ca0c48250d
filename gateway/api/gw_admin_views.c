/*  gw_admin_views — the admin user, product and search views (see
    gw_admin.h): the same calls as /home, /product and /search, with every
    strategy's list kept apart, scored and explained.  Every call uses the
    GW_WAIT_WRITE budget (see gw_admin.c).                                  */
#include <jansson.h>
#include <string.h>
#include "gw_admin.h"
#include "gw_admin_list.h"
#include "gw_auth.h"
#include "gw_endpoint.h"
#include "gw_render.h"
#include "gw_respond.h"
#include "hr_merge_model.h"
#include "hr_validate.h"

#define ADMIN_DEFAULT_LIMIT 20
#define ADMIN_MAX_LIMIT 60
#define SEARCH_MAX_LIMIT 200
#define FALLBACK_LIMIT 12
/*  The history window /home personalises from (gw_home.c), so the
    per-strategy lists shown are the ones /home merges.  */
#define USER_HISTORY_DAYS 30
#define USER_HISTORY_EVENTS 50

/* ================================================================= user */

typedef struct {
    gw_request_t *r;
    h2o_iovec_t user;
    uint32_t limit;
    int c_history, c_trending, c_content, c_collab, c_rules;
    gw_admin_list_t history_status;
    gw_history_t hist;
} user_t;

static const unsigned char empty_history[4] = { 0, 0, 0, 0 };

static void
s_put_history (gw_buf_t *b, const hr_catalog_t *cat, const user_t *u)
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
s_user_render (gw_fanout_t *f, void *arg)
{
    user_t *u = arg;
    gw_request_t *r = u->r;
    const hr_catalog_t *cat = gw_endpoint_catalog (r);
    h2o_mem_pool_t *pool = &r->req->pool;
    gw_admin_list_t clicked, search, collab, seqrules, rules, diverse;
    gw_admin_list_take_two (pool, f, u->c_content, &clicked, &search);
    gw_admin_list_take_two (pool, f, u->c_collab, &collab, &seqrules);
    gw_admin_list_take (pool, f, u->c_rules, &rules);
    /*  Trending's home answer: only its diverse picks feed personalized.   */
    const gw_call_t *c = gw_admin_list_take_call (f, u->c_trending, &diverse);
    gw_home_lists_t home;
    if (c) {
        if (gw_decode_home (pool, c->body, c->len, &home) == 0)
            diverse.list = home.diverse;
        else
            diverse.status = "malformed";
    }
    gw_buf_t b;
    gw_buf_init (&b, pool, 8192 + (size_t) u->limit * HR_HOME_SOURCES * 700 + (size_t) u->hist.n * 600);
    gw_buf_puts (&b, "{\"user_id\":");
    gw_buf_json_str (&b, u->user.base, u->user.len);
    gw_buf_putc (&b, ',');
    s_put_history (&b, cat, u);
    const gw_weights_t *w = &r->app->settings.weights;
    gw_buf_printf (&b, ",\"weights\":{\"clicked\":%.6g,\"search\":%.6g,\"diverse\":%.6g,"
                   "\"clicked_content\":%.6g,\"clicked_collab\":%.6g,\"clicked_rules\":%.6g,"
                   "\"clicked_seqrules\":%.6g}",
                   w->clicked, w->search, w->diverse, w->clicked_content, w->clicked_collab,
                   w->clicked_rules, w->clicked_seqrules);
    const gw_admin_list_t *lists[HR_HOME_SOURCES] = {
        [HR_HOME_CONTENT_CLICKED] = &clicked, [HR_HOME_COLLAB] = &collab, [HR_HOME_RULES] = &rules,
        [HR_HOME_CONTENT_SEARCH] = &search, [HR_HOME_DIVERSE] = &diverse, [HR_HOME_SEQRULES] = &seqrules,
    };
    gw_buf_puts (&b, ",\"strategies\":{");
    for (int i = 0; i < HR_HOME_SOURCES; i++) {
        gw_buf_printf (&b, "%s\"%s\":", i ? "," : "", hr_home_source_names[i]);
        gw_admin_list_put (&b, cat, lists[i], u->limit);
    }
    gw_buf_puts (&b, "}}");
    gw_send_json (r, 200, &b);
}

static void
s_user_after_history (gw_fanout_t *f, void *arg)
{
    user_t *u = arg;
    gw_thread_t *t = u->r->thread;
    h2o_mem_pool_t *pool = &u->r->req->pool;
    const void *history = empty_history;
    size_t history_len = sizeof empty_history;
    const gw_call_t *c = gw_admin_list_take_call (f, u->c_history, &u->history_status);
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
    gw_fanout_wait (f, s_user_render, u);
}

void
gw_handle_admin_user (gw_request_t *r, h2o_iovec_t user_id)
{
    long limit;
    if (!gw_auth_require (r) || !gw_endpoint_user_id (r, user_id)
        || !gw_endpoint_limit (r, ADMIN_DEFAULT_LIMIT, ADMIN_MAX_LIMIT, &limit))
        return;
    gw_fanout_t *f = gw_endpoint_fanout (r);
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
    gw_fanout_wait (f, s_user_after_history, u);
}

/* ============================================================== product */

typedef struct {
    gw_request_t *r;
    char id[HR_PRODUCT_ID_LEN + 1];
    uint32_t limit;
    int c_similar, c_also, c_together;
} product_t;

static void
s_product_render (gw_fanout_t *f, void *arg)
{
    product_t *p = arg;
    gw_request_t *r = p->r;
    const hr_catalog_t *cat = gw_endpoint_catalog (r);
    h2o_mem_pool_t *pool = &r->req->pool;
    gw_admin_list_t similar, also, together;
    gw_admin_list_take (pool, f, p->c_similar, &similar);
    gw_admin_list_take (pool, f, p->c_also, &also);
    gw_admin_list_take (pool, f, p->c_together, &together);
    gw_buf_t b;
    gw_buf_init (&b, pool, 2048 + (size_t) p->limit * 3 * 700);
    gw_buf_puts (&b, "{\"product\":");
    if (!gw_render_item (&b, cat, p->id))       /* left the catalog since the request came */
        gw_buf_puts (&b, "null");
    gw_buf_puts (&b, ",\"similar\":");
    gw_admin_list_put (&b, cat, &similar, p->limit);
    gw_buf_puts (&b, ",\"also_clicked\":");
    gw_admin_list_put (&b, cat, &also, p->limit);
    gw_buf_puts (&b, ",\"viewed_together\":");
    gw_admin_list_put (&b, cat, &together, p->limit);
    gw_buf_putc (&b, '}');
    gw_send_json (r, 200, &b);
}

void
gw_handle_admin_product (gw_request_t *r, h2o_iovec_t product_id)
{
    long limit;
    if (!gw_auth_require (r) || !gw_endpoint_product_id (r, product_id)
        || !gw_endpoint_limit (r, ADMIN_DEFAULT_LIMIT, ADMIN_MAX_LIMIT, &limit)
        || !gw_endpoint_product_known (r, gw_endpoint_catalog (r), product_id))
        return;
    gw_fanout_t *f = gw_endpoint_fanout (r);
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
    gw_fanout_wait (f, s_product_render, p);
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
s_put_analysis (gw_buf_t *b, gw_fanout_t *f, int index)
{
    gw_admin_list_t st;
    const gw_call_t *c = gw_admin_list_take_call (f, index, &st);
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
s_search_render (gw_fanout_t *f, void *arg)
{
    search_t *s = arg;
    gw_request_t *r = s->r;
    const hr_catalog_t *cat = gw_endpoint_catalog (r);
    h2o_mem_pool_t *pool = &r->req->pool;
    gw_admin_list_t results, trending;
    gw_admin_list_take (pool, f, s->c_search, &results);
    gw_admin_list_take (pool, f, s->c_trending, &trending);
    gw_buf_t b;
    gw_buf_init (&b, pool, 4096 + (size_t) (s->limit + FALLBACK_LIMIT) * 700);
    gw_buf_puts (&b, "{\"query\":");
    gw_buf_json_str (&b, s->query, s->qlen);
    s_put_analysis (&b, f, s->c_analyze);
    gw_buf_puts (&b, ",\"results\":");
    gw_admin_list_put (&b, cat, &results, s->limit);
    /*  What /recommendations/search answers instead (404 + trending) when
        nothing matches, or when search itself is down.  */
    bool ok = strcmp (results.status, "ok") == 0;
    if (ok && results.list.n > 0)
        gw_buf_puts (&b, ",\"fallback\":null");
    else {
        gw_buf_printf (&b, ",\"fallback\":{\"reason\":\"%s\",\"list\":",
                       ok ? "no_search_matches" : "search_unavailable");
        gw_admin_list_put (&b, cat, &trending, FALLBACK_LIMIT);
        gw_buf_putc (&b, '}');
    }
    gw_buf_putc (&b, '}');
    gw_send_json (r, 200, &b);
}

void
gw_handle_admin_search (gw_request_t *r)
{
    const char *query;
    size_t qlen;
    long limit;
    if (!gw_auth_require (r) || !gw_search_query (r, &query, &qlen)
        || !gw_endpoint_limit (r, ADMIN_DEFAULT_LIMIT, SEARCH_MAX_LIMIT, &limit))
        return;
    gw_fanout_t *f = gw_endpoint_fanout (r);
    if (!f)
        return;
    search_t *s = h2o_mem_alloc_pool (&r->req->pool, sizeof *s);
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
    gw_fanout_wait (f, s_search_render, s);
}
