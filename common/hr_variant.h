/*  hr_variant — which products are variants of one another.

    A shop lists one product in several sizes, colours or pack counts under
    separate ids ("Huggies Complete Comfort Wonder Pants, Medium ...",
    "... Large (L) Size ...", "... Extra Large (XL) ..."); a list showing
    four of them shows one product four times.  Two products are variants
    when they share the main category and the first HR_VARIANT_WORDS words
    of their names (ASCII letters lower-cased, words are runs of letters and
    digits, an apostrophe inside a word dropped, one-letter words and a few
    English stop words skipped; a lone digit counts).  A name of fewer words must match as a
    whole.  The key is a 64-bit hash of that; 0 = no key (a name without
    words), never equal to another product's.

    The catalog computes every product's key once at freeze
    (hr_product_t.variant); the gateway collapses variants in every list it
    serves (gw_variants.h).  content-svc's neighbour lists also drop
    near-duplicates by TF-IDF cosine, which needs its term vectors.        */
#ifndef HR_VARIANT_H
#define HR_VARIANT_H
#include <stdint.h>

#define HR_VARIANT_WORDS 5

/*  The variant key of a product (either string may be NULL).              */
uint64_t hr_variant_key (const char *name, const char *main_category);

#endif
