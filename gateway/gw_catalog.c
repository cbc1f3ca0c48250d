/*  gw_catalog — refcounted catalog snapshots and the version poller.        */
#include "gw_catalog.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include "hr_log.h"
#include "hr_pg.h"

typedef struct {
    hr_catalog_t *catalog;
    atomic_int refs;
    int64_t version;
} snapshot_t;

struct gw_catalog_holder {
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    snapshot_t *current;
    char *database_url;
    int poll_ms;
    bool stopping, has_thread;
    bool poked;                 /* a write asked for a check (kept while a refresh runs) */
    pthread_t thread;
};

static snapshot_t *
snapshot_new (hr_catalog_t *catalog, int64_t version)
{
    snapshot_t *s = calloc (1, sizeof *s);
    if (!s)
        return NULL;
    s->catalog = catalog;
    s->version = version;
    atomic_init (&s->refs, 1);          /* the holder's own reference */
    return s;
}

static void
snapshot_release (snapshot_t *s)
{
    if (s && atomic_fetch_sub (&s->refs, 1) == 1) {
        hr_catalog_destroy (&s->catalog);
        free (s);
    }
}

static void
swap_in (gw_catalog_holder_t *self, snapshot_t *fresh)
{
    pthread_mutex_lock (&self->mutex);
    snapshot_t *old = self->current;
    self->current = fresh;
    pthread_mutex_unlock (&self->mutex);
    snapshot_release (old);
}

static hr_catalog_t *
empty_catalog (void)
{
    hr_catalog_t *c = hr_catalog_new ();
    if (c)
        hr_catalog_freeze (c);
    return c;
}

/*  Loads when the stored version differs from ours; 0 unchanged/loaded.   */
static int
refresh (gw_catalog_holder_t *self, hr_pg_t *pg)
{
    int64_t version = hr_catalog_version_pg (pg);
    if (version < 0)
        return -1;
    if (version == gw_catalog_version (self))
        return 0;
    hr_catalog_t *catalog = hr_catalog_load (pg);
    if (!catalog)
        return -1;
    snapshot_t *fresh = snapshot_new (catalog, version);
    if (!fresh) {
        hr_catalog_destroy (&catalog);
        return -1;
    }
    char v[24], n[16];
    snprintf (v, sizeof v, "%lld", (long long) version);
    snprintf (n, sizeof n, "%u", hr_catalog_size (catalog));
    hr_log_kv (HR_LOG_INFO, NULL, "catalog loaded", "version", v, "products", n, NULL);
    swap_in (self, fresh);
    return 0;
}

static void *
poller (void *arg)
{
    gw_catalog_holder_t *self = arg;
    hr_pg_t *pg = NULL;
    pthread_mutex_lock (&self->mutex);
    while (!self->stopping) {
        struct timespec until;
        clock_gettime (CLOCK_REALTIME, &until);
        until.tv_sec += self->poll_ms / 1000;
        until.tv_nsec += (long) (self->poll_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (!self->poked)
            pthread_cond_timedwait (&self->wake, &self->mutex, &until);
        self->poked = false;
        if (self->stopping)
            break;
        pthread_mutex_unlock (&self->mutex);
        if (!pg)
            pg = hr_pg_new (self->database_url, 10000, 0);
        if (pg && refresh (self, pg) != 0)
            hr_warn ("gateway: catalog refresh failed; serving the previous catalog");
        pthread_mutex_lock (&self->mutex);
    }
    pthread_mutex_unlock (&self->mutex);
    hr_pg_destroy (&pg);
    return NULL;
}

static gw_catalog_holder_t *
holder_new (void)
{
    gw_catalog_holder_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init (&self->mutex, NULL);
    pthread_cond_init (&self->wake, NULL);
    return self;
}

gw_catalog_holder_t *
gw_catalog_holder_new (const char *database_url, int poll_ms, int connect_wait_ms)
{
    gw_catalog_holder_t *self = holder_new ();
    if (!self)
        return NULL;
    self->database_url = strdup (database_url);
    self->poll_ms = poll_ms;
    hr_pg_t *pg = hr_pg_new (database_url, 10000, connect_wait_ms);
    if (!pg || refresh (self, pg) != 0) {
        hr_warn ("gateway: no catalog yet (PostgreSQL unreachable?); retrying every %d ms", poll_ms);
        self->current = snapshot_new (empty_catalog (), -1);
    }
    hr_pg_destroy (&pg);
    if (pthread_create (&self->thread, NULL, poller, self) == 0)
        self->has_thread = true;
    else
        hr_error ("gateway: cannot start the catalog poller");
    return self;
}

gw_catalog_holder_t *
gw_catalog_holder_new_fixed (hr_catalog_t *catalog)
{
    gw_catalog_holder_t *self = holder_new ();
    if (!self) {
        hr_catalog_destroy (&catalog);
        return NULL;
    }
    self->current = snapshot_new (catalog, 1);
    return self;
}

void
gw_catalog_holder_destroy (gw_catalog_holder_t **self_p)
{
    gw_catalog_holder_t *self = *self_p;
    if (!self)
        return;
    if (self->has_thread) {
        pthread_mutex_lock (&self->mutex);
        self->stopping = true;
        pthread_cond_signal (&self->wake);
        pthread_mutex_unlock (&self->mutex);
        pthread_join (self->thread, NULL);
    }
    snapshot_release (self->current);
    pthread_mutex_destroy (&self->mutex);
    pthread_cond_destroy (&self->wake);
    free (self->database_url);
    free (self);
    *self_p = NULL;
}

static void
release_ref (void *p)
{
    snapshot_release (*(snapshot_t **) p);
}

const hr_catalog_t *
gw_catalog_for_request (gw_catalog_holder_t *self, h2o_mem_pool_t *pool)
{
    snapshot_t **ref = h2o_mem_alloc_shared (pool, sizeof *ref, release_ref);
    pthread_mutex_lock (&self->mutex);
    *ref = self->current;
    atomic_fetch_add (&(*ref)->refs, 1);
    pthread_mutex_unlock (&self->mutex);
    return (*ref)->catalog;
}

void
gw_catalog_holder_poke (gw_catalog_holder_t *self)
{
    pthread_mutex_lock (&self->mutex);
    self->poked = true;
    pthread_cond_signal (&self->wake);
    pthread_mutex_unlock (&self->mutex);
}

int64_t
gw_catalog_version (gw_catalog_holder_t *self)
{
    pthread_mutex_lock (&self->mutex);
    int64_t v = self->current ? self->current->version : -2;     /* -2: nothing yet */
    pthread_mutex_unlock (&self->mutex);
    return v;
}
