/*  gw_cache — a generation-keyed, byte-bounded map (see gw_cache.h).        */
#include "gw_cache.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_client.h"

#define BUCKETS 16384u          /* power of two */

typedef struct entry entry_t;
struct entry {
    entry_t *chain;             /* next in its bucket */
    entry_t *newer, *older;     /* insertion order: evicted from the oldest */
    atomic_uint refs;           /* the cache's own + one per request using it */
    uint64_t hash;
    int64_t born_ms;
    bool lasting;               /* depends on versions only: never ages out */
    size_t klen, vlen;
    char *value;                /* after the key in data[], or its own malloc'd block */
    char data[];                /* key, then (copied) value */
};

struct gw_cache {
    pthread_mutex_t lock;
    entry_t *buckets[BUCKETS];
    entry_t *newest, *oldest;
    uint64_t gen;
    size_t bytes, count, max_bytes;
    int64_t max_age_ms;
    hr_counter_t *hits, *misses;
    hr_gauge_t *bytes_gauge;
};

static uint64_t
s_hash (const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = 1469598103934665603ull;        /* FNV-1a 64 */
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static size_t
s_size (const entry_t *e)
{
    return sizeof *e + e->klen + e->vlen;
}

static void
s_unref (entry_t *e)
{
    if (atomic_fetch_sub_explicit (&e->refs, 1, memory_order_acq_rel) == 1) {
        if (e->value != e->data + e->klen)
            free (e->value);
        free (e);
    }
}

static void
s_pool_release (void *p)
{
    s_unref (*(entry_t **) p);
}

/*  One reference of `e` held until `pool` is released.  */
static void
s_hold (h2o_mem_pool_t *pool, entry_t *e)
{
    entry_t **ref = h2o_mem_alloc_shared (pool, sizeof *ref, s_pool_release);
    *ref = e;
}

/*  Unlinks `e` from its bucket and the age list and drops the cache's
    reference.  Lock held.  */
static void
s_remove (gw_cache_t *self, entry_t *e)
{
    entry_t **at = &self->buckets[e->hash & (BUCKETS - 1)];
    while (*at && *at != e)
        at = &(*at)->chain;
    if (*at)
        *at = e->chain;
    if (e->newer)
        e->newer->older = e->older;
    else
        self->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        self->oldest = e->newer;
    self->bytes -= s_size (e);
    self->count--;
    s_unref (e);
}

static entry_t *
s_find (gw_cache_t *self, uint64_t hash, const void *key, size_t klen)
{
    for (entry_t *e = self->buckets[hash & (BUCKETS - 1)]; e; e = e->chain)
        if (e->hash == hash && e->klen == klen && memcmp (e->data, key, klen) == 0)
            return e;
    return NULL;
}

gw_cache_t *
gw_cache_new (const char *name, size_t max_bytes, int64_t max_age_ms)
{
    gw_cache_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init (&self->lock, NULL);
    self->max_bytes = max_bytes;
    self->max_age_ms = max_age_ms;
    char labels[64];
    snprintf (labels, sizeof labels, "cache=\"%s\"", name);
    self->hits = hr_counter ("hr_gateway_cache_hits_total",
                             "Answers (or their parts) served from the gateway's cache", labels);
    self->misses = hr_counter ("hr_gateway_cache_misses_total",
                               "Cache lookups that had to ask the services", labels);
    self->bytes_gauge = hr_gauge ("hr_gateway_cache_bytes", "Bytes held by the gateway's cache", labels);
    return self;
}

void
gw_cache_destroy (gw_cache_t **self_p)
{
    gw_cache_t *self = *self_p;
    if (!self)
        return;
    while (self->oldest)
        s_remove (self, self->oldest);
    hr_gauge_set (self->bytes_gauge, 0);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

bool
gw_cache_get (gw_cache_t *self, h2o_mem_pool_t *pool, const void *key, size_t klen,
              uint64_t gen, h2o_iovec_t *value)
{
    if (!self || self->max_bytes == 0)
        return false;
    uint64_t hash = s_hash (key, klen);
    int64_t now = hr_now_ms ();
    entry_t *found = NULL;
    pthread_mutex_lock (&self->lock);
    if (self->gen == gen) {
        entry_t *e = s_find (self, hash, key, klen);
        if (e && !e->lasting && now - e->born_ms >= self->max_age_ms)
            s_remove (self, e);
        else if (e) {
            atomic_fetch_add_explicit (&e->refs, 1, memory_order_relaxed);
            found = e;
        }
    }
    pthread_mutex_unlock (&self->lock);
    if (!found) {
        hr_counter_inc (self->misses);
        return false;
    }
    s_hold (pool, found);
    *value = h2o_iovec_init (found->value, found->vlen);
    hr_counter_inc (self->hits);
    return true;
}

/*  A new entry (one reference, the caller's) holding a copy of the key and
    either a copy of `value` (owned NULL) or the block `owned`.           */
static entry_t *
s_entry_new (const void *key, size_t klen, const void *value, char *owned, size_t vlen,
             bool lasting)
{
    entry_t *e = malloc (sizeof *e + klen + (owned ? 0 : vlen));
    if (!e)
        return NULL;
    memset (e, 0, sizeof *e);
    atomic_init (&e->refs, 1);
    e->hash = s_hash (key, klen);
    e->born_ms = hr_now_ms ();
    e->lasting = lasting;
    e->klen = klen;
    e->vlen = vlen;
    memcpy (e->data, key, klen);
    e->value = owned ? owned : e->data + klen;
    if (!owned)
        memcpy (e->value, value, vlen);
    return e;
}

/*  Links `e` in under `gen`, taking over the caller's reference (dropped
    when an older generation's answer is not kept).                         */
static void
s_insert (gw_cache_t *self, entry_t *e, uint64_t gen)
{
    pthread_mutex_lock (&self->lock);
    if (gen < self->gen) {      /* computed before a version change */
        pthread_mutex_unlock (&self->lock);
        s_unref (e);
        return;
    }
    if (gen > self->gen) {
        while (self->oldest)
            s_remove (self, self->oldest);
        self->gen = gen;
    }
    entry_t *old = s_find (self, e->hash, e->data, e->klen);
    if (old)
        s_remove (self, old);
    while (self->oldest && self->bytes + s_size (e) > self->max_bytes)
        s_remove (self, self->oldest);
    entry_t **bucket = &self->buckets[e->hash & (BUCKETS - 1)];
    e->chain = *bucket;
    *bucket = e;
    e->older = self->newest;
    if (self->newest)
        self->newest->newer = e;
    else
        self->oldest = e;
    self->newest = e;
    self->bytes += s_size (e);
    self->count++;
    size_t bytes = self->bytes;
    pthread_mutex_unlock (&self->lock);
    hr_gauge_set (self->bytes_gauge, (double) bytes);
}

static bool
s_keeps (const gw_cache_t *self, size_t vlen)
{
    return self && self->max_bytes > 0 && vlen <= self->max_bytes / 4;
}

static void
s_put (gw_cache_t *self, const void *key, size_t klen, uint64_t gen,
       const void *value, size_t vlen, bool lasting)
{
    if (!s_keeps (self, vlen))
        return;
    entry_t *e = s_entry_new (key, klen, value, NULL, vlen, lasting);
    if (e)
        s_insert (self, e, gen);
}

void
gw_cache_put (gw_cache_t *self, const void *key, size_t klen, uint64_t gen,
              const void *value, size_t vlen)
{
    s_put (self, key, klen, gen, value, vlen, false);
}

void
gw_cache_put_lasting (gw_cache_t *self, const void *key, size_t klen, uint64_t gen,
                      const void *value, size_t vlen)
{
    s_put (self, key, klen, gen, value, vlen, true);
}

void
gw_cache_put_buf (gw_cache_t *self, const void *key, size_t klen, uint64_t gen, gw_buf_t *b)
{
    if (!b->heap || !s_keeps (self, b->len))
        return;
    entry_t *e = s_entry_new (key, klen, NULL, b->data, b->len, false);
    if (!e)
        return;
    e->value = gw_buf_take (b);
    atomic_init (&e->refs, 2);          /* the cache's and the request's */
    s_hold (b->pool, e);
    s_insert (self, e, gen);
}

size_t
gw_cache_count (gw_cache_t *self)
{
    pthread_mutex_lock (&self->lock);
    size_t n = self->count;
    pthread_mutex_unlock (&self->lock);
    return n;
}

size_t
gw_cache_bytes (gw_cache_t *self)
{
    pthread_mutex_lock (&self->lock);
    size_t n = self->bytes;
    pthread_mutex_unlock (&self->lock);
    return n;
}
