/*  ingest_bench — interactions-svc write throughput.

    zmq mode: closed loop through the broker.  C client threads each keep
    one message in flight (hr_client_call) for S seconds — one `record`, or
    with --batch B a batch of B records (hr_batch.h, what the gateway sends
    at load); prints events/s and acknowledgement latency percentiles.  By default the broker and the
    service (HR_WORKER_THREADS workers) run in this process against
    DATABASE_URL / REDIS_URL; --broker ENDPOINT drives a running stack.

    import mode: bulk-loads FILE with COPY (as `hybridrec import-events`)
    under a throwaway user prefix, prints events/s, deletes the rows again.

      ingest_bench zmq [--clients C] [--seconds S] [--workers W] [--batch B]
                       [--broker EP]
      ingest_bench import FILE --format yoochoose|diginetica|csv            */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "hr_batch.h"
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_metrics.h"
#include "hr_migrate.h"
#include "hr_service.h"
#include "hr_status.h"
#include "interactions-svc/import.h"
#include "interactions-svc/protocol.h"
#include "interactions-svc/serve.h"
#include "../bench_util.h"

#define MAX_SAMPLES 2000000

static const char *s_endpoint;
static int s_batch = 1;
static atomic_bool s_stop;
static atomic_long s_ok, s_failed;
static double *s_lat;               /* ms, one slot per acknowledged call */
static atomic_long s_nlat;

//  One message: a record, or a batch of s_batch records.
static void
s_encode (hr_writer_t *w, hr_writer_t *inner, const char *user, long id, long *i)
{
    char value[16];
    hr_writer_reset (w);
    if (s_batch == 1) {
        snprintf (value, sizeof value, "B%09ld", (id * 1000003 + (*i)++) % 1000000000);
        hr_proto_record_put (w, &(hr_proto_record_t) { user, strlen (user), HR_EVENT_CLICK, value, strlen (value) });
        return;
    }
    hr_batch_writer_t bw;
    hr_batch_request_begin (&bw, w);
    for (int k = 0; k < s_batch; k++) {
        snprintf (value, sizeof value, "B%09ld", (id * 1000003 + (*i)++) % 1000000000);
        hr_writer_reset (inner);
        hr_proto_record_put (inner, &(hr_proto_record_t) { user, strlen (user), HR_EVENT_CLICK, value, strlen (value) });
        hr_batch_request_add (&bw, (uint64_t) k, inner->data, inner->len);
    }
    hr_batch_end (&bw);
}

//  Events acknowledged by a reply.
static long
s_acknowledged (int status, const void *body, size_t len)
{
    if (status != HR_OK)
        return 0;
    if (s_batch == 1)
        return 1;
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    uint32_t n = hr_batch_count (&r);
    long ok = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint64_t item_id;
        uint8_t item_status;
        const void *item;
        size_t item_len;
        if (hr_batch_next_reply (&r, &item_id, &item_status, &item, &item_len) != 0)
            break;
        ok += item_status == HR_OK;
    }
    return ok;
}

static void *
s_client (void *arg)
{
    long id = (long) arg;
    hr_client_t *client = hr_client_new (s_endpoint);
    hr_writer_t w, inner;
    hr_writer_init (&w);
    hr_writer_init (&inner);
    char user[32];
    snprintf (user, sizeof user, "bench%ld", id);
    for (long i = 0; !atomic_load (&s_stop);) {
        s_encode (&w, &inner, user, id, &i);
        void *body = NULL;
        size_t len = 0;
        double t0 = bench_now_s ();
        int st = hr_client_call (client, HR_SERVICE_INTERACTIONS, w.data, w.len, 5000, &body, &len);
        double ms = (bench_now_s () - t0) * 1000.0;
        long ok = s_acknowledged (st, body, len);
        free (body);
        atomic_fetch_add (&s_ok, ok);
        atomic_fetch_add (&s_failed, s_batch - ok);
        if (ok > 0) {
            long slot = atomic_fetch_add (&s_nlat, 1);
            if (slot < MAX_SAMPLES)
                s_lat[slot] = ms;
        }
    }
    hr_writer_free (&w);
    hr_writer_free (&inner);
    hr_client_destroy (&client);
    return NULL;
}

static const char *
s_env (const char *name, const char *def)
{
    const char *v = getenv (name);
    return v && *v ? v : def;
}

static int
s_zmq (int argc, char **argv)
{
    int clients = 64, seconds = 10, workers = 16;
    const char *broker_ep = NULL;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp (argv[i], "--clients")) clients = atoi (argv[i + 1]);
        else if (!strcmp (argv[i], "--seconds")) seconds = atoi (argv[i + 1]);
        else if (!strcmp (argv[i], "--workers")) workers = atoi (argv[i + 1]);
        else if (!strcmp (argv[i], "--broker")) broker_ep = argv[i + 1];
        else if (!strcmp (argv[i], "--batch")) s_batch = atoi (argv[i + 1]);
        else { fprintf (stderr, "unknown option %s\n", argv[i]); return 2; }
    }
    if (clients < 1 || clients > 1024 || seconds < 1 || workers < 1 || workers > 512
    ||  s_batch < 1 || s_batch > HR_BATCH_MAX) {
        fprintf (stderr, "bad --clients/--seconds/--workers/--batch\n");
        return 2;
    }
    const char *db = s_env ("DATABASE_URL", "postgresql://hybridrec@127.0.0.1:55432/hybridrec");
    const char *redis = s_env ("REDIS_URL", "redis://127.0.0.1:56379/0");
    hr_broker_t *broker = NULL;
    inter_server_t *server = NULL;
    hr_service_t *service = NULL;
    if (!broker_ep) {
        hr_pg_t *pg = hr_pg_new (db, 30000, 5000);
        if (!pg || hr_migrate (pg) < 0) {
            fprintf (stderr, "PostgreSQL at DATABASE_URL unusable\n");
            hr_pg_destroy (&pg);
            return 1;
        }
        hr_pg_destroy (&pg);
        broker = hr_broker_new ("tcp://127.0.0.1:*");
        inter_settings_t settings;
        inter_settings_defaults (&settings, db, redis);
        server = inter_server_new (&settings);
        service = hr_service_new (&inter_service_def, server, hr_broker_endpoint (broker), workers);
        if (!broker || !server || !service) {
            fprintf (stderr, "cannot start the in-process stack\n");
            return 1;
        }
        s_endpoint = hr_broker_endpoint (broker);
        sleep (1);      // workers register
    }
    else
        s_endpoint = broker_ep;
    s_lat = calloc (MAX_SAMPLES, sizeof *s_lat);
    pthread_t *threads = calloc ((size_t) clients, sizeof *threads);
    double t0 = bench_now_s ();
    for (long i = 0; i < clients; i++)
        pthread_create (&threads[i], NULL, s_client, (void *) i);
    sleep ((unsigned) seconds);
    atomic_store (&s_stop, true);
    for (int i = 0; i < clients; i++)
        pthread_join (threads[i], NULL);
    double elapsed = bench_now_s () - t0;
    long n = atomic_load (&s_nlat);
    if (n > MAX_SAMPLES)
        n = MAX_SAMPLES;
    qsort (s_lat, (size_t) n, sizeof *s_lat, bench_cmp_double);
    printf ("zmq closed loop: %d clients, %d records per message, %d service workers, %.1f s: "
            "%ld acknowledged (%.0f events/s), %ld failed; latency ms p50 %.2f p90 %.2f "
            "p99 %.2f max %.2f\n",
            clients, s_batch, workers, elapsed, atomic_load (&s_ok), atomic_load (&s_ok) / elapsed,
            atomic_load (&s_failed), n ? s_lat[n / 2] : 0, n ? s_lat[n * 9 / 10] : 0,
            n ? s_lat[n * 99 / 100] : 0, n ? s_lat[n - 1] : 0);
    //  The service's own view: batch sizes and commit latency
    size_t mlen;
    char *metrics = hr_metrics_render (&mlen);
    for (char *line = strtok (metrics, "\n"); line; line = strtok (NULL, "\n"))
        if (strstr (line, "hr_interactions_batches_total{") || strstr (line, "commit_seconds_sum")
        ||  strstr (line, "commit_seconds_count"))
            printf ("  %s\n", line);
    free (metrics);
    free (threads);
    free (s_lat);
    hr_service_destroy (&service);
    inter_server_destroy (&server);
    hr_broker_destroy (&broker);
    return 0;
}

static int
s_import (int argc, char **argv)
{
    if (argc < 5 || strcmp (argv[3], "--format") != 0) {
        fprintf (stderr, "usage: ingest_bench import FILE --format F\n");
        return 2;
    }
    inter_import_options_t opts = { .report = stderr, .user_prefix = "benchimp" };
    if (hr_dataset_format_parse (argv[4], &opts.format) != 0) {
        fprintf (stderr, "unknown format %s\n", argv[4]);
        return 2;
    }
    hr_pg_t *pg = hr_pg_new (s_env ("DATABASE_URL", "postgresql://hybridrec@127.0.0.1:55432/hybridrec"),
                             600000, 5000);
    if (!pg || hr_migrate (pg) < 0)
        return 1;
    inter_import_summary_t sum;
    double t0 = bench_now_s ();
    int rc = inter_import_file (pg, argv[2], &opts, &sum);
    double secs = bench_now_s () - t0;
    printf ("import %s: %ld events in %.3f s = %.0f events/s (rc %d)\n", argv[2], sum.loaded,
            secs, sum.loaded / secs, rc);
    hr_pg_exec_simple (pg, "DELETE FROM interactions WHERE user_id LIKE 'benchimp%'");
    //  and its ledger rows, so the next run loads the file again
    const char *params[] = { argv[2] };
    PQclear (hr_pg_exec (pg, "DELETE FROM import_ledger WHERE file = $1", 1, params));
    hr_pg_destroy (&pg);
    return rc == 0 ? 0 : 1;
}

int
main (int argc, char **argv)
{
    if (argc >= 2 && !strcmp (argv[1], "zmq"))
        return s_zmq (argc, argv);
    if (argc >= 2 && !strcmp (argv[1], "import"))
        return s_import (argc, argv);
    fprintf (stderr, "usage: ingest_bench zmq [--clients C] [--seconds S] [--workers W] [--batch B] [--broker EP]\n"
                     "       ingest_bench import FILE --format yoochoose|diginetica|csv\n");
    return 2;
}
