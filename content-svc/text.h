/*  text — turns product names and queries into terms.

    The same analysis runs at training, at index load and on every query,
    so a query term always meets the term the catalog produced:
      1. UTF-8 decode; invalid bytes are separators (never a crash);
      2. lower-case and fold accents (Latin-1, Latin Extended-A to ASCII;
         Greek and Cyrillic lower-cased), so "Café", "CAFE" and "cafe" meet;
      3. tokens = runs of letters/digits (an apostrophe inside a word is
         dropped: "men's" -> "mens"); single characters and tokens longer
         than CONTENT_TOKEN_MAX bytes are skipped, except a "t" before
         "shirt" ("T-Shirt", "t shirt" -> "tshirt");
      4. English stop words are dropped;
      5. the Snowball English stemmer (libstemmer) maps "earphones" and
         "earphone" to "earphon".  Tokens containing digits are kept as they
         are ("128gb", "wa70a4002gs").

    An analyzer owns a libstemmer instance and scratch buffers: one per
    thread.  It memoises surface -> stem, since catalogs repeat words.      */
#ifndef CONTENT_TEXT_H
#define CONTENT_TEXT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTENT_TOKEN_MAX 48

typedef struct {
    const char *surface;        /* folded, lower-cased word */
    uint32_t surface_len;
    const char *stem;
    uint32_t stem_len;
    uint32_t position;          /* index among kept tokens */
} content_token_t;

typedef struct content_analyzer content_analyzer_t;

content_analyzer_t *content_analyzer_new (void);
void content_analyzer_destroy (content_analyzer_t **self_p);

/*  Analyses `len` bytes of text; *tokens points to an array valid until the
    next call on this analyzer.  Returns the number of tokens (0 for text
    made only of stop words or punctuation).                                 */
uint32_t content_analyze (content_analyzer_t *self, const char *text, size_t len,
                          const content_token_t **tokens);

/*  Stems one already-folded word (for words coming from a dictionary).
    The result is valid until the next call.                                 */
const char *content_stem (content_analyzer_t *self, const char *word, size_t len,
                          uint32_t *stem_len);

/*  Lower-cases and folds UTF-8 text into dst (NUL-terminated, truncated to
    dstcap).  Non-word characters become single spaces.  Returns the length.
    Used for "normalised names" (near-duplicate detection) and tests.       */
size_t content_fold (const char *text, size_t len, char *dst, size_t dstcap);

bool content_is_stop_word (const char *word, size_t len);

#endif
