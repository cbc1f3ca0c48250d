/*  basket_builder — turns a user's clicks into FP-Growth transactions.

    Clicks arrive ordered by (user, ts).  A basket is the set of products a
    user clicked in one session (a gap of more than gap_ms closes it) or in
    one UTC day (user-day mode).  Baskets of one product are kept: they
    count in N, as every transaction does for arules' support.             */
#ifndef BASKET_BUILDER_H
#define BASKET_BUILDER_H
#include <stddef.h>
#include <stdint.h>
#include "fpgrowth.h"
#include "item_dict.h"

typedef enum { RULES_BASKET_SESSION = 0, RULES_BASKET_USER_DAY = 1 } rules_basket_mode_t;

/*  "session" / "user-day" -> mode; -1 for anything else.                  */
int rules_basket_mode_parse (const char *s);

typedef struct rules_basket_builder rules_basket_builder_t;

/*  Appends to `out`, interning product ids in `dict` (both borrowed).     */
rules_basket_builder_t *rules_basket_builder_new (rules_basket_mode_t mode, int64_t gap_ms,
                                      rules_fpg_baskets_t *out, rules_item_dict_t *dict);
void rules_basket_builder_destroy (rules_basket_builder_t **self_p);
/*  One click.  -1 on OOM or when rows are out of (user, ts) order.        */
int rules_basket_builder_add (rules_basket_builder_t *self, const char *user, size_t user_len,
                        const char *product, size_t product_len, int64_t ts_ms);
/*  Closes the open basket.  0 / -1.  */
int rules_basket_builder_finish (rules_basket_builder_t *self);
#endif
