/*  gw_warm — the /product cache filled ahead (see gw_warm.h).             */
#include "gw_warm.h"
#include "hr_clock.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gw_catalog.h"
#include "gw_versions.h"
#include "gw_warm_round.h"
#include "hr_batch.h"
#include "hr_log.h"
#include "hr_metrics.h"

#define IDLE_MS 200             /* between looks at the generation when idle */

struct gw_warm {
    gw_app_t *app;
    char endpoint[256];
    uint32_t batch;
    int64_t period_ms;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    gw_warm_io_t io;            /* the thread's own */
    hr_counter_t *warmed, *sweeps;
    hr_gauge_t *progress;
};

/*  Waits up to ms unless stopping; true when stopping.  */
static bool
s_sleep (gw_warm_t *self, int ms)
{
    struct timespec ts;
    hr_clock_after (CLOCK_REALTIME, ms, &ts);
    pthread_mutex_lock (&self->lock);
    if (!self->stop)
        pthread_cond_timedwait (&self->cond, &self->lock, &ts);
    bool stop = self->stop;
    pthread_mutex_unlock (&self->lock);
    return stop;
}

static bool
s_stopping (gw_warm_t *self)
{
    pthread_mutex_lock (&self->lock);
    bool stop = self->stop;
    pthread_mutex_unlock (&self->lock);
    return stop;
}

/*  The sweep in progress (the thread's).  renew[idx]: 0 when the
    product's answer was stored as lasting, 1 when a renewal must ask
    again (collab was read, or it was not stored).                     */
typedef struct {
    bool sweeping, full;
    uint64_t swept_gen, gen;
    int64_t swept_catalog, catalog, next_ms, started_ms;
    uint32_t cursor, asked, stored, lasting;
    uint8_t *renew;
    gw_warm_kept_t **kept;      /* [renew_size] */
    uint32_t renew_size;
} sweep_t;

static void
s_forget (sweep_t *w)
{
    if (w->kept)
        gw_warm_kept_free (w->kept, w->renew_size);
    free (w->kept);
    w->kept = NULL;
    free (w->renew);
    w->renew = NULL;
    w->renew_size = 0;
}

static void
s_round (gw_warm_t *self, sweep_t *w, h2o_mem_pool_t *pool, const hr_catalog_t *cat,
         const uint32_t *idx, uint32_t n)
{
    uint8_t *kept = h2o_mem_alloc_pool (pool, n);
    gw_warm_round_t rd = { .io = &self->io, .pool = pool, .cat = cat, .catalog_version = w->catalog,
                           .gen = w->gen, .idx = idx, .n = n, .kept = w->kept,
                           .trust = gw_versions_settled_ms (self->app->versions)
                                    >= self->app->settings.cache_ttl_ms };
    gw_warm_round (&rd, kept);
    uint32_t stored = 0;
    for (uint32_t i = 0; i < n; i++) {
        w->renew[idx[i]] = kept[i] != 2;
        stored += kept[i] > 0;
        w->lasting += kept[i] == 2;
    }
    w->asked += n;
    w->stored += stored;
    hr_counter_add (self->warmed, stored);
}

/*  Starts a sweep when one is due and the services have the version:
    a full one after a version change, else a renewal.  false: not now.   */
static bool
s_sweep_start (sweep_t *w, uint64_t gen, bool fill, int64_t catalog_version, uint32_t size,
               int64_t period_ms)
{
    int64_t now = hr_now_ms ();
    bool changed = gen != w->swept_gen || catalog_version != w->swept_catalog;
    if (!fill || size == 0 || !(changed || (period_ms > 0 && now >= w->next_ms)))
        return false;
    w->full = changed || w->renew_size != size;
    if (w->full) {              /* every product: nothing of this version is stored yet */
        s_forget (w);           /* nor kept: the kept lists were the old version's */
        w->renew = malloc (size);
        w->kept = calloc (size, sizeof *w->kept);
        if (!w->renew || !w->kept) {
            s_forget (w);
            return false;
        }
        w->renew_size = size;
        memset (w->renew, 1, size);
        char products[16];
        snprintf (products, sizeof products, "%u", size);
        hr_log_kv (HR_LOG_INFO, NULL, "product warm-up started", "products", products, NULL);
    }
    w->sweeping = true;
    w->gen = gen;
    w->catalog = catalog_version;
    w->started_ms = now;
    w->cursor = w->asked = w->stored = w->lasting = 0;
    return true;
}

/*  The end of a sweep: complete only if the version is still the
    sweep's (its last round may have started before a change).            */
static void
s_sweep_end (gw_warm_t *self, sweep_t *w)
{
    bool fill;
    w->sweeping = false;
    if (gw_versions_gen (self->app->versions, &fill) != w->gen || !fill
        || gw_catalog_version (self->app->catalog) != w->catalog) {
        w->swept_gen = 0;       /* the next one is a full one */
        return;
    }
    w->swept_gen = w->gen;
    w->swept_catalog = w->catalog;
    w->next_ms = w->started_ms + self->period_ms;
    hr_counter_inc (self->sweeps);
    char a[16], st[16], la[16], t[24];
    snprintf (a, sizeof a, "%u", w->asked);
    snprintf (st, sizeof st, "%u", w->stored);
    snprintf (la, sizeof la, "%u", w->lasting);
    snprintf (t, sizeof t, "%lld", (long long) (hr_now_ms () - w->started_ms));
    hr_log_kv (HR_LOG_INFO, NULL, w->full ? "product warm-up done" : "product warm-up renewed",
               "asked", a, "stored", st, "lasting", la, "ms", t, NULL);
}

/*  One step: a round of the sweep in progress, or a look at whether one
    is due.  false when there was nothing to do (sleep).                   */
static bool
s_step (gw_warm_t *self, sweep_t *w, h2o_mem_pool_t *pool, uint32_t *idx)
{
    bool fill;
    uint64_t gen = gw_versions_gen (self->app->versions, &fill);
    int64_t catalog_version;
    const hr_catalog_t *cat = gw_catalog_for_request_v (self->app->catalog, pool, &catalog_version);
    uint32_t size = hr_catalog_size (cat);
    if (w->sweeping && (!fill || gen != w->gen || catalog_version != w->catalog)) {
        hr_log_kv (HR_LOG_INFO, NULL, "product warm-up abandoned: a new version", NULL);
        w->sweeping = false;    /* the next one starts once the services have it */
        w->swept_gen = 0;
    }
    if (!w->sweeping && !s_sweep_start (w, gen, fill, catalog_version, size, self->period_ms))
        return false;
    /*  A renewal asks again only what collab's live co-clicks can move
        (or what could not be stored): the lasting answers stay.          */
    uint32_t n = 0;
    for (; w->cursor < size && n < self->batch; w->cursor++)
        if (w->renew[w->cursor] && hr_product_listable (hr_catalog_at (cat, w->cursor)))
            idx[n++] = w->cursor;
    if (n > 0) {
        s_round (self, w, pool, cat, idx, n);
        hr_gauge_set (self->progress, (double) w->cursor / size);
    }
    if (w->cursor >= size)
        s_sweep_end (self, w);
    return true;
}

static bool
s_stopping_cb (void *self)
{
    return s_stopping (self);
}

static void *
s_run (void *arg)
{
    gw_warm_t *self = arg;
    self->io.client = hr_client_new (self->endpoint);
    self->io.cache = self->app->product_cache;
    self->io.stopping = s_stopping_cb;
    self->io.stopping_arg = self;
    if (!self->io.client) {
        hr_error ("gateway: /product warmer cannot connect to the broker at %s", self->endpoint);
        return NULL;
    }
    hr_writer_init (&self->io.req);
    hr_writer_init (&self->io.inner);
    uint32_t *idx = calloc (self->batch, sizeof *idx);
    sweep_t w = { .swept_catalog = -2, .catalog = -2 };
    h2o_mem_pool_t pool;
    h2o_mem_init_pool (&pool);
    while (idx && !s_stopping (self)) {
        bool busy = s_step (self, &w, &pool, idx);
        h2o_mem_clear_pool (&pool);     /* the lists and the catalog reference */
        if (!busy && s_sleep (self, IDLE_MS))
            break;
    }
    h2o_mem_clear_pool (&pool);
    free (idx);
    s_forget (&w);
    hr_writer_free (&self->io.req);
    hr_writer_free (&self->io.inner);
    hr_client_destroy (&self->io.client);
    return NULL;
}

gw_warm_t *
gw_warm_new (gw_app_t *app, const char *broker_endpoint, int batch, int64_t period_ms, int deadline_ms)
{
    if (!app->product_cache || !app->versions || batch < 1 || batch > HR_BATCH_MAX)
        return NULL;
    gw_warm_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->app = app;
    snprintf (self->endpoint, sizeof self->endpoint, "%s", broker_endpoint);
    self->batch = (uint32_t) batch;
    self->period_ms = period_ms;
    self->io.deadline_ms = deadline_ms > 0 ? deadline_ms : 5000;
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->cond, NULL);
    self->warmed = hr_counter ("hr_gateway_product_warm_total",
                               "/product answers computed ahead and stored by the warmer", NULL);
    self->sweeps = hr_counter ("hr_gateway_product_warm_sweeps_total",
                               "Sweeps of the catalog by the /product warmer completed", NULL);
    self->progress = hr_gauge ("hr_gateway_product_warm_progress",
                               "Fraction of the catalog the current /product warm-up has done", NULL);
    if (pthread_create (&self->thread, NULL, s_run, self) != 0) {
        pthread_mutex_destroy (&self->lock);
        pthread_cond_destroy (&self->cond);
        free (self);
        return NULL;
    }
    return self;
}

void
gw_warm_destroy (gw_warm_t **self_p)
{
    gw_warm_t *self = *self_p;
    if (!self)
        return;
    pthread_mutex_lock (&self->lock);
    self->stop = true;
    pthread_cond_signal (&self->cond);
    pthread_mutex_unlock (&self->lock);
    pthread_join (self->thread, NULL);
    pthread_mutex_destroy (&self->lock);
    pthread_cond_destroy (&self->cond);
    free (self);
    *self_p = NULL;
}
