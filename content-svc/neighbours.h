/*  neighbours — the top-K most similar products of every product.

    Cosine similarity of l2-normalised TF-IDF rows, computed through an
    inverted index instead of a dense n x n product:

      candidates  for product i, accumulate w_it * w_jt over the postings of
                  i's terms.  Postings are impact-ordered (heaviest weights
                  first) and cut at `max_postings`, so a word shared by half
                  the catalog costs no more than a rare one: the pruning that
                  keeps a 550k build linear.
      rescoring   the best `candidates` partial scores are re-scored exactly
                  (sparse row dot product), sorted, and
      collapsing  near-duplicates are dropped: a candidate whose name has the
                  same stem sequence as the product or as an accepted
                  neighbour, or whose cosine to either is >= dup_cosine.  The
                  Amazon data lists one product under several ids; without
                  this a `similar` list is the same item five times.

    Products are split across threads (dynamic chunks); each thread owns its
    accumulator, so there are no locks in the loop.                          */
#ifndef CONTENT_NEIGHBOURS_H
#define CONTENT_NEIGHBOURS_H
#include <stdint.h>
#include "tfidf.h"

typedef struct {
    uint32_t k;                 /* neighbours kept per product (<= 255) */
    unsigned threads;
    uint32_t max_postings;      /* 0 = no pruning (exact) */
    uint32_t candidates;        /* re-scored exactly per product */
    float dup_cosine;           /* > 1 = keep duplicates */
    float min_score;            /* drop neighbours below this cosine */
    content_progress_fn *progress;   /* called from one thread; may be NULL */
    void *progress_arg;
} content_nb_opts_t;

#define CONTENT_NB_OPTS_DEFAULT ((content_nb_opts_t) { \
    .k = 60, .threads = 2, .max_postings = 300, .candidates = 100, \
    .dup_cosine = 0.95f, .min_score = 0.01f })

typedef struct {
    uint32_t n, k;
    uint8_t *count;             /* n: neighbours of product i */
    uint32_t *idx;              /* n * k: row indices, best first */
    float *score;               /* n * k: cosines */
    uint64_t duplicates_collapsed;
} content_neighbours_t;

/*  X: l2-normalised rows.  name_fp: per row (NULL = no name check).  0/-1. */
int content_neighbours_build (const content_matrix_t *X, const uint64_t *name_fp,
                              const content_nb_opts_t *opts, content_neighbours_t *out);
void content_neighbours_free (content_neighbours_t *nb);

#endif
