/*  gw_versions — the generation of what the gateway's caches (gw_cache.h)
    hold: a counter that moves whenever the catalog or one of the models
    behind /product and /search (content, collab, rules) gets a new version.

    The hr_swap poller (hr_swap.h) polls every poll_ms: the catalog
    holder's loaded version and each model's current version
    (hr_model_current: one Redis GET each, PostgreSQL when Redis is down);
    a snapshot is the versions seen, its version the generation.  A service loads a published version
    at its next tick, a little after the gateway saw it; so for settle_ms
    after a change answers are not stored (gw_versions_gen's *fill is
    false): the cache never keeps an answer computed from the old version
    under the new generation.  Without a database URL only the catalog is
    watched (tests).                                                       */
#ifndef GW_VERSIONS_H
#define GW_VERSIONS_H
#include <stdbool.h>
#include <stdint.h>
#include "gw_catalog.h"

typedef struct gw_versions gw_versions_t;

gw_versions_t *gw_versions_new (gw_catalog_holder_t *catalog, const char *database_url,
                                const char *redis_url, int poll_ms, int settle_ms);
void gw_versions_destroy (gw_versions_t **self_p);
/*  The current generation (>= 1); *fill: whether an answer computed now
    may be stored under it.  Lock-free.  */
uint64_t gw_versions_gen (gw_versions_t *self, bool *fill);
/*  Milliseconds since answers of the current generation may be stored
    (negative while it settles).  An answer is kept beyond the cache's time
    to live (gw_cache_put_lasting) only once this exceeds it: a service
    that loaded the version late cannot leave an old answer for longer
    than the time to live.  */
int64_t gw_versions_settled_ms (gw_versions_t *self);
/*  Polls now instead of at the next tick (after a catalog write).  */
void gw_versions_poke (gw_versions_t *self);

#endif
