/*  The learned merge fitted for the evaluation (eval_learned.h).          */
#include "eval_learned.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "merge_fit.h"
#include "merge_ltr.h"

#define K 20
#define HISTORY_MAX 50          /* the gateway's HISTORY_EVENTS */

const char *const eval_learned_names[EVAL_LEARNED_SOURCES] = {
    "collab", "rules", "trending", "content_clicked", "seqrules"
};
/*  The gateway's defaults: HR_WEIGHT_CLICKED (collab, rules, content's
    clicked list), _DIVERSE.                                               */
const double eval_learned_signal_weights[EVAL_LEARNED_SOURCES] = { 0.5, 0.5, 0.1, 0.5, 0.5 };
static const char *const s_signals[EVAL_LEARNED_SOURCES] = {
    "clicked", "clicked", "diverse", "clicked", "clicked"
};
/*  The rank merge's shares within the signal (HR_WEIGHT_CLICKED_*).       */
static const double s_rank_weights[EVAL_LEARNED_SOURCES] = { 0.4, 0.2, 1, 0.4, 0.2 };

static int
s_cmp_i64 (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

/*  Sorts t (n times) and sets *cut to the time from which the newest
    `holdout` of them lie; -1 when either side would have fewer than
    `least`.                                                               */
static int
s_newest (int64_t *t, uint32_t n, double holdout, uint32_t least, int64_t *cut)
{
    uint32_t nheld = (uint32_t) ((double) n * holdout);
    if (nheld < least || n - nheld < least)
        return -1;
    qsort (t, n, sizeof *t, s_cmp_i64);
    *cut = t[n - nheld];
    return 0;
}

static void
s_encode (uint32_t item, char *id)
{
    char buf[16];
    snprintf (buf, sizeof buf, "%010u", item);
    memcpy (id, buf, HR_PRODUCT_ID_LEN);
}

typedef struct {
    int64_t first;              /* the piece's first click */
    uint32_t start, end;        /* its events in the log */
} s_piece_t;

/*  By first click, then by place in the log (a stable order).  */
static int
s_cmp_piece (const void *a, const void *b)
{
    const s_piece_t *x = a, *y = b;
    int by_time = (x->first > y->first) - (x->first < y->first);
    return by_time ? by_time : (x->start > y->start) - (x->start < y->start);
}

/*  The log with each session cut where its user was idle for more than
    gap_ms (collab's live overlay starts a new session there too; gap_ms 0:
    not cut), pieces shorter than 2 clicks dropped; with by_time the pieces
    come in the order of their first click (the replay then runs forwards
    in time across sessions, as the test's does), else in the log's order.
    NULL on out of memory.                                                 */
static collab_log_t *
s_cut_at_gaps (const collab_log_t *log, int64_t gap_ms, bool by_time)
{
    s_piece_t *pieces = malloc ((log->n_events + 1) * sizeof *pieces);
    collab_rows_t *rows = pieces ? collab_rows_new () : NULL;
    uint32_t np = 0;
    for (uint32_t s = 0; rows && s < log->n_sessions; s++)
        for (uint32_t e = log->start[s]; e < log->start[s + 1]; e++) {
            if (e == log->start[s] || (gap_ms > 0 && log->ts_ms[e] - log->ts_ms[e - 1] > gap_ms))
                pieces[np++] = (s_piece_t) { log->ts_ms[e], e, e };
            pieces[np - 1].end = e + 1;
        }
    if (rows && by_time)
        qsort (pieces, np, sizeof *pieces, s_cmp_piece);
    for (uint32_t p = 0; rows && p < np; p++)
        for (uint32_t e = pieces[p].start; rows && e < pieces[p].end; e++)
            if (collab_rows_add (rows, p, log->ts_ms[e], log->item[e]) != 0)
                collab_rows_destroy (&rows);
    collab_log_t *cut = rows ? collab_rows_build (rows, 2) : NULL;
    collab_rows_destroy (&rows);
    free (pieces);
    return cut;
}

/*  The time cut: every click before the time that leaves the newest
    `holdout` of the clicks after it goes to *before (each session's part
    before the cut, so a returning user's past is in the sources, as the
    test's users' is), the clicks after it to *after.  0 / -1.             */
static int
s_split_time (const collab_log_t *train, double holdout, collab_log_t **before,
              collab_log_t **after)
{
    uint32_t n = train->n_events;
    int64_t *ts = malloc ((n + 1) * sizeof *ts), cut = 0;
    if (ts)
        memcpy (ts, train->ts_ms, n * sizeof *ts);
    int rc = ts ? s_newest (ts, n, holdout, 4, &cut) : -1;
    free (ts);
    if (rc != 0)
        return -1;
    collab_rows_t *b = collab_rows_new (), *a = collab_rows_new ();
    for (uint32_t s = 0; a && b && s < train->n_sessions; s++)
        for (uint32_t e = train->start[s]; a && b && e < train->start[s + 1]; e++)
            if (collab_rows_add (train->ts_ms[e] < cut ? b : a, s, train->ts_ms[e],
                                 train->item[e]) != 0)
                collab_rows_destroy (&a);
    *before = a && b ? collab_rows_build (b, 1) : NULL;
    *after = a && *before ? collab_rows_build (a, 1) : NULL;
    collab_rows_destroy (&a);
    collab_rows_destroy (&b);
    if (!*after || (*before)->n_sessions < 2) {
        collab_log_destroy (before);
        collab_log_destroy (after);
        return -1;
    }
    return 0;
}

void
eval_learned_params_default (eval_learned_params_t *p)
{
    *p = (eval_learned_params_t) { .holdout = 0.1, .folds = 1,
                                   .visit_gap_ms = 30 * 60000, .depth = 100, .time_cut = false };
}

/*  The session cut: the newest `holdout` of the sessions by their last
    click to *after, the others to *before.  0 / -1.                       */
static int
s_split_sessions (const collab_log_t *train, double holdout, collab_log_t **before,
                  collab_log_t **after)
{
    uint32_t n = train->n_sessions;
    int64_t *ends = malloc ((n + 1) * sizeof *ends), split = 0;
    for (uint32_t s = 0; ends && s < n; s++)
        ends[s] = train->ts_ms[train->start[s + 1] - 1];
    int rc = ends ? s_newest (ends, n, holdout, 2, &split) : -1;
    free (ends);
    return rc == 0 ? collab_log_split (train, split, before, after) : -1;
}

/*  The newest `holdout` of the sessions (by their last click; with
    time_cut, of the clicks: s_split_time), cut into visits at idle gaps
    over visit_gap_ms when it is > 0 (a prediction's history is then what
    the user did in this visit, as for a new visitor: Online Retail's
    held-out customers span weeks of invoices, its test sessions are single
    invoices).  0 / -1.                                                    */
static int
s_split (const collab_log_t *train, const eval_learned_params_t *fp, collab_log_t **before,
         collab_log_t **held)
{
    collab_log_t *after = NULL;
    if (fp->time_cut ? s_split_time (train, fp->holdout, before, &after) != 0
                     : s_split_sessions (train, fp->holdout, before, &after) != 0)
        return -1;
    uint32_t n_known = 0;
    for (uint32_t e = 0; e < (*before)->n_events; e++)
        n_known = (*before)->item[e] + 1 > n_known ? (*before)->item[e] + 1 : n_known;
    collab_log_t *known = collab_log_known (after, n_known, 2);
    collab_log_destroy (&after);
    if (known && (fp->visit_gap_ms > 0 || fp->time_cut)) {
        *held = s_cut_at_gaps (known, fp->visit_gap_ms, fp->time_cut);
        collab_log_destroy (&known);
    }
    else
        *held = known;
    if (!*held)
        collab_log_destroy (before);
    return *held ? 0 : -1;
}

/*  Asks every source for `depth` items: lists[k], n[k].  */
static void
s_ask (eval_strategy_t *src, const uint32_t *hist, uint32_t nh, int64_t now, bool exclude,
       uint32_t depth, collab_rec_t *const *lists, uint32_t *n)
{
    for (int k = 0; k < EVAL_LEARNED_SOURCES; k++)
        n[k] = src[k].recommend ? src[k].recommend (src[k].state, hist, nh, now, exclude,
                                                    lists[k], depth) : 0;
}

/*  Replays the held-out sessions through the sources into the merge
    replay (protocol (b)) and, when given, the ranker's data of protocol
    (a) (ltr[0]: every next click, history kept) and (b) (ltr[1]); held
    session s is numbered first_id + s there.  0 / -1.                    */
static int
s_replay (const collab_log_t *held, uint32_t first_id, eval_strategy_t *src, uint32_t depth,
          merge_replay_t *replay, merge_ltr_data_t *const *ltr, eval_item_stats_t *stats)
{
    merge_ltr_extra_fn extra = stats ? eval_item_stats_features : NULL;
    collab_rec_t *raw[EVAL_LEARNED_SOURCES] = { NULL };
    bool raw_ok = true;
    for (int k = 0; k < EVAL_LEARNED_SOURCES; k++)
        raw_ok = (raw[k] = malloc (depth * sizeof *raw[k])) && raw_ok;
    uint32_t nraw[EVAL_LEARNED_SOURCES];
    merge_fit_item_t *lists[EVAL_LEARNED_SOURCES];
    bool ok = true;
    for (int s = 0; s < EVAL_LEARNED_SOURCES; s++)
        ok = (lists[s] = malloc (depth * sizeof *lists[s])) && ok;
    for (uint32_t s = 0; ok && s < held->n_sessions; s++) {
        const uint32_t *it = held->item + held->start[s];
        const int64_t *ts = held->ts_ms + held->start[s];
        uint32_t len = collab_log_len (held, s);
        for (uint32_t pos = 0; ok && pos + 1 < len; pos++) {
            for (int k = 0; k < EVAL_LEARNED_SOURCES; k++)
                if (src[k].recommend && src[k].observe)
                    src[k].observe (src[k].state, s, it[pos], ts[pos]);
            if (stats) {
                eval_item_stats_observe (stats, it[pos], ts[pos]);
                eval_item_stats_set_now (stats, ts[pos]);
            }
            if (ltr && ltr[0]) {        /* protocol (a): every next click */
                uint32_t hall[HISTORY_MAX], na = 0;
                for (uint32_t q = pos + 1; q-- > 0 && na < HISTORY_MAX;)
                    hall[na++] = it[q];
                ok = raw_ok;
                if (ok) {
                    s_ask (src, hall, na, ts[pos], false, depth, raw, nraw);
                    ok = merge_ltr_data_add (ltr[0], first_id + s, it[pos + 1], hall, na, false,
                                             (const collab_rec_t *const *) raw, nraw, extra,
                                             stats) == 0;
                }
            }
            bool seen = false;
            for (uint32_t q = 0; q <= pos && !seen; q++)
                seen = it[q] == it[pos + 1];
            if (seen)
                continue;           /* protocol (b): what /home is fitted for */
            uint32_t hist[HISTORY_MAX], nh = 0;
            char hist_buf[HISTORY_MAX][HR_PRODUCT_ID_LEN + 1];
            const char *hist_ids[HISTORY_MAX];
            for (uint32_t q = pos + 1; q-- > 0 && nh < HISTORY_MAX;) {
                s_encode (it[q], hist_buf[nh]);
                hist_buf[nh][HR_PRODUCT_ID_LEN] = 0;
                hist_ids[nh] = hist_buf[nh];
                hist[nh++] = it[q];
            }
            uint32_t n[EVAL_LEARNED_SOURCES] = { 0 };
            ok = raw_ok;
            if (!ok)
                break;
            s_ask (src, hist, nh, ts[pos], true, depth, raw, nraw);
            for (int k = 0; k < EVAL_LEARNED_SOURCES; k++) {
                n[k] = nraw[k];
                for (uint32_t i = 0; i < n[k]; i++) {
                    s_encode (raw[k][i].item, lists[k][i].id);
                    lists[k][i].score = raw[k][i].score;
                }
            }
            if (ltr && ltr[1]
                && merge_ltr_data_add (ltr[1], first_id + s, it[pos + 1], hist, nh, true,
                                       (const collab_rec_t *const *) raw, nraw, extra, stats) != 0) {
                ok = false;
                break;
            }
            char target[HR_PRODUCT_ID_LEN + 1];
            s_encode (it[pos + 1], target);
            target[HR_PRODUCT_ID_LEN] = 0;
            ok = merge_replay_add (replay, first_id + s, target, hist_ids, nh,
                                   (const merge_fit_item_t *const *) lists, n) == 0;
        }
    }
    for (int s = 0; s < EVAL_LEARNED_SOURCES; s++) {
        free (lists[s]);
        free (raw[s]);
    }
    return ok ? 0 : -1;
}

/*  The fit's line: validation figures and sub-weights.  */
static void
s_summary (merge_replay_t *replay, const hr_merge_model_t *fitted, const eval_learned_params_t *fp,
           uint32_t held, uint32_t before, char *summary, size_t cap)
{
    merge_fit_score_t rank, learned;
    if (merge_replay_score (replay, NULL, MERGE_FIT_ALL, K, &rank) == 0
        && merge_replay_score (replay, fitted, MERGE_FIT_ALL, K, &learned) == 0)
        snprintf (summary, cap, "fitted on %u validation predictions (newest %.0f %% of the train "
                  "%s, %u; sources trained on the %s %u): rank merge HR@20 %.4f MRR@20 %.4f, "
                  "learned HR@20 %.4f MRR@20 %.4f; sub-weights collab %g, rules %g, trending %g, "
                  "content %g, seqrules %g",
                  learned.n, fp->holdout * 100, fp->time_cut ? "clicks as visits" : "sessions",
                  held, fp->time_cut ? "clicks before them, sessions" : "older", before,
                  rank.hr, rank.mrr,
                  learned.hr, learned.mrr,
                  hr_merge_model_weight (fitted, hr_merge_model_find (fitted, "collab")),
                  hr_merge_model_weight (fitted, hr_merge_model_find (fitted, "rules")),
                  hr_merge_model_weight (fitted, hr_merge_model_find (fitted, "trending")),
                  hr_merge_model_weight (fitted, hr_merge_model_find (fitted, "content_clicked")),
                  hr_merge_model_weight (fitted, hr_merge_model_find (fitted, "seqrules")));
}

/*  The guard: the best single source on the check half (odd sessions)
    and how many of its top items should head the list of the ranker
    fitted on the even ones (0, 5, 10, 15 or 20: the check half's best
    HR@20, then MRR@20; the fewest on a tie).  Returns the source, -1 when
    none answers.                                                          */
static int
s_guard (merge_ltr_t *half, const merge_ltr_data_t *data, uint32_t *top, double *src_hr,
         double *src_mrr)
{
    int best = -1;
    double best_hr = -1, best_mrr = 0;
    for (uint32_t k = 0; k < EVAL_LEARNED_SOURCES; k++) {
        double shr = 0, smrr = 0;
        if (merge_ltr_source_score (data, k, MERGE_FIT_ODD, K, &shr, &smrr) == 0 && shr > best_hr)
            best = (int) k, best_hr = shr, best_mrr = smrr;
    }
    *src_hr = best_hr < 0 ? 0 : best_hr;
    *src_mrr = best_mrr;
    *top = 0;
    if (best < 0 || !half)
        return best;
    double top_hr = -1, top_mrr = -1;
    for (uint32_t t = 0; t <= K; t += 5) {
        double hr = 0, mrr = 0;
        merge_ltr_set_lead (half, best, t);
        if (merge_ltr_score (half, data, MERGE_FIT_ODD, K, &hr, &mrr) == 0
            && (hr > top_hr || (hr == top_hr && mrr > top_mrr)))
            *top = t, top_hr = hr, top_mrr = mrr;
    }
    merge_ltr_set_lead (half, -1, 0);
    return best;
}

/*  The rankers of both protocols from their replays: each checked (fitted
    on the even sessions, scored on the odd), then fitted on all; with
    `guard`, the best single source's top items head it as s_guard chose
    on the check half.                                                     */
static void
s_fit_ltr (merge_ltr_data_t *const *data, const merge_ltr_params_t *lp, bool guard,
           merge_ltr_t **ltr, char *summary, size_t cap)
{
    size_t used = 0;
    for (int pr = 0; pr < 2; pr++) {
        uint32_t reach = 0, npred = merge_ltr_data_count (data[pr], MERGE_FIT_ODD, &reach);
        merge_ltr_t *half = merge_ltr_fit (data[pr], MERGE_FIT_EVEN, lp);
        double hr = 0, mrr = 0, src_hr = 0, src_mrr = 0, g_hr = 0, g_mrr = 0;
        if (half)
            merge_ltr_score (half, data[pr], MERGE_FIT_ODD, K, &hr, &mrr);
        uint32_t top = 0;
        int best = s_guard (half, data[pr], &top, &src_hr, &src_mrr);
        if (half && guard && top) {
            merge_ltr_set_lead (half, best, top);
            merge_ltr_score (half, data[pr], MERGE_FIT_ODD, K, &g_hr, &g_mrr);
        }
        merge_ltr_destroy (&half);
        ltr[pr] = merge_ltr_fit (data[pr], MERGE_FIT_ALL, lp);
        if (guard && top)
            merge_ltr_set_lead (ltr[pr], best, top);
        if (summary && used < cap) {
            int w = snprintf (summary + used, cap - used,
                              "%s(%c) fitted on %u validation predictions, check half (odd "
                              "sessions, %u predictions, %u reachable) HR@20 %.4f MRR@20 %.4f "
                              "(best source %s %.4f / %.4f)",
                              pr ? "; " : "", pr ? 'b' : 'a',
                              merge_ltr_data_count (data[pr], MERGE_FIT_ALL, NULL), npred, reach,
                              hr, mrr, best >= 0 ? eval_learned_names[best] : "-", src_hr,
                              src_mrr);
            used += w > 0 ? (size_t) w : 0;
            if (guard && top && used < cap) {
                w = snprintf (summary + used, cap - used, ", guarded: %s's top %u first, "
                              "HR@20 %.4f MRR@20 %.4f", eval_learned_names[best], top, g_hr, g_mrr);
                used += w > 0 ? (size_t) w : 0;
            }
        }
    }
}

/*  A copy of ids with the same indices (the fit's model knows the train's
    ids).  NULL on out of memory.  */
static collab_ids_t *
s_copy_ids (const collab_ids_t *ids)
{
    collab_ids_t *copy = collab_ids_new (collab_ids_count (ids) + 1);
    for (uint32_t i = 0; copy && i < collab_ids_count (ids); i++) {
        const char *id = collab_ids_at (ids, i);
        if (collab_ids_intern (copy, id, strlen (id)) != (int64_t) i)
            collab_ids_destroy (&copy);
    }
    return copy;
}

/*  One fold: `train` split into its newest tail (held) and the sessions
    before it; the sources trained on those, the tail replayed into replay
    and data as sessions first_id.. .  The sessions before the tail come
    back in *rest (the next fold's train), their count and the tail's in
    *n_before, *n_held.  0 / -1.                                           */
static int
s_fold (const collab_log_t *train, const collab_ids_t *ids, const collab_train_params_t *tp,
        const collab_score_params_t *sp, const eval_rules_params_t *rp, eval_strategy_t *content,
        const eval_seqrules_params_t *qp, double trending_rate, const eval_learned_params_t *fp,
        uint32_t first_id, merge_replay_t *replay, merge_ltr_data_t *const *data, bool stats_on,
        collab_log_t **rest, uint32_t *n_before, uint32_t *n_held)
{
    collab_log_t *before = NULL, *held = NULL;
    collab_ids_t *copy = s_copy_ids (ids);
    collab_model_t *model = NULL;
    eval_strategy_t src[EVAL_LEARNED_SOURCES];
    memset (src, 0, sizeof src);
    eval_item_stats_t *stats = NULL;
    int rc = -1;
    if (!copy || s_split (train, fp, &before, &held) != 0)
        goto done;
    *n_before = before->n_sessions;
    *n_held = held->n_sessions;
    if (stats_on && !(stats = eval_item_stats_new (before, trending_rate)))
        goto done;
    uint32_t n_items = collab_ids_count (copy);
    if (!(model = collab_model_train (before, copy, tp)))
        goto done;
    copy = NULL;                        /* owned by the model */
    char err[256];
    if (eval_collab_live (&src[0], model, sp) != 0
        || eval_trending (&src[2], before, trending_rate) != 0)
        goto done;
    if (eval_rules (&src[1], before, n_items, rp, err, sizeof err) != 0)
        memset (&src[1], 0, sizeof src[1]);     /* no rules: fitted on the others */
    if (qp && eval_seqrules (&src[4], before, n_items, qp) != 0)
        goto done;
    if (content)
        src[3] = *content;      /* borrowed (built from the catalog alone: no leak) */
    rc = s_replay (held, first_id, src, fp->depth, replay, data, stats);
done:
    memset (&src[3], 0, sizeof src[3]);         /* the content source is the caller's */
    eval_item_stats_destroy (&stats);
    for (int k = 0; k < EVAL_LEARNED_SOURCES; k++)
        eval_strategy_free (&src[k]);
    collab_model_destroy (&model);
    collab_ids_destroy (&copy);
    collab_log_destroy (&held);
    if (rc == 0)
        *rest = before;
    else
        collab_log_destroy (&before);
    return rc;
}

hr_merge_model_t *
eval_learned_fit (const collab_log_t *train, const collab_ids_t *ids,
                  const collab_train_params_t *tp, const collab_score_params_t *sp,
                  const eval_rules_params_t *rp, eval_strategy_t *content,
                  const eval_seqrules_params_t *qp, double trending_rate,
                  const eval_learned_params_t *fp, char *summary, size_t cap, merge_ltr_t **ltr,
                  const merge_ltr_params_t *lp, bool item_features, char *ltr_summary,
                  size_t ltr_cap)
{
    snprintf (summary, cap, "not fitted");
    if (ltr_summary)
        snprintf (ltr_summary, ltr_cap, "not fitted");
    if (ltr)
        ltr[0] = ltr[1] = NULL;
    merge_replay_t *replay = NULL;
    hr_merge_model_t *fitted = NULL;
    merge_ltr_data_t *data[2] = { NULL, NULL };
    uint32_t nextra = item_features ? EVAL_ITEM_FEATURES : 0;
    collab_log_t *rest = NULL;
    if (ltr && (!(data[0] = merge_ltr_data_new (EVAL_LEARNED_SOURCES, nextra))
                || !(data[1] = merge_ltr_data_new (EVAL_LEARNED_SOURCES, nextra))))
        goto done;
    merge_fit_source_t fs[EVAL_LEARNED_SOURCES];
    for (int k = 0; k < EVAL_LEARNED_SOURCES; k++)
        fs[k] = (merge_fit_source_t) { eval_learned_names[k], s_signals[k],
                                       eval_learned_signal_weights[k], s_rank_weights[k] };
    if (!(replay = merge_replay_new (fs, EVAL_LEARNED_SOURCES)))
        goto done;
    uint32_t first_id = 0, held_total = 0, before0 = 0, folds = 0;
    const collab_log_t *from = train;
    for (uint32_t f = 0; f < (fp->folds ? fp->folds : 1); f++) {
        collab_log_t *next = NULL;
        uint32_t nb = 0, nh = 0;
        if (s_fold (from, ids, tp, sp, rp, content, qp, trending_rate, fp, first_id, replay,
                    ltr ? data : NULL, ltr && nextra, &next, &nb, &nh) != 0) {
            if (f == 0)
                goto done;
            break;                      /* too little left for another fold */
        }
        collab_log_destroy (&rest);
        rest = next;
        from = rest;
        first_id += nh + (nh % 2);      /* keeps the even / odd halves balanced */
        held_total += nh;
        before0 = f == 0 ? nb : before0;
        folds++;
    }
    if (merge_replay_count (replay, MERGE_FIT_ALL) == 0
        || !(fitted = merge_replay_fit (replay, MERGE_FIT_ALL, K)))
        goto done;
    s_summary (replay, fitted, fp, held_total, before0, summary, cap);
    if (folds > 1) {
        size_t used = strlen (summary);
        snprintf (summary + used, cap - used, "; %u folds", folds);
    }
    if (ltr)
        s_fit_ltr (data, lp, fp->guard, ltr, ltr_summary, ltr_cap);
done:
    collab_log_destroy (&rest);
    merge_ltr_data_destroy (&data[0]);
    merge_ltr_data_destroy (&data[1]);
    merge_replay_destroy (&replay);
    return fitted;
}
