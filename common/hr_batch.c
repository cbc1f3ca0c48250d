/*  hr_batch — several requests to one service in one message (hr_batch.h). */
#include "hr_batch.h"
#include <assert.h>
#include <string.h>
#include "hr_status.h"

#define ITEM_MIN_REQUEST (8 + 4)        /* u64 id, str length */
#define ITEM_MIN_REPLY   (8 + 1 + 4)    /* u64 id, u8 status, str length */

static void
s_begin (hr_batch_writer_t *b, hr_writer_t *w)
{
    b->w = w;
    b->n = 0;
    b->count_at = w->len;
    hr_put_u32 (w, 0);          /* patched by hr_batch_end */
}

void
hr_batch_request_begin (hr_batch_writer_t *b, hr_writer_t *w)
{
    assert (b && w);
    hr_put_str (w, HR_BATCH_METHOD, strlen (HR_BATCH_METHOD));
    s_begin (b, w);
}

void
hr_batch_request_add (hr_batch_writer_t *b, uint64_t id, const void *body, size_t len)
{
    assert (b->n < HR_BATCH_MAX);
    hr_put_u64 (b->w, id);
    hr_put_str (b->w, (const char *) body, len);
    b->n++;
}

void
hr_batch_reply_begin (hr_batch_writer_t *b, hr_writer_t *w)
{
    assert (b && w);
    s_begin (b, w);
}

void
hr_batch_reply_add (hr_batch_writer_t *b, uint64_t id, uint8_t status, const void *body,
                    size_t len)
{
    assert (b->n < HR_BATCH_MAX);
    hr_put_u64 (b->w, id);
    hr_put_u8 (b->w, status);
    hr_put_str (b->w, (const char *) body, len);
    b->n++;
}

void
hr_batch_end (hr_batch_writer_t *b)
{
    if (b->w->oom)
        return;
    unsigned char *p = b->w->data + b->count_at;
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char) (b->n >> (8 * i));
}

/*  A request item is at least ITEM_MIN_REQUEST bytes and a reply item at
    least ITEM_MIN_REPLY: checking against the smaller bound serves both.  */
uint32_t
hr_batch_count (hr_reader_t *r)
{
    uint32_t n = hr_get_count (r, ITEM_MIN_REQUEST);
    if (r->err || n == 0 || n > HR_BATCH_MAX) {
        r->err = true;
        return 0;
    }
    return n;
}

int
hr_batch_next_request (hr_reader_t *r, uint64_t *id, const void **body, size_t *len)
{
    *id = hr_get_u64 (r);
    *body = hr_get_str (r, len);
    return hr_reader_ok (r) ? 0 : -1;
}

int
hr_batch_next_reply (hr_reader_t *r, uint64_t *id, uint8_t *status, const void **body,
                     size_t *len)
{
    *id = hr_get_u64 (r);
    *status = hr_get_u8 (r);
    *body = hr_get_str (r, len);
    if (!hr_reader_ok (r) || *status > HR_INTERNAL)
        return -1;
    return 0;
}
