/*  hr_model_store — versioned models, persisted in PostgreSQL
    (model_versions + model_blobs) and cached in Redis
    (hr:model:{strategy}:current, hr:model:{strategy}:{version}).

    Training serialises its model (hr_writer) and publishes it as a new
    version; every replica polls hr_model_current (cheap: one Redis GET,
    PostgreSQL when Redis is down) from its tick and loads a new version
    without a restart.  The last HR_MODEL_KEEP versions are kept.          */
#ifndef HR_MODEL_STORE_H
#define HR_MODEL_STORE_H
#include <stddef.h>
#include <stdint.h>
#include "hr_pg.h"
#include "hr_redis.h"

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

#endif
