/*  gw_respond — every response leaves through here: status, Content-Length
    (always: without it h2o chunks a 200 and closes on other statuses),
    X-Request-Id, CORS headers, then the per-endpoint metrics and the access
    log line.  Errors are JSON {"error": "...", "detail": "..."}.           */
#ifndef GW_RESPOND_H
#define GW_RESPOND_H
#include "gw_app.h"
#include "gw_buf.h"

/*  Creates the request context (id, start time, CORS match) in the pool.  */
gw_request_t *gw_request_new (gw_thread_t *thread, h2o_req_t *req);
void gw_send (gw_request_t *r, int status, const char *content_type, h2o_iovec_t body);
void gw_send_json (gw_request_t *r, int status, const gw_buf_t *body);
/*  The body in pieces, sent as they are (h2o writes them with one writev):
    a part held elsewhere (/home's sections, gw_sections.h) is never copied
    into the response.  Every part must live as long as the request's pool
    (in it, or shared memory linked to it); empty parts are skipped, at
    most GW_SEND_PARTS_MAX are sent.                                       */
#define GW_SEND_PARTS_MAX 8
void gw_send_parts (gw_request_t *r, int status, const char *content_type, const h2o_iovec_t *parts,
                    size_t nparts);
void gw_send_json_parts (gw_request_t *r, int status, const h2o_iovec_t *parts, size_t nparts);
/*  200 with a page or one of its assets (the dashboard, /docs): its
    Content-Security-Policy and Cache-Control, plus nosniff and
    no-referrer (pages whose images come from other hosts must not tell
    them who asks).                                                        */
void gw_send_page_file (gw_request_t *r, const char *csp, const char *cache_control,
                        const char *content_type, h2o_iovec_t body);

/*  A file built into the binary (the dashboard, /docs): a fixed list, so
    nothing outside it is ever served and no path can escape.              */
typedef struct {
    const char *name;
    const char *content_type;
    const char *data;
    const size_t *len;
    bool versioned;             /* cacheable forever under ?v=<version> */
} gw_page_file_t;

/*  The file of `files` (n of them) called `name`; NULL when none is.      */
const gw_page_file_t *gw_page_file_find (const gw_page_file_t *files, size_t n,
                                         h2o_iovec_t name);
void gw_send_error (gw_request_t *r, int status, const char *error, const char *detail_fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
/*  Past HR_GATEWAY_MAX_INFLIGHT (gw_fanout_new said no): 503 "overloaded"
    with Retry-After, the one deliberate shedding answer.  Below the cap a
    request waits its turn at the services instead.                        */
#define GW_OVERLOADED_RETRY_AFTER_S 1
void gw_send_overloaded (gw_request_t *r);
/*  Adds a header to the response being built (before gw_send).  */
void gw_add_header (gw_request_t *r, const char *name, const char *value);
/*  Pre-creates the metrics of every endpoint (so /metrics lists them).    */
void gw_respond_metrics_init (void);
const char *gw_reason (int status);

#endif
