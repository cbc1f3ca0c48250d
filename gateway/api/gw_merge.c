/*  gw_merge — the merge model as an hr_swap snapshot (see gw_merge.h).    */
#include "gw_merge.h"
#include <stdlib.h>
#include "hr_log.h"
#include "hr_model_store.h"
#include "hr_proto.h"
#include "hr_swap.h"

struct gw_merge {
    hr_swap_t *swap;
    hr_model_source_t *source;      /* NULL for a fixed model */
};

static void
s_free (void *model)
{
    hr_merge_model_t *m = model;
    hr_merge_model_destroy (&m);
}

/*  hr_model_source's decoder: NULL blob (version 0) = no model.           */
static void *
s_decode (void *arg, const void *blob, size_t len, int64_t version)
{
    (void) arg;
    if (!blob)
        return NULL;
    char err[160];
    hr_merge_model_t *m = hr_merge_model_decode (blob, len, err, sizeof err);
    if (!m)
        hr_error ("gateway: merge model v%lld rejected: %s", (long long) version, err);
    else
        hr_info ("gateway: merge model v%lld loaded", (long long) version);
    return m;
}

gw_merge_t *
gw_merge_new (const char *database_url, const char *redis_url, int poll_ms)
{
    gw_merge_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->swap = hr_swap_new (s_free);
    self->source = hr_model_source_new (HR_MODEL_MERGE, database_url,
                                        redis_url && redis_url[0] ? redis_url : NULL,
                                        s_decode, NULL);
    if (!self->swap || !self->source) {
        gw_merge_destroy (&self);
        return NULL;
    }
    const hr_swap_source_t *src = hr_model_source_swap (self->source);
    hr_swap_poll (self->swap, src);         /* failures are logged; the poller retries */
    if (hr_swap_start (self->swap, src, poll_ms) != 0)
        hr_error ("gateway: cannot start the merge model poller");
    return self;
}

gw_merge_t *
gw_merge_new_fixed (hr_merge_model_t *model, int64_t version)
{
    gw_merge_t *self = calloc (1, sizeof *self);
    if (self)
        self->swap = hr_swap_new (s_free);
    if (!self || !self->swap) {
        hr_merge_model_destroy (&model);
        free (self);
        return NULL;
    }
    hr_swap_install (self->swap, model, version);
    return self;
}

void
gw_merge_destroy (gw_merge_t **self_p)
{
    gw_merge_t *self = *self_p;
    if (!self)
        return;
    hr_swap_destroy (&self->swap);              /* stops the poller first */
    hr_model_source_destroy (&self->source);
    free (self);
    *self_p = NULL;
}

static void
s_release (void *p)
{
    hr_snapshot_release ((hr_snapshot_t **) p);
}

const hr_merge_model_t *
gw_merge_for_request (gw_merge_t *self, h2o_mem_pool_t *pool, int64_t *version)
{
    if (version)
        *version = 0;
    if (!self)
        return NULL;
    hr_snapshot_t *snap = hr_swap_acquire (self->swap);
    if (!snap)
        return NULL;
    hr_snapshot_t **ref = h2o_mem_alloc_shared (pool, sizeof *ref, s_release);
    *ref = snap;
    if (version)
        *version = hr_snapshot_version (snap);
    return hr_snapshot_data (snap);
}
