/*  gw_render — the one renderer of response bodies: items and scored lists
    splice the catalog's pre-rendered item JSON, never re-encode it.  Ids
    missing from the catalog (a product deleted since the model was trained)
    are skipped, and so are products that are out of stock or hidden
    (hr_product_listable) — except in the admin views (GW_ITEM_SCORED),
    which show what a strategy answered.                                    */
#ifndef GW_RENDER_H
#define GW_RENDER_H
#include "gw_buf.h"
#include "gw_proto.h"
#include "hr_catalog.h"

/*  How a scored item is written.  */
typedef enum {
    GW_ITEM_PLAIN,      /* the catalog's item JSON */
    GW_ITEM_EXPLAIN,    /* + "explain":{"strategy":..,"source":..,"score":..} (explain=true) */
    GW_ITEM_SCORED,     /* + "score", "strategy", "source" and, when the source names
                           products, "source_items" [{id, name}] (admin views) */
} gw_item_style_t;

/*  Appends one scored item; false (nothing appended) when it is skipped.  */
bool gw_render_scored (gw_buf_t *b, const hr_catalog_t *cat, const hr_scored_t *it,
                       gw_item_style_t style);
/*  Appends a JSON array of at most `limit` items; returns how many.       */
uint32_t gw_render_items (gw_buf_t *b, const hr_catalog_t *cat, const gw_list_t *list,
                          uint32_t limit, gw_item_style_t style);
/*  The same, GW_ITEM_PLAIN.  */
uint32_t gw_render_list (gw_buf_t *b, const hr_catalog_t *cat, const gw_list_t *list, uint32_t limit);
/*  gw_render_list for catalog indexes already filtered (gw_filter_ids): the
    first `limit` of idx[0..n), each item's JSON asked for ahead.           */
uint32_t gw_render_at (gw_buf_t *b, const hr_catalog_t *cat, const uint32_t *idx, uint32_t n,
                       uint32_t limit);
/*  Appends the JSON of the catalog's item `idx` (from hr_catalog_find).  */
void gw_render_item_at (gw_buf_t *b, const hr_catalog_t *cat, uint32_t idx);
/*  The same without its closing brace: the caller appends fields and '}'. */
void gw_render_item_open (gw_buf_t *b, const hr_catalog_t *cat, uint32_t idx);
/*  Appends one item's JSON.  false when the id is not in the catalog.     */
bool gw_render_item (gw_buf_t *b, const hr_catalog_t *cat, const char *id10);
/*  Appends ,"degraded":[...] for the services in `mask` (1 << gw_service_t);
    nothing when the mask is empty.  */
void gw_render_degraded (gw_buf_t *b, unsigned mask);

#endif
