/*  eval_metrics — see eval_metrics.h.  */
#include "eval_metrics.h"
#include "hr_array.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int
eval_metrics_init (eval_metrics_t *m, const uint32_t *ks, uint32_t nk, uint32_t n_items)
{
    memset (m, 0, sizeof *m);
    if (nk == 0 || nk > EVAL_METRICS_MAX_K)
        return -1;
    for (uint32_t i = 0; i < nk; i++)
        if (ks[i] == 0 || (i > 0 && ks[i] <= ks[i - 1]))
            return -1;
    for (uint32_t i = 0; i < nk; i++) {
        m->ks[i] = ks[i];
        m->seen[i] = calloc (n_items + 1, 1);
        if (!m->seen[i]) {
            eval_metrics_free (m);
            return -1;
        }
    }
    m->nk = nk;
    m->n_items = n_items;
    return 0;
}

void
eval_metrics_free (eval_metrics_t *m)
{
    for (uint32_t i = 0; i < EVAL_METRICS_MAX_K; i++)
        free (m->seen[i]);
    free (m->lat_ns);
    memset (m, 0, sizeof *m);
}

int
eval_metrics_add (eval_metrics_t *m, const collab_rec_t *list, uint32_t n,
                  uint32_t target, uint64_t latency_ns)
{
    if (hr_array_grow (&m->lat_ns, sizeof *m->lat_ns, m->n, &m->lat_cap, 4096) != 0)
        return -1;
    m->lat_ns[m->n++] = latency_ns > UINT32_MAX ? UINT32_MAX : (uint32_t) latency_ns;
    uint32_t rank = 0;
    for (uint32_t i = 0; i < n && !rank; i++)
        if (list[i].item == target)
            rank = i + 1;
    for (uint32_t ki = 0; ki < m->nk; ki++) {
        uint32_t K = m->ks[ki];
        if (rank && rank <= K) {
            m->hits[ki] += 1;
            m->rr[ki] += 1.0 / rank;
            m->dcg[ki] += 1.0 / log2 (rank + 1.0);
        }
        for (uint32_t i = 0; i < n && i < K; i++)
            if (list[i].item < m->n_items && !m->seen[ki][list[i].item]) {
                m->seen[ki][list[i].item] = 1;
                m->covered[ki]++;
            }
    }
    return 0;
}

double eval_metrics_hr (const eval_metrics_t *m, uint32_t ki)
{ return m->n ? m->hits[ki] / (double) m->n : 0; }
double eval_metrics_mrr (const eval_metrics_t *m, uint32_t ki)
{ return m->n ? m->rr[ki] / (double) m->n : 0; }
double eval_metrics_ndcg (const eval_metrics_t *m, uint32_t ki)
{ return m->n ? m->dcg[ki] / (double) m->n : 0; }
double eval_metrics_coverage (const eval_metrics_t *m, uint32_t ki)
{ return m->n_items ? m->covered[ki] / (double) m->n_items : 0; }

static int
s_u32_cmp (const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return x < y ? -1 : x > y;
}

double
eval_metrics_latency_us (eval_metrics_t *m, double q)
{
    if (m->n == 0)
        return 0;
    qsort (m->lat_ns, m->n, sizeof *m->lat_ns, s_u32_cmp);
    uint64_t at = (uint64_t) ceil (q * (double) m->n);
    if (at > 0)
        at--;
    if (at >= m->n)
        at = m->n - 1;
    return m->lat_ns[at] / 1000.0;
}

double
eval_metrics_latency_mean_us (const eval_metrics_t *m)
{
    double sum = 0;
    for (uint64_t i = 0; i < m->n; i++)
        sum += m->lat_ns[i];
    return m->n ? sum / (double) m->n / 1000.0 : 0;
}
