/*  eval_metrics — the accuracy and cost of one strategy under one
    protocol, accumulated prediction by prediction.

    For a target at 1-based rank r in the list (r = 0: not in it):
      HR@K   = share of targets with 1 <= r <= K
      MRR@K  = mean of 1/r over targets (0 when r = 0 or r > K)
      NDCG@K = mean of 1/log2(r + 1) (one relevant item: IDCG = 1)
    Coverage@K = share of the catalogue that appeared in any top-K list.
    Latency: wall time of each prediction.                                   */
#ifndef EVAL_METRICS_H
#define EVAL_METRICS_H
#include <stdint.h>
#include "collab-svc/score.h"

#define EVAL_METRICS_MAX_K 4

typedef struct {
    uint32_t nk, ks[EVAL_METRICS_MAX_K];
    uint64_t n;                                /* predictions */
    double hits[EVAL_METRICS_MAX_K], rr[EVAL_METRICS_MAX_K], dcg[EVAL_METRICS_MAX_K];
    uint32_t n_items;
    uint8_t *seen[EVAL_METRICS_MAX_K];       /* per item: in some top-K list */
    uint32_t covered[EVAL_METRICS_MAX_K];
    uint32_t *lat_ns;                          /* one per prediction */
    size_t lat_cap;
} eval_metrics_t;

/*  ks ascending, 1..EVAL_METRICS_MAX_K of them.  0 / -1 (OOM, bad ks).   */
int eval_metrics_init (eval_metrics_t *m, const uint32_t *ks, uint32_t nk, uint32_t n_items);
void eval_metrics_free (eval_metrics_t *m);
/*  One prediction: the list (best first), the target, its latency.         */
int eval_metrics_add (eval_metrics_t *m, const collab_rec_t *list, uint32_t n,
                      uint32_t target, uint64_t latency_ns);

double eval_metrics_hr (const eval_metrics_t *m, uint32_t ki);
double eval_metrics_mrr (const eval_metrics_t *m, uint32_t ki);
double eval_metrics_ndcg (const eval_metrics_t *m, uint32_t ki);
double eval_metrics_coverage (const eval_metrics_t *m, uint32_t ki);
/*  Latency quantile in microseconds (q in [0,1]); sorts the samples.       */
double eval_metrics_latency_us (eval_metrics_t *m, double q);
double eval_metrics_latency_mean_us (const eval_metrics_t *m);

#endif
