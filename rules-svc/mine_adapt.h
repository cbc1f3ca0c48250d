/*  rules_mine_adapt — FP-Growth that adapts to the data instead of failing.

    A real shop log holds wholesale baskets of hundreds of items; two such
    baskets sharing 300 items make C(300, 4) ≈ 330 million frequent
    itemsets at any support they both pass.  rules_mine_adapt first mines as
    configured; when the itemset budget (params->max_itemsets) is exceeded
    it caps every basket at `basket_cap` items (a deterministic,
    order-independent sample of each long basket), then doubles the minimum
    count until the budget fits.  What it changed is reported in `adapt`,
    so the training summary can say so.                                   */
#ifndef MINE_ADAPT_H
#define MINE_ADAPT_H
#include <stddef.h>
#include <stdint.h>
#include "fpgrowth.h"

typedef struct {
    uint32_t basket_cap;        /* 0 = baskets were not capped */
    uint32_t baskets_capped;    /* how many baskets were longer than the cap */
    uint32_t min_count_floor;   /* the floor finally used (as configured if unchanged) */
    uint32_t attempts;          /* mining runs, 1 when nothing adapted */
} rules_mine_adapt_t;

/*  Mines `baskets` with `params` (max_itemsets must be > 0: the budget);
    basket_cap >= 2.  NULL + err when mining fails for any other reason
    (out of memory, bad parameters) or nothing fits after 32 attempts.    */
rules_fpg_result_t *rules_mine_adapt (const rules_fpg_baskets_t *baskets, const rules_fpg_params_t *params,
                          uint32_t basket_cap, rules_mine_adapt_t *adapt, char *err, size_t errlen);
#endif
