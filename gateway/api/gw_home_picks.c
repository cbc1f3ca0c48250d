/*  gw_home_picks — /home in front of a trending without home_picks (see gw_home_picks.h). */
#include "gw_home_picks.h"
#include <string.h>
#include "hr_clock.h"
#include "hr_metrics.h"
#include "hr_proto.h"
#include "hr_service.h"
#include "hr_status.h"

typedef struct {
    bool lacking;               /* trending answered home_picks "unknown method" */
    uint32_t pages;             /* pages that asked `home` since */
    int64_t since_ms;           /* when it was learned (monotonic) */
    hr_counter_t *fallbacks;    /* registered by the loop's first fallback */
} s_loop_t;

static __thread s_loop_t s_loop;

bool
gw_home_picks_ask (void)
{
    if (!s_loop.lacking)
        return true;
    if (s_loop.pages >= GW_HOME_PICKS_REPROBE_PAGES || hr_mono_ms () - s_loop.since_ms >= GW_HOME_PICKS_REPROBE_MS)
        return true;            /* the re-probe: trending may have been upgraded since */
    s_loop.pages++;
    return false;
}

bool
gw_home_picks_refused (const gw_call_t *c)
{
    if (c->outcome == GW_CALL_OK) {
        s_loop.lacking = false;
        return false;
    }
    /*  hr_service_dispatch's answer to a method the service does not have. */
    static const char unknown[] = HR_SERVICE_UNKNOWN_METHOD HR_M_HOME_PICKS "'";
    if (c->outcome != GW_CALL_FAILED || c->status != HR_BAD_REQUEST || !c->body
        || !memmem (c->body, c->len, unknown, sizeof unknown - 1))
        return false;
    s_loop.lacking = true;
    s_loop.pages = 0;
    s_loop.since_ms = hr_mono_ms ();
    return true;
}

int
gw_home_picks_add (gw_fanout_t *f, hr_writer_t *w, bool home, uint32_t limit, uint64_t seed, uint64_t held,
                   const void *history, size_t hlen)
{
    if (!home)
        gw_req_trending_home_picks (w, limit, seed, held, history, hlen);
    else {
        if (!s_loop.fallbacks)
            s_loop.fallbacks = hr_counter ("hr_gateway_home_picks_fallbacks_total",
                                           "/home pages that asked trending the older home because it "
                                           "answered home_picks 'unknown method' (gw_home_picks.h)", NULL);
        hr_counter_inc (s_loop.fallbacks);
        gw_req_trending_home (w, limit, seed, history, hlen);
    }
    return gw_fanout_add (f, GW_SVC_TRENDING, w->data, w->len);
}

int
gw_home_picks_split (bool home, const void *body, size_t len, hr_proto_home_picks_t *p)
{
    if (!home)
        return hr_proto_home_picks_split (body, len, p);
    size_t at;
    if (hr_proto_home_split (body, len, &at) != 0)
        return -1;
    *p = (hr_proto_home_picks_t) {
        .full = true, .fingerprint = hr_proto_home_fingerprint (body, at), .head = 0, .head_len = at, .picks = at,
    };
    return 0;
}
