/*  collab_bench_live — the string-keyed part of for_user in isolation:
    collab_live_deltas (history set, overlay rows, cold-item list and its
    sort) over the test sessions' real histories, single thread.

    The overlay is filled by replaying every train click as a stream event
    (user = session).  With --cold no model is passed, so every neighbour is
    a cold item and goes through the named list: the worst case (a catalogue
    newer than the model).  Each history is the session prefix, newest first,
    repeated up to HIST clicks (the service accepts up to 1000).

    usage: collab_bench_live TRAIN TEST [HIST=50] [--cold]                 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "collab-svc/live.h"
#include "collab-svc/log.h"
#include "collab-svc/model.h"
#include "../bench_util.h"

static uint64_t
s_mix (uint64_t h, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ ((const unsigned char *) p)[i]) * 1099511628211ull;
    return h;
}

int
main (int argc, char **argv)
{
    bool cold = false;
    int nargs = 0;
    const char *arg[3] = { 0 };
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv[i], "--cold") == 0)
            cold = true;
        else if (nargs < 3)
            arg[nargs++] = argv[i];
    }
    if (nargs < 2) {
        fprintf (stderr, "usage: %s TRAIN TEST [HIST=50] [--cold]\n", argv[0]);
        return 2;
    }
    uint32_t hist = nargs > 2 ? (uint32_t) atoi (arg[2]) : 50;
    if (hist < 1 || hist > 100000) {
        fprintf (stderr, "bad HIST\n");
        return 2;
    }
    char err[256];
    collab_ids_t *ids = collab_ids_new (1 << 14);
    collab_log_t *train = collab_log_read (arg[0], HR_DATASET_YOOCHOOSE, ids, err, sizeof err);
    collab_log_t *test = train ? collab_log_read (arg[1], HR_DATASET_YOOCHOOSE, ids, err, sizeof err) : NULL;
    if (!train || !test) {
        fprintf (stderr, "%s\n", err);
        return 1;
    }
    /* product ids: the item index as ten digits */
    uint32_t nitems = collab_ids_count (ids);
    char (*pid)[COLLAB_ID_MAX + 1] = malloc ((size_t) nitems * sizeof *pid);
    for (uint32_t i = 0; i < nitems; i++)
        snprintf (pid[i], sizeof pid[i], "%010u", i);
    collab_model_t *model = NULL;
    if (!cold) {
        collab_ids_t *pids = collab_ids_new (nitems);
        for (uint32_t i = 0; i < nitems; i++)
            collab_ids_intern (pids, pid[i], COLLAB_ID_MAX);
        collab_train_params_t tp;
        collab_train_params_default (&tp);
        model = collab_model_train (train, pids, &tp);
        if (!model)
            return 1;
    }
    collab_overlay_params_t op;
    collab_overlay_params_default (&op);
    collab_overlay_t *ov = collab_overlay_new (&op);
    for (uint32_t s = 0; s < train->n_sessions; s++)
        for (uint32_t e = train->start[s]; e < train->start[s + 1]; e++) {
            hr_event_t ev = { .type = HR_EVENT_CLICK, .ts_ms = train->ts_ms[e] };
            snprintf (ev.user_id, sizeof ev.user_id, "s%u", s);
            memcpy (ev.value, pid[train->item[e]], COLLAB_ID_MAX + 1);
            collab_overlay_apply (ov, &ev, 1);
        }
    collab_score_params_t sp;
    collab_score_params_default (&sp);
    collab_click_t *clicks = malloc (hist * sizeof *clicks);
    size_t cap = test->n_events, n = 0;
    double *lat = malloc (cap * sizeof *lat);
    uint64_t ncold_sum = 0, nextra_sum = 0;
    uint64_t checksum = 1469598103934665603ull;   /* FNV-1a over every output */
    for (uint32_t s = 0; s < test->n_sessions; s++)
        for (uint32_t t = test->start[s] + 1; t < test->start[s + 1]; t++) {
            uint32_t len = t - test->start[s];
            for (uint32_t k = 0; k < hist; k++)
                clicks[k] = (collab_click_t) { pid[test->item[t - 1 - k % len]], COLLAB_ID_MAX };
            collab_rec_t extra[COLLAB_LIVE_MAX];
            collab_named_t named[COLLAB_LIVE_MAX];
            uint32_t nextra, ncold;
            double t0 = bench_now_s ();
            collab_live_deltas (ov, model, &sp, clicks, hist, extra, &nextra, named, &ncold);
            lat[n++] = bench_now_s () - t0;
            ncold_sum += ncold;
            nextra_sum += nextra;
            for (uint32_t i = 0; i < ncold; i++)
                checksum = s_mix (s_mix (checksum, named[i].id, COLLAB_ID_MAX), &named[i].score, 4);
            for (uint32_t i = 0; i < nextra; i++)
                checksum = s_mix (checksum, &extra[i], sizeof extra[i]);
        }
    qsort (lat, n, sizeof *lat, bench_cmp_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += lat[i];
    printf ("collab_live_deltas %s HIST=%u  n=%zu  mean %.2f us  p50 %.2f us  p99 %.2f us"
            "  (cold/call %.1f, extra/call %.1f, checksum %016" PRIx64 ")\n",
            cold ? "no model (all cold)" : "with model", hist, n, sum / (double) n * 1e6,
            lat[n / 2] * 1e6, lat[n * 99 / 100] * 1e6, (double) ncold_sum / (double) n,
            (double) nextra_sum / (double) n, checksum);
    free (lat);
    free (clicks);
    free (pid);
    collab_overlay_destroy (&ov);
    collab_model_destroy (&model);
    collab_log_destroy (&train);
    collab_log_destroy (&test);
    collab_ids_destroy (&ids);
    return 0;
}
