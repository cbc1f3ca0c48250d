/*  The single strategies of the evaluation (see eval_strategies.h).        */
#include "eval_strategies.h"
#include <math.h>
#include "trending-svc/decay.h"
#include <stdlib.h>
#include <string.h>

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
eval_popularity (eval_strategy_t *st, const collab_model_t *model)
{
    popularity_t *self = calloc (1, sizeof *self);
    if (!self || !(self->scorer = collab_scorer_new (model))) {
        free (self);
        return -1;
    }
    *st = (eval_strategy_t) { .name = "popularity", .state = self,
                              .recommend = s_popularity_recommend,
                              .destroy = s_popularity_destroy,
                              .note = "most clicked in train" };
    return 0;
}

/*  --- trending: trending-svc's forward decay (trending-svc/decay.h) ------- */

typedef struct {
    trending_decay_t *decay;
    uint32_t *items;
    double *scores;
    uint32_t cap;
    double observe_weight;      /* of a replayed (test) event */
} trending_t;

static void
s_trending_observe (void *state, uint32_t session, uint32_t item, int64_t ts_ms)
{
    (void) session;
    trending_t *self = state;
    trending_decay_add_weight (self->decay, item, ts_ms, self->observe_weight);
}

static uint32_t
s_trending_recommend (void *state, const uint32_t *hist, uint32_t n, int64_t now_ms,
                      bool exclude_history, collab_rec_t *out, uint32_t k)
{
    trending_t *self = state;
    uint32_t want = k + (exclude_history ? n : 0);
    if (want > self->cap) {
        uint32_t *items = realloc (self->items, want * sizeof *items);
        if (items)
            self->items = items;
        double *scores = realloc (self->scores, want * sizeof *scores);
        if (scores)
            self->scores = scores;
        if (!items || !scores)
            return 0;
        self->cap = want;
    }
    size_t got = trending_decay_top (self->decay, now_ms, want, self->items, self->scores);
    uint32_t nout = 0;
    for (size_t i = 0; i < got && nout < k; i++) {
        bool in_hist = false;
        for (uint32_t q = 0; q < n && exclude_history && !in_hist; q++)
            in_hist = hist[q] == self->items[i];
        if (!in_hist)
            out[nout++] = (collab_rec_t) { self->items[i], (float) self->scores[i] };
    }
    return nout;
}

static void
s_trending_destroy (void *state)
{
    trending_t *self = state;
    trending_decay_destroy (&self->decay);
    free (self->items);
    free (self->scores);
    free (self);
}

int
eval_trending (eval_strategy_t *st, const collab_log_t *train, double rate)
{
    return eval_trending_weighted (st, train, rate, 1.0, 1.0);
}

int
eval_trending_weighted (eval_strategy_t *st, const collab_log_t *train, double rate,
                        double train_weight, double observe_weight)
{
    trending_t *self = calloc (1, sizeof *self);
    if (!self)
        return -1;
    self->observe_weight = observe_weight;
    self->decay = trending_decay_new (rate, train->n_events ? collab_log_min_ts (train) : 0);
    if (!self->decay) {
        free (self);
        return -1;
    }
    for (uint32_t e = 0; e < train->n_events; e++)
        if (trending_decay_add_weight (self->decay, train->item[e], train->ts_ms[e], train_weight)) {
            s_trending_destroy (self);
            return -1;
        }
    *st = (eval_strategy_t) { .name = "trending", .state = self,
                              .recommend = s_trending_recommend,
                              .observe = s_trending_observe,
                              .destroy = s_trending_destroy,
                              .note = "trending-svc decay.h, updated online" };
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
eval_collab (eval_strategy_t *st, const collab_model_t *model,
             const collab_score_params_t *params)
{
    collab_t *self = calloc (1, sizeof *self);
    if (!self || !(self->scorer = collab_scorer_new (model))) {
        free (self);
        return -1;
    }
    self->params = *params;
    *st = (eval_strategy_t) { .name = "collab", .state = self,
                              .recommend = s_collab_recommend,
                              .destroy = s_collab_destroy,
                              .note = "co-occurrence + session-kNN" };
    return 0;
}

/*  --- item features of the learning-to-rank hybrid -------------------------- */

/*  The short-term trend: weight kept per hour (half-life ~1 h).  */
#define FAST_RATE 0.5

struct eval_item_stats {
    trending_decay_t *decay, *fast;
    float *count;
    int64_t *last;              /* INT64_MIN: never clicked */
    uint32_t n;
    int64_t now;
};

static int
s_stats_room (eval_item_stats_t *self, uint32_t item)
{
    if (item < self->n)
        return 0;
    uint32_t nc = self->n ? self->n : 1024;
    while (nc <= item)
        nc *= 2;
    float *count = realloc (self->count, nc * sizeof *count);
    if (count)
        self->count = count;
    int64_t *last = realloc (self->last, nc * sizeof *last);
    if (last)
        self->last = last;
    if (!count || !last)
        return -1;
    for (uint32_t i = self->n; i < nc; i++) {
        self->count[i] = 0;
        self->last[i] = INT64_MIN;
    }
    self->n = nc;
    return 0;
}

eval_item_stats_t *
eval_item_stats_new (const collab_log_t *train, double rate)
{
    eval_item_stats_t *self = calloc (1, sizeof *self);
    int64_t t0 = train->n_events ? collab_log_min_ts (train) : 0;
    if (!self || !(self->decay = trending_decay_new (rate, t0))
        || !(self->fast = trending_decay_new (FAST_RATE, t0))) {
        if (self)
            trending_decay_destroy (&self->decay);
        free (self);
        return NULL;
    }
    for (uint32_t e = 0; e < train->n_events; e++)
        if (eval_item_stats_observe (self, train->item[e], train->ts_ms[e]) != 0) {
            eval_item_stats_destroy (&self);
            return NULL;
        }
    return self;
}

void
eval_item_stats_destroy (eval_item_stats_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    trending_decay_destroy (&(*self_p)->decay);
    trending_decay_destroy (&(*self_p)->fast);
    free ((*self_p)->count);
    free ((*self_p)->last);
    free (*self_p);
    *self_p = NULL;
}

int
eval_item_stats_observe (eval_item_stats_t *self, uint32_t item, int64_t ts_ms)
{
    if (s_stats_room (self, item) != 0 || trending_decay_add (self->decay, item, ts_ms) != 0
        || trending_decay_add (self->fast, item, ts_ms) != 0)
        return -1;
    self->count[item]++;
    if (ts_ms > self->last[item])
        self->last[item] = ts_ms;
    return 0;
}

void
eval_item_stats_set_now (eval_item_stats_t *self, int64_t now_ms)
{
    self->now = now_ms;
}

void
eval_item_stats_features (void *ctx, uint32_t item, float *out)
{
    const eval_item_stats_t *self = ctx;
    double hours = 1e4;
    float count = 0;
    if (item < self->n) {
        count = self->count[item];
        if (self->last[item] != INT64_MIN) {
            hours = (double) (self->now - self->last[item]) / 3600000.0;
            hours = hours < 0 ? 0 : hours > 1e4 ? 1e4 : hours;
        }
    }
    out[0] = (float) log1p (trending_decay_score (self->decay, item, self->now));
    out[1] = (float) log1p (count);
    out[2] = (float) log1p (hours);
    out[3] = (float) log1p (trending_decay_score (self->fast, item, self->now));
}
