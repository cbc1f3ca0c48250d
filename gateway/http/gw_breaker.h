/*  gw_breaker — a per-service circuit breaker (one per loop thread, so no
    atomics).  After `threshold` consecutive timeouts the circuit opens and
    the service is skipped for `cooldown_ms`; then one probe request is let
    through (half-open): a reply closes the circuit, a timeout re-opens it.
    A slow service otherwise holds every request for the whole deadline and
    builds a backlog it never clears (measured: see shared notes).          */
#ifndef GW_BREAKER_H
#define GW_BREAKER_H
#include <stdbool.h>
#include <stdint.h>

typedef enum { GW_BREAKER_CLOSED, GW_BREAKER_OPEN, GW_BREAKER_HALF_OPEN } gw_breaker_state_t;

typedef struct {
    int threshold, cooldown_ms;
    int consecutive_timeouts;
    int64_t open_until_ms;
    gw_breaker_state_t state;
    uint64_t opened;            /* how many times it opened (metrics, tests) */
} gw_breaker_t;

void gw_breaker_init (gw_breaker_t *self, int threshold, int cooldown_ms);
/*  May a request go to the service now?  Moves OPEN -> HALF_OPEN after the
    cool-down and lets exactly one probe through.  */
bool gw_breaker_allow (gw_breaker_t *self, int64_t now_ms);
void gw_breaker_on_reply (gw_breaker_t *self);
void gw_breaker_on_timeout (gw_breaker_t *self, int64_t now_ms);

#endif
