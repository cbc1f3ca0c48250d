/*  hr_broker — the Majordomo-style broker (see docs/protocol.md).

    One ROUTER socket serves clients (gateways, CLI, tests) and workers
    (service replicas, which connect *out* to it).  Workers register a service
    name; requests are dispatched least-recently-used across the idle workers
    of that service; heartbeats run both ways; a worker that misses
    HR_HEARTBEAT_LIVENESS heartbeats is dropped and the requests it held are
    answered HR_UNAVAILABLE at once.  Requests carry an absolute deadline and
    are dropped (answered HR_EXPIRED) when it passes while queued.

    The broker runs in its own thread (a czmq actor): embedded in the gateway
    by default, or alone in the `hybridrec-broker` binary.                   */
#ifndef HR_BROKER_H
#define HR_BROKER_H
#include <stdint.h>

#define HR_HEARTBEAT_INTERVAL_MS 1000
#define HR_HEARTBEAT_LIVENESS    3
/*  A busy worker sends nothing while its handler runs; it is presumed alive
    until its request's deadline, but never after this much silence:
    requests the gateway may hold carry deadlines of many seconds, and a
    replica killed while holding one must still leave the broker (and
    /readyz) within seconds.                                                 */
#define HR_BUSY_SILENCE_MAX_MS   5000

typedef struct hr_broker hr_broker_t;

/*  Binds `endpoint` (e.g. "tcp://0.0.0.0:5555", "tcp://127.0.0.1:*") and starts
    the broker thread.  NULL on failure (error logged).  */
hr_broker_t *hr_broker_new (const char *endpoint);
void hr_broker_destroy (hr_broker_t **self_p);
/*  Binds one more endpoint on the same ROUTER, e.g. "inproc://hr-broker-1"
    so that clients in this process (the gateway's loops) skip the TCP
    round trip through the I/O thread.  Bind before any client connects.
    inproc never runs a security handshake, so an inproc endpoint is open to
    every socket of this process even when the broker uses CURVE (the
    process is the trust boundary; hr_client_new applies no CURVE keys to
    inproc endpoints).  0 / -1 (error logged).                              */
int hr_broker_bind_also (hr_broker_t *self, const char *endpoint);
/*  The endpoint actually bound (with the port resolved when "*" was given),
    e.g. "tcp://127.0.0.1:41234": for tests.  */
const char *hr_broker_endpoint (hr_broker_t *self);

/*  Counters (thread-safe snapshots) for tests and metrics.  Every broker
    also adds to the process's /metrics, once a heartbeat interval:
    hr_broker_messages_total and hr_broker_cpu_seconds (docs/scaling.md).   */
typedef struct {
    uint64_t requests, replies, expired, unavailable, malformed, workers_dropped;
    uint64_t messages;          /* received, of any kind */
    double cpu_seconds;         /* used by the broker thread so far */
} hr_broker_stats_t;
void hr_broker_stats (hr_broker_t *self, hr_broker_stats_t *out);

/*  Built-in management service answered by the broker itself:
    service "mmi.workers", body = str service name -> reply u32 live worker
    count.  Body empty -> u32 n, then n × (str service, u32 workers).       */
#define HR_MMI_WORKERS "mmi.workers"

/*  Heartbeat interval for brokers created after the call (process-wide;
    default HR_HEARTBEAT_INTERVAL_MS).  Tests shorten it to keep
    dead-worker detection fast; liveness stays HR_HEARTBEAT_LIVENESS beats. */
void hr_broker_set_heartbeat (int interval_ms);

/*  Wire constants shared by hr_broker.c, hr_worker.c and hr_client.c (the
    frame layouts are in docs/protocol.md, "Frames").                       */
#define HR_PROTO_CLIENT "HRC1"
#define HR_PROTO_WORKER "HRW1"
#define HR_PROTO_HEADER_LEN 4
#define HR_SERVICE_NAME_MAX 63          /* bytes, so it fits hr_reply_t.service */
/*  ZMQ_MAXMSGSIZE of every broker, worker and client socket: a peer sending
    a larger frame is disconnected before it is buffered whole.  A worker
    replies HR_INTERNAL instead of sending a larger body.                   */
#define HR_MSG_MAX (32 * 1024 * 1024)
/*  The broker shortens request deadlines further away than this.          */
#define HR_DEADLINE_MAX_MS (10 * 60 * 1000)
enum {
    HR_WORKER_READY = 1,
    HR_WORKER_REQUEST = 2,
    HR_WORKER_REPLY = 3,
    HR_WORKER_HEARTBEAT = 4,
    HR_WORKER_DISCONNECT = 5,
};

#endif
