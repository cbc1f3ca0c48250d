/*  rules_mine_adapt — see rules_mine_adapt.h.  */
#include "mine_adapt.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ATTEMPTS 32

typedef struct {
    uint64_t key;
    uint32_t item;
} keyed_t;

static int
s_by_key (const void *a, const void *b)
{
    const keyed_t *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

static uint64_t
s_mix (uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

/*  A copy with every basket cut to `cap` items: those with the smallest
    hash of (basket, item), so the sample depends on neither item ids nor
    the order of the clicks.  NULL when out of memory.                    */
static rules_fpg_baskets_t *
s_capped (const rules_fpg_baskets_t *in, uint32_t cap, uint32_t *ncapped)
{
    rules_fpg_baskets_t *out = rules_fpg_baskets_new ();
    uint32_t *pick = malloc (cap * sizeof *pick);
    keyed_t *keyed = NULL;
    size_t keyed_cap = 0;
    bool ok = out && pick;
    *ncapped = 0;
    for (uint32_t b = 0; ok && b < rules_fpg_baskets_count (in); b++) {
        uint32_t n;
        const uint32_t *items = rules_fpg_baskets_at (in, b, &n);
        if (n > cap) {
            if (n > keyed_cap) {
                keyed_t *grown = realloc (keyed, n * sizeof *keyed);
                if (!(ok = grown != NULL))
                    break;
                keyed = grown;
                keyed_cap = n;
            }
            for (uint32_t i = 0; i < n; i++)
                keyed[i] = (keyed_t) { s_mix (((uint64_t) b << 32) ^ items[i]), items[i] };
            qsort (keyed, n, sizeof *keyed, s_by_key);
            for (uint32_t i = 0; i < cap; i++)
                pick[i] = keyed[i].item;
            items = pick;
            n = cap;
            ++*ncapped;
        }
        ok = rules_fpg_baskets_add (out, items, n) == 0;
    }
    free (keyed);
    free (pick);
    if (!ok)
        rules_fpg_baskets_destroy (&out);
    return out;
}

static bool
s_has_longer (const rules_fpg_baskets_t *b, uint32_t cap)
{
    for (uint32_t i = 0; i < rules_fpg_baskets_count (b); i++) {
        uint32_t n;
        rules_fpg_baskets_at (b, i, &n);
        if (n > cap)
            return true;
    }
    return false;
}

rules_fpg_result_t *
rules_mine_adapt (const rules_fpg_baskets_t *baskets, const rules_fpg_params_t *params,
            uint32_t basket_cap, rules_mine_adapt_t *adapt, char *err, size_t errlen)
{
    memset (adapt, 0, sizeof *adapt);
    rules_fpg_params_t p = *params;
    if (p.min_count_floor < 1)
        p.min_count_floor = 1;
    rules_fpg_baskets_t *capped = NULL;
    const rules_fpg_baskets_t *use = baskets;
    rules_fpg_result_t *res = NULL;
    while (adapt->attempts < MAX_ATTEMPTS) {
        adapt->attempts++;
        res = rules_fpg_mine (use, &p, err, errlen);
        if (res || strcmp (err, rules_fpg_err_budget) != 0 || !p.max_itemsets)
            break;
        if (!capped && basket_cap >= 2 && s_has_longer (baskets, basket_cap)) {
            capped = s_capped (baskets, basket_cap, &adapt->baskets_capped);
            if (!capped) {
                snprintf (err, errlen, "out of memory capping baskets");
                break;
            }
            adapt->basket_cap = basket_cap;
            use = capped;
            continue;
        }
        /*  Raise the support: at least double the count the miner used.  */
        uint32_t used = rules_fpg_min_count (rules_fpg_baskets_count (use), p.min_support, p.min_count_floor);
        if (used >= UINT32_MAX / 2)
            break;
        p.min_count_floor = used * 2;
    }
    if (!res && adapt->attempts >= MAX_ATTEMPTS)
        snprintf (err, errlen, "%s, even after %u attempts", rules_fpg_err_budget, adapt->attempts);
    adapt->min_count_floor = p.min_count_floor;
    rules_fpg_baskets_destroy (&capped);
    return res;
}
