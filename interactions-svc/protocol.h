/*  interactions — what the service answers (docs/protocol.md, "interactions").

      record   str user_id, u8 type (1 click, 2 search), str value
               -> empty body, sent only after the event is committed
      history  str user_id, u32 days, u32 limit
               -> u32 n, then per event newest first: u8 type, str value, i64 ts_ms

    This file decodes requests and encodes replies; it knows nothing about
    storage.  The decoded strings point into the request body.              */
#ifndef INTER_PROTOCOL_H
#define INTER_PROTOCOL_H
#include <stddef.h>
#include <stdint.h>
#include "hr_events.h"
#include "hr_wire.h"

#define INTER_SERVICE        "interactions"
#define INTER_METHOD_RECORD  "record"
#define INTER_METHOD_HISTORY "history"

#define INTER_DAYS_MAX       365     /* the REST API accepts days 1..365 */
#define INTER_HISTORY_MAX    1000    /* most events one history call returns */

typedef struct {
    const char *user_id;
    size_t user_id_len;
    uint8_t type;
    const char *value;
    size_t value_len;
} inter_record_req_t;

typedef struct {
    const char *user_id;
    size_t user_id_len;
    uint32_t days;
    uint32_t limit;
} inter_history_req_t;

/*  0, or -1 when the arguments are truncated or followed by extra bytes.    */
int inter_record_decode (hr_reader_t *args, inter_record_req_t *req);
int inter_history_decode (hr_reader_t *args, inter_history_req_t *req);

/*  Request bodies (method + arguments), for clients: tests, bench, CLI.     */
void inter_record_encode (hr_writer_t *w, const char *user_id, uint8_t type, const char *value);
void inter_history_encode (hr_writer_t *w, const char *user_id, uint32_t days, uint32_t limit);

/*  The history reply.  */
void inter_history_reply_encode (hr_writer_t *w, const hr_event_t *events, uint32_t n);
/*  Decodes a history reply into out[0..max); *n = events decoded.  0 / -1
    (malformed, or more events than max).  user_id is left empty.           */
int inter_history_reply_decode (const void *body, size_t len, hr_event_t *out,
                                uint32_t max, uint32_t *n);

#endif
