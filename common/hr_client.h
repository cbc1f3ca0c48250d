/*  hr_client — asks services for work through the broker (a DEALER).

    Asynchronous: many requests in flight, replies matched by request id.
    For an event loop: hr_client_fd() gives the ZMQ_FD (edge-triggered: call
    hr_client_recv until it returns 0 after every wake-up AND after every
    send); never close that fd.  hr_client_call is the blocking convenience
    for the CLI and tests.

    Not thread-safe: one client per thread.                                  */
#ifndef HR_CLIENT_H
#define HR_CLIENT_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "hr_clock.h"

typedef struct hr_client hr_client_t;

typedef struct {
    uint64_t request_id;
    uint8_t status;             /* hr_status_t */
    char service[64];
    void *body;                 /* owned by the client; valid until next recv */
    size_t body_len;
} hr_reply_t;

hr_client_t *hr_client_new (const char *broker_endpoint);
void hr_client_destroy (hr_client_t **self_p);

/*  Sends a request; deadline_ms is absolute wall-clock ms.  0 / -1 (HWM
    reached or broker unreachable; errno EMSGSIZE: body over HR_MSG_MAX).  */
int hr_client_send (hr_client_t *self, const char *service, uint64_t request_id,
                    int64_t deadline_ms, const void *body, size_t len);
/*  Non-blocking: 1 with *reply filled, 0 when nothing is waiting, -1 error.
    Malformed replies are dropped and counted.  */
int hr_client_recv (hr_client_t *self, hr_reply_t *reply);
int hr_client_fd (hr_client_t *self);

/*  Blocking call: send, wait up to timeout_ms for the matching reply.
    Returns the reply status, or HR_EXPIRED on timeout; *body is malloc'd
    (caller frees) or NULL.  */
int hr_client_call (hr_client_t *self, const char *service, const void *req,
                    size_t req_len, int timeout_ms, void **body, size_t *body_len);

/*  Wall-clock milliseconds (the clock deadlines use).  */
int64_t hr_now_ms (void);

#endif
