/*  merge_ltr — a learning-to-rank stage over the merge's candidates
    (issue 15; docs/merge.md, "Learning to rank").

    The candidates of a prediction are the union of every source's list.
    Each candidate is described by, per source, the bucket of its rank in
    that source (hr_merge_model_bucket; ranks counted as the rank merge
    counts them, ties at their worst rank; absent = no bucket) and its score
    relative to the source's top score, and by where it sits in the
    history (protocol (a) only: under (b) the history is excluded).  The
    ranker is linear in those features,
        s(i) = sum_s [i in s] ( w_bucket[s][b_s(i)] + w_ratio[s] x ratio_s(i)
                                + w_ctx[s] x min (history length, 10) / 10 )
               + w_hist x [i in history] + w_recent x 1 / (position + 1)
               + sum_e w_extra[e] x extra_e(i) + w_agree[a(i)],
    where extra are item features the caller supplies (the evaluation:
    the item's trending score, its click count and how long ago it was
    last clicked, all as logs) and a(i) is how many sources list i in
    their top 20 (2, 3, 4+; fewer: no term; merge_ltr_params_t.agree),
    and is fitted listwise: the softmax of s over a prediction's candidates
    is the probability that a candidate is the next item, and the fit
    maximises the log-probability of the true next item over the
    predictions whose next item is among the candidates (a conditional
    logit; concave, so the fit is deterministic), with an L2 penalty, by
    Newton's method (a line search on each step; ~10 passes).  Sessions
    are numbered; a part (even / odd / all) of
    them can be fitted and another scored, as merge_fit does.

    Items are dense indices (uint32), as the evaluation's strategies give
    them.                                                                  */
#ifndef MERGE_LTR_H
#define MERGE_LTR_H
#include <stdbool.h>
#include <stdint.h>
#include "collab-svc/score.h"

#define MERGE_LTR_MAX_SOURCES 8
#define MERGE_LTR_MAX_EXTRA 4

/*  Item features of a candidate (popularity, recency, ...): writes the
    data's nextra floats of item into out.                                 */
typedef void (*merge_ltr_extra_fn) (void *ctx, uint32_t item, float *out);

typedef struct {
    double l2;                  /* penalty per weight, relative to the mean log-likelihood */
    uint32_t iterations;        /* at most this many Newton steps */
    bool ratio;                 /* use the score ratio features */
    bool ctx_buckets;           /* the history length weight per source and rank bucket */
    bool mag;                   /* a weight per source on log (1 + score): the score's own scale */
    bool agree;                 /* weights for 2, 3, 4+ sources having the item in their top 20 */
} merge_ltr_params_t;

void merge_ltr_params_default (merge_ltr_params_t *p);

typedef struct merge_ltr merge_ltr_t;          /* a fitted ranker */
typedef struct merge_ltr_data merge_ltr_data_t; /* a replay's predictions */

merge_ltr_data_t *merge_ltr_data_new (uint32_t nsrc, uint32_t nextra);
void merge_ltr_data_destroy (merge_ltr_data_t **self_p);

/*  One prediction of session `session`: lists[s] (n[s] items, as source s
    answered), the history (newest first) and whether it is excluded
    (protocol (b)).  0 / -1 (out of memory).                              */
int merge_ltr_data_add (merge_ltr_data_t *self, uint32_t session, uint32_t target,
                        const uint32_t *hist, uint32_t nhist, bool exclude_history,
                        const collab_rec_t *const *lists, const uint32_t *n,
                        merge_ltr_extra_fn extra, void *extra_ctx);
/*  Predictions in a part (MERGE_FIT_ALL / _EVEN / _ODD of merge_fit.h),
    and how many of them have their target among the candidates.           */
uint32_t merge_ltr_data_count (const merge_ltr_data_t *self, int part, uint32_t *reachable);

/*  Fits on a part.  NULL on out of memory or no reachable prediction.     */
merge_ltr_t *merge_ltr_fit (const merge_ltr_data_t *data, int part, const merge_ltr_params_t *p);
void merge_ltr_destroy (merge_ltr_t **self_p);

/*  HR@k and MRR@k of the ranker on a part (all its predictions count).   */
int merge_ltr_score (const merge_ltr_t *self, const merge_ltr_data_t *data, int part, uint32_t k,
                     double *hr, double *mrr);

/*  HR@k and MRR@k on a part of source s alone (its own order, as it
    answered; under protocol (b) without the history): what the ranker has
    to beat.  0 / -1.                                                      */
int merge_ltr_source_score (const merge_ltr_data_t *data, uint32_t s, int part, uint32_t k,
                            double *hr, double *mrr);

/*  A lead source: its `top` first items (in its own order, after the
    exclusion under (b)) head the ranked list, the ranker orders the rest
    (merge_ltr_score and merge_ltr_rank; the fit ignores it).  top 0 or
    source -1: none (the default).  0 / -1 (no such source).              */
int merge_ltr_set_lead (merge_ltr_t *self, int source, uint32_t top);
/*  The lead source (-1 none) and its top.  */
int merge_ltr_lead (const merge_ltr_t *self, uint32_t *top);

/*  The ranker's weights, for reports: source s's weight of bucket b (0 for
    the absent bucket), of its ratio; the history weights.                  */
double merge_ltr_bucket_weight (const merge_ltr_t *self, uint32_t s, int bucket);
double merge_ltr_ratio_weight (const merge_ltr_t *self, uint32_t s);
double merge_ltr_extra_weight (const merge_ltr_t *self, uint32_t e);

/*  A ranker at serving time: merges the lists (as merge_ltr_data_add takes
    them) into out[0..k) best first (score = the ranker's s).  `scratch` is
    owned by the caller (merge_ltr_scratch_new / _destroy).  Returns the
    count written.                                                          */
typedef struct merge_ltr_scratch merge_ltr_scratch_t;
merge_ltr_scratch_t *merge_ltr_scratch_new (void);
void merge_ltr_scratch_destroy (merge_ltr_scratch_t **self_p);
uint32_t merge_ltr_rank (const merge_ltr_t *self, merge_ltr_scratch_t *scratch,
                         const uint32_t *hist, uint32_t nhist, bool exclude_history,
                         const collab_rec_t *const *lists, const uint32_t *n,
                         merge_ltr_extra_fn extra, void *extra_ctx, collab_rec_t *out, uint32_t k);

#endif
