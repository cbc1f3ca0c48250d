/*  Reading the training log from PostgreSQL: the clicks of the
    interactions table (db/migrations/002_interactions.sql; event_type 1 =
    product click) within the last `days`, cut into sessions per user at
    gaps longer than `gap_ms`.  Streams through a cursor, so memory is the
    log itself, not libpq's copy of it.                                     */
#ifndef COLLAB_TRAIN_PG_H
#define COLLAB_TRAIN_PG_H
#include <stdbool.h>
#include "hr_config.h"
#include "hr_pg.h"
#include "log.h"

/*  The variables of `hybridrec train collab` (COLLAB_TRAIN_DAYS,
    COLLAB_SESSION_GAP_MIN, COLLAB_TRAIN_PARAMS).                          */
extern const hr_config_var_t collab_train_config[];

/*  NULL with a message in err.  progress: a bar on a TTY.                  */
collab_log_t *collab_log_from_pg (hr_pg_t *pg, collab_ids_t *ids, int days, int64_t gap_ms,
                                  bool progress, char *err, size_t errlen);

#endif
