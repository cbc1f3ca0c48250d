/*  content: content-svc's own for_user (content-svc/recommend.h) over a
    content model built in process from a product CSV (content-svc's
    content_train_build, as `hybridrec train content` builds it), for logs
    whose products have text (eval_strategies.h).  Its *clicked* list: the
    neighbours of the newest clicks, the history never among them.         */
#include "eval_strategies.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hr_catalog.h"
#include "hr_proto.h"
#include "merge_sources.h"
#include "content-svc/catalog_csv.h"
#include "content-svc/train.h"

typedef struct {
    merge_content_t *source;            /* content-svc's for_user (merge_sources.h) */
    const collab_ids_t *ids;            /* borrowed: dense index <-> product id */
} content_t;

static uint32_t
s_content_recommend (void *state, const uint32_t *hist, uint32_t n, int64_t now_ms,
                     bool exclude_history, collab_rec_t *out, uint32_t k)
{
    (void) exclude_history;             /* content never returns the history */
    content_t *self = state;
    if (n == 0)
        return 0;
    if (n > HR_HISTORY_MAX)
        n = HR_HISTORY_MAX;
    const char *ids[HR_HISTORY_MAX];
    int64_t ts[HR_HISTORY_MAX];
    for (uint32_t i = 0; i < n; i++) {
        ids[i] = collab_ids_at (self->ids, hist[i]);
        ts[i] = now_ms - (int64_t) i;   /* newest first */
    }
    hr_proto_list_t clicked = { 0 }, search = { 0 };
    if (merge_content_for_user (self->source, ids, ts, n, k, &clicked, &search) != 0)
        return 0;
    uint32_t got = 0;
    for (uint32_t i = 0; i < clicked.n && got < k; i++) {
        int64_t idx = collab_ids_find (self->ids, clicked.items[i].id, strlen (clicked.items[i].id));
        if (idx >= 0)           /* a product never clicked in train cannot be a target */
            out[got++] = (collab_rec_t) { (uint32_t) idx, clicked.items[i].score };
    }
    hr_proto_list_free (&clicked);
    hr_proto_list_free (&search);
    return got;
}

static void
s_content_destroy (void *state)
{
    content_t *self = state;
    merge_content_destroy (&self->source);
    free (self);
}

int
eval_content (eval_strategy_t *st, const char *catalog_csv, const collab_ids_t *ids,
              char *err, size_t errlen)
{
    const char *paths[] = { catalog_csv, NULL };
    hr_catalog_t *catalog = content_catalog_from_csv (paths);
    if (!catalog) {
        snprintf (err, errlen, "cannot read the catalog %s", catalog_csv);
        return -1;
    }
    content_t *self = calloc (1, sizeof *self);
    content_train_opts_t o;
    content_train_opts_default (&o);
    o.threads = 2;
    o.progress = false;
    content_model_t *model = NULL;
    content_train_stats_t stats;
    if (!self || content_train_build (catalog, 1, &o, &model, &stats) != 0) {
        snprintf (err, errlen, "cannot build the content model");
        hr_catalog_destroy (&catalog);
        free (self);
        return -1;
    }
    self->ids = ids;
    self->source = merge_content_from (catalog, model, 1, err, errlen);
    if (!self->source) {
        free (self);
        return -1;
    }
    *st = (eval_strategy_t) { .name = "content", .state = self,
                              .recommend = s_content_recommend,
                              .destroy = s_content_destroy,
                              .note = "content-svc for_user (clicked list), model built from --catalog" };
    return 0;
}
