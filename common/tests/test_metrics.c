/*  hr_metrics: exposition format, atomic updates from many threads, and the
    mini HTTP listener over a real socket.                                  */
#include "hr_metrics.h"
#include "hr_version.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void
teardown (void)
{
    hr_metrics_reset ();
}

START_TEST (test_counter_and_gauge_render)
{
    hr_counter_t *a = hr_counter ("hr_requests_total", "Requests served.",
                                  "endpoint=\"home\",status=\"200\"");
    hr_counter_t *b = hr_counter ("hr_requests_total", "Requests served.",
                                  "endpoint=\"search\",status=\"400\"");
    //  get-or-create: the same name + labels is the same counter
    ck_assert_ptr_eq (hr_counter ("hr_requests_total", "ignored", "endpoint=\"home\",status=\"200\""), a);
    ck_assert_ptr_ne (a, b);
    hr_counter_inc (a);
    hr_counter_add (a, 41);
    hr_counter_inc (b);
    ck_assert_uint_eq (hr_counter_value (a), 42);

    hr_gauge_t *g = hr_gauge ("hr_model_items", "Items in the model.\nSecond \\ line", NULL);
    ck_assert_ptr_eq (hr_gauge ("hr_model_items", "", ""), g);
    hr_gauge_set (g, 0.1);
    hr_gauge_add (g, 2);
    ck_assert_double_eq_tol (hr_gauge_value (g), 2.1, 1e-12);
    hr_gauge_t *inf = hr_gauge ("hr_weird", "h", NULL);
    hr_gauge_set (inf, INFINITY);

    size_t len = 0;
    char *text = hr_metrics_render (&len);
    ck_assert_ptr_nonnull (text);
    ck_assert_uint_eq (len, strlen (text));
    const char *expect =
        "# HELP hr_requests_total Requests served.\n"
        "# TYPE hr_requests_total counter\n"
        "hr_requests_total{endpoint=\"home\",status=\"200\"} 42\n"
        "hr_requests_total{endpoint=\"search\",status=\"400\"} 1\n"
        "# HELP hr_model_items Items in the model.\\nSecond \\\\ line\n"
        "# TYPE hr_model_items gauge\n"
        "hr_model_items 2.1\n"
        "# HELP hr_weird h\n"
        "# TYPE hr_weird gauge\n"
        "hr_weird +Inf\n";
    //  Every render starts with the build's identity, then the registry
    ck_assert_msg (strncmp (text, "# HELP hybridrec_build_info ", 28) == 0, "%s", text);
    //  ... and the CPU it has used so far, which grows as it works
    const char *cpu = strstr (text, "\nprocess_cpu_seconds_total ");
    ck_assert_ptr_nonnull (cpu);
    double before = strtod (cpu + 27, NULL);
    ck_assert (before > 0);
    volatile double spin = 0;
    for (long i = 0; i < 20000000; i++)
        spin += (double) i;
    char *again = hr_metrics_render (NULL);
    ck_assert (strtod (strstr (again, "\nprocess_cpu_seconds_total ") + 27, NULL) > before);
    free (again);
    const char *registry = strstr (text, "# HELP hr_requests_total");
    ck_assert_ptr_nonnull (registry);
    ck_assert_str_eq (registry, expect);
    free (text);
}
END_TEST

START_TEST (test_histogram_render_and_quantile)
{
    hr_histogram_t *h = hr_histogram ("hr_latency_seconds", "Latency.", "svc=\"content\"");
    hr_histogram_observe (h, 0.00004);      //  first bucket
    hr_histogram_observe (h, 0.001);        //  exactly on a bound: le is inclusive
    hr_histogram_observe (h, 0.003);
    hr_histogram_observe (h, 30);           //  only +Inf
    hr_histogram_observe (h, NAN);          //  ignored
    hr_histogram_observe (h, -1);           //  clamped to 0
    ck_assert_uint_eq (hr_histogram_count (h), 5);
    hr_histogram_t *bare = hr_histogram ("hr_bare_seconds", "No labels.", NULL);
    hr_histogram_observe (bare, 0.2);

    char *text = hr_metrics_render (NULL);
    ck_assert_ptr_nonnull (text);
    //  HELP and TYPE once per name
    ck_assert_ptr_nonnull (strstr (text, "# HELP hr_latency_seconds Latency.\n"
                                         "# TYPE hr_latency_seconds histogram\n"
                                         "hr_latency_seconds_bucket{svc=\"content\",le=\"0.00005\"} 2\n"
                                         "hr_latency_seconds_bucket{svc=\"content\",le=\"0.0001\"} 2\n"));
    ck_assert_ptr_nonnull (strstr (text, "{svc=\"content\",le=\"0.0005\"} 2\n"));
    ck_assert_ptr_nonnull (strstr (text, "{svc=\"content\",le=\"0.001\"} 3\n"));
    ck_assert_ptr_nonnull (strstr (text, "{svc=\"content\",le=\"0.005\"} 4\n"));
    ck_assert_ptr_nonnull (strstr (text, "{svc=\"content\",le=\"10\"} 4\n"));
    ck_assert_ptr_nonnull (strstr (text, "hr_latency_seconds_bucket{svc=\"content\",le=\"+Inf\"} 5\n"
                                         "hr_latency_seconds_sum{svc=\"content\"} 30.00404\n"
                                         "hr_latency_seconds_count{svc=\"content\"} 5\n"));
    ck_assert_ptr_nonnull (strstr (text, "hr_bare_seconds_bucket{le=\"0.25\"} 1\n"));
    ck_assert_ptr_nonnull (strstr (text, "hr_bare_seconds_sum 0.2\nhr_bare_seconds_count 1\n"));
    //  18 buckets per histogram
    int buckets = 0;
    for (const char *p = text; (p = strstr (p, "hr_latency_seconds_bucket")); p++)
        buckets++;
    ck_assert_int_eq (buckets, 18);
    free (text);

    hr_histogram_t *q = hr_histogram ("hr_q_seconds", "q", NULL);
    ck_assert_double_eq (hr_histogram_quantile (q, 0.5), 0);    //  empty
    for (int i = 0; i < 100; i++)
        hr_histogram_observe (q, 0.007);    //  all in (0.005, 0.01]
    double p50 = hr_histogram_quantile (q, 0.5);
    ck_assert (p50 > 0.005 && p50 <= 0.01);
    ck_assert_double_eq_tol (hr_histogram_quantile (q, 1.0), 0.01, 1e-12);
    hr_histogram_observe (q, 100);
    ck_assert_double_eq (hr_histogram_quantile (q, 1.0), 10);   //  +Inf -> largest bound
}
END_TEST

#define THREADS 8
#define PER_THREAD 100000

static void *
s_hammer (void *arg)
{
    (void) arg;
    //  every thread looks the metrics up itself: creation races too
    hr_counter_t *c = hr_counter ("hr_hammer_total", "h", "k=\"v\"");
    hr_gauge_t *g = hr_gauge ("hr_hammer_gauge", "h", NULL);
    hr_histogram_t *h = hr_histogram ("hr_hammer_seconds", "h", NULL);
    for (int i = 0; i < PER_THREAD; i++) {
        hr_counter_inc (c);
        hr_gauge_add (g, 0.5);
        hr_histogram_observe (h, 0.001);
    }
    return NULL;
}

START_TEST (test_concurrent_updates)
{
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++)
        pthread_create (&threads[t], NULL, s_hammer, NULL);
    for (int t = 0; t < THREADS; t++)
        pthread_join (threads[t], NULL);
    ck_assert_uint_eq (hr_counter_value (hr_counter ("hr_hammer_total", "h", "k=\"v\"")),
                       THREADS * PER_THREAD);
    ck_assert_double_eq (hr_gauge_value (hr_gauge ("hr_hammer_gauge", "h", NULL)),
                         THREADS * PER_THREAD * 0.5);
    hr_histogram_t *h = hr_histogram ("hr_hammer_seconds", "h", NULL);
    ck_assert_uint_eq (hr_histogram_count (h), THREADS * PER_THREAD);
    char *text = hr_metrics_render (NULL);
    char expect[128];
    snprintf (expect, sizeof expect, "hr_hammer_seconds_bucket{le=\"0.001\"} %d\n",
              THREADS * PER_THREAD);
    ck_assert_ptr_nonnull (strstr (text, expect));
    //  the sum is exact within double rounding
    const char *sum = strstr (text, "hr_hammer_seconds_sum ");
    ck_assert_ptr_nonnull (sum);
    ck_assert_double_eq_tol (strtod (sum + strlen ("hr_hammer_seconds_sum "), NULL),
                             THREADS * PER_THREAD * 0.001, 1e-6);
    //  one series each, however many threads created them
    ck_assert_ptr_eq (strstr (text, "hr_hammer_total{"), strstr (text, "hr_hammer_total{k=\"v\"}"));
    ck_assert_ptr_null (strstr (strstr (text, "hr_hammer_total{") + 1, "hr_hammer_total{"));
    free (text);
}
END_TEST

//  A port that was free a moment ago.
static int
s_free_port (void)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    ck_assert_int_eq (bind (fd, (struct sockaddr *) &addr, sizeof addr), 0);
    socklen_t len = sizeof addr;
    getsockname (fd, (struct sockaddr *) &addr, &len);
    close (fd);
    return ntohs (addr.sin_port);
}

static int
s_connect (int port)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port),
                                .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    ck_assert_int_eq (connect (fd, (struct sockaddr *) &addr, sizeof addr), 0);
    return fd;
}

//  Reads until the server closes (at most 5 s); malloc'd text.
static char *
s_read_all (int fd)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc (cap);
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        ck_assert_int_eq (poll (&p, 1, 5000), 1);
        ssize_t n = read (fd, buf + len, cap - 1 - len);
        if (n <= 0)
            break;
        len += (size_t) n;
        if (len == cap - 1)
            buf = realloc (buf, cap *= 2);
    }
    buf[len] = 0;
    close (fd);
    return buf;
}

static char *
s_request (int port, const char *request)
{
    int fd = s_connect (port);
    ck_assert_int_eq (write (fd, request, strlen (request)), (ssize_t) strlen (request));
    return s_read_all (fd);
}

static int s_ready_flag;
static int
s_ready (void *arg)
{
    return *(int *) arg;
}

START_TEST (test_server)
{
    ck_assert_ptr_null (hr_metrics_server_new (0, NULL, NULL));    //  0 = off
    hr_counter_inc (hr_counter ("hr_scraped_total", "A test counter.", NULL));
    int port = s_free_port ();
    hr_metrics_server_t *srv = hr_metrics_server_new (port, s_ready, &s_ready_flag);
    ck_assert_ptr_nonnull (srv);

    char *r = s_request (port, "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n");
    ck_assert_msg (strncmp (r, "HTTP/1.0 200 OK\r\n", 17) == 0, "%s", r);
    ck_assert_ptr_nonnull (strstr (r, "Content-Type: text/plain; version=0.0.4"));
    const char *body = strstr (r, "\r\n\r\n") + 4;
    const char *cl = strstr (r, "Content-Length: ");
    ck_assert_ptr_nonnull (cl);
    ck_assert_uint_eq (strtoul (cl + 16, NULL, 10), strlen (body));
    ck_assert_ptr_nonnull (strstr (body, "# TYPE hr_scraped_total counter\nhr_scraped_total 1\n"));
    ck_assert_ptr_nonnull (strstr (body, "hybridrec_build_info{version=\""));
    free (r);

    r = s_request (port, "GET /healthz HTTP/1.0\r\n\r\n");
    ck_assert_ptr_nonnull (strstr (r, "HTTP/1.0 200 OK\r\n"));
    ck_assert_str_eq (strstr (r, "\r\n\r\n") + 4, hr_version_health_json ());
    ck_assert_ptr_nonnull (strstr (r, "\"status\":\"ok\""));
    ck_assert_ptr_nonnull (strstr (r, hr_version ()));
    free (r);

    s_ready_flag = 0;
    r = s_request (port, "GET /readyz HTTP/1.0\r\n\r\n");
    ck_assert_msg (strncmp (r, "HTTP/1.0 503 ", 13) == 0, "%s", r);
    free (r);
    s_ready_flag = 1;
    r = s_request (port, "GET /readyz?verbose HTTP/1.0\r\n\r\n");
    ck_assert_msg (strncmp (r, "HTTP/1.0 200 ", 13) == 0, "%s", r);
    free (r);

    r = s_request (port, "GET /nope HTTP/1.0\r\n\r\n");
    ck_assert_msg (strncmp (r, "HTTP/1.0 404 ", 13) == 0, "%s", r);
    free (r);
    r = s_request (port, "POST /metrics HTTP/1.0\r\n\r\n");
    ck_assert_msg (strncmp (r, "HTTP/1.0 405 ", 13) == 0, "%s", r);
    free (r);
    r = s_request (port, "garbage\r\n\r\n");
    ck_assert_msg (strncmp (r, "HTTP/1.0 400 ", 13) == 0, "%s", r);
    free (r);
    //  binary junk larger than the request buffer
    char junk[10000];
    for (size_t i = 0; i < sizeof junk - 1; i++)
        junk[i] = (char) (1 + i % 250);
    junk[sizeof junk - 1] = 0;
    int fd = s_connect (port);
    (void) !write (fd, junk, sizeof junk - 1);
    free (s_read_all (fd));

    //  a client that connects and says nothing is dropped after ~1 s, and
    //  the server answers the next client afterwards
    struct timespec t0, t1;
    clock_gettime (CLOCK_MONOTONIC, &t0);
    fd = s_connect (port);
    char *silent = s_read_all (fd);
    clock_gettime (CLOCK_MONOTONIC, &t1);
    ck_assert_str_eq (silent, "");
    free (silent);
    double waited = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
    ck_assert_msg (waited < 4.0, "silent client held the server %.2f s", waited);
    r = s_request (port, "GET /healthz HTTP/1.0\r\n\r\n");
    ck_assert_ptr_nonnull (strstr (r, "200 OK"));
    free (r);

    //  issue 17, item 5: clients holding idle connections (more than the
    //  server serves at once) do not keep a probe from being answered
    enum { HELD = 100 };
    int held[HELD];
    for (int i = 0; i < HELD; i++)
        held[i] = s_connect (port);
    clock_gettime (CLOCK_MONOTONIC, &t0);
    r = s_request (port, "GET /healthz HTTP/1.0\r\n\r\n");
    clock_gettime (CLOCK_MONOTONIC, &t1);
    ck_assert_ptr_nonnull (strstr (r, "200 OK"));
    free (r);
    waited = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
    //  one at a time it waited out 1 s per held connection (~100 s)
    ck_assert_msg (waited < 20.0, "the probe waited %.2f s behind idle connections", waited);
    for (int i = 0; i < HELD; i++)
        close (held[i]);

    //  destroy returns promptly even with a silent client connected
    fd = s_connect (port);
    hr_metrics_server_destroy (&srv);
    ck_assert_ptr_null (srv);
    close (fd);
    hr_metrics_server_destroy (&srv);       //  NULL is fine

    //  the port is free again (SO_REUSEADDR), a second server binds it
    srv = hr_metrics_server_new (port, NULL, NULL);
    ck_assert_ptr_nonnull (srv);
    r = s_request (port, "GET /readyz HTTP/1.0\r\n\r\n");
    ck_assert_ptr_nonnull (strstr (r, "200 OK"));
    free (r);
    //  while it holds the port, another one cannot
    ck_assert_ptr_null (hr_metrics_server_new (port, NULL, NULL));
    hr_metrics_server_destroy (&srv);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_metrics");
    TCase *tc = tcase_create ("core");
    tcase_set_timeout (tc, 30);
    tcase_add_checked_fixture (tc, NULL, teardown);
    tcase_add_test (tc, test_counter_and_gauge_render);
    tcase_add_test (tc, test_histogram_render_and_quantile);
    tcase_add_test (tc, test_concurrent_updates);
    tcase_add_test (tc, test_server);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
