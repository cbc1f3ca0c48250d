/*  rules-svc — what it answers (docs/protocol.md, "rules").

    Service name "rules".  Request body: str method, then the arguments
    (common/hr_wire.h encoding).

      for_user     history, u32 limit
                   -> scored list: consequents of the rules whose antecedent
                      ⊆ the user's recent clicked products (the newest
                      HR_RULES_HISTORY_ITEMS distinct ones), ranked by
                      lift × confidence of the best matching rule, never a
                      product in the history.  strategy HR_STRAT_RULES,
                      source = the antecedent, product ids joined by '+'
                      ("B0AAAAAAAA+B0BBBBBBBB").
      for_product  str product_id, u32 limit
                   -> scored list ("frequently viewed together"): the
                      consequents of {product_id} -> y, same ranking;
                      source = product_id.  Unknown product: empty list.
                      BAD_REQUEST for an id that is not ^[A-Z0-9]{10}$.

    history = u32 n, then n × (u8 type 1 click | 2 search, str value,
    i64 ts_ms), newest first; searches are ignored here.  limit is clamped
    to HR_RULES_LIMIT_MAX; 0 gives an empty list.  Before any model is
    published both methods answer an empty list (OK).  Anything malformed
    (truncated, trailing bytes, unknown method) is BAD_REQUEST.

    Model: strategy "rules" in hr_model_store (PostgreSQL model_versions /
    model_blobs, cached in Redis as hr:model:rules:*); blob layout in
    model.h.  Published by `hybridrec train rules`; every replica
    polls for a new version and swaps it in (hr_swap).

    Configuration (besides the common variables):
      HR_BASKET_MODE           session | user-day        (session)
      HR_SESSION_GAP_MIN       inactivity that ends a session, minutes (30)
      HR_RULES_MIN_SUPPORT     fraction of baskets (0.001)
      HR_RULES_MIN_COUNT       absolute floor on an itemset's count (2)
      HR_RULES_MIN_CONFIDENCE  (0.1)
      HR_RULES_MAX_LEN         longest itemset (4)
      HR_RULES_MAX_RULES       rules kept in a model, best first (1000000)
      HR_RULES_WINDOW_DAYS     clicks mined, most recent days (90)
      HR_RULES_HISTORY_ITEMS   recent clicks matched by for_user (20)     */
#ifndef RULES_PROTOCOL_H
#define RULES_PROTOCOL_H
#include "hr_config.h"
#include "hr_proto.h"       /* HR_SERVICE_RULES, HR_MODEL_RULES, the messages */

extern const hr_config_var_t rules_config[];
#endif
