/*  merge_fit — calibration and sub-weights of the learned merge from a
    replay (see merge_fit.h).                                              */
#include "merge_fit.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 32
/*  Pseudo-count pulling a bucket's rate towards the pooled rate of all
    sources: a bucket seen a few times says little.                        */
#define SMOOTH_ITEMS 20.0
/*  Candidates a source needs before its own overall rate is its prior.    */
#define OWN_PRIOR_ITEMS 100.0

typedef struct {
    uint32_t session;
    char target[HR_PRODUCT_ID_LEN];
    size_t hist_at;
    uint32_t nhist;
    size_t at[HR_MERGE_MAX_SOURCES];
    uint32_t n[HR_MERGE_MAX_SOURCES];
} pred_t;

typedef char pid_t10[HR_PRODUCT_ID_LEN];

struct merge_replay {
    merge_fit_source_t src[HR_MERGE_MAX_SOURCES];
    char names[HR_MERGE_MAX_SOURCES][NAME_MAX_LEN];
    char signals[HR_MERGE_MAX_SOURCES][NAME_MAX_LEN];
    int nsrc;
    pred_t *pred;
    uint32_t npred, pred_cap;
    merge_fit_item_t *items;
    size_t nitems, items_cap;
    pid_t10 *hist;
    size_t nhist, hist_cap;
    /*  scratch of one prediction */
    hr_scored_t *scratch[HR_MERGE_MAX_SOURCES];
    uint32_t scratch_cap;
    char (*excl_ids)[HR_PRODUCT_ID_LEN + 1];
    const char **excl;
    uint32_t excl_cap;
    uint32_t *rank, *order;
};

merge_replay_t *
merge_replay_new (const merge_fit_source_t *sources, int nsrc)
{
    if (!sources || nsrc <= 0 || nsrc > HR_MERGE_MAX_SOURCES)
        return NULL;
    merge_replay_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->nsrc = nsrc;
    for (int s = 0; s < nsrc; s++) {
        self->src[s] = sources[s];
        snprintf (self->names[s], NAME_MAX_LEN, "%s", sources[s].name ? sources[s].name : "");
        snprintf (self->signals[s], NAME_MAX_LEN, "%s", sources[s].signal ? sources[s].signal : "");
        self->src[s].name = self->names[s];
        self->src[s].signal = self->signals[s];
    }
    return self;
}

void
merge_replay_destroy (merge_replay_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    merge_replay_t *self = *self_p;
    for (int s = 0; s < HR_MERGE_MAX_SOURCES; s++)
        free (self->scratch[s]);
    free (self->pred);
    free (self->items);
    free (self->hist);
    free (self->excl_ids);
    free (self->excl);
    free (self->rank);
    free (self->order);
    free (self);
    *self_p = NULL;
}

/*  Room for `more` elements of size `size` in *buf (capacity *cap).  */
static int
s_reserve (void **buf, size_t *cap, size_t used, size_t more, size_t size)
{
    if (used + more <= *cap)
        return 0;
    size_t want = *cap ? *cap : 1024;
    while (want < used + more)
        want *= 2;
    void *p = realloc (*buf, want * size);
    if (!p)
        return -1;
    *buf = p;
    *cap = want;
    return 0;
}

int
merge_replay_add (merge_replay_t *self, uint32_t session, const char *target,
                  const char *const *hist, uint32_t nhist,
                  const merge_fit_item_t *const *lists, const uint32_t *n)
{
    if (!self || !target || (nhist && !hist) || !lists || !n)
        return -1;
    size_t total = 0;
    for (int s = 0; s < self->nsrc; s++)
        total += n[s];
    size_t pred_cap = self->pred_cap;
    if (s_reserve ((void **) &self->pred, &pred_cap, self->npred, 1, sizeof *self->pred)
        || s_reserve ((void **) &self->items, &self->items_cap, self->nitems, total,
                      sizeof *self->items)
        || s_reserve ((void **) &self->hist, &self->hist_cap, self->nhist, nhist,
                      sizeof *self->hist))
        return -1;
    self->pred_cap = (uint32_t) pred_cap;
    pred_t *p = &self->pred[self->npred++];
    memset (p, 0, sizeof *p);
    p->session = session;
    memcpy (p->target, target, HR_PRODUCT_ID_LEN);
    p->hist_at = self->nhist;
    p->nhist = nhist;
    for (uint32_t i = 0; i < nhist; i++)
        memcpy (self->hist[self->nhist++], hist[i], HR_PRODUCT_ID_LEN);
    for (int s = 0; s < self->nsrc; s++) {
        p->at[s] = self->nitems;
        p->n[s] = n[s];
        if (n[s])
            memcpy (self->items + self->nitems, lists[s], n[s] * sizeof *self->items);
        self->nitems += n[s];
    }
    return 0;
}

static bool
s_in_part (const pred_t *p, int part)
{
    return part == MERGE_FIT_ALL || (int) (p->session % 2) == part;
}

uint32_t
merge_replay_count (const merge_replay_t *self, int part)
{
    uint32_t n = 0;
    for (uint32_t i = 0; self && i < self->npred; i++)
        n += s_in_part (&self->pred[i], part);
    return n;
}

/*  Sizes the scratch for every prediction once.  0 / -1.  */
static int
s_scratch (merge_replay_t *self)
{
    uint32_t most = 1, most_hist = 1;
    for (uint32_t i = 0; i < self->npred; i++) {
        for (int s = 0; s < self->nsrc; s++)
            most = self->pred[i].n[s] > most ? self->pred[i].n[s] : most;
        most_hist = self->pred[i].nhist > most_hist ? self->pred[i].nhist : most_hist;
    }
    if (most > self->scratch_cap) {
        for (int s = 0; s < self->nsrc; s++) {
            hr_scored_t *sc = realloc (self->scratch[s], most * sizeof *sc);
            if (!sc)
                return -1;
            self->scratch[s] = sc;
        }
        uint32_t *rank = realloc (self->rank, most * sizeof *rank);
        if (rank)
            self->rank = rank;
        uint32_t *order = realloc (self->order, most * sizeof *order);
        if (order)
            self->order = order;
        if (!rank || !order)
            return -1;
        self->scratch_cap = most;
    }
    if (most_hist > self->excl_cap) {
        void *ids = realloc (self->excl_ids, most_hist * sizeof *self->excl_ids);
        if (ids)
            self->excl_ids = ids;
        const char **ex = realloc (self->excl, most_hist * sizeof *ex);
        if (ex)
            self->excl = ex;
        if (!ids || !ex)
            return -1;
        self->excl_cap = most_hist;
    }
    return 0;
}

/*  The merge sources of prediction p (weights: the signal's), and its
    exclusions in self->excl.  */
static void
s_fill (merge_replay_t *self, const pred_t *p, hr_merge_source_t *src)
{
    for (int s = 0; s < self->nsrc; s++) {
        const merge_fit_item_t *it = self->items + p->at[s];
        for (uint32_t i = 0; i < p->n[s]; i++) {
            hr_scored_t *sc = &self->scratch[s][i];
            memcpy (sc->id, it[i].id, HR_PRODUCT_ID_LEN);
            sc->id[HR_PRODUCT_ID_LEN] = '\0';
            sc->score = it[i].score;
            sc->strategy = HR_STRAT_NONE;
            sc->source[0] = '\0';
        }
        src[s] = (hr_merge_source_t) { self->scratch[s], p->n[s], self->src[s].signal_weight,
                                       self->signals[s], NULL, 0 };
    }
    for (uint32_t i = 0; i < p->nhist; i++) {
        memcpy (self->excl_ids[i], self->hist[p->hist_at + i], HR_PRODUCT_ID_LEN);
        self->excl_ids[i][HR_PRODUCT_ID_LEN] = '\0';
        self->excl[i] = self->excl_ids[i];
    }
}

int
merge_replay_score (merge_replay_t *self, const hr_merge_model_t *model, int part,
                    uint32_t k, merge_fit_score_t *out)
{
    if (!self || !out || k == 0 || s_scratch (self) != 0)
        return -1;
    hr_merged_t *merged = malloc (k * sizeof *merged);
    if (!merged)
        return -1;
    const char *names[HR_MERGE_MAX_SOURCES];
    for (int s = 0; s < self->nsrc; s++)
        names[s] = self->names[s];
    uint32_t n = 0, hits = 0;
    double rr = 0;
    for (uint32_t i = 0; i < self->npred; i++) {
        const pred_t *p = &self->pred[i];
        if (!s_in_part (p, part))
            continue;
        hr_merge_source_t src[HR_MERGE_MAX_SOURCES];
        s_fill (self, p, src);
        if (model)
            hr_merge_model_apply (model, names, src, self->nsrc);
        else
            for (int s = 0; s < self->nsrc; s++)
                src[s].weight *= self->src[s].rank_weight;
        int got = hr_merge_ex (src, self->nsrc, self->excl, p->nhist, k, HR_MERGE_BY_RANK, merged);
        n++;
        for (int r = 0; r < got; r++)
            if (memcmp (merged[r].item.id, p->target, HR_PRODUCT_ID_LEN) == 0) {
                hits++;
                rr += 1.0 / (r + 1);
                break;
            }
    }
    free (merged);
    *out = (merge_fit_score_t) { n, n ? (double) hits / n : 0, n ? rr / n : 0 };
    return 0;
}

/*  Pool-adjacent-violators: p made non-increasing over the buckets,
    weighted by w.  */
static void
s_non_increasing (double *p, const double *w, int n)
{
    double val[HR_MERGE_MODEL_BUCKETS], wt[HR_MERGE_MODEL_BUCKETS];
    int len[HR_MERGE_MODEL_BUCKETS], m = 0;
    for (int b = 0; b < n; b++) {
        val[m] = p[b];
        wt[m] = w[b];
        len[m] = 1;
        m++;
        while (m > 1 && val[m - 2] < val[m - 1]) {
            double tw = wt[m - 2] + wt[m - 1];
            val[m - 2] = tw > 0 ? (val[m - 2] * wt[m - 2] + val[m - 1] * wt[m - 1]) / tw
                                : (val[m - 2] + val[m - 1]) / 2;
            wt[m - 2] = tw;
            len[m - 2] += len[m - 1];
            m--;
        }
    }
    for (int j = 0, b = 0; j < m; j++)
        for (int q = 0; q < len[j]; q++)
            p[b++] = val[j];
}

/*  The calibration of every source on the part: p[s][b].  0 / -1.  */
static int
s_calibrate (merge_replay_t *self, int part, double p[][HR_MERGE_MODEL_BUCKETS])
{
    if (s_scratch (self) != 0)
        return -1;
    double items[HR_MERGE_MAX_SOURCES][HR_MERGE_MODEL_BUCKETS] = { { 0 } };
    double hits[HR_MERGE_MAX_SOURCES][HR_MERGE_MODEL_BUCKETS] = { { 0 } };
    for (uint32_t i = 0; i < self->npred; i++) {
        const pred_t *p = &self->pred[i];
        if (!s_in_part (p, part))
            continue;
        hr_merge_source_t src[HR_MERGE_MAX_SOURCES];
        s_fill (self, p, src);
        for (int s = 0; s < self->nsrc; s++) {
            hr_merge_ranks (&src[s], self->excl, p->nhist, self->rank, self->order);
            for (uint32_t j = 0; j < src[s].n; j++) {
                if (self->rank[j] == 0)
                    continue;
                int b = hr_merge_model_bucket (self->rank[j]);
                items[s][b]++;
                if (memcmp (src[s].items[j].id, p->target, HR_PRODUCT_ID_LEN) == 0)
                    hits[s][b]++;
            }
        }
    }
    /*  The prior of a bucket: the source's own rate over all its buckets
        (a bucket it never filled -- a flat list has no rank 1 -- says
        nothing better of it), or, for a source with too few candidates,
        the pooled rate of every source in that bucket.                    */
    double pooled[HR_MERGE_MODEL_BUCKETS];
    for (int b = 0; b < HR_MERGE_MODEL_BUCKETS; b++) {
        double ti = 0, th = 0;
        for (int s = 0; s < self->nsrc; s++) {
            ti += items[s][b];
            th += hits[s][b];
        }
        pooled[b] = ti > 0 ? th / ti : 0;
    }
    for (int s = 0; s < self->nsrc; s++) {
        double si = 0, sh = 0;
        for (int b = 0; b < HR_MERGE_MODEL_BUCKETS; b++) {
            si += items[s][b];
            sh += hits[s][b];
        }
        for (int b = 0; b < HR_MERGE_MODEL_BUCKETS; b++) {
            double prior = si >= OWN_PRIOR_ITEMS ? sh / si : pooled[b];
            p[s][b] = (hits[s][b] + SMOOTH_ITEMS * prior) / (items[s][b] + SMOOTH_ITEMS);
            items[s][b] += SMOOTH_ITEMS;
        }
    }
    for (int s = 0; s < self->nsrc; s++)
        s_non_increasing (p[s], items[s], HR_MERGE_MODEL_BUCKETS);
    return 0;
}

static hr_merge_model_t *
s_model (const merge_replay_t *self, const double *weight, double p[][HR_MERGE_MODEL_BUCKETS])
{
    hr_merge_model_t *m = hr_merge_model_new ();
    for (int s = 0; m && s < self->nsrc; s++)
        if (hr_merge_model_set (m, self->names[s], weight[s], p[s]) != 0)
            hr_merge_model_destroy (&m);
    return m;
}

static bool
s_better (const merge_fit_score_t *a, const merge_fit_score_t *b)
{
    return a->hr > b->hr || (a->hr == b->hr && a->mrr > b->mrr);
}

/*  true when source s shares its signal with another source.  */
static bool
s_shared_signal (const merge_replay_t *self, int s)
{
    for (int t = 0; t < self->nsrc; t++)
        if (t != s && strcmp (self->signals[t], self->signals[s]) == 0)
            return true;
    return false;
}

hr_merge_model_t *
merge_replay_fit (merge_replay_t *self, int part, uint32_t k)
{
    if (!self || merge_replay_count (self, part) == 0)
        return NULL;
    double p[HR_MERGE_MAX_SOURCES][HR_MERGE_MODEL_BUCKETS];
    if (s_calibrate (self, part, p) != 0)
        return NULL;
    double weight[HR_MERGE_MAX_SOURCES];
    for (int s = 0; s < self->nsrc; s++)
        weight[s] = 1;
    hr_merge_model_t *best = s_model (self, weight, p);
    merge_fit_score_t best_score;
    if (!best || merge_replay_score (self, best, part, k, &best_score) != 0) {
        hr_merge_model_destroy (&best);
        return NULL;
    }
    /*  Coordinate search of the sub-weights within shared signals.        */
    static const double grid[] = { 0, 0.25, 0.5, 1, 2, 4 };
    for (int round = 0; round < 2; round++) {
        bool changed = false;
        for (int s = 0; s < self->nsrc; s++) {
            if (!s_shared_signal (self, s))
                continue;
            for (size_t g = 0; g < sizeof grid / sizeof *grid; g++) {
                if (grid[g] == weight[s])
                    continue;
                double keep = weight[s];
                weight[s] = grid[g];
                hr_merge_model_t *m = s_model (self, weight, p);
                merge_fit_score_t sc;
                if (m && merge_replay_score (self, m, part, k, &sc) == 0 && s_better (&sc, &best_score)) {
                    hr_merge_model_destroy (&best);
                    best = m;
                    best_score = sc;
                    changed = true;
                    continue;
                }
                hr_merge_model_destroy (&m);
                weight[s] = keep;
            }
        }
        if (!changed)
            break;
    }
    return best;
}
