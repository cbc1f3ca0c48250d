/*  trending_train — the forward-decay sums recomputed from PostgreSQL
    (reconciliation, `hybridrec train trending`), and their snapshot blob.

    One aggregate query sums rate^(-(ts - t0)/1 h) per product over the
    clicks of the last window_days: the same numbers trending_decay_add would have
    accumulated event by event, so a restart loses nothing.

    Snapshot blob (model "trending"), format 1:
      u32 magic 0x53545248 ("HRTS"), u32 format = 1, f64 rate, i64 t0_ms,
      i64 cut_ms (the newest click included), u32 n,
      n × (10-byte product id, f64 raw forward sum).                       */
#ifndef TRENDING_TRAIN_H
#define TRENDING_TRAIN_H
#include <stddef.h>
#include <stdint.h>
#include "hr_pg.h"
#include "hr_wire.h"

#define TRENDING_SNAPSHOT_MAGIC 0x53545248u
#define TRENDING_SNAPSHOT_FORMAT 1u

typedef struct {
    double rate;
    int64_t t0_ms, cut_ms;
    uint32_t n;
    char (*ids)[11];            /* NUL-terminated product ids */
    double *raw;
    uint64_t clicks;
} trending_snapshot_t;

/*  Runs the aggregate.  0, or -1 with a reason in err.                    */
int trending_snapshot_from_pg (hr_pg_t *pg, double rate, uint32_t window_days, int64_t t0_ms,
                               trending_snapshot_t *out, char *err, size_t errlen);
void trending_snapshot_free (trending_snapshot_t *s);
void trending_snapshot_encode (const trending_snapshot_t *s, hr_writer_t *w);
int trending_snapshot_decode (const void *blob, size_t len, trending_snapshot_t *out,
                              char *err, size_t errlen);
#endif
