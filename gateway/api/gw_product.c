/*  GET /recommendations/product/{product_id}?response_limit=

    content `similar` first; collab `similar` and rules `for_product` are
    asked in parallel (not after: a second round trip would double the
    latency) and top the list up when content has too few.  Never the
    product itself, never twice the same item, never two variants of one
    product nor a variant of the product itself (gw_variants.h).            */
#include <string.h>
#include "gw_app.h"
#include "gw_endpoint.h"
#include "gw_cache.h"
#include "gw_versions.h"
#include "gw_filter.h"
#include "gw_render.h"
#include "gw_respond.h"
#include "gw_variants.h"
#include "gw_product.h"
#include "hr_validate.h"

#define PRODUCT_DEFAULT_LIMIT GW_PRODUCT_DEFAULT_LIMIT
#define PRODUCT_MAX_LIMIT GW_PRODUCT_MAX_LIMIT

typedef struct {
    gw_request_t *r;
    char id[HR_PRODUCT_ID_LEN + 1];
    uint32_t limit;
    bool explain;               /* explain=true: each item says which strategy and source */
    gw_filter_t *filter;        /* exclude= / category= (NULL: none) */
    int calls[3];               /* content, collab, rules: in priority order */
    bool cacheable;             /* no explain, no filter */
    bool fill;                  /* the answer may be stored (gw_versions_gen) */
    uint64_t gen;
    char key[GW_PRODUCT_KEY_LEN];
} product_t;

void
gw_product_key (char *key, const char *id, uint32_t limit, int64_t catalog_version)
{
    key[0] = 'P';
    memcpy (key + 1, id, HR_PRODUCT_ID_LEN);
    memcpy (key + 1 + HR_PRODUCT_ID_LEN, &limit, 4);
    memcpy (key + 5 + HR_PRODUCT_ID_LEN, &catalog_version, 8);
}

/*  A cached answer: its ids (HR_PRODUCT_ID_LEN bytes each) rendered from
    the current catalog.  */
static void
product_from_cache (gw_request_t *r, const hr_catalog_t *cat, h2o_iovec_t ids)
{
    gw_buf_t b;
    size_t n = ids.len / HR_PRODUCT_ID_LEN;
    gw_buf_init (&b, &r->req->pool, 64 + n * 420);
    gw_buf_puts (&b, "{\"similar\":[");
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        size_t mark = b.len;
        if (!first)
            gw_buf_putc (&b, ',');
        if (gw_render_item (&b, cat, ids.base + i * HR_PRODUCT_ID_LEN))
            first = false;
        else
            b.len = mark;
    }
    gw_buf_puts (&b, "]}");
    gw_add_header (r, "x-cache", "hit");
    gw_send_json (r, 200, &b);
}

static bool
s_seen (const hr_scored_t **ids, uint32_t n, const char *id)
{
    for (uint32_t i = 0; i < n; i++)
        if (memcmp (ids[i]->id, id, HR_PRODUCT_ID_LEN) == 0)
            return true;
    return false;
}

uint32_t
gw_product_want (const hr_catalog_t *cat, uint32_t limit)
{
    return gw_filter_want (NULL, cat, limit + 1, 10 * PRODUCT_MAX_LIMIT);
}

uint32_t
gw_product_pick (h2o_mem_pool_t *pool, const hr_catalog_t *cat, const char *id10,
                 const gw_list_t *const *lists, int nlists, uint32_t limit,
                 const hr_scored_t **out, uint32_t *from_first)
{
    if (from_first)
        *from_first = 0;
    gw_variants_t *shown = gw_variants_new (pool, limit + 1);   /* never a variant of it */
    int64_t self_idx = hr_catalog_find (cat, id10);
    if (self_idx >= 0)
        gw_variants_add (shown, hr_catalog_at (cat, (uint32_t) self_idx));
    uint32_t n = 0;
    for (int s = 0; s < nlists && n < limit; s++) {
        const gw_list_t *list = lists[s];
        if (!list)
            continue;
        for (uint32_t i = 0; i < list->n && n < limit; i++) {
            const char *id = list->items[i].id;
            int64_t idx = hr_catalog_find (cat, id);
            if (idx < 0 || memcmp (id, id10, HR_PRODUCT_ID_LEN) == 0 || s_seen (out, n, id)
                || !gw_variants_add (shown, hr_catalog_at (cat, (uint32_t) idx))
                || !hr_product_listable (hr_catalog_at (cat, (uint32_t) idx)))
                continue;
            out[n++] = &list->items[i];
        }
        if (s == 0 && from_first)
            *from_first = n;
    }
    return n;
}

static void
s_product_render (gw_fanout_t *f, void *arg)
{
    product_t *p = arg;
    gw_request_t *r = p->r;
    h2o_mem_pool_t *pool = &r->req->pool;
    const hr_catalog_t *cat = gw_catalog_for_request (r->app->catalog, pool);
    gw_list_t lists[3];
    const gw_list_t *have[3] = { NULL, NULL, NULL };
    unsigned failed = 0;
    int answered = 0;
    for (int s = 0; s < 3; s++) {
        const gw_call_t *c = gw_fanout_call (f, p->calls[s]);
        if (c->outcome != GW_CALL_OK || gw_decode_one_list (pool, c->body, c->len, &lists[s]) != 0) {
            failed |= 1u << c->service;
            continue;
        }
        answered++;
        gw_filter_list (p->filter, cat, &lists[s]);
        have[s] = &lists[s];
    }
    if (answered == 0) {
        gw_send_error (r, 503, "unavailable", "no similarity service answered in time");
        return;
    }
    const hr_scored_t **picked = h2o_mem_alloc_pool (pool, (p->limit + 1) * sizeof *picked);
    uint32_t first = 0;
    uint32_t n = gw_product_pick (pool, cat, p->id, have, 3, p->limit, picked, &first);
    gw_buf_t b;
    gw_buf_init (&b, pool, 256 + (size_t) p->limit * (p->explain ? 700 : 420));
    gw_buf_puts (&b, "{\"similar\":[");
    char (*ids)[HR_PRODUCT_ID_LEN] = h2o_mem_alloc_pool (pool, (p->limit + 1) * HR_PRODUCT_ID_LEN);
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            gw_buf_putc (&b, ',');
        gw_render_scored (&b, cat, picked[i], p->explain ? GW_ITEM_EXPLAIN : GW_ITEM_PLAIN);
        memcpy (ids[i], picked[i]->id, HR_PRODUCT_ID_LEN);
    }
    gw_buf_putc (&b, ']');
    /*  A missing top-up source only matters when the list came out short. */
    unsigned degraded = failed & (1u << GW_SVC_CONTENT);
    if (n < p->limit)
        degraded = failed;
    gw_render_degraded (&b, degraded);
    gw_buf_putc (&b, '}');
    if (p->cacheable) {
        /*  Only a whole answer: a degraded or short one is asked again
            (a short one may come from a service that has not loaded the
            catalog version yet).  Content's alone is kept beyond the time
            to live once the version has settled for longer than it.      */
        bool lasting = first == p->limit
                    && gw_versions_settled_ms (r->app->versions) >= r->app->settings.cache_ttl_ms;
        if (p->fill && !failed && n == p->limit)
            (lasting ? gw_cache_put_lasting : gw_cache_put) (
                r->app->product_cache, p->key, sizeof p->key, p->gen, ids[0], (size_t) n * HR_PRODUCT_ID_LEN);
        gw_add_header (r, "x-cache", "miss");
    }
    gw_send_json (r, 200, &b);
}

void
gw_handle_product (gw_request_t *r, h2o_iovec_t product_id)
{
    h2o_req_t *req = r->req;
    if (!gw_endpoint_product_id (r, product_id))
        return;
    long limit;
    if (!gw_endpoint_limit (r, PRODUCT_DEFAULT_LIMIT, PRODUCT_MAX_LIMIT, &limit))
        return;
    int64_t catalog_version;
    const hr_catalog_t *cat = gw_catalog_for_request_v (r->app->catalog, &req->pool, &catalog_version);
    if (!gw_endpoint_product_known (r, cat, product_id))
        return;
    gw_filter_t *filter;
    if (!gw_filter_parse (r, &filter))
        return;
    bool explain = gw_endpoint_explain (r);
    char key[sizeof ((product_t *) 0)->key];
    bool fill = false;
    uint64_t gen = 0;
    bool cacheable = !explain && !filter;
    if (cacheable) {
        gw_product_key (key, product_id.base, (uint32_t) limit, catalog_version);
        gen = gw_versions_gen (r->app->versions, &fill);
        h2o_iovec_t ids;
        if (gw_cache_get (r->app->product_cache, &req->pool, key, sizeof key, gen, &ids)) {
            product_from_cache (r, cat, ids);
            return;
        }
    }
    gw_fanout_t *f = gw_endpoint_fanout (r);
    if (!f)
        return;
    product_t *p = h2o_mem_alloc_pool (&req->pool, sizeof *p);
    memset (p, 0, sizeof *p);
    p->r = r;
    memcpy (p->id, product_id.base, HR_PRODUCT_ID_LEN);
    p->limit = (uint32_t) limit;
    p->filter = filter;
    uint32_t want = filter ? gw_filter_want (filter, cat, p->limit + 1, 10 * PRODUCT_MAX_LIMIT)
                           : gw_product_want (cat, p->limit);
    p->explain = explain;
    p->cacheable = cacheable;
    p->fill = fill;
    p->gen = gen;
    if (cacheable)
        memcpy (p->key, key, sizeof key);
    hr_writer_t *w = &r->thread->writer;
    gw_fanout_phase (f, GW_WAIT_FULL);
    gw_fanout_need_one (f);
    gw_req_product (w, HR_M_SIMILAR, p->id, want);
    p->calls[0] = gw_fanout_add (f, GW_SVC_CONTENT, w->data, w->len);
    p->calls[1] = gw_fanout_add (f, GW_SVC_COLLAB, w->data, w->len);
    gw_req_product (w, HR_M_FOR_PRODUCT, p->id, want);
    p->calls[2] = gw_fanout_add (f, GW_SVC_RULES, w->data, w->len);
    gw_fanout_wait (f, s_product_render, p);
}
