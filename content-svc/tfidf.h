/*  tfidf — products as sparse term vectors.

    content_docterms_build analyses every product of a catalog (name,
    sub_category, main_category; several threads, one analyzer each) into
    field-weighted term frequencies: one CSR row per product, columns sorted
    by term id, terms = stems in `vocab`.  That matrix feeds both the TF-IDF
    model (training, semantic fold-in) and the BM25 index (serving).

    content_tfidf_weight turns it into TF-IDF: sublinear tf (1 + ln tf for
    tf >= 1), smoothed idf ln((1+n)/(1+df)) + 1 as scikit-learn computes it,
    rows l2-normalised so a dot product is a cosine.                         */
#ifndef CONTENT_TFIDF_H
#define CONTENT_TFIDF_H
#include <stdint.h>
#include "hr_catalog.h"
#include "vocab.h"

/*  How much one occurrence of a word counts, per field.  The category words
    repeat the same information for thousands of products, so they weigh
    less than the name, but enough to keep neighbours in their aisle.        */
typedef struct {
    float name, sub_category, main_category;
} content_fields_t;

#define CONTENT_FIELDS_DEFAULT ((content_fields_t) { 1.0f, 1.0f, 0.5f })

/*  A sparse matrix in CSR form (plain data: build it yourself or with the
    functions below; free with content_matrix_free).                         */
typedef struct {
    uint32_t rows, cols;
    uint64_t *row;              /* rows + 1 offsets */
    uint32_t *col;              /* sorted within a row */
    float *val;
} content_matrix_t;

void content_matrix_free (content_matrix_t *m);
/*  Dot product of two rows (merge of sorted columns).  */
float content_matrix_row_dot (const content_matrix_t *a, uint32_t i,
                              const content_matrix_t *b, uint32_t j);

typedef struct {
    content_matrix_t tf;        /* field-weighted term frequencies */
    content_vocab_t *vocab;     /* stems */
    uint32_t *df;               /* documents per term */
    uint64_t *name_fp;          /* per product: hash of its name's stem sequence */
    float *length;              /* per product: sum of weighted tf (BM25 length) */
    content_vocab_t *words;     /* surface words without digits (typo dictionary) */
    uint32_t *word_freq;        /* occurrences per word */
} content_docterms_t;

typedef void (content_progress_fn) (void *arg, uint64_t done);

/*  NULL on out-of-memory.  progress (may be NULL) is called from one thread
    with the number of products analysed so far.                             */
content_docterms_t *content_docterms_build (const hr_catalog_t *catalog,
                                            const content_fields_t *fields,
                                            unsigned threads,
                                            content_progress_fn *progress, void *arg);
void content_docterms_destroy (content_docterms_t **self_p);

/*  Fills idf[tf->cols] from df and returns the l2-normalised TF-IDF matrix
    with the same shape in *out.  -1 on out-of-memory.                       */
int content_tfidf_weight (const content_matrix_t *tf, const uint32_t *df,
                          float *idf, content_matrix_t *out);
static inline float
content_idf (uint32_t ndocs, uint32_t df)
{
    return __builtin_logf ((1.0f + (float) ndocs) / (1.0f + (float) df)) + 1.0f;
}

/*  Sublinear term frequency (shared by training, fold-in and queries).     */
static inline float
content_sublinear (float tf)
{
    return tf >= 1.0f ? 1.0f + __builtin_logf (tf) : tf;
}

#endif
