/*  gw_respond — responses, request ids, CORS, metrics and the access log.   */
#include "gw_respond.h"
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "gw_accesslog.h"
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_clock.h"
#include "hr_validate.h"

static const char *const endpoint_names[GW_EP_COUNT] = {
    "home", "product", "search", "interactions_post", "interactions_get", "healthz",
    "readyz", "metrics", "openapi", "bench", "preflight",
    "admin", "dashboard", /* dashboard */
    "catalog", "users", "events", "docs",
    "other",
};

/*  The statuses the gateway answers; metric handles are cached per
    (endpoint, status) so the hot path never formats label strings.        */
static const int known_statuses[] = { 200, 204, 400, 401, 403, 404, 405, 413, 414, 422, 429, 431, 500, 503 };
#define N_STATUSES (sizeof known_statuses / sizeof known_statuses[0])

typedef struct {
    _Atomic (hr_counter_t *) count;
    _Atomic (hr_histogram_t *) latency;
} ep_metrics_t;
static ep_metrics_t s_metrics[GW_EP_COUNT][N_STATUSES + 1];

const char *
gw_endpoint_name (gw_endpoint_t ep)
{
    return ep < GW_EP_COUNT ? endpoint_names[ep] : "other";
}

uint64_t
gw_random (gw_thread_t *t)
{
    uint64_t x = t->rng;            /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    t->rng = x;
    return x * 2685821657736338717ULL;
}

const char *
gw_reason (int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";       /* dashboard */
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

static void
s_metrics_for (gw_endpoint_t ep, int status, hr_counter_t **count, hr_histogram_t **latency)
{
    size_t si = N_STATUSES;
    for (size_t i = 0; i < N_STATUSES; i++)
        if (known_statuses[i] == status)
            si = i;
    ep_metrics_t *m = &s_metrics[ep][si];
    *count = atomic_load_explicit (&m->count, memory_order_acquire);
    *latency = atomic_load_explicit (&m->latency, memory_order_acquire);
    if (*count && *latency && si < N_STATUSES)
        return;
    char labels[96];
    snprintf (labels, sizeof labels, "endpoint=\"%s\",status=\"%d\"", endpoint_names[ep], status);
    *count = hr_counter ("hr_gateway_requests_total", "HTTP requests by endpoint and status", labels);
    *latency = hr_histogram ("hr_gateway_request_seconds",
                             "HTTP request latency by endpoint and status", labels);
    if (si < N_STATUSES) {      /* get-or-create returns the same handles: races are harmless */
        atomic_store_explicit (&m->count, *count, memory_order_release);
        atomic_store_explicit (&m->latency, *latency, memory_order_release);
    }
}

void
gw_respond_metrics_init (void)
{
    static const gw_endpoint_t api[] = { GW_EP_HOME, GW_EP_PRODUCT, GW_EP_SEARCH,
                                         GW_EP_INTERACTIONS_POST, GW_EP_INTERACTIONS_GET };
    hr_counter_t *c;
    hr_histogram_t *h;
    for (size_t i = 0; i < sizeof api / sizeof api[0]; i++)
        s_metrics_for (api[i], 200, &c, &h);
}

/* ---------------------------------------------------------------- request */

static bool
s_valid_incoming_id (const char *s, size_t n)
{
    if (n == 0 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

static h2o_iovec_t
s_cors_match (gw_app_t *app, h2o_req_t *req)
{
    if (!app->cors_any && app->cors_count == 0)
        return h2o_iovec_init (NULL, 0);
    ssize_t at = h2o_find_header_by_str (&req->headers, H2O_STRLIT ("origin"), -1);
    if (at < 0)
        return h2o_iovec_init (NULL, 0);
    h2o_iovec_t origin = req->headers.entries[at].value;
    if (app->cors_any)
        return h2o_iovec_init (H2O_STRLIT ("*"));
    for (int i = 0; i < app->cors_count; i++)
        if (h2o_memis (origin.base, origin.len, app->cors_origins[i].base, app->cors_origins[i].len))
            return origin;
    return h2o_iovec_init (NULL, 0);
}

//  v in lower-case hex, zero-padded to at least `digits` (as %0<digits>llx);
//  the number of characters written (at most 16).
static size_t
s_hex (char *out, uint64_t v, int digits)
{
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v & 0xf];
        v >>= 4;
    } while (v);
    while (n < digits)
        tmp[n++] = '0';
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return (size_t) n;
}

gw_request_t *
gw_request_new (gw_thread_t *thread, h2o_req_t *req)
{
    gw_request_t *r = h2o_mem_alloc_pool (&req->pool, sizeof *r);
    memset (r, 0, sizeof *r);
    r->req = req;
    r->thread = thread;
    r->app = thread->app;
    r->endpoint = GW_EP_OTHER;
    r->start_ns = hr_mono_ns ();
    ssize_t at = h2o_find_header_by_str (&req->headers, H2O_STRLIT ("x-request-id"), -1);
    if (at >= 0 && s_valid_incoming_id (req->headers.entries[at].value.base,
                                      req->headers.entries[at].value.len)) {
        memcpy (r->id, req->headers.entries[at].value.base, req->headers.entries[at].value.len);
        r->id[req->headers.entries[at].value.len] = '\0';
    }
    else {
        //  "%08x%02x%014llx" without snprintf's format parsing (issue 16:
        //  ~1,900 instructions of every request)
        char *p = r->id;
        p += s_hex (p, thread->app->id_prefix, 8);
        p += s_hex (p, (uint64_t) (thread->index & 0xff), 2);
        p += s_hex (p, (uint64_t) ++thread->request_seq, 14);
        *p = '\0';
    }
    r->cors_origin = s_cors_match (thread->app, req);
    return r;
}

void
gw_add_header (gw_request_t *r, const char *name, const char *value)
{
    h2o_add_header_by_str (&r->req->pool, &r->req->res.headers, name, strlen (name), 0, NULL,
                           value, strlen (value));
}

static void
s_access_log (gw_request_t *r, int status, uint64_t elapsed_ns, size_t bytes)
{
    h2o_req_t *req = r->req;
    /*  The user id of a history or an admin user view is personal: the
        access log redacts (or hashes) it like the query's values.         */
    static const char admin_user[] = "/api/v1/admin/user/";
    size_t personal_at = SIZE_MAX;
    if (r->endpoint == GW_EP_INTERACTIONS_GET
        || (r->endpoint == GW_EP_ADMIN && req->path.len >= sizeof admin_user - 1
            && !memcmp (req->path.base, admin_user, sizeof admin_user - 1))) {
        size_t end = req->query_at < req->path.len ? req->query_at : req->path.len;
        for (personal_at = end; personal_at > 0 && req->path.base[personal_at - 1] != '/';)
            personal_at--;
    }
    gw_accesslog_line (r->thread->accesslog, r->id, req->method, req->path, personal_at, status,
                       endpoint_names[r->endpoint], elapsed_ns / 1000, bytes);
}

void
gw_send_page_file (gw_request_t *r, const char *csp, const char *cache_control,
                   const char *content_type, h2o_iovec_t body)
{
    gw_add_header (r, "content-security-policy", csp);
    gw_add_header (r, "x-content-type-options", "nosniff");
    gw_add_header (r, "referrer-policy", "no-referrer");
    gw_add_header (r, "cache-control", cache_control);
    gw_send (r, 200, content_type, body);
}

const gw_page_file_t *
gw_page_file_find (const gw_page_file_t *files, size_t n, h2o_iovec_t name)
{
    for (size_t i = 0; i < n; i++)
        if (h2o_memis (name.base, name.len, files[i].name, strlen (files[i].name)))
            return &files[i];
    return NULL;
}

void
gw_send (gw_request_t *r, int status, const char *content_type, h2o_iovec_t body)
{
    gw_send_parts (r, status, content_type, &body, 1);
}

void
gw_send_parts (gw_request_t *r, int status, const char *content_type, const h2o_iovec_t *parts,
               size_t nparts)
{
    static h2o_generator_t generator = { NULL, NULL };
    h2o_req_t *req = r->req;
    if (r->answered)
        return;
    r->answered = true;
    h2o_iovec_t body[GW_SEND_PARTS_MAX];
    size_t n = 0, len = 0;
    for (size_t i = 0; i < nparts && n < GW_SEND_PARTS_MAX; i++)
        if (parts[i].len) {
            body[n++] = parts[i];
            len += parts[i].len;
        }
    req->res.status = status;
    req->res.reason = gw_reason (status);
    req->res.content_length = len;
    if (content_type)
        h2o_add_header (&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                        content_type, strlen (content_type));
    h2o_add_header_by_str (&req->pool, &req->res.headers, H2O_STRLIT ("x-request-id"), 0, NULL,
                           r->id, strlen (r->id));
    /*  The recommendation id (additive): events echo it, so a click can be
        traced to the answer (and strategy) that showed the item.          */
    bool recommendation = (r->endpoint == GW_EP_HOME || r->endpoint == GW_EP_PRODUCT
                           || r->endpoint == GW_EP_SEARCH) && (status == 200 || status == 404);
    if (recommendation) {
        /*  "<surface>.<request id>": the surface says which endpoint (and so
            which strategies) showed the item (hr_rec_id_surface).         */
        const char *surface = hr_rec_surfaces[r->endpoint == GW_EP_HOME ? 0
                                              : r->endpoint == GW_EP_PRODUCT ? 1 : 2];
        h2o_iovec_t rec = h2o_concat (&req->pool, h2o_iovec_init (surface, strlen (surface)),
                                      h2o_iovec_init (H2O_STRLIT (".")),
                                      h2o_iovec_init (r->id, strlen (r->id)));
        h2o_add_header_by_str (&req->pool, &req->res.headers, H2O_STRLIT ("x-recommendation-id"), 0,
                               NULL, rec.base, rec.len);
    }
    if (r->cors_origin.len) {
        h2o_add_header_by_str (&req->pool, &req->res.headers,
                               H2O_STRLIT ("access-control-allow-origin"), 0, NULL,
                               r->cors_origin.base, r->cors_origin.len);
        h2o_add_header_by_str (&req->pool, &req->res.headers,
                               H2O_STRLIT ("access-control-expose-headers"), 0, NULL,
                               H2O_STRLIT ("X-Request-Id, X-Recommendation-Id"));
        h2o_add_header (&req->pool, &req->res.headers, H2O_TOKEN_VARY, NULL, H2O_STRLIT ("Origin"));
    }
    uint64_t elapsed_ns = hr_mono_ns () - r->start_ns;
    double seconds = (double) elapsed_ns / 1e9;
    hr_counter_t *count;
    hr_histogram_t *latency;
    s_metrics_for (r->endpoint, status, &count, &latency);
    hr_counter_inc (count);
    hr_histogram_observe (latency, seconds);
    if (r->thread->accesslog)
        s_access_log (r, status, elapsed_ns, len);
    h2o_start_response (req, &generator);
    h2o_send (req, body, n, H2O_SEND_STATE_FINAL);
}

void
gw_send_json (gw_request_t *r, int status, const gw_buf_t *body)
{
    gw_send (r, status, "application/json", gw_buf_iovec (body));
}

void
gw_send_json_parts (gw_request_t *r, int status, const h2o_iovec_t *parts, size_t nparts)
{
    gw_send_parts (r, status, "application/json", parts, nparts);
}

void
gw_send_overloaded (gw_request_t *r)
{
    char secs[16];
    snprintf (secs, sizeof secs, "%d", GW_OVERLOADED_RETRY_AFTER_S);
    gw_add_header (r, "retry-after", h2o_strdup (&r->req->pool, secs, SIZE_MAX).base);
    gw_send_error (r, 503, "overloaded", "too many requests in flight; retry in %d s",
                   GW_OVERLOADED_RETRY_AFTER_S);
}

void
gw_send_error (gw_request_t *r, int status, const char *error, const char *detail_fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start (ap, detail_fmt);
    vsnprintf (detail, sizeof detail, detail_fmt, ap);
    va_end (ap);
    gw_buf_t b;
    gw_buf_init (&b, &r->req->pool, 128 + strlen (detail) * 2);
    gw_buf_puts (&b, "{\"error\":");
    gw_buf_json_str (&b, error, strlen (error));
    gw_buf_puts (&b, ",\"detail\":");
    gw_buf_json_str (&b, detail, strlen (detail));
    gw_buf_putc (&b, '}');
    gw_send_json (r, status, &b);
}
