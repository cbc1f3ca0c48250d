/*  gw_endpoint — the prologue the recommendation and admin endpoints share:
    the `response_limit` and `explain` parameters and the fan-out that
    answers 503 when too many requests are in flight.  Each returns "false"
    (or NULL) when it has answered the request itself.                      */
#ifndef GW_ENDPOINT_H
#define GW_ENDPOINT_H
#include <stdbool.h>
#include "gw_app.h"

/*  `response_limit` in [1, max], `def` when absent; false after a 422.    */
bool gw_endpoint_limit (gw_request_t *r, long def, long max, long *limit);
/*  explain=true (or 1, yes) was asked.  */
bool gw_endpoint_explain (gw_request_t *r);
/*  A fan-out for the request; NULL after a 503 (too many in flight).     */
gw_fanout_t *gw_endpoint_fanout (gw_request_t *r);

#endif
