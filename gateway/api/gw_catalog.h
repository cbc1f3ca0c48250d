/*  gw_catalog — the product table the gateway renders from, kept fresh.

    A background thread polls hr_catalog_version_pg every poll_ms and, when
    it changed, loads the new catalog and swaps it in.  Requests hold a
    counted reference for their lifetime (released with the request pool),
    so a swap never frees a catalog somebody is still rendering from.      */
#ifndef GW_CATALOG_H
#define GW_CATALOG_H
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdint.h>
#include "hr_catalog.h"

typedef struct gw_catalog_holder gw_catalog_holder_t;

/*  Loads the catalog now (waiting up to connect_wait_ms for PostgreSQL) and
    starts the poller.  Starts with an empty catalog when PostgreSQL is
    unreachable (the poller keeps trying; /readyz says not ready).         */
gw_catalog_holder_t *gw_catalog_holder_new (const char *database_url, int poll_ms, int connect_wait_ms);
/*  A fixed catalog (tests): takes ownership, no thread.  */
gw_catalog_holder_t *gw_catalog_holder_new_fixed (hr_catalog_t *catalog);
void gw_catalog_holder_destroy (gw_catalog_holder_t **self_p);

/*  The current catalog, referenced until the pool is released.  Never NULL
    (an empty catalog before the first load).  */
const hr_catalog_t *gw_catalog_for_request (gw_catalog_holder_t *self, h2o_mem_pool_t *pool);
/*  The same, and the snapshot's version (cache keys: gw_cache.h).  */
const hr_catalog_t *gw_catalog_for_request_v (gw_catalog_holder_t *self, h2o_mem_pool_t *pool,
                                              int64_t *version);
/*  Checks the version now instead of at the next poll (after a write
    through the catalog API, so this gateway shows it at once).  */
void gw_catalog_holder_poke (gw_catalog_holder_t *self);
/*  The loaded version (-1 before the first successful load).  */
int64_t gw_catalog_version (gw_catalog_holder_t *self);

#endif
