/*  eval — see eval.h.  */
#include "eval.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hr_clock.h"

typedef struct {
    int64_t ts;
    uint32_t session, pos;
} point_t;

static int
s_point_cmp (const void *a, const void *b)
{
    const point_t *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->session != y->session)
        return x->session < y->session ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void
s_hit_line (FILE *out, char protocol, uint32_t session, uint32_t strategy,
            const collab_rec_t *list, uint32_t n, uint32_t target)
{
    uint32_t rank = 0;
    for (uint32_t i = 0; i < n && !rank; i++)
        if (list[i].item == target)
            rank = i + 1;
    fprintf (out, "%c\t%u\t%u\t%u\n", protocol, session, strategy, rank);
}

void
eval_strategy_free (eval_strategy_t *st)
{
    if (st->destroy && st->state)
        st->destroy (st->state);
    st->state = NULL;
}

void
eval_results_free (eval_result_t *results, uint32_t ns)
{
    for (uint32_t i = 0; i < ns; i++) {
        eval_metrics_free (&results[i].all_clicks);
        eval_metrics_free (&results[i].new_items);
    }
}

int
eval_run (const collab_log_t *test, uint32_t n_items,
                 eval_strategy_t *strategies, uint32_t ns,
                 const uint32_t *ks, uint32_t nk,
                 eval_result_t *results, bool progress)
{
    memset (results, 0, ns * sizeof *results);
    for (uint32_t i = 0; i < ns; i++)
        if (eval_metrics_init (&results[i].all_clicks, ks, nk, n_items)
            || eval_metrics_init (&results[i].new_items, ks, nk, n_items)) {
            eval_results_free (results, ns);
            return -1;
        }
    uint32_t kmax = ks[nk - 1];
    point_t *points = malloc ((test->n_events + 1) * sizeof *points);
    uint32_t *hist = malloc ((test->n_events + 1) * sizeof *hist);
    collab_rec_t *list = malloc (kmax * sizeof *list);
    if (!points || !hist || !list) {
        free (points);
        free (hist);
        free (list);
        eval_results_free (results, ns);
        return -1;
    }
    /*  HR_EVAL_HITS=FILE: one line per prediction (protocol, session,
        strategy index, 1-based rank of the target or 0), for paired tests
        between strategies (bench/paired.py).                              */
    const char *hits_path = getenv ("HR_EVAL_HITS");
    FILE *hits = hits_path ? fopen (hits_path, "w") : NULL;
    uint32_t np = 0;
    for (uint32_t s = 0; s < test->n_sessions; s++)
        for (uint32_t e = test->start[s]; e < test->start[s + 1]; e++)
            points[np++] = (point_t) { test->ts_ms[e], s, e - test->start[s] };
    qsort (points, np, sizeof *points, s_point_cmp);

    int rc = 0;
    for (uint32_t p = 0; p < np && rc == 0; p++) {
        uint32_t first = test->start[points[p].session], pos = points[p].pos;
        uint32_t target = test->item[first + pos];
        int64_t now = points[p].ts;
        if (pos > 0) {
            for (uint32_t i = 0; i < pos; i++)          /* newest first */
                hist[i] = test->item[first + pos - 1 - i];
            bool reclick = false;
            for (uint32_t i = 0; i < pos && !reclick; i++)
                reclick = hist[i] == target;
            for (uint32_t si = 0; si < ns && rc == 0; si++) {
                eval_strategy_t *st = &strategies[si];
                if (st->hidden)
                    continue;
                /* the prediction is made when the previous click happened */
                int64_t at = test->ts_ms[first + pos - 1];
                uint64_t t0 = hr_mono_ns ();
                uint32_t n = st->recommend (st->state, hist, pos, at, false, list, kmax);
                rc = eval_metrics_add (&results[si].all_clicks, list, n, target, hr_mono_ns () - t0);
                if (hits)
                    s_hit_line (hits, 'a', points[p].session, si, list, n, target);
                if (!reclick && rc == 0) {
                    t0 = hr_mono_ns ();
                    n = st->recommend (st->state, hist, pos, at, true, list, kmax);
                    rc = eval_metrics_add (&results[si].new_items, list, n, target, hr_mono_ns () - t0);
                    if (hits)
                        s_hit_line (hits, 'b', points[p].session, si, list, n, target);
                }
            }
        }
        for (uint32_t si = 0; si < ns; si++)
            if (strategies[si].observe)
                strategies[si].observe (strategies[si].state, points[p].session, target, now);
        if (progress && (p % 2000 == 0 || p + 1 == np))
            fprintf (stderr, "\reval: %u/%u events", p + 1, np);
    }
    if (progress)
        fprintf (stderr, "\n");
    if (hits)
        fclose (hits);
    free (points);
    free (hist);
    free (list);
    if (rc)
        eval_results_free (results, ns);
    return rc;
}

static void
s_row (FILE *out, const char *name, const char *protocol, eval_metrics_t *m, const char *note)
{
    fprintf (out, "| %s | %s | %llu |", name, protocol, (unsigned long long) m->n);
    for (uint32_t ki = 0; ki < m->nk; ki++)
        fprintf (out, " %.4f | %.4f | %.4f |", eval_metrics_hr (m, ki),
                 eval_metrics_mrr (m, ki), eval_metrics_ndcg (m, ki));
    fprintf (out, " %.3f | %.1f | %.1f | %s |\n", eval_metrics_coverage (m, m->nk - 1),
             eval_metrics_latency_mean_us (m), eval_metrics_latency_us (m, 0.99),
             note ? note : "");
}

void
eval_print (FILE *out, eval_strategy_t *strategies, uint32_t ns,
                   eval_result_t *results)
{
    if (ns == 0)
        return;
    const eval_metrics_t *m0 = &results[0].all_clicks;
    fprintf (out, "| strategy | protocol | predictions |");
    for (uint32_t ki = 0; ki < m0->nk; ki++)
        fprintf (out, " HR@%u | MRR@%u | NDCG@%u |", m0->ks[ki], m0->ks[ki], m0->ks[ki]);
    fprintf (out, " coverage@%u | mean µs | p99 µs | note |\n|---|---|---:|", m0->ks[m0->nk - 1]);
    for (uint32_t ki = 0; ki < m0->nk; ki++)
        fprintf (out, "---:|---:|---:|");
    fprintf (out, "---:|---:|---:|---|\n");
    for (uint32_t si = 0; si < ns; si++)
        if (!strategies[si].hidden)
            s_row (out, strategies[si].name, "(a) all next clicks", &results[si].all_clicks,
                   strategies[si].note);
    for (uint32_t si = 0; si < ns; si++)
        if (!strategies[si].hidden)
            s_row (out, strategies[si].name, "(b) new items only", &results[si].new_items,
               strategies[si].note);
}
