/*  gw_diverse — /home's diverse picks drawn in the gateway.

    A /home page needs trending for its non-personal sections (held
    rendered per loop, gw_sections.h) and for the user's diverse picks: a
    seeded draw over trending's ranking, weighted by the categories of the
    user's history (hr_diverse.h).  Asking trending for the picks made
    every /home two service round trips in a row (the history, then
    trending), and the open loop's tail is the sum of such hand-offs
    (BENCHMARKS.md).  So a loop keeps trending's candidates (its
    `diverse_pools` answer: each main category's best items, resolved in
    the loop's catalog) and draws a page's picks itself with the same
    hr_diverse_draw: the same picks trending would draw for the same seed,
    history and ranking.  A page drawn here asks trending nothing.

    Freshness: the candidates are used for HR_GATEWAY_DIVERSE_LOCAL_MS
    after they were fetched, and only for the catalog version they were
    resolved in; then the next page asks trending as before (home_picks,
    which also renews the held sections) and asks its candidates alongside,
    in the same round trip.  So trending's ranking is shown at most that
    old (trending rebuilds it at most every 200 ms); a user's own clicks
    still change that user's next page at once (the history is read for
    every page).  0 = ask trending with every page.

    One per event loop (no lock).                                          */
#ifndef GW_DIVERSE_H
#define GW_DIVERSE_H
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdbool.h>
#include <stdint.h>
#include "gw_proto.h"
#include "hr_catalog.h"

typedef struct gw_diverse gw_diverse_t;

gw_diverse_t *gw_diverse_new (void);
void gw_diverse_destroy (gw_diverse_t **self_p);

/*  Whether a page may draw here: candidates fetched less than ttl_ms ago,
    for this catalog version.  self may be NULL (false).                   */
bool gw_diverse_ready (const gw_diverse_t *self, int64_t now_ms, int ttl_ms, int64_t catalog_version);
/*  Whether this page should ask trending for candidates: none was asked
    within ttl_ms (then it counts as asked now, so a loop asks about once a
    ttl whatever the answers).  self NULL or ttl_ms 0: false.              */
bool gw_diverse_ask_due (gw_diverse_t *self, int64_t now_ms, int ttl_ms);
/*  Keeps a diverse_pools answer (hr_proto.h), resolved in `cat`.  0, or -1
    when it is malformed or not of this catalog (its categories or items
    differ): then nothing is kept and pages ask trending.                  */
int gw_diverse_put (gw_diverse_t *self, const hr_catalog_t *cat, int64_t catalog_version,
                    const void *body, size_t len, int64_t now_ms);
/*  A page's picks as trending-svc answers them (up to `limit`, capped at
    HR_TRENDING_HOME_LIMIT_MAX; scores by pick order, source the item's
    main category), drawn for `seed` and the history; items in `pool`.
    Only after gw_diverse_ready for this catalog.                          */
void gw_diverse_draw (const gw_diverse_t *self, h2o_mem_pool_t *pool, const hr_catalog_t *cat,
                      const gw_history_t *hist, uint32_t limit, uint64_t seed, gw_list_t *out);

#endif
