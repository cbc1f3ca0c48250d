/*  gw_catalog — the catalog as an hr_swap snapshot, polled on its own
    thread (hr_swap_start) from hr_catalog's PostgreSQL source.            */
#include "gw_catalog.h"
#include <stdlib.h>
#include "hr_log.h"
#include "hr_pg.h"
#include "hr_swap.h"

struct gw_catalog_holder {
    hr_swap_t *swap;
    hr_catalog_source_t *source;    /* NULL for a fixed catalog */
};

static hr_catalog_t *
s_empty_catalog (void)
{
    hr_catalog_t *c = hr_catalog_new ();
    if (c)
        hr_catalog_freeze (c);
    return c;
}

gw_catalog_holder_t *
gw_catalog_holder_new (const char *database_url, int poll_ms, int connect_wait_ms)
{
    gw_catalog_holder_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->swap = hr_swap_new (hr_catalog_free);
    self->source = hr_catalog_source_new (database_url, 10000);
    if (!self->swap || !self->source) {
        gw_catalog_holder_destroy (&self);
        return NULL;
    }
    /*  -1 = nothing loaded yet: any stored version differs from it.        */
    hr_swap_install (self->swap, s_empty_catalog (), -1);
    hr_pg_t *pg = hr_pg_new (database_url, 10000, connect_wait_ms);    /* waits for PostgreSQL */
    hr_pg_destroy (&pg);
    if (hr_swap_poll (self->swap, hr_catalog_source_swap (self->source)) < 0)
        hr_warn ("gateway: no catalog yet (PostgreSQL unreachable?); retrying every %d ms", poll_ms);
    if (hr_swap_start (self->swap, hr_catalog_source_swap (self->source), poll_ms) != 0)
        hr_error ("gateway: cannot start the catalog poller");
    return self;
}

gw_catalog_holder_t *
gw_catalog_holder_new_fixed (hr_catalog_t *catalog)
{
    gw_catalog_holder_t *self = calloc (1, sizeof *self);
    if (self)
        self->swap = hr_swap_new (hr_catalog_free);
    if (!self || !self->swap) {
        hr_catalog_destroy (&catalog);
        free (self);
        return NULL;
    }
    hr_swap_install (self->swap, catalog, 1);
    return self;
}

void
gw_catalog_holder_destroy (gw_catalog_holder_t **self_p)
{
    gw_catalog_holder_t *self = *self_p;
    if (!self)
        return;
    hr_swap_destroy (&self->swap);              /* stops the poller first */
    hr_catalog_source_destroy (&self->source);
    free (self);
    *self_p = NULL;
}

static void
s_release (void *p)
{
    hr_snapshot_release ((hr_snapshot_t **) p);
}

const hr_catalog_t *
gw_catalog_for_request (gw_catalog_holder_t *self, h2o_mem_pool_t *pool)
{
    return gw_catalog_for_request_v (self, pool, NULL);
}

const hr_catalog_t *
gw_catalog_for_request_v (gw_catalog_holder_t *self, h2o_mem_pool_t *pool, int64_t *version)
{
    hr_snapshot_t **ref = h2o_mem_alloc_shared (pool, sizeof *ref, s_release);
    *ref = hr_swap_acquire (self->swap);
    if (version)
        *version = hr_snapshot_version (*ref);
    return hr_snapshot_data (*ref);
}

void
gw_catalog_holder_poke (gw_catalog_holder_t *self)
{
    hr_swap_poke (self->swap);
}

int64_t
gw_catalog_version (gw_catalog_holder_t *self)
{
    return hr_swap_version (self->swap);
}
