/*  gw_breaker — closed / open / half-open.                                  */
#include "gw_breaker.h"
#include <assert.h>
#include <string.h>

void
gw_breaker_init (gw_breaker_t *self, int threshold, int cooldown_ms)
{
    assert (self && threshold > 0 && cooldown_ms > 0);
    memset (self, 0, sizeof *self);
    self->threshold = threshold;
    self->cooldown_ms = cooldown_ms;
}

bool
gw_breaker_allow (gw_breaker_t *self, int64_t now_ms)
{
    switch (self->state) {
    case GW_BREAKER_CLOSED:
        return true;
    case GW_BREAKER_OPEN:
        if (now_ms < self->open_until_ms)
            return false;
        self->state = GW_BREAKER_HALF_OPEN;     /* this request is the probe */
        return true;
    case GW_BREAKER_HALF_OPEN:
        return false;                           /* a probe is already out */
    }
    return true;
}

void
gw_breaker_on_reply (gw_breaker_t *self)
{
    self->consecutive_timeouts = 0;
    self->state = GW_BREAKER_CLOSED;
}

void
gw_breaker_on_timeout (gw_breaker_t *self, int64_t now_ms)
{
    self->consecutive_timeouts++;
    if (self->state == GW_BREAKER_HALF_OPEN || self->consecutive_timeouts >= self->threshold) {
        if (self->state != GW_BREAKER_OPEN)
            self->opened++;
        self->state = GW_BREAKER_OPEN;
        self->open_until_ms = now_ms + self->cooldown_ms;
    }
}
