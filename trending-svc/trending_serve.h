/*  trending_serve — trending-svc's state and request handling.

    Threads: the service's workers call trending_handle concurrently and
    read the current rankings under a read lock; one event thread (started
    here) adds every click from the Redis stream to the forward-decay sums
    under `clicks_lock`; the tick thread rebuilds rankings when clicks
    arrived, writes them to Redis, reconciles from PostgreSQL hourly and
    on a new published version, and reloads the catalog when it changes.

    Reconciliation without losing or double-counting clicks: while the
    aggregate query runs, the event thread also logs each click it applies;
    the new sums are the query's plus the logged clicks newer than the
    newest click the query saw (cut_ms).                                   */
#ifndef TRENDING_SERVE_H
#define TRENDING_SERVE_H
#include <stdint.h>
#include "hr_catalog.h"
#include "hr_service.h"
#include "trending_model.h"

typedef struct {
    const char *database_url;   /* NULL: no PostgreSQL (tests give a catalog) */
    const char *redis_url;      /* NULL: no event stream, no Redis rankings */
    int pg_timeout_ms, redis_timeout_ms;
    double decay_rate;
    trending_params_t model;
    uint32_t window_days, reconcile_s, redis_top;
} trending_serve_params_t;

typedef struct trending_state trending_state_t;

/*  catalog: NULL = load from PostgreSQL (then owned); otherwise borrowed.
    Loads, reconciles once, starts the event thread.  NULL on failure.     */
trending_state_t *trending_state_new (const trending_serve_params_t *params, hr_catalog_t *catalog);
void trending_state_destroy (trending_state_t **self_p);
/*  A click, as the event thread applies it (tests, benchmarks).           */
void trending_state_click (trending_state_t *self, const char *id10, int64_t ts_ms);
/*  Rebuilds rankings if clicks arrived (force: always).                   */
void trending_state_refresh (trending_state_t *self, bool force);
/*  Reconciles from PostgreSQL now.  0 / -1.                               */
int trending_state_reconcile (trending_state_t *self);
/*  Current trending score of a product (0 when unknown).                  */
double trending_state_score (trending_state_t *self, const char *id10);
uint64_t trending_state_events (trending_state_t *self);

int trending_handle (void *state, const char *method, size_t method_len,
                     hr_reader_t *args, hr_writer_t *reply, hr_call_t *call);
void trending_tick (void *state);

extern const hr_service_def_t trending_service_def;
#endif
