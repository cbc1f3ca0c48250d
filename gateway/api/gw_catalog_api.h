/*  gw_catalog_api — the catalog API (additive; API key when HR_API_KEYS is
    set):
      PUT    /api/v1/catalog/products/{id}   upsert one product (JSON object)
      POST   /api/v1/catalog/products        upsert a batch: a JSON array or
                                             NDJSON (one object per line, each
                                             with "id"), 1..GW_CATALOG_BATCH_MAX
      PATCH  /api/v1/catalog/products/{id}   {"status": "in_stock" |
                                             "out_of_stock" | "hidden"}
      DELETE /api/v1/catalog/products/{id}
    Every write is one PostgreSQL statement that also bumps
    meta.catalog_version, so every process reloads the catalog (this
    gateway at once, the others within HR_GATEWAY_CATALOG_POLL_MS).  Only
    in-stock products are listed by any endpoint (hr_product_listable).     */
#ifndef GW_CATALOG_API_H
#define GW_CATALOG_API_H
#include "gw_app.h"

#define GW_CATALOG_BATCH_MAX 1000
/*  A batch body may be GW_CATALOG_BODY_FACTOR x HR_GATEWAY_MAX_BODY (1 MiB
    by default, h2o's own limit); one product HR_GATEWAY_MAX_BODY.         */
#define GW_CATALOG_BODY_FACTOR 64

void gw_handle_catalog_put (gw_request_t *r, h2o_iovec_t product_id);
void gw_handle_catalog_patch (gw_request_t *r, h2o_iovec_t product_id);
void gw_handle_catalog_delete (gw_request_t *r, h2o_iovec_t product_id);
void gw_handle_catalog_batch (gw_request_t *r);

#endif
