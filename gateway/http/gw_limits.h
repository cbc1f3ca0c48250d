/*  gw_limits — per-request abuse limits: who the client is, and the
    per-client rate limit (429 + Retry-After).  Connection caps and
    slow-client timeouts live in gw_server.c (they act per connection).     */
#ifndef GW_LIMITS_H
#define GW_LIMITS_H
#include <stdbool.h>
#include <stdint.h>
#include "gw_app.h"

/*  The client's address as 16 bytes (IPv4 as v4-mapped IPv6): the peer, or
    behind `trusted_proxies` proxies that append to X-Forwarded-For the
    entry that many from the right (the address the outermost trusted proxy
    saw; what the client itself put further left is ignored) when it parses
    as an address.  All zeros when neither is known.                        */
#define GW_MAX_TRUSTED_PROXIES 16
void gw_client_address (h2o_req_t *req, int trusted_proxies, uint8_t out[16]);

/*  Applies the loop's rate limit (no-op when off).  true = go on; false =
    answered 429 with Retry-After.  */
bool gw_limits_admit (gw_request_t *r);

#endif
