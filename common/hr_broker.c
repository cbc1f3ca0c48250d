/*  hr_broker — the Majordomo-style broker: one ROUTER for clients and
    workers, LRU dispatch per service, deadlines, heartbeats both ways.
    The frame layouts are documented in docs/protocol.md ("Frames").

    Everything below runs on the actor thread; the only state shared with the
    owner is the stats block (atomics) and the resolved endpoint (written
    before zactor_new returns).  Frames are handled as raw zmq_msg_t so a
    request is forwarded to its worker without copying the body.            */
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_curve.h"
#include "hr_frames.h"
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_status.h"
#include "hr_wire.h"
#include "hr_zpoll.h"

#include <czmq.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#define QUEUE_MAX 10000         /* waiting requests per service */
#define PEER_HWM 10000          /* per-peer send queue in the ROUTER */
#define MAX_PARTS 8             /* more frames than this is malformed anyway */
#define ROUTING_ID_MAX 255      /* libzmq's limit */

static atomic_int s_heartbeat_ms = HR_HEARTBEAT_INTERVAL_MS;

void
hr_broker_set_heartbeat (int interval_ms)
{
    assert (interval_ms > 0);
    atomic_store (&s_heartbeat_ms, interval_ms);
}

typedef struct {
    atomic_uint_fast64_t requests, replies, expired, unavailable, malformed,
        workers_dropped, messages, cpu_ns;
} stats_t;

struct hr_broker {
    zactor_t *actor;
    zactor_t *auth;                     /* ZAP handler when CURVE has an allow-list */
    hr_curve_keys_t curve;              /* copied at creation; wiped on destroy */
    char endpoint[256];
    stats_t stats;
    bool bound;
};

typedef struct worker_s worker_t;

typedef struct request_s {
    struct request_s *next;
    uint8_t cid[ROUTING_ID_MAX];
    size_t cid_len;
    uint64_t id;
    int64_t deadline;
    zmq_msg_t body;
} request_t;

typedef struct {
    char name[HR_SERVICE_NAME_MAX + 1];
    size_t name_len;
    worker_t *idle_head, *idle_tail;    /* LRU: take from head, return to tail */
    request_t *queue_head, *queue_tail;
    size_t queued;
    uint32_t workers;                   /* live: idle + busy */
} service_t;

struct worker_s {
    char key[2 * ROUTING_ID_MAX + 1];   /* hex routing id */
    uint8_t rid[ROUTING_ID_MAX];
    size_t rid_len;
    service_t *service;
    worker_t *idle_prev, *idle_next;
    bool idle;
    worker_t *all_prev, *all_next;
    int64_t last_seen;                  /* monotonic ms */
    bool busy;                          /* holds exactly one request */
    uint8_t cid[ROUTING_ID_MAX];
    size_t cid_len;
    uint64_t req_id;
    int64_t req_deadline;
};

typedef struct {
    zsock_t *pipe;
    zsock_t *router;
    void *rs;                           /* raw libzmq handle of router */
    stats_t *stats;
    zhashx_t *services;                 /* name -> service_t */
    zhashx_t *workers;                  /* hex routing id -> worker_t */
    worker_t *all;                      /* every registered worker */
    int ivl;
    int64_t heartbeat_at;               /* monotonic ms */
    uint64_t exported_messages, exported_cpu_ns;    /* in /metrics so far */
    size_t queued_total;
    int64_t earliest_deadline;          /* wall ms; valid when queued_total */
    hr_writer_t scratch;                /* mmi replies */
    zmq_msg_t parts[MAX_PARTS];
    hr_frame_t frames[MAX_PARTS];       /* views of parts, for hr_frames */
    int nparts;
} broker_t;

typedef struct {
    const char *endpoint;
    struct hr_broker *owner;
} actor_args_t;

/* ---------------------------------------------------------------- helpers */


static const uint8_t *
part_data (broker_t *b, int i)
{
    return (const uint8_t *) zmq_msg_data (&b->parts[i]);
}

static size_t
part_size (broker_t *b, int i)
{
    return zmq_msg_size (&b->parts[i]);
}

static bool
part_is (broker_t *b, int i, const char *text, size_t len)
{
    return part_size (b, i) == len && memcmp (part_data (b, i), text, len) == 0;
}

static void
hex_key (const uint8_t *id, size_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex[id[i] >> 4];
        out[2 * i + 1] = hex[id[i] & 15];
    }
    out[2 * len] = 0;
}

static int64_t
mono_ms (void)
{
    return zclock_mono ();
}

static void
count (atomic_uint_fast64_t *c)
{
    atomic_fetch_add_explicit (c, 1, memory_order_relaxed);
}

/* ------------------------------------------------------------- sending */

static void
send_client_head (broker_t *b, const uint8_t *cid, size_t cid_len, const char *service,
                  size_t service_len, uint64_t id, uint8_t status)
{
    uint8_t idb[8];
    hr_le64_put (idb, id);
    zmq_send (b->rs, cid, cid_len, ZMQ_SNDMORE);
    zmq_send (b->rs, HR_PROTO_CLIENT, HR_PROTO_HEADER_LEN, ZMQ_SNDMORE);
    zmq_send (b->rs, service, service_len, ZMQ_SNDMORE);
    zmq_send (b->rs, idb, 8, ZMQ_SNDMORE);
    zmq_send (b->rs, &status, 1, ZMQ_SNDMORE);
}

/*  A reply the broker makes itself (errors, mmi): body is a copy.          */
static void
reply_client_raw (broker_t *b, const uint8_t *cid, size_t cid_len, const char *service,
                  size_t service_len, uint64_t id, uint8_t status, const void *body,
                  size_t len)
{
    /*  Counted before sending: a client that got the reply sees the count. */
    if (status == HR_EXPIRED)
        count (&b->stats->expired);
    else if (status == HR_UNAVAILABLE)
        count (&b->stats->unavailable);
    send_client_head (b, cid, cid_len, service, service_len, id, status);
    zmq_send (b->rs, body, len, 0);
}

static void
reply_client_msg (broker_t *b, const uint8_t *cid, size_t cid_len, const char *service,
                  size_t service_len, uint64_t id, uint8_t status, const char *msg)
{
    reply_client_raw (b, cid, cid_len, service, service_len, id, status, msg, strlen (msg));
}

static void
send_worker_command (broker_t *b, worker_t *w, uint8_t command)
{
    zmq_send (b->rs, w->rid, w->rid_len, ZMQ_SNDMORE);
    zmq_send (b->rs, HR_PROTO_WORKER, HR_PROTO_HEADER_LEN, ZMQ_SNDMORE);
    zmq_send (b->rs, &command, 1, 0);
}

/*  To a peer we hold no record for (e.g. after a broker restart): tells it
    to reconnect and register again.                                       */
static void
send_disconnect_to (broker_t *b, const uint8_t *rid, size_t rid_len)
{
    uint8_t command = HR_WORKER_DISCONNECT;
    zmq_send (b->rs, rid, rid_len, ZMQ_SNDMORE);
    zmq_send (b->rs, HR_PROTO_WORKER, HR_PROTO_HEADER_LEN, ZMQ_SNDMORE);
    zmq_send (b->rs, &command, 1, 0);
}

/* ---------------------------------------------------- services & queues */

static service_t *
service_get (broker_t *b, const char *name, bool create)
{
    service_t *s = (service_t *) zhashx_lookup (b->services, name);
    if (s || !create)
        return s;
    s = (service_t *) calloc (1, sizeof *s);
    if (!s)
        return NULL;
    s->name_len = strlen (name);
    memcpy (s->name, name, s->name_len + 1);
    zhashx_insert (b->services, name, s);
    return s;
}

/*  A service without workers is forgotten: its queue is answered
    HR_UNAVAILABLE (nobody would ever serve it) and its record freed, so
    READYs with ever-new names cannot grow the broker without bound.       */
static void queue_flush_unavailable (broker_t *b, service_t *s, const char *why);

static void
service_forget (broker_t *b, service_t *s)
{
    queue_flush_unavailable (b, s, "no live worker for the service");
    zhashx_delete (b->services, s->name);
    free (s);
}

static void
idle_push (service_t *s, worker_t *w)
{
    assert (!w->idle);
    w->idle = true;
    w->idle_next = NULL;
    w->idle_prev = s->idle_tail;
    if (s->idle_tail)
        s->idle_tail->idle_next = w;
    else
        s->idle_head = w;
    s->idle_tail = w;
}

static void
idle_remove (service_t *s, worker_t *w)
{
    if (!w->idle)
        return;
    if (w->idle_prev)
        w->idle_prev->idle_next = w->idle_next;
    else
        s->idle_head = w->idle_next;
    if (w->idle_next)
        w->idle_next->idle_prev = w->idle_prev;
    else
        s->idle_tail = w->idle_prev;
    w->idle = false;
    w->idle_prev = w->idle_next = NULL;
}

static void
request_free (request_t *r)
{
    zmq_msg_close (&r->body);
    free (r);
}

static request_t *
queue_pop (broker_t *b, service_t *s)
{
    request_t *r = s->queue_head;
    if (r) {
        s->queue_head = r->next;
        if (!s->queue_head)
            s->queue_tail = NULL;
        s->queued--;
        b->queued_total--;
    }
    return r;
}

/*  Sends a request to an idle worker and marks it busy.  `body` is moved. */
static void
dispatch (broker_t *b, worker_t *w, const uint8_t *cid, size_t cid_len, uint64_t id,
          int64_t deadline, zmq_msg_t *body)
{
    uint8_t idb[8], dlb[8], command = HR_WORKER_REQUEST;
    hr_le64_put (idb, id);
    hr_le64_put (dlb, (uint64_t) deadline);
    idle_remove (w->service, w);
    zmq_send (b->rs, w->rid, w->rid_len, ZMQ_SNDMORE);
    zmq_send (b->rs, HR_PROTO_WORKER, HR_PROTO_HEADER_LEN, ZMQ_SNDMORE);
    zmq_send (b->rs, &command, 1, ZMQ_SNDMORE);
    zmq_send (b->rs, cid, cid_len, ZMQ_SNDMORE);
    zmq_send (b->rs, idb, 8, ZMQ_SNDMORE);
    zmq_send (b->rs, dlb, 8, ZMQ_SNDMORE);
    zmq_msg_send (body, b->rs, 0);
    w->busy = true;
    memcpy (w->cid, cid, cid_len);
    w->cid_len = cid_len;
    w->req_id = id;
    w->req_deadline = deadline;
}

/*  A worker just became idle: give it the oldest live queued request.    */
static void
worker_ready_for_work (broker_t *b, worker_t *w)
{
    service_t *s = w->service;
    w->busy = false;
    idle_push (s, w);
    int64_t now = hr_now_ms ();
    request_t *r;
    while (s->idle_head && (r = queue_pop (b, s)) != NULL) {
        if (r->deadline <= now)
            reply_client_msg (b, r->cid, r->cid_len, s->name, s->name_len, r->id,
                              HR_EXPIRED, "deadline passed while queued");
        else
            dispatch (b, s->idle_head, r->cid, r->cid_len, r->id, r->deadline, &r->body);
        request_free (r);
    }
}

static void
queue_flush_unavailable (broker_t *b, service_t *s, const char *why)
{
    request_t *r;
    while ((r = queue_pop (b, s)) != NULL) {
        reply_client_msg (b, r->cid, r->cid_len, s->name, s->name_len, r->id,
                          HR_UNAVAILABLE, why);
        request_free (r);
    }
}

/*  Answers HR_EXPIRED for every queued request past its deadline and
    recomputes the earliest deadline still waiting.                        */
static void
purge_expired (broker_t *b, int64_t now)
{
    int64_t earliest = INT64_MAX;
    for (service_t *s = (service_t *) zhashx_first (b->services); s;
         s = (service_t *) zhashx_next (b->services)) {
        request_t *prev = NULL, *r = s->queue_head;
        while (r) {
            request_t *next = r->next;
            if (r->deadline <= now) {
                if (prev)
                    prev->next = next;
                else
                    s->queue_head = next;
                if (s->queue_tail == r)
                    s->queue_tail = prev;
                s->queued--;
                b->queued_total--;
                reply_client_msg (b, r->cid, r->cid_len, s->name, s->name_len, r->id,
                                  HR_EXPIRED, "deadline passed while queued");
                request_free (r);
            }
            else {
                if (r->deadline < earliest)
                    earliest = r->deadline;
                prev = r;
            }
            r = next;
        }
    }
    b->earliest_deadline = earliest;
}

/* ------------------------------------------------------------- workers */

static worker_t *
worker_lookup (broker_t *b, const uint8_t *rid, size_t rid_len, char *key)
{
    hex_key (rid, rid_len, key);
    return (worker_t *) zhashx_lookup (b->workers, key);
}

/*  Forgets a worker; its in-flight request (if any) is answered
    HR_UNAVAILABLE, and when it was the service's last worker so is the
    service's whole queue: nobody would ever serve them.                  */
static void
worker_delete (broker_t *b, worker_t *w, const char *why)
{
    service_t *s = w->service;
    if (w->busy)
        reply_client_msg (b, w->cid, w->cid_len, s->name, s->name_len, w->req_id,
                          HR_UNAVAILABLE, why);
    idle_remove (s, w);
    if (w->all_prev)
        w->all_prev->all_next = w->all_next;
    else
        b->all = w->all_next;
    if (w->all_next)
        w->all_next->all_prev = w->all_prev;
    s->workers--;
    zhashx_delete (b->workers, w->key);
    free (w);
    if (s->workers == 0)
        service_forget (b, s);
}

static void
worker_register (broker_t *b, const uint8_t *rid, size_t rid_len, const char *key,
                 const char *service_name)
{
    service_t *s = service_get (b, service_name, true);
    worker_t *w = (worker_t *) calloc (1, sizeof *w);
    if (!s || !w) {
        free (w);
        if (s && s->workers == 0)
            service_forget (b, s);
        hr_error ("broker: out of memory registering a worker");
        return;
    }
    memcpy (w->key, key, strlen (key) + 1);
    memcpy (w->rid, rid, rid_len);
    w->rid_len = rid_len;
    w->service = s;
    w->last_seen = mono_ms ();
    w->all_next = b->all;
    if (b->all)
        b->all->all_prev = w;
    b->all = w;
    zhashx_insert (b->workers, key, w);
    s->workers++;
    hr_debug ("broker: worker %s ready for %s", key, service_name);
    /*  Acknowledged at once: a worker that hears nothing for its liveness
        window reconnects afresh, and one that registered just before that
        would leave a ghost here that requests are sent to.                */
    send_worker_command (b, w, HR_WORKER_HEARTBEAT);
    worker_ready_for_work (b, w);
}

/*  A busy worker is silent while its handler runs, so it is presumed
    alive until its request's deadline (a correct worker has answered or
    given up by then), but at most HR_BUSY_SILENCE_MAX_MS of silence (a
    held request's deadline is many seconds away; a handler that
    really runs that long is dropped, its caller told UNAVAILABLE, and it
    registers afresh when it answers); for idle workers, silence for
    LIVENESS heartbeats means dead.                                        */
static bool
worker_is_dead (broker_t *b, worker_t *w, int64_t now_mono, int64_t now_wall)
{
    int64_t window = (int64_t) b->ivl * HR_HEARTBEAT_LIVENESS;
    if (now_mono - w->last_seen <= window)
        return false;
    if (!w->busy || now_mono - w->last_seen > HR_BUSY_SILENCE_MAX_MS)
        return true;
    return now_wall - window > w->req_deadline;   /* no overflow */
}

static void
heartbeat_tick (broker_t *b)
{
    int64_t now_mono = mono_ms (), now_wall = hr_now_ms ();
    worker_t *w = b->all;
    while (w) {
        worker_t *next = w->all_next;
        if (worker_is_dead (b, w, now_mono, now_wall)) {
            hr_warn ("broker: worker %s of %s silent, dropped", w->key, w->service->name);
            count (&b->stats->workers_dropped);
            /* if it is merely slow, this makes it register afresh */
            send_worker_command (b, w, HR_WORKER_DISCONNECT);
            worker_delete (b, w, "worker died while handling the request");
        }
        else
            send_worker_command (b, w, HR_WORKER_HEARTBEAT);
        w = next;
    }
}

/*  This thread's CPU time into the stats (each loop turn: one syscall
    per batch of up to 1000 messages).                                     */
static void
account_cpu (broker_t *b)
{
    struct timespec ts;
    if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
        atomic_store (&b->stats->cpu_ns, (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec);
}

/*  Process-wide /metrics (every broker of the process adds to the same
    two series): what the capacity model of docs/scaling.md reads.  Looked
    up each time (once a beat) so no pointer outlives hr_metrics_reset.    */
static void
export_metrics (broker_t *b)
{
    uint64_t messages = atomic_load (&b->stats->messages);
    uint64_t cpu_ns = atomic_load (&b->stats->cpu_ns);
    hr_counter_add (hr_counter ("hr_broker_messages_total",
                                "messages received by broker threads (a service call is 4: request and reply, in and out)",
                                NULL),
                    messages - b->exported_messages);
    hr_gauge_add (hr_gauge ("hr_broker_cpu_seconds",
                            "CPU seconds used by broker threads, cumulative (rate = busy share of one core; the broker is one thread)",
                            NULL),
                  (double) (cpu_ns - b->exported_cpu_ns) / 1e9);
    b->exported_messages = messages;
    b->exported_cpu_ns = cpu_ns;
}

/* ---------------------------------------------------------- messages */

static void
malformed (broker_t *b, const char *why)
{
    count (&b->stats->malformed);
    hr_debug ("broker: malformed message dropped: %s", why);
}

static void
answer_mmi (broker_t *b, const char *service, size_t service_len, uint64_t id)
{
    const uint8_t *cid = part_data (b, 0);
    size_t cid_len = part_size (b, 0);
    if (strcmp (service, HR_MMI_WORKERS) != 0) {
        reply_client_msg (b, cid, cid_len, service, service_len, id, HR_NOT_FOUND,
                          "unknown mmi service");
        return;
    }
    hr_writer_reset (&b->scratch);
    if (part_size (b, 5) == 0) {
        hr_put_u32 (&b->scratch, (uint32_t) zhashx_size (b->services));
        for (service_t *s = (service_t *) zhashx_first (b->services); s;
             s = (service_t *) zhashx_next (b->services)) {
            hr_put_str (&b->scratch, s->name, s->name_len);
            hr_put_u32 (&b->scratch, s->workers);
        }
    }
    else {
        hr_reader_t r;
        char name[HR_SERVICE_NAME_MAX + 1];
        hr_reader_init (&r, part_data (b, 5), part_size (b, 5));
        if (hr_get_str_copy (&r, name, sizeof name) != 0 || !hr_reader_done (&r)) {
            reply_client_msg (b, cid, cid_len, service, service_len, id, HR_BAD_REQUEST,
                              "mmi.workers: body must be empty or one str");
            return;
        }
        service_t *s = service_get (b, name, false);
        hr_put_u32 (&b->scratch, s ? s->workers : 0);
    }
    if (b->scratch.oom) {
        reply_client_msg (b, cid, cid_len, service, service_len, id, HR_INTERNAL,
                          "out of memory");
        return;
    }
    reply_client_raw (b, cid, cid_len, service, service_len, id, HR_OK, b->scratch.data,
                      b->scratch.len);
}

/*  [cid][HRC1][service][u64 id][i64 deadline][body]                        */
static void
handle_client (broker_t *b)
{
    hr_frames_request_t req;
    const char *why;
    if (hr_frames_client_request (b->frames, b->nparts, &req, &why) != 0) {
        malformed (b, why);
        return;
    }
    const uint8_t *cid = req.cid;
    size_t cid_len = req.cid_len;
    const char *name = req.service;
    size_t name_len = req.service_len;
    uint64_t id = req.id;
    int64_t deadline = req.deadline;
    count (&b->stats->requests);

    if (strncmp (name, "mmi.", 4) == 0) {
        answer_mmi (b, name, name_len, id);
        return;
    }
    int64_t now = hr_now_ms ();
    if (deadline <= now) {
        reply_client_msg (b, cid, cid_len, name, name_len, id, HR_EXPIRED,
                          "deadline already passed");
        return;
    }
    /*  A worker holding a request is presumed alive until its deadline: a
        far one (INT64_MAX) would pin a dead worker and its caller forever. */
    if (deadline - now > HR_DEADLINE_MAX_MS)
        deadline = now + HR_DEADLINE_MAX_MS;
    service_t *s = service_get (b, name, false);
    if (!s || s->workers == 0) {
        reply_client_msg (b, cid, cid_len, name, name_len, id, HR_UNAVAILABLE,
                          "no live worker for the service");
        return;
    }
    if (s->idle_head) {
        dispatch (b, s->idle_head, cid, cid_len, id, deadline, &b->parts[5]);
        return;
    }
    request_t *r = s->queued < QUEUE_MAX ? (request_t *) malloc (sizeof *r) : NULL;
    if (!r) {
        reply_client_msg (b, cid, cid_len, name, name_len, id, HR_UNAVAILABLE,
                          "service queue full");
        return;
    }
    r->next = NULL;
    memcpy (r->cid, cid, cid_len);
    r->cid_len = cid_len;
    r->id = id;
    r->deadline = deadline;
    zmq_msg_init (&r->body);
    zmq_msg_move (&r->body, &b->parts[5]);
    if (s->queue_tail)
        s->queue_tail->next = r;
    else
        s->queue_head = r;
    s->queue_tail = r;
    s->queued++;
    if (b->queued_total++ == 0 || deadline < b->earliest_deadline)
        b->earliest_deadline = deadline;
}

/*  [wid][HRW1][u8 command][...]                                            */
static void
handle_worker (broker_t *b)
{
    hr_frames_worker_t m;
    const char *why;
    if (hr_frames_worker_message (b->frames, b->nparts, &m, &why) != 0) {
        malformed (b, why);
        return;
    }
    const uint8_t *rid = part_data (b, 0);
    size_t rid_len = part_size (b, 0);
    char key[2 * ROUTING_ID_MAX + 1];
    worker_t *w = worker_lookup (b, rid, rid_len, key);

    switch (m.command) {
    case HR_WORKER_READY: {    /* [service] */
        if (w) {   /* READY twice: the peer lost track; make it start over */
            malformed (b, "READY from a registered worker");
            send_disconnect_to (b, rid, rid_len);
            worker_delete (b, w, "worker re-registered while handling the request");
            return;
        }
        worker_register (b, rid, rid_len, key, m.service);
        return;
    }
    case HR_WORKER_REPLY: {    /* [cid][u64 id][u8 status][body] */
        if (!w) {
            malformed (b, "REPLY from an unknown worker");
            send_disconnect_to (b, rid, rid_len);
            return;
        }
        w->last_seen = mono_ms ();
        uint64_t id = m.id;
        if (!w->busy || w->req_id != id || w->cid_len != m.cid_len
            || memcmp (w->cid, m.cid, w->cid_len) != 0) {
            malformed (b, "REPLY to a request the worker does not hold");
            return;
        }
        uint8_t status = m.status;
        if (status > HR_INTERNAL) {
            malformed (b, "REPLY status out of range");
            reply_client_msg (b, w->cid, w->cid_len, w->service->name,
                              w->service->name_len, id, HR_INTERNAL,
                              "worker sent an invalid status");
        }
        else {
            count (&b->stats->replies);     /* before: see reply_client_raw */
            send_client_head (b, w->cid, w->cid_len, w->service->name,
                              w->service->name_len, id, status);
            zmq_msg_send (&b->parts[6], b->rs, 0);
        }
        worker_ready_for_work (b, w);
        return;
    }
    case HR_WORKER_HEARTBEAT:
        if (w)
            w->last_seen = mono_ms ();
        else    /* e.g. we restarted and it reconnected underneath */
            send_disconnect_to (b, rid, rid_len);
        return;
    case HR_WORKER_DISCONNECT:
        if (w)
            worker_delete (b, w, "worker left while handling the request");
        return;
    }
}

/*  Reads one whole message into b->parts (at most MAX_PARTS are kept).
    Returns the number of frames it had, or -1 when none was waiting.      */
static int
recv_message (broker_t *b)
{
    int total = 0;
    bool more;
    b->nparts = 0;
    do {
        zmq_msg_t junk;
        zmq_msg_t *m = total < MAX_PARTS ? &b->parts[total] : &junk;
        zmq_msg_init (m);
        if (zmq_msg_recv (m, b->rs, total == 0 ? ZMQ_DONTWAIT : 0) < 0) {
            zmq_msg_close (m);
            return -1;
        }
        more = zmq_msg_more (m);
        if (m == &junk)
            zmq_msg_close (m);
        else {
            b->frames[total] = (hr_frame_t) { zmq_msg_data (m), zmq_msg_size (m) };
            b->nparts = total + 1;
        }
        total++;
    } while (more);
    return total;
}

static void
close_message (broker_t *b)
{
    for (int i = 0; i < b->nparts; i++)
        zmq_msg_close (&b->parts[i]);
    b->nparts = 0;
}

/*  1 when it read until nothing was waiting (the ROUTER is idle: its fd
    tells of the next message), 0 at the bound, -1 when the context is
    terminated (zmq_poll's ETERM, which ended the loop).                   */
static int
handle_router (broker_t *b)
{
    /*  Drain what is waiting (bounded, so heartbeats still go out).      */
    for (int i = 0; i < 1000; i++) {
        int frames = recv_message (b);
        if (frames < 0) {
            close_message (b);
            return zmq_errno () == ETERM ? -1 : 1;
        }
        count (&b->stats->messages);
        if (frames > MAX_PARTS)
            malformed (b, "too many frames");
        else if (frames < 2)
            malformed (b, "no protocol header");
        else if (part_is (b, 1, HR_PROTO_CLIENT, HR_PROTO_HEADER_LEN))
            handle_client (b);
        else if (part_is (b, 1, HR_PROTO_WORKER, HR_PROTO_HEADER_LEN))
            handle_worker (b);
        else
            malformed (b, "unknown protocol header");
        close_message (b);
    }
    return 0;
}

/* -------------------------------------------------------------- actor */

static void
broker_free (broker_t *b)
{
    while (b->all)
        worker_delete (b, b->all, "broker shutting down");
    if (b->services) {
        for (service_t *s = (service_t *) zhashx_first (b->services); s;
             s = (service_t *) zhashx_next (b->services)) {
            request_t *r;
            while ((r = queue_pop (b, s)) != NULL)
                request_free (r);
            free (s);
        }
        zhashx_destroy (&b->services);
    }
    zhashx_destroy (&b->workers);
    hr_writer_free (&b->scratch);
    zsock_destroy (&b->router);
}

static int
broker_bind (broker_t *b, struct hr_broker *owner, const char *endpoint)
{
    b->router = zsock_new (ZMQ_ROUTER);
    if (!b->router)
        return -1;
    zsock_set_router_mandatory (b->router, 0);
    zsock_set_sndhwm (b->router, PEER_HWM);
    zsock_set_rcvhwm (b->router, PEER_HWM);
    zsock_set_linger (b->router, 0);
    zsock_set_maxmsgsize (b->router, HR_MSG_MAX);
    if (hr_curve_apply_server (b->router, &owner->curve) != 0) {
        hr_error ("broker: cannot enable CURVE on %s", endpoint);
        return -1;
    }
    if (zsock_bind (b->router, "%s", endpoint) < 0) {
        hr_error ("broker: cannot bind %s: %s", endpoint, zmq_strerror (zmq_errno ()));
        return -1;
    }
    char *last = zsock_last_endpoint (b->router);
    snprintf (owner->endpoint, sizeof owner->endpoint, "%s", last ? last : endpoint);
    zstr_free (&last);
    b->rs = zsock_resolve (b->router);
    return 0;
}

/*  A command from the owner: "$TERM" (returns -1: stop) or "BIND" +
    endpoint, answered with a signal (0 bound, 1 failed).  The bind runs
    here because the ROUTER belongs to this thread.                        */
static int
handle_pipe (broker_t *b, zsock_t *pipe)
{
    zmsg_t *msg = zmsg_recv (pipe);
    if (!msg)
        return -1;
    char *command = zmsg_popstr (msg);
    int rc = 0;
    if (!command || streq (command, "$TERM"))
        rc = -1;
    else if (streq (command, "BIND")) {
        char *endpoint = zmsg_popstr (msg);
        int bound = endpoint ? zsock_bind (b->router, "%s", endpoint) : -1;
        if (bound < 0)
            hr_error ("broker: cannot also bind %s: %s", endpoint ? endpoint : "(none)",
                      zmq_strerror (zmq_errno ()));
        else
            hr_info ("broker: also listening on %s", endpoint);
        zsock_signal (pipe, bound < 0 ? 1 : 0);
        zstr_free (&endpoint);
    }
    zstr_free (&command);
    zmsg_destroy (&msg);
    return rc;
}

/*  Until $TERM (or an interrupt): poll(2) on the two sockets' fds
    (hr_zpoll), each asked only when its fd woke or something was done on
    it since it was last idle.                                             */
static void
broker_loop (broker_t *b, zsock_t *pipe)
{
    hr_zpoll_t wait;
    hr_zpoll_init (&wait);
    void *ps = zsock_resolve (pipe);
    int pipe_item = hr_zpoll_add (&wait, ps);
    int router_item = hr_zpoll_add (&wait, b->rs);
    assert (pipe_item >= 0 && router_item >= 0);
    b->heartbeat_at = mono_ms () + b->ivl;
    while (!zsys_interrupted) {     /* as zpoller_wait did */
        int64_t timeout = b->heartbeat_at - mono_ms ();
        if (b->queued_total > 0) {
            int64_t until_deadline = b->earliest_deadline - hr_now_ms ();
            if (until_deadline < timeout)
                timeout = until_deadline;
        }
        if (timeout < 0)
            timeout = 0;
        if (hr_zpoll_wait (&wait, (int) timeout) < 0)
            break;      /* EINTR: zpoller_wait's "terminated" */
        if (hr_zpoll_ready (&wait, pipe_item)) {
            int events = 0;
            size_t size = sizeof events;
            if (zmq_getsockopt (ps, ZMQ_EVENTS, &events, &size) != 0)
                break;      /* ETERM */
            if (events & ZMQ_POLLIN) {
                if (handle_pipe (b, pipe) != 0)
                    break;
                hr_zpoll_touch (&wait, router_item);    /* BIND ran on it */
            }
            else
                hr_zpoll_idle (&wait, pipe_item);
        }
        if (hr_zpoll_ready (&wait, router_item)) {
            int drained = handle_router (b);
            if (drained < 0)
                break;
            if (drained)
                hr_zpoll_idle (&wait, router_item);
        }
        if (b->queued_total > 0 && hr_now_ms () >= b->earliest_deadline) {
            purge_expired (b, hr_now_ms ());
            hr_zpoll_touch (&wait, router_item);        /* sent EXPIRED */
        }
        account_cpu (b);
        if (mono_ms () >= b->heartbeat_at) {
            heartbeat_tick (b);
            hr_zpoll_touch (&wait, router_item);        /* sent heartbeats */
            export_metrics (b);
            b->heartbeat_at = mono_ms () + b->ivl;
        }
    }
}

static void
broker_actor (zsock_t *pipe, void *args_)
{
    actor_args_t *args = (actor_args_t *) args_;
    broker_t b;
    memset (&b, 0, sizeof b);
    b.pipe = pipe;
    b.stats = &args->owner->stats;
    b.ivl = atomic_load (&s_heartbeat_ms);
    b.services = zhashx_new ();
    b.workers = zhashx_new ();
    hr_writer_init (&b.scratch);
    bool ok = b.services && b.workers && broker_bind (&b, args->owner, args->endpoint) == 0;
    struct hr_broker *owner = args->owner;    /* args dies with the signal */
    owner->bound = ok;
    zsock_signal (pipe, 0);    /* the owner reads `bound` after this */
    if (!ok) {
        broker_free (&b);
        char *term = zstr_recv (pipe);    /* $TERM from zactor_destroy */
        zstr_free (&term);
        return;
    }
    if (owner->curve.enabled)
        hr_log_kv (HR_LOG_INFO, NULL, "broker: listening with CURVE", "endpoint", owner->endpoint,
                   "clients", owner->curve.clients_dir[0] ? owner->curve.clients_dir : "any key",
                   NULL);
    else
        hr_info ("broker: listening on %s", owner->endpoint);

    broker_loop (&b, pipe);
    broker_free (&b);
    hr_info ("broker: stopped");
}

/* -------------------------------------------------------------- public */

hr_broker_t *
hr_broker_new (const char *endpoint)
{
    assert (endpoint);
    hr_broker_t *self = (hr_broker_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    bool auth_failed = hr_curve_server_keys (&self->curve) != 0;   /* HR_CURVE_REQUIRE */
    if (!auth_failed)
        self->auth = hr_curve_auth_new (&self->curve, &auth_failed);
    actor_args_t args = { endpoint, self };
    self->actor = auth_failed ? NULL : zactor_new (broker_actor, &args);
    if (!self->actor || !self->bound) {
        hr_broker_destroy (&self);
        return NULL;
    }
    return self;
}

void
hr_broker_destroy (hr_broker_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        zactor_destroy (&(*self_p)->actor);
        zactor_destroy (&(*self_p)->auth);
        memset (&(*self_p)->curve, 0, sizeof (*self_p)->curve);
        free (*self_p);
        *self_p = NULL;
    }
}

int
hr_broker_bind_also (hr_broker_t *self, const char *endpoint)
{
    assert (self && endpoint);
    if (zstr_sendx (self->actor, "BIND", endpoint, NULL) != 0)
        return -1;
    return zsock_wait (self->actor) == 0 ? 0 : -1;
}

const char *
hr_broker_endpoint (hr_broker_t *self)
{
    assert (self);
    return self->endpoint;
}

void
hr_broker_stats (hr_broker_t *self, hr_broker_stats_t *out)
{
    assert (self && out);
    out->requests = atomic_load (&self->stats.requests);
    out->replies = atomic_load (&self->stats.replies);
    out->expired = atomic_load (&self->stats.expired);
    out->unavailable = atomic_load (&self->stats.unavailable);
    out->malformed = atomic_load (&self->stats.malformed);
    out->workers_dropped = atomic_load (&self->stats.workers_dropped);
    out->messages = atomic_load (&self->stats.messages);
    out->cpu_seconds = (double) atomic_load (&self->stats.cpu_ns) / 1e9;
}
