/*  gw_events — typed events (additive, open like the spec's POST):
      POST /api/v1/events
      {"events": [ {"type": "view" | "click" | "search" | "add_to_cart" |
                             "purchase",
                    "user_id": "...",
                    "product_id": "..."          (all types but search)
                    "query": "..."               (search)
                    "timestamp": "2026-12-05T10:00:00.123Z" | ms since epoch
                                                 (optional, the client's)
                    "recommendation_id": "home.…" (optional, echoed from
                                                 X-Recommendation-Id),
                    "list": "trending" ...       (optional, with a
                                                 recommendation id: the list
                                                 of that answer showing the
                                                 item)}, ...]}
    (a bare JSON array is accepted too).  1..GW_EVENTS_MAX events, a body
    of at most 64 x HR_GATEWAY_MAX_BODY.  All events are validated first:
    one bad event is a 400 naming it, and nothing is stored; over the
    limits: 413.  200 {"accepted": n} only after every event is committed
    (interactions-svc's group commit, like the spec's POST).  Counted in
    hr_gateway_events_total{type} and, for events carrying a recommendation
    id, hr_gateway_attributed_events_total{surface,list,type} (click-through per
    surface and list, so per strategy: docs/events.md).                                       */
#ifndef GW_EVENTS_H
#define GW_EVENTS_H
#include "gw_app.h"

#define GW_EVENTS_MAX 1000      /* = HR_EVENTS_BATCH_MAX */

void gw_handle_events_post (gw_request_t *r);

#endif
