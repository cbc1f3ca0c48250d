/*  gw_endpoint — the prologue the recommendation and admin endpoints share:
    the path's user or product id, the `response_limit` and `explain`
    parameters, the fan-out that answers 503 when too many requests are in
    flight, and the request's catalog.  Each returns "false" (or NULL) when
    it has answered the request itself.                                     */
#ifndef GW_ENDPOINT_H
#define GW_ENDPOINT_H
#include <stdbool.h>
#include "gw_app.h"

/*  `response_limit` in [1, max], `def` when absent; false after a 422.    */
bool gw_endpoint_limit (gw_request_t *r, long def, long max, long *limit);
/*  explain=true (or 1, yes) was asked.  */
bool gw_endpoint_explain (gw_request_t *r);
/*  A fan-out for the request; NULL after a 503 (too many in flight).     */
gw_fanout_t *gw_endpoint_fanout (gw_request_t *r);

/*  The path's user id is ^[a-zA-Z0-9]{1,50}$; false after a 400.          */
bool gw_endpoint_user_id (gw_request_t *r, h2o_iovec_t user_id);
/*  The path's product id is ^[A-Z0-9]{10}$; false after a 400.            */
bool gw_endpoint_product_id (gw_request_t *r, h2o_iovec_t product_id);
/*  The (valid) product id is in cat; false after a 404.                   */
bool gw_endpoint_product_known (gw_request_t *r, const hr_catalog_t *cat, h2o_iovec_t product_id);
/*  The catalog this request reads (one snapshot for the whole request).   */
const hr_catalog_t *gw_endpoint_catalog (gw_request_t *r);

#endif
