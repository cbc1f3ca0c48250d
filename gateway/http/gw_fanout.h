/*  gw_fanout — asking services in parallel under one deadline, from an h2o
    event loop.

    gw_loop_t (one per loop thread) owns that thread's hr_client (a DEALER to
    the broker) wired into h2o: the dup'd ZMQ_FD is an h2o socket, drained
    after every wake-up, after every send (zero timeout) and after every loop
    iteration (gw_loop_after_iteration).  Replies are matched to calls through
    a ring indexed by request id, so late replies (after the deadline) are
    recognised and dropped.  Per service: a circuit breaker and metrics.

    Calls are not sent one by one: gw_fanout_add queues each in its
    service's gather, and once the loop iteration's I/O callbacks have run
    (zero timeout) every service gets one message — the lone call itself,
    or several as one batch (hr_batch.h).  At load this divides the
    per-message cost, most of the CPU, by the batch size; when idle it adds
    no wait.

    gw_fanout_t is one HTTP request's set of calls, allocated in the request
    pool (released with it).
    A phase is: gw_fanout_phase (arms its deadline), gw_fanout_add per call,
    gw_fanout_wait (the callback runs from a loop callback, so it may
    h2o_send, once every call has an outcome or the deadline passed).  The
    callback may start another phase.

    Admission: at most HR_GATEWAY_ACTIVE_PER_LOOP read fan-outs of a loop
    ask the services at once.  A later one waits in the loop's queue, in
    arrival order: its calls are kept, and its first phase's deadline only
    starts when a slot frees (when a fan-out's last callback returns
    without starting another phase).  Under a burst the wait is spent in
    the gateway, not in the services' queues where it would time out and
    open circuits.  Writes (GW_WAIT_WRITE) are never held back.

    Holding (issue 17, item 12): below HR_GATEWAY_MAX_INFLIGHT load the
    services can queue is waited for, not answered 5xx.  Past its deadline
    (and, for gw_fanout_need_one, the grace), a phase whose calls it cannot
    answer without are still pending — a read with no answer yet, a call
    of gw_fanout_require, a write — keeps waiting while that service is
    alive: it answered a call itself (on time or late, any call of this
    loop) since the call went out or within HR_GATEWAY_BREAKER_SILENCE_MS.
    A CPU-starved host answers late but answers; a frozen or dead service
    falls silent and the phase ends as before (503 or degraded).  At most
    HR_GATEWAY_HOLD_MS from the deadline; the calls it may be held for carry that much more
    deadline so the broker and services keep them.  Counted in
    hr_gateway_held_total / _answered_total / _given_up_total.            */
#ifndef GW_FANOUT_H
#define GW_FANOUT_H
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdbool.h>
#include <stdint.h>
#include "gw_breaker.h"
#include "gw_config.h"
#include "hr_proto.h"

/*  The services of hr_proto.h, then the broker's mmi.workers.  */
typedef enum {
    GW_SVC_INTERACTIONS = HR_SVC_INTERACTIONS,
    GW_SVC_CONTENT = HR_SVC_CONTENT,
    GW_SVC_COLLAB = HR_SVC_COLLAB,
    GW_SVC_TRENDING = HR_SVC_TRENDING,
    GW_SVC_RULES = HR_SVC_RULES,
    GW_SVC_MMI = HR_SVC_COUNT,  /* the broker's mmi.workers */
    GW_SVC_COUNT
} gw_service_t;

/*  The five strategy services (what /readyz requires).  */
#define GW_STRATEGY_SERVICES HR_SVC_COUNT
const char *gw_service_name (gw_service_t svc);

typedef enum {
    GW_CALL_PENDING,
    GW_CALL_OK,                 /* status HR_OK, body valid */
    GW_CALL_FAILED,             /* the service answered an error status */
    GW_CALL_TIMEOUT,            /* no answer before the deadline */
    GW_CALL_SKIPPED,            /* circuit open: not sent */
    GW_CALL_SEND_FAILED,        /* broker unreachable / queue full */
} gw_call_outcome_t;

typedef struct {
    gw_service_t service;
    gw_call_outcome_t outcome;
    uint8_t status;             /* hr_status_t when answered */
    const void *body;           /* in the request pool */
    size_t len;
} gw_call_t;

/*  A phase's budget: FULL = HR_GATEWAY_DEADLINE_MS from the phase's start;
    HALF = half of it; REST = what a request whose first phase was HALF has
    left of its FULL budget (a first quick phase leaves the second more
    than half); WRITE = HR_GATEWAY_WRITE_TIMEOUT_MS.  */
typedef enum { GW_WAIT_FULL, GW_WAIT_HALF, GW_WAIT_WRITE, GW_WAIT_REST, GW_WAIT_KINDS } gw_wait_t;

typedef struct gw_loop gw_loop_t;
gw_loop_t *gw_loop_new (h2o_context_t *ctx, const char *broker_endpoint,
                        const gw_settings_t *settings, unsigned thread_index);
void gw_loop_destroy (gw_loop_t **self_p);
void gw_loop_after_iteration (gw_loop_t *self);
const gw_breaker_t *gw_loop_breaker (gw_loop_t *self, gw_service_t svc);
/*  Requests with calls outstanding, process-wide.  */
int gw_fanout_inflight (void);

#define GW_FANOUT_MAX_CALLS 8
typedef struct gw_fanout gw_fanout_t;
typedef void (*gw_fanout_cb) (gw_fanout_t *f, void *arg);

/*  NULL when the process is at HR_GATEWAY_MAX_INFLIGHT (answer 503).  */
gw_fanout_t *gw_fanout_new (gw_loop_t *loop, h2o_req_t *req);
/*  Starts a phase whose calls must answer within the `kind` budget, counted
    from now; the absolute deadline also travels with each call so services
    drop work nobody waits for any more.  */
void gw_fanout_phase (gw_fanout_t *f, gw_wait_t kind);
/*  Queues a call (sent at the end of the loop iteration); returns its
    index (its outcome may already be final: SKIPPED, or SEND_FAILED when
    too many calls are in flight).  Asserts on more than
    GW_FANOUT_MAX_CALLS.                                                   */
int gw_fanout_add (gw_fanout_t *f, gw_service_t svc, const void *body, size_t len);
/*  Calls cb once every call of the phase has an outcome, at the latest at
    the phase deadline.  */
void gw_fanout_wait (gw_fanout_t *f, gw_fanout_cb cb, void *arg);
/*  After gw_fanout_phase, before its calls: the answer needs at least one
    of them (without any it would be a 503).  When the deadline passes and
    none has answered, the phase waits up to HR_GATEWAY_GRACE_MS more for
    its calls (it ends when all have answered or the grace is over): load the services have queued is waited for,
    not turned into 5xx (the calls carry deadline + grace, so services do
    not drop them meanwhile).  A phase with an answer ends at its deadline
    as before (the others degrade).                                        */
void gw_fanout_need_one (gw_fanout_t *f);
/*  After gw_fanout_phase, before the call: the answer needs this service's
    call even when others answered (e.g. /home's trending: a personal list
    may filter down to nothing).  Past the deadline the phase is held for
    it while the service is alive (below).                                 */
void gw_fanout_require (gw_fanout_t *f, gw_service_t svc);
const gw_call_t *gw_fanout_call (const gw_fanout_t *f, int index);
h2o_req_t *gw_fanout_req (const gw_fanout_t *f);

#endif
