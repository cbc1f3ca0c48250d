// build: cc -O2 -D_GNU_SOURCE -Icommon bench/proto/bench_proto.c build/common/libhr_common.a $(pkg-config --cflags --libs libczmq libzmq libpq hiredis jansson) -lpthread -lm -o bench_proto
/*  bench_proto — round trips per second through hr_broker to 1 and 2 echo
    workers (hr_worker threads), with N requests kept in flight by one
    hr_client.  Everything in one process over tcp://127.0.0.1, so on a
    2-core box client, broker and workers share the cores.

    Then the mesh of docs/scaling.md: 1..3 brokers, 2 workers registered
    with all of them, one client thread per broker (64 in flight each):
    the calls per second in all, and each broker thread's CPU per call
    (hr_broker_stats: the constant of the capacity model).

    Usage: bench_proto [requests per run, default 50000]                   */
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_log.h"
#include "hr_status.h"
#include "hr_worker.h"

#include <czmq.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVICE "bench"
#define BODY_LEN 64             /* a typical small request */

typedef struct {
    const char *endpoint;
    atomic_bool *stop;
} worker_args_t;

static void *
echo_worker (void *arg)
{
    worker_args_t *a = (worker_args_t *) arg;
    hr_worker_t *w = hr_worker_new (a->endpoint, SERVICE);
    if (!w)
        return NULL;
    while (!atomic_load (a->stop)) {
        hr_work_t work;
        if (hr_worker_recv (w, &work, 100) == 1)
            hr_worker_reply (w, HR_OK, work.body, work.body_len);
    }
    hr_worker_destroy (&w);
    return NULL;
}

static int
cmp_i64 (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

/*  Waits until the broker has `n` workers for SERVICE.                    */
static int
wait_workers (hr_client_t *c, uint32_t n)
{
    uint8_t body[4 + sizeof SERVICE - 1];
    uint32_t len = sizeof SERVICE - 1;
    memcpy (body, &len, 4);    /* little-endian host */
    memcpy (body + 4, SERVICE, len);
    for (int i = 0; i < 500; i++) {
        void *reply;
        size_t reply_len;
        int status = hr_client_call (c, HR_MMI_WORKERS, body, sizeof body, 1000, &reply,
                                     &reply_len);
        uint32_t have = 0;
        if (status == HR_OK && reply_len == 4)
            memcpy (&have, reply, 4);
        free (reply);
        if (have == n)
            return 0;
        zclock_sleep (10);
    }
    return -1;
}

static void
run (const char *endpoint, hr_client_t *c, int workers, int inflight, int total)
{
    atomic_bool stop = false;
    pthread_t threads[8];
    worker_args_t args = { endpoint, &stop };
    for (int i = 0; i < workers; i++)
        pthread_create (&threads[i], NULL, echo_worker, &args);
    if (wait_workers (c, (uint32_t) workers) != 0) {
        fprintf (stderr, "workers did not register\n");
        exit (1);
    }

    int64_t *sent_at = (int64_t *) calloc ((size_t) total, sizeof *sent_at);
    int64_t *latency = (int64_t *) calloc ((size_t) total, sizeof *latency);
    uint8_t body[BODY_LEN] = { 0 };
    int sent = 0, done = 0, failed = 0;
    int64_t started = zclock_usecs ();
    while (done < total) {
        while (sent < total && sent - done < inflight) {
            sent_at[sent] = zclock_usecs ();
            if (hr_client_send (c, SERVICE, (uint64_t) sent, hr_now_ms () + 5000, body,
                                sizeof body)
                != 0)
                break;
            sent++;
        }
        hr_reply_t reply;
        int rc, received = 0;
        while ((rc = hr_client_recv (c, &reply)) == 1) {
            received++;
            if (reply.request_id < (uint64_t) total) {
                latency[done] = zclock_usecs () - sent_at[reply.request_id];
                if (reply.status != HR_OK)
                    failed++;
                done++;
            }
        }
        if (rc == 0 && received == 0) {
            zmq_pollitem_t item = { NULL, hr_client_fd (c), ZMQ_POLLIN, 0 };
            zmq_poll (&item, 1, 1);    /* edge-triggered fd: short timeout */
        }
    }
    double seconds = (double) (zclock_usecs () - started) / 1e6;
    qsort (latency, (size_t) total, sizeof *latency, cmp_i64);
    printf ("workers=%d inflight=%-3d requests=%d  %8.0f req/s  p50 %5lld us  p99 %6lld us"
            "  failed %d\n",
            workers, inflight, total, total / seconds, (long long) latency[total / 2],
            (long long) latency[(size_t) total * 99 / 100], failed);
    fflush (stdout);
    free (sent_at);
    free (latency);

    atomic_store (&stop, true);
    for (int i = 0; i < workers; i++)
        pthread_join (threads[i], NULL);
    wait_workers (c, 0);
}

typedef struct {
    hr_broker_t *broker;
    int total;
    double seconds;
} mesh_client_t;

/*  One client keeping 64 calls in flight through its own broker.          */
static void *
mesh_client (void *arg)
{
    mesh_client_t *m = (mesh_client_t *) arg;
    hr_client_t *c = hr_client_new (hr_broker_endpoint (m->broker));
    uint8_t body[BODY_LEN] = { 0 };
    int sent = 0, done = 0;
    int64_t started = zclock_usecs ();
    while (done < m->total) {
        while (sent < m->total && sent - done < 64
               && hr_client_send (c, SERVICE, (uint64_t) sent, hr_now_ms () + 5000, body,
                                  sizeof body) == 0)
            sent++;
        hr_reply_t reply;
        int rc, received = 0;
        while ((rc = hr_client_recv (c, &reply)) == 1) {
            received++;
            done++;
        }
        if (rc == 0 && received == 0) {
            zmq_pollitem_t item = { NULL, hr_client_fd (c), ZMQ_POLLIN, 0 };
            zmq_poll (&item, 1, 1);
        }
    }
    m->seconds = (double) (zclock_usecs () - started) / 1e6;
    hr_client_destroy (&c);
    return NULL;
}

static void
run_mesh (int nbrokers, int total)
{
    hr_broker_t *brokers[3];
    char list[1024] = "";
    for (int i = 0; i < nbrokers; i++) {
        brokers[i] = hr_broker_new ("tcp://127.0.0.1:*");
        if (!brokers[i])
            exit (1);
        strcat (list, i ? "," : "");
        strcat (list, hr_broker_endpoint (brokers[i]));
    }
    atomic_bool stop = false;
    pthread_t workers[2], clients[3];
    worker_args_t args = { list, &stop };
    for (int i = 0; i < 2; i++)
        pthread_create (&workers[i], NULL, echo_worker, &args);
    for (int i = 0; i < nbrokers; i++) {
        hr_client_t *c = hr_client_new (hr_broker_endpoint (brokers[i]));
        if (wait_workers (c, 2) != 0) {
            fprintf (stderr, "workers did not register with every broker\n");
            exit (1);
        }
        hr_client_destroy (&c);
    }
    hr_broker_stats_t before[3];
    for (int i = 0; i < nbrokers; i++)
        hr_broker_stats (brokers[i], &before[i]);
    mesh_client_t m[3];
    int64_t started = zclock_usecs ();
    for (int i = 0; i < nbrokers; i++) {
        m[i] = (mesh_client_t) { brokers[i], total / nbrokers, 0 };
        pthread_create (&clients[i], NULL, mesh_client, &m[i]);
    }
    for (int i = 0; i < nbrokers; i++)
        pthread_join (clients[i], NULL);
    double seconds = (double) (zclock_usecs () - started) / 1e6;
    printf ("mesh brokers=%d workers=2 in flight=64 per broker  %8.0f calls/s in all", nbrokers,
            (double) (total / nbrokers * nbrokers) / seconds);
    for (int i = 0; i < nbrokers; i++) {
        hr_broker_stats_t after;
        hr_broker_stats (brokers[i], &after);
        double cpu = after.cpu_seconds - before[i].cpu_seconds;
        uint64_t calls = after.replies - before[i].replies;
        uint64_t messages = after.messages - before[i].messages;
        printf ("  | broker %d: %.1f us CPU per call, %.0f messages in per CPU second", i + 1,
                calls ? cpu * 1e6 / (double) calls : 0, cpu > 0 ? (double) messages / cpu : 0);
    }
    printf ("\n");
    fflush (stdout);
    atomic_store (&stop, true);
    for (int i = 0; i < 2; i++)
        pthread_join (workers[i], NULL);
    for (int i = 0; i < nbrokers; i++)
        hr_broker_destroy (&brokers[i]);
}

int
main (int argc, char **argv)
{
    int total = argc > 1 ? atoi (argv[1]) : 50000;
    if (total <= 0)
        total = 50000;
    hr_log_init ("bench_proto", HR_LOG_WARN);
    hr_broker_t *broker = hr_broker_new ("tcp://127.0.0.1:*");
    if (!broker)
        return 1;
    hr_client_t *c = hr_client_new (hr_broker_endpoint (broker));
    const int inflight[] = { 1, 16, 64 };
    for (int workers = 1; workers <= 2; workers++)
        for (size_t i = 0; i < sizeof inflight / sizeof inflight[0]; i++)
            run (hr_broker_endpoint (broker), c, workers, inflight[i], total);
    hr_client_destroy (&c);
    hr_broker_destroy (&broker);
    for (int brokers = 1; brokers <= 3; brokers++)
        run_mesh (brokers, total);
    return 0;
}
