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
#include "hr_swap.h"
#include "content-svc/catalog_csv.h"
#include "content-svc/recommend.h"
#include "content-svc/snapshot.h"
#include "content-svc/synonyms.h"
#include "content-svc/train.h"

typedef struct {
    hr_swap_t *catalogs;
    content_synonyms_t *syn;
    content_snapshot_t *snapshot;
    const collab_ids_t *ids;            /* borrowed: dense index <-> product id */
    hr_writer_t history, reply;
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
    hr_event_t *events = calloc (n, sizeof *events);
    if (!events)
        return 0;
    for (uint32_t i = 0; i < n; i++) {
        events[i].type = HR_EVENT_CLICK;
        snprintf (events[i].value, sizeof events[i].value, "%s", collab_ids_at (self->ids, hist[i]));
        events[i].ts_ms = now_ms - (int64_t) i;        /* newest first */
    }
    hr_writer_reset (&self->history);
    hr_proto_history_put (&self->history, events, n);
    free (events);
    hr_reader_t r;
    hr_reader_init (&r, self->history.data, self->history.len);
    hr_proto_for_user_t req;
    if (self->history.oom || hr_proto_history_get (&r, &req.history) != 0)
        return 0;
    req.limit = k;
    hr_writer_reset (&self->reply);
    hr_proto_list_t clicked = { 0 }, search = { 0 };
    if (content_recommend_for_user (self->snapshot, &req, &self->reply) != 0 || self->reply.oom
        || hr_proto_two_lists_decode (self->reply.data, self->reply.len, &clicked, &search) != 0)
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
    if (self->snapshot)
        content_snapshot_free (self->snapshot);
    hr_swap_destroy (&self->catalogs);
    content_synonyms_destroy (&self->syn);
    hr_writer_free (&self->history);
    hr_writer_free (&self->reply);
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
    hr_writer_init (&self->history);
    hr_writer_init (&self->reply);
    self->ids = ids;
    self->catalogs = hr_swap_new (hr_catalog_free);
    self->syn = content_synonyms_new ();
    if (!self->catalogs || !self->syn || hr_swap_install (self->catalogs, catalog, 1) != 0) {
        hr_catalog_destroy (&catalog);
        content_model_destroy (&model);
        s_content_destroy (self);
        snprintf (err, errlen, "out of memory");
        return -1;
    }
    hr_snapshot_t *cat = hr_swap_acquire (self->catalogs);
    self->snapshot = cat ? content_snapshot_new (cat, model, 1, self->syn, 2) : NULL;
    hr_snapshot_release (&cat);
    if (!self->snapshot) {
        s_content_destroy (self);
        snprintf (err, errlen, "out of memory building the content index");
        return -1;
    }
    *st = (eval_strategy_t) { .name = "content", .state = self,
                              .recommend = s_content_recommend,
                              .destroy = s_content_destroy,
                              .note = "content-svc for_user (clicked list), model built from --catalog" };
    return 0;
}
