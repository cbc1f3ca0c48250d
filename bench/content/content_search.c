/*  content_search — search latency on a CSV catalog.

    1. in-process: content_search_query on one session, closed loop;
    2. over ZeroMQ: an in-process broker, content-svc with 2 worker threads,
       and an open-loop client sending at a fixed rate (default 1000 req/s);
       latency is measured from each request's *scheduled* send time, so a
       stall is not hidden (no coordinated omission).
    Queries: 1-3 consecutive words of random product titles (plus a typo'd
    and a synonym query every 10th), response_limit 20 (and 2000 for 10%).

    usage: content_search [--rate R] [--seconds S] FILE.csv...              */
#include "content-svc/catalog_csv.h"
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_log.h"
#include "content-svc/search.h"
#include "content-svc/serve.h"
#include "content-svc/train.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <time.h>
#include "../bench_util.h"

#define NQ 4000

static double
now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static void
print_pct (const char *label, double *v, size_t n)
{
    qsort (v, n, sizeof *v, bench_cmp_double);
    printf ("%-28s n=%zu  p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms\n",
            label, n, v[n / 2] / 1e3, v[n * 9 / 10] / 1e3, v[n * 99 / 100] / 1e3,
            v[n * 999 / 1000] / 1e3, v[n - 1] / 1e3);
}

static char queries[NQ][128];
static uint32_t limits[NQ];

static void
make_queries (const hr_catalog_t *cat)
{
    uint64_t s = 88172645463325252ULL;
    static const char *extra[] = { "earbuds", "fridge", "samsng phone", "headphnes",
                                   "refrigeratr", "tv", "ac", "sofa", "wireless earbuds" };
    for (int q = 0; q < NQ; q++) {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        limits[q] = q % 10 == 5 ? 2000 : 20;
        if (q % 10 == 0) {
            snprintf (queries[q], sizeof queries[q], "%s", extra[(s >> 8) % 9]);
            continue;
        }
        const char *name = hr_catalog_at (cat, (uint32_t) (s % hr_catalog_size (cat)))->name;
        int words = 1 + (int) ((s >> 20) % 3), got = 0;
        size_t o = 0;
        for (const char *p = name; *p && got < words && o < 100;) {
            while (*p == ' ') p++;
            const char *b = p;
            while (*p && *p != ' ') p++;
            if (p - b >= 3 && o + (size_t) (p - b) + 1 < sizeof queries[q]) {
                if (o) queries[q][o++] = ' ';
                memcpy (queries[q] + o, b, (size_t) (p - b));
                o += (size_t) (p - b);
                got++;
            }
        }
        queries[q][o] = '\0';
        if (o == 0)
            snprintf (queries[q], sizeof queries[q], "phone");
    }
}

int
main (int argc, char **argv)
{
    double rate = 1000, seconds = 10;
    int first = 1;
    while (first + 1 < argc && argv[first][0] == '-') {
        if (!strcmp (argv[first], "--rate")) rate = atof (argv[first + 1]);
        else if (!strcmp (argv[first], "--seconds")) seconds = atof (argv[first + 1]);
        first += 2;
    }
    if (first >= argc) {
        fprintf (stderr, "usage: %s [--rate R] [--seconds S] FILE.csv...\n", argv[0]);
        return 2;
    }
    hr_log_init ("bench", HR_LOG_WARN);
    hr_catalog_t *cat = content_catalog_from_csv ((const char *const *) argv + first);
    hr_catalog_t *cat2 = content_catalog_from_csv ((const char *const *) argv + first);
    if (!cat || !cat2)
        return 1;
    make_queries (cat);
    content_train_opts_t o;
    content_train_opts_default (&o);
    content_model_t *m;
    content_train_stats_t st;
    if (content_train_build (cat, 0, &o, &m, &st))
        return 1;
    hr_writer_t w;
    hr_writer_init (&w);
    content_model_encode (m, &w);
    content_model_destroy (&m);
    const char *syn = getenv ("HR_CONTENT_SYNONYMS");
    content_state_t *state = content_state_new (cat2, NULL, NULL,
                                                syn ? syn : CONTENT_BENCH_SYNONYMS, 2);
    if (!state || content_state_install (state, w.data, w.len, 1))
        return 1;
    hr_writer_free (&w);
    printf ("catalog %u products; %d distinct queries, e.g. '%s', '%s'\n",
            hr_catalog_size (cat), NQ, queries[1], queries[2]);

    /*  1. in-process, through the same handler the workers call            */
    double *lat = malloc (NQ * 5 * sizeof *lat);
    size_t nl = 0;
    hr_writer_t req, reply;
    hr_writer_init (&req);
    hr_writer_init (&reply);
    char errbuf[256];
    for (int pass = 0; pass < 5; pass++)
        for (int q = 0; q < NQ; q++) {
            hr_writer_reset (&req);
            hr_writer_reset (&reply);
            hr_put_cstr (&req, queries[q]);
            hr_put_u32 (&req, limits[q]);
            hr_reader_t r;
            hr_reader_init (&r, req.data, req.len);
            hr_call_t call = { "bench", 0, errbuf, sizeof errbuf };
            double t0 = now_us ();
            content_handle (state, "search", 6, &r, &reply, &call);
            if (pass > 0)
                lat[nl++] = now_us () - t0;
        }
    print_pct ("in-process search", lat, nl);

    /*  2. over ZeroMQ at a fixed arrival rate                              */
    hr_broker_t *broker = hr_broker_new ("tcp://127.0.0.1:*");
    hr_service_t *svc = hr_service_new (&content_service_def, state,
                                        hr_broker_endpoint (broker), 2);
    hr_client_t *client = hr_client_new (hr_broker_endpoint (broker));
    void *body;
    size_t blen;
    for (int i = 0; i < 50; i++) {                  /* registered and warm */
        hr_writer_reset (&req);
        hr_put_cstr (&req, "search");
        hr_put_cstr (&req, "phone");
        hr_put_u32 (&req, 20);
        body = NULL;
        int rc = hr_client_call (client, "content", req.data, req.len, 2000, &body, &blen);
        free (body);
        if (rc != HR_UNAVAILABLE && i > 10)
            break;
        struct timespec ts = { 0, 50 * 1000 * 1000 };
        nanosleep (&ts, NULL);
    }
    size_t total = (size_t) (rate * seconds);
    double *sched = malloc (total * sizeof *sched);
    double *zlat = malloc (total * sizeof *zlat);
    size_t sent = 0, got = 0, errors = 0;
    double start = now_us () + 1000, interval = 1e6 / rate;
    while (got + errors < total) {
        double now = now_us ();
        while (sent < total && start + (double) sent * interval <= now) {
            int q = (int) (sent % NQ);
            hr_writer_reset (&req);
            hr_put_cstr (&req, "search");
            hr_put_cstr (&req, queries[q]);
            hr_put_u32 (&req, limits[q]);
            sched[sent] = start + (double) sent * interval;
            if (hr_client_send (client, "content", sent + 1, hr_now_ms () + 2000,
                                req.data, req.len) != 0)
                errors++;
            sent++;
        }
        hr_reply_t rep;
        int rc;
        while ((rc = hr_client_recv (client, &rep)) == 1) {
            size_t id = (size_t) rep.request_id - 1;
            if (rep.status != HR_OK || id >= sent)
                errors++;
            else
                zlat[got++] = now_us () - sched[id];
        }
        if (now > start + seconds * 1e6 + 5e6)
            break;                                  /* lost replies: give up */
        /*  sleep until the next send is due or a reply arrives (the ZMQ_FD
            is edge-triggered: recv was drained above)                       */
        double wait = sent < total ? start + (double) sent * interval - now_us () : 1000;
        if (wait > 0) {
            struct pollfd pfd = { hr_client_fd (client), POLLIN, 0 };
            struct timespec ts = { 0, (long) (wait * 1000) };
            ppoll (&pfd, 1, &ts, NULL);
        }
    }
    char label[64];
    snprintf (label, sizeof label, "ZMQ open loop %.0f req/s", rate);
    if (got)
        print_pct (label, zlat, got);
    printf ("sent %zu, answered %zu, errors %zu\n", sent, got, errors);
    hr_client_destroy (&client);
    hr_service_destroy (&svc);
    hr_broker_destroy (&broker);
    content_state_destroy (&state);
    hr_writer_free (&req);
    hr_writer_free (&reply);
    free (lat);
    free (sched);
    free (zlat);
    hr_catalog_destroy (&cat);
    return 0;
}
