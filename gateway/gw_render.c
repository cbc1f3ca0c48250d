/*  gw_render — splicing catalog JSON fragments.                             */
#include "gw_render.h"
#include "gw_fanout.h"

void
gw_render_item_at (gw_buf_t *b, const hr_catalog_t *cat, uint32_t idx)
{
    size_t len;
    const char *json = hr_catalog_json (cat, idx, &len);
    gw_buf_put (b, json, len);
}

bool
gw_render_item (gw_buf_t *b, const hr_catalog_t *cat, const char *id10)
{
    int64_t idx = hr_catalog_find (cat, id10);
    if (idx < 0)
        return false;
    size_t len;
    const char *json = hr_catalog_json (cat, (uint32_t) idx, &len);
    gw_buf_put (b, json, len);
    return true;
}

uint32_t
gw_render_list (gw_buf_t *b, const hr_catalog_t *cat, const gw_list_t *list, uint32_t limit)
{
    uint32_t n = 0;
    gw_buf_putc (b, '[');
    for (uint32_t i = 0; i < list->n && n < limit; i++) {
        size_t mark = b->len;
        if (n > 0)
            gw_buf_putc (b, ',');
        if (gw_render_item (b, cat, list->items[i].id))
            n++;
        else
            b->len = mark;
    }
    gw_buf_putc (b, ']');
    return n;
}

void
gw_render_degraded (gw_buf_t *b, unsigned mask)
{
    if (!mask)
        return;
    gw_buf_puts (b, ",\"degraded\":[");
    bool first = true;
    for (int s = 0; s < GW_SVC_COUNT; s++) {
        if (!(mask & (1u << s)))
            continue;
        gw_buf_printf (b, "%s\"%s\"", first ? "" : ",", gw_service_name ((gw_service_t) s));
        first = false;
    }
    gw_buf_putc (b, ']');
}
