/*  gw_render — response bodies from scored lists: the catalog's pre-rendered
    item JSON is spliced, never re-encoded.  Ids missing from the catalog
    (a product deleted since the model was trained) are skipped, and so are
    products that are out of stock or hidden (hr_product_listable).            */
#ifndef GW_RENDER_H
#define GW_RENDER_H
#include "gw_buf.h"
#include "gw_proto.h"
#include "hr_catalog.h"

/*  Appends a JSON array of at most `limit` items; returns how many.       */
uint32_t gw_render_list (gw_buf_t *b, const hr_catalog_t *cat, const gw_list_t *list, uint32_t limit);
/*  The same; with `explain` every item also carries
    "explain":{"strategy":..,"source":..,"score":..} (explain=true).        */
uint32_t gw_render_list_ex (gw_buf_t *b, const hr_catalog_t *cat, const gw_list_t *list,
                            uint32_t limit, bool explain);
/*  One item with its "explain" object; false when not in the catalog.     */
bool gw_render_item_explained (gw_buf_t *b, const hr_catalog_t *cat, const hr_scored_t *it);
/*  Appends the JSON of the catalog's item `idx` (from hr_catalog_find).  */
void gw_render_item_at (gw_buf_t *b, const hr_catalog_t *cat, uint32_t idx);
/*  Appends one item's JSON.  false when the id is not in the catalog.     */
bool gw_render_item (gw_buf_t *b, const hr_catalog_t *cat, const char *id10);
/*  Appends ,"degraded":[...] for the services in `mask` (1 << gw_service_t);
    nothing when the mask is empty.  */
void gw_render_degraded (gw_buf_t *b, unsigned mask);

#endif
