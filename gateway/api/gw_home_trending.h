/*  gw_home_trending — trending's answer for a /home page (home_picks, or
    the older home: gw_home_picks.h), read into the lists to render and the
    rendered sections.                                                     */
#ifndef GW_HOME_TRENDING_H
#define GW_HOME_TRENDING_H
#include <stdbool.h>
#include <stdint.h>
#include "gw_app.h"
#include "gw_fanout.h"
#include "gw_filter.h"
#include "gw_proto.h"
#include "gw_sections.h"
#include "hr_catalog.h"

/*  Trending's home_picks (or home) answer `c` (home_asked: the older
    home) for a page of `limit` items: the lists to render (*home)
    and the rendered sections (*sections).  Without filters the sections
    come from the loop's gw_sections: the entry held since trending was
    asked (`held`) when trending answered the picks alone or a first part of its
    fingerprint (it still ranks as when that entry was rendered), else
    rendered now from the answer and kept.  false: unusable answer.       */
bool gw_home_trending_read (gw_request_t *r, const gw_filter_t *filter, uint32_t limit, bool home_asked,
                            const gw_sections_entry_t *held, const gw_call_t *c, const hr_catalog_t *cat,
                            int64_t catalog_version, gw_home_lists_t *home, h2o_iovec_t *sections);

#endif
