/*  gw_cache — answers that only change with a version, kept by the gateway.

    A process-wide map from a key (bytes) to a value (bytes), shared by the
    event loops under one mutex (held for a lookup or an insert only, never
    while rendering).  Every entry belongs to a generation (gw_versions.h:
    what the catalog and the models behind the answer were when it was
    computed): a lookup under another generation misses, and the first
    insert under a new generation drops every older entry, so a new model or
    catalog version is never answered from the cache.  Entries also age out
    after max_age_ms (parts of an answer that move without a version, e.g.
    collab's live co-clicks) unless stored as lasting, and the least
    recently inserted go first when the byte budget is full.  A value found is referenced until the request
    pool it was looked up for is released: no copy, and no use after free
    when it is evicted meanwhile.                                           */
#ifndef GW_CACHE_H
#define GW_CACHE_H
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gw_buf.h"

typedef struct gw_cache gw_cache_t;

/*  `name` labels its metrics (hr_gateway_cache_{hits,misses}_total,
    hr_gateway_cache_bytes).  max_bytes 0 = the cache is off (always misses). */
gw_cache_t *gw_cache_new (const char *name, size_t max_bytes, int64_t max_age_ms);
void gw_cache_destroy (gw_cache_t **self_p);

/*  The value of `key` under generation `gen`, referenced until `pool` is
    released; false on a miss.                                              */
bool gw_cache_get (gw_cache_t *self, h2o_mem_pool_t *pool, const void *key, size_t klen,
                   uint64_t gen, h2o_iovec_t *value);
/*  Stores a copy of `value` (replacing the key's entry).  A generation
    newer than the cache's drops every entry first; an older one is not
    stored.  Values over a quarter of the budget are not stored.            */
void gw_cache_put (gw_cache_t *self, const void *key, size_t klen, uint64_t gen,
                   const void *value, size_t vlen);
/*  The same for the bytes of `b`, a heap buffer (gw_buf_init_heap), kept
    without a copy: the entry takes the block over (gw_buf_take), so b's
    bytes stay valid until b's pool is released even when evicted at once.
    Not stored (b left as it is): as gw_cache_put, or without memory.     */
void gw_cache_put_buf (gw_cache_t *self, const void *key, size_t klen, uint64_t gen,
                       gw_buf_t *b);
/*  The same for a value that depends on the versions only (nothing that
    moves without one, e.g. a /product list content filled alone): it does
    not age out; a new generation or the byte budget still drops it.      */
void gw_cache_put_lasting (gw_cache_t *self, const void *key, size_t klen, uint64_t gen,
                           const void *value, size_t vlen);
/*  Entries and bytes held now (tests, metrics).  */
size_t gw_cache_count (gw_cache_t *self);
size_t gw_cache_bytes (gw_cache_t *self);

#endif
