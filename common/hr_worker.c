/*  hr_worker — a service replica's DEALER to the broker: READY, heartbeats
    while idle, reconnect when the broker falls silent, requests one at a
    time.  Frames: docs/protocol.md ("Frames").                             */
#include "hr_worker.h"
#include "hr_wire.h"
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_curve.h"
#include "hr_frames.h"
#include "hr_log.h"
#include "hr_status.h"

#include <czmq.h>
#include <stdatomic.h>
#include <string.h>

#define REQUEST_FRAMES 6        /* [HRW1][REQUEST][cid][u64 id][i64 deadline][body] */
#define DISCONNECT_LINGER_MS 200

static atomic_int s_heartbeat_ms = HR_HEARTBEAT_INTERVAL_MS;

void
hr_worker_set_heartbeat (int interval_ms)
{
    assert (interval_ms > 0);
    atomic_store (&s_heartbeat_ms, interval_ms);
}

struct hr_worker {
    char *endpoint;
    char service[HR_SERVICE_NAME_MAX + 1];
    hr_curve_keys_t curve;      /* copied at creation: reconnects reuse it */
    zsock_t *sock;
    void *s;
    int ivl;
    int64_t heartbeat_at;       /* monotonic ms: next heartbeat we owe */
    int64_t broker_expiry;      /* monotonic ms: broker presumed gone after */
    zmq_msg_t parts[REQUEST_FRAMES];
    int nparts;
    bool holding;               /* a request is waiting for hr_worker_reply */
    uint64_t request_id;
};


static int
send_command (hr_worker_t *self, uint8_t command, const char *arg)
{
    if (zmq_send (self->s, HR_PROTO_WORKER, HR_PROTO_HEADER_LEN, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return -1;
    if (arg) {
        zmq_send (self->s, &command, 1, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        return zmq_send (self->s, arg, strlen (arg), ZMQ_DONTWAIT) < 0 ? -1 : 0;
    }
    return zmq_send (self->s, &command, 1, ZMQ_DONTWAIT) < 0 ? -1 : 0;
}

static void
release_request (hr_worker_t *self)
{
    for (int i = 0; i < self->nparts; i++)
        zmq_msg_close (&self->parts[i]);
    self->nparts = 0;
    self->holding = false;
}

/*  A fresh socket every time: the broker may have restarted and forgotten
    us, and a new routing id makes the new registration unambiguous.       */
static int
connect_to_broker (hr_worker_t *self)
{
    release_request (self);
    if (self->sock) {
        /*  If a broker did register this socket, it forgets it at once
            instead of sending it requests until its liveness runs out.    */
        send_command (self, HR_WORKER_DISCONNECT, NULL);
        zsock_set_linger (self->sock, DISCONNECT_LINGER_MS);
    }
    zsock_destroy (&self->sock);
    self->s = NULL;
    self->sock = zsock_new (ZMQ_DEALER);
    if (!self->sock)
        return -1;
    zsock_set_linger (self->sock, 0);
    zsock_set_maxmsgsize (self->sock, HR_MSG_MAX);
    if (hr_curve_apply_client (self->sock, &self->curve) != 0
        || zsock_connect (self->sock, "%s", self->endpoint) < 0) {
        hr_error ("worker: cannot connect to %s", self->endpoint);
        zsock_destroy (&self->sock);
        self->s = NULL;
        return -1;
    }
    self->s = zsock_resolve (self->sock);
    int64_t now = zclock_mono ();
    self->heartbeat_at = now + self->ivl;
    self->broker_expiry = now + (int64_t) self->ivl * HR_HEARTBEAT_LIVENESS;
    return send_command (self, HR_WORKER_READY, self->service);
}

hr_worker_t *
hr_worker_new (const char *broker_endpoint, const char *service)
{
    assert (broker_endpoint && service);
    size_t service_len = strlen (service);
    if (service_len == 0 || service_len > HR_SERVICE_NAME_MAX) {
        hr_error ("worker: invalid service name '%s'", service);
        return NULL;
    }
    hr_worker_t *self = (hr_worker_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->endpoint = strdup (broker_endpoint);
    memcpy (self->service, service, service_len + 1);
    self->ivl = atomic_load (&s_heartbeat_ms);
    /*  inproc has no handshake: no keys (as hr_client_new)  */
    bool inproc = strncmp (broker_endpoint, "inproc://", 9) == 0;
    if (!self->endpoint || (!inproc && hr_curve_client_keys (&self->curve) != 0)
        || connect_to_broker (self) != 0) {
        zsock_destroy (&self->sock);
        free (self->endpoint);
        memset (&self->curve, 0, sizeof self->curve);
        free (self);
        return NULL;
    }
    return self;
}

void
hr_worker_destroy (hr_worker_t **self_p)
{
    assert (self_p);
    hr_worker_t *self = *self_p;
    if (!self)
        return;
    if (self->sock) {
        /*  A short linger lets DISCONNECT leave after the socket is closed;
            the broker then answers anything we held HR_UNAVAILABLE.       */
        send_command (self, HR_WORKER_DISCONNECT, NULL);
        zsock_set_linger (self->sock, DISCONNECT_LINGER_MS);
    }
    release_request (self);
    zsock_destroy (&self->sock);
    free (self->endpoint);
    memset (&self->curve, 0, sizeof self->curve);
    free (self);
    *self_p = NULL;
}

static int
send_reply (hr_worker_t *self, uint8_t status, const void *body, size_t len)
{
    uint8_t command = HR_WORKER_REPLY, idb[8];
    hr_le64_put (idb, self->request_id);
    zmq_msg_t *cid = &self->parts[2];
    if (zmq_send (self->s, HR_PROTO_WORKER, HR_PROTO_HEADER_LEN, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return -1;
    zmq_send (self->s, &command, 1, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send (self->s, zmq_msg_data (cid), zmq_msg_size (cid), ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send (self->s, idb, 8, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send (self->s, &status, 1, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send (self->s, body, len, ZMQ_DONTWAIT);
    return 0;
}

/*  Reads one message from the broker.  1 = a live request is now held and
    *work is filled; 0 = anything else (handled here).                     */
static int
read_message (hr_worker_t *self, hr_work_t *work)
{
    int total = 0;
    bool more;
    do {
        zmq_msg_t junk;
        zmq_msg_t *m = total < REQUEST_FRAMES ? &self->parts[total] : &junk;
        zmq_msg_init (m);
        if (zmq_msg_recv (m, self->s, total == 0 ? ZMQ_DONTWAIT : 0) < 0) {
            zmq_msg_close (m);
            release_request (self);
            return 0;
        }
        more = zmq_msg_more (m);
        if (m == &junk)
            zmq_msg_close (m);
        else
            self->nparts = total + 1;
        total++;
    } while (more);

    self->broker_expiry = zclock_mono () + (int64_t) self->ivl * HR_HEARTBEAT_LIVENESS;
    hr_frame_t frames[REQUEST_FRAMES];
    for (int i = 0; i < self->nparts; i++)
        frames[i] = (hr_frame_t) { zmq_msg_data (&self->parts[i]), zmq_msg_size (&self->parts[i]) };
    hr_frames_broker_t m;
    bool ok = total <= REQUEST_FRAMES && hr_frames_broker_message (frames, total, &m) == 0;
    uint8_t command = ok ? m.command : 0;
    if (ok && command == HR_WORKER_REQUEST) {
        self->request_id = m.id;
        int64_t deadline = m.deadline;
        if (deadline <= hr_now_ms ()) {
            /*  Nobody waits for it any more; answering still frees us at
                the broker.  */
            static const char why[] = "deadline passed before the worker got it";
            send_reply (self, HR_EXPIRED, why, sizeof why - 1);
            release_request (self);
            return 0;
        }
        self->holding = true;
        work->request_id = self->request_id;
        work->deadline_ms = deadline;
        work->body = zmq_msg_data (&self->parts[5]);
        work->body_len = zmq_msg_size (&self->parts[5]);
        return 1;
    }
    release_request (self);
    if (ok && command == HR_WORKER_DISCONNECT) {
        hr_info ("worker: broker asked %s to reconnect", self->service);
        connect_to_broker (self);
    }
    else if (!ok)
        hr_debug ("worker: malformed message from the broker dropped");
    return 0;
}

int
hr_worker_recv (hr_worker_t *self, hr_work_t *work, int timeout_ms)
{
    assert (self && work);
    if (self->holding) {
        /*  The caller moved on without answering: the broker still counts us
            busy, so answer for it.  */
        static const char why[] = "worker returned no reply";
        send_reply (self, HR_INTERNAL, why, sizeof why - 1);
    }
    release_request (self);
    int64_t end = zclock_mono () + timeout_ms;
    while (true) {
        int64_t now = zclock_mono ();
        if (!self->sock) {    /* a reconnect failed: try again each beat */
            if (now >= self->heartbeat_at) {
                self->heartbeat_at = now + self->ivl;
                connect_to_broker (self);
            }
            if (!self->sock) {
                if (now >= end)
                    return 0;
                zclock_sleep ((int) (self->ivl < end - now ? self->ivl : end - now));
                continue;
            }
        }
        int64_t until = end < self->heartbeat_at ? end : self->heartbeat_at;
        long wait = until > now ? (long) (until - now) : 0;
        zmq_pollitem_t item = { self->s, 0, ZMQ_POLLIN, 0 };
        int rc = zmq_poll (&item, 1, wait);
        if (rc < 0)
            return -1;    /* EINTR (a signal) or ETERM */
        if (rc > 0 && read_message (self, work) == 1)
            return 1;
        now = zclock_mono ();
        if (now >= self->heartbeat_at) {
            send_command (self, HR_WORKER_HEARTBEAT, NULL);
            self->heartbeat_at = now + self->ivl;
        }
        if (now >= self->broker_expiry) {
            hr_warn ("worker: broker %s silent, reconnecting %s", self->endpoint,
                     self->service);
            if (connect_to_broker (self) != 0) {
                zsock_destroy (&self->sock);
                self->s = NULL;
            }
        }
        if (now >= end)
            return 0;
    }
}

int
hr_worker_reply (hr_worker_t *self, uint8_t status, const void *body, size_t len)
{
    assert (self);
    if (!self->holding)
        return -1;
    static const char too_large[] = "reply larger than HR_MSG_MAX";
    if (len > HR_MSG_MAX) {     /* the broker would drop our connection */
        hr_error ("worker: %s reply of %zu bytes refused (HR_MSG_MAX)", self->service, len);
        status = HR_INTERNAL;
        body = too_large;
        len = sizeof too_large - 1;
    }
    int rc = send_reply (self, status, body, len);
    release_request (self);
    return rc;
}
