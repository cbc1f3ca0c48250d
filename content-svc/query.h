/*  query — what a product name says about the product, and what a query
    asks for beyond its keywords (docs/search.md, "Query understanding").

    From every product name and category, at index build:
      * the name's *zone*: the words before "for", "compatible", "suitable",
        "fits" ("Cover for Samsung Refrigerator": the cover is the product,
        Samsung and refrigerator only say what it fits);
      * the zone's *heads*: the last word of each phrase (phrases end at
        punctuation, "with", "and", "of", or a word with digits), so
        "Washing Machine Stand" has head "stand" and "Top Load Washing
        Machine (WA70...)" has head "machine";
      * the audience: women, men, girls, boys, kids, unisex, from the name and
        the Amazon categories ("women's clothing").
    From the catalog as a whole: which words are brands (a brand opens the
    titles it appears in: first word of at least 30 % of them, 3 or more).

    In a query: audience words become a constraint (not a keyword), a brand
    word must be in the product's zone, and the query's type word (its last
    word that is neither brand, audience nor a unit) should be a head.
    Each unmet constraint multiplies the product's score (query_multiplier). */
#ifndef CONTENT_QUERY_H
#define CONTENT_QUERY_H
#include <stdbool.h>
#include <stdint.h>
#include "hr_catalog.h"
#include "tfidf.h"

enum {
    CONTENT_AUD_WOMEN = 1, CONTENT_AUD_MEN = 2, CONTENT_AUD_GIRL = 4,
    CONTENT_AUD_BOY = 8, CONTENT_AUD_KID = 16, CONTENT_AUD_UNISEX = 32,
    CONTENT_AUD_BABY = 64
};

typedef struct content_names content_names_t;

/*  Parses every product (index i = catalog index).  NULL on out-of-memory. */
content_names_t *content_names_new (const hr_catalog_t *catalog, const content_docterms_t *dt);
void content_names_destroy (content_names_t **self_p);

/*  Audience bits of a query word's stem (0 = not an audience word).        */
unsigned content_audience_of (const char *stem, size_t len);
/*  The same for a query, which also names its audience by who it is for
    ("watch for husband", "gift for mom"): words that are no audience in a
    title (Brother printers, Mother Sparsh wipes are for everyone).         */
unsigned content_query_audience_of (const char *stem, size_t len);
/*  Audience bits of a product.                                              */
unsigned content_names_audience (const content_names_t *self, uint32_t doc);
/*  Whether the term is in the product's zone / is one of its heads.        */
bool content_names_in_zone (const content_names_t *self, uint32_t doc, uint32_t term);
bool content_names_is_head (const content_names_t *self, uint32_t doc, uint32_t term);
/*  The products whose zone has the term, ascending, each as its index |
    CONTENT_ZONE_HEAD when the term is one of its heads (count of them in
    *count; NULL for an unknown term): a query's brand and type read once
    per term instead of once per product and term (search.c).              */
#define CONTENT_ZONE_HEAD 0x80000000u
const uint32_t *content_names_zone_docs (const content_names_t *self, uint32_t term,
                                         uint32_t *count);
/*  Its share of products where it is a head.                               */
/*  A brand opens 30 % of the names it is in (3 or more); with in_zones, of
    the names whose zone it is in: "Apple" is in more names after "for"
    ("Cover for Apple iPhone") than it opens, yet it opens most of its own. */
bool content_names_is_brand (const content_names_t *self, uint32_t term, bool in_zones);
float content_names_head_rate (const content_names_t *self, uint32_t term);
/*  The typical price of products the term is a head of (the upper
    quartile; 0 when fewer than 5 have a price): a product priced a tenth
    of it is an accessory or a part of that thing, not the thing.           */
float content_names_type_price (const content_names_t *self, uint32_t term);
/*  Whether a stem is a unit ("inch", "kg", "litr"): never the query type.  */
bool content_is_unit (const char *stem, size_t len);

/*  Score factor of an audience match: 1 when the product is for one of the
    audiences asked, 0.7 when for a broader one (unisex for women or men,
    kids or babies for girls or boys), 0.5 when it says nothing (0.3 when
    a child's is asked for), 0.25 when it is for others only.               */
float content_audience_factor (unsigned asked, unsigned product);

#endif
