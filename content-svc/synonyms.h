/*  synonyms — the curated e-commerce synonym file (data/synonyms.txt).

    Format, one rule per line ("#" starts a comment, blank lines ignored):
        earbuds, earphones, in-ear headphones   every phrase means every other
        ac => air conditioner, split ac          one-way: the left side expands
                                                 to the right, not back
    Phrases are analysed like product text (lower-cased, stop words dropped,
    stemmed), so "Earbud" in a query meets "earbuds" in the file.  Phrases
    have at most CONTENT_SYN_MAX_WORDS words.                                */
#ifndef CONTENT_SYNONYMS_H
#define CONTENT_SYNONYMS_H
#include <stddef.h>
#include <stdint.h>
#include "text.h"

#define CONTENT_SYN_MAX_WORDS 4

typedef struct content_synonyms content_synonyms_t;

content_synonyms_t *content_synonyms_new (void);
void content_synonyms_destroy (content_synonyms_t **self_p);
/*  Adds the rules in `text`.  Returns the number of rules read, or -1 on
    out-of-memory.  Malformed lines are skipped and counted in *bad.        */
int content_synonyms_parse (content_synonyms_t *self, content_analyzer_t *an,
                            const char *text, size_t len, int *bad);
/*  Reads a file; -1 when it cannot be read.                                */
int content_synonyms_load (content_synonyms_t *self, content_analyzer_t *an,
                           const char *path);

/*  Longest phrase starting at stems[pos] that has expansions: returns how
    many words it covers (0 = none) and the target phrase ids.              */
uint32_t content_synonyms_match (const content_synonyms_t *self,
                                 const char *const *stems, const uint32_t *lens,
                                 uint32_t n, uint32_t pos,
                                 const uint32_t **targets, uint32_t *ntargets);
/*  A phrase as its stems joined by single spaces.                          */
const char *content_synonyms_phrase (const content_synonyms_t *self, uint32_t id,
                                     uint32_t *len);
uint32_t content_synonyms_rules (const content_synonyms_t *self);

#endif
