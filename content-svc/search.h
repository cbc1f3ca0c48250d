/*  search — product search: BM25 over name and categories, query expansion
    with synonyms and typo corrections, blended with LSA semantic matching.

    The index is built at model load from the live catalog (a few hundred
    milliseconds for 30k products), so search works before any model was
    trained; the model adds the semantic component (see docs/search.md).

    A query is analysed like product text, then planned into clauses, one
    per query word (or per multi-word synonym phrase).  A clause has
    alternatives: the word itself, its typo correction, its synonyms; a
    product scores the best alternative of each clause, summed (BM25), times
    the share of clauses it matched (so "samsung phone" ranks phones by
    Samsung above every Samsung product), times a small popularity prior
    (reviews, rating) that breaks BM25's many ties.                          */
#ifndef CONTENT_SEARCH_H
#define CONTENT_SEARCH_H
#include <stddef.h>
#include <stdint.h>
#include "hr_catalog.h"
#include "model.h"
#include "synonyms.h"
#include "tfidf.h"

typedef struct {
    float k1, b;                /* BM25 */
    float synonym_weight;       /* of a synonym alternative */
    float typo_weight;          /* of a corrected word */
    float w_lexical, w_semantic;
    float semantic_min;         /* cosine for a semantic-only hit */
    unsigned parts;             /* CONTENT_PART_* switched on */
} content_search_opts_t;

/*  Parts of query understanding that can be switched off (the ablation of
    docs/search.md; all on in service).                                     */
#define CONTENT_PART_TYPO2       (1u << 0)  /* two edits in a 5-7 letter word */
#define CONTENT_PART_CONSTRAINTS (1u << 1)  /* audience/brand/attribute+type */
#define CONTENT_PART_LEARNED     (1u << 2)  /* click-trained synonyms, boosts */
#define CONTENT_PART_PRICE       (1u << 3)  /* a tenth of the type's price: a part */
#define CONTENT_PART_COMPOUND    (1u << 4)  /* "ear phones" = earphones, "waterbottle" split */
#define CONTENT_PART_TYPOCOST    (1u << 5)  /* corrections ranked by a keyboard/sound edit cost */
#define CONTENT_PART_TYPOCONTEXT (1u << 6)  /* context words count with their synonyms */
#define CONTENT_PART_SHORT2      (1u << 7)  /* a 4-letter word: two edits to a longer word */
#define CONTENT_PART_MAINHALF    (1u << 8)  /* a clause met only by the main category counts half */
#define CONTENT_PART_PRONOUN     (1u << 9)  /* "for her" / "for him" name the audience */
#define CONTENT_PART_BRANDZONE   (1u << 10) /* a brand opens 30 % of the names whose zone has it */
#define CONTENT_PART_SHORT1      (1u << 11) /* a 4-letter word alone: one cheap edit */
#define CONTENT_PART_SPLITTYPO   (1u << 12) /* no split of a word one edit from a known one */
#define CONTENT_PART_VOWELGAP    (1u << 13) /* a vowel left out costs half an edit */
#define CONTENT_PART_TYPOPOOL    (1u << 14) /* 64 candidates, the 16 cheapest weighed */
#define CONTENT_PART_QUANTITY    (1u << 15) /* "7 kg", "1.5 ton": a size asked for is a constraint */
#define CONTENT_PART_DIGRAPH     (1u << 16) /* "f" for "ph", "sh" for "t": one cheap edit */
#define CONTENT_PART_SHORTSOUND  (1u << 17) /* a 4-letter word's first letter may sound alike */
#define CONTENT_PART_ALL         0x3ffffu

#define CONTENT_SEARCH_OPTS_DEFAULT ((content_search_opts_t) { \
    .k1 = 1.2f, .b = 0.75f, .synonym_weight = 0.85f, .typo_weight = 0.9f, \
    .w_lexical = 0.75f, .w_semantic = 0.25f, .semantic_min = 0.6f, \
    .parts = CONTENT_PART_ALL })

/*  Switches off a part by name ("typo2", "constraints", "learned", "price"); -1 for
    an unknown name.                                                        */
int content_search_opts_off (content_search_opts_t *o, const char *part);

typedef struct {
    uint32_t doc;               /* catalog index */
    float score;
} content_hit_t;

typedef struct content_search content_search_t;
typedef struct content_search_session content_search_session_t;

/*  Takes ownership of dt (built from the same catalog); borrows synonyms
    and model (may be NULL), which must outlive the index.                  */
content_search_t *content_search_new (const hr_catalog_t *catalog, content_docterms_t *dt,
                                      const content_synonyms_t *synonyms,
                                      const content_model_t *model,
                                      const content_search_opts_t *opts, unsigned threads);
void content_search_destroy (content_search_t **self_p);

/*  Per-request scratch (analyzer, score arrays): pooled, so a query
    allocates nothing once the pool is warm.  NULL on out-of-memory.        */
content_search_session_t *content_search_session_take (content_search_t *self);
void content_search_session_give (content_search_t *self, content_search_session_t **s_p);

/*  Runs a query; *hits (owned by the session, valid until its next use)
    gets the best `limit` products, best first.  Returns the count.         */
uint32_t content_search_query (content_search_t *self, content_search_session_t *s,
                               const char *query, size_t len, uint32_t limit,
                               const content_hit_t **hits);
/*  The analysis of a query as JSON (malloc'd): tokens, stems, corrections,
    clauses with their alternatives, whether the semantic part applies.     */
char *content_search_explain (content_search_t *self, content_search_session_t *s,
                              const char *query, size_t len);

bool content_search_has_semantic (const content_search_t *self);

/*  ---- the click-trained layer (CONTENT_PART_LEARNED; docs/search.md) ----
    A search_query followed, within CONTENT_LEARN_WINDOW_MS and before the
    same user's next query, by clicks of that user pairs the query with the
    clicked products.  From the pairs:
      * synonyms: a query word the catalog does not know (or names in fewer
        than 3 products) learns the catalog word that is a head of the most
        clicked products' names, when it is in at least half of them and
        CONTENT_LEARN_MIN_USERS users clicked ("pocha" -> mop).  Written as
        rules of data/synonyms.txt's format ("pocha => mop"), so they can be
        read, reviewed and stored as text;
      * boosts: a (query, product) pair clicked by CONTENT_LEARN_MIN_USERS
        users multiplies that product's score for that query (its analysed
        form) by 1 + 0.5 * min(users, 5) / 5.                              */
#define CONTENT_LEARN_WINDOW_MS (30 * 60 * 1000)
#define CONTENT_LEARN_MIN_USERS 2

typedef struct {
    const char *user;
    const char *query;          /* a search_query; NULL for a click */
    const char *product_id;     /* a click (10 chars); NULL for a query */
    int64_t ts_ms;
} content_event_t;

/*  content_learned_t (what was learnt) is declared in model.h: training
    stores it in the model blob and every replica's index uses it.          */
/*  Learns from events sorted by user, then time.  0 / -1 (out of memory). */
int content_search_learn (content_search_t *self, const content_event_t *ev, size_t n,
                          content_learned_t *out);
/*  Uses what was learned (copied; replaces what was set before; call before
    the index serves queries).  0 / -1.                                     */
int content_search_set_learned (content_search_t *self, const content_learned_t *l);

#endif
