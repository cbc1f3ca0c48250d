/*  gw_home_picks — /home in front of a trending-svc that does not know
    home_picks (an older one, during a rolling upgrade that rolled the
    gateways first: docs/operations.md).

    Such a trending answers home_picks as every service answers a method
    it does not have (hr_service_dispatch): HR_BAD_REQUEST "trending:
    unknown method 'home_picks'".  The page then asks the older `home`
    (same lists: a home_picks reply past its 9-byte prefix is a home
    reply, hr_proto.h), so it carries the same sections; the loop
    remembers that trending lacks home_picks and asks `home` straight away
    for its next pages, until the re-probe: the first /home after
    GW_HOME_PICKS_REPROBE_PAGES pages or GW_HOME_PICKS_REPROBE_MS asks
    home_picks again, so an upgraded trending is used again (within those
    bounds, per loop).  A probe that fails costs that page one round trip
    more.  Pages answered through `home` are counted in
    hr_gateway_home_picks_fallbacks_total.

    One state per event loop (thread-local: a loop is one thread, so no
    lock), like gw_sections.                                               */
#ifndef GW_HOME_PICKS_H
#define GW_HOME_PICKS_H
#include <stdbool.h>
#include "gw_fanout.h"
#include "gw_proto.h"

#define GW_HOME_PICKS_REPROBE_PAGES 100
#define GW_HOME_PICKS_REPROBE_MS 10000

/*  Whether this page asks home_picks (true) or `home` (false: trending
    lacked home_picks when this loop last asked, and the re-probe is not
    due yet).                                                              */
bool gw_home_picks_ask (void);
/*  Learns from a home_picks call: true when trending answered it "unknown
    method" (then remembered: the page should ask `home`); an answer
    (HR_OK) forgets it.  Other failures teach nothing.                     */
bool gw_home_picks_refused (const gw_call_t *c);
/*  Writes trending's call for a page into w and adds it to f; returns its
    index.  home_picks (held: the fingerprint of the sections the loop
    holds, 0: none) or, with `home`, the older home, counted in
    hr_gateway_home_picks_fallbacks_total.                                 */
int gw_home_picks_add (gw_fanout_t *f, hr_writer_t *w, bool home, uint32_t limit, uint64_t seed,
                       uint64_t held, const void *history, size_t hlen);
/*  That call's answer delimited as hr_proto_home_picks_split delimits a
    home_picks reply; with `home`, the older home's answer as a full reply
    whose first part starts the body, fingerprinted as trending-svc's memo
    fingerprints those bytes: the loop's rendered sections (gw_sections.h)
    serve it as they serve home_picks.  0 / -1 (malformed).                */
int gw_home_picks_split (bool home, const void *body, size_t len, hr_proto_home_picks_t *p);

#endif
