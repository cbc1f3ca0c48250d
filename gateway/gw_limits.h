/*  gw_limits — per-request abuse limits: who the client is, and the
    per-client rate limit (429 + Retry-After).  Connection caps and
    slow-client timeouts live in gw_server.c (they act per connection).     */
#ifndef GW_LIMITS_H
#define GW_LIMITS_H
#include <stdbool.h>
#include <stdint.h>
#include "gw_app.h"

/*  The client's address as 16 bytes (IPv4 as v4-mapped IPv6): the peer, or
    with trust_forwarded the first (leftmost) X-Forwarded-For entry when it
    parses as an address.  All zeros when neither is known.                 */
void gw_client_address (h2o_req_t *req, bool trust_forwarded, uint8_t out[16]);

/*  Applies the loop's rate limit (no-op when off).  true = go on; false =
    answered 429 with Retry-After.  */
bool gw_limits_admit (gw_request_t *r);

#endif
