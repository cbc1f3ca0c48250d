/*  gw_filter — exclude= and category= on the recommendation endpoints.     */
#include "gw_filter.h"
#include <string.h>
#include <strings.h>
#include "gw_params.h"
#include "gw_respond.h"
#include "gw_variants.h"
#include "hr_validate.h"

struct gw_filter {
    const char **exclude;               /* 10-byte ids (NUL-terminated copies) */
    uint32_t nexclude;
    const char *category;               /* NULL = any */
    size_t category_len;
};

/*  A category-filtered list keeps about one item in `CATEGORY_FACTOR`.    */
#define CATEGORY_FACTOR 4

static bool
s_parse_exclude (gw_request_t *r, gw_filter_t *f, h2o_iovec_t v)
{
    h2o_mem_pool_t *pool = &r->req->pool;
    f->exclude = h2o_mem_alloc_pool (pool, GW_FILTER_MAX_EXCLUDE * sizeof *f->exclude);
    const char *p = v.base, *end = v.base + v.len;
    while (p < end) {
        const char *comma = memchr (p, ',', (size_t) (end - p));
        const char *stop = comma ? comma : end;
        size_t n = (size_t) (stop - p);
        if (n > 0) {
            if (!hr_valid_product_id (p, n)) {
                gw_send_error (r, 400, "invalid_exclude",
                               "exclude must be comma-separated ids matching ^[A-Z0-9]{10}$");
                return false;
            }
            if (f->nexclude == GW_FILTER_MAX_EXCLUDE) {
                gw_send_error (r, 400, "invalid_exclude", "exclude takes at most %d ids",
                               GW_FILTER_MAX_EXCLUDE);
                return false;
            }
            f->exclude[f->nexclude++] = h2o_strdup (pool, p, n).base;
        }
        p = stop + 1;
    }
    return true;
}

bool
gw_filter_parse (gw_request_t *r, gw_filter_t **out)
{
    h2o_req_t *req = r->req;
    h2o_iovec_t qs = gw_query_string (req), ex, cat;
    bool has_ex = gw_query_get (&req->pool, qs.base, qs.len, "exclude", &ex);
    bool has_cat = gw_query_get (&req->pool, qs.base, qs.len, "category", &cat);
    *out = NULL;
    if (!has_ex && !has_cat)
        return true;
    gw_filter_t *f = h2o_mem_alloc_pool (&req->pool, sizeof *f);
    memset (f, 0, sizeof *f);
    if (has_ex && !s_parse_exclude (r, f, ex))
        return false;
    if (has_cat) {
        const char *q;
        size_t qlen;
        if (hr_query_normalize (cat.base, cat.len, &q, &qlen) != HR_QUERY_OK
            || qlen > GW_FILTER_MAX_CATEGORY) {
            gw_send_error (r, 400, "invalid_category",
                           "category must be 1-%d bytes of UTF-8 after trimming",
                           GW_FILTER_MAX_CATEGORY);
            return false;
        }
        f->category = q;
        f->category_len = qlen;
    }
    *out = f;
    return true;
}

static bool
s_name_is (const char *name, const char *want, size_t len)
{
    return name && strlen (name) == len && strncasecmp (name, want, len) == 0;
}

bool
gw_filter_pass (const gw_filter_t *self, const hr_catalog_t *cat, uint32_t idx)
{
    const hr_product_t *p = hr_catalog_at (cat, idx);
    if (!hr_product_listable (p))
        return false;
    if (!self)
        return true;
    for (uint32_t i = 0; i < self->nexclude; i++)
        if (memcmp (self->exclude[i], p->id, HR_PRODUCT_ID_LEN) == 0)
            return false;
    if (self->category
        && !s_name_is (p->main_category, self->category, self->category_len)
        && !s_name_is (p->sub_category, self->category, self->category_len))
        return false;
    return true;
}

void
gw_filter_list (const gw_filter_t *self, const hr_catalog_t *cat, gw_list_t *list)
{
    if (!list->items)
        return;
    if (self || hr_catalog_unlisted (cat) > 0) {
        uint32_t kept = 0;
        int64_t found[GW_FIND_CHUNK];
        for (uint32_t c0 = 0; c0 < list->n; c0 += GW_FIND_CHUNK) {
            uint32_t m = gw_find_chunk (cat, list, c0, found);
            for (uint32_t k = 0; k < m; k++) {
                uint32_t i = c0 + k;
                if (found[k] >= 0 && gw_filter_pass (self, cat, (uint32_t) found[k])) {
                    if (kept != i)      /* an item is ~280 bytes: move only what moves */
                        list->items[kept] = list->items[i];
                    kept++;
                }
            }
        }
        list->n = kept;
    }
    gw_variants_collapse (cat, list);
}

#define FILTER_AHEAD 8                  /* products asked for ahead of their test */

uint32_t
gw_filter_ids (const gw_filter_t *self, const hr_catalog_t *cat, h2o_mem_pool_t *pool,
               const char *const *ids, uint32_t n, uint32_t *idx)
{
    if (n == 0)
        return 0;
    int64_t *found = h2o_mem_alloc_pool (pool, (size_t) n * sizeof *found);
    hr_catalog_find_many (cat, ids, n, found);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i + FILTER_AHEAD < n && found[i + FILTER_AHEAD] >= 0)
            hr_catalog_prefetch (cat, (uint32_t) found[i + FILTER_AHEAD]);
        if (found[i] >= 0 && gw_filter_pass (self, cat, (uint32_t) found[i]))
            idx[kept++] = (uint32_t) found[i];
    }
    return gw_variants_collapse_at (cat, idx, kept);
}

/*  Unlisted products among a list's first items: a few, unless most of the
    catalog is unlisted.  */
#define UNLISTED_MARGIN_MAX 50

uint32_t
gw_filter_want (const gw_filter_t *self, const hr_catalog_t *cat, uint32_t limit, uint32_t cap)
{
    uint32_t unlisted = hr_catalog_unlisted (cat);
    uint64_t want = (uint64_t) limit + (unlisted < UNLISTED_MARGIN_MAX ? unlisted : UNLISTED_MARGIN_MAX)
                  + gw_variants_margin (cat, limit);
    if (!self)
        return want > cap ? cap : (uint32_t) want;
    want += self->nexclude;
    if (self->category)
        want *= CATEGORY_FACTOR;
    return want > cap ? cap : (uint32_t) want;
}

uint32_t
gw_filter_excluded (const gw_filter_t *self, const char *const **ids)
{
    *ids = self ? self->exclude : NULL;
    return self ? self->nexclude : 0;
}
