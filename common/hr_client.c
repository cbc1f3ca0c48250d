/*  hr_client — a DEALER to the broker; requests and replies are matched by
    request id, so any number may be in flight.  Frames: docs/protocol.md.

    ZMQ_IMMEDIATE=1 makes a send fail at once while the broker is
    unreachable instead of queueing work that would reach it after the
    caller has given up (measured in /work/shared/notes/h2o-zmq.md).       */
#include "hr_client.h"
#include "hr_broker.h"
#include "hr_curve.h"
#include "hr_frames.h"
#include "hr_log.h"
#include "hr_wire.h"
#include "hr_metrics.h"
#include "hr_status.h"

#include <czmq.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#define CLIENT_HWM 10000
#define REPLY_FRAMES 5          /* [HRC1][service][u64 id][u8 status][body] */

struct hr_client {
    zsock_t *sock;
    void *s;                    /* raw libzmq handle */
    zmq_msg_t body;             /* the last reply's body, until the next recv */
    uint64_t next_call_id;
    hr_counter_t *malformed;
};

int64_t
hr_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


hr_client_t *
hr_client_new (const char *broker_endpoint)
{
    assert (broker_endpoint);
    hr_client_t *self = (hr_client_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->sock = zsock_new (ZMQ_DEALER);
    if (!self->sock) {
        free (self);
        return NULL;
    }
    zsock_set_immediate (self->sock, 1);
    zsock_set_linger (self->sock, 0);
    zsock_set_sndhwm (self->sock, CLIENT_HWM);
    zsock_set_maxmsgsize (self->sock, HR_MSG_MAX);
    /*  inproc has no security handshake (libzmq ignores the mechanism):
        skip the keys, and the throw-away key pair they may cost.          */
    int curve_rc = 0;
    if (strncmp (broker_endpoint, "inproc://", 9) != 0) {
        hr_curve_keys_t curve;
        curve_rc = hr_curve_client_keys (&curve);
        if (curve_rc == 0)
            curve_rc = hr_curve_apply_client (self->sock, &curve);
        memset (&curve, 0, sizeof curve);    /* libzmq keeps its own copy */
    }
    if (curve_rc != 0 || zsock_connect (self->sock, "%s", broker_endpoint) < 0) {
        hr_error ("client: cannot connect to %s", broker_endpoint);
        zsock_destroy (&self->sock);
        free (self);
        return NULL;
    }
    self->s = zsock_resolve (self->sock);
    zmq_msg_init (&self->body);
    /*  Call ids start somewhere different in every client so that logs of
        several clients are not full of the same small numbers.            */
    self->next_call_id = ((uint64_t) zclock_usecs () << 16) ^ (uint64_t) (uintptr_t) self;
    self->malformed = hr_counter ("hr_client_malformed_total",
                                  "Replies from the broker dropped as malformed", NULL);
    return self;
}

void
hr_client_destroy (hr_client_t **self_p)
{
    assert (self_p);
    hr_client_t *self = *self_p;
    if (self) {
        zmq_msg_close (&self->body);
        zsock_destroy (&self->sock);
        free (self);
        *self_p = NULL;
    }
}

int
hr_client_send (hr_client_t *self, const char *service, uint64_t request_id,
                int64_t deadline_ms, const void *body, size_t len)
{
    assert (self && service);
    size_t service_len = strlen (service);
    if (service_len == 0 || service_len > HR_SERVICE_NAME_MAX)
        return -1;
    if (len > HR_MSG_MAX) {     /* the broker would drop the whole connection */
        errno = EMSGSIZE;
        return -1;
    }
    uint8_t idb[8], dlb[8];
    hr_le64_put (idb, request_id);
    hr_le64_put (dlb, (uint64_t) deadline_ms);
    /*  Once the first frame is accepted libzmq accepts the whole message. */
    if (zmq_send (self->s, HR_PROTO_CLIENT, HR_PROTO_HEADER_LEN, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return -1;
    zmq_send (self->s, service, service_len, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send (self->s, idb, 8, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send (self->s, dlb, 8, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send (self->s, body, len, ZMQ_DONTWAIT);
    return 0;
}

/*  Reads one message: 1 = parts[] holds exactly REPLY_FRAMES frames,
    2 = a message of the wrong shape was consumed, 0 = none waiting.       */
static int
recv_frames (hr_client_t *self, zmq_msg_t *parts, int *error)
{
    int total = 0;
    bool more;
    *error = 0;
    do {
        zmq_msg_t junk;
        zmq_msg_t *m = total < REPLY_FRAMES ? &parts[total] : &junk;
        zmq_msg_init (m);
        if (zmq_msg_recv (m, self->s, total == 0 ? ZMQ_DONTWAIT : 0) < 0) {
            zmq_msg_close (m);
            if (total == 0 && zmq_errno () != EAGAIN && zmq_errno () != EINTR)
                *error = 1;
            for (int i = 0; i < total && i < REPLY_FRAMES; i++)
                zmq_msg_close (&parts[i]);
            return 0;
        }
        more = zmq_msg_more (m);
        if (m == &junk)
            zmq_msg_close (m);
        total++;
    } while (more);
    if (total == REPLY_FRAMES)
        return 1;
    for (int i = 0; i < total && i < REPLY_FRAMES; i++)
        zmq_msg_close (&parts[i]);
    return 2;
}

int
hr_client_recv (hr_client_t *self, hr_reply_t *reply)
{
    assert (self && reply);
    zmq_msg_close (&self->body);
    zmq_msg_init (&self->body);
    while (true) {
        zmq_msg_t parts[REPLY_FRAMES];
        int error;
        int got = recv_frames (self, parts, &error);
        if (got == 0)
            return error ? -1 : 0;
        if (got == 1) {
            hr_frame_t frames[REPLY_FRAMES];
            for (int i = 0; i < REPLY_FRAMES; i++)
                frames[i] = (hr_frame_t) { zmq_msg_data (&parts[i]), zmq_msg_size (&parts[i]) };
            hr_frames_reply_t m;
            bool ok = hr_frames_reply (frames, REPLY_FRAMES, &m) == 0;
            if (ok) {
                memcpy (reply->service, m.service, sizeof reply->service);
                reply->request_id = m.id;
                reply->status = m.status;
                zmq_msg_move (&self->body, &parts[4]);
                reply->body = zmq_msg_data (&self->body);
                reply->body_len = zmq_msg_size (&self->body);
            }
            for (int i = 0; i < REPLY_FRAMES; i++)
                zmq_msg_close (&parts[i]);
            if (ok)
                return 1;
        }
        hr_counter_inc (self->malformed);
        hr_debug ("client: malformed reply dropped");
    }
}

int
hr_client_fd (hr_client_t *self)
{
    assert (self);
    return zsock_fd (self->sock);
}

/*  Blocks until the socket can take a message (the broker connection is up)
    or the deadline passes: a fresh client has not connected yet.          */
static int
send_by (hr_client_t *self, const char *service, uint64_t id, int64_t deadline,
         const void *req, size_t req_len)
{
    while (hr_client_send (self, service, id, deadline, req, req_len) != 0) {
        int64_t left = deadline - hr_now_ms ();
        if (left <= 0 || zmq_errno () != EAGAIN)
            return -1;
        zmq_pollitem_t item = { self->s, 0, ZMQ_POLLOUT, 0 };
        if (zmq_poll (&item, 1, left > 50 ? 50 : (long) left) < 0 && zmq_errno () != EINTR)
            return -1;
    }
    return 0;
}

int
hr_client_call (hr_client_t *self, const char *service, const void *req, size_t req_len,
                int timeout_ms, void **body, size_t *body_len)
{
    assert (self && service && body && body_len);
    *body = NULL;
    *body_len = 0;
    uint64_t id = self->next_call_id++;
    int64_t deadline = hr_now_ms () + timeout_ms;
    if (strlen (service) == 0 || strlen (service) > HR_SERVICE_NAME_MAX)
        return HR_BAD_REQUEST;
    if (send_by (self, service, id, deadline, req, req_len) != 0)
        return HR_UNAVAILABLE;
    while (true) {
        hr_reply_t reply;
        int rc;
        while ((rc = hr_client_recv (self, &reply)) == 1) {
            if (reply.request_id != id)
                continue;    /* a stale reply to an earlier, abandoned call */
            if (reply.body_len > 0) {
                *body = malloc (reply.body_len);
                if (!*body)
                    return HR_INTERNAL;
                memcpy (*body, reply.body, reply.body_len);
                *body_len = reply.body_len;
            }
            return reply.status;
        }
        if (rc < 0)
            return HR_UNAVAILABLE;
        int64_t left = deadline - hr_now_ms ();
        if (left <= 0)
            return HR_EXPIRED;
        zmq_pollitem_t item = { self->s, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, (long) left) < 0 && zmq_errno () != EINTR)
            return HR_UNAVAILABLE;
    }
}
