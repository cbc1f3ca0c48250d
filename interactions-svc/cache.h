/*  interactions — the per-user history cache in Redis.

    Key "hr:hist:{user_id}" (user id as given: case-sensitive), a list of
    cached elements (event.h), newest first, trimmed to cache_len, expiring
    INTER_CACHE_TTL_S after the last write.  PostgreSQL stays the source of
    truth; the list is only trusted as far as it provably reaches:

    - write-through LPUSHes every committed event, creating the key if it is
      missing: a list created that way holds the newest events since it was
      created, a prefix of the truth;
    - a read that needs more than the list holds (no completeness marker at
      its tail, no element older than the window, fewer than `limit` events)
      is a miss: it reads PostgreSQL and refills the list under WATCH, so a
      write-through racing with the refill aborts the refill instead of
      being overwritten by an older snapshot;
    - the committer raises the user's fence "hr:histw:{user_id}" (a counter
      of events between their COMMIT and their write-through) before its
      COMMIT and lowers it with the write-through.  A refill finding the
      fence up stores nothing (the read is answered from PostgreSQL): an
      event it read from PostgreSQL may not have been pushed yet, and its
      push would then land on a list that already holds it (issue 17 item
      8: an event appearing twice).  The refill WATCHes the fence too, so a
      fence raised after the check aborts the refill.                       */
#ifndef INTER_CACHE_H
#define INTER_CACHE_H
#include <stdint.h>
#include "hr_events.h"
#include "hr_redis.h"
#include "hr_validate.h"

#define INTER_CACHE_KEY_PREFIX  "hr:hist:"
#define INTER_CACHE_TTL_S       (30 * 86400)
#define INTER_CACHE_DAYS        30          /* the window a cached list covers */
#define INTER_CACHE_FENCE_PREFIX "hr:histw:"

/*  Raises the fences of the events' users (INCR + EXPIRE ttl_s per event,
    one round trip), before their COMMIT.  buf is the caller's scratch
    buffer for the commands (emptied first).  0, or -1 when Redis failed
    (the events must then not be pushed: forget their users' lists
    instead).                                                              */
int inter_cache_fence_raise (hr_redis_t *redis, hr_strbuf_t *buf, hr_event_t *const *events,
                             int n, int ttl_s);
/*  Lowers them again without a push (the COMMIT failed).  Best effort.     */
void inter_cache_fence_lower (hr_redis_t *redis, hr_strbuf_t *buf, hr_event_t *const *events,
                              int n);

/*  Writes LPUSH + LTRIM + EXPIRE + the fence's DECR of every event, in
    RESP, at the end of buf (the caller queues buf with
    hr_redis_append_resp, with whatever follows, in one round trip):
    INTER_CACHE_PUSH_CMDS n commands.  0, or -1 when out of memory (buf
    unchanged).                                                            */
#define INTER_CACHE_PUSH_CMDS 4
int inter_cache_put_push (hr_strbuf_t *buf, hr_event_t *const *events, int n, int cache_len);
/*  Reads `expected` pipelined replies: 0 when all came and none is an
    error, -1 otherwise (the connection's pipeline is then empty).          */
int inter_cache_drain (hr_redis_t *redis, int expected);

/*  Reads the newest events with ts_ms > since_ms, at most limit (<= the
    cache length).  1 = served (*n set), 0 = miss, -1 = Redis down.          */
int inter_cache_read (hr_redis_t *redis, const char *user_id, int64_t since_ms,
                      uint32_t limit, hr_event_t *out, uint32_t *n);
/*  The same in two halves, so that several reads share one round trip:
    read_send queues the read (0, or -1: not queued), read_take reads the
    oldest queued read's reply (as inter_cache_read answers; after a -1 the
    connection is gone, and with it the reads queued after it).            */
int inter_cache_read_send (hr_redis_t *redis, const char *user_id, uint32_t limit);
int inter_cache_read_take (hr_redis_t *redis, const char *user_id, int64_t since_ms,
                           uint32_t limit, hr_event_t *out, uint32_t *n);

/*  Starts a refill: WATCHes the key and the fence.  Call before reading
    PostgreSQL.  0 = go on, 1 = a write of this user is between its COMMIT
    and its push (nothing WATCHed: answer from PostgreSQL, store nothing),
    -1 = Redis down.                                                        */
int inter_cache_refill_begin (hr_redis_t *redis, const char *user_id);
/*  Replaces the list with events[0..n) (newest first, from PostgreSQL, the
    last INTER_CACHE_DAYS days, at most cache_len): adds the completeness
    marker when n < cache_len.  Silently does nothing when a write-through
    touched the key since refill_begin.  0, or -1 when Redis is down.       */
int inter_cache_refill_end (hr_redis_t *redis, const char *user_id,
                            const hr_event_t *events, int n, int cache_len);

/*  Gives up a refill (PostgreSQL failed): UNWATCH.                         */
void inter_cache_refill_abort (hr_redis_t *redis);

/*  Erasure: replaces the user's list with an empty complete one (only the
    marker), in one MULTI, so a refill that read PostgreSQL before the
    erasure aborts at its EXEC (the key changed under its WATCH) and reads
    answer "no events" without a trip to PostgreSQL.  Returns 1 when the
    user had a list, 0 when not, -1 when Redis is down.                    */
int inter_cache_erase (hr_redis_t *redis, const char *user_id);

/*  Deletes the lists of these users (their write-through failed).  0 / -1.  */
int inter_cache_forget (hr_redis_t *redis, char (*user_ids)[HR_USER_ID_MAX + 1], int n);
/*  Deletes every cached list (too many users to track).  0 / -1.            */
int inter_cache_forget_all (hr_redis_t *redis);

#endif
