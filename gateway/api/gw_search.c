/*  GET /recommendations/search?query=&response_limit=

    content `search`; trending is asked in the same round (not after a miss,
    which would need a second deadline) so a query without matches still
    answers within the deadline: 404 with trending items and
    "fallback_reason":"no_search_matches", as the spec says.  When content
    itself is down the trending items come with 200,
    "fallback_reason":"search_unavailable" and "degraded":["content"].

    Without explain= and filters, a 200 answer's bytes are kept in the
    search cache (gw_cache.h) per normalised query, limit and catalog
    version, under the cache generation (gw_versions.h): the same query
    again is answered without asking any service.

    explain=true also asks content `analyze` in the same round and adds
    "query_understanding": how the query was read (tokens and corrections,
    clauses with their expansions, audience/brands/type constraints; see
    docs/search.md).  Left out when analyze did not answer in time or its
    JSON does not parse: the results never wait on it.                      */
#include <jansson.h>
#include <string.h>
#include "gw_app.h"
#include "gw_endpoint.h"
#include "gw_cache.h"
#include "gw_versions.h"
#include "gw_filter.h"
#include "gw_params.h"
#include "gw_render.h"
#include "gw_respond.h"
#include "hr_validate.h"
#include "hr_clock.h"

#define SEARCH_DEFAULT_LIMIT 2000
#define SEARCH_MAX_LIMIT 6000
#define FALLBACK_MAX 60         /* trending items shown when search has none */

typedef struct {
    gw_request_t *r;
    uint32_t limit;
    bool explain;               /* explain=true: each result carries strategy, source, score */
    int c_search, c_trending, c_analyze;    /* c_analyze: -1 without explain;
                                               c_trending: -1 when the loop's
                                               fallback list is fresh (below) */
    uint32_t trending_want;     /* items trending was (or would have been) asked for */
    h2o_iovec_t fallback;       /* c_trending -1: the loop's trending answer, copied */
    gw_filter_t *filter;        /* exclude= / category= (NULL: none) */
    h2o_iovec_t key;            /* cache key; empty: not cacheable */
    bool fill;                  /* the answer may be stored (gw_versions_gen) */
    uint64_t gen;
} search_t;

/*  ,"query_understanding":{...}: content's analyze JSON, spliced only after
    it parsed as an object (a bad body must not make the answer invalid).  */
static void
s_put_understanding (gw_buf_t *b, gw_fanout_t *f, int index)
{
    if (index < 0)
        return;
    const gw_call_t *c = gw_fanout_call (f, index);
    if (c->outcome != GW_CALL_OK)
        return;
    const char *json;
    size_t len;
    if (hr_proto_analyze_reply_decode (c->body, c->len, &json, &len) != 0 || !json)
        return;
    json_t *parsed = json_loadb (json, len, 0, NULL);
    bool ok = json_is_object (parsed);
    json_decref (parsed);
    if (!ok)
        return;
    gw_buf_puts (b, ",\"query_understanding\":");
    gw_buf_put (b, json, len);
}

/*  The fallback (a no-match page: 3 % of the shared harness's searches)
    needs trending's list, asked beside content so that it answers within
    the one deadline.  Each loop keeps trending's last answer for
    HR_GATEWAY_SEARCH_FALLBACK_MS and, while it is fresh, asks content
    alone: one service call per search instead of two.  A trending answer
    at most that old is what a no-match page shows (0: asked every time).  */
static void
s_fallback_keep (gw_request_t *r, uint32_t want, h2o_iovec_t body)
{
    int ttl = r->app->settings.search_fallback_ms;
    if (ttl <= 0)
        return;
    __typeof__ (r->thread->search_fallback) *fb = &r->thread->search_fallback;
    char *copy = malloc (body.len ? body.len : 1);
    if (!copy)
        return;
    memcpy (copy, body.base, body.len);
    free (fb->body);
    fb->body = copy;
    fb->len = body.len;
    fb->want = want;
    fb->until_ms = hr_mono_ms () + ttl;
}

/*  The loop's fresh answer for `want` items, copied into the pool (a later
    search of this loop may replace it before this one renders); empty when
    there is none.  */
static h2o_iovec_t
s_fallback_fresh (gw_request_t *r, uint32_t want)
{
    __typeof__ (r->thread->search_fallback) *fb = &r->thread->search_fallback;
    if (!fb->body || fb->want != want || hr_mono_ms () >= fb->until_ms)
        return h2o_iovec_init (NULL, 0);
    char *copy = h2o_mem_alloc_pool (&r->req->pool, fb->len ? fb->len : 1);
    memcpy (copy, fb->body, fb->len);
    return h2o_iovec_init (copy, fb->len);
}

/*  A results page (200): its buffer, on the heap when the search cache
    will keep it (without a copy), and the opening of its JSON.            */
static void
s_page_init (search_t *s, gw_buf_t *b, size_t initial)
{
    h2o_mem_pool_t *pool = &s->r->req->pool;
    if (s->key.len && s->fill)
        gw_buf_init_heap (b, pool, initial);
    else
        gw_buf_init (b, pool, initial);
    gw_buf_puts (b, "{\"results\":");
}

/*  ... and its end: kept by the cache when it may be, X-Cache: miss when
    it is cacheable, sent.  */
static void
s_page_send (search_t *s, gw_buf_t *b)
{
    gw_request_t *r = s->r;
    if (s->key.len) {
        if (s->fill)
            gw_cache_put_buf (r->app->search_cache, s->key.base, s->key.len, s->gen, b);
        gw_add_header (r, "x-cache", "miss");
    }
    gw_send_json (r, 200, b);
}

/*  The results without explain: only the ids matter, so the list is read
    in place and resolved to catalog indexes once (gw_filter_ids), not
    decoded into 2,000 items of ~270 bytes, each looked up three times.
    The same bytes as the general path below; false (nothing sent) when
    there is nothing to show or the list does not decode: the general
    path then answers with the fallback.                                   */
static bool
s_render_plain (search_t *s, const hr_catalog_t *cat, const gw_call_t *cs)
{
    gw_request_t *r = s->r;
    h2o_mem_pool_t *pool = &r->req->pool;
    const char **ids;
    uint32_t n;
    if (gw_decode_one_list_ids (pool, cs->body, cs->len, &ids, &n) != 0 || n == 0)
        return false;
    uint32_t *idx = h2o_mem_alloc_pool (pool, (size_t) n * sizeof *idx);
    n = gw_filter_ids (s->filter, cat, pool, ids, n, idx);
    if (n == 0)
        return false;
    if (n > s->limit)
        n = s->limit;
    gw_buf_t b;
    s_page_init (s, &b, 64 + (size_t) n * 420);
    gw_render_at (&b, cat, idx, n, s->limit);
    gw_buf_putc (&b, '}');
    s_page_send (s, &b);
    return true;
}

static void
s_search_render (gw_fanout_t *f, void *arg)
{
    search_t *s = arg;
    gw_request_t *r = s->r;
    h2o_mem_pool_t *pool = &r->req->pool;
    const hr_catalog_t *cat = gw_catalog_for_request (r->app->catalog, pool);
    const gw_call_t *cs = gw_fanout_call (f, s->c_search);
    h2o_iovec_t tbody = s->fallback;
    if (s->c_trending >= 0) {
        const gw_call_t *ct = gw_fanout_call (f, s->c_trending);
        tbody = ct->outcome == GW_CALL_OK ? h2o_iovec_init (ct->body, ct->len) : h2o_iovec_init (NULL, 0);
        if (tbody.base)
            s_fallback_keep (r, s->trending_want, tbody);
    }
    if (!s->explain && cs->outcome == GW_CALL_OK && s_render_plain (s, cat, cs))
        return;
    gw_list_t results, trending;
    bool have_results = cs->outcome == GW_CALL_OK
                     && gw_decode_one_list (pool, cs->body, cs->len, &results) == 0;
    bool have_trending = tbody.base
                      && gw_decode_one_list (pool, tbody.base, tbody.len, &trending) == 0;
    if (have_results)
        gw_filter_list (s->filter, cat, &results);
    if (have_trending) {
        gw_filter_list (s->filter, cat, &trending);
        if (trending.n > FALLBACK_MAX)
            trending.n = FALLBACK_MAX;
    }
    gw_buf_t b;
    if (have_results && results.n > 0) {
        uint32_t n = results.n < s->limit ? results.n : s->limit;
        s_page_init (s, &b, 64 + (size_t) n * (s->explain ? 700 : 420));
        uint32_t shown = gw_render_items (&b, cat, &results, s->limit,
                                         s->explain ? GW_ITEM_EXPLAIN : GW_ITEM_PLAIN);
        if (shown > 0) {
            s_put_understanding (&b, f, s->c_analyze);
            gw_buf_putc (&b, '}');
            s_page_send (s, &b);
            return;
        }
        /*  every match has left the catalog since: answer as "no match" */
    }
    if (!have_trending && !have_results) {
        gw_send_error (r, 503, "unavailable", "neither search nor trending answered in time");
        return;
    }
    gw_buf_init (&b, pool, 256 + FALLBACK_MAX * 420);
    gw_buf_puts (&b, "{\"results\":");
    static const gw_list_t none = { NULL, 0 };
    gw_render_list (&b, cat, have_trending ? &trending : &none, s->limit);
    gw_buf_puts (&b, have_results ? ",\"fallback_reason\":\"no_search_matches\""
                                  : ",\"fallback_reason\":\"search_unavailable\"");
    gw_render_degraded (&b, (have_results ? 0 : 1u << GW_SVC_CONTENT)
                            | (have_trending ? 0 : 1u << GW_SVC_TRENDING));
    s_put_understanding (&b, f, s->c_analyze);
    gw_buf_putc (&b, '}');
    gw_send_json (r, have_results ? 404 : 200, &b);
}

bool
gw_search_query (gw_request_t *r, const char **query, size_t *qlen)
{
    h2o_req_t *req = r->req;
    h2o_iovec_t qs = gw_query_string (req), raw;
    if (!gw_query_get (&req->pool, qs.base, qs.len, "query", &raw)) {
        gw_send_error (r, 422, "missing_parameter", "query parameter query is required");
        return false;
    }
    switch (hr_query_normalize (raw.base, raw.len, query, qlen)) {
    case HR_QUERY_OK:
        return true;
    case HR_QUERY_EMPTY:
        gw_send_error (r, 400, "invalid_query", "query must not be empty after trimming");
        return false;
    case HR_QUERY_TOO_LONG:
        gw_send_error (r, 400, "invalid_query", "query must be at most %d bytes", HR_QUERY_MAX);
        return false;
    default:
        gw_send_error (r, 400, "invalid_query", "query must be valid UTF-8");
        return false;
    }
}

void
gw_handle_search (gw_request_t *r)
{
    h2o_req_t *req = r->req;
    const char *query;
    size_t qlen;
    if (!gw_search_query (r, &query, &qlen))
        return;
    long limit;
    if (!gw_endpoint_limit (r, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT, &limit))
        return;
    gw_filter_t *filter;
    if (!gw_filter_parse (r, &filter))
        return;
    bool explain = gw_endpoint_explain (r);
    int64_t catalog_version;
    const hr_catalog_t *cat = gw_catalog_for_request_v (r->app->catalog, &req->pool, &catalog_version);
    h2o_iovec_t key = { NULL, 0 };
    bool fill = false;
    uint64_t gen = 0;
    if (!explain && !filter) {
        uint32_t lim = (uint32_t) limit;
        key.len = 1 + 4 + 8 + qlen;
        key.base = h2o_mem_alloc_pool (&req->pool, key.len);
        key.base[0] = 'S';
        memcpy (key.base + 1, &lim, 4);
        memcpy (key.base + 5, &catalog_version, 8);
        memcpy (key.base + 13, query, qlen);
        gen = gw_versions_gen (r->app->versions, &fill);
        h2o_iovec_t body;
        if (gw_cache_get (r->app->search_cache, &req->pool, key.base, key.len, gen, &body)) {
            gw_add_header (r, "x-cache", "hit");
            gw_send (r, 200, "application/json", body);
            return;
        }
    }
    gw_fanout_t *f = gw_endpoint_fanout (r);
    if (!f)
        return;
    search_t *s = h2o_mem_alloc_pool (&req->pool, sizeof *s);
    s->r = r;
    s->limit = (uint32_t) limit;
    s->filter = filter;
    s->explain = explain;
    s->key = key;
    s->fill = fill;
    s->gen = gen;
    hr_writer_t *w = &r->thread->writer;
    gw_fanout_phase (f, GW_WAIT_FULL);
    gw_fanout_need_one (f);
    gw_req_search (w, query, qlen, gw_filter_want (filter, cat, s->limit, SEARCH_MAX_LIMIT));
    s->c_search = gw_fanout_add (f, GW_SVC_CONTENT, w->data, w->len);
    s->trending_want = gw_filter_want (filter, cat, s->limit < FALLBACK_MAX ? s->limit : FALLBACK_MAX,
                                       4 * FALLBACK_MAX);
    s->fallback = s_fallback_fresh (r, s->trending_want);
    s->c_trending = -1;
    if (!s->fallback.base) {
        gw_req_trending (w, s->trending_want);
        s->c_trending = gw_fanout_add (f, GW_SVC_TRENDING, w->data, w->len);
    }
    s->c_analyze = -1;
    if (explain) {
        hr_proto_analyze_put (w, query, qlen);
        s->c_analyze = gw_fanout_add (f, GW_SVC_CONTENT, w->data, w->len);
    }
    gw_fanout_wait (f, s_search_render, s);
}
