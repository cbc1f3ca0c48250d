/*  gw_sections — /home's non-personal sections, rendered once.

    trending, best_value and top_categories of a /home page depend only on
    trending's ranking (the first part of its home reply, before the
    user's diverse picks: hr_proto_home_split), the gateway's catalog and
    the limit; they are the same for every user until the ranking moves.
    One per event loop (no lock): the last rendering of those sections,
    keyed by the reply's exact bytes, the catalog version and the limit.
    A ranking that moved sends other bytes and is rendered afresh, so an
    answer from here is byte for byte what rendering would give.  Only for
    pages without filters (exclude=, category=).                            */
#ifndef GW_SECTIONS_H
#define GW_SECTIONS_H
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gw_sections gw_sections_t;

gw_sections_t *gw_sections_new (void);
void gw_sections_destroy (gw_sections_t **self_p);

/*  The rendered sections for `prefix` (the reply's bytes before the diverse
    picks) under this catalog version and limit, valid until the next
    gw_sections_put on this object; false when not the last one rendered
    (counted: hr_gateway_home_sections_{hits,misses}_total).  self may be
    NULL (always false).                                                    */
bool gw_sections_get (gw_sections_t *self, int64_t catalog_version, uint32_t limit,
                      const void *prefix, size_t prefix_len, h2o_iovec_t *rendered);
/*  Keeps a copy of `rendered` for `prefix` (replacing the last one).  An
    allocation failure keeps nothing.                                       */
void gw_sections_put (gw_sections_t *self, int64_t catalog_version, uint32_t limit,
                      const void *prefix, size_t prefix_len, const void *rendered, size_t len);

#endif
