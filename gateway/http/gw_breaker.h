/*  gw_breaker — a per-service circuit breaker (one per loop thread, so no
    atomics).  After `threshold` consecutive timeouts the circuit opens and
    the service is skipped for `cooldown_ms`; then one probe request is let
    through (half-open): a reply closes the circuit, a timeout re-opens it.
    A slow service otherwise holds every request for the whole deadline and
    builds a backlog it never clears (measured: see shared notes).

    Only silence counts: a call that missed its deadline while the service
    answered something since it went out (on time or late), or answered
    anything within the last silence_ms, is slowness (a CPU-starved host
    descheduling it for a while), not a dead or frozen service, and does
    not move the breaker (gw_breaker_silent); a late answer closes the
    circuit like an on-time one.  Under load the
    services answer late and the breaker stays closed: overload is the
    admission queue's job (gw_fanout.h), not the breaker's.                 */
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
    uint64_t heard_ns;          /* monotonic time of the last answer (on time or late) */
    uint64_t silence_ns;        /* how long without any answer is silence (0: since the call) */
} gw_breaker_t;

void gw_breaker_init (gw_breaker_t *self, int threshold, int cooldown_ms);
/*  May a request go to the service now?  Moves OPEN -> HALF_OPEN after the
    cool-down and lets exactly one probe through.  */
bool gw_breaker_allow (gw_breaker_t *self, int64_t now_ms);
void gw_breaker_on_reply (gw_breaker_t *self);
/*  An answer (on time or late) at monotonic `now_ns`: closes the circuit. */
void gw_breaker_on_heard (gw_breaker_t *self, uint64_t now_ns);
/*  Silence: how long without any answer before timeouts count (0 = any
    call nothing was answered after).  */
void gw_breaker_set_silence (gw_breaker_t *self, int silence_ms);
/*  Has the service been silent for a call sent at `sent_ns`, at `now_ns`:
    nothing answered since it went out, nor for silence_ms?               */
bool gw_breaker_silent (const gw_breaker_t *self, uint64_t sent_ns, uint64_t now_ns);
void gw_breaker_on_timeout (gw_breaker_t *self, int64_t now_ms);

#endif
