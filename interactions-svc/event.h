/*  interactions — the event model: validation by the spec's rules and the
    compact text form an event takes as an element of a cached history list.

    Cached element (docs/interactions.md):  "<type>|<ts_ms>|<value>"
      e.g. "1|1764140000123|B08CF3D7QR"  or  "2|1764140000456|red shoes"
    (type 1..5: hr_event_type_t; client timestamp and recommendation id
    are not cached: PostgreSQL only)
    The value comes last so that it may itself contain '|'.
    INTER_CACHE_COMPLETE ("0|0|") is the marker a refill puts at the tail of
    a list loaded from PostgreSQL: a list is a faithful copy of the user's
    newest events only when it ends with the marker or is full.             */
#ifndef INTER_EVENT_H
#define INTER_EVENT_H
#include <stdbool.h>
#include <stddef.h>
#include "hr_events.h"

#define INTER_CACHE_COMPLETE     "0|0|"
#define INTER_CACHE_ELEM_MAX     (3 + 20 + 255 + 1)

/*  Validates and normalises one event (query trimmed) into *ev; ts_ms is
    left for the caller (0), so are client_ts_ms (0) and rec_id ("").  0, or -1 with a message for the client in err.    */
int inter_event_make (hr_event_t *ev, const char *user_id, size_t user_id_len,
                      unsigned type, const char *value, size_t value_len,
                      char *err, size_t errcap);

/*  Writes the cached element into buf (cap >= INTER_CACHE_ELEM_MAX);
    returns its length.  */
size_t inter_event_encode (const hr_event_t *ev, char *buf, size_t cap);
/*  Parses a cached element; user_id is left untouched.  0, or -1 when it is
    not an event (the completeness marker, or garbage).                     */
int inter_event_decode (const char *s, size_t n, hr_event_t *ev);
bool inter_event_is_complete_marker (const char *s, size_t n);

#endif
