/*  hr_model_store — versioned models, persisted in PostgreSQL
    (model_versions + model_blobs) and cached in Redis
    (hr:model:{strategy}:current, hr:model:{strategy}:{version}).

    Training serialises its model (hr_writer) and publishes it as a new
    version; every replica polls hr_model_current (cheap: one Redis GET,
    PostgreSQL when Redis is down) from its tick and loads a new version
    without a restart.  The last HR_MODEL_KEEP versions are kept; `models
    rollback` can make an older kept one current until the next publish.   */
#ifndef HR_MODEL_STORE_H
#define HR_MODEL_STORE_H
#include <stddef.h>
#include <stdint.h>
#include "hr_pg.h"
#include "hr_redis.h"
#include "hr_swap.h"

#define HR_MODEL_KEEP 3

/*  meta_json: a JSON object with the training summary (may be NULL).
    redis may be NULL.  0 / -1.  */
int hr_model_publish (hr_pg_t *pg, hr_redis_t *redis, const char *strategy,
                      const void *blob, size_t len, const char *meta_json,
                      int64_t *version_out);
/*  Current version, 0 when none was ever published, -1 on error.           */
int64_t hr_model_current (hr_pg_t *pg, hr_redis_t *redis, const char *strategy);
/*  Fetches a version's blob (malloc'd).  Redis first, then PostgreSQL
    (re-filling Redis).  0 / -1.  */
int hr_model_fetch (hr_pg_t *pg, hr_redis_t *redis, const char *strategy,
                    int64_t version, void **blob, size_t *len);
/*  The JSON meta and trained_at (ISO-8601) of the current version, for
    `hybridrec status` and the dashboard: malloc'd JSON
    {"strategy":..,"version":..,"trained_at":..,"meta":{..}} or NULL.       */
char *hr_model_info_json (hr_pg_t *pg, const char *strategy);

/*  A source of versions for hr_swap (hr_swap.h): current() is
    hr_model_current of `strategy`; load() fetches the version's blob and
    returns decode (arg, blob, len, version) — NULL when it is rejected
    (decode logs why).  Version 0 (nothing published) is only loaded after
    hr_swap_invalidate; decode then gets blob NULL and builds its "no model"
    data (or returns NULL when there is none).  The PostgreSQL/Redis connections are opened on the
    first poll and kept (polling thread only); a failed fetch is logged.
    Usage:

        src = hr_model_source_new ("rules", db_url, redis_url, s_decode, self);
        hr_swap_poll (swap, hr_model_source_swap (src));   // from the tick  */
typedef void *(*hr_model_decode_fn) (void *arg, const void *blob, size_t len, int64_t version);
typedef struct hr_model_source hr_model_source_t;
/*  redis_url may be NULL; a NULL database_url gives a source that never
    has anything new (tests that install snapshots themselves).             */
hr_model_source_t *hr_model_source_new (const char *strategy, const char *database_url,
                                        const char *redis_url, hr_model_decode_fn decode,
                                        void *arg);
void hr_model_source_destroy (hr_model_source_t **self_p);
const hr_swap_source_t *hr_model_source_swap (hr_model_source_t *self);
/*  Its connections, for a caller polling on the same thread (may be NULL
    before the first poll).  */
hr_pg_t *hr_model_source_pg (hr_model_source_t *self);
hr_redis_t *hr_model_source_redis (hr_model_source_t *self);

/*  `hybridrec models rollback`: makes a kept version current again.  Every
    replica polls hr_model_current and loads it within its tick, without a
    restart.  The choice lasts until the next publish of that strategy.
    redis may be NULL (then replicas see it once their cached current
    pointer is gone).  0, or -1 when the version is not kept (see
    hr_model_list_json) or a store fails.                                  */
int hr_model_rollback (hr_pg_t *pg, hr_redis_t *redis, const char *strategy, int64_t version);
/*  Every kept version of every strategy, oldest first per strategy: malloc'd
    JSON array of {strategy, version, trained_at, bytes, current, pinned,
    meta}, or NULL on error.                                               */
char *hr_model_list_json (hr_pg_t *pg);

#endif
