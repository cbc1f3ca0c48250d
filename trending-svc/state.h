/*  trending_state — trending-svc's state: live click sums and rankings.

    Threads: workers read the current ranking through trending_state_take
    (a counted snapshot: no lock is held while they answer); one event
    thread (started here) adds every click from the Redis stream to the
    forward-decay sums under a mutex; the tick thread (trending_state_poll)
    rebuilds rankings when clicks arrived, writes them to Redis, reconciles
    from PostgreSQL hourly and on a new published version, and reloads the
    catalog when it changes.

    Snapshots (hr_swap): a *bundle* is a catalog and its static data; a
    *ranking* holds the bundle it indexes; the click sums hold the bundle
    they are indexed by.  A bundle lives as long as one of them does.

    Reconciliation without losing or double-counting clicks: while the
    aggregate query runs, the event thread also logs each click it applies;
    the new sums are the query's plus the logged clicks newer than the
    newest click the query saw (cut_ms).                                   */
#ifndef TRENDING_STATE_H
#define TRENDING_STATE_H
#include <stdbool.h>
#include <stdint.h>
#include "hr_catalog.h"
#include "hr_swap.h"
#include "model.h"

typedef struct {
    const char *database_url;   /* NULL: no PostgreSQL (tests give a catalog) */
    const char *redis_url;      /* NULL: no event stream, no Redis rankings */
    int pg_timeout_ms, redis_timeout_ms;
    double decay_rate;
    trending_params_t model;
    uint32_t window_days, reconcile_s, redis_top;
} trending_serve_params_t;

typedef struct trending_state trending_state_t;

/*  catalog: NULL = load from PostgreSQL (then owned, reloaded when its
    version changes); otherwise borrowed.  Loads, reconciles once, starts
    the event thread.  NULL on failure.                                     */
trending_state_t *trending_state_new (const trending_serve_params_t *params, hr_catalog_t *catalog);
void trending_state_destroy (trending_state_t **self_p);
/*  A click, as the event thread applies it (tests, benchmarks).           */
void trending_state_click (trending_state_t *self, const char *id10, int64_t ts_ms);
/*  Rebuilds rankings if clicks arrived (force: always).                   */
void trending_state_refresh (trending_state_t *self, bool force);
/*  Reconciles from PostgreSQL now.  0 / -1.                               */
int trending_state_reconcile (trending_state_t *self);
/*  A new catalog version (taken): new static data, the sums re-indexed
    (reconciled from PostgreSQL, or moved by product id without one), new
    rankings.  0 / -1 (the catalog is freed, the old one kept).             */
int trending_state_set_catalog (trending_state_t *self, hr_catalog_t *catalog, int64_t version);
/*  What the tick does (see above).                                         */
void trending_state_poll (trending_state_t *self);
/*  Current trending score of a product (0 when unknown).                  */
double trending_state_score (trending_state_t *self, const char *id10);
uint64_t trending_state_events (trending_state_t *self);

/*  The current ranking (a trending_state_t *state): a snapshot whose data
    trending_view_of reads, valid until it is released; data NULL before
    the first.  The view: the ranking and the catalog it indexes.          */
typedef struct {
    const hr_catalog_t *catalog;
    const trending_static_t *st;
    const trending_rank_t *rank;
} trending_view_t;
hr_snapshot_t *trending_state_take (void *state);
void trending_view_of (const void *ranking, trending_view_t *view);
uint32_t trending_state_top_categories (const trending_state_t *self);

#endif
