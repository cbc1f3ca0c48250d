/*  merge_ltr — the linear listwise ranker over the merge's candidates
    (see merge_ltr.h).                                                     */
#include "merge_ltr.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "hr_merge_model.h"
#include "merge_fit.h"

#define NB HR_MERGE_MODEL_BUCKETS
#define ABSENT 0xff

/*  One candidate's features, as held in the scratch.  */
typedef struct {
    uint32_t item;
    uint8_t bucket[MERGE_LTR_MAX_SOURCES];
    uint16_t pos[MERGE_LTR_MAX_SOURCES];        /* 1 + place in the source's own order, 0 absent */
    float ratio[MERGE_LTR_MAX_SOURCES];
    float mag[MERGE_LTR_MAX_SOURCES];           /* log (1 + score), the score's own scale */
    float recent;               /* 1 / (history position + 1), 0 when not in it */
    float extra[MERGE_LTR_MAX_EXTRA];
} cand_t;

struct merge_ltr_scratch {
    cand_t *cand;
    uint32_t ncand, cand_cap;
    uint32_t *slot;             /* item -> candidate index, valid when stamp matches */
    uint32_t *stamp;
    uint32_t items_cap, gen;
    void *order;                /* by_score_t of one source list, or candidate order */
    uint32_t order_cap;
};

/*  Weights: nsrc x NB buckets, nsrc ratios, hist, recent, nsrc context
    (present x history length), nsrc magnitudes, nextra item features,
    AGREE_NW agreement weights (with agree).                                */
struct merge_ltr {
    uint32_t nsrc, nextra;
    bool ratio, ctx_buckets, mag, agree;
    int lead;                   /* a source whose top lead_top items come first, -1 none */
    uint32_t lead_top;
    double *w;
    uint32_t nw;
};

struct merge_ltr_data {
    uint32_t nsrc, nextra;
    /*  per prediction */
    uint32_t *session, *first, *count;
    int32_t *target;            /* candidate index within the prediction, -1 unreachable */
    uint32_t npred, pred_cap;
    /*  per candidate */
    uint8_t *bucket;            /* nsrc each */
    uint16_t *pos;              /* nsrc each: 1 + place in the source's order, 0 absent */
    float *ratio;               /* nsrc each */
    float *mag;                 /* nsrc each */
    float *recent;
    float *ctx;                 /* per prediction: the history length feature */
    float *extra;               /* nextra each */
    size_t ncand, cand_cap;
    merge_ltr_scratch_t *scratch;
};

void
merge_ltr_params_default (merge_ltr_params_t *p)
{
    *p = (merge_ltr_params_t) { .l2 = 1e-4, .iterations = 30, .ratio = true, .mag = true,
                                  .agree = true };
}

static uint32_t
s_nctx (uint32_t nsrc, bool ctx_buckets)
{
    return ctx_buckets ? nsrc * NB : nsrc;
}

#define AGREE_TOP 20        /* a source agrees when the item is in its top 20 */
#define AGREE_NW 3          /* weights for 2, 3 and 4+ agreeing sources */

static uint32_t
s_nw (uint32_t nsrc, uint32_t nextra, bool ctx_buckets, bool mag, bool agree)
{
    return nsrc * NB + nsrc + 2 + s_nctx (nsrc, ctx_buckets) + (mag ? nsrc : 0) + nextra
           + (agree ? AGREE_NW : 0);
}

/*  The agreement feature's weight index past the extras (0: 2 sources
    have the item in their top AGREE_TOP, 1: 3, 2: 4 or more), -1 when
    fewer than 2 do.                                                       */
static int
s_agree (uint32_t nsrc, const uint16_t *pos)
{
    int n = 0;
    for (uint32_t s = 0; s < nsrc; s++)
        n += pos[s] >= 1 && pos[s] <= AGREE_TOP;
    return n < 2 ? -1 : n > 4 ? 2 : n - 2;
}

/*  The history length feature: min (n, 10) / 10.  */
static float
s_ctx (uint32_t nhist)
{
    return (float) (nhist < 10 ? nhist : 10) / 10.0f;
}

merge_ltr_scratch_t *
merge_ltr_scratch_new (void)
{
    return calloc (1, sizeof (merge_ltr_scratch_t));
}

void
merge_ltr_scratch_destroy (merge_ltr_scratch_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    merge_ltr_scratch_t *self = *self_p;
    free (self->cand);
    free (self->slot);
    free (self->stamp);
    free (self->order);
    free (self);
    *self_p = NULL;
}

static int
s_grow (void **buf, uint32_t *cap, uint32_t want, size_t size, bool zero)
{
    if (want <= *cap)
        return 0;
    uint32_t nc = *cap ? *cap : 256;
    while (nc < want)
        nc *= 2;
    void *p = realloc (*buf, (size_t) nc * size);
    if (!p)
        return -1;
    if (zero)
        memset ((char *) p + (size_t) *cap * size, 0, (size_t) (nc - *cap) * size);
    *buf = p;
    *cap = nc;
    return 0;
}

static int
s_hist_pos (const uint32_t *hist, uint32_t nhist, uint32_t item)
{
    for (uint32_t i = 0; i < nhist; i++)
        if (hist[i] == item)
            return (int) i;
    return -1;
}

typedef struct {
    float score;
    uint32_t idx;
} by_score_t;

static int
s_cmp_desc (const void *a, const void *b)
{
    const by_score_t *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*  Room for item in the item -> candidate map.  0 / -1.  */
static int
s_item_room (merge_ltr_scratch_t *sc, uint32_t item)
{
    if (item < sc->items_cap)
        return 0;
    uint32_t nc = sc->items_cap ? sc->items_cap : 4096;
    while (nc <= item)
        nc *= 2;
    uint32_t *slot = realloc (sc->slot, (size_t) nc * sizeof *slot);
    if (slot)
        sc->slot = slot;
    uint32_t *stamp = realloc (sc->stamp, (size_t) nc * sizeof *stamp);
    if (stamp)
        sc->stamp = stamp;
    if (!slot || !stamp)
        return -1;
    memset (sc->stamp + sc->items_cap, 0, (size_t) (nc - sc->items_cap) * sizeof *stamp);
    sc->items_cap = nc;
    return 0;
}

/*  The candidates of a prediction into scratch->cand.  0 / -1.  */
static int
s_candidates (merge_ltr_scratch_t *sc, uint32_t nsrc, const uint32_t *hist, uint32_t nhist,
              bool exclude, const collab_rec_t *const *lists, const uint32_t *n,
              uint32_t nextra, merge_ltr_extra_fn extra, void *extra_ctx)
{
    sc->ncand = 0;
    if (++sc->gen == 0) {
        memset (sc->stamp, 0, (size_t) sc->items_cap * sizeof *sc->stamp);
        sc->gen = 1;
    }
    for (uint32_t s = 0; s < nsrc; s++) {
        const collab_rec_t *l = lists[s];
        if (s_grow ((void **) &sc->order, &sc->order_cap, n[s] + 1, sizeof (by_score_t), false))
            return -1;
        by_score_t *ord = (by_score_t *) sc->order;
        /*  usable items: not excluded  */
        uint32_t m = 0;
        for (uint32_t i = 0; i < n[s]; i++)
            if (!exclude || s_hist_pos (hist, nhist, l[i].item) < 0)
                ord[m++] = (by_score_t) { l[i].score, i };
        qsort (ord, m, sizeof *ord, s_cmp_desc);
        float top = m ? ord[0].score : 0;
        for (uint32_t j = 0; j < m;) {
            uint32_t e = j + 1;     /* the tie group j..e-1 takes rank e */
            while (e < m && ord[e].score == ord[j].score)
                e++;
            int b = hr_merge_model_bucket (e);
            for (uint32_t q = j; q < e; q++) {
                const collab_rec_t *r = &l[ord[q].idx];
                if (s_item_room (sc, r->item) != 0)
                    return -1;
                cand_t *c;
                if (sc->stamp[r->item] == sc->gen)
                    c = &sc->cand[sc->slot[r->item]];
                else {
                    if (s_grow ((void **) &sc->cand, &sc->cand_cap, sc->ncand + 1, sizeof *sc->cand, false))
                        return -1;
                    sc->stamp[r->item] = sc->gen;
                    sc->slot[r->item] = sc->ncand;
                    c = &sc->cand[sc->ncand++];
                    c->item = r->item;
                    memset (c->bucket, ABSENT, sizeof c->bucket);
                    memset (c->pos, 0, sizeof c->pos);
                    memset (c->ratio, 0, sizeof c->ratio);
                    memset (c->mag, 0, sizeof c->mag);
                    int hp = s_hist_pos (hist, nhist, r->item);
                    c->recent = hp >= 0 ? 1.0f / (float) (hp + 1) : 0;
                    memset (c->extra, 0, sizeof c->extra);
                    if (nextra && extra)
                        extra (extra_ctx, r->item, c->extra);
                }
                if (c->bucket[s] == ABSENT) {       /* a repeated item keeps its best rank */
                    c->bucket[s] = (uint8_t) b;
                    c->pos[s] = (uint16_t) (q < UINT16_MAX - 1 ? q + 1 : UINT16_MAX);
                    double ratio = top > 0 ? r->score / top : 0;
                    c->ratio[s] = (float) (ratio < 0 ? 0 : ratio > 1 ? 1 : ratio);
                    c->mag[s] = r->score > 0 ? log1pf (r->score) : 0;
                }
            }
            j = e;
        }
    }
    return 0;
}

merge_ltr_data_t *
merge_ltr_data_new (uint32_t nsrc, uint32_t nextra)
{
    if (nsrc == 0 || nsrc > MERGE_LTR_MAX_SOURCES || nextra > MERGE_LTR_MAX_EXTRA)
        return NULL;
    merge_ltr_data_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->nsrc = nsrc;
    self->nextra = nextra;
    if (!(self->scratch = merge_ltr_scratch_new ())) {
        free (self);
        return NULL;
    }
    return self;
}

void
merge_ltr_data_destroy (merge_ltr_data_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    merge_ltr_data_t *self = *self_p;
    free (self->session);
    free (self->first);
    free (self->count);
    free (self->target);
    free (self->bucket);
    free (self->pos);
    free (self->ratio);
    free (self->mag);
    free (self->recent);
    free (self->ctx);
    free (self->extra);
    merge_ltr_scratch_destroy (&self->scratch);
    free (self);
    *self_p = NULL;
}

static int
s_reserve_cand (merge_ltr_data_t *self, size_t more)
{
    if (self->ncand + more <= self->cand_cap)
        return 0;
    size_t nc = self->cand_cap ? self->cand_cap : 4096;
    while (nc < self->ncand + more)
        nc *= 2;
    uint8_t *b = realloc (self->bucket, nc * self->nsrc);
    if (b)
        self->bucket = b;
    uint16_t *q = realloc (self->pos, nc * self->nsrc * sizeof *q);
    if (q)
        self->pos = q;
    float *r = realloc (self->ratio, nc * self->nsrc * sizeof *r);
    if (r)
        self->ratio = r;
    float *g = realloc (self->mag, nc * self->nsrc * sizeof *g);
    if (g)
        self->mag = g;
    float *h = realloc (self->recent, nc * sizeof *h);
    if (h)
        self->recent = h;
    float *x = realloc (self->extra, nc * (self->nextra ? self->nextra : 1) * sizeof *x);
    if (x)
        self->extra = x;
    if (!b || !q || !r || !g || !h || !x)
        return -1;
    self->cand_cap = nc;
    return 0;
}

int
merge_ltr_data_add (merge_ltr_data_t *self, uint32_t session, uint32_t target,
                    const uint32_t *hist, uint32_t nhist, bool exclude_history,
                    const collab_rec_t *const *lists, const uint32_t *n,
                    merge_ltr_extra_fn extra, void *extra_ctx)
{
    if (!self || !lists || !n || (nhist && !hist))
        return -1;
    merge_ltr_scratch_t *sc = self->scratch;
    if (s_candidates (sc, self->nsrc, hist, nhist, exclude_history, lists, n, self->nextra,
                      extra, extra_ctx) != 0
        || s_reserve_cand (self, sc->ncand) != 0)
        return -1;
    if (self->npred == self->pred_cap) {
        uint32_t cap = self->pred_cap;
        uint32_t want = self->npred + 1;
        if (s_grow ((void **) &self->session, &cap, want, sizeof *self->session, false))
            return -1;
        cap = self->pred_cap;
        if (s_grow ((void **) &self->first, &cap, want, sizeof *self->first, false))
            return -1;
        cap = self->pred_cap;
        if (s_grow ((void **) &self->count, &cap, want, sizeof *self->count, false))
            return -1;
        cap = self->pred_cap;
        if (s_grow ((void **) &self->target, &cap, want, sizeof *self->target, false))
            return -1;
        cap = self->pred_cap;
        if (s_grow ((void **) &self->ctx, &cap, want, sizeof *self->ctx, false))
            return -1;
        self->pred_cap = cap;
    }
    uint32_t p = self->npred++;
    self->session[p] = session;
    self->first[p] = (uint32_t) self->ncand;
    self->count[p] = sc->ncand;
    self->target[p] = -1;
    self->ctx[p] = s_ctx (nhist);
    for (uint32_t i = 0; i < sc->ncand; i++) {
        const cand_t *c = &sc->cand[i];
        size_t at = self->ncand + i;
        memcpy (self->bucket + at * self->nsrc, c->bucket, self->nsrc);
        memcpy (self->pos + at * self->nsrc, c->pos, self->nsrc * sizeof (uint16_t));
        memcpy (self->ratio + at * self->nsrc, c->ratio, self->nsrc * sizeof (float));
        memcpy (self->mag + at * self->nsrc, c->mag, self->nsrc * sizeof (float));
        self->recent[at] = c->recent;
        if (self->nextra)
            memcpy (self->extra + at * self->nextra, c->extra, self->nextra * sizeof (float));
        if (c->item == target)
            self->target[p] = (int32_t) i;
    }
    self->ncand += sc->ncand;
    return 0;
}

static bool
s_in_part (uint32_t session, int part)
{
    return part == MERGE_FIT_ALL || (int) (session % 2) == part;
}

uint32_t
merge_ltr_data_count (const merge_ltr_data_t *self, int part, uint32_t *reachable)
{
    uint32_t n = 0, r = 0;
    for (uint32_t p = 0; self && p < self->npred; p++)
        if (s_in_part (self->session[p], part)) {
            n++;
            r += self->target[p] >= 0;
        }
    if (reachable)
        *reachable = r;
    return n;
}

/*  A candidate's features, wherever they are stored.  */
typedef struct {
    const uint8_t *bucket;
    const uint16_t *pos;
    const float *ratio;
    const float *mag;
    float recent, ctx;
    const float *extra;
} feat_t;

static double
s_score (const merge_ltr_t *m, const feat_t *f)
{
    const double *w = m->w;
    uint32_t nsrc = m->nsrc, R = nsrc * NB, H = R + nsrc, C = H + 2;
    uint32_t G = C + s_nctx (nsrc, m->ctx_buckets), E = G + (m->mag ? nsrc : 0);
    double v = 0;
    for (uint32_t s = 0; s < nsrc; s++)
        if (f->bucket[s] != ABSENT) {
            v += w[s * NB + f->bucket[s]]
                 + w[C + (m->ctx_buckets ? s * NB + f->bucket[s] : s)] * f->ctx;
            if (m->ratio)
                v += w[R + s] * f->ratio[s];
            if (m->mag)
                v += w[G + s] * f->mag[s];
        }
    if (f->recent > 0)
        v += w[H] + w[H + 1] * f->recent;
    for (uint32_t e = 0; e < m->nextra; e++)
        v += w[E + e] * f->extra[e];
    int ag = m->agree ? s_agree (nsrc, f->pos) : -1;
    if (ag >= 0)
        v += w[E + m->nextra + (uint32_t) ag];
    return v;
}

static feat_t
s_data_feat (const merge_ltr_data_t *d, uint32_t p, size_t at)
{
    return (feat_t) { d->bucket + at * d->nsrc, d->pos + at * d->nsrc, d->ratio + at * d->nsrc,
                      d->mag + at * d->nsrc, d->recent[at], d->ctx[p], d->extra + at * d->nextra };
}

static feat_t
s_cand_feat (const cand_t *c, float ctx)
{
    return (feat_t) { c->bucket, c->pos, c->ratio, c->mag, c->recent, ctx, c->extra };
}

/*  The order of the ranked list: the lead source's top items first, in
    its order, then the ranker's.                                          */
static double
s_order_score (const merge_ltr_t *m, const feat_t *f)
{
    if (m->lead >= 0) {
        uint32_t pos = f->pos[m->lead];
        if (pos >= 1 && pos <= m->lead_top)
            return 1e6 - pos;
    }
    return s_score (m, f);
}

/*  The non-zero features of a candidate: idx[], val[]; returns the count
    (at most 3 nsrc + 2 + nextra).  */
static uint32_t
s_sparse (const merge_ltr_t *m, const feat_t *f, uint32_t *idx, double *val)
{
    uint32_t nsrc = m->nsrc, R = nsrc * NB, H = R + nsrc, C = H + 2, k = 0;
    uint32_t G = C + s_nctx (nsrc, m->ctx_buckets), E = G + (m->mag ? nsrc : 0);
    for (uint32_t s = 0; s < nsrc; s++)
        if (f->bucket[s] != ABSENT) {
            idx[k] = s * NB + f->bucket[s], val[k++] = 1;
            if (f->ctx != 0)
                idx[k] = C + (m->ctx_buckets ? s * NB + f->bucket[s] : s), val[k++] = f->ctx;
            if (m->ratio && f->ratio[s] != 0)
                idx[k] = R + s, val[k++] = f->ratio[s];
            if (m->mag && f->mag[s] != 0)
                idx[k] = G + s, val[k++] = f->mag[s];
        }
    if (f->recent > 0) {
        idx[k] = H, val[k++] = 1;
        idx[k] = H + 1, val[k++] = f->recent;
    }
    for (uint32_t e = 0; e < m->nextra; e++)
        if (f->extra[e] != 0)
            idx[k] = E + e, val[k++] = f->extra[e];
    int ag = m->agree ? s_agree (nsrc, f->pos) : -1;
    if (ag >= 0)
        idx[k] = E + m->nextra + (uint32_t) ag, val[k++] = 1;
    return k;
}

#define NNZ_MAX (4 * MERGE_LTR_MAX_SOURCES + 2 + MERGE_LTR_MAX_EXTRA + 1)

/*  One pass over the part's reachable predictions at m->w: the objective
    (mean log-probability of the targets minus the L2 penalty), and when g
    is given its gradient and the negated Hessian A (nw x nw).            */
static double
s_pass (const merge_ltr_t *m, const merge_ltr_data_t *data, int part, double l2, uint32_t reachable,
        double *sc, double *mu, double *g, double *A)
{
    uint32_t nw = m->nw;
    double obj = 0;
    if (g) {
        memset (g, 0, nw * sizeof *g);
        memset (A, 0, (size_t) nw * nw * sizeof *A);
    }
    uint32_t idx[NNZ_MAX];
    double val[NNZ_MAX];
    for (uint32_t p = 0; p < data->npred; p++) {
        if (!s_in_part (data->session[p], part) || data->target[p] < 0)
            continue;
        size_t f = data->first[p];
        uint32_t c = data->count[p], t = (uint32_t) data->target[p];
        double mx = -INFINITY;
        for (uint32_t i = 0; i < c; i++) {
            feat_t ft = s_data_feat (data, p, f + i);
            sc[i] = s_score (m, &ft);
            mx = sc[i] > mx ? sc[i] : mx;
        }
        double z = 0, st = sc[t];
        for (uint32_t i = 0; i < c; i++)
            z += (sc[i] = exp (sc[i] - mx));
        obj += st - mx - log (z);
        if (!g)
            continue;
        memset (mu, 0, nw * sizeof *mu);
        for (uint32_t i = 0; i < c; i++) {
            feat_t ft = s_data_feat (data, p, f + i);
            uint32_t k = s_sparse (m, &ft, idx, val);
            double pi = sc[i] / z;
            for (uint32_t a = 0; a < k; a++) {
                mu[idx[a]] += pi * val[a];
                for (uint32_t b = 0; b < k; b++)
                    A[(size_t) idx[a] * nw + idx[b]] += pi * val[a] * val[b];
            }
        }
        feat_t ft = s_data_feat (data, p, f + t);
        uint32_t k = s_sparse (m, &ft, idx, val);
        for (uint32_t a = 0; a < k; a++)
            g[idx[a]] += val[a];
        for (uint32_t a = 0; a < nw; a++) {
            g[a] -= mu[a];
            if (mu[a] != 0)
                for (uint32_t b = 0; b < nw; b++)
                    A[(size_t) a * nw + b] -= mu[a] * mu[b];
        }
    }
    double pen = 0;
    for (uint32_t j = 0; j < nw; j++)
        pen += m->w[j] * m->w[j];
    if (g)
        for (uint32_t a = 0; a < nw; a++) {
            g[a] = g[a] / reachable - 2 * l2 * m->w[a];
            for (uint32_t b = 0; b < nw; b++)
                A[(size_t) a * nw + b] /= reachable;
            A[(size_t) a * nw + a] += 2 * l2;
        }
    return obj / reachable - l2 * pen;
}

/*  Solves A x = g in place (x into g) by Cholesky; A symmetric positive
    definite (the L2 term sees to it).  0 / -1 when not.                   */
static int
s_solve (double *A, double *g, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++) {
        double d = A[(size_t) j * n + j];
        for (uint32_t k = 0; k < j; k++)
            d -= A[(size_t) j * n + k] * A[(size_t) j * n + k];
        if (!(d > 0))
            return -1;
        d = sqrt (d);
        A[(size_t) j * n + j] = d;
        for (uint32_t i = j + 1; i < n; i++) {
            double v = A[(size_t) i * n + j];
            for (uint32_t k = 0; k < j; k++)
                v -= A[(size_t) i * n + k] * A[(size_t) j * n + k];
            A[(size_t) i * n + j] = v / d;
        }
    }
    for (uint32_t i = 0; i < n; i++) {         /* L y = g */
        double v = g[i];
        for (uint32_t k = 0; k < i; k++)
            v -= A[(size_t) i * n + k] * g[k];
        g[i] = v / A[(size_t) i * n + i];
    }
    for (uint32_t i = n; i-- > 0;) {           /* L^T x = y */
        double v = g[i];
        for (uint32_t k = i + 1; k < n; k++)
            v -= A[(size_t) k * n + i] * g[k];
        g[i] = v / A[(size_t) i * n + i];
    }
    return 0;
}

/*  Maximises the (concave) objective by Newton's method with a
    backtracking line search: a few passes over the data.                 */
merge_ltr_t *
merge_ltr_fit (const merge_ltr_data_t *data, int part, const merge_ltr_params_t *prm)
{
    uint32_t reachable = 0;
    if (!data || !prm || (merge_ltr_data_count (data, part, &reachable), reachable == 0))
        return NULL;
    uint32_t nsrc = data->nsrc, most = 1;
    uint32_t nw = s_nw (nsrc, data->nextra, prm->ctx_buckets, prm->mag, prm->agree);
    for (uint32_t p = 0; p < data->npred; p++)
        most = data->count[p] > most ? data->count[p] : most;
    merge_ltr_t *m = calloc (1, sizeof *m);
    double *g = calloc (nw, sizeof *g), *mu = calloc (nw, sizeof *mu), *w0 = calloc (nw, sizeof *w0);
    double *A = calloc ((size_t) nw * nw, sizeof *A);
    double *sc = malloc (most * sizeof *sc);
    if (!m || !g || !mu || !w0 || !A || !sc || !(m->w = calloc (nw, sizeof *m->w))) {
        free (g), free (mu), free (w0), free (A), free (sc);
        merge_ltr_destroy (&m);
        return NULL;
    }
    m->nsrc = nsrc;
    m->nextra = data->nextra;
    m->nw = nw;
    m->ratio = prm->ratio;
    m->ctx_buckets = prm->ctx_buckets;
    m->mag = prm->mag;
    m->agree = prm->agree;
    m->lead = -1;
    for (uint32_t it = 0; it < prm->iterations; it++) {
        double obj = s_pass (m, data, part, prm->l2, reachable, sc, mu, g, A);
        double gmax = 0, slope = 0;
        for (uint32_t j = 0; j < nw; j++)
            gmax = fabs (g[j]) > gmax ? fabs (g[j]) : gmax;
        if (gmax < 1e-7)
            break;
        memcpy (mu, g, nw * sizeof *g);         /* the gradient, kept for the slope */
        if (s_solve (A, g, nw) != 0)
            break;
        for (uint32_t j = 0; j < nw; j++)
            slope += mu[j] * g[j];
        memcpy (w0, m->w, nw * sizeof *w0);
        double step = 1;
        bool better = false;
        for (int half = 0; half < 30 && !better; half++, step /= 2) {
            for (uint32_t j = 0; j < nw; j++)
                m->w[j] = w0[j] + step * g[j];
            better = s_pass (m, data, part, prm->l2, reachable, sc, mu, NULL, NULL)
                     >= obj + 1e-4 * step * slope;
        }
        if (!better) {
            memcpy (m->w, w0, nw * sizeof *w0);
            break;
        }
        if (step * 2 * sqrt (slope) < 1e-9)
            break;
    }
    free (g), free (mu), free (w0), free (A), free (sc);
    return m;
}

void
merge_ltr_destroy (merge_ltr_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->w);
    free (*self_p);
    *self_p = NULL;
}

/*  HR@k and MRR@k over the predictions of part: rank (p, ctx) is the
    1-based rank of prediction p's target, 0 when it is not in the top k;
    a prediction without a target counts as a miss.                       */
typedef uint32_t (s_rank_fn) (const merge_ltr_data_t *data, uint32_t p, uint32_t k,
                              const void *ctx);

static void
s_tally (const merge_ltr_data_t *data, int part, uint32_t k, s_rank_fn *rank, const void *ctx,
         double *hr, double *mrr)
{
    uint32_t n = 0, hits = 0;
    double rr = 0;
    for (uint32_t p = 0; p < data->npred; p++) {
        if (!s_in_part (data->session[p], part))
            continue;
        n++;
        uint32_t r = data->target[p] < 0 ? 0 : rank (data, p, k, ctx);
        if (r >= 1 && r <= k) {
            hits++;
            rr += 1.0 / r;
        }
    }
    *hr = n ? (double) hits / n : 0;
    *mrr = n ? rr / n : 0;
}

/*  The target's rank under the ranker (ties: the earlier candidate first,
    as merge_ltr_rank), counted only up to k.                             */
static uint32_t
s_ranker_rank (const merge_ltr_data_t *data, uint32_t p, uint32_t k, const void *ctx)
{
    const merge_ltr_t *self = ctx;
    size_t f = data->first[p];
    uint32_t t = (uint32_t) data->target[p];
    feat_t ft = s_data_feat (data, p, f + t);
    float st = (float) s_order_score (self, &ft);
    uint32_t above = 0;
    for (uint32_t i = 0; i < data->count[p] && above < k; i++) {
        if (i == t)
            continue;
        feat_t fi = s_data_feat (data, p, f + i);
        float si = (float) s_order_score (self, &fi);
        above += si > st || (si == st && i < t);
    }
    return above + 1;
}

int
merge_ltr_score (const merge_ltr_t *self, const merge_ltr_data_t *data, int part, uint32_t k,
                 double *hr, double *mrr)
{
    if (!self || !data || self->nsrc != data->nsrc || self->nextra != data->nextra || k == 0)
        return -1;
    s_tally (data, part, k, s_ranker_rank, self, hr, mrr);
    return 0;
}

/*  The target's position in source *s's own list (0: not in it).        */
static uint32_t
s_source_rank (const merge_ltr_data_t *data, uint32_t p, uint32_t k, const void *ctx)
{
    (void) k;
    uint32_t s = *(const uint32_t *) ctx;
    return data->pos[(data->first[p] + (size_t) data->target[p]) * data->nsrc + s];
}

int
merge_ltr_source_score (const merge_ltr_data_t *data, uint32_t s, int part, uint32_t k,
                        double *hr, double *mrr)
{
    if (!data || s >= data->nsrc || k == 0)
        return -1;
    s_tally (data, part, k, s_source_rank, &s, hr, mrr);
    return 0;
}

int
merge_ltr_set_lead (merge_ltr_t *self, int source, uint32_t top)
{
    if (!self || source < -1 || source >= (int) self->nsrc)
        return -1;
    self->lead = top ? source : -1;
    self->lead_top = self->lead >= 0 ? top : 0;
    return 0;
}

int
merge_ltr_lead (const merge_ltr_t *self, uint32_t *top)
{
    if (top)
        *top = self ? self->lead_top : 0;
    return self ? self->lead : -1;
}

double
merge_ltr_bucket_weight (const merge_ltr_t *self, uint32_t s, int bucket)
{
    return self && s < self->nsrc && bucket >= 0 && bucket < NB ? self->w[s * NB + bucket] : 0;
}

double
merge_ltr_extra_weight (const merge_ltr_t *self, uint32_t e)
{
    uint32_t after = self && self->agree ? AGREE_NW : 0;
    return self && e < self->nextra ? self->w[self->nw - after - self->nextra + e] : 0;
}

double
merge_ltr_ratio_weight (const merge_ltr_t *self, uint32_t s)
{
    return self && s < self->nsrc && self->ratio ? self->w[self->nsrc * NB + s] : 0;
}

uint32_t
merge_ltr_rank (const merge_ltr_t *self, merge_ltr_scratch_t *sc, const uint32_t *hist,
                uint32_t nhist, bool exclude_history, const collab_rec_t *const *lists,
                const uint32_t *n, merge_ltr_extra_fn extra, void *extra_ctx,
                collab_rec_t *out, uint32_t k)
{
    if (!self || !sc
        || s_candidates (sc, self->nsrc, hist, nhist, exclude_history, lists, n, self->nextra,
                         extra, extra_ctx) != 0)
        return 0;
    uint32_t c = sc->ncand;
    if (s_grow ((void **) &sc->order, &sc->order_cap, c + 1, sizeof (by_score_t), false))
        return 0;
    by_score_t *ord = (by_score_t *) sc->order;
    float ctx = s_ctx (nhist);
    for (uint32_t i = 0; i < c; i++) {
        feat_t ft = s_cand_feat (&sc->cand[i], ctx);
        ord[i] = (by_score_t) { (float) s_order_score (self, &ft), i };
    }
    qsort (ord, c, sizeof *ord, s_cmp_desc);
    uint32_t got = c < k ? c : k;
    for (uint32_t i = 0; i < got; i++)
        out[i] = (collab_rec_t) { sc->cand[ord[i].idx].item, ord[i].score };
    return got;
}
