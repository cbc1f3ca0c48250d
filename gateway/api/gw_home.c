/*  GET /recommendations/home?user_id=&response_limit=&explain=

    Phase 1 asks interactions for the user's last 30 days; phase 2 asks
    trending (trending / best value / top categories / diverse picks) and,
    for a user with history, content, collab and rules (four "clicked"
    lists: collab answers its sequential rules too) plus content's search
    signal, all in parallel.  personalized is hr_merge of
      clicked  = content-clicked, collab, rules, seqrules (HR_WEIGHT_CLICKED x sub-weights)
      search   = content-search                  (HR_WEIGHT_SEARCH)
      diverse  = trending's diverse picks         (HR_WEIGHT_DIVERSE)
    without the items the user just clicked.  With a published merge model
    (gw_merge.h, `hybridrec train merge`) each source's items are worth
    their calibrated rank value x the signal weight x the fitted sub-weight;
    without one, the rank merge with the configured sub-weights.  Every
    list keeps one item per group of variants (gw_variants.h).  The
    history gets at most half the request deadline, the second phase what
    is left of it, so the whole request stays inside it.

    While the loop holds trending's sections and diverse candidates
    (gw_diverse.h), phase 2 draws the picks here and asks trending
    nothing: a user whose lists are cached (gw_home_cache.h) costs one
    service round trip, the history.                                       */
#include <string.h>
#include "gw_app.h"
#include "gw_auth.h"
#include "gw_diverse.h"
#include "gw_endpoint.h"
#include "gw_filter.h"
#include "gw_home_cache.h"
#include "gw_home_picks.h"
#include "gw_home_trending.h"
#include "gw_params.h"
#include "gw_render.h"
#include "gw_respond.h"
#include "gw_merge.h"
#include "gw_sections.h"
#include "gw_variants.h"
#include "hr_merge.h"
#include "hr_merge_model.h"
#include "hr_clock.h"
#include "hr_status.h"
#include "hr_validate.h"

#define HOME_DEFAULT_LIMIT 20
#define HOME_MAX_LIMIT 60
#define HISTORY_DAYS 30         /* the spec: no interaction in 30 days = stale */
#define HISTORY_EVENTS 50


typedef struct {
    gw_request_t *r;
    h2o_iovec_t user;
    uint32_t limit;
    bool explain;
    bool personal;              /* explain may name the user's clicks and queries */
    int c_history, c_trending;
    int c_pools;                /* trending's diverse candidates asked alongside (-1: not) */
    bool local;                 /* picks drawn here (gw_diverse.h); trending not asked */
    gw_list_t local_picks;
    gw_home_user_t user_lists;  /* content, collab, rules: asked or cached (gw_home_cache.h) */
    const void *history;        /* the history argument, as interactions sent it */
    size_t history_len;
    gw_history_t hist;
    unsigned degraded;          /* 1 << gw_service_t */
    gw_filter_t *filter;        /* exclude= / category= (NULL: none) */
    const gw_sections_entry_t *held;    /* the sections rendered when trending was asked (NULL: none) */
    bool home_asked;            /* trending was asked the older `home`, not home_picks (gw_home_picks.h) */
    uint32_t trending_want;     /* the limit trending was asked for */
    /*  The merge that built personalized (for explain=true).              */
    const hr_merge_model_t *model;      /* NULL: rank or max merge */
    int64_t model_version;
    double weight[HR_HOME_SOURCES];           /* each source's effective weight */
} home_t;

static const unsigned char empty_history[4] = { 0, 0, 0, 0 };

/*  A reply to use, or NULL (and the service is marked degraded).          */
static const gw_call_t *
usable (home_t *h, gw_fanout_t *f, int index)
{
    if (index < 0)
        return NULL;
    const gw_call_t *c = gw_fanout_call (f, index);
    if (c->outcome == GW_CALL_OK)
        return c;
    h->degraded |= 1u << c->service;
    return NULL;
}

/*  explain.parts: each source's contribution; with the learned merge also
    explain.calibrated: the calibrated value (how likely an item of that
    rank in that source is the next new item) and the weight it got.     */
static void
render_parts (gw_buf_t *b, const home_t *h, const hr_merged_t *m)
{
    gw_buf_puts (b, ",\"parts\":{");
    bool first = true;
    for (int s = 0; s < HR_HOME_SOURCES; s++) {
        if (m->parts[s] <= 0)
            continue;
        gw_buf_printf (b, "%s\"%s\":%.6g", first ? "" : ",", hr_home_source_names[s], (double) m->parts[s]);
        first = false;
    }
    gw_buf_putc (b, '}');
    if (!h->model)
        return;
    gw_buf_printf (b, ",\"merge\":{\"by\":\"learned\",\"version\":%lld},\"calibrated\":{",
                   (long long) h->model_version);
    first = true;
    for (int s = 0; s < HR_HOME_SOURCES; s++) {
        if (m->parts[s] <= 0 || !(h->weight[s] > 0))
            continue;
        gw_buf_printf (b, "%s\"%s\":{\"value\":%.6g,\"weight\":%.6g}", first ? "" : ",",
                       hr_home_source_names[s], (double) m->parts[s] / h->weight[s], h->weight[s]);
        first = false;
    }
    gw_buf_putc (b, '}');
}

static void
render_explained (gw_buf_t *b, const hr_catalog_t *cat, const hr_merged_t *m, int64_t idx,
                  const home_t *h)
{
    gw_render_item_open (b, cat, (uint32_t) idx);
    const char *strategy = hr_strategy_name (m->item.strategy);
    gw_buf_puts (b, ",\"explain\":{\"signal\":");
    const char *signal = m->best_source >= 0 && m->best_source < HR_HOME_SOURCES
                       ? hr_home_source_signals[m->best_source] : "unknown";
    gw_buf_json_str (b, signal, strlen (signal));
    gw_buf_puts (b, ",\"strategy\":");
    gw_buf_json_str (b, strategy ? strategy : "", strategy ? strlen (strategy) : 0);
    if (h->personal) {          /* a clicked product id or a search query of the user */
        gw_buf_puts (b, ",\"source\":");
        gw_buf_json_str (b, m->item.source, strnlen (m->item.source, sizeof m->item.source));
    }
    render_parts (b, h, m);
    gw_buf_puts (b, "}}");
}

/*  Returns how many personalized items were rendered.  */
static uint32_t
render_personalized (home_t *h, gw_fanout_t *f, gw_buf_t *b, const hr_catalog_t *cat,
                     const gw_list_t *diverse)
{
    h2o_mem_pool_t *pool = &h->r->req->pool;
    const gw_weights_t *w = &h->r->app->settings.weights;
    gw_list_t lists[HR_HOME_SOURCES];
    memset (lists, 0, sizeof lists);
    h->degraded |= gw_home_user_lists (&h->user_lists, h->r, f, lists);
    if (diverse)
        lists[HR_HOME_DIVERSE] = *diverse;
    for (int s = 0; s < HR_HOME_SOURCES; s++)
        gw_filter_list (h->filter, cat, &lists[s]);
    /*  The learned merge: each source's calibration and sub-weight within
        its signal come from the model (gw_merge.h); the rank merge (no
        model yet, HR_MERGE_BY=rank) and max use the configured shares.    */
    h->model = w->mode == GW_MERGE_LEARNED
             ? gw_merge_for_request (h->r->app->merge, pool, &h->model_version) : NULL;
    const double weights[HR_HOME_SOURCES] = {
        w->clicked * (h->model ? 1 : w->clicked_content),
        w->clicked * (h->model ? 1 : w->clicked_collab),
        w->clicked * (h->model ? 1 : w->clicked_rules), w->search, w->diverse,
        w->clicked * (h->model ? 1 : w->clicked_seqrules),
    };
    hr_merge_source_t src[HR_HOME_SOURCES];
    for (int s = 0; s < HR_HOME_SOURCES; s++)
        src[s] = (hr_merge_source_t) { lists[s].items, lists[s].n, weights[s], hr_home_source_signals[s],
                                       NULL, 0 };
    if (h->model)
        hr_merge_model_apply (h->model, hr_home_source_names, src, HR_HOME_SOURCES);
    for (int s = 0; s < HR_HOME_SOURCES; s++)
        h->weight[s] = src[s].weight;

    const char *const *asked;
    uint32_t nasked = gw_filter_excluded (h->filter, &asked);
    const char **exclude = h2o_mem_alloc_pool (pool, (h->hist.n + nasked + 1) * sizeof *exclude);
    uint32_t nexclude = 0;
    for (uint32_t i = 0; i < nasked; i++)
        exclude[nexclude++] = asked[i];
    for (uint32_t i = 0; i < h->hist.n; i++)
        if (h->hist.events[i].type == HR_EVENT_CLICK && h->hist.events[i].len == HR_PRODUCT_ID_LEN)
            exclude[nexclude++] = h->hist.events[i].value;

    /*  Each source's list is collapsed already (gw_filter_list); variants
        from different sources are collapsed here, the best-placed kept.   */
    uint32_t want = h->limit + gw_variants_margin (cat, h->limit);
    hr_merged_t *merged = h2o_mem_alloc_pool (pool, want * sizeof *merged);
    int n = hr_merge_ex (src, HR_HOME_SOURCES, exclude, nexclude, want,
                         w->mode == GW_MERGE_MAX ? HR_MERGE_BY_MAX : HR_MERGE_BY_RANK, merged);
    gw_variants_t *shown = gw_variants_new (pool, want);
    uint32_t rendered = 0;
    gw_buf_putc (b, '[');
    for (int i = 0; i < n && rendered < h->limit; i++) {
        int64_t idx = hr_catalog_find (cat, merged[i].item.id);
        if (idx < 0 || !hr_product_listable (hr_catalog_at (cat, (uint32_t) idx))
            || !gw_variants_add (shown, hr_catalog_at (cat, (uint32_t) idx)))
            continue;
        if (rendered++)
            gw_buf_putc (b, ',');
        if (h->explain)
            render_explained (b, cat, &merged[i], idx, h);
        else
            gw_render_item_at (b, cat, (uint32_t) idx);
    }
    gw_buf_putc (b, ']');
    return rendered;
}

static void
home_render (gw_fanout_t *f, void *arg)
{
    home_t *h = arg;
    gw_request_t *r = h->r;
    h2o_mem_pool_t *pool = &r->req->pool;
    /*  An older trending (no home_picks): this page asks `home` now, in
        what is left of the request's budget (its other answers are kept). */
    if (!h->home_asked && h->c_trending >= 0 && gw_home_picks_refused (gw_fanout_call (f, h->c_trending))) {
        h->home_asked = true;
        gw_fanout_phase (f, GW_WAIT_REST);
        gw_fanout_require (f, GW_SVC_TRENDING);
        h->c_trending = gw_home_picks_add (f, &r->thread->writer, true, h->trending_want, gw_random (r->thread), 0,
                                           h->history, h->history_len);
        gw_fanout_wait (f, home_render, h);
        return;
    }
    int64_t catalog_version;
    const hr_catalog_t *cat = gw_catalog_for_request_v (r->app->catalog, pool, &catalog_version);

    gw_home_lists_t home;
    h2o_iovec_t sections = { NULL, 0 };
    bool have_home = false;
    if (h->local) {             /* the held sections and the picks drawn here */
        memset (&home, 0, sizeof home);
        home.diverse = h->local_picks;
        gw_filter_list (NULL, cat, &home.diverse);
        gw_sections_count (r->thread->sections, true);
        sections = h->held->rendered;
        have_home = true;
    }
    else {
        const gw_call_t *c = usable (h, f, h->c_trending);
        if (c && !(have_home = gw_home_trending_read (h->r, h->filter, h->limit, h->home_asked, h->held, c, cat,
                                                              catalog_version, &home, &sections)))
            h->degraded |= 1u << GW_SVC_TRENDING;
        /*  The candidates asked alongside: kept when trending's answer
            renewed the sections too, so both are as fresh.               */
        const gw_call_t *p = h->c_pools >= 0 ? gw_fanout_call (f, h->c_pools) : NULL;
        if (have_home && p && p->outcome == GW_CALL_OK)
            gw_diverse_put (r->thread->diverse, cat, catalog_version, p->body, p->len, hr_mono_ms ());
    }
    gw_buf_t b;
    gw_buf_init (&b, pool, 2048 + (size_t) h->limit * 2 * 420);    /* personalized + picks */
    gw_buf_puts (&b, "{\"personalized\":");
    uint32_t personalized = 0;
    if (h->hist.n > 0)
        personalized = render_personalized (h, f, &b, cat, have_home ? &home.diverse : NULL);
    else
        gw_buf_puts (&b, "[]");
    if (!have_home && personalized == 0) {
        gw_send_error (r, 503, "unavailable", "no recommendation service answered in time");
        return;
    }
    static const gw_list_t none = { NULL, 0 };
    if (!have_home)
        gw_sections_render (&b, cat, NULL, h->limit);
    /*  The page is sent in three pieces: what is the user's, the sections
        as held (~50 KB at the default limit, never copied per request;
        gw_sections.h), then the user's diverse picks.                     */
    size_t personal = b.len;
    gw_buf_puts (&b, ",\"diverse_picks\":");
    gw_render_list (&b, cat, have_home ? &home.diverse : &none, h->limit);
    gw_render_degraded (&b, h->degraded);
    gw_buf_putc (&b, '}');
    const char *cached = h->hist.n > 0 ? gw_home_user_cache_state (&h->user_lists) : NULL;
    if (cached)                 /* hit: no for_user call was needed */
        gw_add_header (r, "x-cache", cached);
    const h2o_iovec_t parts[3] = {
        h2o_iovec_init (b.data, personal), sections, h2o_iovec_init (b.data + personal, b.len - personal),
    };
    gw_send_json_parts (r, 200, parts, 3);
}

static void
home_after_history (gw_fanout_t *f, void *arg)
{
    home_t *h = arg;
    gw_thread_t *t = h->r->thread;
    h2o_mem_pool_t *pool = &h->r->req->pool;
    const gw_call_t *c = usable (h, f, h->c_history);
    if (c && gw_decode_history (pool, c->body, c->len, &h->hist) == 0) {
        h->history = c->body;
        h->history_len = c->len;
    }
    else {
        /*  Without history the user is served as a new one, marked degraded. */
        if (c)
            h->degraded |= 1u << GW_SVC_INTERACTIONS;
        h->hist.n = 0;
        h->history = empty_history;
        h->history_len = sizeof empty_history;
    }
    gw_fanout_phase (f, GW_WAIT_REST);
    gw_fanout_need_one (f);     /* without any answer the page is a 503 */
    int64_t catalog_version;
    const hr_catalog_t *cat = gw_catalog_for_request_v (h->r->app->catalog, pool, &catalog_version);
    /*  The sections this loop holds rendered: trending answers only the
        picks while it ranks as when they were rendered (gw_sections.h).   */
    h->held = h->filter ? NULL : gw_sections_hold (t->sections, catalog_version, h->limit, pool);
    h->trending_want = gw_filter_want (h->filter, cat, h->limit, 4 * HOME_MAX_LIMIT);
    int ttl = h->r->app->settings.diverse_local_ms;
    int64_t now = hr_mono_ms ();
    if (h->held && gw_diverse_ready (t->diverse, now, ttl, catalog_version)) {
        h->local = true;
        gw_diverse_draw (t->diverse, pool, cat, &h->hist, h->trending_want, gw_random (t), &h->local_picks);
    }
    else {
        /*  ... and an answer without trending may be an empty personal
            list: trending is waited for while it is alive (gw_fanout.h
            "Holding").                                                    */
        gw_fanout_require (f, GW_SVC_TRENDING);
        h->home_asked = !gw_home_picks_ask ();     /* `home`: trending lacks home_picks (gw_home_picks.h) */
        h->c_trending = gw_home_picks_add (f, &t->writer, h->home_asked, h->trending_want, gw_random (t),
                                           h->held ? h->held->fingerprint : 0, h->history, h->history_len);
        if (!h->filter && gw_diverse_ask_due (t->diverse, now, ttl)) {
            gw_req_diverse_pools (&t->writer);
            h->c_pools = gw_fanout_add (f, GW_SVC_TRENDING, t->writer.data, t->writer.len);
        }
    }
    if (h->hist.n > 0) {
        /*  Ask for more than we show: clicked items and duplicates drop out. */
        uint32_t want = gw_filter_want (h->filter, cat, h->limit, 4 * HOME_MAX_LIMIT) + h->hist.n + 10;
        gw_home_user_ask (&h->user_lists, h->r, f, h->history, h->history_len, want > 200 ? 200 : want);
    }
    gw_fanout_wait (f, home_render, h);
}

void
gw_handle_home (gw_request_t *r)
{
    h2o_req_t *req = r->req;
    h2o_iovec_t qs = gw_query_string (req), user;
    if (!gw_query_get (&req->pool, qs.base, qs.len, "user_id", &user)) {
        gw_send_error (r, 422, "missing_parameter", "query parameter user_id is required");
        return;
    }
    if (!gw_endpoint_user_id (r, user))
        return;
    long limit;
    if (!gw_endpoint_limit (r, HOME_DEFAULT_LIMIT, HOME_MAX_LIMIT, &limit))
        return;
    gw_filter_t *filter;
    if (!gw_filter_parse (r, &filter))
        return;
    gw_fanout_t *f = gw_endpoint_fanout (r);
    if (!f)
        return;
    home_t *h = h2o_mem_alloc_pool (&req->pool, sizeof *h);
    memset (h, 0, sizeof *h);
    h->r = r;
    h->user = user;
    h->limit = (uint32_t) limit;
    h->filter = filter;
    h->explain = gw_endpoint_explain (r);
    /*  /home is open (the shop's pages call it), but the sources behind its
        items are the user's history: only with a key when keys are set.  */
    h->personal = h->explain && gw_auth_check (req) == GW_AUTH_OK;
    h->c_trending = -1;
    h->c_pools = -1;
    gw_fanout_phase (f, GW_WAIT_HALF);
    gw_req_history (&r->thread->writer, user.base, user.len, HISTORY_DAYS, HISTORY_EVENTS);
    h->c_history = gw_fanout_add (f, GW_SVC_INTERACTIONS, r->thread->writer.data, r->thread->writer.len);
    gw_fanout_wait (f, home_after_history, h);
}
