/*  hr_diverse — the draw behind /home's diverse picks (hr_diverse.h).     */
#include "hr_diverse.h"
#include <stdbool.h>
#include <stdlib.h>
#include "hr_validate.h"

#define S_STACK_CATS 256

static uint64_t
s_splitmix64 (uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double
s_uniform01 (uint64_t *state)
{
    return (double) (s_splitmix64 (state) >> 11) * 0x1.0p-53;
}

static bool
s_contains (const uint32_t *v, uint32_t n, uint32_t x)
{
    for (uint32_t i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

uint32_t
hr_diverse_draw (const hr_diverse_cat_t *cats, uint32_t ncats, uint32_t pool,
                 const uint16_t *clicked_cats, uint32_t nclicked,
                 const uint32_t *exclude, uint32_t nexclude,
                 uint32_t limit, uint64_t seed, uint32_t *out)
{
    if (!ncats || !limit)
        return 0;
    double wbuf[S_STACK_CATS];
    uint32_t cbuf[S_STACK_CATS];
    double *w = wbuf;
    uint32_t *clicks = cbuf;
    if (ncats > S_STACK_CATS) {
        w = malloc (ncats * sizeof *w);
        clicks = malloc (ncats * sizeof *clicks);
        if (!w || !clicks) {
            free (w);
            free (clicks);
            return 0;
        }
    }
    for (uint32_t c = 0; c < ncats; c++)
        clicks[c] = 0;
    for (uint32_t i = 0; i < nclicked; i++)
        if (clicked_cats[i] < ncats)
            clicks[clicked_cats[i]]++;
    for (uint32_t c = 0; c < ncats; c++)
        w[c] = cats[c].n > 0 ? 1.0 / (1.0 + clicks[c]) : 0.0;
    uint64_t rng = seed;
    uint32_t picked = 0;
    if (!pool)
        pool = 1;
    while (picked < limit) {
        double total = 0;
        for (uint32_t c = 0; c < ncats; c++)
            total += w[c];
        if (total <= 0)
            break;
        double u = s_uniform01 (&rng) * total;
        uint32_t c = 0;
        for (; c + 1 < ncats; c++) {
            if (u < w[c])
                break;
            u -= w[c];
        }
        while (w[c] <= 0)       /* rounding at the end of the wheel */
            c = c ? c - 1 : ncats - 1;
        const uint32_t *items = cats[c].items;
        uint32_t m = cats[c].n < pool ? cats[c].n : pool;
        uint32_t start = (uint32_t) (s_splitmix64 (&rng) % m), chosen = UINT32_MAX;
        for (uint32_t k = 0; k < m; k++) {
            uint32_t it = items[(start + k) % m];
            if (!s_contains (exclude, nexclude, it) && !s_contains (out, picked, it)) {
                chosen = it;
                break;
            }
        }
        if (chosen == UINT32_MAX) {
            w[c] = 0;           /* this category has nothing left to offer */
            continue;
        }
        out[picked++] = chosen;
        w[c] *= 0.5;
    }
    if (w != wbuf) {
        free (w);
        free (clicks);
    }
    return picked;
}

bool
hr_diverse_clicked (const hr_catalog_t *cat, const hr_proto_event_t *ev, uint32_t *idx,
                    uint16_t *main_cat)
{
    if (!hr_event_is_product (ev->type) || !hr_valid_product_id (ev->value, ev->len))
        return false;
    int64_t at = hr_catalog_find (cat, ev->value);
    if (at < 0)
        return false;
    *idx = (uint32_t) at;
    *main_cat = hr_catalog_at (cat, (uint32_t) at)->main_cat;
    return true;
}
