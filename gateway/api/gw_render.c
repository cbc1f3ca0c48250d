/*  gw_render — splicing catalog JSON fragments.                             */
#include <string.h>
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
    if (idx < 0 || !hr_product_listable (hr_catalog_at (cat, (uint32_t) idx)))
        return false;
    size_t len;
    const char *json = hr_catalog_json (cat, (uint32_t) idx, &len);
    gw_buf_put (b, json, len);
    return true;
}

bool
gw_render_item_explained (gw_buf_t *b, const hr_catalog_t *cat, const hr_scored_t *it)
{
    int64_t idx = hr_catalog_find (cat, it->id);
    if (idx < 0 || !hr_product_listable (hr_catalog_at (cat, (uint32_t) idx)))
        return false;
    size_t len;
    const char *json = hr_catalog_json (cat, (uint32_t) idx, &len);
    gw_buf_put (b, json, len - 1);                      /* up to the closing brace */
    const char *strategy = hr_strategy_name (it->strategy);
    gw_buf_puts (b, ",\"explain\":{\"strategy\":");
    gw_buf_json_str (b, strategy ? strategy : "", strategy ? strlen (strategy) : 0);
    gw_buf_puts (b, ",\"source\":");
    gw_buf_json_str (b, it->source, strnlen (it->source, sizeof it->source));
    gw_buf_printf (b, ",\"score\":%.6g}}", (double) it->score);
    return true;
}

uint32_t
gw_render_list (gw_buf_t *b, const hr_catalog_t *cat, const gw_list_t *list, uint32_t limit)
{
    return gw_render_list_ex (b, cat, list, limit, false);
}

uint32_t
gw_render_list_ex (gw_buf_t *b, const hr_catalog_t *cat, const gw_list_t *list, uint32_t limit,
                   bool explain)
{
    uint32_t n = 0;
    gw_buf_putc (b, '[');
    for (uint32_t i = 0; i < list->n && n < limit; i++) {
        size_t mark = b->len;
        if (n > 0)
            gw_buf_putc (b, ',');
        if (explain ? gw_render_item_explained (b, cat, &list->items[i])
                    : gw_render_item (b, cat, list->items[i].id))
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
