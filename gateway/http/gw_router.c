/*  gw_router — which handler answers a request.                             */
#include "gw_router.h"
#include <string.h>
#include "gw_auth.h"
#include "gw_catalog_api.h"
#include "gw_limits.h"
#include "gw_params.h"
#include "gw_respond.h"
#include "gw_users.h"
#include "gw_events.h"
#include "gw_admin.h"     /* dashboard */
#include "gw_static.h"    /* dashboard */
#include "gw_docs.h"      /* Swagger UI */

typedef enum { EXACT, ONE_SEGMENT } match_t;

typedef struct {
    const char *path;
    match_t match;
    const char *method;
    gw_endpoint_t endpoint;
    void (*plain) (gw_request_t *r);
    void (*with_segment) (gw_request_t *r, h2o_iovec_t segment);
} route_t;

/*  Both methods of the interactions path are listed so a wrong method on a
    known path is a 405, not a 404.  */
static const route_t routes[] = {
    { "/recommendations/home", EXACT, "GET", GW_EP_HOME, gw_handle_home, NULL },
    { "/recommendations/product/", ONE_SEGMENT, "GET", GW_EP_PRODUCT, NULL, gw_handle_product },
    { "/recommendations/search", EXACT, "GET", GW_EP_SEARCH, gw_handle_search, NULL },
    { "/api/v1/interactions/interactions", EXACT, "POST", GW_EP_INTERACTIONS_POST, gw_handle_interactions_post, NULL },
    { "/api/v1/interactions/interactions/", ONE_SEGMENT, "GET", GW_EP_INTERACTIONS_GET, NULL, gw_handle_interactions_get },
    { "/healthz", EXACT, "GET", GW_EP_HEALTHZ, gw_handle_healthz, NULL },
    { "/readyz", EXACT, "GET", GW_EP_READYZ, gw_handle_readyz, NULL },
    { "/metrics", EXACT, "GET", GW_EP_METRICS, gw_handle_metrics, NULL },
    { "/openapi.yaml", EXACT, "GET", GW_EP_OPENAPI, gw_handle_openapi, NULL },
    { "/bench/fixed", EXACT, "GET", GW_EP_BENCH, gw_handle_bench, NULL },
    { "/api/v1/catalog/products", EXACT, "POST", GW_EP_CATALOG, gw_handle_catalog_batch, NULL },
    { "/api/v1/catalog/products/", ONE_SEGMENT, "PUT", GW_EP_CATALOG, NULL, gw_handle_catalog_put },
    { "/api/v1/catalog/products/", ONE_SEGMENT, "PATCH", GW_EP_CATALOG, NULL, gw_handle_catalog_patch },
    { "/api/v1/catalog/products/", ONE_SEGMENT, "DELETE", GW_EP_CATALOG, NULL, gw_handle_catalog_delete },
    { "/api/v1/users/", ONE_SEGMENT, "DELETE", GW_EP_USERS, NULL, gw_handle_user_erase },
    { "/api/v1/events", EXACT, "POST", GW_EP_EVENTS, gw_handle_events_post, NULL },
    /* dashboard */
    { "/api/v1/admin/overview", EXACT, "GET", GW_EP_ADMIN, gw_handle_admin_overview, NULL },
    { "/api/v1/admin/user/", ONE_SEGMENT, "GET", GW_EP_ADMIN, NULL, gw_handle_admin_user },
    { "/api/v1/admin/product/", ONE_SEGMENT, "GET", GW_EP_ADMIN, NULL, gw_handle_admin_product },
    { "/api/v1/admin/search", EXACT, "GET", GW_EP_ADMIN, gw_handle_admin_search, NULL },
    { "/dashboard", EXACT, "GET", GW_EP_DASHBOARD, gw_handle_dashboard_index, NULL },
    { "/dashboard/", EXACT, "GET", GW_EP_DASHBOARD, gw_handle_dashboard_index, NULL },
    { "/dashboard/", ONE_SEGMENT, "GET", GW_EP_DASHBOARD, NULL, gw_handle_dashboard_file },
    /* Swagger UI */
    { "/docs", EXACT, "GET", GW_EP_DOCS, gw_handle_docs_index, NULL },
    { "/docs/", EXACT, "GET", GW_EP_DOCS, gw_handle_docs_index, NULL },
    { "/docs/", ONE_SEGMENT, "GET", GW_EP_DOCS, NULL, gw_handle_docs_file },
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

h2o_iovec_t
gw_query_string (h2o_req_t *req)
{
    if (req->query_at == SIZE_MAX || req->query_at >= req->path.len)
        return h2o_iovec_init ("", 0);
    return h2o_iovec_init (req->path.base + req->query_at + 1, req->path.len - req->query_at - 1);
}

static bool
matches (const route_t *rt, h2o_req_t *req, h2o_iovec_t *segment)
{
    h2o_iovec_t path = req->path_normalized;
    if (rt->match == EXACT)
        return h2o_memis (path.base, path.len, rt->path, strlen (rt->path));
    return gw_path_segment (&req->pool, path.base, path.len, rt->path, segment);
}

static size_t
header_bytes (h2o_req_t *req)
{
    size_t n = 0;
    for (size_t i = 0; i < req->headers.size; i++)
        n += req->headers.entries[i].name->len + req->headers.entries[i].value.len + 4;
    return n;
}

static void
preflight (gw_request_t *r, const char *allow)
{
    r->endpoint = GW_EP_PREFLIGHT;
    gw_add_header (r, "access-control-allow-methods", allow);
    ssize_t at = h2o_find_header_by_str (&r->req->headers, H2O_STRLIT ("access-control-request-headers"), -1);
    gw_add_header (r, "access-control-allow-headers",
                   at >= 0 ? h2o_strdup (&r->req->pool, r->req->headers.entries[at].value.base,
                                         r->req->headers.entries[at].value.len).base
                           : "Content-Type, X-Request-Id");
    gw_add_header (r, "access-control-max-age", "600");
    gw_send (r, 204, NULL, h2o_iovec_init (NULL, 0));
}

int
gw_router_on_req (h2o_handler_t *self, h2o_req_t *req)
{
    (void) self;
    gw_thread_t *thread = gw_thread_of (req);
    gw_request_t *r = gw_request_new (thread, req);
    const gw_settings_t *s = &thread->app->settings;

    /*  Liveness probes are never rate limited (they cost nothing and answer
        no data).  /readyz asks the broker and /metrics may check a key: both
        count, so neither amplifies load nor lets keys be guessed freely.  */
    h2o_iovec_t p = req->path_normalized;
    bool probe = h2o_memis (p.base, p.len, H2O_STRLIT ("/healthz"));
    if (!probe && !gw_limits_admit (r))
        return 0;
    if (req->path.len > (size_t) s->max_url) {
        gw_send_error (r, 414, "uri_too_long", "the request target exceeds %d bytes", s->max_url);
        return 0;
    }
    if (header_bytes (req) > (size_t) s->max_headers_bytes) {
        gw_send_error (r, 431, "headers_too_large", "the request headers exceed %d bytes",
                       s->max_headers_bytes);
        return 0;
    }
    bool path_known = false;
    char allow[48] = "";
    for (size_t i = 0; i < N_ROUTES; i++) {
        const route_t *rt = &routes[i];
        if (rt->endpoint == GW_EP_BENCH && !s->bench)
            continue;
        h2o_iovec_t segment = { NULL, 0 };
        if (!matches (rt, req, &segment))
            continue;
        path_known = true;
        if (!h2o_memis (req->method.base, req->method.len, rt->method, strlen (rt->method))) {
            snprintf (allow + strlen (allow), sizeof allow - strlen (allow), "%s%s",
                      allow[0] ? ", " : "", rt->method);
            continue;
        }
        r->endpoint = rt->endpoint;
        /*  Personal data and operations data need an API key when keys are
            configured (the admin endpoints check it themselves, gw_admin).  */
        bool protect = rt->endpoint == GW_EP_INTERACTIONS_GET || rt->endpoint == GW_EP_CATALOG
                    || rt->endpoint == GW_EP_USERS
                    || (rt->endpoint == GW_EP_METRICS && s->metrics_require_key);
        if (protect && !gw_auth_require (r))
            return 0;
        if (rt->plain)
            rt->plain (r);
        else
            rt->with_segment (r, segment);
        return 0;
    }
    if (!path_known) {
        gw_send_error (r, 404, "not_found", "no route for this path");
        return 0;
    }
    if (h2o_memis (req->method.base, req->method.len, H2O_STRLIT ("OPTIONS")) && r->cors_origin.len
        && h2o_find_header_by_str (&req->headers, H2O_STRLIT ("access-control-request-method"), -1) >= 0) {
        char methods[64];
        snprintf (methods, sizeof methods, "%s, OPTIONS", allow);
        preflight (r, h2o_strdup (&req->pool, methods, SIZE_MAX).base);
        return 0;
    }
    gw_add_header (r, "allow", h2o_strdup (&req->pool, allow, SIZE_MAX).base);
    gw_send_error (r, 405, "method_not_allowed", "use %s for this path", allow);
    return 0;
}
