/*  typo — corrects a misspelt query word to a catalog word.

    Symmetric-delete index (as in SymSpell): every dictionary word is stored
    with the variants obtained by deleting one or two characters; a query
    word's variants (0, 1 and 2 deletions) are looked up there, so any two
    edits are found (two substitutions "geezer" -> "geyser" included), and
    each candidate is verified with the optimal-string-alignment edit
    distance (insert, delete, substitute, swap adjacent).  The caller picks
    the allowed distance; content_typo_max_distance is the context-free
    default: none below 5 bytes ("ac" must not become "a"), 1 up to 7
    bytes, 2 from 8.  Candidates come nearest first, then most frequent.     */
#ifndef CONTENT_TYPO_H
#define CONTENT_TYPO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct content_typo content_typo_t;

content_typo_t *content_typo_new (void);
void content_typo_destroy (content_typo_t **self_p);
/*  Adds a folded word with its frequency (repeats add up).  0 / -1.        */
int content_typo_add (content_typo_t *self, const char *w, size_t n, uint32_t freq);
/*  Builds the index; call once after the adds.  0 / -1.                     */
int content_typo_freeze (content_typo_t *self);
typedef struct {
    uint32_t word;              /* dictionary id (content_typo_word) */
    int distance;
    uint32_t freq;
} content_typo_cand_t;

/*  Up to cap dictionary words within `max` edits of w (never w itself),
    best first.  Returns the count.                                          */
uint32_t content_typo_candidates (const content_typo_t *self, const char *w, size_t n,
                                  int max, content_typo_cand_t *out, uint32_t cap);
const char *content_typo_word (const content_typo_t *self, uint32_t word, uint32_t *len);
/*  The best dictionary word within content_typo_max_distance of w (not w
    itself): its length, copied NUL-terminated into out; 0 when none.       */
size_t content_typo_correct (const content_typo_t *self, const char *w, size_t n,
                             char *out, size_t cap, int *distance);
int content_typo_max_distance (size_t n);
/*  The cost of typing b as a (an edit distance, optimal string alignment):
    an edit costs 1, CONTENT_TYPO_CHEAP when a hand or an ear makes it
    (a QWERTY neighbour, letters that sound alike or two vowels
    substituted, adjacent letters swapped, a doubled letter typed once or a
    letter typed twice); with CONTENT_TYPO_VOWEL_GAP in flags also a vowel
    of b left out of a ("televison", "stnd", "refrigertor": shoppers write
    the consonants and skip vowels; an extra vowel typed stays a full edit);
    with CONTENT_TYPO_DIGRAPH one sound spelt otherwise ("fone" for phone,
    "loshion" for lotion) is one cheap edit.                               */
#ifndef CONTENT_TYPO_CHEAP
#define CONTENT_TYPO_CHEAP 0.5
#endif
#define CONTENT_TYPO_VOWEL_GAP 1u
#define CONTENT_TYPO_DIGRAPH 2u
double content_typo_cost (const char *a, size_t na, const char *b, size_t nb, unsigned flags);

/*  a and b are letters a shopper writes for one another by sound (c/s,
    c/k, k/q, g/j, v/w, f/p, i/e, i/y, z/x).                                */
bool content_sounds_alike (char a, char b);
/*  Optimal string alignment distance, stopping early above `max`.          */
int content_osa_distance (const char *a, size_t na, const char *b, size_t nb, int max);

#endif
