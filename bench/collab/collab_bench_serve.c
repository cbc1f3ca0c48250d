/*  collab_bench_serve — for_user latency inside the running service, over
    ZeroMQ: an in-process broker, the real service skeleton (hr_service_new,
    worker threads) with a model trained on a YOOCHOOSE train file, and a
    client firing requests at a fixed rate with the test sessions' real
    histories (every prefix of every test session, newest first).

    Latency is measured per request from its send to its reply (open loop:
    the next send never waits for a reply).  For comparison the same
    requests are then run through the handler directly (no ZeroMQ).

    The live overlay is filled first by replaying every train click as a
    stream event (user = session): every history item then has live deltas
    to merge, the worst case for the request path.

    usage: collab_bench_serve TRAIN TEST [RATE=2000/s] [REQUESTS=20000]
                              [WORKERS=2] [LIMIT=20] [--no-overlay]          */
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_service.h"
#include "hr_status.h"
#include "hr_wire.h"
#include "collab-svc/log.h"
#include "collab-svc/model.h"
#include "collab-svc/protocol.h"
#include "collab-svc/serve.h"
#include "../bench_util.h"

#define HIST_MAX 50             /* clicks per request history */

/*  Dataset item ids are numbers; served ids are 10-char product ids.       */
static void
s_product_id (const char *item, char out[HR_PRODUCT_ID_LEN + 1])
{
    snprintf (out, HR_PRODUCT_ID_LEN + 1, "%010lu", strtoul (item, NULL, 10));
}

static void
s_report (const char *what, double *lat, size_t n)
{
    qsort (lat, n, sizeof *lat, bench_cmp_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += lat[i];
    printf ("%-28s n=%zu  mean %.0f us  p50 %.0f us  p90 %.0f us  p99 %.0f us  p99.9 %.0f us  max %.0f us\n",
            what, n, sum / (double) n * 1e6, lat[n / 2] * 1e6, lat[n * 9 / 10] * 1e6,
            lat[n * 99 / 100] * 1e6, lat[n * 999 / 1000] * 1e6, lat[n - 1] * 1e6);
}

int
main (int argc, char **argv)
{
    bool overlay = true;
    int nargs = 0;
    const char *arg[8] = { 0 };
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv[i], "--no-overlay") == 0)
            overlay = false;
        else if (nargs < 8)
            arg[nargs++] = argv[i];
    }
    if (nargs < 2) {
        fprintf (stderr, "usage: %s TRAIN TEST [RATE=2000] [REQUESTS=20000] [WORKERS=2] [LIMIT=20] [--no-overlay]\n", argv[0]);
        return 2;
    }
    double rate = nargs > 2 ? atof (arg[2]) : 2000;
    size_t nreq = nargs > 3 ? strtoul (arg[3], NULL, 10) : 20000;
    int workers = nargs > 4 ? atoi (arg[4]) : 2;
    uint32_t limit = nargs > 5 ? (uint32_t) atoi (arg[5]) : 20;
    if (rate <= 0 || nreq == 0 || workers < 1) {
        fprintf (stderr, "bad RATE/REQUESTS/WORKERS\n");
        return 2;
    }

    /* the model, with product ids */
    char err[256];
    collab_ids_t *ids = collab_ids_new (1 << 14), *test_ids = collab_ids_new (1 << 14);
    collab_log_t *train = collab_log_read (arg[0], HR_DATASET_YOOCHOOSE, ids, err, sizeof err);
    collab_log_t *test = train ? collab_log_read (arg[1], HR_DATASET_YOOCHOOSE, test_ids, err, sizeof err) : NULL;
    if (!train || !test) {
        fprintf (stderr, "%s\n", err);
        return 1;
    }
    collab_ids_t *pids = collab_ids_new (collab_ids_count (ids));
    for (uint32_t i = 0; i < collab_ids_count (ids); i++) {
        char pid[HR_PRODUCT_ID_LEN + 1];
        s_product_id (collab_ids_at (ids, i), pid);
        if (collab_ids_intern (pids, pid, HR_PRODUCT_ID_LEN) != i) {
            fprintf (stderr, "item id %s does not map to a unique product id\n", collab_ids_at (ids, i));
            return 1;
        }
    }
    collab_train_params_t tp;
    collab_train_params_default (&tp);
    collab_model_t *model = collab_model_train (train, pids, &tp);
    if (!model)
        return 1;
    collab_score_params_t sp;
    collab_score_params_default (&sp);
    collab_serve_t *state = collab_serve_new (NULL, NULL, &sp);
    collab_serve_install (state, model, 1);
    if (overlay) {
        for (uint32_t s = 0; s < train->n_sessions; s++)
            for (uint32_t e = train->start[s]; e < train->start[s + 1]; e++) {
                hr_event_t ev = { .type = HR_EVENT_CLICK, .ts_ms = train->ts_ms[e] };
                snprintf (ev.user_id, sizeof ev.user_id, "s%u", s);
                s_product_id (collab_ids_at (ids, train->item[e]), ev.value);
                collab_serve_apply_events (state, &ev, 1);
            }
        collab_overlay_stats_t st;
        collab_serve_overlay_stats (state, &st);
        printf ("overlay: %" PRIu64 " events, %u users, %u items, %u entries\n",
                st.events, st.users, st.items, st.entries);
    }

    /* request bodies: every prefix (>= 1 click) of every test session */
    size_t nbodies = 0, cap = 0;
    hr_writer_t *bodies = NULL;
    for (uint32_t s = 0; s < test->n_sessions; s++)
        for (uint32_t t = test->start[s] + 1; t < test->start[s + 1]; t++) {
            if (nbodies == cap) {
                cap = cap ? 2 * cap : 1024;
                bodies = realloc (bodies, cap * sizeof *bodies);
            }
            hr_writer_t *w = &bodies[nbodies++];
            hr_writer_init (w);
            hr_put_cstr (w, HR_M_FOR_USER);
            uint32_t n = t - test->start[s] < HIST_MAX ? t - test->start[s] : HIST_MAX;
            hr_put_u32 (w, n);
            for (uint32_t k = 0; k < n; k++) {
                uint32_t e = t - 1 - k;
                char pid[HR_PRODUCT_ID_LEN + 1];
                s_product_id (collab_ids_at (test_ids, test->item[e]), pid);
                hr_put_u8 (w, 1);
                hr_put_str (w, pid, HR_PRODUCT_ID_LEN);
                hr_put_i64 (w, test->ts_ms[e]);
            }
            hr_put_u32 (w, limit);
        }
    printf ("model: %u items, %u sessions; %zu distinct request histories from the test file\n",
            model->n_items, model->n_sessions, nbodies);

    /* the service over ZeroMQ */
    hr_broker_t *broker = hr_broker_new ("tcp://127.0.0.1:*");
    hr_service_t *service = broker ? hr_service_new (&collab_service_def, state,
                                                     hr_broker_endpoint (broker), workers) : NULL;
    hr_client_t *client = service ? hr_client_new (hr_broker_endpoint (broker)) : NULL;
    if (!client) {
        fprintf (stderr, "cannot start broker/service/client\n");
        return 1;
    }
    uint32_t live = 0;
    for (int i = 0; i < 200 && live < (uint32_t) workers; i++) {
        hr_writer_t w;
        hr_writer_init (&w);
        hr_put_cstr (&w, HR_SERVICE_COLLAB);
        void *body = NULL;
        size_t len = 0;
        if (hr_client_call (client, HR_MMI_WORKERS, w.data, w.len, 1000, &body, &len) == HR_OK && len >= 4) {
            hr_reader_t r;
            hr_reader_init (&r, body, len);
            live = hr_get_u32 (&r);
        }
        free (body);
        hr_writer_free (&w);
        if (live < (uint32_t) workers)
            usleep (20 * 1000);
    }
    /* warm-up: every scorer built, caches warm */
    for (size_t i = 0; i < 200 && i < nbodies; i++) {
        void *body = NULL;
        size_t len = 0;
        hr_client_call (client, HR_SERVICE_COLLAB, bodies[i].data, bodies[i].len, 5000, &body, &len);
        free (body);
    }

    double *sent = calloc (nreq, sizeof *sent), *lat = calloc (nreq, sizeof *lat);
    size_t nsent = 0, nrecv = 0, nerr = 0, items = 0;
    int fd = hr_client_fd (client);
    double t0 = bench_now_s ();
    double deadline = t0 + (double) nreq / rate + 10.0;
    while (nrecv < nreq && bench_now_s () < deadline) {
        double now = bench_now_s ();
        while (nsent < nreq && now >= t0 + (double) nsent / rate) {
            hr_writer_t *w = &bodies[nsent % nbodies];
            sent[nsent] = bench_now_s ();
            if (hr_client_send (client, HR_SERVICE_COLLAB, nsent + 1, hr_now_ms () + 5000, w->data, w->len))
                nerr++;
            nsent++;
            now = bench_now_s ();
        }
        hr_reply_t reply;
        int rc;
        while ((rc = hr_client_recv (client, &reply)) == 1) {
            double got = bench_now_s ();
            uint64_t id = reply.request_id;
            if (id == 0 || id > nsent)
                continue;
            if (reply.status != HR_OK)
                nerr++;
            else if (reply.body_len >= 4) {
                hr_reader_t r;
                hr_reader_init (&r, reply.body, reply.body_len);
                items += hr_get_u32 (&r);
            }
            lat[nrecv++] = got - sent[id - 1];
        }
        double wait = nsent < nreq ? t0 + (double) nsent / rate - bench_now_s () : 0.001;
        if (wait > 0) {
            struct pollfd p = { fd, POLLIN, 0 };
            struct timespec ts = { 0, (long) (wait * 1e9) };
            ppoll (&p, 1, &ts, NULL);
        }
    }
    double wall = bench_now_s () - t0;
    printf ("over ZeroMQ: %zu sent at %.0f/s with %d workers, %zu answered in %.2f s, %zu errors, %.1f items/answer\n",
            nsent, rate, workers, nrecv, wall, nerr, nrecv ? (double) items / (double) nrecv : 0.0);
    if (nrecv)
        s_report ("for_user round trip", lat, nrecv);

    /* the handler alone, same requests, one thread */
    size_t ndirect = nreq < nbodies * 4 ? nreq : nbodies * 4;
    hr_writer_t reply;
    hr_writer_init (&reply);
    char errbuf[256];
    for (size_t i = 0; i < ndirect; i++) {
        hr_writer_t *w = &bodies[i % nbodies];
        hr_reader_t r;
        hr_reader_init (&r, w->data, w->len);
        size_t mlen;
        const char *method = hr_get_str (&r, &mlen);
        hr_call_t call = { "bench", 0, errbuf, sizeof errbuf };
        hr_writer_reset (&reply);
        double a = bench_now_s ();
        collab_serve_handle (state, method, mlen, &r, &reply, &call);
        lat[i] = bench_now_s () - a;
    }
    s_report ("for_user handler only", lat, ndirect);

    hr_writer_free (&reply);
    hr_client_destroy (&client);
    hr_service_destroy (&service);
    hr_broker_destroy (&broker);
    collab_serve_destroy (&state);
    for (size_t i = 0; i < nbodies; i++)
        hr_writer_free (&bodies[i]);
    free (bodies);
    free (sent);
    free (lat);
    collab_log_destroy (&train);
    collab_log_destroy (&test);
    collab_ids_destroy (&ids);
    collab_ids_destroy (&test_ids);
    return nerr ? 1 : 0;
}
