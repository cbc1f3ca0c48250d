/*  hr_test — the one fixture every test suite uses for the throwaway stack
    and the broker: where PostgreSQL and Redis are (the CTest fixture
    `stack` sets DATABASE_URL / REDIS_URL; run by hand, export them — there
    are no silent defaults), waiting for a service's workers, calling a
    service and decoding its reply with hr_proto, running a suite.  Header-only (each test
    binary is one translation unit); linked as hr_test_fixture.            */
#ifndef HR_TEST_H
#define HR_TEST_H
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_migrate.h"
#include "hr_pg.h"
#include "hr_proto.h"
#include "hr_status.h"
#include "hr_wire.h"

#define HR_TEST_CALL_MS 20000       /* generous: ASan builds on a busy machine */

static inline const char *
test_database_url (void)
{
    const char *url = getenv ("DATABASE_URL");
    ck_assert_msg (url && *url, "DATABASE_URL is not set (the tests need PostgreSQL)");
    return url;
}

static inline const char *
test_redis_url (void)
{
    const char *url = getenv ("REDIS_URL");
    ck_assert_msg (url && *url, "REDIS_URL is not set (the tests need Redis)");
    return url;
}

static inline long long
test_mono_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void
test_sleep_ms (int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
    nanosleep (&ts, NULL);
}

/*  A name unique to this process, so parallel runs never share keys.      */
static inline const char *
test_unique (const char *prefix)
{
    static char buf[8][64];
    static int next;
    char *b = buf[next++ % 8];
    snprintf (b, 64, "%s%ld%d", prefix, (long) getpid (), next);
    return b;
}

/*  PostgreSQL at DATABASE_URL, migrated.  */
static inline hr_pg_t *
test_pg_migrated (void)
{
    hr_pg_t *pg = hr_pg_new (test_database_url (), 60000, 10000);
    ck_assert_msg (pg != NULL, "PostgreSQL at DATABASE_URL is required");
    ck_assert_int_ge (hr_migrate (pg), 0);
    return pg;
}

/*  Live workers of `service` according to the broker; -1 on no answer.    */
static inline long
test_workers (hr_client_t *client, const char *service)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_cstr (&w, service);
    void *body = NULL;
    size_t len = 0;
    int status = hr_client_call (client, HR_MMI_WORKERS, w.data, w.len, 2000, &body, &len);
    hr_writer_free (&w);
    long n = -1;
    if (status == HR_OK && len == 4) {
        hr_reader_t r;
        hr_reader_init (&r, body, len);
        n = hr_get_u32 (&r);
    }
    free (body);
    return n;
}

/*  Waits (at most 10 s) until the broker has exactly `n` live workers.    */
static inline void
test_wait_workers (hr_client_t *client, const char *service, long n)
{
    long long until = test_mono_ms () + 10000;
    long live;
    while ((live = test_workers (client, service)) != n && test_mono_ms () < until)
        test_sleep_ms (20);
    ck_assert_msg (live == n, "service %s: %ld live workers, expected %ld", service, live, n);
}

/*  Sends the request in `req` (method + arguments, e.g. an hr_proto_*_put)
    to `service`; returns the status, the reply in *body (malloc'd).        */
static inline int
test_call (hr_client_t *client, const char *service, const hr_writer_t *req, void **body,
           size_t *len)
{
    *body = NULL;
    *len = 0;
    return hr_client_call (client, service, req->data, req->len, HR_TEST_CALL_MS, body, len);
}

/*  The same for a method answering one scored list: on HR_OK the list is
    decoded (asserted well-formed) into *out; free it with
    hr_proto_list_free.  */
static inline int
test_call_list (hr_client_t *client, const char *service, const hr_writer_t *req,
                hr_proto_list_t *out)
{
    void *body;
    size_t len;
    int status = test_call (client, service, req, &body, &len);
    out->items = NULL;
    out->n = 0;
    if (status == HR_OK)
        ck_assert_int_eq (hr_proto_list_decode (body, len, out), 0);
    free (body);
    return status;
}

/*  Runs `tests` (NULL-terminated) as one suite in this process (no fork:
    the stack's connections and threads stay usable), each within
    timeout_s; the exit status of the test binary.  */
static inline int
test_run (const char *suite, int timeout_s, const TTest *const *tests)
{
    Suite *s = suite_create (suite);
    TCase *tc = tcase_create (suite);
    tcase_set_timeout (tc, timeout_s);
    for (int i = 0; tests[i]; i++)
        tcase_add_test (tc, tests[i]);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}

#endif
