/*  The learned merge fitted for the evaluation (eval_learned.h).          */
#include "eval_learned.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "merge_fit.h"

#define K 20
#define HISTORY_MAX 50          /* the gateway's HISTORY_EVENTS */

const char *const eval_learned_names[EVAL_LEARNED_SOURCES] = { "collab", "rules", "trending" };
/*  The gateway's defaults: HR_WEIGHT_CLICKED (collab and rules), _DIVERSE. */
const double eval_learned_signal_weights[EVAL_LEARNED_SOURCES] = { 0.5, 0.5, 0.1 };
static const char *const s_signals[EVAL_LEARNED_SOURCES] = { "clicked", "clicked", "diverse" };
/*  The rank merge's shares within the signal (HR_WEIGHT_CLICKED_*).       */
static const double s_rank_weights[EVAL_LEARNED_SOURCES] = { 0.4, 0.2, 1 };

static int
s_cmp_i64 (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

static void
s_encode (uint32_t item, char *id)
{
    char buf[16];
    snprintf (buf, sizeof buf, "%010u", item);
    memcpy (id, buf, HR_PRODUCT_ID_LEN);
}

/*  The newest `holdout` of the sessions (by their last click): 0 / -1.    */
static int
s_split (const collab_log_t *train, double holdout, collab_log_t **before, collab_log_t **held)
{
    uint32_t n = train->n_sessions;
    uint32_t nheld = (uint32_t) ((double) n * holdout);
    if (nheld < 2 || n - nheld < 2)
        return -1;
    int64_t *ends = malloc (n * sizeof *ends);
    if (!ends)
        return -1;
    for (uint32_t s = 0; s < n; s++)
        ends[s] = train->ts_ms[train->start[s + 1] - 1];
    qsort (ends, n, sizeof *ends, s_cmp_i64);
    int64_t split = ends[n - nheld];
    free (ends);
    collab_log_t *after = NULL;
    if (collab_log_split (train, split, before, &after) != 0)
        return -1;
    uint32_t n_known = 0;
    for (uint32_t e = 0; e < (*before)->n_events; e++)
        n_known = (*before)->item[e] + 1 > n_known ? (*before)->item[e] + 1 : n_known;
    *held = collab_log_known (after, n_known, 2);
    collab_log_destroy (&after);
    return *held ? 0 : -1;
}

/*  Replays the held-out sessions through the sources.  0 / -1.            */
static int
s_replay (const collab_log_t *held, eval_strategy_t *src, uint32_t depth, merge_replay_t *replay)
{
    collab_rec_t *recs = malloc (depth * sizeof *recs);
    merge_fit_item_t *lists[EVAL_LEARNED_SOURCES];
    bool ok = recs != NULL;
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
            for (int k = 0; k < EVAL_LEARNED_SOURCES; k++) {
                if (!src[k].recommend)
                    continue;
                n[k] = src[k].recommend (src[k].state, hist, nh, ts[pos], true, recs, depth);
                for (uint32_t i = 0; i < n[k]; i++) {
                    s_encode (recs[i].item, lists[k][i].id);
                    lists[k][i].score = recs[i].score;
                }
            }
            char target[HR_PRODUCT_ID_LEN + 1];
            s_encode (it[pos + 1], target);
            target[HR_PRODUCT_ID_LEN] = 0;
            ok = merge_replay_add (replay, s, target, hist_ids, nh,
                                   (const merge_fit_item_t *const *) lists, n) == 0;
        }
    }
    free (recs);
    for (int s = 0; s < EVAL_LEARNED_SOURCES; s++)
        free (lists[s]);
    return ok ? 0 : -1;
}

hr_merge_model_t *
eval_learned_fit (const collab_log_t *train, const collab_ids_t *ids,
                  const collab_train_params_t *tp, const collab_score_params_t *sp,
                  const eval_rules_params_t *rp, double trending_rate, double holdout,
                  uint32_t depth, char *summary, size_t cap)
{
    snprintf (summary, cap, "not fitted");
    collab_log_t *before = NULL, *held = NULL;
    collab_ids_t *copy = collab_ids_new (collab_ids_count (ids) + 1);
    collab_model_t *model = NULL;
    eval_strategy_t src[EVAL_LEARNED_SOURCES];
    memset (src, 0, sizeof src);
    merge_replay_t *replay = NULL;
    hr_merge_model_t *fitted = NULL;
    if (!copy || s_split (train, holdout, &before, &held) != 0)
        goto done;
    /*  the same item indices: the fit's model knows the train's ids      */
    for (uint32_t i = 0; i < collab_ids_count (ids); i++) {
        const char *id = collab_ids_at (ids, i);
        if (collab_ids_intern (copy, id, strlen (id)) != (int64_t) i)
            goto done;
    }
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
    merge_fit_source_t fs[EVAL_LEARNED_SOURCES];
    for (int k = 0; k < EVAL_LEARNED_SOURCES; k++)
        fs[k] = (merge_fit_source_t) { eval_learned_names[k], s_signals[k],
                                       eval_learned_signal_weights[k], s_rank_weights[k] };
    if (!(replay = merge_replay_new (fs, EVAL_LEARNED_SOURCES))
        || s_replay (held, src, depth, replay) != 0
        || merge_replay_count (replay, MERGE_FIT_ALL) == 0
        || !(fitted = merge_replay_fit (replay, MERGE_FIT_ALL, K)))
        goto done;
    merge_fit_score_t rank, learned;
    if (merge_replay_score (replay, NULL, MERGE_FIT_ALL, K, &rank) == 0
        && merge_replay_score (replay, fitted, MERGE_FIT_ALL, K, &learned) == 0)
        snprintf (summary, cap, "fitted on %u validation predictions (newest %.0f %% of the train "
                  "sessions, %u; sources trained on the older %u): rank merge HR@20 %.4f MRR@20 %.4f, "
                  "learned HR@20 %.4f MRR@20 %.4f; sub-weights collab %g, rules %g, trending %g",
                  learned.n, holdout * 100, held->n_sessions, before->n_sessions, rank.hr, rank.mrr,
                  learned.hr, learned.mrr,
                  hr_merge_model_weight (fitted, hr_merge_model_find (fitted, "collab")),
                  hr_merge_model_weight (fitted, hr_merge_model_find (fitted, "rules")),
                  hr_merge_model_weight (fitted, hr_merge_model_find (fitted, "trending")));
done:
    merge_replay_destroy (&replay);
    for (int k = 0; k < EVAL_LEARNED_SOURCES; k++)
        eval_strategy_free (&src[k]);
    collab_model_destroy (&model);
    collab_ids_destroy (&copy);
    collab_log_destroy (&before);
    collab_log_destroy (&held);
    return fitted;
}
