/*  train — builds the content model from a catalog and publishes it.

    analyse (docterms) -> TF-IDF -> neighbours (pruned inverted index,
    threads, near-duplicates collapsed) -> LSA term vectors -> blob.         */
#ifndef CONTENT_TRAIN_H
#define CONTENT_TRAIN_H
#include <stdbool.h>
#include <stdint.h>
#include "hr_catalog.h"
#include "hr_model_store.h"
#include "hr_proto.h"
#include "hr_wire.h"
#include "model.h"
#include "neighbours.h"
#include "search.h"
#include "semantic.h"
#include "tfidf.h"


typedef struct {
    unsigned threads;
    content_fields_t fields;
    content_nb_opts_t nb;
    content_lsa_opts_t lsa;
    bool progress;              /* progress bars on a TTY */
    /*  search_query and click events, by user then time (borrowed; may be
        empty): what search learns from clicks (content_search_learn)     */
    const content_event_t *events;
    size_t nevents;
} content_train_opts_t;

void content_train_opts_default (content_train_opts_t *o);

typedef struct {
    uint32_t products, terms, dim, k;
    uint64_t neighbours, duplicates_collapsed, nnz;
    double analyse_s, neighbours_s, lsa_s, total_s;
    uint64_t events;            /* search/click events read */
    uint32_t learned_rules, learned_boosts;
    size_t blob_bytes;
} content_train_stats_t;

/*  Builds the model (caller destroys *model_out).  0 / -1.                  */
int content_train_build (const hr_catalog_t *catalog, int64_t catalog_version,
                         const content_train_opts_t *opts, content_model_t **model_out,
                         content_train_stats_t *stats);
/*  The summary as a JSON object (malloc'd), stored as the version's meta.   */
char *content_train_meta_json (const content_train_stats_t *s);
/*  Encodes and publishes; *version_out = the new version.  0 / -1.          */
int content_train_publish (hr_pg_t *pg, hr_redis_t *redis, const content_model_t *model,
                           content_train_stats_t *stats, int64_t *version_out);

#endif
