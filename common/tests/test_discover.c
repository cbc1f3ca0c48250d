/*  hr_discover: broker lists with DNS names expanded (localhost stands in
    for a Kubernetes headless Service), and a worker that follows the list
    to a real broker on tcp://127.0.0.1.                                   */
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_discover.h"
#include "hr_log.h"
#include "hr_worker.h"
#include "hr_test.h"

#include <stdlib.h>
#include <string.h>

START_TEST (test_dynamic)
{
    ck_assert (!hr_discover_dynamic (""));
    ck_assert (!hr_discover_dynamic ("tcp://a:1, tcp://b:2"));
    ck_assert (hr_discover_dynamic ("tcp://a:1 dns+tcp://gw:5555"));
    ck_assert (!hr_discover_dynamic ("dns+tcp://"));     /* no name */
}
END_TEST

START_TEST (test_expand)
{
    int unresolved = -1;
    char *list = hr_discover_expand ("tcp://b:2, dns+tcp://localhost:5555 tcp://a:1,tcp://b:2",
                                     &unresolved);
    ck_assert_ptr_nonnull (list);
    ck_assert_int_eq (unresolved, 0);
    /*  Sorted, duplicates once, localhost as its address(es).             */
    ck_assert_msg (strstr (list, "tcp://127.0.0.1:5555") != NULL, "%s", list);
    ck_assert_msg (strncmp (list, "tcp://127.0.0.1:5555,", 21) == 0
                   || strncmp (list, "tcp://[::1]:5555,", 17) == 0, "%s", list);
    ck_assert_msg (strstr (list, "tcp://a:1,tcp://b:2") != NULL, "%s", list);
    ck_assert_ptr_null (strstr (strstr (list, "tcp://b:2") + 1, "tcp://b:2"));
    free (list);

    list = hr_discover_expand ("dns+tcp://no-such-host.invalid:5555,tcp://a:1", &unresolved);
    ck_assert_int_eq (unresolved, 1);
    ck_assert_str_eq (list, "tcp://a:1");
    free (list);
    list = hr_discover_expand ("dns+tcp://localhost", &unresolved);   /* no port */
    ck_assert_int_eq (unresolved, 1);
    ck_assert_str_eq (list, "");
    free (list);
}
END_TEST

START_TEST (test_generation)
{
    hr_discover_t *d = hr_discover_new ("tcp://a:1,dns+tcp://localhost:7", 60000);
    ck_assert_ptr_nonnull (d);
    uint64_t generation = 0;
    char *list = NULL;
    ck_assert_int_eq (hr_discover_get (d, &generation, &list), 1);
    ck_assert_ptr_nonnull (strstr (list, "tcp://a:1"));
    ck_assert_ptr_nonnull (strstr (list, ":7"));
    ck_assert_int_eq (hr_discover_get (d, &generation, &list), 0);    /* unchanged */
    free (list);
    hr_discover_destroy (&d);
    ck_assert_ptr_null (d);
}
END_TEST

/*  A worker on the discovered list reaches a broker found by name.        */
START_TEST (test_worker_by_name)
{
    hr_broker_t *b = hr_broker_new ("tcp://127.0.0.1:*");
    ck_assert_ptr_nonnull (b);
    const char *port = strrchr (hr_broker_endpoint (b), ':') + 1;
    char source[64];
    snprintf (source, sizeof source, "dns+tcp://localhost:%s", port);
    hr_discover_t *d = hr_discover_new (source, 100);
    uint64_t generation = 0;
    char *list = NULL;
    ck_assert_int_eq (hr_discover_get (d, &generation, &list), 1);
    hr_worker_t *w = hr_worker_new (list, "named");
    ck_assert_ptr_nonnull (w);
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    hr_work_t work;
    long long until = test_mono_ms () + 10000;
    while (test_workers (c, "named") != 1 && test_mono_ms () < until)
        ck_assert_int_eq (hr_worker_recv (w, &work, 20), 0);    /* nothing sent yet */
    ck_assert_int_eq (test_workers (c, "named"), 1);
    ck_assert_int_eq (hr_client_send (c, "named", 1, hr_now_ms () + 20000, "hi", 2), 0);
    int got = 0;
    until = test_mono_ms () + 10000;
    while (got != 1 && test_mono_ms () < until)
        got = hr_worker_recv (w, &work, 50);
    ck_assert_int_eq (got, 1);
    ck_assert_uint_eq (work.body_len, 2);
    ck_assert_int_eq (hr_worker_reply (w, HR_OK, "ok", 2), 0);
    hr_worker_destroy (&w);
    hr_client_destroy (&c);
    free (list);
    hr_discover_destroy (&d);
    hr_broker_destroy (&b);
}
END_TEST

int
main (void)
{
    hr_log_init ("test_discover", HR_LOG_WARN);
    Suite *s = suite_create ("discover");
    TCase *tc = tcase_create ("dns");
    tcase_set_timeout (tc, 60);
    tcase_add_test (tc, test_dynamic);
    tcase_add_test (tc, test_expand);
    tcase_add_test (tc, test_generation);
    tcase_add_test (tc, test_worker_by_name);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
