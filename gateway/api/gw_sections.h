/*  gw_sections — /home's non-personal sections, rendered once.

    trending, best_value and top_categories of a /home page depend only on
    trending's ranking (the first part of its home reply, before the
    user's diverse picks), the gateway's catalog and the limit; they are
    the same for every user until the ranking moves.  One per event loop
    (no lock): the last rendering of those sections, with the catalog
    version and limit it was rendered for and the fingerprint of the bytes
    it was rendered from (hr_proto_home_fingerprint).  A /home sends
    trending that fingerprint (home_picks): while the ranking is the same,
    trending answers the picks alone; a ranking that moved answers its
    first part again, which is rendered afresh.  So an answer from here is
    byte for byte what rendering would give.  Only for pages without
    filters (exclude=, category=).

    An entry is shared: the object holds one reference, every /home that
    uses it another (its request pool's), so the rendered bytes can be
    sent as they are (an iovec of the response) and a newer rendering on
    the same loop does not pull them from under a response in flight.     */
#ifndef GW_SECTIONS_H
#define GW_SECTIONS_H
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gw_buf.h"
#include "gw_proto.h"
#include "hr_catalog.h"

typedef struct gw_sections gw_sections_t;

typedef struct {
    int64_t catalog_version;
    uint32_t limit;
    uint64_t fingerprint;       /* of `head` */
    h2o_iovec_t head;           /* trending's first part, as it sent it */
    h2o_iovec_t rendered;       /* ,"trending":[..],"best_value":[..],"top_categories":{..} */
} gw_sections_entry_t;

/*  ,"trending":[..],"best_value":[..],"top_categories":{..} of `home`'s
    lists (filtered as the page shows them); home NULL: trending did not
    answer (empty sections).                                               */
void gw_sections_render (gw_buf_t *b, const hr_catalog_t *cat, const gw_home_lists_t *home,
                         uint32_t limit);

gw_sections_t *gw_sections_new (void);
void gw_sections_destroy (gw_sections_t **self_p);

/*  The entry rendered for this catalog version and limit, held by `pool`
    (valid while it lives), or NULL.  self may be NULL (NULL).             */
const gw_sections_entry_t *gw_sections_hold (gw_sections_t *self, int64_t catalog_version,
                                             uint32_t limit, h2o_mem_pool_t *pool);
/*  Counts a page served from an entry (hit) or rendered for itself (miss):
    hr_gateway_home_sections_{hits,misses}_total.                          */
void gw_sections_count (gw_sections_t *self, bool hit);
/*  Keeps a copy of `rendered` (from `head`, whose fingerprint it is) as the
    entry, replacing the last one; returns it held by `pool`, or NULL (an
    allocation failure keeps nothing).                                      */
const gw_sections_entry_t *gw_sections_put (gw_sections_t *self, int64_t catalog_version,
                                            uint32_t limit, uint64_t fingerprint,
                                            const void *head, size_t head_len,
                                            const void *rendered, size_t len,
                                            h2o_mem_pool_t *pool);

#endif
