/*  hr_wire — little-endian binary bodies for the service protocol.

    The writer never fails loudly: an allocation failure latches `oom` and
    every later put is a no-op, so encoders write a whole message and check
    once.  The reader mirrors that with its `err` flag.  Also home of the two
    enum-to-name tables (strategy, status) that logs and the gateway share. */
#include "hr_wire.h"
#include "hr_status.h"
#include "hr_validate.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HR_WRITER_MIN_CAP 256

void
hr_writer_init (hr_writer_t *w)
{
    assert (w);
    memset (w, 0, sizeof *w);
}

void
hr_writer_reset (hr_writer_t *w)
{
    assert (w);
    w->len = 0;
    w->oom = false;
}

void
hr_writer_free (hr_writer_t *w)
{
    assert (w);
    free (w->data);
    memset (w, 0, sizeof *w);
}

//  Makes room for n more bytes; false (and oom latched) when impossible.
static bool
s_reserve (hr_writer_t *w, size_t n)
{
    if (w->oom)
        return false;
    if (n <= w->cap - w->len)
        return true;
    if (n > SIZE_MAX / 2 - w->len) {
        w->oom = true;
        return false;
    }
    size_t need = w->len + n;
    size_t cap = w->cap ? w->cap : HR_WRITER_MIN_CAP;
    while (cap < need)
        cap *= 2;
    unsigned char *data = realloc (w->data, cap);
    if (!data) {
        w->oom = true;
        return false;
    }
    w->data = data;
    w->cap = cap;
    return true;
}

void
hr_put_bytes (hr_writer_t *w, const void *p, size_t n)
{
    assert (w);
    if (n == 0 || !s_reserve (w, n))
        return;
    memcpy (w->data + w->len, p, n);
    w->len += n;
}

static void
s_put_le (hr_writer_t *w, uint64_t v, int width)
{
    unsigned char b[8];
    for (int i = 0; i < width; i++)
        b[i] = (unsigned char) (v >> (8 * i));
    hr_put_bytes (w, b, (size_t) width);
}

void hr_put_u8 (hr_writer_t *w, uint8_t v) { s_put_le (w, v, 1); }
void hr_put_u32 (hr_writer_t *w, uint32_t v) { s_put_le (w, v, 4); }
void hr_put_u64 (hr_writer_t *w, uint64_t v) { s_put_le (w, v, 8); }
void hr_put_i64 (hr_writer_t *w, int64_t v) { s_put_le (w, (uint64_t) v, 8); }

void
hr_put_f32 (hr_writer_t *w, float v)
{
    uint32_t bits;
    memcpy (&bits, &v, sizeof bits);
    s_put_le (w, bits, 4);
}

void
hr_put_f64 (hr_writer_t *w, double v)
{
    uint64_t bits;
    memcpy (&bits, &v, sizeof bits);
    s_put_le (w, bits, 8);
}

void
hr_put_str (hr_writer_t *w, const char *s, size_t n)
{
    assert (w);
    if (n > UINT32_MAX) {       //  cannot be framed: the message is unusable
        w->oom = true;
        return;
    }
    hr_put_u32 (w, (uint32_t) n);
    if (n)
        hr_put_bytes (w, s, n);
}

void
hr_put_cstr (hr_writer_t *w, const char *s)
{
    hr_put_str (w, s ? s : "", s ? strlen (s) : 0);
}

void
hr_reader_init (hr_reader_t *r, const void *data, size_t len)
{
    assert (r);
    r->p = data;
    r->end = r->p ? r->p + len : r->p;
    r->err = false;
}

static size_t
s_left (const hr_reader_t *r)
{
    return (size_t) (r->end - r->p);
}

static inline uint32_t
s_le32 (const unsigned char *b)
{
    return (uint32_t) b[0] | (uint32_t) b[1] << 8 | (uint32_t) b[2] << 16 | (uint32_t) b[3] << 24;
}

const char *
hr_get_str (hr_reader_t *r, size_t *len)
{
    uint32_t n = hr_get_u32 (r);
    const unsigned char *at = hr_reader_take (r, n);
    if (len)
        *len = r->err ? 0 : n;
    if (r->err)
        return NULL;
    //  an empty string at the end of a NULL buffer still gets a valid pointer
    return at ? (const char *) at : "";
}

int
hr_get_str_copy (hr_reader_t *r, char *dst, size_t dstcap)
{
    assert (dst && dstcap > 0);
    size_t n;
    const char *s = hr_get_str (r, &n);
    if (!s || n >= dstcap) {
        r->err = true;
        dst[0] = 0;
        return -1;
    }
    memcpy (dst, s, n);
    dst[n] = 0;
    return 0;
}

uint32_t
hr_get_count (hr_reader_t *r, size_t min_item_size)
{
    uint32_t n = hr_get_u32 (r);
    if (r->err)
        return 0;
    //  every item takes at least one byte, whatever the caller says
    size_t item = min_item_size ? min_item_size : 1;
    if (n > s_left (r) / item) {
        r->err = true;
        return 0;
    }
    return n;
}

//  The longest prefix of s that fits `max` bytes without splitting a UTF-8
//  sequence (sources are product ids or user queries).
static size_t
s_utf8_prefix (const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t cut = max;
    while (cut > 0 && ((unsigned char) s[cut] & 0xC0) == 0x80)
        cut--;
    return cut;
}

//  One item: id, f32, u8, str source, written into one reservation (every
//  list of every reply is written item by item: five small appends with
//  their checks each were most of the encoding's instructions).
/*  v little-endian at b, at fixed offsets (not b++): the compiler merges
    the four into one store.  */
static inline void
s_put_le32 (unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char) v;
    b[1] = (unsigned char) (v >> 8);
    b[2] = (unsigned char) (v >> 16);
    b[3] = (unsigned char) (v >> 24);
}

void
hr_put_scored_item (hr_writer_t *w, const char *id10, float score,
                    uint8_t strategy, const char *source, size_t source_len)
{
    assert (w && id10);
    if (!source)
        source_len = 0;
    //  readers keep sources in HR_SOURCE_MAX bytes: never send more
    source_len = s_utf8_prefix (source, source_len, HR_SOURCE_MAX - 1);
    if (!s_reserve (w, HR_SCORED_MIN_WIRE + source_len))
        return;
    unsigned char *b = w->data + w->len;
    size_t idlen = strnlen (id10, HR_PRODUCT_ID_LEN);
    memcpy (b, id10, idlen);
    memset (b + idlen, 0, HR_PRODUCT_ID_LEN - idlen);
    b += HR_PRODUCT_ID_LEN;
    uint32_t bits;
    memcpy (&bits, &score, sizeof bits);
    s_put_le32 (b, bits);
    b[4] = strategy;
    s_put_le32 (b + 5, (uint32_t) source_len);
    if (source_len)
        memcpy (b + 9, source, source_len);
    w->len += HR_SCORED_MIN_WIRE + source_len;
}

void
hr_put_scored_items (hr_writer_t *w, const char *const *ids, const float *scores, uint32_t n,
                     uint8_t strategy, const char *source, size_t source_len)
{
    assert (w && (n == 0 || (ids && scores)));
    if (!source)
        source_len = 0;
    source_len = s_utf8_prefix (source, source_len, HR_SOURCE_MAX - 1);
    size_t item = HR_SCORED_MIN_WIRE + source_len;
    if (n == 0 || !s_reserve (w, (size_t) n * item))
        return;
    //  what follows the score, the same in every item
    unsigned char tail[5 + HR_SOURCE_MAX];
    tail[0] = strategy;
    s_put_le32 (tail + 1, (uint32_t) source_len);
    if (source_len)
        memcpy (tail + 5, source, source_len);
    unsigned char *b = w->data + w->len;
    for (uint32_t i = 0; i < n; i++, b += item) {
        size_t idlen = strnlen (ids[i], HR_PRODUCT_ID_LEN);
        memcpy (b, ids[i], idlen);
        memset (b + idlen, 0, HR_PRODUCT_ID_LEN - idlen);
        uint32_t bits;
        memcpy (&bits, &scores[i], sizeof bits);
        s_put_le32 (b + HR_PRODUCT_ID_LEN, bits);
        memcpy (b + HR_PRODUCT_ID_LEN + 4, tail, 5 + source_len);
    }
    w->len += (size_t) n * item;
}

void
hr_put_scored_list (hr_writer_t *w, const hr_scored_t *items, uint32_t n)
{
    assert (w && (items || n == 0));
    hr_put_u32 (w, n);
    for (uint32_t i = 0; i < n; i++)
        hr_put_scored_item (w, items[i].id, items[i].score, items[i].strategy,
                            items[i].source, strnlen (items[i].source, HR_SOURCE_MAX));
}

size_t
hr_scored_list_begin (hr_writer_t *w)
{
    assert (w);
    size_t at = w->len;
    hr_put_u32 (w, 0);
    return at;
}

void
hr_scored_list_end (hr_writer_t *w, size_t begin, uint32_t n)
{
    assert (w);
    if (w->oom || begin + 4 > w->len)
        return;
    for (int i = 0; i < 4; i++)
        w->data[begin + (size_t) i] = (unsigned char) (n >> (8 * i));
}

/*  The scored item at p (`left` bytes to the end) as both readers take it:
    whole, a source shorter than HR_SOURCE_MAX, a valid product id, a finite
    score (*score, *slen set).  One bounds check per item instead of one
    per field (a /home decodes ~1,000 items).                              */
static bool
s_scored_item_ok (const unsigned char *p, size_t left, float *score, uint32_t *slen)
{
    if (left < HR_SCORED_MIN_WIRE)
        return false;
    *slen = s_le32 (p + HR_PRODUCT_ID_LEN + 5);
    uint32_t bits = s_le32 (p + HR_PRODUCT_ID_LEN);
    memcpy (score, &bits, sizeof *score);
    return *slen < HR_SOURCE_MAX && left - HR_SCORED_MIN_WIRE >= *slen
           && hr_valid_product_id ((const char *) p, HR_PRODUCT_ID_LEN) && isfinite (*score);
}

int
hr_get_scored_list (hr_reader_t *r, hr_scored_t **out, uint32_t *n)
{
    assert (r && out && n);
    *out = NULL;
    *n = 0;
    uint32_t count = hr_get_count (r, HR_SCORED_MIN_WIRE);
    if (r->err)
        return -1;
    if (count == 0)
        return 0;
    hr_scored_t *items = malloc ((size_t) count * sizeof *items);
    if (!items) {
        r->err = true;
        return -1;
    }
    /*  id, f32 score, u8 strategy, u32 length + source, read in place as
        hr_get_f32 / hr_get_u8 / hr_get_str_copy would (s_scored_item_ok).  */
    for (uint32_t i = 0; i < count; i++) {
        hr_scored_t *it = &items[i];
        const unsigned char *p = r->p;
        uint32_t slen;
        if (!s_scored_item_ok (p, s_left (r), &it->score, &slen)) {
            r->err = true;
            free (items);
            return -1;
        }
        it->strategy = p[HR_PRODUCT_ID_LEN + 4];
        memcpy (it->source, p + HR_SCORED_MIN_WIRE, slen);
        it->source[slen] = 0;
        memcpy (it->id, p, HR_PRODUCT_ID_LEN);
        it->id[HR_PRODUCT_ID_LEN] = 0;
        r->p = p + HR_SCORED_MIN_WIRE + slen;
    }
    *out = items;
    *n = count;
    return 0;
}

int
hr_get_scored_ids (hr_reader_t *r, const char **ids, uint32_t cap, uint32_t *n)
{
    assert (r && n && (ids || cap == 0));
    *n = 0;
    uint32_t count = hr_get_count (r, HR_SCORED_MIN_WIRE);
    if (!r->err && count > cap)
        r->err = true;
    if (r->err)
        return -1;
    const unsigned char *p = r->p;
    for (uint32_t i = 0; i < count; i++) {
        float score;
        uint32_t slen;
        if (!s_scored_item_ok (p, (size_t) (r->end - p), &score, &slen)) {
            r->err = true;
            return -1;
        }
        ids[i] = (const char *) p;
        p += HR_SCORED_MIN_WIRE + slen;
    }
    r->p = p;
    *n = count;
    return 0;
}

const char *
hr_strategy_name (int strategy)
{
    static const char *names[] = {
        [HR_STRAT_NONE] = "none",         [HR_STRAT_CONTENT] = "content",
        [HR_STRAT_COLLAB] = "collab",     [HR_STRAT_RULES] = "rules",
        [HR_STRAT_TRENDING] = "trending", [HR_STRAT_SEARCH] = "search",
        [HR_STRAT_DIVERSE] = "diverse",   [HR_STRAT_POPULAR] = "popular",
        [HR_STRAT_BEST_VALUE] = "best_value", [HR_STRAT_SEQRULES] = "seqrules",
    };
    if (strategy < 0 || strategy >= (int) (sizeof names / sizeof names[0]))
        return "unknown";
    return names[strategy];
}

const char *
hr_status_name (int status)
{
    static const char *names[] = {
        [HR_OK] = "ok",                   [HR_NOT_FOUND] = "not_found",
        [HR_BAD_REQUEST] = "bad_request", [HR_UNAVAILABLE] = "unavailable",
        [HR_EXPIRED] = "expired",         [HR_INTERNAL] = "internal",
    };
    if (status < 0 || status >= (int) (sizeof names / sizeof names[0]))
        return "unknown";
    return names[status];
}
