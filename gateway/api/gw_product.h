/*  gw_product — what /product lists, shared by the request path
    (gw_product.c) and the background warmer (gw_warm.h).                  */
#ifndef GW_PRODUCT_H
#define GW_PRODUCT_H
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdint.h>
#include "gw_proto.h"
#include "hr_catalog.h"

#define GW_PRODUCT_DEFAULT_LIMIT 20
#define GW_PRODUCT_MAX_LIMIT 60
#define GW_PRODUCT_KEY_LEN (1 + HR_PRODUCT_ID_LEN + 4 + 8)

/*  The cache key (gw_cache.h): the product, the limit, the catalog version. */
void gw_product_key (char *key, const char *id10, uint32_t limit, int64_t catalog_version);
/*  How many items to ask each service for, without a filter.  */
uint32_t gw_product_want (const hr_catalog_t *cat, uint32_t limit);
/*  The items the answer lists, from `lists` in priority order (content,
    collab, rules; NULL entries are skipped): never the product itself nor
    a variant of it, never twice the same item nor two variants of one
    product, only listable products, at most `limit`.  out[] (limit slots)
    points into the lists; returns how many.  *from_first (NULL: not
    wanted): how many came from lists[0] — when that is `limit`, the other
    lists were never read, so the answer is content's alone: a function of
    the content model and catalog versions, which collab's live co-clicks
    cannot change (gw_cache_put_lasting).                                  */
uint32_t gw_product_pick (h2o_mem_pool_t *pool, const hr_catalog_t *cat, const char *id10,
                          const gw_list_t *const *lists, int nlists, uint32_t limit,
                          const hr_scored_t **out, uint32_t *from_first);

#endif
