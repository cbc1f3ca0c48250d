/*  trending-svc — what it answers (docs/protocol.md, "trending").

    Service name "trending".  Request body: str method, then arguments
    (common/hr_wire.h).  Scores are "higher is better", lists descending.

      home      u32 limit, u64 seed, history
                -> scored list  trending       (HR_STRAT_TRENDING, source "")
                   scored list  best_value     (HR_STRAT_BEST_VALUE, source "")
                   u32 k, then k × (str main_category, scored list)
                                top_categories (HR_STRAT_TRENDING, source =
                                the category; k = HR_TRENDING_TOP_CATEGORIES
                                most popular main categories, `limit` items each)
                   scored list  diverse_picks  (HR_STRAT_DIVERSE, source =
                                the item's main category; categories the
                                history clicked least, randomised by seed,
                                never an item of the history)
      home_picks  u32 limit, u64 seed, u64 held, history
                -> u8 full, u64 fingerprint, [home's first three parts when
                   full], scored list diverse_picks: full = 0 when `held` is
                   the fingerprint of this ranking's first parts for this
                   limit (memo.h), i.e. the caller holds them rendered
      trending  u32 limit
                -> scored list  (the global ranking; limit up to
                   HR_TRENDING_LIMIT_MAX, e.g. the search fallback)
      diverse_pools  u32 limit
                -> u32 k, then k × (str main_category, scored list):
                   every main category in the catalog's order with its
                   best min(limit, HR_TRENDING_DIVERSE_POOL) items, what
                   the diverse draw picks from (common/hr_diverse.h; the
                   gateway draws /home's picks itself, gw_diverse.h)

    history = u32 n, then n × (u8 type 1 click | 2 search, str value,
    i64 ts_ms), newest first.  limit is clamped to HR_TRENDING_LIMIT_MAX
    (home: HR_TRENDING_HOME_LIMIT_MAX per list).  Malformed bodies, trailing
    bytes and unknown methods are BAD_REQUEST.  Before the catalog holds
    any product every list is empty.

    Scores (model.h): decayed clicks Σ TRENDING_DECAY_RATE^(age h)
    + a cold-start prior in [0, HR_TRENDING_PRIOR_WEIGHT] from rating and
    no_of_ratings; best_value = discount_ratio × Bayesian-average rating.

    Freshness: every replica reads the event stream (hr_events, from "$")
    on its own thread and adds each click to its forward-decay sums at
    once; rankings are rebuilt at most every TRENDING_REFRESH_MS when
    something changed.  Reconciled from PostgreSQL (interactions, the last
    HR_TRENDING_WINDOW_DAYS) at start, every HR_TRENDING_RECONCILE_S, and
    whenever a new "trending" model version is published
    (`hybridrec train trending`); the catalog is reloaded when its
    version changes.

    Redis, for other consumers (rewritten at most every 2 s, atomically by
    RENAME; scores as of hr:trending:updated_ms):
      hr:trending:global              ZSET product_id -> score, top HR_TRENDING_REDIS_TOP
      hr:trending:cat:{main_category} ZSET, top HR_TRENDING_REDIS_TOP / 5 per category
      hr:trending:updated_ms          STRING, ms since the epoch

    Model "trending" (hr_model_store): a snapshot of the forward sums,
    layout in train.h.                                             */
#ifndef TRENDING_PROTOCOL_H
#define TRENDING_PROTOCOL_H
#include "hr_config.h"
#include "hr_proto.h"   /* HR_SERVICE_TRENDING, HR_MODEL_TRENDING, the messages, limits */

#define TRENDING_REFRESH_MS 200

#define TRENDING_KEY_GLOBAL "hr:trending:global"
#define TRENDING_KEY_CAT_PREFIX "hr:trending:cat:"
#define TRENDING_KEY_UPDATED "hr:trending:updated_ms"

extern const hr_config_var_t trending_config[];
#endif
