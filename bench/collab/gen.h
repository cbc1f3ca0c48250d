/*  A synthetic click log shaped like YOOCHOOSE: item popularity is Zipf
    (exponent 1.0 over n_items), session length is 2 + geometric (mean
    ~3.9, like the real sample's 3.95), and clicks inside a session follow
    "related" items (a small random step in a hidden item order) or re-click
    the previous item, so co-occurrence has structure to find.  Sessions
    are spread over `days`, clicks 10-120 s apart.  Deterministic (seeded
    xorshift).  Used by collab_gen (writes TSV) and collab_bench_train.     */
#ifndef COLLAB_BENCH_GEN_H
#define COLLAB_BENCH_GEN_H
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct {
    uint64_t state;
    uint32_t n_items;
    double *cdf;                /* Zipf CDF over item ranks */
    uint32_t *rank_to_item;     /* popularity rank -> item (random) */
    uint64_t session;
    int64_t t0_ms, span_ms;
} gen_t;

static inline uint64_t
gen_rand (gen_t *g)
{
    g->state ^= g->state << 13;
    g->state ^= g->state >> 7;
    g->state ^= g->state << 17;
    return g->state;
}

static inline double
gen_uniform (gen_t *g)
{
    return (double) (gen_rand (g) >> 11) / 9007199254740992.0;
}

static inline int
gen_init (gen_t *g, uint32_t n_items, double days, uint64_t seed)
{
    g->state = seed | 1;
    g->n_items = n_items;
    g->cdf = malloc (n_items * sizeof *g->cdf);
    g->rank_to_item = malloc (n_items * sizeof *g->rank_to_item);
    if (!g->cdf || !g->rank_to_item)
        return -1;
    double sum = 0;
    for (uint32_t r = 0; r < n_items; r++)
        g->cdf[r] = (sum += 1.0 / (r + 1.0));
    for (uint32_t r = 0; r < n_items; r++) {
        g->cdf[r] /= sum;
        g->rank_to_item[r] = r;
    }
    for (uint32_t r = n_items - 1; r > 0; r--) {       /* Fisher-Yates */
        uint32_t j = (uint32_t) (gen_rand (g) % (r + 1));
        uint32_t t = g->rank_to_item[r];
        g->rank_to_item[r] = g->rank_to_item[j];
        g->rank_to_item[j] = t;
    }
    g->session = 0;
    g->t0_ms = 1700000000000LL;
    g->span_ms = (int64_t) (days * 86400e3);
    return 0;
}

static inline void
gen_free (gen_t *g)
{
    free (g->cdf);
    free (g->rank_to_item);
}

static inline uint32_t
gen_zipf_item (gen_t *g)
{
    double u = gen_uniform (g);
    uint32_t lo = 0, hi = g->n_items - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (g->cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return g->rank_to_item[lo];
}

/*  Calls emit(arg, session, ts_ms, item) for one session; returns its length. */
static inline uint32_t
gen_session (gen_t *g, void (*emit) (void *, uint64_t, int64_t, uint32_t), void *arg)
{
    uint32_t len = 2;
    while (gen_uniform (g) < 0.66 && len < 200)
        len++;
    uint64_t s = ++g->session;
    int64_t t = g->t0_ms + (int64_t) (gen_uniform (g) * (double) g->span_ms);
    uint32_t cur = gen_zipf_item (g);
    for (uint32_t i = 0; i < len; i++) {
        emit (arg, s, t, cur);
        t += 10000 + (int64_t) (gen_rand (g) % 110000);
        double u = gen_uniform (g);
        if (u < 0.2)
            continue;                                   /* re-click */
        if (u < 0.7) {                                  /* a related item */
            int32_t step = (int32_t) (gen_rand (g) % 21) - 10;
            cur = (uint32_t) (((int64_t) cur + step + g->n_items) % g->n_items);
        }
        else
            cur = gen_zipf_item (g);
    }
    return len;
}
#endif
