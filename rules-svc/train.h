/*  rules_train — nightly mining of the live clicks (`hybridrec train rules`):
    clicks of the last window_days from `interactions`, streamed row by row
    in (user, ts) order -> baskets (basket_builder) -> FP-Growth -> a
    rules_model blob published as a new "rules" model version.            */
#ifndef RULES_TRAIN_H
#define RULES_TRAIN_H
#include <stdbool.h>
#include <stdint.h>
#include "basket_builder.h"
#include "fpgrowth.h"
#include "mine_adapt.h"
#include "hr_pg.h"
#include "hr_redis.h"

typedef struct {
    rules_basket_mode_t mode;
    int64_t session_gap_ms;
    uint32_t window_days;
    rules_fpg_params_t fpg;           /* fpg.max_itemsets: the budget rules_mine_adapt keeps to */
    uint32_t basket_cap;        /* rules_mine_adapt's cap of long baskets */
    size_t max_rules;
    bool progress;              /* progress bar on a TTY */
} rules_train_params_t;

typedef struct {
    uint64_t clicks;
    uint32_t baskets, items, min_count;
    size_t itemsets, rules_mined, rules_kept;
    rules_mine_adapt_t adapt;         /* what mining changed to fit the budget */
    double seconds;
    int64_t version;            /* published version (0 when not published) */
} rules_train_summary_t;

/*  Reads, mines, publishes (redis may be NULL).  0, or -1 with a reason
    in err.  */
int rules_train_run (hr_pg_t *pg, hr_redis_t *redis, const rules_train_params_t *params,
                     rules_train_summary_t *summary, char *err, size_t errlen);
#endif
