/*  fuzz_wire — hr_wire's reader over arbitrary bytes (every ZeroMQ body goes
    through it).  The first byte picks the decoder:
      0  a scored list (hr_get_scored_list); an accepted list re-encodes to
         the same bytes and decodes again to the same items;
      1  a "history" argument (docs/protocol.md: u32 n, then n x (u8 type,
         str value, i64 ts_ms)) read with hr_get_count and hr_get_str;
      2  a batch request's items (hr_batch_count, hr_batch_next_request) and
      3  a batch reply's (hr_batch_next_reply): an accepted batch re-encodes
         to the same bytes;
      4+ a little program: byte k = number of ops, then k op bytes, then the
         buffer the ops read (every getter, str copies of several sizes,
         counts with several item sizes).
    Invariants: the cursor never leaves the buffer; once the error flag is
    latched it stays; strings returned point inside the buffer.           */
#include <math.h>
#include <stdio.h>
#include "fuzz_util.h"
#include "hr_batch.h"
#include "hr_status.h"
#include "hr_validate.h"
#include "hr_wire.h"

static void
check_cursor (const hr_reader_t *r, const uint8_t *buf, size_t len)
{
    FUZZ_CHECK (r->p >= buf && r->p <= buf + len && r->end == buf + len);
}

static void
scored_list (const uint8_t *buf, size_t len)
{
    hr_reader_t r;
    hr_reader_init (&r, buf, len);
    hr_scored_t *items = NULL;
    uint32_t n = 0;
    if (hr_get_scored_list (&r, &items, &n) != 0) {
        FUZZ_CHECK (items == NULL || n == 0);
        free (items);
        return;
    }
    check_cursor (&r, buf, len);
    for (uint32_t i = 0; i < n; i++) {
        FUZZ_CHECK (hr_valid_product_id (items[i].id, strlen (items[i].id)));
        FUZZ_CHECK (memchr (items[i].source, '\0', sizeof items[i].source) != NULL);
    }
    size_t used = (size_t) (r.p - buf);
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_scored_list (&w, items, n);
    FUZZ_CHECK (!w.oom);
    /*  Sources with an embedded NUL are shortened by the copy; otherwise
        the encoding is the input exactly.  */
    bool nul_in_source = false;
    hr_reader_t r2;
    hr_reader_init (&r2, buf, used);
    hr_get_u32 (&r2);
    for (uint32_t i = 0; i < n; i++) {
        r2.p += 10 + 4 + 1;
        size_t sl;
        const char *src = hr_get_str (&r2, &sl);
        if (src && memchr (src, '\0', sl))
            nul_in_source = true;
    }
    if (!nul_in_source) {
        FUZZ_CHECK (w.len == used);
        FUZZ_CHECK (memcmp (w.data, buf, used) == 0);

    }
    hr_reader_t r3;
    hr_reader_init (&r3, w.data, w.len);
    hr_scored_t *again = NULL;
    uint32_t n2 = 0;
    FUZZ_CHECK (hr_get_scored_list (&r3, &again, &n2) == 0 && n2 == n);
    for (uint32_t i = 0; i < n; i++) {
        FUZZ_CHECK (strcmp (again[i].id, items[i].id) == 0);
        FUZZ_CHECK (strcmp (again[i].source, items[i].source) == 0);
        FUZZ_CHECK (again[i].strategy == items[i].strategy);
        FUZZ_CHECK (memcmp (&again[i].score, &items[i].score, sizeof (float)) == 0);
    }
    free (again);
    hr_writer_free (&w);
    free (items);
}

static void
history (const uint8_t *buf, size_t len)
{
    hr_reader_t r;
    hr_reader_init (&r, buf, len);
    uint32_t n = hr_get_count (&r, 1 + 4 + 8);
    if (!hr_reader_ok (&r))
        return;
    FUZZ_CHECK ((uint64_t) n * 13 <= len);
    for (uint32_t i = 0; i < n && hr_reader_ok (&r); i++) {
        hr_get_u8 (&r);
        size_t vl;
        const char *v = hr_get_str (&r, &vl);
        if (v)
            FUZZ_CHECK ((const uint8_t *) v >= buf && (const uint8_t *) v + vl <= buf + len);
        hr_get_i64 (&r);
        check_cursor (&r, buf, len);
    }
}

static void
batch (const uint8_t *buf, size_t len, bool reply)
{
    hr_reader_t r;
    hr_reader_init (&r, buf, len);
    uint32_t n = hr_batch_count (&r);
    if (n == 0) {
        FUZZ_CHECK (r.err);
        return;
    }
    FUZZ_CHECK (n <= HR_BATCH_MAX);
    hr_writer_t w;
    hr_writer_init (&w);
    hr_batch_writer_t bw;
    hr_batch_reply_begin (&bw, &w);     /* the count, without a method name */
    for (uint32_t i = 0; i < n; i++) {
        uint64_t id;
        uint8_t status = HR_OK;
        const void *body;
        size_t bl;
        int rc = reply ? hr_batch_next_reply (&r, &id, &status, &body, &bl)
                       : hr_batch_next_request (&r, &id, &body, &bl);
        check_cursor (&r, buf, len);
        if (rc != 0) {
            hr_writer_free (&w);
            return;
        }
        FUZZ_CHECK (status <= HR_INTERNAL);
        FUZZ_CHECK ((const uint8_t *) body >= buf && (const uint8_t *) body + bl <= buf + len);
        if (reply)
            hr_batch_reply_add (&bw, id, status, body, bl);
        else
            hr_batch_request_add (&bw, id, body, bl);
    }
    hr_batch_end (&bw);
    size_t used = (size_t) (r.p - buf);
    FUZZ_CHECK (!w.oom && w.len == used && memcmp (w.data, buf, used) == 0);
    hr_writer_free (&w);
}

static void
program (const uint8_t *ops, size_t nops, const uint8_t *buf, size_t len)
{
    hr_reader_t r;
    hr_reader_init (&r, buf, len);
    char small[64];
    for (size_t i = 0; i < nops; i++) {
        bool was_err = r.err;
        uint8_t op = ops[i];
        size_t sl;
        const char *s;
        switch (op & 7) {
        case 0: hr_get_u8 (&r); break;
        case 1: hr_get_u32 (&r); break;
        case 2: hr_get_u64 (&r); break;
        case 3: hr_get_i64 (&r); break;
        case 4: (void) hr_get_f32 (&r); (void) hr_get_f64 (&r); break;
        case 5:
            s = hr_get_str (&r, &sl);
            if (s)
                FUZZ_CHECK ((const uint8_t *) s >= buf && (const uint8_t *) s + sl <= buf + len);
            else
                FUZZ_CHECK (r.err);
            break;
        case 6: {
            size_t cap = (size_t) (op >> 3) % sizeof small + 1;
            if (hr_get_str_copy (&r, small, cap) == 0)
                FUZZ_CHECK (strlen (small) < cap);
            break;
        }
        default: {
            uint32_t n = hr_get_count (&r, op >> 3);
            if (hr_reader_ok (&r))
                FUZZ_CHECK ((uint64_t) n * (op >> 3) <= (uint64_t) (r.end - r.p));
            break;
        }
        }
        FUZZ_CHECK (!was_err || r.err);
        check_cursor (&r, buf, len);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet_logs ();
    if (size < 1)
        return 0;
    /*  Exact-size copies so a read past the end is an ASan report.  */
    uint8_t sel = data[0];
    if (sel <= 3) {
        uint8_t *buf = malloc (size - 1 ? size - 1 : 1);
        memcpy (buf, data + 1, size - 1);
        if (sel == 0)
            scored_list (buf, size - 1);
        else if (sel == 1)
            history (buf, size - 1);
        else
            batch (buf, size - 1, sel == 3);
        free (buf);
        return 0;
    }
    if (size < 2)
        return 0;
    size_t nops = data[1] % 32;
    if (nops > size - 2)
        nops = size - 2;
    size_t len = size - 2 - nops;
    uint8_t *buf = malloc (len ? len : 1);
    memcpy (buf, data + 2 + nops, len);
    program (data + 2, nops, buf, len);
    free (buf);
    return 0;
}
