/*  decay — forward decay: one multiply-add per event.                    */
#include "decay.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/*  Renormalise when a new event's weight would exceed e^RENORM_EXPONENT:
    far from DBL_MAX (e^709), so sums of millions of events stay finite.   */
#define RENORM_EXPONENT 300.0

struct trending_decay {
    double rate;
    double neg_ln_rate_per_ms;  /* -ln(rate) / 1 h, >= 0 */
    int64_t t0_ms;
    double *raw;
    uint32_t n, cap;
};

trending_decay_t *trending_decay_new (double rate, int64_t t0_ms)
{
    if (!(rate > 0.0 && rate <= 1.0))
        return NULL;
    trending_decay_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->rate = rate;
    self->neg_ln_rate_per_ms = -log (rate) / TRENDING_DECAY_HOUR_MS;
    self->t0_ms = t0_ms;
    return self;
}

void trending_decay_destroy (trending_decay_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->raw);
    free (*self_p);
    *self_p = NULL;
}

static int s_ensure (trending_decay_t *self, uint32_t item)
{
    if (item >= TRENDING_DECAY_MAX_ITEMS)
        return -1;
    if (item < self->n)
        return 0;
    if (item >= self->cap) {
        uint32_t cap = self->cap ? self->cap : 1024;
        while (cap <= item)
            cap *= 2;
        double *raw = realloc (self->raw, cap * sizeof *raw);
        if (!raw)
            return -1;
        self->raw = raw;
        self->cap = cap;
    }
    memset (self->raw + self->n, 0, (item + 1 - self->n) * sizeof *self->raw);
    self->n = item + 1;
    return 0;
}

/*  The exponent x with weight = e^x for an event at ts.                    */
static inline double s_exponent (const trending_decay_t *self, int64_t ts_ms)
{
    return (double) (ts_ms - self->t0_ms) * self->neg_ln_rate_per_ms;
}

int trending_decay_add_weight (trending_decay_t *self, uint32_t item, int64_t ts_ms, double w)
{
    if (s_ensure (self, item))
        return -1;
    double x = s_exponent (self, ts_ms);
    if (x > RENORM_EXPONENT) {
        trending_decay_renormalise (self, ts_ms);
        x = 0.0;
    }
    self->raw[item] += w * exp (x);
    return 0;
}

int trending_decay_add (trending_decay_t *self, uint32_t item, int64_t ts_ms)
{
    return trending_decay_add_weight (self, item, ts_ms, 1.0);
}

double trending_decay_factor (const trending_decay_t *self, int64_t now_ms)
{
    return exp (-s_exponent (self, now_ms));
}

double trending_decay_score (const trending_decay_t *self, uint32_t item, int64_t now_ms)
{
    if (item >= self->n || self->raw[item] == 0.0)
        return 0.0;
    return self->raw[item] * trending_decay_factor (self, now_ms);
}

double trending_decay_raw (const trending_decay_t *self, uint32_t item)
{
    return item < self->n ? self->raw[item] : 0.0;
}

int trending_decay_set_raw (trending_decay_t *self, uint32_t item, double raw)
{
    if (!(raw >= 0.0) || isinf (raw) || s_ensure (self, item))
        return -1;
    self->raw[item] = raw;
    return 0;
}

void trending_decay_renormalise (trending_decay_t *self, int64_t t0_ms)
{
    double f = exp (-(double) (t0_ms - self->t0_ms) * self->neg_ln_rate_per_ms);
    for (uint32_t i = 0; i < self->n; i++)
        self->raw[i] *= f;
    self->t0_ms = t0_ms;
}

int64_t trending_decay_t0 (const trending_decay_t *self) { return self->t0_ms; }
double trending_decay_rate (const trending_decay_t *self) { return self->rate; }
uint32_t trending_decay_size (const trending_decay_t *self) { return self->n; }

/*  Min-heap on (raw, -id): the root is the weakest of the current top k.  */
static inline int s_weaker (double ra, uint32_t a, double rb, uint32_t b)
{
    return ra < rb || (ra == rb && a > b);
}

static void s_sift_down (uint32_t *heap, const double *raw, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && s_weaker (raw[heap[l]], heap[l], raw[heap[m]], heap[m]))
            m = l;
        if (r < n && s_weaker (raw[heap[r]], heap[r], raw[heap[m]], heap[m]))
            m = r;
        if (m == i)
            return;
        uint32_t t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

size_t trending_decay_top (const trending_decay_t *self, int64_t now_ms, size_t k,
                  uint32_t *items, double *scores)
{
    size_t n = 0;
    if (k == 0)
        return 0;
    for (uint32_t i = 0; i < self->n; i++) {
        if (!(self->raw[i] > 0.0))
            continue;
        if (n < k) {
            items[n++] = i;
            if (n == k)
                for (size_t j = k / 2 + 1; j-- > 0;)
                    s_sift_down (items, self->raw, n, j);
        }
        else if (s_weaker (self->raw[items[0]], items[0], self->raw[i], i)) {
            items[0] = i;
            s_sift_down (items, self->raw, n, 0);
        }
    }
    if (n < k)
        for (size_t j = n / 2 + 1; j-- > 0;)
            s_sift_down (items, self->raw, n, j);
    /*  Heap-sort in place: pop the weakest to the back.                    */
    for (size_t end = n; end > 1; end--) {
        uint32_t t = items[0];
        items[0] = items[end - 1];
        items[end - 1] = t;
        s_sift_down (items, self->raw, end - 1, 0);
    }
    if (scores) {
        double f = trending_decay_factor (self, now_ms);
        for (size_t j = 0; j < n; j++)
            scores[j] = self->raw[items[j]] * f;
    }
    return n;
}
