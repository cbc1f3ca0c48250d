/*  gw_admin_list — one strategy's answer (see gw_admin_list.h).          */
#include "gw_admin_list.h"
#include <string.h>
#include "gw_render.h"
#include "hr_validate.h"


const char *
gw_admin_list_status (gw_call_outcome_t outcome)
{
    switch (outcome) {
    case GW_CALL_OK: return "ok";
    case GW_CALL_FAILED: return "error";
    case GW_CALL_TIMEOUT: return "timeout";
    case GW_CALL_SKIPPED: return "circuit_open";
    case GW_CALL_SEND_FAILED: return "unreachable";
    default: return "pending";
    }
}

/*  The reply of call `index`, or NULL with `out` saying why.             */
const gw_call_t *
gw_admin_list_take_call (gw_fanout_t *f, int index, gw_admin_list_t *out)
{
    memset (out, 0, sizeof *out);
    out->status = "not_asked";
    if (index < 0)
        return NULL;
    const gw_call_t *c = gw_fanout_call (f, index);
    out->status = gw_admin_list_status (c->outcome);
    if (c->outcome == GW_CALL_OK)
        return c;
    if (c->outcome == GW_CALL_FAILED && c->body && hr_utf8_valid (c->body, c->len)) {
        out->detail = c->body;
        out->detail_len = c->len;
    }
    return NULL;
}

void
gw_admin_list_take (h2o_mem_pool_t *pool, gw_fanout_t *f, int index, gw_admin_list_t *out)
{
    const gw_call_t *c = gw_admin_list_take_call (f, index, out);
    if (c && gw_decode_one_list (pool, c->body, c->len, &out->list) != 0)
        out->status = "malformed";
}

void
gw_admin_list_take_two (h2o_mem_pool_t *pool, gw_fanout_t *f, int index, gw_admin_list_t *a, gw_admin_list_t *b)
{
    const gw_call_t *c = gw_admin_list_take_call (f, index, a);
    *b = *a;
    if (c && gw_decode_two_lists (pool, c->body, c->len, &a->list, &b->list) != 0) {
        memset (&a->list, 0, sizeof a->list);
        memset (&b->list, 0, sizeof b->list);
        a->status = b->status = "malformed";
    }
}

/*  {"status":..,"total":n,"items":[..]} — total counts what the service
    sent, items what is still in the catalog (at most `limit`).           */
void
gw_admin_list_put (gw_buf_t *b, const hr_catalog_t *cat, const gw_admin_list_t *l, uint32_t limit)
{
    gw_buf_puts (b, "{\"status\":");
    gw_buf_json_str (b, l->status, strlen (l->status));
    if (l->detail) {
        gw_buf_puts (b, ",\"detail\":");
        gw_buf_json_str (b, l->detail, l->detail_len);
    }
    gw_buf_printf (b, ",\"total\":%u,\"items\":", l->list.n);
    gw_render_items (b, cat, &l->list, limit, GW_ITEM_SCORED);
    gw_buf_putc (b, '}');
}
