/*  hr_swap — refcounted snapshots and their poller (see hr_swap.h).       */
#include "hr_swap.h"
#include "hr_clock.h"
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct hr_snapshot {
    atomic_int refs;
    void *data;
    int64_t version;
    hr_swap_free_fn free_fn;
};

struct hr_swap {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    hr_snapshot_t *current;         /* counted; NULL before the first install */
    int64_t version;                /* installed, even when its data is NULL */
    hr_swap_free_fn free_fn;
    atomic_bool stale;
    /* the polling thread of hr_swap_start */
    const hr_swap_source_t *source;
    int every_ms;
    bool stopping, has_thread;
    bool poked;                     /* hr_swap_poke: poll now (kept while a poll runs) */
    pthread_t thread;
};

hr_swap_t *
hr_swap_new (hr_swap_free_fn free_fn)
{
    hr_swap_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->wake, NULL);
    self->free_fn = free_fn;
    atomic_init (&self->stale, false);
    return self;
}

void
hr_swap_destroy (hr_swap_t **self_p)
{
    assert (self_p);
    hr_swap_t *self = *self_p;
    if (!self)
        return;
    if (self->has_thread) {
        pthread_mutex_lock (&self->lock);
        self->stopping = true;
        pthread_cond_signal (&self->wake);
        pthread_mutex_unlock (&self->lock);
        pthread_join (self->thread, NULL);
    }
    hr_snapshot_release (&self->current);
    pthread_mutex_destroy (&self->lock);
    pthread_cond_destroy (&self->wake);
    free (self);
    *self_p = NULL;
}

int
hr_swap_install (hr_swap_t *self, void *data, int64_t version)
{
    hr_snapshot_t *fresh = NULL;
    if (data) {
        fresh = calloc (1, sizeof *fresh);
        if (!fresh) {
            if (self->free_fn)
                self->free_fn (data);
            return -1;
        }
        atomic_init (&fresh->refs, 1);      /* the swap's own reference */
        fresh->data = data;
        fresh->version = version;
        fresh->free_fn = self->free_fn;
    }
    pthread_mutex_lock (&self->lock);
    hr_snapshot_t *old = self->current;
    self->current = fresh;
    self->version = version;
    pthread_mutex_unlock (&self->lock);
    hr_snapshot_release (&old);
    return 0;
}

int64_t
hr_swap_version (hr_swap_t *self)
{
    pthread_mutex_lock (&self->lock);
    int64_t v = self->version;
    pthread_mutex_unlock (&self->lock);
    return v;
}

hr_snapshot_t *
hr_swap_acquire (hr_swap_t *self)
{
    pthread_mutex_lock (&self->lock);
    hr_snapshot_t *s = self->current;
    if (s)
        atomic_fetch_add (&s->refs, 1);
    pthread_mutex_unlock (&self->lock);
    return s;
}

void *
hr_snapshot_data (const hr_snapshot_t *snapshot)
{
    return snapshot ? snapshot->data : NULL;
}

int64_t
hr_snapshot_version (const hr_snapshot_t *snapshot)
{
    return snapshot ? snapshot->version : 0;
}

hr_snapshot_t *
hr_snapshot_ref (hr_snapshot_t *snapshot)
{
    if (snapshot)
        atomic_fetch_add (&snapshot->refs, 1);
    return snapshot;
}

void
hr_snapshot_release (hr_snapshot_t **snapshot_p)
{
    hr_snapshot_t *s = *snapshot_p;
    *snapshot_p = NULL;
    if (s && atomic_fetch_sub (&s->refs, 1) == 1) {
        if (s->free_fn)
            s->free_fn (s->data);
        free (s);
    }
}

void
hr_swap_invalidate (hr_swap_t *self)
{
    atomic_store (&self->stale, true);
}

int
hr_swap_poll (hr_swap_t *self, const hr_swap_source_t *source)
{
    int64_t v = source->current (source->arg);
    if (v < 0)
        return -1;
    bool stale = atomic_exchange (&self->stale, false);
    if (v == hr_swap_version (self) && !stale)
        return 0;
    void *data = source->load (source->arg, v);
    if (!data || hr_swap_install (self, data, v) != 0) {
        if (stale)
            atomic_store (&self->stale, true);
        return -1;
    }
    return 1;
}

static void *
s_poller (void *arg)
{
    hr_swap_t *self = arg;
    pthread_mutex_lock (&self->lock);
    while (!self->stopping) {
        struct timespec until;
        hr_clock_after (CLOCK_REALTIME, self->every_ms, &until);
        if (!self->poked)
            pthread_cond_timedwait (&self->wake, &self->lock, &until);
        self->poked = false;
        if (self->stopping)
            break;
        pthread_mutex_unlock (&self->lock);
        hr_swap_poll (self, self->source);
        pthread_mutex_lock (&self->lock);
    }
    pthread_mutex_unlock (&self->lock);
    return NULL;
}

void
hr_swap_poke (hr_swap_t *self)
{
    pthread_mutex_lock (&self->lock);
    self->poked = true;
    pthread_cond_signal (&self->wake);
    pthread_mutex_unlock (&self->lock);
}

int
hr_swap_start (hr_swap_t *self, const hr_swap_source_t *source, int every_ms)
{
    assert (!self->has_thread);
    self->source = source;
    self->every_ms = every_ms > 0 ? every_ms : 1000;
    if (pthread_create (&self->thread, NULL, s_poller, self) != 0)
        return -1;
    self->has_thread = true;
    return 0;
}
