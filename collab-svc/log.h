/*  collab_log — a click log as sessions: the input of training and of the
    offline evaluation.

    Sessions are contiguous runs of events (dense item index + time in ms),
    time-ascending inside a session.  Built from unordered rows (session key,
    time, item) so every source — the datasets' files, the interactions
    table, the benchmark generator — goes through the same path.           */
#ifndef COLLAB_LOG_H
#define COLLAB_LOG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hr_dataset.h"
#include "ids.h"

typedef struct {
    uint32_t n_sessions, n_events;
    uint32_t *start;            /* n_sessions + 1 offsets into item/ts_ms */
    uint32_t *item;             /* dense item index (see collab_ids) */
    int64_t *ts_ms;
} collab_log_t;

/*  Rows in any order; collab_rows_build sorts them by (session, time, input
    order) and groups them.                                                 */
typedef struct collab_rows collab_rows_t;
collab_rows_t *collab_rows_new (void);
void collab_rows_destroy (collab_rows_t **self_p);
int collab_rows_add (collab_rows_t *self, uint64_t session, int64_t ts_ms, uint32_t item);
size_t collab_rows_count (const collab_rows_t *self);
/*  Sessions shorter than min_len events are dropped.  NULL on OOM.         */
collab_log_t *collab_rows_build (collab_rows_t *self, uint32_t min_len);

void collab_log_destroy (collab_log_t **self_p);
static inline uint32_t collab_log_len (const collab_log_t *l, uint32_t s)
{ return l->start[s + 1] - l->start[s]; }
int64_t collab_log_min_ts (const collab_log_t *self);
int64_t collab_log_max_ts (const collab_log_t *self);

/*  Sessions whose last event is at or after `t` go to *after, the others to
    *before (the temporal split of session-based evaluation).  0 / -1.      */
int collab_log_split (const collab_log_t *self, int64_t t,
                      collab_log_t **before, collab_log_t **after);
/*  Drops events whose item index is >= n_known (items training never saw)
    and then sessions shorter than min_len.  NULL on OOM.                    */
collab_log_t *collab_log_known (const collab_log_t *self, uint32_t n_known, uint32_t min_len);

/*  A dataset file (common/hr_dataset.h: yoochoose or diginetica) as a log;
    the sessions are the file's, item ids are interned into `ids`.  Strict:
    NULL with "file:line: reason" in err on an unreadable file or the first
    malformed row.  Sessions of 1 event are kept (min_len 1): the evaluation
    decides what to drop.                                                   */
collab_log_t *collab_log_read (const char *path, hr_dataset_format_t fmt, collab_ids_t *ids,
                               char *err, size_t errlen);

#endif
