/*  collab_bench_train — training time and memory on a generated log (10M
    events by default, see gen.h) or on a real one, and scorer latency.
    usage: collab_bench_train [EVENTS=10000000] [ITEMS=100000]
           collab_bench_train --yoochoose FILE                              */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "gen.h"
#include "collab-svc/log.h"
#include "collab-svc/model.h"
#include "collab-svc/score.h"
#include "../bench_util.h"

static double
s_maxrss_mb (void)
{
    struct rusage ru;
    getrusage (RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

static void
s_emit (void *arg, uint64_t session, int64_t ts_ms, uint32_t item)
{
    collab_rows_add (arg, session, ts_ms, item);
}

int
main (int argc, char **argv)
{
    collab_ids_t *ids = collab_ids_new (1 << 17);
    collab_log_t *log = NULL;
    double t0 = bench_now_s ();
    const char *what;
    char label[256];
    if (argc > 2 && strcmp (argv[1], "--yoochoose") == 0) {
        char err[256];
        log = collab_log_read (argv[2], HR_DATASET_YOOCHOOSE, ids, err, sizeof err);
        if (!log) {
            fprintf (stderr, "%s\n", err);
            return 1;
        }
        what = argv[2];
    }
    else {
        uint64_t events = argc > 1 ? strtoull (argv[1], NULL, 10) : 10000000;
        uint32_t items = argc > 2 ? (uint32_t) strtoul (argv[2], NULL, 10) : 100000;
        gen_t g;
        collab_rows_t *rows = collab_rows_new ();
        if (!rows || items < 2 || gen_init (&g, items, 30, 42))
            return 1;
        for (uint32_t i = 0; i < items; i++) {
            char id[16];
            snprintf (id, sizeof id, "%u", 100000000u + i);
            collab_ids_intern (ids, id, strlen (id));
        }
        uint64_t done = 0;
        while (done < events)
            done += gen_session (&g, s_emit, rows);
        gen_free (&g);
        log = collab_rows_build (rows, 2);
        collab_rows_destroy (&rows);
        snprintf (label, sizeof label, "generated (%llu events, %u items, Zipf 1.0)",
                  (unsigned long long) done, items);
        what = label;
    }
    double t1 = bench_now_s ();
    collab_train_params_t p;
    collab_train_params_default (&p);
    collab_model_t *m = collab_model_train (log, ids, &p);
    double t2 = bench_now_s ();
    if (!m)
        return 1;
    size_t blob_len = 0;
    void *blob = collab_model_save (m, &blob_len);
    double t3 = bench_now_s ();
    printf ("| %s | %u | %u | %u | %.2f | %.2f | %.2f | %.0f | %.0f | %.1f |\n", what, log->n_events,
            log->n_sessions, m->n_items, t1 - t0, t2 - t1, t3 - t2,
            collab_model_bytes (m) / 1e6, s_maxrss_mb (), blob_len / 1e6);
    free (blob);

    /* scorer latency: replay real prefixes of the log's sessions */
    collab_scorer_t *sc = collab_scorer_new (m);
    collab_score_params_t sp;
    collab_score_params_default (&sp);
    sp.fill_popular = false;
    enum { N = 20000 };
    double *lat = malloc (N * sizeof *lat);
    uint32_t hist[64];
    collab_rec_t out[20];
    uint32_t done = 0;
    for (uint32_t s = 0; s < log->n_sessions && done < N; s += 7) {
        uint32_t len = collab_log_len (log, s);
        uint32_t n = len - 1 < 64 ? len - 1 : 64;
        for (uint32_t i = 0; i < n; i++)
            hist[i] = log->item[log->start[s] + n - 1 - i];
        double a = bench_now_s ();
        collab_scorer_recommend (sc, &sp, hist, n, 0, true, out, 20);
        lat[done++] = bench_now_s () - a;
    }
    qsort (lat, done, sizeof *lat, bench_cmp_double);
    printf ("scorer for_user (top 20, %u requests, one thread): p50 %.1f µs, p99 %.1f µs, max %.1f µs\n",
            done, lat[done / 2] * 1e6, lat[(size_t) (done * 0.99)] * 1e6, lat[done - 1] * 1e6);
    free (lat);
    collab_scorer_destroy (&sc);
    collab_model_destroy (&m);
    collab_log_destroy (&log);
    return 0;
}
