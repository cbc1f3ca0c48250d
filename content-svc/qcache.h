/*  qcache — the search hits of recent queries, for for_user's search
    signal (recommend.c).

    A /home of a user with history runs up to CONTENT_USER_QUERIES searches
    of that user's recent queries (hundreds of hits each): profiled under
    the shared bench's /home, search was ~80 % of content-svc's CPU, for
    the same few thousand queries over and over.  The hits of a query only
    change with the snapshot (catalog, model, synonyms), so each snapshot
    keeps its own cache and a new version starts empty.

    Direct-mapped (a colliding query replaces the older one), thread-safe
    through striped locks; bounded: CONTENT_QCACHE_SLOTS entries of at most
    CONTENT_QCACHE_MAX_HITS hits each (8 bytes a hit: 52 MB at worst; the
    shared bench's 1,000 users fill ~5 MB).                                */
#ifndef CONTENT_QCACHE_H
#define CONTENT_QCACHE_H
#include <stddef.h>
#include <stdint.h>
#include "search.h"

#define CONTENT_QCACHE_SLOTS 16384u
#define CONTENT_QCACHE_MAX_HITS 400u

typedef struct content_qcache content_qcache_t;

content_qcache_t *content_qcache_new (void);
void content_qcache_destroy (content_qcache_t **self_p);
/*  Copies the hits stored for (query, limit) into out (room for `limit`):
    their count, or -1 when not stored.                                     */
int content_qcache_get (content_qcache_t *self, const char *query, size_t len, uint32_t limit,
                        content_hit_t *out);
/*  Stores n <= limit hits for (query, limit); a limit over
    CONTENT_QCACHE_MAX_HITS or a failed allocation stores nothing.          */
void content_qcache_put (content_qcache_t *self, const char *query, size_t len, uint32_t limit,
                         const content_hit_t *hits, uint32_t n);
/*  Lookups answered from the cache, and all lookups (tests, metrics).      */
void content_qcache_stats (content_qcache_t *self, uint64_t *hits, uint64_t *lookups);

#endif
