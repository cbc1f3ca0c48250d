/*  trending_redis — the rankings written to Redis for other consumers
    (protocol.h: hr:trending:global, hr:trending:cat:{main_category},
    hr:trending:updated_ms), at most every TRENDING_REDIS_WRITE_MS and only
    after a new ranking; each sorted set replaced atomically (RENAME).
    Tick thread only.                                                      */
#ifndef TRENDING_REDIS_H
#define TRENDING_REDIS_H
#include <stdint.h>
#include "hr_catalog.h"
#include "hr_redis.h"
#include "model.h"

#define TRENDING_REDIS_WRITE_MS 2000

typedef struct trending_redis trending_redis_t;

/*  url NULL or top 0: writes nothing.  NULL on out of memory.             */
trending_redis_t *trending_redis_new (const char *url, int timeout_ms, uint32_t top);
void trending_redis_destroy (trending_redis_t **self_p);
/*  A new ranking exists: the next write is due.                           */
void trending_redis_stale (trending_redis_t *self);
/*  Writes `rank` when stale and due.  */
void trending_redis_write (trending_redis_t *self, const hr_catalog_t *catalog,
                           const trending_rank_t *rank, int64_t now_ms);
/*  The connection (opened on demand; NULL without Redis), for the tick's
    other Redis reads.  */
hr_redis_t *trending_redis_conn (trending_redis_t *self);

#endif
