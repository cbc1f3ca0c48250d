/*  snapshot — what one content-svc request reads, swapped whole by hr_swap
    (serve.c): a catalog version, the model over it (or none), the search
    index and the neighbour lists by catalog index.  Immutable once built. */
#ifndef CONTENT_SNAPSHOT_H
#define CONTENT_SNAPSHOT_H
#include <stdint.h>
#include "hr_catalog.h"
#include "hr_swap.h"
#include "model.h"
#include "search.h"
#include "synonyms.h"

typedef struct {
    hr_snapshot_t *cat;             /* hr_catalog_t */
    const hr_catalog_t *catalog;
    content_model_t *model;         /* NULL until a model is published */
    int64_t model_version;
    content_search_t *search;
    uint64_t *nb_start;             /* catalog index -> its neighbours */
    uint32_t *nb_doc;
    float *nb_score;
    struct content_qcache *qcache;  /* for_user's query hits (qcache.h); NULL: none */
} content_snapshot_t;

/*  A snapshot over `cat` (a catalog snapshot; a reference is taken) with
    `model` (taken, may be NULL).  NULL on failure (model freed).          */
content_snapshot_t *content_snapshot_new (hr_snapshot_t *cat, content_model_t *model,
                                          int64_t version, const content_synonyms_t *syn,
                                          unsigned threads);
/*  An hr_swap_free_fn.  */
void content_snapshot_free (void *snapshot);

#endif
