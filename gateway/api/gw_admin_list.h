/*  gw_admin_list — one strategy's answer in the admin views: the scored
    list, or why there is none ("status"), rendered as
    {"status":..,["detail":..,]"total":n,"items":[..]} by gw_render's
    GW_ITEM_SCORED style.                                                   */
#ifndef GW_ADMIN_LIST_H
#define GW_ADMIN_LIST_H
#include "gw_buf.h"
#include "gw_fanout.h"
#include "gw_proto.h"
#include "hr_catalog.h"

/*  One strategy's answer: the list, or why there is none.                 */
typedef struct {
    const char *status;         /* ok, not_asked, error, timeout, circuit_open, unreachable, malformed */
    const char *detail;         /* the service's error message (error only) */
    size_t detail_len;
    gw_list_t list;
} gw_admin_list_t;

/*  "ok", "error", "timeout", "circuit_open", "unreachable" for an outcome. */
const char *gw_admin_list_status (gw_call_outcome_t outcome);
/*  The reply of call `index` (-1: not asked), or NULL with `out` saying why. */
const gw_call_t *gw_admin_list_take_call (gw_fanout_t *f, int index, gw_admin_list_t *out);
/*  The one scored list of call `index` ("malformed" when it does not decode). */
void gw_admin_list_take (h2o_mem_pool_t *pool, gw_fanout_t *f, int index, gw_admin_list_t *out);
/*  The two lists of call `index` (content's for_user: clicked, search).   */
void gw_admin_list_take_two (h2o_mem_pool_t *pool, gw_fanout_t *f, int index, gw_admin_list_t *a,
                             gw_admin_list_t *b);
/*  Appends the list object; at most `limit` items.                        */
void gw_admin_list_put (gw_buf_t *b, const hr_catalog_t *cat, const gw_admin_list_t *l,
                        uint32_t limit);

#endif
