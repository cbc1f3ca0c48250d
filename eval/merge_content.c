/*  merge_content — content-svc's for_user in process (merge_sources.h).  */
#include "merge_sources.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hr_catalog.h"
#include "hr_model_store.h"
#include "hr_swap.h"
#include "content-svc/recommend.h"
#include "content-svc/snapshot.h"
#include "content-svc/synonyms.h"

struct merge_content {
    hr_swap_t *catalogs;
    content_synonyms_t *syn;
    content_snapshot_t *snapshot;       /* NULL: no content model */
    hr_writer_t history, reply;
};

/*  Takes the catalog and the model: installs the catalog and builds the
    snapshot (content-svc's index) over both.  On failure both are freed. */
static int
s_install (merge_content_t *self, hr_catalog_t *catalog, content_model_t *model,
           int64_t version, char *err, size_t errlen)
{
    if (!self->catalogs)
        self->catalogs = hr_swap_new (hr_catalog_free);
    if (!self->catalogs || hr_swap_install (self->catalogs, catalog, 1) != 0) {
        snprintf (err, errlen, "out of memory");
        hr_catalog_destroy (&catalog);
        content_model_destroy (&model);
        return -1;
    }
    hr_snapshot_t *cat = hr_swap_acquire (self->catalogs);
    self->snapshot = cat ? content_snapshot_new (cat, model, version, self->syn, 2) : NULL;
    hr_snapshot_release (&cat);
    if (!self->snapshot) {
        snprintf (err, errlen, "out of memory building the content index");
        return -1;
    }
    return 0;
}

merge_content_t *
merge_content_new (hr_pg_t *pg, hr_redis_t *redis, bool *have_model, char *err, size_t errlen)
{
    *have_model = false;
    merge_content_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, errlen, "out of memory");
        return NULL;
    }
    hr_writer_init (&self->history);
    hr_writer_init (&self->reply);
    int64_t version = hr_model_current (pg, redis, HR_MODEL_CONTENT);
    if (version < 0) {
        snprintf (err, errlen, "cannot read the content model's version");
        merge_content_destroy (&self);
        return NULL;
    }
    if (version == 0)
        return self;                    /* no content model: empty lists */
    void *blob = NULL;
    size_t len = 0;
    hr_catalog_t *catalog = hr_catalog_load (pg);
    self->catalogs = hr_swap_new (hr_catalog_free);
    self->syn = content_synonyms_new ();
    if (!catalog || !self->catalogs || !self->syn
        || hr_model_fetch (pg, redis, HR_MODEL_CONTENT, version, &blob, &len) != 0) {
        snprintf (err, errlen, "cannot load the catalog or content model v%lld", (long long) version);
        hr_catalog_destroy (&catalog);
        merge_content_destroy (&self);
        return NULL;
    }
    content_model_t *model = content_model_decode (blob, len, err, errlen);
    free (blob);
    if (!model || s_install (self, catalog, model, version, err, errlen) != 0) {
        if (!model)
            hr_catalog_destroy (&catalog);
        merge_content_destroy (&self);
        return NULL;
    }
    *have_model = true;
    return self;
}

merge_content_t *
merge_content_from (hr_catalog_t *catalog, content_model_t *model, int64_t version,
                    char *err, size_t errlen)
{
    merge_content_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, errlen, "out of memory");
        hr_catalog_destroy (&catalog);
        content_model_destroy (&model);
        return NULL;
    }
    hr_writer_init (&self->history);
    hr_writer_init (&self->reply);
    self->syn = content_synonyms_new ();
    if (!self->syn) {
        snprintf (err, errlen, "out of memory");
        hr_catalog_destroy (&catalog);
        content_model_destroy (&model);
        merge_content_destroy (&self);
        return NULL;
    }
    if (s_install (self, catalog, model, version, err, errlen) != 0) {
        merge_content_destroy (&self);
        return NULL;
    }
    return self;
}

void
merge_content_destroy (merge_content_t **self_p)
{
    merge_content_t *self = *self_p;
    if (!self)
        return;
    if (self->snapshot)
        content_snapshot_free (self->snapshot);
    hr_swap_destroy (&self->catalogs);
    content_synonyms_destroy (&self->syn);
    hr_writer_free (&self->history);
    hr_writer_free (&self->reply);
    free (self);
    *self_p = NULL;
}

int
merge_content_for_user (merge_content_t *self, const char *const *ids, const int64_t *ts,
                        uint32_t n, uint32_t limit, hr_proto_list_t *clicked,
                        hr_proto_list_t *search)
{
    memset (clicked, 0, sizeof *clicked);
    memset (search, 0, sizeof *search);
    if (!self->snapshot || n == 0)
        return 0;
    if (n > HR_HISTORY_MAX)
        n = HR_HISTORY_MAX;
    hr_event_t *events = calloc (n, sizeof *events);
    if (!events)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        events[i].type = HR_EVENT_CLICK;
        snprintf (events[i].value, sizeof events[i].value, "%.*s", HR_PRODUCT_ID_LEN, ids[i]);
        events[i].ts_ms = ts[i];
    }
    hr_writer_reset (&self->history);
    hr_proto_history_put (&self->history, events, n);
    free (events);
    hr_reader_t r;
    hr_reader_init (&r, self->history.data, self->history.len);
    hr_proto_for_user_t req;
    if (self->history.oom || hr_proto_history_get (&r, &req.history) != 0)
        return -1;
    req.limit = limit;
    hr_writer_reset (&self->reply);
    if (content_recommend_for_user (self->snapshot, &req, &self->reply) != 0 || self->reply.oom)
        return -1;
    return hr_proto_two_lists_decode (self->reply.data, self->reply.len, clicked, search);
}
