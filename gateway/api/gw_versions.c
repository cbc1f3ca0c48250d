/*  gw_versions — the cache generation (see gw_versions.h).                  */
#include "gw_versions.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hr_client.h"
#include "hr_log.h"
#include "hr_model_store.h"
#include "hr_proto.h"

static const char *const s_models[] = { HR_MODEL_CONTENT, HR_MODEL_COLLAB, HR_MODEL_RULES };
#define NMODELS (sizeof s_models / sizeof s_models[0])

struct gw_versions {
    gw_catalog_holder_t *catalog;
    char *database_url, *redis_url;     /* NULL: models not watched */
    hr_pg_t *pg;                        /* the poller thread's own */
    hr_redis_t *redis;
    int poll_ms, settle_ms;
    int64_t seen[NMODELS + 1];          /* catalog, then the models */
    _Atomic uint64_t gen;
    _Atomic int64_t fill_from_ms;       /* no stores before (a change settles) */
    pthread_t thread;
    bool started, stop, poked;
    pthread_mutex_t lock;
    pthread_cond_t cond;
};

/*  One poll: a new generation when anything moved.  An unreadable version
    (-1: Redis and PostgreSQL down) keeps the last one seen.              */
static void
s_poll (gw_versions_t *self)
{
    int64_t now[NMODELS + 1];
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
    if (memcmp (now, self->seen, sizeof now) == 0)
        return;
    memcpy (self->seen, now, sizeof now);
    atomic_store (&self->fill_from_ms, hr_now_ms () + self->settle_ms);
    atomic_fetch_add (&self->gen, 1);
}

static void *
s_run (void *arg)
{
    gw_versions_t *self = arg;
    pthread_mutex_lock (&self->lock);
    while (!self->stop) {
        if (!self->poked) {
            struct timespec until;
            clock_gettime (CLOCK_REALTIME, &until);
            long ns = until.tv_nsec + (long) (self->poll_ms % 1000) * 1000000L;
            until.tv_sec += self->poll_ms / 1000 + ns / 1000000000L;
            until.tv_nsec = ns % 1000000000L;
            pthread_cond_timedwait (&self->cond, &self->lock, &until);
        }
        if (self->stop)
            break;
        self->poked = false;
        pthread_mutex_unlock (&self->lock);
        s_poll (self);
        pthread_mutex_lock (&self->lock);
    }
    pthread_mutex_unlock (&self->lock);
    return NULL;
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
    self->poll_ms = poll_ms > 0 ? poll_ms : 1;
    self->settle_ms = settle_ms;
    for (size_t i = 0; i <= NMODELS; i++)
        self->seen[i] = -2;                     /* never a real version */
    atomic_init (&self->gen, 0);
    atomic_init (&self->fill_from_ms, 0);
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->cond, NULL);
    s_poll (self);                              /* generation 1 */
    if (pthread_create (&self->thread, NULL, s_run, self) == 0)
        self->started = true;
    else
        hr_error ("gateway: cannot start the cache version poller (caching stays at generation 1)");
    return self;
}

void
gw_versions_destroy (gw_versions_t **self_p)
{
    gw_versions_t *self = *self_p;
    if (!self)
        return;
    if (self->started) {
        pthread_mutex_lock (&self->lock);
        self->stop = true;
        pthread_cond_signal (&self->cond);
        pthread_mutex_unlock (&self->lock);
        pthread_join (self->thread, NULL);
    }
    hr_pg_destroy (&self->pg);
    hr_redis_destroy (&self->redis);
    pthread_mutex_destroy (&self->lock);
    pthread_cond_destroy (&self->cond);
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

void
gw_versions_poke (gw_versions_t *self)
{
    pthread_mutex_lock (&self->lock);
    self->poked = true;
    pthread_cond_signal (&self->cond);
    pthread_mutex_unlock (&self->lock);
}
