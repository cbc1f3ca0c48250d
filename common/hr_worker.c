/*  hr_worker — a service replica's DEALERs to its brokers, one per broker
    endpoint: READY to each, heartbeats while idle, reconnect to a broker
    that falls silent, requests one at a time from whichever broker sends
    one, each reply on the link its request came from.
    Frames: docs/protocol.md ("Frames"); topology: docs/scaling.md.        */
#include "hr_worker.h"
#include "hr_wire.h"
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_curve.h"
#include "hr_frames.h"
#include "hr_log.h"
#include "hr_status.h"
#include "hr_zpoll.h"

#include <czmq.h>
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

/*  One wait of poll(2) at most (its timeout is an int).                   */
#define HR_WORKER_WAIT_MAX_MS 86400000L
#define REQUEST_FRAMES 6        /* [HRW1][REQUEST][cid][u64 id][i64 deadline][body] */
#define DISCONNECT_LINGER_MS 200

static atomic_int s_heartbeat_ms = HR_HEARTBEAT_INTERVAL_MS;

void
hr_worker_set_heartbeat (int interval_ms)
{
    assert (interval_ms > 0);
    atomic_store (&s_heartbeat_ms, interval_ms);
}

/*  One broker: its socket and both heartbeat clocks.                      */
typedef struct {
    char *endpoint;
    bool inproc;                /* no handshake, so no CURVE keys */
    zsock_t *sock;              /* NULL while a reconnect is pending */
    void *s;
    int64_t heartbeat_at;       /* monotonic ms: next heartbeat we owe (or retry) */
    int64_t broker_expiry;      /* monotonic ms: broker presumed gone after */
    bool heard;                 /* it spoke since we (re)connected */
} link_t;

struct hr_worker {
    char service[HR_SERVICE_NAME_MAX + 1];
    hr_curve_keys_t curve;      /* copied once: reconnects reuse it */
    bool keyed;                 /* curve loaded (a tcp/ipc link needed it) */
    link_t links[HR_WORKER_BROKERS_MAX];
    int nlinks;
    int next;                   /* round robin: the link read first */
    int ivl;
    zmq_msg_t parts[REQUEST_FRAMES];
    int nparts;
    bool holding;               /* a request is waiting for hr_worker_reply */
    link_t *from;               /* ... and the link it came on */
    uint64_t request_id;
    int wake_fd;                /* readable = return from recv; -1 = none */
    /*  What recv waits on: item 0 is the wake fd, item i + 1 links[i]'s
        socket (NULL: none).  Kept between calls: a link we
        sent on is asked again before the next wait blocks.               */
    hr_zpoll_t wait;
};

#define WAKE_ITEM 0
#define LINK_ITEM(i) ((i) + 1)

/*  Something was done on the link's socket (a send, a new socket): its fd
    may stay quiet while a message waits, so it is asked before blocking. */
static void
touch_link (hr_worker_t *self, link_t *link)
{
    hr_zpoll_touch (&self->wait, LINK_ITEM ((int) (link - self->links)));
}


static int
send_command (link_t *link, uint8_t command, const char *arg)
{
    if (zmq_send (link->s, HR_PROTO_WORKER, HR_PROTO_HEADER_LEN, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return -1;
    if (arg) {
        zmq_send (link->s, &command, 1, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        return zmq_send (link->s, arg, strlen (arg), ZMQ_DONTWAIT) < 0 ? -1 : 0;
    }
    return zmq_send (link->s, &command, 1, ZMQ_DONTWAIT) < 0 ? -1 : 0;
}

static void
release_request (hr_worker_t *self)
{
    for (int i = 0; i < self->nparts; i++)
        zmq_msg_close (&self->parts[i]);
    self->nparts = 0;
    self->holding = false;
    self->from = NULL;
}

/*  Closes the link's socket; a broker that registered it forgets it at
    once (DISCONNECT, given a short linger to leave) instead of sending it
    requests until its liveness runs out.                                  */
static void
close_link (link_t *link)
{
    if (link->sock) {
        send_command (link, HR_WORKER_DISCONNECT, NULL);
        zsock_set_linger (link->sock, DISCONNECT_LINGER_MS);
    }
    zsock_destroy (&link->sock);
    link->s = NULL;
}

/*  A fresh socket every time: the broker may have restarted and forgotten
    us, and a new routing id makes the new registration unambiguous.  On
    failure the link stays closed and is retried after one interval.      */
static int
connect_link (hr_worker_t *self, link_t *link)
{
    close_link (link);
    int64_t now = zclock_mono ();
    link->heartbeat_at = now + self->ivl;
    link->broker_expiry = now + (int64_t) self->ivl * HR_HEARTBEAT_LIVENESS;
    link->heard = false;
    link->sock = zsock_new (ZMQ_DEALER);
    if (!link->sock)
        return -1;
    zsock_set_linger (link->sock, 0);
    zsock_set_maxmsgsize (link->sock, HR_MSG_MAX);
    if ((!link->inproc && hr_curve_apply_client (link->sock, &self->curve) != 0)
        || zsock_connect (link->sock, "%s", link->endpoint) < 0) {
        hr_error ("worker: cannot connect to %s", link->endpoint);
        zsock_destroy (&link->sock);
        return -1;
    }
    link->s = zsock_resolve (link->sock);
    hr_zpoll_set (&self->wait, LINK_ITEM ((int) (link - self->links)), link->s);
    touch_link (self, link);    /* may be a new socket at a freed one's address */
    return send_command (link, HR_WORKER_READY, self->service);
}

/*  Endpoint lists: separated by commas and/or blanks.  Skips to the next
    endpoint in *p and returns its length (0 at the end).                 */
static size_t
next_endpoint (const char **p)
{
    *p += strspn (*p, ", \t\n");
    return strcspn (*p, ", \t\n");
}

static bool
in_list (const char *list, const char *endpoint)
{
    size_t want = strlen (endpoint), len;
    for (const char *p = list; (len = next_endpoint (&p)) > 0; p += len)
        if (len == want && memcmp (p, endpoint, len) == 0)
            return true;
    return false;
}

static link_t *
find_link (hr_worker_t *self, const char *endpoint, size_t len)
{
    for (int i = 0; i < self->nlinks; i++)
        if (strlen (self->links[i].endpoint) == len
            && memcmp (self->links[i].endpoint, endpoint, len) == 0)
            return &self->links[i];
    return NULL;
}

/*  Links for the endpoints of `list` not linked yet (not connected).  The
    number added, or -1 (logged) when they would be too many.             */
static int
add_links (hr_worker_t *self, const char *list)
{
    int added = 0;
    size_t len;
    for (const char *p = list; (len = next_endpoint (&p)) > 0; p += len) {
        if (find_link (self, p, len))
            continue;
        if (self->nlinks == HR_WORKER_BROKERS_MAX) {
            hr_error ("worker: more than %d broker endpoints in '%s'", HR_WORKER_BROKERS_MAX,
                      list);
            return -1;
        }
        link_t *link = &self->links[self->nlinks];
        memset (link, 0, sizeof *link);
        link->endpoint = strndup (p, len);
        if (!link->endpoint)
            return -1;
        link->inproc = strncmp (link->endpoint, "inproc://", 9) == 0;
        self->nlinks++;
        added++;
    }
    return added;
}

/*  Connects the links from `first` on (new ones), loading our CURVE keys
    the first time a link needs them (inproc alone needs none, as
    hr_client_new).  A broker that is not up yet is fine (the DEALER
    connects when it comes); a socket that cannot even be made is not.    */
static int
connect_new_links (hr_worker_t *self, int first)
{
    for (int i = first; i < self->nlinks; i++) {
        if (!self->links[i].inproc && !self->keyed) {
            if (hr_curve_client_keys (&self->curve) != 0)
                return -1;
            self->keyed = true;
        }
        if (connect_link (self, &self->links[i]) != 0)
            return -1;
    }
    return 0;
}

static void
free_link (link_t *link)
{
    close_link (link);
    free (link->endpoint);
    link->endpoint = NULL;
}

hr_worker_t *
hr_worker_new (const char *broker_endpoints, const char *service)
{
    assert (broker_endpoints && service);
    size_t service_len = strlen (service);
    if (service_len == 0 || service_len > HR_SERVICE_NAME_MAX) {
        hr_error ("worker: invalid service name '%s'", service);
        return NULL;
    }
    hr_worker_t *self = (hr_worker_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    memcpy (self->service, service, service_len + 1);
    self->wake_fd = -1;
    self->ivl = atomic_load (&s_heartbeat_ms);
    hr_zpoll_init (&self->wait);
    for (int i = 0; i < LINK_ITEM (HR_WORKER_BROKERS_MAX); i++)
        hr_zpoll_add_fd (&self->wait, -1);     /* links' sockets set as they connect */
    int added = add_links (self, broker_endpoints);
    if (added == 0)
        hr_error ("worker: no broker endpoint in '%s'", broker_endpoints);
    if (added <= 0 || connect_new_links (self, 0) != 0) {
        hr_worker_destroy (&self);
        return NULL;
    }
    return self;
}

int
hr_worker_set_brokers (hr_worker_t *self, const char *broker_endpoints)
{
    assert (self && broker_endpoints);
    if (self->holding)
        return -1;      /* its link may be the one to go: reply first */
    for (int i = 0; i < self->nlinks;)
        if (in_list (broker_endpoints, self->links[i].endpoint))
            i++;
        else {
            hr_info ("worker: %s leaves broker %s", self->service, self->links[i].endpoint);
            free_link (&self->links[i]);
            memmove (&self->links[i], &self->links[i + 1],
                     (size_t) (self->nlinks - i - 1) * sizeof self->links[0]);
            self->nlinks--;
        }
    self->next = 0;
    int first = self->nlinks;
    int added = add_links (self, broker_endpoints);
    for (int i = first; i < self->nlinks; i++)
        hr_info ("worker: %s joins broker %s", self->service, self->links[i].endpoint);
    int rc = connect_new_links (self, first);
    return added < 0 || rc != 0 ? -1 : 0;
}

void
hr_worker_destroy (hr_worker_t **self_p)
{
    assert (self_p);
    hr_worker_t *self = *self_p;
    if (!self)
        return;
    /*  DISCONNECT to every broker: each answers anything we held
        HR_UNAVAILABLE.  */
    release_request (self);
    for (int i = 0; i < self->nlinks; i++)
        free_link (&self->links[i]);
    memset (&self->curve, 0, sizeof self->curve);
    free (self);
    *self_p = NULL;
}

int
hr_worker_brokers (hr_worker_t *self)
{
    assert (self);
    return self->nlinks;
}

static int
send_reply (hr_worker_t *self, link_t *link, uint8_t status, const void *body, size_t len)
{
    if (!link->s)
        return -1;
    touch_link (self, link);
    uint8_t command = HR_WORKER_REPLY, idb[8];
    hr_le64_put (idb, self->request_id);
    zmq_msg_t *cid = &self->parts[2];
    void *s = link->s;
    if (zmq_send (s, HR_PROTO_WORKER, HR_PROTO_HEADER_LEN, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return -1;
    zmq_send (s, &command, 1, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send (s, zmq_msg_data (cid), zmq_msg_size (cid), ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send (s, idb, 8, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send (s, &status, 1, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send (s, body, len, ZMQ_DONTWAIT);
    return 0;
}

/*  Reads one message from a broker.  1 = a live request is now held and
    *work is filled; 0 = anything else (handled here); -1 = nothing was
    waiting.                                                               */
static int
read_message (hr_worker_t *self, link_t *link, hr_work_t *work)
{
    int total = 0;
    bool more;
    do {
        zmq_msg_t junk;
        zmq_msg_t *m = total < REQUEST_FRAMES ? &self->parts[total] : &junk;
        zmq_msg_init (m);
        if (zmq_msg_recv (m, link->s, total == 0 ? ZMQ_DONTWAIT : 0) < 0) {
            zmq_msg_close (m);
            release_request (self);
            return total == 0 ? -1 : 0;
        }
        more = zmq_msg_more (m);
        if (m == &junk)
            zmq_msg_close (m);
        else
            self->nparts = total + 1;
        total++;
    } while (more);

    link->broker_expiry = zclock_mono () + (int64_t) self->ivl * HR_HEARTBEAT_LIVENESS;
    link->heard = true;
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
            send_reply (self, link, HR_EXPIRED, why, sizeof why - 1);
            release_request (self);
            return 0;
        }
        self->holding = true;
        self->from = link;
        work->request_id = self->request_id;
        work->deadline_ms = deadline;
        work->body = zmq_msg_data (&self->parts[5]);
        work->body_len = zmq_msg_size (&self->parts[5]);
        return 1;
    }
    release_request (self);
    if (ok && command == HR_WORKER_DISCONNECT) {
        hr_info ("worker: broker %s asked %s to reconnect", link->endpoint, self->service);
        connect_link (self, link);
    }
    else if (!ok)
        hr_debug ("worker: malformed message from the broker dropped");
    return 0;
}

/*  Reads what the ready links hold, starting after the link served last
    so that no broker starves the others; a link read until nothing was
    waiting is idle (its fd tells of the next message).  1 with *work
    filled when a request came (its link stays stale: more may wait), -1
    when the context is terminated.                                        */
static int
read_links (hr_worker_t *self, hr_work_t *work)
{
    for (int k = 0; k < self->nlinks; k++) {
        int i = (self->next + k) % self->nlinks;
        if (!hr_zpoll_ready (&self->wait, LINK_ITEM (i)))
            continue;
        link_t *link = &self->links[i];
        void *s = link->s;
        int rc = 0;
        /*  A DISCONNECT inside replaces the socket: stop there.           */
        while (s && link->s == s && (rc = read_message (self, link, work)) >= 0)
            if (rc == 1) {
                self->next = (i + 1) % self->nlinks;
                return 1;
            }
        if (s && link->s == s && rc < 0) {
            if (zmq_errno () == ETERM)
                return -1;      /* zmq_poll's ETERM */
            hr_zpoll_idle (&self->wait, LINK_ITEM (i));
        }
    }
    return 0;
}

/*  Heartbeats owed; with `reconnect`, also silent brokers reconnected and
    failed reconnects retried.  The earliest time something is due again.  */
static int64_t
tend_links (hr_worker_t *self, int64_t now, bool reconnect)
{
    int64_t due = INT64_MAX;
    for (int i = 0; i < self->nlinks; i++) {
        link_t *link = &self->links[i];
        if (!link->sock) {
            if (reconnect && now >= link->heartbeat_at)
                connect_link (self, link);
        }
        else {
            if (now >= link->heartbeat_at) {
                send_command (link, HR_WORKER_HEARTBEAT, NULL);
                touch_link (self, link);
                link->heartbeat_at = now + self->ivl;
            }
            if (reconnect && now >= link->broker_expiry) {
                /*  Loud only when a broker we heard from went quiet; one
                    that never answered (not up yet, or gone for good) is
                    retried quietly.  */
                if (link->heard)
                    hr_warn ("worker: broker %s silent, reconnecting %s", link->endpoint,
                             self->service);
                connect_link (self, link);
            }
        }
        due = link->heartbeat_at < due ? link->heartbeat_at : due;
        if (link->sock && link->broker_expiry < due)
            due = link->broker_expiry;
    }
    return due;
}

void
hr_worker_set_wake_fd (hr_worker_t *self, int fd)
{
    assert (self);
    self->wake_fd = fd;
}

int
hr_worker_recv (hr_worker_t *self, hr_work_t *work, int timeout_ms)
{
    assert (self && work);
    if (self->holding) {
        /*  The caller moved on without answering: the broker still counts us
            busy, so answer for it.  */
        static const char why[] = "worker returned no reply";
        send_reply (self, self->from, HR_INTERNAL, why, sizeof why - 1);
    }
    release_request (self);
    int64_t now = zclock_mono ();
    int64_t end = timeout_ms < 0 ? INT64_MAX : now + timeout_ms;
    /*  The first wait does not block: what the brokers sent while we were
        busy is read before any of them is judged silent.                  */
    int64_t due = now;
    while (true) {
        /*  Links may have been added, dropped or moved since the last
            call (hr_worker_set_brokers): items follow the links.           */
        int live = 0;
        for (int i = 0; i < HR_WORKER_BROKERS_MAX; i++) {
            void *s = i < self->nlinks ? self->links[i].s : NULL;
            hr_zpoll_set (&self->wait, LINK_ITEM (i), s);
            live += s != NULL;
        }
        hr_zpoll_set_fd (&self->wait, WAKE_ITEM, self->wake_fd);
        live += self->wake_fd >= 0;
        int64_t until = end < due ? end : due;
        long wait = until > now ? (long) (until - now) : 0;
        if (wait > HR_WORKER_WAIT_MAX_MS)
            wait = HR_WORKER_WAIT_MAX_MS;   /* the loop waits again */
        int rc = live ? hr_zpoll_wait (&self->wait, (int) wait) : 0;
        if (rc < 0)
            return -1;    /* EINTR (a signal) */
        if (live == 0 && wait > 0)
            zclock_sleep ((int) wait);
        int got = rc > 0 ? read_links (self, work) : 0;
        if (got < 0)
            return -1;    /* ETERM */
        if (got == 1) {
            /*  Busy with one broker's work, we still owe the others our
                heartbeats (a REPLY only proves us alive to its own).      */
            tend_links (self, zclock_mono (), false);
            return 1;
        }
        if (rc > 0 && hr_zpoll_ready (&self->wait, WAKE_ITEM))
            return 0;     /* woken: the caller has something else to do */
        /*  A wait that only asked the stale links saw nothing of the
            others: none is judged silent, nor is the call over, before
            one that looked at every fd.                                   */
        bool polled = live == 0 || hr_zpoll_polled (&self->wait);
        now = zclock_mono ();
        due = tend_links (self, now, polled);
        if (polled && now >= end)
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
    int rc = send_reply (self, self->from, status, body, len);
    release_request (self);
    return rc;
}
