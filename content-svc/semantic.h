/*  semantic — dense term vectors learned from the catalog (LSA).

    Truncated SVD of the TF-IDF matrix by randomized range finding (Halko,
    Martinsson & Tropp 2011): project onto a random Gaussian basis, one power
    iteration, orthonormalise (modified Gram-Schmidt), then the exact SVD of
    the small projected matrix (Jacobi eigen-decomposition of B Bᵀ).  The
    result is V_k: one `dim`-vector per term.  A product or a query becomes
    Σ tfidf_t · V_k[t], l2-normalised, so "earbuds" lands near products
    described as "earphones" because the catalog uses both words in the same
    company.  The SVD runs on at most `max_rows` sampled products: term
    co-occurrence statistics converge long before 550k rows.                 */
#ifndef CONTENT_SEMANTIC_H
#define CONTENT_SEMANTIC_H
#include <stdint.h>
#include "tfidf.h"

typedef struct {
    uint32_t dim;               /* target rank */
    uint32_t oversample;
    uint32_t power_iters;
    uint32_t max_rows;
    unsigned threads;
    uint64_t seed;
} content_lsa_opts_t;

#define CONTENT_LSA_OPTS_DEFAULT ((content_lsa_opts_t) { \
    .dim = 64, .oversample = 16, .power_iters = 1, .max_rows = 30000, \
    .threads = 2, .seed = 42 })

/*  X: l2-normalised TF-IDF rows.  *terms = X->cols × *dim floats (row-major,
    malloc'd); *dim may come out smaller when the matrix has lower rank.    */
int content_lsa_train (const content_matrix_t *X, const content_lsa_opts_t *opts,
                       float **terms, uint32_t *dim);

/*  out[dim] = normalised Σ w[k] · terms[col[k]]; returns 0 when the sum is
    zero (no known term), else 1.                                           */
int content_lsa_embed (const float *terms, uint32_t dim, const uint32_t *col,
                       const float *w, uint32_t n, float *out);

#endif
