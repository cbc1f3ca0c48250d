/*  gw_accesslog — the per-request access log line, buffered per loop thread.

    hr_log_kv costs one write(2) under a process-wide mutex per line; at a
    few thousand requests a second that is a syscall and a contended lock
    per request on the event loops.  Here each loop formats its lines (the
    same JSON fields hr_log writes: ts, level, service, msg "access",
    request_id, method, path, status, endpoint, ms, bytes) into its own
    buffer and writes them to stderr in batches: when a batch approaches
    PIPE_BUF, and at the latest GW_ACCESSLOG_FLUSH_MS after the first line
    of a batch, and when the loop stops.  Every write(2) carries whole lines
    and at most PIPE_BUF bytes, so a batch is atomic even on a pipe (a
    container runtime's log pipe) and never splits another writer's line.
    Headers (Authorization) are never logged.  The path is, cut at 500
    bytes, but what identifies a shopper is not (mode GW_ACCESSLOG_REDACT,
    the default): query values other than response_limit, explain, days
    and limit become "-", and so does the personal segment of a path (the
    user id of .../interactions/{user_id}, given as personal_at).
    GW_ACCESSLOG_HASH writes "h:" + 16 hex digits of an HMAC-SHA256 under a
    key drawn at start instead (the same user correlates within one process
    run; not reversible by trying user ids); GW_ACCESSLOG_FULL logs the
    path as received.                                                       */
#ifndef GW_ACCESSLOG_H
#define GW_ACCESSLOG_H
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stddef.h>
#include <stdint.h>

#define GW_ACCESSLOG_FLUSH_MS 200

typedef struct gw_accesslog gw_accesslog_t;

typedef enum { GW_ACCESSLOG_REDACT, GW_ACCESSLOG_HASH, GW_ACCESSLOG_FULL } gw_accesslog_mode_t;
/*  "redact" / "hash" / "full" -> the mode; -1 for anything else.         */
int gw_accesslog_mode_parse (const char *text);

/*  Writes to `fd` (stderr in the gateway); flush timer on `loop`.        */
gw_accesslog_t *gw_accesslog_new (h2o_evloop_t *loop, int fd, const char *service,
                                  gw_accesslog_mode_t mode);
/*  Flushes what is buffered.  */
void gw_accesslog_destroy (gw_accesslog_t **self_p);

/*  personal_at: offset in `path` where a personal segment starts (up to
    the query), SIZE_MAX for none.  */
void gw_accesslog_line (gw_accesslog_t *self, const char *request_id, h2o_iovec_t method,
                        h2o_iovec_t path, size_t personal_at, int status, const char *endpoint,
                        uint64_t micros, size_t bytes);
void gw_accesslog_flush (gw_accesslog_t *self);

#endif
