/*  merge_sources — the candidate sources of /home's personalized list,
    rebuilt in process for `hybridrec train merge` (merge_train.c).

    content: content-svc's own for_user (recommend.h) over the served
    content model and the catalog (both read from the stores; the content
    model is built from the catalog alone, so the held-out clicks cannot
    leak into it).  collab, rules and the diverse picks' popularity are the
    evaluation's strategies (eval_strategies.h), trained on the sessions
    before the held-out tail.                                              */
#ifndef MERGE_SOURCES_H
#define MERGE_SOURCES_H
#include <stdint.h>
#include "hr_pg.h"
#include "hr_proto.h"
#include "hr_redis.h"
#include "hr_catalog.h"
#include "content-svc/model.h"

typedef struct merge_content merge_content_t;

/*  Loads the catalog and the current content model.  Without a published
    content model the source answers empty lists (*have_model false).
    NULL with the reason in err on a store failure or out of memory.       */
merge_content_t *merge_content_new (hr_pg_t *pg, hr_redis_t *redis, bool *have_model,
                                    char *err, size_t errlen);
/*  The same source over a catalog and a content model built in process
    (`hybridrec eval --catalog`); takes both, also on failure.             */
merge_content_t *merge_content_from (hr_catalog_t *catalog, content_model_t *model, int64_t version,
                                     char *err, size_t errlen);
void merge_content_destroy (merge_content_t **self_p);

/*  content-svc's for_user on a history of clicks (product ids, newest
    first, with their times): its clicked and search lists (free with
    hr_proto_list_free).  0 / -1.                                           */
int merge_content_for_user (merge_content_t *self, const char *const *ids, const int64_t *ts,
                            uint32_t n, uint32_t limit, hr_proto_list_t *clicked,
                            hr_proto_list_t *search);

#endif
