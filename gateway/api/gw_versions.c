/*  gw_versions — the cache generation (see gw_versions.h).                  */
#include "gw_versions.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "hr_client.h"
#include "hr_log.h"
#include "hr_model_store.h"
#include "hr_proto.h"
#include "hr_swap.h"

static const char *const s_models[] = { HR_MODEL_CONTENT, HR_MODEL_COLLAB, HR_MODEL_RULES };
#define NMODELS (sizeof s_models / sizeof s_models[0])
#define NVERSIONS (NMODELS + 1)           /* the catalog, then the models */

struct gw_versions {
    gw_catalog_holder_t *catalog;
    char *database_url, *redis_url;     /* NULL: models not watched */
    hr_pg_t *pg;                        /* the poller thread's own */
    hr_redis_t *redis;
    int settle_ms;
    /*  The poller (hr_swap): a snapshot is the versions a generation was
        seen with; the snapshot's version is the generation.              */
    hr_swap_t *swap;
    hr_swap_source_t source;
    int64_t seen[NVERSIONS];            /* poller thread only */
    int64_t next_gen;                   /* poller thread only */
    _Atomic uint64_t gen;               /* the installed generation, lock-free */
    _Atomic int64_t fill_from_ms;       /* no stores before (a change settles) */
};

/*  The generation to serve: a new one when anything moved.  An
    unreadable version (-1: Redis and PostgreSQL down) keeps the last one
    seen.  */
static int64_t
s_current (void *arg)
{
    gw_versions_t *self = arg;
    int64_t now[NVERSIONS];
    now[0] = gw_catalog_version (self->catalog);
    for (size_t i = 0; i < NMODELS; i++) {
        now[i + 1] = self->seen[i + 1];
        if (!self->database_url)
            continue;
        if (!self->pg)
            self->pg = hr_pg_new (self->database_url, 2000, 0);
        if (self->redis_url && !self->redis)
            self->redis = hr_redis_new (self->redis_url, 500);
        int64_t v = self->pg ? hr_model_current (self->pg, self->redis, s_models[i]) : -1;
        if (v >= 0)
            now[i + 1] = v;
    }
    if (memcmp (now, self->seen, sizeof now) != 0) {
        memcpy (self->seen, now, sizeof now);
        self->next_gen++;
    }
    return self->next_gen;
}

/*  Generation `gen` comes in: answers are not stored until it settles.  */
static void *
s_load (void *arg, int64_t gen)
{
    gw_versions_t *self = arg;
    int64_t *versions = malloc (sizeof self->seen);
    if (!versions)
        return NULL;
    memcpy (versions, self->seen, sizeof self->seen);
    atomic_store (&self->fill_from_ms, hr_now_ms () + self->settle_ms);
    atomic_store (&self->gen, (uint64_t) gen);
    return versions;
}

gw_versions_t *
gw_versions_new (gw_catalog_holder_t *catalog, const char *database_url, const char *redis_url,
                 int poll_ms, int settle_ms)
{
    gw_versions_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->catalog = catalog;
    self->database_url = database_url && database_url[0] ? strdup (database_url) : NULL;
    self->redis_url = redis_url && redis_url[0] ? strdup (redis_url) : NULL;
    self->settle_ms = settle_ms;
    for (size_t i = 0; i < NVERSIONS; i++)
        self->seen[i] = -2;                     /* never a real version */
    atomic_init (&self->gen, 0);
    atomic_init (&self->fill_from_ms, 0);
    self->source = (hr_swap_source_t) { .current = s_current, .load = s_load, .arg = self };
    self->swap = hr_swap_new (free);
    if (!self->swap) {
        gw_versions_destroy (&self);
        return NULL;
    }
    hr_swap_poll (self->swap, &self->source);  /* generation 1 */
    if (hr_swap_start (self->swap, &self->source, poll_ms > 0 ? poll_ms : 1) != 0)
        hr_error ("gateway: cannot start the cache version poller (caching stays at generation 1)");
    return self;
}

void
gw_versions_destroy (gw_versions_t **self_p)
{
    gw_versions_t *self = *self_p;
    if (!self)
        return;
    hr_swap_destroy (&self->swap);              /* stops the poller first */
    hr_pg_destroy (&self->pg);
    hr_redis_destroy (&self->redis);
    free (self->database_url);
    free (self->redis_url);
    free (self);
    *self_p = NULL;
}

uint64_t
gw_versions_gen (gw_versions_t *self, bool *fill)
{
    if (fill)
        *fill = hr_now_ms () >= atomic_load_explicit (&self->fill_from_ms, memory_order_relaxed);
    return atomic_load_explicit (&self->gen, memory_order_acquire);
}

int64_t
gw_versions_settled_ms (gw_versions_t *self)
{
    return hr_now_ms () - atomic_load_explicit (&self->fill_from_ms, memory_order_relaxed);
}

void
gw_versions_poke (gw_versions_t *self)
{
    hr_swap_poke (self->swap);
}
