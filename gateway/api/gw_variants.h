/*  gw_variants — near-duplicate variants collapsed in every list served.

    Products are variants when they share hr_product_t.variant (hr_variant.h:
    main category and the first words of the name).  Every list of /home,
    /product and /search keeps only the first (best-placed) item of each
    variant group; the handlers ask the services for a few more items
    (gw_variants_margin, through gw_filter_want) so the lists stay full.

      list     gw_filter_list collapses each list it filters;
      across   a gw_variants_t remembers the groups shown so far, for the
               lists that are merged (personalized) or chained (/product's
               content, then collab, then rules; never a variant of the
               product itself).                                            */
#ifndef GW_VARIANTS_H
#define GW_VARIANTS_H
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdbool.h>
#include "gw_proto.h"
#include "hr_catalog.h"

typedef struct gw_variants gw_variants_t;

/*  A set for at most `cap` groups, in the pool (freed with it).           */
gw_variants_t *gw_variants_new (h2o_mem_pool_t *pool, uint32_t cap);
/*  true when p's group is new (and remembers it); false for a variant of a
    product added before.  Products without a key are always new.          */
bool gw_variants_add (gw_variants_t *self, const hr_product_t *p);

/*  Drops, in place, every item that is a variant of an earlier item (ids
    not in the catalog stay: the renderer skips them).                     */
void gw_variants_collapse (const hr_catalog_t *cat, gw_list_t *list);

/*  The same for a list of catalog indexes (known products), in place;
    returns how many stay.                                                  */
uint32_t gw_variants_collapse_at (const hr_catalog_t *cat, uint32_t *idx, uint32_t n);

/*  The catalog indexes (-1: not in it) of list items [c0, c0 + GW_FIND_CHUNK)
    (fewer at the end) into found, the lookups overlapped
    (hr_catalog_find_many); returns how many.  For the loops over a list
    that look every item up (here and gw_filter_list).                     */
#define GW_FIND_CHUNK 64
uint32_t gw_find_chunk (const hr_catalog_t *cat, const gw_list_t *list, uint32_t c0,
                        int64_t *found);

/*  Extra items to ask for so that `limit` survive the collapse: 0 for a
    catalog without variants.  */
uint32_t gw_variants_margin (const hr_catalog_t *cat, uint32_t limit);

#endif
