/*  gw_render — splicing catalog JSON fragments (see gw_render.h).          */
#include <math.h>
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

void
gw_render_item_open (gw_buf_t *b, const hr_catalog_t *cat, uint32_t idx)
{
    size_t len;
    const char *json = hr_catalog_json (cat, idx, &len);
    gw_buf_put (b, json, len - 1);                      /* up to the closing brace */
}

/*  The catalog index of a listable `id10`, or -1.  */
static int64_t
s_listable (const hr_catalog_t *cat, const char *id10)
{
    int64_t idx = hr_catalog_find (cat, id10);
    if (idx < 0 || !hr_product_listable (hr_catalog_at (cat, (uint32_t) idx)))
        return -1;
    return idx;
}

bool
gw_render_item (gw_buf_t *b, const hr_catalog_t *cat, const char *id10)
{
    int64_t idx = s_listable (cat, id10);
    if (idx < 0)
        return false;
    gw_render_item_at (b, cat, (uint32_t) idx);
    return true;
}

/*  ,"source_items":[{"id":..,"name":..}] for the product ids in a source
    ("B0..." or a rule's antecedent "B0...+B0..."); nothing for a query.   */
static void
s_put_source_items (gw_buf_t *b, const hr_catalog_t *cat, const char *source)
{
    bool any = false;
    const char *p = source;
    while (*p) {
        const char *end = strchr (p, '+');
        size_t n = end ? (size_t) (end - p) : strlen (p);
        int64_t idx = n == HR_PRODUCT_ID_LEN ? hr_catalog_find (cat, p) : -1;
        if (idx >= 0) {
            gw_buf_puts (b, any ? ",{\"id\":" : ",\"source_items\":[{\"id\":");
            gw_buf_json_str (b, p, n);
            gw_buf_puts (b, ",\"name\":");
            const char *name = hr_catalog_at (cat, (uint32_t) idx)->name;
            gw_buf_json_str (b, name ? name : "", name ? strlen (name) : 0);
            gw_buf_putc (b, '}');
            any = true;
        }
        if (!end)
            break;
        p = end + 1;
    }
    if (any)
        gw_buf_putc (b, ']');
}

static void
s_put_explain (gw_buf_t *b, const hr_scored_t *it)
{
    const char *strategy = hr_strategy_name (it->strategy);
    gw_buf_puts (b, ",\"explain\":{\"strategy\":");
    gw_buf_json_str (b, strategy ? strategy : "", strategy ? strlen (strategy) : 0);
    gw_buf_puts (b, ",\"source\":");
    gw_buf_json_str (b, it->source, strnlen (it->source, sizeof it->source));
    gw_buf_printf (b, ",\"score\":%.6g}", (double) it->score);
}

static void
s_put_scored (gw_buf_t *b, const hr_catalog_t *cat, const hr_scored_t *it)
{
    double score = isfinite (it->score) ? (double) it->score : 0.0;
    gw_buf_printf (b, ",\"score\":%.6g,\"strategy\":", score);
    const char *strategy = hr_strategy_name (it->strategy);
    gw_buf_json_str (b, strategy, strlen (strategy));
    size_t slen = strnlen (it->source, sizeof it->source);
    gw_buf_puts (b, ",\"source\":");
    gw_buf_json_str (b, it->source, slen);
    if (slen < sizeof it->source)
        s_put_source_items (b, cat, it->source);
}

bool
gw_render_scored (gw_buf_t *b, const hr_catalog_t *cat, const hr_scored_t *it,
                  gw_item_style_t style)
{
    int64_t idx = style == GW_ITEM_SCORED ? hr_catalog_find (cat, it->id) : s_listable (cat, it->id);
    if (idx < 0)
        return false;
    if (style == GW_ITEM_PLAIN) {
        gw_render_item_at (b, cat, (uint32_t) idx);
        return true;
    }
    gw_render_item_open (b, cat, (uint32_t) idx);
    if (style == GW_ITEM_EXPLAIN)
        s_put_explain (b, it);
    else
        s_put_scored (b, cat, it);
    gw_buf_putc (b, '}');
    return true;
}

uint32_t
gw_render_items (gw_buf_t *b, const hr_catalog_t *cat, const gw_list_t *list, uint32_t limit,
                 gw_item_style_t style)
{
    uint32_t n = 0;
    gw_buf_putc (b, '[');
    for (uint32_t i = 0; i < list->n && n < limit; i++) {
        size_t mark = b->len;
        if (n > 0)
            gw_buf_putc (b, ',');
        if (gw_render_scored (b, cat, &list->items[i], style))
            n++;
        else
            b->len = mark;
    }
    gw_buf_putc (b, ']');
    return n;
}

#define RENDER_AHEAD 8                  /* items whose JSON is asked for ahead */

uint32_t
gw_render_at (gw_buf_t *b, const hr_catalog_t *cat, const uint32_t *idx, uint32_t n,
              uint32_t limit)
{
    if (n > limit)
        n = limit;
    gw_buf_putc (b, '[');
    for (uint32_t i = 0; i < n; i++) {
        if (i + RENDER_AHEAD < n)
            hr_catalog_prefetch (cat, idx[i + RENDER_AHEAD]);
        if (i > 0)
            gw_buf_putc (b, ',');
        gw_render_item_at (b, cat, idx[i]);
    }
    gw_buf_putc (b, ']');
    return n;
}

uint32_t
gw_render_list (gw_buf_t *b, const hr_catalog_t *cat, const gw_list_t *list, uint32_t limit)
{
    return gw_render_items (b, cat, list, limit, GW_ITEM_PLAIN);
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
