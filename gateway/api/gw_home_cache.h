/*  gw_home_cache — /home's personal lists kept between requests (issue 16).

    content's, collab's and rules' for_user answers depend on what /home
    sends them: the user's history (the bytes interactions answered), the
    count asked, and that service's model (and the catalog).  A returning
    user whose history did not move gets the same answers, so the gateway
    keeps each one in a gw_cache of its own (HR_GATEWAY_HOME_CACHE_MB), keyed
    by (service, count, SHA-256 of the history bytes) under the generation
    of gw_versions.h:
      - a click (any new event, or one ageing out of the 30 days) changes
        the history bytes, hence the key: the next /home asks again at once;
      - a new model or catalog version changes the generation: every entry
        is dropped, and nothing is stored while the version settles;
      - collab also adds the live co-clicks of other users (no version):
        every entry ages out after HR_GATEWAY_CACHE_TTL_MS, as /product's
        collab top-ups do.
    Keys hold only the digest, never the clicks or queries themselves; the
    values (the services' answers) name the user's clicked ids and queries
    as their sources, and age out with the time to live.

    gw_home_user_t is one request's three for_user answers: asked (the
    calls the cache cannot answer) in one phase, decoded in the next.      */
#ifndef GW_HOME_CACHE_H
#define GW_HOME_CACHE_H
#include <stdbool.h>
#include <stdint.h>
#include "gw_app.h"
#include "gw_proto.h"

#define GW_HOME_USER_CALLS 3            /* content, collab, rules */
#define GW_HOME_KEY_LEN (1 + 4 + 32)    /* service, count, SHA-256 of the history */

typedef struct {
    int call[GW_HOME_USER_CALLS];       /* the fan-out's call; -1: none */
    h2o_iovec_t cached[GW_HOME_USER_CALLS];     /* base NULL: not from the cache */
    bool keyed;                         /* the cache is used */
    bool fill;                          /* answers asked now may be stored */
    uint64_t gen;                       /* gw_versions_gen when asked */
    unsigned char key[GW_HOME_KEY_LEN];
} gw_home_user_t;

/*  Adds to f's phase the for_user calls for `count` items of `history`
    (len bytes) whose answers the cache does not hold (all three when the
    cache is off).  */
void gw_home_user_ask (gw_home_user_t *self, gw_request_t *r, gw_fanout_t *f, const void *history,
                       size_t len, uint32_t count);
/*  Once f's phase is over: the answers decoded into lists[HR_HOME_*]
    (content's clicked and search lists, collab's two, rules'), each whole
    answer just asked stored for the next request.  Returns the services
    that failed (1 << gw_service_t).  */
unsigned gw_home_user_lists (gw_home_user_t *self, gw_request_t *r, gw_fanout_t *f, gw_list_t *lists);
/*  "hit" (no call was needed), "miss", or NULL (the cache was not used).  */
const char *gw_home_user_cache_state (const gw_home_user_t *self);

#endif
