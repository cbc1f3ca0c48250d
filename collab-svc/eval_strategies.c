/*  The single strategies of the evaluation (see eval_strategies.h).        */
#include "eval_strategies.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/*  Keeps the k best of a dense score array, skipping the history when
    asked: a plain scan, fine for an offline baseline.                      */
static uint32_t
s_top_dense (const double *score, uint32_t n_items, const uint32_t *hist, uint32_t nh,
             bool exclude_history, collab_rec_t *out, uint32_t k)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < n_items; i++) {
        if (score[i] <= 0)
            continue;
        if (n == k && score[i] <= out[n - 1].score)
            continue;
        bool in_hist = false;
        for (uint32_t q = 0; q < nh && exclude_history && !in_hist; q++)
            in_hist = hist[q] == i;
        if (in_hist)
            continue;
        uint32_t at = n < k ? n++ : k - 1;
        while (at > 0 && out[at - 1].score < score[i]) {
            out[at] = out[at - 1];
            at--;
        }
        out[at] = (collab_rec_t) { i, (float) score[i] };
    }
    return n;
}

/*  --- popularity ---------------------------------------------------------- */

typedef struct {
    collab_scorer_t *scorer;
} popularity_t;

static uint32_t
s_popularity_recommend (void *state, const uint32_t *hist, uint32_t n, int64_t now_ms,
                        bool exclude_history, collab_rec_t *out, uint32_t k)
{
    (void) now_ms;
    popularity_t *self = state;
    return collab_scorer_popular (self->scorer, hist, exclude_history ? n : 0, out, k);
}

static void
s_popularity_destroy (void *state)
{
    popularity_t *self = state;
    collab_scorer_destroy (&self->scorer);
    free (self);
}

int
collab_eval_popularity (collab_eval_strategy_t *st, const collab_model_t *model)
{
    popularity_t *self = calloc (1, sizeof *self);
    if (!self || !(self->scorer = collab_scorer_new (model))) {
        free (self);
        return -1;
    }
    *st = (collab_eval_strategy_t) { .name = "popularity", .state = self,
                                     .recommend = s_popularity_recommend,
                                     .destroy = s_popularity_destroy,
                                     .note = "most clicked in train" };
    return 0;
}

/*  --- trending (minimal stand-in for trending-svc/decay.h) ---------------- */

typedef struct {
    double *acc;                /* sum of 2^((t_e - t0) / H) */
    uint32_t n_items;
    int64_t t0;
    double halflife_ms;
} trending_t;

static void
s_trending_observe (void *state, uint32_t item, int64_t ts_ms)
{
    trending_t *self = state;
    if (item >= self->n_items)
        return;
    double x = (double) (ts_ms - self->t0) / self->halflife_ms;
    if (x > 200) {              /* rebase before the weights overflow */
        double f = exp2 (-x);
        for (uint32_t i = 0; i < self->n_items; i++)
            self->acc[i] *= f;
        self->t0 = ts_ms;
        x = 0;
    }
    self->acc[item] += exp2 (x);
}

static uint32_t
s_trending_recommend (void *state, const uint32_t *hist, uint32_t n, int64_t now_ms,
                      bool exclude_history, collab_rec_t *out, uint32_t k)
{
    (void) now_ms;              /* a common factor: ranking needs no rescale */
    trending_t *self = state;
    return s_top_dense (self->acc, self->n_items, hist, n, exclude_history, out, k);
}

static void
s_trending_destroy (void *state)
{
    trending_t *self = state;
    free (self->acc);
    free (self);
}

int
collab_eval_trending (collab_eval_strategy_t *st, const collab_log_t *train,
                      uint32_t n_items, double halflife_h)
{
    trending_t *self = calloc (1, sizeof *self);
    if (!self || !(self->acc = calloc (n_items + 1, sizeof *self->acc))) {
        free (self);
        return -1;
    }
    self->n_items = n_items;
    self->halflife_ms = halflife_h * 3600e3;
    self->t0 = train->n_events ? collab_log_min_ts (train) : 0;
    for (uint32_t e = 0; e < train->n_events; e++)
        s_trending_observe (self, train->item[e], train->ts_ms[e]);
    *st = (collab_eval_strategy_t) { .name = "trending", .state = self,
                                     .recommend = s_trending_recommend,
                                     .observe = s_trending_observe,
                                     .destroy = s_trending_destroy,
                                     .note = "stand-in decay (trending-svc/decay.h not yet available)" };
    return 0;
}

/*  --- collab ----------------------------------------------------------------- */

typedef struct {
    collab_scorer_t *scorer;
    collab_score_params_t params;
} collab_t;

static uint32_t
s_collab_recommend (void *state, const uint32_t *hist, uint32_t n, int64_t now_ms,
                    bool exclude_history, collab_rec_t *out, uint32_t k)
{
    collab_t *self = state;
    return collab_scorer_recommend (self->scorer, &self->params, hist, n, now_ms,
                                    exclude_history, out, k);
}

static void
s_collab_destroy (void *state)
{
    collab_t *self = state;
    collab_scorer_destroy (&self->scorer);
    free (self);
}

int
collab_eval_collab (collab_eval_strategy_t *st, const collab_model_t *model,
                    const collab_score_params_t *params)
{
    collab_t *self = calloc (1, sizeof *self);
    if (!self || !(self->scorer = collab_scorer_new (model))) {
        free (self);
        return -1;
    }
    self->params = *params;
    *st = (collab_eval_strategy_t) { .name = "collab", .state = self,
                                     .recommend = s_collab_recommend,
                                     .destroy = s_collab_destroy,
                                     .note = "co-occurrence + session-kNN" };
    return 0;
}
