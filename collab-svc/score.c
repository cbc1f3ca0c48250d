/*  collab_scorer — see score.h.  */
#include "score.h"
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void
collab_score_params_default (collab_score_params_t *p)
{
    *p = (collab_score_params_t) {
        .hist_max = 10, .hist_pow = 2.0f,
        .sknn_weight = 0.3f, .sknn_k = 100, .sknn_pow = 1.0f, .sknn_spread = 0.0f,
        .sknn_norm_pow = 0.0f, .sknn_before = 1.0f, .sknn_halflife_h = 0,
        .reclick = 1.0f, .reclick_decay = 0.5f, .fill_popular = true,
    };
}

struct collab_scorer {
    const collab_model_t *m;
    float *score;               /* per item */
    uint32_t *touched, n_touched;
    uint32_t *hist_rank;        /* per item: 0 = not in history, else rank + 1 */
    uint32_t *stamp;            /* per item: last neighbour session that added it */
    float *sim;                 /* per session */
    uint32_t *sim_touched;
    collab_rec_t *heap;         /* top-k scratch */
    uint32_t heap_cap;
    uint32_t *hist_items;       /* distinct history, newest first */
    uint32_t *popular;          /* items by clicks, descending */
};

static int
s_pop_desc (const void *a, const void *b, void *arg)
{
    const float *pop = arg;
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    if (pop[x] != pop[y])
        return pop[x] > pop[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

collab_scorer_t *
collab_scorer_new (const collab_model_t *m)
{
    assert (m);
    collab_scorer_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    size_t ni = (size_t) m->n_items + 1, ns = (size_t) m->n_sessions + 1;
    self->m = m;
    self->score = calloc (ni, sizeof *self->score);
    self->touched = malloc (ni * sizeof *self->touched);
    self->hist_rank = calloc (ni, sizeof *self->hist_rank);
    self->stamp = calloc (ni, sizeof *self->stamp);
    self->hist_items = malloc (ni * sizeof *self->hist_items);
    self->popular = malloc (ni * sizeof *self->popular);
    self->sim = calloc (ns, sizeof *self->sim);
    self->sim_touched = malloc (ns * sizeof *self->sim_touched);
    if (!self->score || !self->touched || !self->hist_rank || !self->stamp
        || !self->hist_items || !self->popular || !self->sim || !self->sim_touched) {
        collab_scorer_destroy (&self);
        return NULL;
    }
    for (uint32_t i = 0; i < m->n_items; i++)
        self->popular[i] = i;
    qsort_r (self->popular, m->n_items, sizeof *self->popular, s_pop_desc, m->pop);
    return self;
}

void
collab_scorer_destroy (collab_scorer_t **self_p)
{
    assert (self_p);
    collab_scorer_t *self = *self_p;
    if (!self)
        return;
    free (self->score);
    free (self->touched);
    free (self->hist_rank);
    free (self->stamp);
    free (self->hist_items);
    free (self->popular);
    free (self->sim);
    free (self->sim_touched);
    free (self->heap);
    free (self);
    *self_p = NULL;
}

const collab_model_t *
collab_scorer_model (const collab_scorer_t *self)
{
    return self->m;
}

/*  --- top-k: a min-heap whose root is the worst kept item ---------------- */

static inline bool
s_better (collab_rec_t a, collab_rec_t b)
{
    return a.score > b.score || (a.score == b.score && a.item < b.item);
}

static void
s_sift_down (collab_rec_t *h, uint32_t n, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && s_better (h[w], h[l]))
            w = l;
        if (r < n && s_better (h[w], h[r]))
            w = r;
        if (w == i)
            return;
        collab_rec_t t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void
s_heap_push (collab_rec_t *h, uint32_t *n, uint32_t k, collab_rec_t x)
{
    if (*n < k) {
        uint32_t i = (*n)++;
        h[i] = x;
        while (i > 0) {
            uint32_t parent = (i - 1) / 2;
            if (!s_better (h[parent], h[i]))
                break;
            collab_rec_t t = h[i];
            h[i] = h[parent];
            h[parent] = t;
            i = parent;
        }
    }
    else if (k > 0 && s_better (x, h[0])) {
        h[0] = x;
        s_sift_down (h, *n, 0);
    }
}

/*  Pops the heap into out, best first.  */
static void
s_heap_drain (collab_rec_t *h, uint32_t n, collab_rec_t *out)
{
    while (n > 0) {
        out[n - 1] = h[0];
        h[0] = h[--n];
        s_sift_down (h, n, 0);
    }
}

static int
s_heap_reserve (collab_scorer_t *self, uint32_t k)
{
    if (k <= self->heap_cap)
        return 0;
    collab_rec_t *h = realloc (self->heap, k * sizeof *h);
    if (!h)
        return -1;
    self->heap = h;
    self->heap_cap = k;
    return 0;
}

static inline void
s_add (collab_scorer_t *self, uint32_t item, float v)
{
    if (self->score[item] == 0.0f)
        self->touched[self->n_touched++] = item;
    self->score[item] += v;
}

/*  Adds `extra` (items of the history and unknown ones skipped), then
    keeps the best k of every touched item in the heap and clears their
    scores.  Returns how many the heap holds.                              */
static uint32_t
s_add_extra_and_rank (collab_scorer_t *self, const collab_rec_t *extra, uint32_t n_extra, uint32_t k)
{
    const collab_model_t *m = self->m;
    for (uint32_t i = 0; i < n_extra; i++) {
        uint32_t j = extra[i].item;
        if (j < m->n_items && !self->hist_rank[j] && extra[i].score > 0)
            s_add (self, j, extra[i].score);
    }
    uint32_t nout = 0;
    for (uint32_t t = 0; t < self->n_touched; t++) {
        uint32_t j = self->touched[t];
        s_heap_push (self->heap, &nout, k, (collab_rec_t) { j, self->score[j] });
        self->score[j] = 0.0f;
    }
    return nout;
}

int
collab_rec_cmp (const void *x, const void *y)
{
    const collab_rec_t *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->item < b->item ? -1 : a->item > b->item;
}

/*  --- the two signals ------------------------------------------------------ */

static void
s_neighbours (collab_scorer_t *self, const collab_score_params_t *p, uint32_t nh, float weight)
{
    const collab_model_t *m = self->m;
    double wsum = 0;
    for (uint32_t k = 0; k < nh; k++)
        wsum += pow (k + 1.0, -p->hist_pow);
    for (uint32_t k = 0; k < nh; k++) {
        uint32_t h = self->hist_items[k];
        float w = (float) (weight * pow (k + 1.0, -p->hist_pow) / wsum);
        for (uint32_t e = m->nb_start[h]; e < m->nb_start[h + 1]; e++)
            if (!self->hist_rank[m->nb_item[e]])
                s_add (self, m->nb_item[e], w * m->nb_score[e]);
    }
}

static void
s_session_knn (collab_scorer_t *self, const collab_score_params_t *p, uint32_t nh,
               int64_t now_ms, float weight)
{
    const collab_model_t *m = self->m;
    uint32_t ns = 0;
    for (uint32_t k = 0; k < nh; k++) {
        uint32_t h = self->hist_items[k];
        float w = powf (k + 1.0f, -p->sknn_pow);
        for (uint32_t e = m->inv_start[h]; e < m->inv_start[h + 1]; e++) {
            uint32_t s = m->inv_sess[e];
            if (self->sim[s] == 0.0f)
                self->sim_touched[ns++] = s;
            self->sim[s] += w;
        }
    }
    if (ns == 0 || p->sknn_k == 0 || s_heap_reserve (self, p->sknn_k))
        goto reset;
    uint32_t nn = 0;
    double lambda = p->sknn_halflife_h > 0 ? log (2.0) / (p->sknn_halflife_h * 3600e3) : 0;
    for (uint32_t i = 0; i < ns; i++) {
        uint32_t s = self->sim_touched[i];
        float sim = self->sim[s];
        if (p->sknn_norm_pow > 0)
            sim /= powf ((float) (m->ss_start[s + 1] - m->ss_start[s]), p->sknn_norm_pow);
        if (lambda > 0 && now_ms > m->ss_time[s])
            sim *= (float) exp (-lambda * (double) (now_ms - m->ss_time[s]));
        s_heap_push (self->heap, &nn, p->sknn_k, (collab_rec_t) { s, sim });
    }
    double simsum = 0;
    for (uint32_t i = 0; i < nn; i++)
        simsum += self->heap[i].score;
    if (simsum <= 0)
        goto reset;
    for (uint32_t i = 0; i < nn; i++) {
        uint32_t s = self->heap[i].item, lo = m->ss_start[s], hi = m->ss_start[s + 1];
        float w = (float) (weight * self->heap[i].score / simsum);
        /* the newest history item this session shares: its neighbourhood matters most */
        uint32_t anchor = lo, best_rank = UINT32_MAX;
        for (uint32_t e = lo; e < hi; e++) {
            uint32_t r = self->hist_rank[m->ss_item[e]];
            if (r && r < best_rank) {
                best_rank = r;
                anchor = e;
            }
        }
        for (uint32_t e = lo; e < hi; e++) {
            uint32_t j = m->ss_item[e];
            if (self->hist_rank[j] || self->stamp[j] == s + 1)
                continue;
            self->stamp[j] = s + 1;
            float pw = 1.0f;
            if (p->sknn_spread > 0)
                pw = expf (-fabsf ((float) e - (float) anchor) / p->sknn_spread);
            if (e < anchor)
                pw *= p->sknn_before;
            s_add (self, j, w * pw);
        }
    }
    for (uint32_t i = 0; i < nn; i++) {       /* stamps are per call */
        uint32_t s = self->heap[i].item;
        for (uint32_t e = m->ss_start[s]; e < m->ss_start[s + 1]; e++)
            self->stamp[m->ss_item[e]] = 0;
    }
reset:
    for (uint32_t i = 0; i < ns; i++)
        self->sim[self->sim_touched[i]] = 0.0f;
}

uint32_t
collab_scorer_recommend (collab_scorer_t *self, const collab_score_params_t *p,
                         const uint32_t *hist, uint32_t n, int64_t now_ms,
                         bool exclude_history, collab_rec_t *out, uint32_t k)
{
    return collab_scorer_recommend_extra (self, p, hist, n, now_ms, exclude_history,
                                          NULL, 0, out, k);
}

uint32_t
collab_scorer_recommend_extra (collab_scorer_t *self, const collab_score_params_t *p,
                               const uint32_t *hist, uint32_t n, int64_t now_ms,
                               bool exclude_history, const collab_rec_t *extra,
                               uint32_t n_extra, collab_rec_t *out, uint32_t k)
{
    const collab_model_t *m = self->m;
    if (k == 0 || s_heap_reserve (self, k))
        return 0;
    /* distinct known history items, newest first */
    uint32_t nh = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t h = hist[i];
        if (h >= m->n_items || self->hist_rank[h])
            continue;
        self->hist_items[nh++] = h;
        self->hist_rank[h] = nh;
    }
    uint32_t nused = nh < p->hist_max ? nh : p->hist_max;
    self->n_touched = 0;
    if (nused > 0) {
        if (p->sknn_weight < 1.0f)
            s_neighbours (self, p, nused, 1.0f - p->sknn_weight);
        if (p->sknn_weight > 0.0f)
            s_session_knn (self, p, nused, now_ms, p->sknn_weight);
    }
    uint32_t nout = s_add_extra_and_rank (self, extra, n_extra, k);
    if (!exclude_history && p->reclick > 0) {
        float decay = 1.0f;
        for (uint32_t i = 0; i < n; i++, decay *= p->reclick_decay)
            if (hist[i] < m->n_items)
                self->score[hist[i]] += p->reclick * decay;
        for (uint32_t i = 0; i < nh; i++) {
            uint32_t h = self->hist_items[i];
            s_heap_push (self->heap, &nout, k, (collab_rec_t) { h, self->score[h] });
            self->score[h] = 0.0f;
        }
    }
    if (p->fill_popular && nout < k) {
        /* below every scored item: popularity only breaks the tie of "no signal" */
        for (uint32_t i = 0; i < m->n_items && nout < k; i++) {
            uint32_t j = self->popular[i];
            if (self->hist_rank[j] && exclude_history)
                continue;
            bool dup = false;
            for (uint32_t q = 0; q < nout && !dup; q++)
                dup = self->heap[q].item == j;
            if (!dup)
                s_heap_push (self->heap, &nout, k, (collab_rec_t) { j, -1.0f - (float) i });
        }
    }
    s_heap_drain (self->heap, nout, out);
    for (uint32_t i = 0; i < nh; i++)
        self->hist_rank[self->hist_items[i]] = 0;
    return nout;
}

uint32_t
collab_scorer_seqrules (collab_scorer_t *self, const uint32_t *hist, uint32_t n,
                        const uint32_t *row, const float *w, uint32_t nrow,
                        const collab_rec_t *extra, uint32_t n_extra, collab_rec_t *out, uint32_t k)
{
    const collab_model_t *m = self->m;
    if (k == 0 || s_heap_reserve (self, k))
        return 0;
    uint32_t nh = 0;
    for (uint32_t i = 0; i < n; i++)
        if (hist[i] < m->n_items && !self->hist_rank[hist[i]]) {
            self->hist_items[nh++] = hist[i];
            self->hist_rank[hist[i]] = nh;
        }
    self->n_touched = 0;
    for (uint32_t r = 0; r < nrow; r++) {
        uint32_t a = row[r];
        if (a >= m->n_items)
            continue;
        for (uint32_t e = m->sr_start[a]; e < m->sr_start[a + 1]; e++) {
            float v = w[r] * m->sr_count[e];
            if (v > 0 && v < INFINITY && !self->hist_rank[m->sr_item[e]])
                s_add (self, m->sr_item[e], v);      /* (a corrupt count is never touched) */
        }
    }
    uint32_t nout = s_add_extra_and_rank (self, extra, n_extra, k);
    s_heap_drain (self->heap, nout, out);
    for (uint32_t i = 0; i < nh; i++)
        self->hist_rank[self->hist_items[i]] = 0;
    return nout;
}

uint32_t
collab_scorer_similar (collab_scorer_t *self, uint32_t item, collab_rec_t *out, uint32_t k)
{
    const collab_model_t *m = self->m;
    if (item >= m->n_items)
        return 0;
    uint32_t n = 0;
    for (uint32_t e = m->nb_start[item]; e < m->nb_start[item + 1] && n < k; e++)
        out[n++] = (collab_rec_t) { m->nb_item[e], m->nb_score[e] };
    return n;
}

uint32_t
collab_scorer_popular (collab_scorer_t *self, const uint32_t *hist, uint32_t n,
                       collab_rec_t *out, uint32_t k)
{
    const collab_model_t *m = self->m;
    uint32_t nout = 0;
    for (uint32_t i = 0; i < m->n_items && nout < k; i++) {
        uint32_t j = self->popular[i];
        bool in_hist = false;
        for (uint32_t q = 0; q < n && !in_hist; q++)
            in_hist = hist[q] == j;
        if (!in_hist)
            out[nout++] = (collab_rec_t) { j, m->pop[j] };
    }
    return nout;
}
