/*  gw_endpoint — the shared handler prologue (see gw_endpoint.h).          */
#include "gw_endpoint.h"
#include "gw_params.h"
#include "gw_respond.h"
#include "hr_validate.h"

bool
gw_endpoint_limit (gw_request_t *r, long def, long max, long *limit)
{
    h2o_iovec_t qs = gw_query_string (r->req), v;
    bool has = gw_query_get (&r->req->pool, qs.base, qs.len, "response_limit", &v);
    if (hr_parse_limit (has ? v.base : NULL, has ? v.len : 0, def, 1, max, limit) != 0) {
        gw_send_error (r, 422, "invalid_response_limit", "response_limit must be an integer");
        return false;
    }
    return true;
}

bool
gw_endpoint_explain (gw_request_t *r)
{
    h2o_iovec_t qs = gw_query_string (r->req), v;
    return gw_query_get (&r->req->pool, qs.base, qs.len, "explain", &v) && gw_param_true (v);
}

gw_fanout_t *
gw_endpoint_fanout (gw_request_t *r)
{
    gw_fanout_t *f = gw_fanout_new (r->thread->loop, r->req);
    if (!f)
        gw_send_overloaded (r);
    return f;
}

bool
gw_endpoint_user_id (gw_request_t *r, h2o_iovec_t user_id)
{
    if (hr_valid_user_id (user_id.base, user_id.len))
        return true;
    gw_send_error (r, 400, "invalid_user_id", "user_id must match ^[a-zA-Z0-9]{1,50}$");
    return false;
}

bool
gw_endpoint_product_id (gw_request_t *r, h2o_iovec_t product_id)
{
    if (hr_valid_product_id (product_id.base, product_id.len))
        return true;
    gw_send_error (r, 400, "invalid_product_id", "product_id must match ^[A-Z0-9]{10}$");
    return false;
}

bool
gw_endpoint_product_known (gw_request_t *r, const hr_catalog_t *cat, h2o_iovec_t product_id)
{
    if (hr_catalog_find (cat, product_id.base) >= 0)
        return true;
    gw_send_error (r, 404, "product_not_found", "no product with id %.10s", product_id.base);
    return false;
}

const hr_catalog_t *
gw_endpoint_catalog (gw_request_t *r)
{
    return gw_catalog_for_request (r->app->catalog, &r->req->pool);
}
