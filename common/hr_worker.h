/*  hr_worker — one service replica's connections to its brokers (a DEALER
    per broker, each connecting out).  Handles READY, heartbeats,
    reconnection after a broker restarts, and DISCONNECT on destroy.  One
    request at a time per worker, from whichever broker sends one, answered
    to that broker; a process runs several workers (threads) for
    parallelism.  With several brokers (one per gateway) every broker can
    use every replica, and losing a broker loses only its own requests
    (docs/scaling.md).

    Not thread-safe: one worker per thread (czmq sockets are not thread-safe).*/
#ifndef HR_WORKER_H
#define HR_WORKER_H
#include <stddef.h>
#include <stdint.h>

typedef struct hr_worker hr_worker_t;

typedef struct {
    uint64_t request_id;
    int64_t deadline_ms;        /* absolute, wall clock (ms since epoch)   */
    const void *body;           /* valid until the next recv or reply      */
    size_t body_len;
} hr_work_t;

/*  Most brokers one worker registers with.  */
#define HR_WORKER_BROKERS_MAX 64

/*  broker_endpoints: one endpoint, or several separated by commas and/or
    blanks ("tcp://gw1:5555,tcp://gw2:5555"); duplicates count once.  A
    broker that is not up yet is fine: the worker registers when it comes
    and again whenever it returns after falling silent.  NULL when the list
    is empty or longer than HR_WORKER_BROKERS_MAX, or the name is invalid. */
hr_worker_t *hr_worker_new (const char *broker_endpoints, const char *service);
void hr_worker_destroy (hr_worker_t **self_p);   /* sends DISCONNECT to each */
/*  The number of brokers this worker registers with.  */
int hr_worker_brokers (hr_worker_t *self);
/*  Changes the list: leaves (DISCONNECT) the brokers no longer in it,
    registers with the new ones, keeps the others as they are.  An empty
    list is allowed (the worker then waits for brokers).  Between requests
    only: -1 while a request is held, or when some link could not be made
    (the others are kept).  hr_service calls it when the brokers it
    discovers change (hr_discover.h).                                      */
int hr_worker_set_brokers (hr_worker_t *self, const char *broker_endpoints);

/*  Waits up to timeout_ms (< 0: no limit) for a request.  Returns 1 with
    *work filled, 0 on timeout or when the wake fd is readable (heartbeats
    are handled inside), -1 when interrupted.  Requests whose deadline has
    already passed are dropped here, never returned.  */
int hr_worker_recv (hr_worker_t *self, hr_work_t *work, int timeout_ms);
/*  A file descriptor (an eventfd or the read end of a pipe, owned by the
    caller; -1 = none) that ends hr_worker_recv's wait when it becomes
    readable; nothing is read from it, so one write wakes every worker
    sharing it, for good.  hr_service makes its stop one: idle workers
    wait without a timeout instead of polling for stop.                     */
void hr_worker_set_wake_fd (hr_worker_t *self, int fd);
/*  Answers the request last returned by hr_worker_recv.  0 / -1.  */
int hr_worker_reply (hr_worker_t *self, uint8_t status, const void *body, size_t len);

/*  Heartbeat interval for workers created after the call (process-wide;
    default HR_HEARTBEAT_INTERVAL_MS).  Must match the broker's.  For tests. */
void hr_worker_set_heartbeat (int interval_ms);

#endif
