/*  hr_pool — see hr_pool.h.                                               */
#include "hr_pool.h"
#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct hr_pool {
    hr_pool_make_fn *make;
    hr_pool_free_fn *free_fn;
    void *arg;
    pthread_mutex_t lock;
    void **idle;
    size_t n, cap;
};

hr_pool_t *
hr_pool_new (hr_pool_make_fn *make, hr_pool_free_fn *free_fn, void *arg)
{
    assert (make && free_fn);
    hr_pool_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->make = make;
    self->free_fn = free_fn;
    self->arg = arg;
    pthread_mutex_init (&self->lock, NULL);
    return self;
}

void
hr_pool_destroy (hr_pool_t **self_p)
{
    assert (self_p);
    hr_pool_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->n; i++)
        self->free_fn (self->idle[i]);
    free (self->idle);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

void *
hr_pool_take (hr_pool_t *self)
{
    pthread_mutex_lock (&self->lock);
    void *item = self->n ? self->idle[--self->n] : NULL;
    pthread_mutex_unlock (&self->lock);
    return item ? item : self->make (self->arg);
}

void
hr_pool_give (hr_pool_t *self, void *item)
{
    if (!item)
        return;
    pthread_mutex_lock (&self->lock);
    if (self->n == self->cap) {
        size_t cap = self->cap ? 2 * self->cap : 8;
        void **idle = realloc (self->idle, cap * sizeof *idle);
        if (idle) {
            self->idle = idle;
            self->cap = cap;
        }
    }
    bool kept = self->n < self->cap;
    if (kept)
        self->idle[self->n++] = item;
    pthread_mutex_unlock (&self->lock);
    if (!kept)
        self->free_fn (item);
}
