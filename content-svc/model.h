/*  model — the content model: everything serving needs, as one blob.

    Published by training through hr_model_store (PostgreSQL model_blobs,
    cached in Redis), loaded by every replica.  Serving never recomputes
    neighbours: they are in here, with the product ids they refer to, so a
    model stays usable when the catalog changed after training (products are
    mapped by id at load; new products simply have no neighbours yet).

    Blob layout (hr_wire, little-endian), format 1:
        "HRCT" u32 format
        i64 catalog_version, u32 n, n × 10-byte product id
        f32 weight of name, sub_category, main_category
        u32 terms, per term: str stem, f32 idf
        u32 dim, per term: f32 scale, dim × i8 (LSA vector = scale·i8/127)
        u32 k, per product: u8 count, count × u32 product index,
                            count × u16 cosine·65535
    format 2 adds, at the end, what search learnt from clicks (search.h,
    content_search_learn):
        str synonym rules ("pochha => mop" lines),
        u32 boosts, per boost: str query (stems), 10-byte product id, u16 users
    Format 1 blobs are still read (nothing learnt).                         */
#ifndef CONTENT_MODEL_H
#define CONTENT_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include "hr_wire.h"
#include "neighbours.h"
#include "tfidf.h"
#include "vocab.h"

#define CONTENT_MODEL_MAGIC "HRCT"
#define CONTENT_MODEL_FORMAT 2

/*  What search learnt from search→click pairs (search.h).                  */
typedef struct content_boost {
    char query[256];            /* analysed: stems joined by one space */
    char id[11];
    uint16_t users;
} content_boost_t;

typedef struct {
    char *rules;                /* malloc'd "word => word\n" lines */
    size_t rules_len;
    uint32_t nboosts;
    content_boost_t *boosts;    /* malloc'd, sorted by query */
} content_learned_t;

void content_learned_free (content_learned_t *l);

typedef struct {
    int64_t catalog_version;
    uint32_t n;
    char *ids;                  /* n × 10 bytes */
    content_fields_t fields;
    content_vocab_t *vocab;     /* stems */
    float *idf;                 /* per term */
    uint32_t dim;               /* 0 = no semantic vectors */
    float *emb;                 /* terms × dim */
    content_neighbours_t nb;    /* indices into ids */
    content_learned_t learned;  /* empty: nothing learnt */
} content_model_t;

void content_model_encode (const content_model_t *m, hr_writer_t *w);
/*  NULL on a malformed blob (reason in err).                               */
content_model_t *content_model_decode (const void *blob, size_t len, char *err, size_t errlen);
void content_model_destroy (content_model_t **self_p);

#endif
