/*  interactions — the read path: a user's recent events, newest first.

    Served from the Redis list when it provably holds the answer (days <= 30
    and limit <= the cache length), else from PostgreSQL, refilling the
    list on a miss.  Redis down -> PostgreSQL.  Each call borrows a reader
    (its own PostgreSQL and Redis connections and event buffer) from a pool
    of at most max_readers (created on demand); a call finding all of them
    busy waits for one.  The cap matters: the service runs many worker
    threads (for group commit), and one connection pair per thread would
    hold dozens of idle PostgreSQL backends per replica.                    */
#ifndef INTER_HISTORY_H
#define INTER_HISTORY_H
#include <stdint.h>
#include "hr_wire.h"

typedef struct inter_history inter_history_t;

inter_history_t *inter_history_new (const char *database_url, const char *redis_url,
                                    int statement_timeout_ms, int redis_timeout_ms,
                                    int cache_len, int max_readers);
void inter_history_destroy (inter_history_t **self_p);

/*  Writes the history reply (protocol.h) for a validated request.  0, or
    -1 when PostgreSQL was needed and is unavailable.                       */
int inter_history_reply (inter_history_t *self, const char *user_id, uint32_t days,
                         uint32_t limit, hr_writer_t *reply);

/*  n validated requests at once (a batch's, at load): the reads the Redis
    list can answer go out together on one reader's connection, one round
    trip for all; a read the list cannot answer (a miss, a window past it,
    Redis down) then goes the way of inter_history_reply.  Same answers as
    n calls of it: rc[i] is what the i-th call would return.               */
typedef struct {
    const char *user_id;
    uint32_t days, limit;
    hr_writer_t *reply;
} inter_history_req_t;
void inter_history_reply_many (inter_history_t *self, const inter_history_req_t *reqs, int n, int *rc);

#endif
