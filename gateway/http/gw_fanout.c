/*  gw_fanout — service calls from the event loop (see gw_fanout.h).         */
#include "gw_fanout.h"
#include <assert.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "hr_batch.h"
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_status.h"

#define RING_SIZE 65536u         /* calls in flight per loop; > max_inflight x calls */
#define RING_MASK (RING_SIZE - 1)
/*  Request ids: loop index in the top 16 bits; BATCH_BIT marks the id of a
    batch message (its members keep their own ids); sequence below.       */
#define BATCH_BIT (1ull << 47)
#define SEQ_MASK (BATCH_BIT - 1)
#define BATCH_RING 4096u        /* batches in flight per loop */
#define HOLD_TICK_MS 100        /* how often a held phase looks again (gw_fanout.h "Holding") */

typedef struct {
    uint64_t id;
    gw_fanout_t *fanout;        /* NULL = free */
    int index;
    gw_service_t service;       /* kept after the call ended: a late answer still tells the breaker */
} ring_slot_t;

/*  A batch message in flight: which calls it carries, so that an error
    reply for the whole batch (no worker, expired, ...) reaches each.      */
typedef struct {
    uint64_t id;
    uint32_t n;
    uint64_t *members;          /* NULL = free */
} batch_slot_t;

/*  The calls for one service gathered during this loop iteration; sent as
    one message when the iteration's I/O is done (flush).                  */
typedef struct {
    hr_writer_t buf;            /* a batch request body */
    hr_batch_writer_t bw;
    uint64_t ids[HR_BATCH_MAX];
    size_t lone_at, lone_len;   /* the first call's body, sent as is when alone */
    int64_t deadline_ms;        /* the latest of its calls' */
} gather_t;

typedef struct {
    hr_histogram_t *latency;
    hr_counter_t *timeouts, *errors, *skipped, *opened;
} service_metrics_t;

struct gw_loop {
    h2o_context_t *ctx;
    hr_client_t *client;
    h2o_socket_t *zsock;        /* wraps a dup of the client's ZMQ_FD */
    h2o_timeout_entry_t drain_entry;
    h2o_timeout_t timeouts[GW_WAIT_KINDS];
    int64_t budget_ms[GW_WAIT_KINDS];
    gw_breaker_t breakers[GW_SVC_COUNT];
    service_metrics_t metrics[GW_SVC_COUNT];
    hr_counter_t *late_replies;
    h2o_timeout_t grace;        /* HR_GATEWAY_GRACE_MS (gw_fanout_need_one) */
    int64_t grace_ms;
    hr_counter_t *grace_waits, *grace_saved;
    /*  Holding (gw_fanout.h): past deadline and grace, a phase that still
        needs its answer waits while its services are alive.              */
    h2o_timeout_t hold_tick;
    uint64_t hold_ns, silence_ns;
    /*  When each service last answered a call itself (HR_OK, on time or
        late): the evidence a held call waits on.  Not the breaker's
        heard_ns, which the broker's own "no live replica" errors move.  */
    uint64_t alive_ns[GW_SVC_COUNT];
    hr_counter_t *holds, *holds_answered, *holds_given_up;
    /*  A ZMQ operation happened since the last drain that ended empty: the
        edge-triggered ZMQ_FD may have lost a wake-up, so the next loop
        iteration must look.  Without one the fd is reliable and the
        per-iteration drain (a poll(2) inside libzmq each time) is skipped. */
    bool dirty;
    uint64_t thread_bits, seq, batch_seq;
    h2o_timeout_entry_t flush_entry;
    gather_t gather[GW_SVC_COUNT];
    hr_counter_t *batches, *batched_calls;
    batch_slot_t batches_ring[BATCH_RING];
    /*  Admission: at most active_max read fan-outs ask the services at
        once; later ones wait here, in arrival order, their deadline not
        yet running (a closed loop of 128 clients then queues in the
        gateway instead of timing out in the services' queues).          */
    int active, active_max;
    struct gw_fanout *queue_head, *queue_tail;
    hr_counter_t *queued_total;
    ring_slot_t ring[RING_SIZE];
};

struct gw_fanout {
    gw_loop_t *loop;
    h2o_req_t *req;
    gw_call_t calls[GW_FANOUT_MAX_CALLS];
    uint64_t ids[GW_FANOUT_MAX_CALLS];
    uint64_t sent_ns[GW_FANOUT_MAX_CALLS];
    int ncalls, pending;
    int64_t deadline_ms;        /* absolute, wall clock: sent with each call */
    gw_wait_t kind;             /* of the current phase */
    bool waiting;
    gw_fanout_cb cb;
    void *arg;
    h2o_timeout_entry_t deadline_entry, done_entry;
    /*  The whole request's budget (GW_WAIT_FULL from the first phase's
        admission), armed by a GW_WAIT_HALF first phase: a GW_WAIT_REST
        phase ends with it.  */
    h2o_timeout_entry_t request_entry;
    int64_t request_deadline_ms;
    bool need_one;              /* this phase needs one answer (gw_fanout_need_one) */
    unsigned required;          /* 1 << gw_service_t: calls it needs (gw_fanout_require) */
    bool in_grace;              /* past its deadline, waiting for that one */
    bool grace_counted;         /* counted in hr_gateway_grace_answered_total */
    bool held;                  /* past deadline and grace, its services alive */
    uint64_t overdue_ns;        /* when the phase's deadline passed (0: not yet) */
    bool admitted;              /* its calls may go out */
    bool counted;               /* holds one of the loop's active slots */
    bool queued;                /* in the loop's admission queue */
    struct gw_fanout *next_queued;
    const void *held_body[GW_FANOUT_MAX_CALLS];  /* calls added while queued */
    size_t held_len[GW_FANOUT_MAX_CALLS];
};


static atomic_int s_inflight;
static int s_max_inflight = 4096;
static hr_gauge_t *s_inflight_gauge;

const char *
gw_service_name (gw_service_t svc)
{
    return svc == GW_SVC_MMI ? HR_MMI_WORKERS : hr_proto_service_name ((int) svc);
}

int
gw_fanout_inflight (void)
{
    return atomic_load (&s_inflight);
}

static uint64_t
mono_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* ---------------------------------------------------------------- replies */

/*  A call of `svc` went unanswered: the breaker counts it (and the metric
    its opening).  */
static void
breaker_timeout (gw_loop_t *loop, gw_service_t svc)
{
    gw_breaker_t *b = &loop->breakers[svc];
    uint64_t opened = b->opened;
    gw_breaker_on_timeout (b, hr_now_ms ());
    if (b->opened != opened)
        hr_counter_inc (loop->metrics[svc].opened);
}

static void finish_soon (gw_fanout_t *f);
static void time_out_pending (gw_fanout_t *f);

/*  Gives call `id` its outcome.  A call nobody waits for any more (its
    request timed out or ended) is dropped, counted as late when asked.    */
static void
settle (gw_loop_t *loop, uint64_t id, uint8_t status, const void *body, size_t len,
        bool count_late)
{
    ring_slot_t *slot = &loop->ring[id & RING_MASK];
    if (!slot->fanout || slot->id != id) {
        if (count_late)
            hr_counter_inc (loop->late_replies);        /* its request gave up on it */
        /*  Late, but answered: the service is alive (gw_breaker.h).  */
        if (slot->id == id && status != HR_EXPIRED)
            gw_breaker_on_heard (&loop->breakers[slot->service], mono_ns ());
        if (slot->id == id && status == HR_OK)
            loop->alive_ns[slot->service] = mono_ns ();
        return;
    }
    gw_fanout_t *f = slot->fanout;
    int i = slot->index;
    slot->fanout = NULL;
    gw_call_t *call = &f->calls[i];
    service_metrics_t *m = &loop->metrics[call->service];
    gw_breaker_t *b = &loop->breakers[call->service];
    uint64_t now_ns = mono_ns ();
    hr_histogram_observe (m->latency, (double) (now_ns - f->sent_ns[i]) / 1e9);
    call->status = status;
    if (status == HR_OK) {
        call->outcome = GW_CALL_OK;
        gw_breaker_on_heard (b, now_ns);
        loop->alive_ns[call->service] = now_ns;
    }
    else {
        call->outcome = GW_CALL_FAILED;
        hr_counter_inc (m->errors);
        if (status != HR_EXPIRED)
            gw_breaker_on_heard (b, now_ns);
        else if (gw_breaker_silent (b, f->sent_ns[i], now_ns))
            breaker_timeout (loop, call->service);  /* expired in its queue, nothing answered since */
    }
    if (len > 0) {
        void *copy = h2o_mem_alloc_pool (&f->req->pool, len);
        memcpy (copy, body, len);
        call->body = copy;
        call->len = len;
    }
    if (f->in_grace && status == HR_OK && !f->grace_counted) {
        f->grace_counted = true;
        hr_counter_inc (loop->grace_saved);
    }
    /*  In the grace the phase still waits for every call (the first answer
        may be one the page cannot stand on alone, e.g. an empty list).   */
    if (--f->pending == 0 && f->waiting)
        finish_soon (f);
}

/*  A call that never went out: counted as an error, and a half-open
    breaker whose probe it was must not wait for an answer.                */
static void
mark_unsent (gw_loop_t *loop, gw_call_t *call)
{
    call->outcome = GW_CALL_SEND_FAILED;
    hr_counter_inc (loop->metrics[call->service].errors);
    if (loop->breakers[call->service].state == GW_BREAKER_HALF_OPEN)
        gw_breaker_on_timeout (&loop->breakers[call->service], hr_now_ms ());
}

/*  A queued call that could not be sent (broker unreachable, send queue
    full, out of memory).                                                  */
static void
settle_unsent (gw_loop_t *loop, uint64_t id)
{
    ring_slot_t *slot = &loop->ring[id & RING_MASK];
    if (!slot->fanout || slot->id != id)
        return;
    gw_fanout_t *f = slot->fanout;
    slot->fanout = NULL;
    mark_unsent (loop, &f->calls[slot->index]);
    if (--f->pending == 0 && f->waiting)
        finish_soon (f);
}

static void
batch_slot_free (batch_slot_t *slot)
{
    free (slot->members);
    slot->members = NULL;
    slot->id = 0;
}

/*  A batch reply: each item settles its call.  An error status for the
    whole batch, or a malformed reply, settles every member with it.       */
static void
dispatch_batch (gw_loop_t *loop, const hr_reply_t *reply)
{
    batch_slot_t *slot = &loop->batches_ring[reply->request_id & (BATCH_RING - 1)];
    if (!slot->members || slot->id != reply->request_id) {
        hr_counter_inc (loop->late_replies);
        return;
    }
    uint8_t status = reply->status;
    const void *message = reply->body;
    size_t message_len = reply->body_len;
    if (status == HR_OK) {
        hr_reader_t r;
        hr_reader_init (&r, reply->body, reply->body_len);
        uint32_t n = hr_batch_count (&r);
        for (uint32_t i = 0; i < n; i++) {
            uint64_t id;
            uint8_t item_status;
            const void *body;
            size_t len;
            if (hr_batch_next_reply (&r, &id, &item_status, &body, &len) != 0)
                break;
            settle (loop, id, item_status, body, len, true);
        }
        if (!hr_reader_done (&r)) {
            status = HR_INTERNAL;
            message = "malformed batch reply";
            message_len = strlen (message);
        }
    }
    //  Members already settled above are skipped (their ring slot is free)
    if (status != HR_OK)
        for (uint32_t i = 0; i < slot->n; i++)
            settle (loop, slot->members[i], status, message, message_len, false);
    batch_slot_free (slot);
}

static void
dispatch (gw_loop_t *loop, const hr_reply_t *reply)
{
    if (reply->request_id & BATCH_BIT)
        dispatch_batch (loop, reply);
    else
        settle (loop, reply->request_id, reply->status, reply->body, reply->body_len, true);
}

/*  Never sends HTTP itself (it also runs between loop iterations): a
    request whose calls are complete is finished from the zero timeout.    */
static void
drain (gw_loop_t *loop)
{
    hr_reply_t reply;
    while (hr_client_recv (loop->client, &reply) == 1)
        dispatch (loop, &reply);
    loop->dirty = false;
}

static void
on_zmq_readable (h2o_socket_t *sock, const char *err)
{
    (void) err;
    drain (sock->data);
}

static void
on_drain_timeout (h2o_timeout_entry_t *entry)
{
    drain (H2O_STRUCT_FROM_MEMBER (gw_loop_t, drain_entry, entry));
}

/*  After sending: ZMQ_FD is edge-triggered, so a reply that lands while
    we are busy may never make the fd readable again unless ZMQ_EVENTS is
    re-read — drain once this iteration's callbacks are done.              */
static void
after_send (gw_loop_t *loop)
{
    loop->dirty = true;
    if (!h2o_timeout_is_linked (&loop->drain_entry))
        h2o_timeout_link (loop->ctx->loop, &loop->ctx->zero_timeout, &loop->drain_entry);
}

/*  Sends what each service's gather holds: a lone call as itself, several
    as one batch message.  Runs from the zero timeout, i.e. after all the
    I/O callbacks of the loop iteration that queued the calls.             */
static void
flush (gw_loop_t *loop)
{
    for (int s = 0; s < GW_SVC_COUNT; s++) {
        gather_t *g = &loop->gather[s];
        uint32_t n = g->bw.n;
        if (n == 0)
            continue;
        int rc = -1;
        if (n == 1)
            rc = hr_client_send (loop->client, gw_service_name ((gw_service_t) s), g->ids[0], g->deadline_ms,
                                 g->buf.data + g->lone_at, g->lone_len);
        else {
            hr_batch_end (&g->bw);
            uint64_t seq = ++loop->batch_seq;
            uint64_t id = loop->thread_bits | BATCH_BIT | (seq & SEQ_MASK);
            batch_slot_t *slot = &loop->batches_ring[id & (BATCH_RING - 1)];
            batch_slot_free (slot);     /* a batch never answered: its calls timed out */
            slot->members = malloc (n * sizeof *slot->members);
            if (slot->members) {
                memcpy (slot->members, g->ids, n * sizeof *slot->members);
                slot->n = n;
                slot->id = id;
                rc = hr_client_send (loop->client, gw_service_name ((gw_service_t) s), id, g->deadline_ms,
                                     g->buf.data, g->buf.len);
                if (rc != 0)
                    batch_slot_free (slot);
                else {
                    hr_counter_inc (loop->batches);
                    hr_counter_add (loop->batched_calls, n);
                }
            }
        }
        hr_writer_reset (&g->buf);
        g->bw.n = 0;
        if (rc != 0)
            for (uint32_t i = 0; i < n; i++)
                settle_unsent (loop, g->ids[i]);
    }
    after_send (loop);
}

static void
on_flush_timeout (h2o_timeout_entry_t *entry)
{
    flush (H2O_STRUCT_FROM_MEMBER (gw_loop_t, flush_entry, entry));
}

/*  Queues a call for this iteration's message to its service (settled as
    unsent when memory runs out).                                          */
static void
gather (gw_loop_t *loop, gw_service_t svc, uint64_t id, int64_t deadline_ms,
        const void *body, size_t len)
{
    gather_t *g = &loop->gather[svc];
    if (g->bw.n == 0) {
        hr_batch_request_begin (&g->bw, &g->buf);
        g->deadline_ms = deadline_ms;
    }
    g->ids[g->bw.n] = id;
    hr_batch_request_add (&g->bw, id, body, len);
    if (g->buf.oom) {           /* the calls gathered so far went with the buffer */
        uint32_t n = g->bw.n;
        hr_writer_reset (&g->buf);
        g->bw.n = 0;
        for (uint32_t i = 0; i < n; i++)
            settle_unsent (loop, g->ids[i]);
        return;
    }
    if (g->bw.n == 1) {
        g->lone_at = g->buf.len - len;
        g->lone_len = len;
    }
    if (deadline_ms > g->deadline_ms)
        g->deadline_ms = deadline_ms;
    if (g->bw.n == HR_BATCH_MAX)
        flush (loop);
    else if (!h2o_timeout_is_linked (&loop->flush_entry))
        h2o_timeout_link (loop->ctx->loop, &loop->ctx->zero_timeout, &loop->flush_entry);
}

void
gw_loop_after_iteration (gw_loop_t *self)
{
    if (h2o_timeout_is_linked (&self->flush_entry)) {
        h2o_timeout_unlink (&self->flush_entry);
        flush (self);
    }
    if (self->dirty)
        drain (self);
}

/* ---------------------------------------------------------------- loop */

/*  Holding (gw_fanout.h): its budget, silence window, timer, counters.    */
static void
hold_init (gw_loop_t *self, h2o_context_t *ctx, const gw_settings_t *settings)
{
    self->hold_ns = settings->hold_ms > 0 ? (uint64_t) settings->hold_ms * 1000000u : 0;
    self->silence_ns = (uint64_t) (settings->breaker_silence_ms > 0 ? settings->breaker_silence_ms : 0) * 1000000u;
    h2o_timeout_init (ctx->loop, &self->hold_tick, HOLD_TICK_MS);
    self->holds = hr_counter ("hr_gateway_held_total",
        "Reads with no answer and writes still waiting past deadline and grace because their service is alive (HR_GATEWAY_HOLD_MS)", NULL);
    self->holds_answered = hr_counter ("hr_gateway_held_answered_total",
        "Of those, the ones their service answered (no 503)", NULL);
    self->holds_given_up = hr_counter ("hr_gateway_held_given_up_total",
        "Of those, the ones given up: the service fell silent for HR_GATEWAY_BREAKER_SILENCE_MS, or HR_GATEWAY_HOLD_MS passed", NULL);
}

gw_loop_t *
gw_loop_new (h2o_context_t *ctx, const char *broker_endpoint,
             const gw_settings_t *settings, unsigned thread_index)
{
    gw_loop_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->ctx = ctx;
    self->client = hr_client_new (broker_endpoint);
    int fd = self->client ? dup (hr_client_fd (self->client)) : -1;
    if (fd < 0) {
        hr_error ("gateway: cannot connect a client to the broker at %s", broker_endpoint);
        hr_client_destroy (&self->client);
        free (self);
        return NULL;
    }
    /*  With ZMQ_IMMEDIATE the first sends fail until the TCP connection is
        up: wait for it (one round trip to the broker) before serving.     */
    void *body = NULL;
    size_t body_len = 0;
    if (hr_client_call (self->client, "mmi.workers", NULL, 0, 2000, &body, &body_len) != HR_OK)
        hr_warn ("gateway: the broker at %s does not answer yet", broker_endpoint);
    free (body);
    self->zsock = h2o_evloop_socket_create (ctx->loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    self->zsock->data = self;
    h2o_socket_read_start (self->zsock, on_zmq_readable);
    self->drain_entry.cb = on_drain_timeout;
    self->flush_entry.cb = on_flush_timeout;
    for (int s = 0; s < GW_SVC_COUNT; s++)
        hr_writer_init (&self->gather[s].buf);

    self->budget_ms[GW_WAIT_FULL] = settings->deadline_ms;
    self->budget_ms[GW_WAIT_HALF] = settings->deadline_ms / 2 > 0 ? settings->deadline_ms / 2 : 1;
    self->budget_ms[GW_WAIT_WRITE] = settings->write_timeout_ms;
    self->budget_ms[GW_WAIT_REST] = settings->deadline_ms;    /* (its timer is the request's) */
    for (int k = 0; k < GW_WAIT_KINDS; k++)
        h2o_timeout_init (ctx->loop, &self->timeouts[k], (uint64_t) self->budget_ms[k]);
    self->grace_ms = settings->grace_ms;
    h2o_timeout_init (ctx->loop, &self->grace, (uint64_t) (self->grace_ms > 0 ? self->grace_ms : 1));
    self->grace_waits = hr_counter ("hr_gateway_grace_waits_total",
        "Reads whose services had all missed the deadline and that waited for a first answer (HR_GATEWAY_GRACE_MS)", NULL);
    self->grace_saved = hr_counter ("hr_gateway_grace_answered_total",
        "Of those, the ones a service answered within the grace (no 503)", NULL);
    hold_init (self, ctx, settings);

    for (int s = 0; s < GW_SVC_COUNT; s++) {
        char labels[64];
        snprintf (labels, sizeof labels, "service=\"%s\"", gw_service_name ((gw_service_t) s));
        gw_breaker_init (&self->breakers[s], settings->breaker_threshold, settings->breaker_cooldown_ms);
        gw_breaker_set_silence (&self->breakers[s], settings->breaker_silence_ms);
        self->metrics[s].latency = hr_histogram ("hr_gateway_fanout_seconds",
            "Time from sending a call to its reply, per service", labels);
        self->metrics[s].timeouts = hr_counter ("hr_gateway_fanout_timeouts_total",
            "Calls that got no reply before the request deadline", labels);
        self->metrics[s].errors = hr_counter ("hr_gateway_fanout_errors_total",
            "Calls answered with an error status (unavailable, expired, ...)", labels);
        self->metrics[s].skipped = hr_counter ("hr_gateway_fanout_skipped_total",
            "Calls not sent because the service's circuit was open", labels);
        self->metrics[s].opened = hr_counter ("hr_gateway_breaker_opened_total",
            "Times a service's circuit breaker opened", labels);
    }
    self->late_replies = hr_counter ("hr_gateway_late_replies_total",
        "Replies that arrived after their request stopped waiting", NULL);
    self->batches = hr_counter ("hr_gateway_batches_total",
        "Messages that carried several calls to one service (hr_batch)", NULL);
    self->batched_calls = hr_counter ("hr_gateway_batched_calls_total",
        "Calls sent inside batch messages", NULL);
    s_inflight_gauge = hr_gauge ("hr_gateway_inflight", "Requests waiting on services", NULL);
    s_max_inflight = settings->max_inflight;
    self->active_max = settings->active_per_loop > 0 ? settings->active_per_loop : INT32_MAX;
    self->queued_total = hr_counter ("hr_gateway_admission_queued_total",
        "Requests that waited in the gateway for a free fan-out slot (HR_GATEWAY_ACTIVE_PER_LOOP)", NULL);
    self->thread_bits = (uint64_t) thread_index << 48;
    self->dirty = true;         /* hr_client_call above used the socket */
    return self;
}

void
gw_loop_destroy (gw_loop_t **self_p)
{
    gw_loop_t *self = *self_p;
    if (!self)
        return;
    if (h2o_timeout_is_linked (&self->drain_entry))
        h2o_timeout_unlink (&self->drain_entry);
    if (h2o_timeout_is_linked (&self->flush_entry))
        h2o_timeout_unlink (&self->flush_entry);
    for (int s = 0; s < GW_SVC_COUNT; s++)
        hr_writer_free (&self->gather[s].buf);
    for (unsigned i = 0; i < BATCH_RING; i++)
        batch_slot_free (&self->batches_ring[i]);
    h2o_socket_read_stop (self->zsock);
    h2o_socket_close (self->zsock);     /* closes our dup, not libzmq's fd */
    for (int k = 0; k < GW_WAIT_KINDS; k++)
        h2o_timeout_dispose (self->ctx->loop, &self->timeouts[k]);
    h2o_timeout_dispose (self->ctx->loop, &self->grace);
    h2o_timeout_dispose (self->ctx->loop, &self->hold_tick);
    hr_client_destroy (&self->client);
    free (self);
    *self_p = NULL;
}

const gw_breaker_t *
gw_loop_breaker (gw_loop_t *self, gw_service_t svc)
{
    return &self->breakers[svc];
}

/* ---------------------------------------------------------------- fan-out */

static void send_call (gw_fanout_t *f, int i, const void *body, size_t len);

/*  Lets `f` ask the services: its phase deadline starts now and the calls
    it queued go out.  */
static void
admit (gw_fanout_t *f)
{
    gw_loop_t *loop = f->loop;
    int64_t now = hr_now_ms ();
    if (!f->admitted && f->kind == GW_WAIT_HALF) {
        f->request_deadline_ms = now + loop->budget_ms[GW_WAIT_FULL];
        h2o_timeout_link (loop->ctx->loop, &loop->timeouts[GW_WAIT_FULL], &f->request_entry);
    }
    f->admitted = true;
    if (h2o_timeout_is_linked (&f->deadline_entry))
        h2o_timeout_unlink (&f->deadline_entry);
    if (f->kind == GW_WAIT_REST && h2o_timeout_is_linked (&f->request_entry))
        f->deadline_ms = f->request_deadline_ms;     /* ends with the request's budget */
    else {
        gw_wait_t k = f->kind == GW_WAIT_REST ? GW_WAIT_HALF : f->kind;   /* (no budget armed) */
        f->deadline_ms = now + loop->budget_ms[k];
        h2o_timeout_link (loop->ctx->loop, &loop->timeouts[k], &f->deadline_entry);
    }
    for (int i = 0; i < f->ncalls; i++)
        if (f->held_body[i])
            send_call (f, i, f->held_body[i], f->held_len[i]);
    if (f->waiting && f->pending == 0)
        finish_soon (f);
}

/*  `f` is done asking: its slot goes to the first one waiting.            */
static void
release (gw_fanout_t *f)
{
    gw_loop_t *loop = f->loop;
    if (f->queued) {            /* never admitted (its request ended first) */
        gw_fanout_t **at = &loop->queue_head, *prev = NULL;
        while (*at && *at != f) {
            prev = *at;
            at = &(*at)->next_queued;
        }
        if (*at)
            *at = f->next_queued;
        if (loop->queue_tail == f)
            loop->queue_tail = prev;
        f->queued = false;
    }
    if (!f->counted)
        return;
    f->counted = false;
    loop->active--;
    while (loop->queue_head && loop->active < loop->active_max) {
        gw_fanout_t *next = loop->queue_head;
        loop->queue_head = next->next_queued;
        if (!loop->queue_head)
            loop->queue_tail = NULL;
        next->queued = false;
        next->counted = true;
        loop->active++;
        admit (next);
    }
}

static void
fanout_dispose (void *p)
{
    gw_fanout_t *f = p;
    if (h2o_timeout_is_linked (&f->deadline_entry))
        h2o_timeout_unlink (&f->deadline_entry);
    if (h2o_timeout_is_linked (&f->done_entry))
        h2o_timeout_unlink (&f->done_entry);
    if (h2o_timeout_is_linked (&f->request_entry))
        h2o_timeout_unlink (&f->request_entry);
    for (int i = 0; i < f->ncalls; i++) {
        ring_slot_t *slot = &f->loop->ring[f->ids[i] & RING_MASK];
        if (f->calls[i].outcome != GW_CALL_PENDING || !f->admitted)
            continue;
        if (slot->fanout == f)
            slot->fanout = NULL;
        gw_breaker_t *b = &f->loop->breakers[f->calls[i].service];
        if (b->state == GW_BREAKER_HALF_OPEN)   /* the probe died with its request */
            gw_breaker_on_timeout (b, hr_now_ms ());
    }
    release (f);
    atomic_fetch_sub (&s_inflight, 1);
    hr_gauge_add (s_inflight_gauge, -1);
}

static void
run_callback (gw_fanout_t *f)
{
    f->waiting = false;
    gw_fanout_cb cb = f->cb;
    f->cb = NULL;
    if (cb)
        cb (f, f->arg);
    if (!f->waiting)            /* no further phase: the slot is free */
        release (f);
}

static void
on_done (h2o_timeout_entry_t *entry)
{
    gw_fanout_t *f = H2O_STRUCT_FROM_MEMBER (gw_fanout_t, done_entry, entry);
    if (f->held) {              /* every call answered while held */
        hr_counter_inc (f->loop->holds_answered);
        f->held = false;
    }
    run_callback (f);
}

static bool
any_answered (const gw_fanout_t *f)
{
    for (int i = 0; i < f->ncalls; i++)
        if (f->calls[i].outcome == GW_CALL_OK)
            return true;
    return false;
}

/*  Every call of `f` still pending timed out.  */
static void
time_out_pending (gw_fanout_t *f)
{
    uint64_t now_ns = mono_ns ();
    for (int i = 0; i < f->ncalls; i++) {
        gw_call_t *call = &f->calls[i];
        if (call->outcome != GW_CALL_PENDING)
            continue;
        ring_slot_t *slot = &f->loop->ring[f->ids[i] & RING_MASK];
        if (slot->fanout == f)
            slot->fanout = NULL;
        call->outcome = GW_CALL_TIMEOUT;
        /*  Only silence moves the breaker: a service that answered since
            this call went out is slow, not gone (gw_breaker.h).  */
        if (f->kind != GW_WAIT_WRITE
            && gw_breaker_silent (&f->loop->breakers[call->service], f->sent_ns[i], now_ns))
            breaker_timeout (f->loop, call->service);
        hr_counter_inc (f->loop->metrics[call->service].timeouts);
    }
    f->pending = 0;
}

/*  Is a call `f` cannot answer without still pending (alive_only: to a
    service alive at `now_ns`: one that answered a call itself (HR_OK, on time or late, any request of this loop)
    since the call went out or within the last silence window?  A
    CPU-starved service keeps answering, late; a frozen or dead one falls
    silent.  */
static bool
needed_pending (const gw_fanout_t *f, bool alive_only, uint64_t now_ns)
{
    bool any = f->kind == GW_WAIT_WRITE || (f->need_one && !any_answered (f));
    for (int i = 0; i < f->ncalls; i++) {
        if (f->calls[i].outcome != GW_CALL_PENDING
            || !(any || (f->required & (1u << f->calls[i].service))))
            continue;
        if (!alive_only)
            return true;
        uint64_t heard = f->loop->alive_ns[f->calls[i].service];
        uint64_t since = heard > f->sent_ns[i] ? heard : f->sent_ns[i];
        if (heard >= f->sent_ns[i] || now_ns - since < f->loop->silence_ns)
            return true;
    }
    return false;
}

/*  May the phase wait on past its deadline (and grace)?  Only for calls
    it cannot answer without — a read's with no answer yet
    (gw_fanout_need_one), a required one (gw_fanout_require), a write's —
    while the service is alive, for at most HR_GATEWAY_HOLD_MS from its
    deadline.                                                              */
static bool
may_hold (const gw_fanout_t *f, uint64_t now_ns)
{
    const gw_loop_t *loop = f->loop;
    if (loop->hold_ns == 0 || f->pending == 0 || !f->admitted)
        return false;
    if (now_ns - f->overdue_ns >= loop->hold_ns)
        return false;
    return needed_pending (f, true, now_ns);
}

/*  The phase's deadline passed: every call still pending timed out —
    unless the phase needs one answer and has none yet: then it waits up
    to the grace budget for the first (gw_fanout_need_one).               */
static void
end_phase (gw_fanout_t *f)
{
    gw_loop_t *loop = f->loop;
    uint64_t now_ns = mono_ns ();
    if (!f->overdue_ns)
        f->overdue_ns = now_ns;
    if (f->need_one && !f->in_grace && f->pending > 0 && loop->grace_ms > 0 && !any_answered (f)) {
        f->in_grace = true;
        hr_counter_inc (loop->grace_waits);
        if (h2o_timeout_is_linked (&f->deadline_entry))
            h2o_timeout_unlink (&f->deadline_entry);
        h2o_timeout_link (loop->ctx->loop, &loop->grace, &f->deadline_entry);
        return;
    }
    if (may_hold (f, now_ns)) {
        if (!f->held) {
            f->held = true;
            hr_counter_inc (loop->holds);
        }
        if (h2o_timeout_is_linked (&f->deadline_entry))
            h2o_timeout_unlink (&f->deadline_entry);
        h2o_timeout_link (loop->ctx->loop, &loop->hold_tick, &f->deadline_entry);
        return;
    }
    if (f->held) {              /* its needed calls answered, or given up */
        hr_counter_inc (needed_pending (f, false, 0) ? loop->holds_given_up : loop->holds_answered);
        f->held = false;
    }
    time_out_pending (f);
    if (h2o_timeout_is_linked (&f->deadline_entry))
        h2o_timeout_unlink (&f->deadline_entry);
    if (h2o_timeout_is_linked (&f->done_entry))
        h2o_timeout_unlink (&f->done_entry);
    if (f->waiting)
        run_callback (f);
}

static void
on_deadline (h2o_timeout_entry_t *entry)
{
    end_phase (H2O_STRUCT_FROM_MEMBER (gw_fanout_t, deadline_entry, entry));
}

/*  The request's whole budget is spent: a GW_WAIT_REST phase ends.  */
static void
on_request_deadline (h2o_timeout_entry_t *entry)
{
    gw_fanout_t *f = H2O_STRUCT_FROM_MEMBER (gw_fanout_t, request_entry, entry);
    if (f->admitted && f->kind == GW_WAIT_REST && (f->waiting || f->pending))
        end_phase (f);
}

static void
finish_soon (gw_fanout_t *f)
{
    if (h2o_timeout_is_linked (&f->deadline_entry))
        h2o_timeout_unlink (&f->deadline_entry);
    if (!h2o_timeout_is_linked (&f->done_entry))
        h2o_timeout_link (f->loop->ctx->loop, &f->loop->ctx->zero_timeout, &f->done_entry);
}

gw_fanout_t *
gw_fanout_new (gw_loop_t *loop, h2o_req_t *req)
{
    if (atomic_fetch_add (&s_inflight, 1) >= s_max_inflight) {
        atomic_fetch_sub (&s_inflight, 1);
        return NULL;
    }
    hr_gauge_add (s_inflight_gauge, 1);
    gw_fanout_t *f = h2o_mem_alloc_shared (&req->pool, sizeof *f, fanout_dispose);
    memset (f, 0, sizeof *f);
    f->loop = loop;
    f->req = req;
    f->deadline_entry.cb = on_deadline;
    f->done_entry.cb = on_done;
    f->request_entry.cb = on_request_deadline;
    return f;
}

void
gw_fanout_phase (gw_fanout_t *f, gw_wait_t kind)
{
    assert (kind < GW_WAIT_KINDS && f->pending == 0);
    gw_loop_t *loop = f->loop;
    f->kind = kind;
    f->need_one = f->in_grace = f->grace_counted = f->held = false;
    f->overdue_ns = 0;
    f->required = 0;
    if (f->admitted) {
        admit (f);              /* a later phase: its own deadline, from now */
        return;
    }
    /*  Writes are never held back (the caller waits for the acknowledgement). */
    if (kind == GW_WAIT_WRITE) {
        admit (f);
        return;
    }
    if (loop->active < loop->active_max) {
        f->counted = true;
        loop->active++;
        admit (f);
        return;
    }
    f->queued = true;
    f->next_queued = NULL;
    if (loop->queue_tail)
        loop->queue_tail->next_queued = f;
    else
        loop->queue_head = f;
    loop->queue_tail = f;
    hr_counter_inc (loop->queued_total);
}

/*  Sends (queues for this iteration's message) call i of an admitted
    fan-out.  */
static void
send_call (gw_fanout_t *f, int i, const void *body, size_t len)
{
    gw_loop_t *loop = f->loop;
    gw_call_t *call = &f->calls[i];
    gw_service_t svc = call->service;
    f->held_body[i] = NULL;
    /*  Writes are never skipped: the caller needs the acknowledgement, and
        read timeouts under load must not turn clicks into 503s.  */
    if (f->kind != GW_WAIT_WRITE && !gw_breaker_allow (&loop->breakers[svc], hr_now_ms ())) {
        call->outcome = GW_CALL_SKIPPED;
        hr_counter_inc (loop->metrics[svc].skipped);
        return;
    }
    uint64_t seq = ++loop->seq;
    ring_slot_t *slot = &loop->ring[seq & RING_MASK];
    uint64_t id = loop->thread_bits | (seq & SEQ_MASK);
    if (slot->fanout) {         /* the ring is full of calls still in flight */
        mark_unsent (loop, call);
        return;
    }
    slot->fanout = f;
    slot->id = id;
    slot->index = i;
    slot->service = svc;
    f->ids[i] = id;
    f->sent_ns[i] = mono_ns ();
    f->pending++;
    /*  The broker answers mmi.* itself and knows no batches.              */
    /*  A phase that needs one answer may wait the grace past its deadline:
        the services keep its calls as long.  */
    /*  ... and a call the phase may be held for (gw_fanout.h "Holding"),
        the hold budget too: a write, a required call, any call of a
        need_one phase without required ones.  Only those: a killed worker
        busy with a call stays in the broker until the call's deadline
        (+ its liveness window), /readyz with it.  */
    int64_t hold_ms = (int64_t) (loop->hold_ns / 1000000u);
    bool for_hold = f->kind == GW_WAIT_WRITE || (f->required & (1u << svc))
                  || (f->need_one && !f->required);
    int64_t deadline_ms = f->deadline_ms + (f->need_one ? loop->grace_ms : 0) + (for_hold ? hold_ms : 0);
    if (svc == GW_SVC_MMI) {
        if (hr_client_send (loop->client, gw_service_name (svc), id, deadline_ms, body, len) != 0)
            settle_unsent (loop, id);
        after_send (loop);
    }
    else
        gather (loop, svc, id, deadline_ms, body, len);
}

int
gw_fanout_add (gw_fanout_t *f, gw_service_t svc, const void *body, size_t len)
{
    assert (f->ncalls < GW_FANOUT_MAX_CALLS && svc < GW_SVC_COUNT);
    int i = f->ncalls++;
    gw_call_t *call = &f->calls[i];
    call->service = svc;
    call->outcome = GW_CALL_PENDING;
    if (f->admitted) {
        send_call (f, i, body, len);
        return i;
    }
    /*  Waiting for admission: keep a copy (the writer is reused).         */
    void *copy = h2o_mem_alloc_pool (&f->req->pool, len ? len : 1);
    if (len)
        memcpy (copy, body, len);
    f->held_body[i] = copy;
    f->held_len[i] = len;
    return i;
}

void
gw_fanout_wait (gw_fanout_t *f, gw_fanout_cb cb, void *arg)
{
    f->cb = cb;
    f->arg = arg;
    f->waiting = true;
    if (f->admitted && f->pending == 0)
        finish_soon (f);
}

void
gw_fanout_need_one (gw_fanout_t *f)
{
    f->need_one = true;
}

void
gw_fanout_require (gw_fanout_t *f, gw_service_t svc)
{
    assert (svc < GW_SVC_COUNT);
    f->required |= 1u << svc;
}

const gw_call_t *
gw_fanout_call (const gw_fanout_t *f, int index)
{
    assert (index >= 0 && index < f->ncalls);
    return &f->calls[index];
}

h2o_req_t *
gw_fanout_req (const gw_fanout_t *f)
{
    return f->req;
}
