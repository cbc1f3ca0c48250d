/*  gw_filter — the optional list filters of the recommendation endpoints
    (additive to the spec): `exclude=` (comma-separated product ids, e.g.
    what is already in the cart) and `category=` (a main or sub category
    name, case-insensitive).  Without either parameter nothing changes.

    Lists are filtered after the services answered and before they are
    merged or rendered, so the handlers ask the services for a few more
    items when a filter is active (gw_filter_want).                        */
#ifndef GW_FILTER_H
#define GW_FILTER_H
#include "gw_app.h"
#include "gw_proto.h"
#include "hr_catalog.h"

#define GW_FILTER_MAX_EXCLUDE 100
#define GW_FILTER_MAX_CATEGORY 255

typedef struct gw_filter gw_filter_t;

/*  Parses the parameters into the request pool.  *out = NULL when neither
    is given.  false when the error was answered (400: more than
    GW_FILTER_MAX_EXCLUDE ids, an id breaking ^[A-Z0-9]{10}$, an empty or
    over-long category).  */
bool gw_filter_parse (gw_request_t *r, gw_filter_t **out);
/*  Drops, in place, the items the filter rejects, and (filter or not) the
    products that are not listable (out of stock, hidden, deleted) and the
    variants of an earlier item (gw_variants.h).                           */
void gw_filter_list (const gw_filter_t *self, const hr_catalog_t *cat, gw_list_t *list);
/*  What gw_filter_list leaves of a list read as ids only
    (hr_proto_list_ids_decode), as catalog indexes in order: products in the
    catalog that gw_filter_pass passes, the first of each variant.  idx has
    room for n; returns how many were written.  The catalog lookups overlap
    (hr_catalog_find_many): a search page has 2,000 items.                 */
uint32_t gw_filter_ids (const gw_filter_t *self, const hr_catalog_t *cat, h2o_mem_pool_t *pool,
                        const char *const *ids, uint32_t n, uint32_t *idx);
/*  True when the product (by catalog index) passes.  */
bool gw_filter_pass (const gw_filter_t *self, const hr_catalog_t *cat, uint32_t idx);
/*  How many items to ask a service for to show `limit` after filtering
    (and after dropping unlisted products and variants), capped at `cap`.  */
uint32_t gw_filter_want (const gw_filter_t *self, const hr_catalog_t *cat, uint32_t limit,
                         uint32_t cap);
/*  The excluded ids (for hr_merge's exclude list).  */
uint32_t gw_filter_excluded (const gw_filter_t *self, const char *const **ids);

#endif
