/*  gw_merge — the learned merge model (hr_merge_model.h, published by
    `hybridrec train merge` as the "merge" model) hot-loaded like the other
    models: an hr_swap over hr_model_source, polled on its own thread.
    Until a model is published (or without a database) there is none and
    /home serves the rank merge.                                           */
#ifndef GW_MERGE_H
#define GW_MERGE_H
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdint.h>
#include "hr_merge_model.h"

typedef struct gw_merge gw_merge_t;

/*  Loads the current version now and polls every poll_ms.  NULL on out of
    memory.  */
gw_merge_t *gw_merge_new (const char *database_url, const char *redis_url, int poll_ms);
/*  A fixed model (tests): taken (NULL = none), no thread.  */
gw_merge_t *gw_merge_new_fixed (hr_merge_model_t *model, int64_t version);
void gw_merge_destroy (gw_merge_t **self_p);

/*  The current model, referenced until the pool is released; NULL when
    none is loaded.  *version (may be NULL) gets its version.             */
const hr_merge_model_t *gw_merge_for_request (gw_merge_t *self, h2o_mem_pool_t *pool,
                                              int64_t *version);

#endif
