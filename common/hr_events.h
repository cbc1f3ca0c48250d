/*  hr_events — the interactions event stream (Redis Stream "hr:events").

    interactions-svc XADDs every committed event (after the COMMIT, so
    nothing uncommitted is ever seen) with fields
      u=<user_id> t=<c|s|w|a|p> v=<product_id or query> ts=<ms since epoch>
    (click, search, view, add to cart, purchase)
    plus erasure markers u=<user_id> t=x ts=<ms> (hr_events_erase_user)
    and trims it approximately to HR_EVENTS_MAXLEN.  Consumers (trending,
    collab) each keep their own read position and XREAD BLOCK; every replica
    sees every event (no consumer group: each keeps its own in-memory state).
    After a gap (restart, trimmed stream) consumers reconcile from
    PostgreSQL, the source of truth.                                        */
#ifndef HR_EVENTS_H
#define HR_EVENTS_H
#include <stdint.h>
#include "hr_proto.h"
#include "hr_redis.h"

#define HR_EVENTS_STREAM "hr:events"
#define HR_EVENTS_MAXLEN 1000000

/*  hr_event_t and the event types are in hr_proto.h.  */

/*  Appends one event to the stream.  0/-1.                                  */
int hr_events_publish (hr_redis_t *redis, const hr_event_t *ev);
/*  The same, pipelined: queues the XADD on the connection and returns 0,
    or -1 when the event is invalid or Redis is down (nothing queued).  The
    caller reads one reply per queued event (hr_redis_get_reply; a string
    entry id on success) — a group commit publishes in one round trip.     */
int hr_events_append (hr_redis_t *redis, const hr_event_t *ev);
/*  The same XADD written in RESP at the end of buf (hr_redis_append_resp
    queues it with the commands around it).  0, or -1 when the event is
    invalid or out of memory (buf unchanged).                               */
int hr_events_put_xadd (hr_strbuf_t *buf, const hr_event_t *ev);

/*  Erasure: XDELs every entry of user_id (XRANGE over the whole stream in
    chunks, so it costs one pass over at most HR_EVENTS_MAXLEN entries),
    then appends the marker  u=<user_id> t=x ts=<now_ms>  which readers
    return as an HR_EVENT_ERASE event (empty value): consumers forget the
    user's live state.  Returns the entries deleted, -1 when Redis failed
    (callers retry: erasing twice is harmless).                            */
long hr_events_erase_user (hr_redis_t *redis, const char *user_id, int64_t now_ms);

typedef struct hr_events_reader hr_events_reader_t;
/*  from_id: "$" = only new events, "0" = from the start.                   */
hr_events_reader_t *hr_events_reader_new (const char *redis_url, const char *from_id);
void hr_events_reader_destroy (hr_events_reader_t **self_p);
/*  Blocks up to block_ms; fills up to max events; returns count, -1 when
    Redis is down (retry later).  With a gather window (below), once the
    first events have come it waits out the window and returns them with
    whatever arrived meanwhile (up to max).  */
int hr_events_read (hr_events_reader_t *self, hr_event_t *out, int max, int block_ms);

/*  The gather window: a read that got fewer than max events waits
    window_ms after them and takes what came meanwhile in the same read, so
    a busy stream wakes the consumer about once per window instead of once
    per event.  Events are applied up to window_ms later.  0 (the default)
    = return as soon as anything came.  trending-svc and collab-svc read
    with HR_EVENTS_GATHER_MS.                                              */
void hr_events_reader_gather (hr_events_reader_t *self, int window_ms);
#define HR_EVENTS_GATHER_MS 100

/*  Extras (common-data): stream entries skipped as malformed so far (also
    the metric hr_events_malformed_total), and the id of the last entry
    consumed ("$" until the first read resolved it).                         */
uint64_t hr_events_reader_malformed (const hr_events_reader_t *self);
const char *hr_events_reader_last_id (const hr_events_reader_t *self);

#endif
