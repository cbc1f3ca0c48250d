/*  interactions — the PostgreSQL side: the source of truth.

    One inter_store_t per thread.  It connects lazily and, while the server
    is down, retries at most every INTER_STORE_RETRY_MS so that callers fail
    fast (-> HR_UNAVAILABLE) instead of queueing behind connect attempts.   */
#ifndef INTER_STORE_H
#define INTER_STORE_H
#include <stdint.h>
#include "hr_events.h"
#include "hr_pg.h"

#define INTER_STORE_RETRY_MS 250
#define INTER_BATCH_MAX      1000     /* rows per group commit */
#define INTER_COPY_SQL \
    "COPY interactions (user_id, event_type, product_id, query, ts, client_ts," \
    " recommendation_id) FROM STDIN"
/*  The longest COPY row: user id, type, an escaped query (x2), two
    timestamps, a recommendation id (never escaped: its characters are
    checked by the gateway and the service).                               */
#define INTER_COPY_ROW_MAX   (64 + 2 * 256 + 2 * 64 + HR_REC_ID_MAX + 8)

typedef struct inter_store inter_store_t;

inter_store_t *inter_store_new (const char *database_url, int statement_timeout_ms);
void inter_store_destroy (inter_store_t **self_p);

/*  The connection (NULL while PostgreSQL is unreachable).                  */
hr_pg_t *inter_store_pg (inter_store_t *self);

/*  One event as a row of INTER_COPY_SQL (text format: user \t type \t
    product|\N \t query|\N \t timestamp \t client timestamp|\N \t
    recommendation id|\N \n) into out, which has room for
    INTER_COPY_ROW_MAX bytes.  Returns the row's length.                    */
size_t inter_store_copy_row (char *out, const hr_event_t *ev);

/*  Inserts events[0..n) (n <= INTER_BATCH_MAX) in one statement (COPY), i.e.
    one transaction.  0 when committed, -1 when not (nothing or all of it may
    have been written if the connection died after sending: never ack).    */
int inter_store_insert (inter_store_t *self, hr_event_t *const *events, int n);

/*  The user's events with ts_ms > since_ms, newest first, at most max.
    Returns the count, or -1 when PostgreSQL is unavailable.               */
int inter_store_history (inter_store_t *self, const char *user_id, int64_t since_ms,
                         hr_event_t *out, int max);

/*  Erasure: deletes every row of the user (all partitions).  Returns the
    rows deleted, or -1 when PostgreSQL is unavailable.                     */
long long inter_store_erase (inter_store_t *self, const char *user_id);

/*  Runs interactions_maintain(days_ahead, retention_days): partitions ahead,
    retention.  Returns partitions created + dropped, or -1.                */
int inter_store_maintain (inter_store_t *self, int days_ahead, int retention_days);

/*  Creates the daily partitions covering [from_ms, to_ms].  0 / -1.         */
int inter_store_ensure_partitions (hr_pg_t *pg, int64_t from_ms, int64_t to_ms);

#endif
