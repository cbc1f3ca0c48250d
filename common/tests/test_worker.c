/*  hr_worker's wake fd and hr_service's stop (issue 16): an idle worker
    waits without a timeout and returns when its wake fd becomes readable;
    a service's destroy wakes its idle workers through its stop eventfd
    instead of their polling every 100 ms.  No time is asserted: the waits
    are unbounded and the test's timeout (Check, fork mode) is the guard.  */
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_service.h"
#include "hr_status.h"
#include "hr_wire.h"
#include "hr_worker.h"
#include "hr_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

typedef struct {
    const char *endpoint;
    int wake_fd;
    atomic_bool waiting;
    int rc;
} idle_t;

static void *
s_idle_worker (void *arg)
{
    idle_t *idle = arg;
    hr_worker_t *w = hr_worker_new (idle->endpoint, "idle");
    ck_assert_ptr_nonnull (w);
    hr_worker_set_wake_fd (w, idle->wake_fd);
    hr_work_t work;
    atomic_store (&idle->waiting, true);
    idle->rc = hr_worker_recv (w, &work, -1);     /* no timeout: only the fd ends it */
    hr_worker_destroy (&w);
    return NULL;
}

START_TEST (test_worker_wake_fd)
{
    hr_broker_t *b = hr_broker_new ("tcp://127.0.0.1:*");
    ck_assert_ptr_nonnull (b);
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    ck_assert_ptr_nonnull (c);
    idle_t idle = { .endpoint = hr_broker_endpoint (b), .rc = -2 };
    idle.wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
    ck_assert_int_ge (idle.wake_fd, 0);
    pthread_t thread;
    ck_assert_int_eq (pthread_create (&thread, NULL, s_idle_worker, &idle), 0);
    test_wait_workers (c, "idle", 1);           /* registered, so waiting in recv */
    ck_assert (atomic_load (&idle.waiting));
    uint64_t one = 1;
    ck_assert_int_eq (write (idle.wake_fd, &one, sizeof one), sizeof one);
    pthread_join (thread, NULL);                /* never returns if the fd did not wake it */
    ck_assert_int_eq (idle.rc, 0);
    test_wait_workers (c, "idle", 0);           /* it left with DISCONNECT */
    close (idle.wake_fd);
    hr_client_destroy (&c);
    hr_broker_destroy (&b);
}
END_TEST

static int
s_echo (void *state, const char *method, size_t method_len, hr_reader_t *args,
        hr_writer_t *reply, hr_call_t *call)
{
    (void) state, (void) method, (void) method_len, (void) args, (void) reply, (void) call;
    return HR_OK;
}

static const hr_service_def_t s_def = { .name = "idlesvc", .handle = s_echo };

//  Four idle workers, no timeout of theirs will ever fire: destroy returns
//  only because the stop eventfd woke every one of them.
START_TEST (test_service_stop_wakes_idle_workers)
{
    hr_broker_t *b = hr_broker_new ("tcp://127.0.0.1:*");
    ck_assert_ptr_nonnull (b);
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    hr_service_t *svc = hr_service_new (&s_def, NULL, hr_broker_endpoint (b), 4);
    ck_assert_ptr_nonnull (svc);
    test_wait_workers (c, s_def.name, 4);
    hr_service_destroy (&svc);
    ck_assert_ptr_null (svc);
    test_wait_workers (c, s_def.name, 0);
    hr_client_destroy (&c);
    hr_broker_destroy (&b);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("common_worker");
    TCase *tc = tcase_create ("wake");
    tcase_set_timeout (tc, 60);                 /* fork mode: this is the guard */
    tcase_add_test (tc, test_worker_wake_fd);
    tcase_add_test (tc, test_service_stop_wakes_idle_workers);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
