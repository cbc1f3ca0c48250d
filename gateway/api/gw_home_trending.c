/*  gw_home_trending — reading trending's answer for a /home page
    (gw_home_trending.h).                                                  */
#include "gw_home_trending.h"
#include "gw_filter.h"
#include "gw_home_picks.h"

/*  Every list of trending's answer as the page shows it: without unlisted
    products and duplicate variants, and with the request's filters; a
    category left without items is left out.                              */
static void
s_filter (const gw_filter_t *filter, const hr_catalog_t *cat, gw_home_lists_t *home)
{
    gw_filter_list (filter, cat, &home->trending);
    gw_filter_list (filter, cat, &home->best_value);
    gw_filter_list (filter, cat, &home->diverse);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < home->ncategories; i++) {
        gw_filter_list (filter, cat, &home->categories[i].list);
        if (home->categories[i].list.n > 0)
            home->categories[kept++] = home->categories[i];
    }
    home->ncategories = kept;
}

bool
gw_home_trending_read (gw_request_t *r, const gw_filter_t *filter, uint32_t limit, bool home_asked,
                       const gw_sections_entry_t *held, const gw_call_t *c, const hr_catalog_t *cat,
                       int64_t catalog_version, gw_home_lists_t *home, h2o_iovec_t *sections)
{
    h2o_mem_pool_t *pool = &r->req->pool;
    const unsigned char *body = c->body;
    gw_sections_t *kept = filter ? NULL : r->thread->sections;
    const gw_sections_entry_t *e = held;
    hr_proto_home_picks_t p;
    if (gw_home_picks_split (home_asked, body, c->len, &p) != 0)
        return false;
    h2o_iovec_t head = h2o_iovec_init (body + p.head, p.head_len);
    if (p.full) {
        if (gw_decode_home (pool, body + p.head, c->len - p.head, home) != 0)
            return false;
    }
    else {                      /* the first part is the held entry's */
        if (!e || e->fingerprint != p.fingerprint
            || gw_decode_home_diverse (pool, body, c->len, p.picks, home) != 0)
            return false;
        head = e->head;
        if (e->catalog_version != catalog_version) {    /* the catalog moved since: render it again */
            gw_list_t diverse = home->diverse;
            if (gw_decode_home_head (pool, e->head.base, e->head.len, home) != 0)
                return false;
            home->diverse = diverse;
        }
    }
    s_filter (filter, cat, home);
    if (kept && e && e->fingerprint == p.fingerprint && e->catalog_version == catalog_version) {
        gw_sections_count (kept, true);
        *sections = e->rendered;
        return true;
    }
    gw_sections_count (kept, false);
    gw_buf_t b;
    gw_buf_init (&b, pool, 1024 + (size_t) limit * (2 + home->ncategories) * 420);
    gw_sections_render (&b, cat, home, limit);
    e = gw_sections_put (kept, catalog_version, limit, p.fingerprint, head.base, head.len, b.data, b.len,
                         pool);
    *sections = e ? e->rendered : gw_buf_iovec (&b);
    return true;
}
