/*  gw_app — what every handler sees: the process-wide application (read-only
    once serving), the per-loop thread, and one HTTP request in flight.      */
#ifndef GW_APP_H
#define GW_APP_H
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdbool.h>
#include <stdint.h>
#include "gw_catalog.h"
#include "gw_config.h"
#include "gw_fanout.h"
#include "hr_wire.h"

typedef enum {
    GW_EP_HOME,
    GW_EP_PRODUCT,
    GW_EP_SEARCH,
    GW_EP_INTERACTIONS_POST,
    GW_EP_INTERACTIONS_GET,
    GW_EP_HEALTHZ,
    GW_EP_READYZ,
    GW_EP_METRICS,
    GW_EP_OPENAPI,
    GW_EP_BENCH,
    GW_EP_PREFLIGHT,
    GW_EP_ADMIN,            /* dashboard */
    GW_EP_DASHBOARD,        /* dashboard */
    GW_EP_CATALOG,          /* catalog API (gw_catalog_api.c) */
    GW_EP_USERS,            /* erasure (gw_users.c) */
    GW_EP_EVENTS,           /* typed events (gw_events.c) */
    GW_EP_DOCS,             /* Swagger UI (gw_docs.c) */
    GW_EP_OTHER,            /* 404 / 405 / 414 / 431 answered by the router */
    GW_EP_COUNT
} gw_endpoint_t;
const char *gw_endpoint_name (gw_endpoint_t ep);

#define GW_CORS_MAX_ORIGINS 16

typedef struct gw_admin gw_admin_t;

typedef struct {
    gw_settings_t settings;
    gw_catalog_holder_t *catalog;
    h2o_iovec_t cors_origins[GW_CORS_MAX_ORIGINS];
    int cors_count;
    bool cors_any;
    h2o_iovec_t bench_body;     /* HR_GATEWAY_BENCH: the fixed response */
    uint32_t id_prefix;         /* random per process: request ids stay unique across restarts */
    struct gw_auth *auth;       /* HR_API_KEYS (gw_auth.h); never NULL while serving */
    struct gw_jobs *jobs;       /* blocking writes off the loops (gw_jobs.h); NULL without PostgreSQL */
    struct gw_admin *admin;     /* the admin views' state (gw_admin.h); never NULL while serving */
    struct gw_merge *merge;     /* the learned merge model (gw_merge.h); NULL without PostgreSQL */
    struct gw_versions *versions;       /* cache generation (gw_versions.h) */
    struct gw_cache *product_cache;     /* /product: similar ids per product and limit */
    struct gw_cache *search_cache;      /* /search: answer bytes per query and limit */
    struct gw_cache *home_cache;        /* /home: for_user answers per history (gw_home_cache.h) */
} gw_app_t;

struct gw_ratelimit;
struct gw_accesslog;

/*  One per event loop.  `ctx` first: handlers get here from req->conn->ctx. */
typedef struct {
    h2o_context_t ctx;
    gw_app_t *app;
    gw_loop_t *loop;
    unsigned index;
    uint64_t request_seq;
    uint64_t rng;               /* xorshift state (per-request seeds) */
    hr_writer_t writer;         /* request bodies; reused (hr_client copies) */
    /*  /readyz cache (~1 s): asking the broker per probe is wasteful.     */
    int64_t ready_until_ms;
    bool ready_ok;
    h2o_iovec_t ready_body;     /* malloc'd */
    struct gw_ratelimit *ratelimit;     /* NULL = rate limiting off */
    struct gw_accesslog *accesslog;     /* NULL = access log off */
    struct gw_jobs_loop *jobs;          /* where this loop's job completions arrive */
    struct gw_sections *sections;       /* /home's trending sections, rendered (gw_sections.h); NULL: none */
    struct gw_diverse *diverse;         /* /home's diverse candidates (gw_diverse.h); NULL: ask trending */
    /*  /search's no-match fallback: trending's last answer (malloc'd), for
        `want` items, reused until `until_ms` (HR_GATEWAY_SEARCH_FALLBACK_MS). */
    struct {
        char *body;
        size_t len;
        uint32_t want;
        int64_t until_ms;
    } search_fallback;
} gw_thread_t;

typedef struct {
    h2o_req_t *req;
    gw_app_t *app;
    gw_thread_t *thread;
    gw_endpoint_t endpoint;
    uint64_t start_ns;
    char id[48];
    h2o_iovec_t cors_origin;    /* the value for Access-Control-Allow-Origin, or empty */
    bool answered;
} gw_request_t;

static inline gw_thread_t *
gw_thread_of (h2o_req_t *req)
{
    return H2O_STRUCT_FROM_MEMBER (gw_thread_t, ctx, req->conn->ctx);
}

uint64_t gw_random (gw_thread_t *t);

/*  Handlers (one file each).  */
void gw_handle_home (gw_request_t *r);
void gw_handle_product (gw_request_t *r, h2o_iovec_t product_id);
void gw_handle_search (gw_request_t *r);
/*  The `query` parameter, trimmed and validated (the spec's rules); false
    when the error was answered (422 missing, 400 empty/too long/bad UTF-8). */
bool gw_search_query (gw_request_t *r, const char **query, size_t *qlen);
void gw_handle_interactions_post (gw_request_t *r);
void gw_handle_interactions_get (gw_request_t *r, h2o_iovec_t user_id);
void gw_handle_healthz (gw_request_t *r);
void gw_handle_readyz (gw_request_t *r);
void gw_handle_metrics (gw_request_t *r);
void gw_handle_openapi (gw_request_t *r);
void gw_handle_bench (gw_request_t *r);

/*  The raw query string of the request (after '?'), possibly empty.      */
h2o_iovec_t gw_query_string (h2o_req_t *req);

#endif
