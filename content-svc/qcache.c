/*  qcache — recent queries' search hits (see qcache.h).                    */
#include "qcache.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "hr_metrics.h"

#define STRIPES 64u

typedef struct {
    uint64_t hash;
    char *query;                /* NULL: empty */
    size_t len;
    uint32_t limit, n;
    content_hit_t *hits;
} entry_t;

struct content_qcache {
    pthread_mutex_t locks[STRIPES];
    entry_t slots[CONTENT_QCACHE_SLOTS];
    atomic_uint_fast64_t hits, lookups;
};

static uint64_t
s_hash (const char *s, size_t len, uint32_t limit)
{
    uint64_t h = 1469598103934665603ull ^ limit;        /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char) s[i]) * 1099511628211ull;
    return h;
}

content_qcache_t *
content_qcache_new (void)
{
    content_qcache_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    for (unsigned i = 0; i < STRIPES; i++)
        pthread_mutex_init (&self->locks[i], NULL);
    return self;
}

void
content_qcache_destroy (content_qcache_t **self_p)
{
    content_qcache_t *self = *self_p;
    if (!self)
        return;
    for (unsigned i = 0; i < CONTENT_QCACHE_SLOTS; i++) {
        free (self->slots[i].query);
        free (self->slots[i].hits);
    }
    for (unsigned i = 0; i < STRIPES; i++)
        pthread_mutex_destroy (&self->locks[i]);
    free (self);
    *self_p = NULL;
}

int
content_qcache_get (content_qcache_t *self, const char *query, size_t len, uint32_t limit,
                    content_hit_t *out)
{
    atomic_fetch_add_explicit (&self->lookups, 1, memory_order_relaxed);
    uint64_t h = s_hash (query, len, limit);
    uint32_t at = (uint32_t) (h % CONTENT_QCACHE_SLOTS);
    pthread_mutex_t *lock = &self->locks[at % STRIPES];
    int n = -1;
    pthread_mutex_lock (lock);
    entry_t *e = &self->slots[at];
    if (e->query && e->hash == h && e->limit == limit && e->len == len
        && memcmp (e->query, query, len) == 0) {
        memcpy (out, e->hits, (size_t) e->n * sizeof *out);
        n = (int) e->n;
    }
    pthread_mutex_unlock (lock);
    static hr_counter_t *s_lookups, *s_hits;    /* process-wide; registered once */
    if (!s_lookups) {
        s_lookups = hr_counter ("hr_content_query_cache_lookups_total",
                                "for_user searches looked up in the query cache (qcache.h)", NULL);
        s_hits = hr_counter ("hr_content_query_cache_hits_total",
                             "Of those, answered from the cache", NULL);
    }
    hr_counter_inc (s_lookups);
    if (n >= 0) {
        atomic_fetch_add_explicit (&self->hits, 1, memory_order_relaxed);
        hr_counter_inc (s_hits);
    }
    return n;
}

void
content_qcache_put (content_qcache_t *self, const char *query, size_t len, uint32_t limit,
                    const content_hit_t *hits, uint32_t n)
{
    if (limit > CONTENT_QCACHE_MAX_HITS || n > limit)
        return;
    char *q = malloc (len ? len : 1);
    content_hit_t *copy = malloc ((n ? n : 1) * sizeof *copy);
    if (!q || !copy) {
        free (q);
        free (copy);
        return;
    }
    memcpy (q, query, len);
    memcpy (copy, hits, (size_t) n * sizeof *copy);
    uint64_t h = s_hash (query, len, limit);
    uint32_t at = (uint32_t) (h % CONTENT_QCACHE_SLOTS);
    pthread_mutex_t *lock = &self->locks[at % STRIPES];
    pthread_mutex_lock (lock);
    entry_t *e = &self->slots[at];
    char *old_q = e->query;
    content_hit_t *old_hits = e->hits;
    *e = (entry_t) { h, q, len, limit, n, copy };
    pthread_mutex_unlock (lock);
    free (old_q);
    free (old_hits);
}

void
content_qcache_stats (content_qcache_t *self, uint64_t *hits, uint64_t *lookups)
{
    *hits = atomic_load_explicit (&self->hits, memory_order_relaxed);
    *lookups = atomic_load_explicit (&self->lookups, memory_order_relaxed);
}
