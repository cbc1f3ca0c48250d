/*  hr_broker + hr_worker + hr_client, driven through the real protocol on
    tcp://127.0.0.1.  Heartbeats run at 100 ms so that liveness (3 beats)
    is 300 ms and the whole file stays well under a minute.               */
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_curve.h"
#include "hr_log.h"
#include "hr_status.h"
#include "hr_wire.h"
#include "hr_worker.h"
#include "hr_test.h"
#include "echo_worker.h"

#include <czmq.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_HEARTBEAT_MS 100

/* ------------------------------------------------------------ helpers */

/*  Polls the client up to ms for one reply: 1 got one, 0 none.           */
static int
wait_reply (hr_client_t *c, hr_reply_t *reply, int ms)
{
    long long until = test_mono_ms () + ms;
    while (test_mono_ms () < until) {
        int rc = hr_client_recv (c, reply);
        ck_assert_int_ge (rc, 0);
        if (rc == 1)
            return 1;
        zmq_pollitem_t item = { NULL, hr_client_fd (c), ZMQ_POLLIN, 0 };
        zmq_poll (&item, 1, 10);
    }
    return 0;
}

static hr_broker_t *
broker_start (void)
{
    hr_broker_t *b = hr_broker_new ("tcp://127.0.0.1:*");
    ck_assert_ptr_nonnull (b);
    ck_assert (strncmp (hr_broker_endpoint (b), "tcp://127.0.0.1:", 16) == 0);
    ck_assert (strchr (hr_broker_endpoint (b), '*') == NULL);
    return b;
}

/* -------------------------------------------------------------- tests */

START_TEST (test_request_reply)
{
    hr_broker_t *b = broker_start ();
    echo_t *e = echo_start (hr_broker_endpoint (b), "echo", 7, 0);
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    ck_assert_ptr_nonnull (c);
    test_wait_workers (c, "echo", 1);

    uint8_t tag = 0;
    char out[64];
    ck_assert_int_eq (echo_call (c, "echo", "hello", 2000, &tag, out, sizeof out), HR_OK);
    ck_assert_int_eq (tag, 7);
    ck_assert_str_eq (out, "hello");
    ck_assert_int_eq (atomic_load (&e->served), 1);

    /*  Asynchronous use: several in flight, matched by id.                */
    for (uint64_t id = 100; id < 110; id++)
        ck_assert_int_eq (hr_client_send (c, "echo", id, hr_now_ms () + 5000, "x", 1), 0);
    int seen = 0;
    hr_reply_t reply;
    while (seen < 10 && wait_reply (c, &reply, 2000) == 1) {
        ck_assert_int_ge (reply.request_id, 100);
        ck_assert_int_lt (reply.request_id, 110);
        ck_assert_int_eq (reply.status, HR_OK);
        ck_assert_str_eq (reply.service, "echo");
        ck_assert_uint_eq (reply.body_len, 2);
        seen++;
    }
    ck_assert_int_eq (seen, 10);

    hr_broker_stats_t st;
    hr_broker_stats (b, &st);
    ck_assert_uint_eq (st.replies, 11);
    ck_assert_uint_eq (st.malformed, 0);

    hr_client_destroy (&c);
    echo_stop (&e);
    hr_broker_destroy (&b);
    ck_assert_ptr_null (b);
}
END_TEST

START_TEST (test_registration_mmi)
{
    hr_broker_t *b = broker_start ();
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    ck_assert_int_eq (test_workers (c, "alpha"), 0);
    echo_t *a1 = echo_start (hr_broker_endpoint (b), "alpha", 1, 0);
    echo_t *a2 = echo_start (hr_broker_endpoint (b), "alpha", 2, 0);
    echo_t *b1 = echo_start (hr_broker_endpoint (b), "beta", 3, 0);
    test_wait_workers (c, "alpha", 2);
    test_wait_workers (c, "beta", 1);
    ck_assert_int_eq (test_workers (c, "gamma"), 0);

    /*  Empty body: every service with its count.                          */
    void *body;
    size_t len;
    ck_assert_int_eq (hr_client_call (c, HR_MMI_WORKERS, NULL, 0, 2000, &body, &len), HR_OK);
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    uint32_t n = hr_get_u32 (&r);
    uint32_t alpha = 0, beta = 0;
    for (uint32_t i = 0; i < n; i++) {
        char name[64];
        ck_assert_int_eq (hr_get_str_copy (&r, name, sizeof name), 0);
        uint32_t k = hr_get_u32 (&r);
        if (strcmp (name, "alpha") == 0)
            alpha = k;
        if (strcmp (name, "beta") == 0)
            beta = k;
    }
    ck_assert (hr_reader_done (&r));
    ck_assert_uint_eq (alpha, 2);
    ck_assert_uint_eq (beta, 1);
    free (body);

    /*  A malformed mmi body is answered, not ignored.                     */
    ck_assert_int_eq (hr_client_call (c, HR_MMI_WORKERS, "\x05", 1, 2000, &body, &len),
                      HR_BAD_REQUEST);
    free (body);

    /*  Graceful leave (DISCONNECT) is seen at once, not after liveness.   */
    echo_stop (&a2);
    test_wait_workers (c, "alpha", 1);
    hr_broker_stats_t st;
    hr_broker_stats (b, &st);
    ck_assert_uint_eq (st.workers_dropped, 0);

    echo_stop (&a1);
    echo_stop (&b1);
    hr_client_destroy (&c);
    hr_broker_destroy (&b);
}
END_TEST

START_TEST (test_lru_dispatch)
{
    hr_broker_t *b = broker_start ();
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    echo_t *w1 = echo_start (hr_broker_endpoint (b), "lru", 1, 0);
    echo_t *w2 = echo_start (hr_broker_endpoint (b), "lru", 2, 0);
    test_wait_workers (c, "lru", 2);

    /*  One call at a time: the worker that just answered goes to the back
        of the idle list, so the two must alternate.                        */
    uint8_t prev = 0;
    for (int i = 0; i < 10; i++) {
        uint8_t tag = 0;
        char out[16];
        ck_assert_int_eq (echo_call (c, "lru", "q", 2000, &tag, out, sizeof out), HR_OK);
        ck_assert (tag == 1 || tag == 2);
        ck_assert_int_ne (tag, prev);
        prev = tag;
    }
    ck_assert_int_eq (atomic_load (&w1->served), 5);
    ck_assert_int_eq (atomic_load (&w2->served), 5);

    echo_stop (&w1);
    echo_stop (&w2);
    hr_client_destroy (&c);
    hr_broker_destroy (&b);
}
END_TEST

START_TEST (test_unavailable_at_once)
{
    hr_broker_t *b = broker_start ();
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    /*  Deadline 10 s, but we only wait 2 s: the broker must not queue it. */
    int64_t deadline = hr_now_ms () + 10000;
    long long until = test_mono_ms () + 2000;
    while (hr_client_send (c, "nobody", 42, deadline, "x", 1) != 0 && test_mono_ms () < until)
        test_sleep_ms (10);    /* a fresh client is not connected yet */
    hr_reply_t reply;
    ck_assert_int_eq (wait_reply (c, &reply, 2000), 1);
    ck_assert_uint_eq (reply.request_id, 42);
    ck_assert_int_eq (reply.status, HR_UNAVAILABLE);
    ck_assert_str_eq (reply.service, "nobody");
    ck_assert_uint_gt (reply.body_len, 0);    /* the reason, as text */

    hr_broker_stats_t st;
    hr_broker_stats (b, &st);
    ck_assert_uint_eq (st.unavailable, 1);
    hr_client_destroy (&c);
    hr_broker_destroy (&b);
}
END_TEST

START_TEST (test_deadline_expiry_in_queue)
{
    hr_broker_t *b = broker_start ();
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    echo_t *slow = echo_start (hr_broker_endpoint (b), "slow", 1, 800);
    test_wait_workers (c, "slow", 1);

    /*  1 keeps the only worker busy; 2 waits in the queue past its deadline. */
    ck_assert_int_eq (hr_client_send (c, "slow", 1, hr_now_ms () + 5000, "a", 1), 0);
    test_sleep_ms (50);
    ck_assert_int_eq (hr_client_send (c, "slow", 2, hr_now_ms () + 200, "b", 1), 0);
    hr_reply_t reply;
    ck_assert_int_eq (wait_reply (c, &reply, 3000), 1);
    ck_assert_uint_eq (reply.request_id, 2);    /* before 1 finished */
    ck_assert_int_eq (reply.status, HR_EXPIRED);
    ck_assert_int_eq (wait_reply (c, &reply, 3000), 1);
    ck_assert_uint_eq (reply.request_id, 1);
    ck_assert_int_eq (reply.status, HR_OK);
    test_sleep_ms (100);
    ck_assert_int_eq (atomic_load (&slow->served), 1);    /* 2 never reached it */

    /*  A request already past its deadline is refused on arrival.         */
    ck_assert_int_eq (hr_client_send (c, "slow", 3, hr_now_ms () - 1, "c", 1), 0);
    ck_assert_int_eq (wait_reply (c, &reply, 2000), 1);
    ck_assert_uint_eq (reply.request_id, 3);
    ck_assert_int_eq (reply.status, HR_EXPIRED);

    hr_broker_stats_t st;
    hr_broker_stats (b, &st);
    ck_assert_uint_eq (st.expired, 2);
    echo_stop (&slow);
    hr_client_destroy (&c);
    hr_broker_destroy (&b);
}
END_TEST

/*  A fake broker (ROUTER) hands the worker an expired request, then a live
    one: the worker must answer the first EXPIRED itself and return only
    the second.                                                             */
START_TEST (test_worker_drops_expired)
{
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    int port = zsock_bind (router, "tcp://127.0.0.1:*");
    ck_assert_int_gt (port, 0);
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    hr_worker_t *w = hr_worker_new (endpoint, "svc");
    ck_assert_ptr_nonnull (w);

    zmsg_t *ready = zmsg_recv (router);
    ck_assert_ptr_nonnull (ready);
    zframe_t *wid = zmsg_pop (ready);
    char *header = zmsg_popstr (ready);
    ck_assert_str_eq (header, HR_PROTO_WORKER);
    zstr_free (&header);
    zmsg_destroy (&ready);

    int64_t deadlines[2] = { hr_now_ms () - 10, hr_now_ms () + 5000 };
    for (int i = 0; i < 2; i++) {
        zmsg_t *m = zmsg_new ();
        zframe_t *to = zframe_dup (wid);
        zmsg_append (m, &to);
        zmsg_addstr (m, HR_PROTO_WORKER);
        uint8_t command = HR_WORKER_REQUEST;
        zmsg_addmem (m, &command, 1);
        zmsg_addstr (m, "client-id");
        uint64_t id = (uint64_t) i + 1;     /* little-endian host */
        zmsg_addmem (m, &id, 8);
        zmsg_addmem (m, &deadlines[i], 8);
        zmsg_addstr (m, "body");
        zmsg_send (&m, router);
    }
    hr_work_t work;
    ck_assert_int_eq (hr_worker_recv (w, &work, 2000), 1);
    ck_assert_uint_eq (work.request_id, 2);
    ck_assert_uint_eq (work.body_len, 4);
    ck_assert_int_eq (hr_worker_reply (w, HR_OK, "ok", 2), 0);
    ck_assert_int_eq (hr_worker_reply (w, HR_OK, "ok", 2), -1);    /* nothing held */

    /*  The router sees REPLY(1, EXPIRED) then REPLY(2, OK); heartbeats may
        come in between.                                                   */
    int replies = 0;
    zsock_set_rcvtimeo (router, 2000);
    while (replies < 2) {
        zmsg_t *m = zmsg_recv (router);
        ck_assert_ptr_nonnull (m);
        zframe_t *f = zmsg_first (m);   /* routing id */
        f = zmsg_next (m);              /* HRW1 */
        f = zmsg_next (m);
        if (zframe_data (f)[0] == HR_WORKER_REPLY) {
            zmsg_next (m);              /* client id */
            uint64_t id;
            memcpy (&id, zframe_data (zmsg_next (m)), 8);
            uint8_t status = zframe_data (zmsg_next (m))[0];
            ck_assert_uint_eq (id, (uint64_t) replies + 1);
            ck_assert_int_eq (status, replies == 0 ? HR_EXPIRED : HR_OK);
            replies++;
        }
        zmsg_destroy (&m);
    }
    zframe_destroy (&wid);
    hr_worker_destroy (&w);
    zsock_destroy (&router);
}
END_TEST

/*  A raw DEALER speaking the worker protocol, so it can die without
    DISCONNECT (socket closed abruptly, like a killed process).             */
static zsock_t *
raw_worker (const char *endpoint, const char *service)
{
    zsock_t *s = zsock_new_dealer (endpoint);
    ck_assert_ptr_nonnull (s);
    zsock_set_linger (s, 0);
    uint8_t command = HR_WORKER_READY;
    zsock_send (s, "sbs", HR_PROTO_WORKER, &command, (size_t) 1, service);
    return s;
}

/*  The next REQUEST a raw worker receives (heartbeats skipped: the broker
    acknowledges READY with one).  */
static zmsg_t *
raw_next_request (zsock_t *s)
{
    zsock_set_rcvtimeo (s, 5000);
    zmsg_t *m;
    while ((m = zmsg_recv (s)) != NULL && zmsg_size (m) == 2)
        zmsg_destroy (&m);
    return m;
}

START_TEST (test_dead_worker)
{
    hr_broker_t *b = broker_start ();
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));

    /*  Idle and silent: dropped after liveness, then answered at once.   */
    zsock_t *idle = raw_worker (hr_broker_endpoint (b), "ghost");
    test_wait_workers (c, "ghost", 1);
    zsock_destroy (&idle);
    test_wait_workers (c, "ghost", 0);
    void *body;
    size_t len;
    ck_assert_int_eq (hr_client_call (c, "ghost", "x", 1, 5000, &body, &len), HR_UNAVAILABLE);
    free (body);

    /*  Busy and gone mid-request: its caller gets UNAVAILABLE, not silence
        until its own timeout (the broker presumes a busy worker alive until
        the request's deadline, then waits liveness).                      */
    zsock_t *busy = raw_worker (hr_broker_endpoint (b), "ghost");
    test_wait_workers (c, "ghost", 1);
    ck_assert_int_eq (hr_client_send (c, "ghost", 9, hr_now_ms () + 500, "x", 1), 0);
    zmsg_t *req = raw_next_request (busy);  /* it took the request ... */
    ck_assert_ptr_nonnull (req);
    zmsg_destroy (&req);
    zsock_destroy (&busy);              /* ... and died */
    hr_reply_t reply;
    ck_assert_int_eq (wait_reply (c, &reply, 5000), 1);
    ck_assert_uint_eq (reply.request_id, 9);
    ck_assert_int_eq (reply.status, HR_UNAVAILABLE);

    hr_broker_stats_t st;
    hr_broker_stats (b, &st);
    ck_assert_uint_eq (st.workers_dropped, 2);
    ck_assert_int_eq (test_workers (c, "ghost"), 0);
    hr_client_destroy (&c);
    hr_broker_destroy (&b);
}
END_TEST

START_TEST (test_malformed_ignored)
{
    hr_broker_t *b = broker_start ();
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    echo_t *e = echo_start (hr_broker_endpoint (b), "echo", 1, 0);
    test_wait_workers (c, "echo", 1);

    zsock_t *raw = zsock_new_dealer (hr_broker_endpoint (b));
    zsock_set_linger (raw, 0);
    uint8_t id3[3] = { 1, 2, 3 }, id8[8] = { 0 }, bad = 99, reply = HR_WORKER_REPLY,
            ready = HR_WORKER_READY, st = 0;
    zsock_send (raw, "s", "JUNK");                                        /* header */
    zsock_send (raw, "s", HR_PROTO_CLIENT);                               /* frames */
    zsock_send (raw, "ssbbs", HR_PROTO_CLIENT, "echo", id3, (size_t) 3, id8, (size_t) 8, "x");
    zsock_send (raw, "ssbbs", HR_PROTO_CLIENT, "", id8, (size_t) 8, id8, (size_t) 8, "x");
    zsock_send (raw, "sb", HR_PROTO_WORKER, &bad, (size_t) 1);            /* command */
    zsock_send (raw, "sbsbbs", HR_PROTO_WORKER, &reply, (size_t) 1, "cid", id8, (size_t) 8,
                &st, (size_t) 1, "x");                                    /* unknown */
    zsock_send (raw, "sb", HR_PROTO_WORKER, &ready, (size_t) 1);          /* no service */
    zsock_send (raw, "ssssssssss", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
    zsock_send (raw, "z");                                                /* empty */

    hr_broker_stats_t stats;
    long long until = test_mono_ms () + 3000;
    do {
        test_sleep_ms (10);
        hr_broker_stats (b, &stats);
    } while (stats.malformed < 9 && test_mono_ms () < until);
    ck_assert_uint_eq (stats.malformed, 9);

    uint8_t tag;
    char out[16];
    ck_assert_int_eq (echo_call (c, "echo", "still", 2000, &tag, out, sizeof out), HR_OK);
    ck_assert_str_eq (out, "still");
    ck_assert_int_eq (test_workers (c, "echo"), 1);

    zsock_destroy (&raw);
    echo_stop (&e);
    hr_client_destroy (&c);
    hr_broker_destroy (&b);
}
END_TEST

START_TEST (test_broker_restart)
{
    hr_broker_t *b = broker_start ();
    char endpoint[256];
    snprintf (endpoint, sizeof endpoint, "%s", hr_broker_endpoint (b));
    echo_t *e = echo_start (endpoint, "echo", 1, 0);
    hr_client_t *c = hr_client_new (endpoint);
    test_wait_workers (c, "echo", 1);
    uint8_t tag;
    char out[16];
    ck_assert_int_eq (echo_call (c, "echo", "one", 2000, &tag, out, sizeof out), HR_OK);

    hr_broker_destroy (&b);
    ck_assert_int_ne (echo_call (c, "echo", "gone", 300, &tag, out, sizeof out), HR_OK);
    b = hr_broker_new (endpoint);
    ck_assert_ptr_nonnull (b);

    /*  The worker re-registers by itself (DISCONNECT from the new broker or
        its own liveness timer); the client reconnects underneath.          */
    int status = -1;
    long long until = test_mono_ms () + 10000;
    while (status != HR_OK && test_mono_ms () < until) {
        status = echo_call (c, "echo", "two", 500, &tag, out, sizeof out);
        if (status != HR_OK)
            test_sleep_ms (50);
    }
    ck_assert_int_eq (status, HR_OK);
    ck_assert_str_eq (out, "two");

    echo_stop (&e);
    hr_client_destroy (&c);
    hr_broker_destroy (&b);
}
END_TEST

START_TEST (test_bad_endpoint)
{
    ck_assert_ptr_null (hr_broker_new ("nonsense://x"));
    ck_assert_ptr_null (hr_worker_new ("tcp://127.0.0.1:1", ""));
    hr_client_t *c = hr_client_new ("tcp://127.0.0.1:1");    /* nobody listens */
    ck_assert_ptr_nonnull (c);
    void *body;
    size_t len;
    ck_assert_int_eq (hr_client_call (c, "echo", "x", 1, 200, &body, &len), HR_UNAVAILABLE);
    ck_assert_ptr_null (body);
    hr_client_destroy (&c);
}
END_TEST

/*  CURVE is opt-in (common/hr_curve.h): with nothing configured every
    socket is plain text, so a raw plain DEALER speaking the protocol gets
    an answer from the broker.                                            */
START_TEST (test_curve_off_by_default)
{
    hr_curve_keys_t k;
    hr_curve_server_keys (&k);
    ck_assert (!k.enabled);
    hr_curve_client_keys (&k);
    ck_assert (!k.enabled);
    hr_broker_t *b = broker_start ();
    zsock_t *raw = zsock_new_dealer (hr_broker_endpoint (b));
    ck_assert_ptr_nonnull (raw);
    uint8_t id[8] = { 7 }, deadline[8];
    int64_t when = hr_now_ms () + 2000;
    for (int i = 0; i < 8; i++)
        deadline[i] = (uint8_t) ((uint64_t) when >> (8 * i));
    zsock_set_rcvtimeo (raw, 2000);
    ck_assert_int_eq (zsock_send (raw, "sbbbb", HR_PROTO_CLIENT, HR_MMI_WORKERS,
                                  strlen (HR_MMI_WORKERS), id, (size_t) 8, deadline,
                                  (size_t) 8, "", (size_t) 0), 0);
    zmsg_t *reply = zmsg_recv (raw);
    ck_assert_ptr_nonnull (reply);
    ck_assert_int_eq (zmsg_size (reply), 5);
    zmsg_destroy (&reply);
    zsock_destroy (&raw);
    hr_broker_destroy (&b);
}
END_TEST

/*  The gateway's embedded broker also binds inproc:// for the gateway's
    own clients while services keep connecting over TCP: one ROUTER, both
    transports, so a request from an inproc client reaches a TCP worker
    and its reply finds the way back.                                     */
static void
inproc_round_trip (hr_broker_t *b, const char *inproc, uint8_t tag)
{
    echo_t *e = echo_start (hr_broker_endpoint (b), "echo", tag, 0);
    hr_client_t *c = hr_client_new (inproc);
    ck_assert_ptr_nonnull (c);
    test_wait_workers (c, "echo", 1);
    uint8_t got = 0;
    char out[64];
    ck_assert_int_eq (echo_call (c, "echo", "over inproc", 2000, &got, out, sizeof out), HR_OK);
    ck_assert_int_eq (got, tag);
    ck_assert_str_eq (out, "over inproc");

    /*  Asynchronous, through the fd an event loop would watch.           */
    for (uint64_t id = 200; id < 205; id++)
        ck_assert_int_eq (hr_client_send (c, "echo", id, hr_now_ms () + 5000, "y", 1), 0);
    int seen = 0;
    hr_reply_t reply;
    while (seen < 5 && wait_reply (c, &reply, 2000) == 1) {
        ck_assert_int_ge (reply.request_id, 200);
        ck_assert_int_lt (reply.request_id, 205);
        ck_assert_int_eq (reply.status, HR_OK);
        seen++;
    }
    ck_assert_int_eq (seen, 5);
    ck_assert_int_eq (atomic_load (&e->served), 6);

    /*  A TCP client of the same broker is served alongside.              */
    hr_client_t *tcp = hr_client_new (hr_broker_endpoint (b));
    ck_assert_ptr_nonnull (tcp);
    ck_assert_int_eq (echo_call (tcp, "echo", "over tcp", 2000, &got, out, sizeof out), HR_OK);
    ck_assert_str_eq (out, "over tcp");
    hr_client_destroy (&tcp);

    hr_broker_stats_t st;
    hr_broker_stats (b, &st);
    ck_assert_uint_eq (st.replies, 7);
    ck_assert_uint_eq (st.malformed, 0);
    hr_client_destroy (&c);
    echo_stop (&e);
}

START_TEST (test_inproc_client_tcp_worker)
{
    hr_broker_t *b = broker_start ();
    ck_assert_int_eq (hr_broker_bind_also (b, "inproc://test-broker-a"), 0);
    /*  The first endpoint stays the one reported (services use it).      */
    ck_assert (strncmp (hr_broker_endpoint (b), "tcp://127.0.0.1:", 16) == 0);
    /*  A name already taken and a bad endpoint fail without harm.        */
    ck_assert_int_eq (hr_broker_bind_also (b, "inproc://test-broker-a"), -1);
    ck_assert_int_eq (hr_broker_bind_also (b, "nonsense://x"), -1);
    inproc_round_trip (b, "inproc://test-broker-a", 9);
    hr_broker_destroy (&b);
}
END_TEST

/*  With CURVE on, TCP peers must still handshake, while the inproc client
    (which has no handshake to do) gets through with the client keys
    configured process-wide.                                              */
START_TEST (test_inproc_with_curve)
{
    if (!hr_curve_available ()) {
        printf ("SKIP: libzmq without CURVE\n");
        return;
    }
    char dir[] = "/tmp/hr_broker_inproc_XXXXXX";
    ck_assert_ptr_nonnull (mkdtemp (dir));
    char pub[128], sec[160];
    snprintf (pub, sizeof pub, "%s/broker", dir);
    snprintf (sec, sizeof sec, "%s/broker_secret", dir);
    zcert_t *cert = zcert_new ();
    ck_assert_ptr_nonnull (cert);
    ck_assert_int_eq (zcert_save (cert, pub), 0);
    zcert_destroy (&cert);
    ck_assert_int_eq (hr_curve_set_server (sec, NULL), 0);
    ck_assert_int_eq (hr_curve_set_client (pub, NULL), 0);

    hr_broker_t *b = broker_start ();
    ck_assert_int_eq (hr_broker_bind_also (b, "inproc://test-broker-curve"), 0);
    inproc_round_trip (b, "inproc://test-broker-curve", 11);

    /*  TCP still refuses a plain-text peer.                              */
    hr_curve_reset ();
    hr_client_t *plain = hr_client_new (hr_broker_endpoint (b));
    ck_assert_ptr_nonnull (plain);
    void *body;
    size_t len;
    ck_assert_int_ne (hr_client_call (plain, HR_MMI_WORKERS, NULL, 0, 300, &body, &len), HR_OK);
    free (body);
    hr_client_destroy (&plain);
    hr_broker_destroy (&b);
    remove (pub);
    remove (sec);
    rmdir (dir);
}
END_TEST

/*  The mmi listing of every service: how many services it names.         */
static uint32_t
mmi_service_count (hr_client_t *c)
{
    void *body;
    size_t len;
    ck_assert_int_eq (hr_client_call (c, HR_MMI_WORKERS, NULL, 0, 2000, &body, &len), HR_OK);
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    uint32_t n = hr_get_u32 (&r);
    free (body);
    return n;
}

/*  READY with ever-new service names: once their workers are gone the
    services are forgotten, so the broker does not grow without bound.     */
START_TEST (test_services_of_gone_workers_are_freed)
{
    /*  What is tested is forgetting services, not liveness: a 1 s beat
        (3 s window) so a loaded host registering 50 raw workers does not
        see them dropped as silent before they are counted.              */
    hr_broker_set_heartbeat (1000);
    hr_broker_t *b = broker_start ();
    hr_broker_set_heartbeat (TEST_HEARTBEAT_MS);
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    enum { N = 50 };
    for (int round = 0; round < 2; round++) {
        zsock_t *peers[N];
        char name[32];
        for (int i = 0; i < N; i++) {
            snprintf (name, sizeof name, "junk%d-%d", round, i);
            peers[i] = raw_worker (hr_broker_endpoint (b), name);
        }
        /*  ... all registered.  Raw workers send no heartbeats of their
            own: on a loaded host the broker's liveness window can pass
            before all 50 are counted, so they beat while the test waits. */
        uint8_t beat = HR_WORKER_HEARTBEAT;
        long long until = test_mono_ms () + 10000;
        while (mmi_service_count (c) < N && test_mono_ms () < until) {
            for (int i = 0; i < N; i++)
                zsock_send (peers[i], "sb", HR_PROTO_WORKER, &beat, (size_t) 1);
            test_sleep_ms (10);
        }
        ck_assert_uint_eq (mmi_service_count (c), N);
        /*  ... then they leave (DISCONNECT), as a well-behaved worker does. */
        uint8_t bye = HR_WORKER_DISCONNECT;
        for (int i = 0; i < N; i++) {
            zsock_send (peers[i], "sb", HR_PROTO_WORKER, &bye, (size_t) 1);
        }
        until = test_mono_ms () + 5000;
        while (mmi_service_count (c) > 0 && test_mono_ms () < until)
            test_sleep_ms (10);
        ck_assert_uint_eq (mmi_service_count (c), 0);
        for (int i = 0; i < N; i++)
            zsock_destroy (&peers[i]);
    }
    hr_client_destroy (&c);
    hr_broker_destroy (&b);
}
END_TEST

/*  A client deadline near INT64_MAX: the broker shortens it (a worker
    holding such a request would be presumed alive forever) and its
    liveness arithmetic does not overflow (UBSan aborts on that).          */
START_TEST (test_far_deadline_is_clamped)
{
    hr_broker_t *b = broker_start ();
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    zsock_t *busy = raw_worker (hr_broker_endpoint (b), "far");
    test_wait_workers (c, "far", 1);
    ck_assert_int_eq (hr_client_send (c, "far", 5, INT64_MAX - 1, "x", 1), 0);
    zmsg_t *req = raw_next_request (busy);  /* [HRW1][REQUEST][cid][id][deadline][body] */
    ck_assert_ptr_nonnull (req);
    ck_assert_uint_eq (zmsg_size (req), 6);
    zframe_t *f = zmsg_first (req);
    for (int i = 0; i < 4; i++)
        f = zmsg_next (req);
    ck_assert_uint_eq (zframe_size (f), 8);
    int64_t deadline = (int64_t) hr_le64_get (zframe_data (f));
    ck_assert_int_le (deadline, hr_now_ms () + HR_DEADLINE_MAX_MS);
    zmsg_destroy (&req);
    /*  Silent while busy: past liveness every heartbeat tick weighs it
        against the deadline (this overflowed) and, presumed working, it
        keeps getting heartbeats ...                                       */
    zsock_set_rcvtimeo (busy, 5000);
    for (int beats = 0; beats < HR_HEARTBEAT_LIVENESS + 2; beats++) {
        zmsg_t *m = zmsg_recv (busy);
        ck_assert_ptr_nonnull (m);
        ck_assert_uint_eq (zmsg_size (m), 2);
        ck_assert_int_eq (zframe_data (zmsg_last (m))[0], HR_WORKER_HEARTBEAT);
        zmsg_destroy (&m);
    }
    hr_broker_stats_t st;
    hr_broker_stats (b, &st);
    ck_assert_uint_eq (st.workers_dropped, 0);
    /*  ... but not until that far deadline: past HR_BUSY_SILENCE_MAX_MS
        of silence it is dropped (told to start over) and
        its caller gets UNAVAILABLE.  A replica killed while holding a
        request the gateway may hold for seconds leaves the broker within
        seconds (scale_replicas).                                          */
    int cmd;
    do {
        zmsg_t *m = zmsg_recv (busy);
        ck_assert_msg (m != NULL, "a silent busy worker was never dropped");
        cmd = zframe_data (zmsg_last (m))[0];
        zmsg_destroy (&m);
    } while (cmd == HR_WORKER_HEARTBEAT);
    ck_assert_int_eq (cmd, HR_WORKER_DISCONNECT);
    hr_reply_t reply;
    ck_assert_int_eq (wait_reply (c, &reply, 5000), 1);
    ck_assert_uint_eq (reply.request_id, 5);
    ck_assert_int_eq (reply.status, HR_UNAVAILABLE);
    hr_broker_stats (b, &st);
    ck_assert_uint_eq (st.workers_dropped, 1);
    zsock_destroy (&busy);
    hr_client_destroy (&c);
    hr_broker_destroy (&b);
}
END_TEST

/*  One frame over HR_MSG_MAX: the broker drops that peer instead of
    buffering it, and keeps serving (the peer may reconnect and behave).   */
START_TEST (test_oversized_frame_is_refused)
{
    hr_broker_t *b = broker_start ();
    zsock_t *raw = zsock_new_dealer (hr_broker_endpoint (b));
    ck_assert_ptr_nonnull (raw);
    zsock_set_linger (raw, 0);
    uint8_t deadline[8];
    hr_le64_put (deadline, (uint64_t) hr_now_ms () + 60000);
    size_t big_len = (size_t) HR_MSG_MAX + 1;
    char *big = calloc (1, big_len);
    ck_assert_ptr_nonnull (big);
    uint8_t id[8];
    hr_le64_put (id, 1);
    ck_assert_int_eq (zsock_send (raw, "sbbbb", HR_PROTO_CLIENT, HR_MMI_WORKERS,
                                  strlen (HR_MMI_WORKERS), id, (size_t) 8, deadline, (size_t) 8,
                                  big, big_len), 0);
    free (big);
    /*  Small requests until one is answered; the big one never is.       */
    zsock_set_rcvtimeo (raw, 200);
    bool answered = false;
    long long until = test_mono_ms () + 10000;
    for (uint64_t n = 2; !answered && test_mono_ms () < until; n++) {
        hr_le64_put (id, n);
        zsock_send (raw, "sbbbb", HR_PROTO_CLIENT, HR_MMI_WORKERS, strlen (HR_MMI_WORKERS),
                    id, (size_t) 8, deadline, (size_t) 8, "", (size_t) 0);
        zmsg_t *reply;
        while ((reply = zmsg_recv (raw)) != NULL) {
            ck_assert_uint_eq (zmsg_size (reply), 5);
            zframe_t *f = zmsg_first (reply);
            f = zmsg_next (reply);
            f = zmsg_next (reply);
            ck_assert_uint_ne (hr_le64_get (zframe_data (f)), 1);   /* not the big one */
            answered = true;
            zmsg_destroy (&reply);
        }
    }
    ck_assert (answered);
    zsock_destroy (&raw);

    /*  A worker never sends more than that: it answers HR_INTERNAL.  */
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    hr_worker_t *w = hr_worker_new (hr_broker_endpoint (b), "huge");
    ck_assert_ptr_nonnull (w);
    test_wait_workers (c, "huge", 1);
    ck_assert_int_eq (hr_client_send (c, "huge", 77, hr_now_ms () + 10000, "x", 1), 0);
    hr_work_t work;
    until = test_mono_ms () + 5000;
    int got = 0;
    while (got != 1 && test_mono_ms () < until)
        got = hr_worker_recv (w, &work, 100);
    ck_assert_int_eq (got, 1);
    char *huge = calloc (1, big_len);
    ck_assert_int_eq (hr_worker_reply (w, HR_OK, huge, big_len), 0);
    free (huge);
    hr_reply_t reply;
    ck_assert_int_eq (wait_reply (c, &reply, 5000), 1);
    ck_assert_uint_eq (reply.request_id, 77);
    ck_assert_int_eq (reply.status, HR_INTERNAL);
    ck_assert_int_eq (test_workers (c, "huge"), 1);      /* still connected */
    /*  nor does a client: refused before it reaches the broker  */
    char *too_big = calloc (1, big_len);
    ck_assert_int_eq (hr_client_send (c, "huge", 78, hr_now_ms () + 1000, too_big, big_len), -1);
    free (too_big);
    hr_worker_destroy (&w);
    hr_client_destroy (&c);
    hr_broker_destroy (&b);
}
END_TEST

int
main (void)
{
    hr_log_init ("test_broker", HR_LOG_WARN);
    hr_broker_set_heartbeat (TEST_HEARTBEAT_MS);
    hr_worker_set_heartbeat (TEST_HEARTBEAT_MS);
    Suite *s = suite_create ("broker");
    TCase *tc = tcase_create ("protocol");
    tcase_set_timeout (tc, 30);
    tcase_add_test (tc, test_request_reply);
    tcase_add_test (tc, test_registration_mmi);
    tcase_add_test (tc, test_lru_dispatch);
    tcase_add_test (tc, test_unavailable_at_once);
    tcase_add_test (tc, test_deadline_expiry_in_queue);
    tcase_add_test (tc, test_worker_drops_expired);
    tcase_add_test (tc, test_dead_worker);
    tcase_add_test (tc, test_malformed_ignored);
    tcase_add_test (tc, test_broker_restart);
    tcase_add_test (tc, test_bad_endpoint);
    tcase_add_test (tc, test_curve_off_by_default);
    tcase_add_test (tc, test_inproc_client_tcp_worker);
    tcase_add_test (tc, test_inproc_with_curve);
    tcase_add_test (tc, test_services_of_gone_workers_are_freed);
    tcase_add_test (tc, test_far_deadline_is_clamped);
    tcase_add_test (tc, test_oversized_frame_is_refused);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
