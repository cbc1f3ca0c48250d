/*  hr_batch — several requests to one service in one message.

    At load, a gateway loop has many calls for the same service within one
    event-loop iteration.  Most of the CPU of a request at load goes to moving
    messages (ZeroMQ I/O threads, thread wake-ups, TCP segments), not to
    answering them, so the gateway sends such calls as one message and every
    service answers it: hr_service implements the method "batch" for all of
    them by running each inner request through the service's handler.

    Request body:  str "batch", u32 n (1..HR_BATCH_MAX), then n times
                   (u64 id, str body) — each body an ordinary request body.
    Reply body:    u32 n, then n times (u64 id, u8 status, str body), in the
                   request's order; body = the handler's reply, or the error
                   message on an error status.
    An inner request may not itself be a batch.                             */
#ifndef HR_BATCH_H
#define HR_BATCH_H
#include <stddef.h>
#include <stdint.h>
#include "hr_wire.h"

#define HR_BATCH_METHOD "batch"
#define HR_BATCH_MAX 256

/*  Writing a request or a reply: begin, add each item, end (writes n).    */
typedef struct {
    hr_writer_t *w;
    size_t count_at;            /* offset of the u32 count in w */
    uint32_t n;
} hr_batch_writer_t;

void hr_batch_request_begin (hr_batch_writer_t *b, hr_writer_t *w);
void hr_batch_request_add (hr_batch_writer_t *b, uint64_t id, const void *body, size_t len);
void hr_batch_reply_begin (hr_batch_writer_t *b, hr_writer_t *w);
void hr_batch_reply_add (hr_batch_writer_t *b, uint64_t id, uint8_t status,
                         const void *body, size_t len);
void hr_batch_end (hr_batch_writer_t *b);

/*  Reading.  hr_batch_count reads the count (of a request: after its method
    name; of a reply: at the start) and returns 0 with the reader's error
    set when it is 0, over HR_BATCH_MAX, or more than the bytes can hold.
    The next_* functions return 0 with the item filled (body points into the
    message), -1 when the message is malformed.                             */
uint32_t hr_batch_count (hr_reader_t *r);
int hr_batch_next_request (hr_reader_t *r, uint64_t *id, const void **body, size_t *len);
int hr_batch_next_reply (hr_reader_t *r, uint64_t *id, uint8_t *status,
                         const void **body, size_t *len);

#endif
