/*  collab_scorer — answers "what next?" for a live session with a trained
    collab_model.  One scorer per thread: it owns the scratch arrays (dense,
    sized to the model) so a request allocates nothing.

    score(j) for an item j not in the history h_0 (newest), h_1, ... is
        (1 - sknn_weight) * sum_k w_k * nb(h_k, j)          item neighbours
      +      sknn_weight  * sum_n sim(h, n) * pos_n(j) / sum_n sim(h, n)
    with w_k = (k+1)^-hist_pow over the distinct history items (normalised
    to sum 1: last-item emphasis), and the session-kNN term over the
    `sknn_k` most similar stored sessions n:
        sim(h, n) = sum_{k: h_k in n} (k+1)^-sknn_pow  [* recency of n]
        pos_n(j)  = exp(-|pos of j in n - pos of the newest shared item| / sknn_spread)
                    (times sknn_before when j came before it: sessions move on)
    When the history is not excluded, an item already in the history scores
        reclick * sum over its clicks (newest first, index i) reclick_decay^i
    — people come back to what they just looked at, and on the "all next
    clicks" protocol that is a third of the targets.                        */
#ifndef COLLAB_SCORE_H
#define COLLAB_SCORE_H
#include <stdbool.h>
#include <stdint.h>
#include "model.h"

typedef struct {
    uint32_t hist_max;          /* distinct history items used */
    float hist_pow;
    float sknn_weight;          /* 0 = neighbours only, 1 = session-kNN only */
    uint32_t sknn_k;
    float sknn_pow;
    float sknn_spread;          /* 0 = no position factor in neighbours */
    float sknn_norm_pow;        /* divide sim by |n|^sknn_norm_pow */
    float sknn_before;          /* factor for items before the shared one in n */
    double sknn_halflife_h;     /* 0 = no recency weighting of sessions */
    float reclick;              /* 0 = never recommend history items */
    float reclick_decay;
    bool fill_popular;          /* pad short lists with popular items */
} collab_score_params_t;

void collab_score_params_default (collab_score_params_t *p);

typedef struct {
    uint32_t item;
    float score;
} collab_rec_t;

/*  qsort order of recommendations: best first, ties by lower item.        */
int collab_rec_cmp (const void *a, const void *b);

typedef struct collab_scorer collab_scorer_t;

collab_scorer_t *collab_scorer_new (const collab_model_t *model);
void collab_scorer_destroy (collab_scorer_t **self_p);
const collab_model_t *collab_scorer_model (const collab_scorer_t *self);

/*  hist: item indices, newest first (indices >= n_items are ignored: items
    the model never saw).  now_ms: for session recency (0 = off).  Writes
    the best `k` items, best first, into out; returns how many (0 for an
    empty or all-unknown history, unless fill_popular).                     */
uint32_t collab_scorer_recommend (collab_scorer_t *self, const collab_score_params_t *p,
                                  const uint32_t *hist, uint32_t n, int64_t now_ms,
                                  bool exclude_history, collab_rec_t *out, uint32_t k);

/*  The same, plus `extra` scores added to items before ranking (the live
    overlay's deltas; history items and unknown indices are skipped; an
    item may appear several times: its scores add up).                     */
uint32_t collab_scorer_recommend_extra (collab_scorer_t *self, const collab_score_params_t *p,
                                        const uint32_t *hist, uint32_t n, int64_t now_ms,
                                        bool exclude_history, const collab_rec_t *extra,
                                        uint32_t n_extra, collab_rec_t *out, uint32_t k);

/*  Sequential rules (seqrules.h): the rule rows `row[i]` of the model,
    each weighted w[i], plus `extra` (live counts, already weighted), the
    best k items not in `hist` (the whole history, item indices), best
    first.                                                                 */
uint32_t collab_scorer_seqrules (collab_scorer_t *self, const uint32_t *hist, uint32_t n,
                                 const uint32_t *row, const float *w, uint32_t nrow,
                                 const collab_rec_t *extra, uint32_t n_extra,
                                 collab_rec_t *out, uint32_t k);

/*  "Also clicked": the item's neighbour row (never the item itself).       */
uint32_t collab_scorer_similar (collab_scorer_t *self, uint32_t item,
                                collab_rec_t *out, uint32_t k);

/*  The k most clicked items of the training log, excluding `hist`.         */
uint32_t collab_scorer_popular (collab_scorer_t *self, const uint32_t *hist, uint32_t n,
                                collab_rec_t *out, uint32_t k);

#endif
