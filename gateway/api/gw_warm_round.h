/*  gw_warm_round — one round of the /product warmer (gw_warm.h): the
    answers of a few products asked from content, collab and rules (one
    batch message per source), picked as the request path does
    (gw_product_pick) and stored in the cache under the round's generation.

    Only whole answers (limit items, every source answered) are stored.
    Once the version has settled for longer than the time to live (trust),
    an answer content filled alone is stored as lasting, and for one collab
    topped up the content and rules ids are kept (they change only with a
    version), so that the next round for that product asks collab alone;
    before, everything is stored with the time to live.                   */
#ifndef GW_WARM_ROUND_H
#define GW_WARM_ROUND_H
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdbool.h>
#include <stdint.h>
#include "gw_proto.h"
#include "hr_catalog.h"
#include "hr_client.h"

struct gw_cache;
typedef struct gw_warm_kept gw_warm_kept_t;

/*  The warmer thread's connection and buffers.  */
typedef struct {
    hr_client_t *client;
    hr_writer_t req, inner;
    uint64_t seq;
    int deadline_ms;
    struct gw_cache *cache;
    bool (*stopping) (void *arg);       /* checked while waiting for replies */
    void *stopping_arg;
} gw_warm_io_t;

typedef struct {
    gw_warm_io_t *io;
    h2o_mem_pool_t *pool;       /* the lists; cleared by the caller */
    const hr_catalog_t *cat;
    int64_t catalog_version;
    uint64_t gen;
    const uint32_t *idx;        /* the products: catalog indices */
    uint32_t n;
    gw_warm_kept_t **kept;      /* per catalog index: NULL, or ask collab alone */
    bool trust;                 /* the version settled longer than the time to
                                   live ago (gw_versions_settled_ms): store
                                   lasting answers and keep lists */
    /*  The round's own.  */
    gw_list_t *lists;           /* [i * 3 + source] */
    uint8_t *ok;                /* the same: that list arrived whole */
    uint64_t base;              /* request ids: base + source */
    int64_t deadline;
    bool pending[3];
} gw_warm_round_t;

/*  Runs the round; result[i] (n slots): 0 not stored (degraded), 1 stored
    with the time to live, 2 stored as lasting.                           */
void gw_warm_round (gw_warm_round_t *rd, uint8_t *result);
/*  Frees kept[0..n) (and sets them NULL).  */
void gw_warm_kept_free (gw_warm_kept_t **kept, uint32_t n);

#endif
