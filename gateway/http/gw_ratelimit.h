/*  gw_ratelimit — per-client token buckets for one event loop.

    Each loop thread owns one table (no lock, no atomics): a fixed-size
    open-addressed hash of client address -> bucket.  A lookup probes at
    most GW_RATELIMIT_PROBE slots; a new client takes a free slot there or
    evicts the slot seen least recently (an idle bucket refills to full, so
    evicting it loses nothing; under a flood of distinct addresses the
    oldest ones are forgotten first).  Memory is fixed: capacity x 32 bytes.

    The gateway gives each loop rate / threads and burst / threads, so a
    client never exceeds HR_RATE_LIMIT_RPS however it spreads connections
    over the loops (one keep-alive connection is held to its loop's share).  */
#ifndef GW_RATELIMIT_H
#define GW_RATELIMIT_H
#include <stddef.h>
#include <stdint.h>

#define GW_RATELIMIT_PROBE 8

typedef struct gw_ratelimit gw_ratelimit_t;

/*  rate: tokens per second (> 0); burst: bucket size (>= 1); capacity:
    clients remembered (rounded up to a power of two, at least 64).  NULL on
    allocation failure.  */
gw_ratelimit_t *gw_ratelimit_new (double rate, double burst, size_t capacity);
void gw_ratelimit_destroy (gw_ratelimit_t **self_p);

/*  Takes one token for `client` (16 bytes: an IPv6 or v4-mapped address) at
    monotonic time now_ns.  0 = allowed; otherwise refused and the value is
    the seconds until a token is available (>= 1: the Retry-After).        */
int gw_ratelimit_take (gw_ratelimit_t *self, const uint8_t client[16], uint64_t now_ns);

/*  Clients evicted to make room (tests, metrics).  */
uint64_t gw_ratelimit_evictions (const gw_ratelimit_t *self);

#endif
