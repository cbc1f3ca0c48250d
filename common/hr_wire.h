/*  hr_wire — the compact binary encoding used in every ZeroMQ body.

    Little-endian fixed-width integers and floats; strings are a u32 length
    followed by the bytes (no NUL on the wire).  A writer grows a heap buffer;
    a reader walks a borrowed buffer and latches an error flag on the first
    out-of-bounds read, so decoders can read a whole message and check once.

    The scored-item list is the common reply of every strategy: ids and scores,
    never product JSON (the gateway renders products itself).                  */
#ifndef HR_WIRE_H
#define HR_WIRE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*  Little-endian u64 in a raw 8-byte frame (the broker, worker and client
    frames carry request ids and deadlines this way).                       */
static inline void hr_le64_put (uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t) (v >> (8 * i));
}
static inline uint64_t hr_le64_get (const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t) b[i] << (8 * i);
    return v;
}

typedef struct {
    unsigned char *data;
    size_t len, cap;
    bool oom;                   /* an allocation failed: the message is unusable */
} hr_writer_t;

void hr_writer_init (hr_writer_t *w);
void hr_writer_reset (hr_writer_t *w);     /* len = 0, keeps the buffer */
void hr_writer_free (hr_writer_t *w);
void hr_put_u8 (hr_writer_t *w, uint8_t v);
void hr_put_u32 (hr_writer_t *w, uint32_t v);
void hr_put_u64 (hr_writer_t *w, uint64_t v);
void hr_put_i64 (hr_writer_t *w, int64_t v);
void hr_put_f32 (hr_writer_t *w, float v);
void hr_put_f64 (hr_writer_t *w, double v);
void hr_put_str (hr_writer_t *w, const char *s, size_t n);
void hr_put_cstr (hr_writer_t *w, const char *s);
void hr_put_bytes (hr_writer_t *w, const void *p, size_t n);   /* raw, no length */

typedef struct {
    const unsigned char *p, *end;
    bool err;                   /* latched: any read past the end sets it */
} hr_reader_t;

void hr_reader_init (hr_reader_t *r, const void *data, size_t len);

/*  Consumes n bytes and returns where they start; NULL (err latched) when
    fewer remain.  The fixed-width reads below are inline: every decoder of
    every reply runs them per field.                                         */
static inline const unsigned char *
hr_reader_take (hr_reader_t *r, size_t n)
{
    if (r->err || (size_t) (r->end - r->p) < n) {
        r->err = true;
        return NULL;
    }
    const unsigned char *at = r->p;
    r->p += n;
    return at;
}

/*  A little-endian unsigned integer of `width` bytes (1..8); 0 on err.     */
static inline uint64_t
hr_get_le (hr_reader_t *r, int width)
{
    const unsigned char *b = hr_reader_take (r, (size_t) width);
    uint64_t v = 0;
    if (b)
        for (int i = width - 1; i >= 0; i--)
            v = (v << 8) | b[i];
    return v;
}

static inline uint8_t hr_get_u8 (hr_reader_t *r) { return (uint8_t) hr_get_le (r, 1); }
static inline uint32_t hr_get_u32 (hr_reader_t *r) { return (uint32_t) hr_get_le (r, 4); }
static inline uint64_t hr_get_u64 (hr_reader_t *r) { return hr_get_le (r, 8); }
static inline int64_t hr_get_i64 (hr_reader_t *r) { return (int64_t) hr_get_le (r, 8); }

static inline float
hr_get_f32 (hr_reader_t *r)
{
    uint32_t bits = (uint32_t) hr_get_le (r, 4);
    float v;
    memcpy (&v, &bits, sizeof v);
    return v;
}

static inline double
hr_get_f64 (hr_reader_t *r)
{
    uint64_t bits = hr_get_le (r, 8);
    double v;
    memcpy (&v, &bits, sizeof v);
    return v;
}

/*  Returns a pointer into the buffer (not NUL-terminated) and its length;
    NULL with err set when truncated.  */
const char *hr_get_str (hr_reader_t *r, size_t *len);
/*  Copies a string into dst (NUL-terminated); err when it does not fit.     */
int hr_get_str_copy (hr_reader_t *r, char *dst, size_t dstcap);
/*  A count that will be followed by at least `min_item_size` bytes per item:
    err when the remaining bytes cannot hold that many (stops huge allocations
    driven by a hostile count).  */
uint32_t hr_get_count (hr_reader_t *r, size_t min_item_size);
static inline bool hr_reader_ok (const hr_reader_t *r) { return !r->err; }
static inline bool hr_reader_done (const hr_reader_t *r) { return !r->err && r->p == r->end; }

/*  Where a recommended item came from (for merging and explanations).       */
typedef enum {
    HR_STRAT_NONE = 0,
    HR_STRAT_CONTENT = 1,
    HR_STRAT_COLLAB = 2,
    HR_STRAT_RULES = 3,
    HR_STRAT_TRENDING = 4,
    HR_STRAT_SEARCH = 5,
    HR_STRAT_DIVERSE = 6,
    HR_STRAT_POPULAR = 7,
    HR_STRAT_BEST_VALUE = 8,
    HR_STRAT_SEQRULES = 9,
} hr_strategy_t;
const char *hr_strategy_name (int strategy);

#define HR_PRODUCT_ID_LEN 10
#define HR_SOURCE_MAX 256
/*  A scored item on the wire: id, f32 score, u8 strategy, u32 source length,
    then the source's bytes.  */
#define HR_SCORED_MIN_WIRE (HR_PRODUCT_ID_LEN + 4 + 1 + 4)

/*  One scored item.  `source` explains it: the product id or query that
    caused it (empty when none).  */
typedef struct {
    char id[HR_PRODUCT_ID_LEN + 1];
    float score;
    uint8_t strategy;
    char source[HR_SOURCE_MAX];
} hr_scored_t;

/*  Scored list on the wire: u32 count, then per item:
    10 bytes id, f32 score, u8 strategy, str source.                        */
void hr_put_scored_list (hr_writer_t *w, const hr_scored_t *items, uint32_t n);
/*  Writes the count placeholder; then hr_put_scored_item per item; then
    hr_scored_list_end to patch the count (for lists built on the fly).     */
size_t hr_scored_list_begin (hr_writer_t *w);
void hr_put_scored_item (hr_writer_t *w, const char *id10, float score,
                         uint8_t strategy, const char *source, size_t source_len);
/*  n items of one strategy and one source (a search's results, the query
    every item's source): the bytes of hr_put_scored_item for each, the
    source cut and framed and the room reserved once.                       */
void hr_put_scored_items (hr_writer_t *w, const char *const *ids, const float *scores, uint32_t n,
                          uint8_t strategy, const char *source, size_t source_len);
void hr_scored_list_end (hr_writer_t *w, size_t begin, uint32_t n);
/*  Decodes a list into a malloc'd array (*out, *n); -1 on a malformed list
    (nothing allocated).  Ids are validated as product ids.                 */
int hr_get_scored_list (hr_reader_t *r, hr_scored_t **out, uint32_t *n);
/*  Reads a list in place for a caller that needs only its ids, in order (a
    search page: 2,000 items, ~270 bytes each as hr_scored_t): ids[i] points
    at item i's ten id bytes inside the reader's buffer (not terminated).
    The same checks as hr_get_scored_list; -1 on a malformed list or when it
    holds more than `cap` items (*n = 0).                                   */
int hr_get_scored_ids (hr_reader_t *r, const char **ids, uint32_t cap, uint32_t *n);

#endif
