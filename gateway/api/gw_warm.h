/*  gw_warm — keeps every product's default /product answer in the cache.

    The /product cache (gw_cache.h) only helps a product asked twice within
    its time to live; shoppers (and the load harness) spread their requests
    over the whole catalog, so most requests missed and paid the fan-out.
    A background thread of the gateway computes the answers ahead: when the
    generation (gw_versions.h: catalog and model versions) changes, once
    the services have loaded it (gw_versions_gen's fill), it sweeps the
    catalog's listable products, asking content and collab `similar` and
    rules `for_product` in batches (hr_batch.h: one message per service
    for `batch` products, one round in flight at a time), picks the
    answer exactly as the request path does (gw_product_pick) and stores
    it under the sweep's generation at the default limit.  A generation
    change during a sweep abandons it (its answers are refused by the
    cache anyway) and starts the next one.  Every period_ms (0: never) a
    renewal sweep asks again, before the cache's time to live ends, for
    every answer that has one or was not stored.  Once the version has
    settled for longer than the time to live (gw_versions_settled_ms), an
    answer content filled alone, which depends on the versions only, is
    stored as lasting (gw_cache_put_lasting) and no longer renewed; one
    collab topped up (its live co-clicks move without a version) is
    renewed by asking collab alone, its content and rules ids kept until
    the next version (gw_warm_round.h).  Degraded or short answers are not
    stored: the request path asks again.  Filters and explain never read
    the cache (gw_product.c).

    Progress is logged (start, end: asked, stored, lasting, ms) and counted:
    hr_gateway_product_warm_total (answers stored),
    hr_gateway_product_warm_sweeps_total (sweeps completed),
    hr_gateway_product_warm_progress (fraction of the current sweep).    */
#ifndef GW_WARM_H
#define GW_WARM_H
#include <stdint.h>
#include "gw_app.h"

typedef struct gw_warm gw_warm_t;

/*  Starts the thread; `app`'s catalog, versions and product_cache must
    outlive it.  batch: products per message (1..HR_BATCH_MAX).  NULL
    when the cache is off or on error.                                     */
gw_warm_t *gw_warm_new (gw_app_t *app, const char *broker_endpoint, int batch,
                        int64_t period_ms, int deadline_ms);
/*  Stops and joins the thread.  */
void gw_warm_destroy (gw_warm_t **self_p);

#endif
