/*  The "hybrid" strategies of the evaluation: the gateway's merge
    (common/hr_merge.h) over the single strategies, so what is evaluated is
    what is served: "hybrid" with fixed weights (the merge by maximum),
    "hybrid_learned" with a fitted merge model (hr_merge_model.h, the rank
    merge with calibrated values, as /home with a published model).
    Dense item indices travel as 10-digit product ids.                    */
#include "eval_strategies.h"
#include "hr_merge.h"
#include "hr_merge_model.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    eval_strategy_t *src[HR_MERGE_MAX_SOURCES];
    double weight[HR_MERGE_MAX_SOURCES];
    uint32_t nsrc, depth;
    collab_rec_t *recs;                          /* depth */
    hr_scored_t *items[HR_MERGE_MAX_SOURCES];    /* depth each */
    hr_merged_t *merged;
    char (*excl_ids)[HR_PRODUCT_ID_LEN + 1];
    const char **excl;
    uint32_t excl_cap;
    hr_merge_model_t *model;                     /* hybrid_learned: owned */
    const char *names[HR_MERGE_MAX_SOURCES];     /* the model's source names */
} hybrid_t;

static void
s_encode (uint32_t item, char *id)
{
    snprintf (id, HR_PRODUCT_ID_LEN + 1, "%010u", item);
}

static uint32_t
s_hybrid_recommend (void *state, const uint32_t *hist, uint32_t n, int64_t now_ms,
                    bool exclude_history, collab_rec_t *out, uint32_t k)
{
    hybrid_t *self = state;
    hr_merge_source_t sources[HR_MERGE_MAX_SOURCES];
    for (uint32_t s = 0; s < self->nsrc; s++) {
        eval_strategy_t *st = self->src[s];
        uint32_t got = st->recommend (st->state, hist, n, now_ms, exclude_history,
                                      self->recs, self->depth);
        for (uint32_t i = 0; i < got; i++) {
            hr_scored_t *it = &self->items[s][i];
            s_encode (self->recs[i].item, it->id);
            it->score = self->recs[i].score;
            it->strategy = HR_STRAT_NONE;
            it->source[0] = '\0';
        }
        sources[s] = (hr_merge_source_t) { self->items[s], got, self->weight[s], st->name, NULL, 0 };
    }
    uint32_t nex = 0;
    if (exclude_history) {
        if (n > self->excl_cap) {
            void *ids = realloc (self->excl_ids, n * sizeof *self->excl_ids);
            if (ids)
                self->excl_ids = ids;
            const char **ex = realloc (self->excl, n * sizeof *ex);
            if (ex)
                self->excl = ex;
            if (!ids || !ex)
                return 0;
            self->excl_cap = n;
        }
        for (uint32_t i = 0; i < n; i++) {
            s_encode (hist[i], self->excl_ids[i]);
            self->excl[i] = self->excl_ids[i];
        }
        nex = n;
    }
    uint32_t limit = k < self->depth ? k : self->depth;
    int got;
    if (self->model) {
        hr_merge_model_apply (self->model, self->names, sources, (int) self->nsrc);
        got = hr_merge_ex (sources, (int) self->nsrc, self->excl, nex, limit, HR_MERGE_BY_RANK,
                           self->merged);
    }
    else
        got = hr_merge (sources, (int) self->nsrc, self->excl, nex, limit, self->merged);
    for (int i = 0; i < got; i++)
        out[i] = (collab_rec_t) { (uint32_t) strtoul (self->merged[i].item.id, NULL, 10),
                                  self->merged[i].item.score };
    return got < 0 ? 0 : (uint32_t) got;
}

static void
s_hybrid_destroy (void *state)
{
    hybrid_t *self = state;
    for (uint32_t s = 0; s < HR_MERGE_MAX_SOURCES; s++)
        free (self->items[s]);
    free (self->recs);
    free (self->merged);
    free (self->excl_ids);
    free (self->excl);
    hr_merge_model_destroy (&self->model);
    free (self);
}

int
eval_hybrid (eval_strategy_t *st, eval_strategy_t *const *sources,
             const double *weights, uint32_t nsrc, uint32_t depth, const char *note)
{
    if (nsrc == 0 || nsrc > HR_MERGE_MAX_SOURCES || depth == 0)
        return -1;
    hybrid_t *self = calloc (1, sizeof *self);
    if (!self)
        return -1;
    self->nsrc = nsrc;
    self->depth = depth;
    self->recs = malloc (depth * sizeof *self->recs);
    self->merged = malloc (depth * sizeof *self->merged);
    bool ok = self->recs && self->merged;
    for (uint32_t s = 0; s < nsrc; s++) {
        self->src[s] = sources[s];
        self->weight[s] = weights[s];
        ok = ok && (self->items[s] = malloc (depth * sizeof *self->items[s]));
    }
    if (!ok) {
        s_hybrid_destroy (self);
        return -1;
    }
    *st = (eval_strategy_t) { .name = "hybrid", .state = self,
                              .recommend = s_hybrid_recommend,
                              .destroy = s_hybrid_destroy, .note = note };
    return 0;
}

int
eval_hybrid_learned (eval_strategy_t *st, eval_strategy_t *const *sources, const char *const *names,
                     const double *signal_weights, uint32_t nsrc, hr_merge_model_t **model,
                     uint32_t depth, const char *note)
{
    if (!*model || eval_hybrid (st, sources, signal_weights, nsrc, depth, note) != 0)
        return -1;
    hybrid_t *self = st->state;
    self->model = *model;
    *model = NULL;
    for (uint32_t s = 0; s < nsrc; s++)
        self->names[s] = names[s];
    st->name = "hybrid_learned";
    return 0;
}

/*  hybrid_ltr: the sources' lists ranked by a fitted merge_ltr ranker, one
    per protocol.  */
typedef struct {
    eval_strategy_t *src[MERGE_LTR_MAX_SOURCES];
    uint32_t nsrc, depth;
    collab_rec_t *lists[MERGE_LTR_MAX_SOURCES];
    merge_ltr_t *ltr[2];                         /* (a), (b): owned */
    merge_ltr_scratch_t *scratch;
    eval_item_stats_t *stats;                    /* owned, may be NULL */
} ltr_hybrid_t;

static void
s_ltr_observe (void *state, uint32_t session, uint32_t item, int64_t ts_ms)
{
    (void) session;
    ltr_hybrid_t *self = state;
    if (self->stats)
        eval_item_stats_observe (self->stats, item, ts_ms);
}

static uint32_t
s_ltr_recommend (void *state, const uint32_t *hist, uint32_t n, int64_t now_ms,
                 bool exclude_history, collab_rec_t *out, uint32_t k)
{
    ltr_hybrid_t *self = state;
    const merge_ltr_t *ltr = self->ltr[exclude_history];
    if (!ltr)
        return 0;
    uint32_t got[MERGE_LTR_MAX_SOURCES];
    for (uint32_t s = 0; s < self->nsrc; s++) {
        eval_strategy_t *st = self->src[s];
        got[s] = st ? st->recommend (st->state, hist, n, now_ms, exclude_history, self->lists[s],
                                     self->depth) : 0;
    }
    if (self->stats)
        eval_item_stats_set_now (self->stats, now_ms);
    return merge_ltr_rank (ltr, self->scratch, hist, n, exclude_history,
                           (const collab_rec_t *const *) self->lists, got,
                           self->stats ? eval_item_stats_features : NULL, self->stats, out, k);
}

static void
s_ltr_destroy (void *state)
{
    ltr_hybrid_t *self = state;
    for (uint32_t s = 0; s < MERGE_LTR_MAX_SOURCES; s++)
        free (self->lists[s]);
    merge_ltr_destroy (&self->ltr[0]);
    merge_ltr_destroy (&self->ltr[1]);
    merge_ltr_scratch_destroy (&self->scratch);
    eval_item_stats_destroy (&self->stats);
    free (self);
}

int
eval_hybrid_ltr (eval_strategy_t *st, eval_strategy_t *const *sources, uint32_t nsrc,
                 merge_ltr_t **ltr, eval_item_stats_t **stats, uint32_t depth, const char *note)
{
    if (nsrc == 0 || nsrc > MERGE_LTR_MAX_SOURCES || depth == 0 || (!ltr[0] && !ltr[1]))
        return -1;
    ltr_hybrid_t *self = calloc (1, sizeof *self);
    if (!self)
        return -1;
    self->nsrc = nsrc;
    self->depth = depth;
    bool ok = (self->scratch = merge_ltr_scratch_new ()) != NULL;
    for (uint32_t s = 0; s < nsrc; s++) {
        self->src[s] = sources[s];
        ok = ok && (self->lists[s] = malloc (depth * sizeof *self->lists[s]));
    }
    if (!ok) {
        s_ltr_destroy (self);
        return -1;
    }
    self->ltr[0] = ltr[0];
    self->ltr[1] = ltr[1];
    ltr[0] = ltr[1] = NULL;
    if (stats) {
        self->stats = *stats;
        *stats = NULL;
    }
    *st = (eval_strategy_t) { .name = "hybrid_ltr", .state = self,
                              .recommend = s_ltr_recommend, .observe = s_ltr_observe,
                              .destroy = s_ltr_destroy, .note = note };
    return 0;
}
