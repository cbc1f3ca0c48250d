/*  hr_zpoll and the loops built on it (hr_worker, hr_broker): a socket's
    ZMQ_FD is edge-triggered, so a message that arrives while the loop is
    busy with the same socket does not wake the fd; it must still be read
    before the loop blocks.  The waits that must not block are asked with
    timeout 0 (a lost message makes them return nothing at once); the ones
    that must wake have no timeout (the Check timeout is the guard).       */
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_status.h"
#include "hr_wire.h"
#include "hr_worker.h"
#include "hr_zpoll.h"
#include "hr_test.h"

#include <czmq.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static int
s_fd_of (void *socket)
{
    int fd = -1;
    size_t size = sizeof fd;
    ck_assert_int_eq (zmq_getsockopt (socket, ZMQ_FD, &fd, &size), 0);
    return fd;
}

static bool
s_fd_readable (int fd)
{
    struct pollfd p = { fd, POLLIN, 0 };
    return poll (&p, 1, 0) == 1;
}

/*  Reads one single-frame message without waiting: its size, or -1.       */
static int
s_recv_now (void *socket, char *buf, size_t size)
{
    return zmq_recv (socket, buf, size, ZMQ_DONTWAIT);
}

START_TEST (test_zpoll_fd_wakes_an_idle_socket)
{
    zsock_t *a = zsock_new_pair ("@inproc://zpoll-wake");
    zsock_t *b = zsock_new_pair (">inproc://zpoll-wake");
    ck_assert_ptr_nonnull (a);
    ck_assert_ptr_nonnull (b);
    void *as = zsock_resolve (a), *bs = zsock_resolve (b);
    int efd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
    ck_assert_int_ge (efd, 0);
    hr_zpoll_t w;
    hr_zpoll_init (&w);
    int ia = hr_zpoll_add (&w, as), ie = hr_zpoll_add_fd (&w, efd);
    ck_assert_int_eq (ia, 0);
    ck_assert_int_eq (ie, 1);
    /*  New: stale, asked at once without a system call.  */
    ck_assert_int_eq (hr_zpoll_wait (&w, -1), 1);
    ck_assert (hr_zpoll_ready (&w, ia));
    ck_assert (!hr_zpoll_polled (&w));
    char buf[16];
    ck_assert_int_eq (s_recv_now (as, buf, sizeof buf), -1);
    ck_assert_int_eq (zmq_errno (), EAGAIN);
    hr_zpoll_idle (&w, ia);
    /*  Idle and nothing sent: nothing ready (the fd may still show the
        connection's own commands: ask, find nothing, idle again).        */
    while (hr_zpoll_wait (&w, 0) > 0) {
        ck_assert (hr_zpoll_ready (&w, ia));
        ck_assert_int_eq (s_recv_now (as, buf, sizeof buf), -1);
        hr_zpoll_idle (&w, ia);
    }
    ck_assert (hr_zpoll_polled (&w));
    /*  A message to an idle socket wakes its fd: the wait ends.           */
    ck_assert_int_eq (zmq_send (bs, "one", 3, 0), 3);
    ck_assert_int_ge (hr_zpoll_wait (&w, -1), 1);
    ck_assert (hr_zpoll_ready (&w, ia));
    ck_assert (!hr_zpoll_ready (&w, ie));
    ck_assert_int_eq (s_recv_now (as, buf, sizeof buf), 3);
    ck_assert_int_eq (s_recv_now (as, buf, sizeof buf), -1);
    hr_zpoll_idle (&w, ia);
    /*  A plain fd is level-triggered.  */
    uint64_t one = 1;
    ck_assert_int_eq (write (efd, &one, sizeof one), sizeof one);
    ck_assert_int_eq (hr_zpoll_wait (&w, -1), 1);
    ck_assert (hr_zpoll_ready (&w, ie));
    ck_assert (!hr_zpoll_ready (&w, ia));
    ck_assert_int_eq (hr_zpoll_wait (&w, -1), 1);
    ck_assert (hr_zpoll_ready (&w, ie));
    close (efd);
    zsock_destroy (&b);
    zsock_destroy (&a);
}
END_TEST

/*  The lost wake-up: the socket was read (not until EAGAIN) and a second
    message came meanwhile; its fd stays quiet, the socket must be asked.  */
START_TEST (test_zpoll_message_while_busy_is_not_lost)
{
    zsock_t *a = zsock_new_pair ("@inproc://zpoll-busy");
    zsock_t *b = zsock_new_pair (">inproc://zpoll-busy");
    void *as = zsock_resolve (a), *bs = zsock_resolve (b);
    hr_zpoll_t w;
    hr_zpoll_init (&w);
    int ia = hr_zpoll_add (&w, as);
    char buf[16];
    ck_assert_int_eq (s_recv_now (as, buf, sizeof buf), -1);
    hr_zpoll_idle (&w, ia);
    ck_assert_int_eq (zmq_send (bs, "one", 3, 0), 3);
    ck_assert_int_eq (hr_zpoll_wait (&w, -1), 1);
    ck_assert_int_eq (s_recv_now (as, buf, sizeof buf), 3);   /* busy with it ... */
    ck_assert_int_eq (zmq_send (bs, "two", 3, 0), 3);         /* ... when this comes */
    ck_assert_int_eq (zmq_send (as, "ack", 3, 0), 3);         /* and we answer */
    hr_zpoll_touch (&w, ia);
    /*  The hazard is real: a message waits and the fd says nothing.      */
    ck_assert (!s_fd_readable (s_fd_of (as)));
    ck_assert_int_ge (hr_zpoll_wait (&w, 0), 1);
    ck_assert (hr_zpoll_ready (&w, ia));
    ck_assert_int_eq (s_recv_now (as, buf, sizeof buf), 3);
    ck_assert (memcmp (buf, "two", 3) == 0);
    zsock_destroy (&b);
    zsock_destroy (&a);
}
END_TEST

/* ---------------------------------------------------- hr_worker's loop */

static zframe_t *
s_ready_from (zsock_t *router)
{
    zmsg_t *m = zmsg_recv (router);
    ck_assert_ptr_nonnull (m);
    ck_assert_int_eq ((int) zmsg_size (m), 4);
    zframe_t *rid = zmsg_pop (m);
    zframe_t *header = zmsg_pop (m);
    zframe_t *command = zmsg_pop (m);
    ck_assert (zframe_streq (header, HR_PROTO_WORKER));
    ck_assert_int_eq (zframe_data (command)[0], HR_WORKER_READY);
    zframe_destroy (&header);
    zframe_destroy (&command);
    zmsg_destroy (&m);
    return rid;
}

static void
s_send_request (zsock_t *router, zframe_t *rid, uint64_t id)
{
    uint8_t command = HR_WORKER_REQUEST, idb[8], dlb[8];
    hr_le64_put (idb, id);
    hr_le64_put (dlb, (uint64_t) (hr_now_ms () + 600000));
    zmsg_t *m = zmsg_new ();
    zmsg_append (m, &(zframe_t *) { zframe_dup (rid) });
    zmsg_addmem (m, HR_PROTO_WORKER, HR_PROTO_HEADER_LEN);
    zmsg_addmem (m, &command, 1);
    zmsg_addmem (m, "cid", 3);
    zmsg_addmem (m, idb, 8);
    zmsg_addmem (m, dlb, 8);
    zmsg_addmem (m, "body", 4);
    ck_assert_int_eq (zmsg_send (&m, router), 0);
}

/*  Two brokers: one request is being handled when a second comes on the
    same link (no wake-up: the link was not read until EAGAIN) and a third
    on the other, idle link (its fd wakes).  Both are read by calls that
    may not wait at all.                                                   */
START_TEST (test_worker_reads_requests_that_came_while_busy)
{
    zsock_t *ra = zsock_new_router ("@inproc://zpoll-broker-a");
    zsock_t *rb = zsock_new_router ("@inproc://zpoll-broker-b");
    ck_assert_ptr_nonnull (ra);
    ck_assert_ptr_nonnull (rb);
    hr_worker_t *w = hr_worker_new ("inproc://zpoll-broker-a,inproc://zpoll-broker-b", "zp");
    ck_assert_ptr_nonnull (w);
    zframe_t *rid_a = s_ready_from (ra), *rid_b = s_ready_from (rb);
    hr_work_t work;
    ck_assert_int_eq (hr_worker_recv (w, &work, 0), 0);      /* nothing yet */
    s_send_request (ra, rid_a, 1);
    ck_assert_int_eq (hr_worker_recv (w, &work, -1), 1);
    ck_assert_int_eq ((int) work.request_id, 1);
    s_send_request (ra, rid_a, 2);          /* while request 1 is handled */
    s_send_request (rb, rid_b, 3);
    ck_assert_int_eq (hr_worker_reply (w, HR_OK, "r", 1), 0);
    bool seen[4] = { false };
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq (hr_worker_recv (w, &work, 0), 1);
        ck_assert (work.request_id == 2 || work.request_id == 3);
        ck_assert (!seen[work.request_id]);
        seen[work.request_id] = true;
        ck_assert_int_eq (hr_worker_reply (w, HR_OK, "r", 1), 0);
    }
    ck_assert_int_eq (hr_worker_recv (w, &work, 0), 0);
    hr_worker_destroy (&w);
    zframe_destroy (&rid_a);
    zframe_destroy (&rid_b);
    zsock_destroy (&rb);
    zsock_destroy (&ra);
}
END_TEST

/*  The broker's loop: requests from a client while its only worker is
    busy are queued and each reaches the worker when the one before is
    answered (the ROUTER is read until EAGAIN, then sent on).              */
START_TEST (test_broker_serves_a_burst)
{
    hr_broker_t *b = hr_broker_new ("inproc://zpoll-broker");
    ck_assert_ptr_nonnull (b);
    hr_worker_t *w = hr_worker_new (hr_broker_endpoint (b), "burst");
    ck_assert_ptr_nonnull (w);
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    ck_assert_ptr_nonnull (c);
    test_wait_workers (c, "burst", 1);
    enum { N = 50 };
    for (int i = 0; i < N; i++)
        ck_assert_int_eq (hr_client_send (c, "burst", (uint64_t) i + 1, hr_now_ms () + 600000, "x", 1), 0);
    hr_work_t work;
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq (hr_worker_recv (w, &work, -1), 1);
        ck_assert_int_eq (hr_worker_reply (w, HR_OK, "y", 1), 0);
    }
    hr_client_destroy (&c);
    hr_worker_destroy (&w);
    hr_broker_destroy (&b);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("common_zpoll");
    TCase *tc = tcase_create ("zpoll");
    tcase_set_timeout (tc, 60);                 /* fork mode: this is the guard */
    tcase_add_test (tc, test_zpoll_fd_wakes_an_idle_socket);
    tcase_add_test (tc, test_zpoll_message_while_busy_is_not_lost);
    tcase_add_test (tc, test_worker_reads_requests_that_came_while_busy);
    tcase_add_test (tc, test_broker_serves_a_burst);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
