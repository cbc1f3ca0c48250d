/*  gw_sections — /home's non-personal sections, rendered once (gw_sections.h). */
#include "gw_sections.h"
#include <stdlib.h>
#include <string.h>
#include "gw_render.h"
#include "hr_metrics.h"

struct gw_sections {
    gw_sections_entry_t *entry;         /* h2o shared memory: one reference is ours */
    hr_counter_t *hits, *misses;
};

void
gw_sections_render (gw_buf_t *b, const hr_catalog_t *cat, const gw_home_lists_t *home, uint32_t limit)
{
    static const gw_list_t none = { NULL, 0 };
    gw_buf_puts (b, ",\"trending\":");
    gw_render_list (b, cat, home ? &home->trending : &none, limit);
    gw_buf_puts (b, ",\"best_value\":");
    gw_render_list (b, cat, home ? &home->best_value : &none, limit);
    gw_buf_puts (b, ",\"top_categories\":{");
    for (uint32_t i = 0; home && i < home->ncategories; i++) {
        if (i)
            gw_buf_putc (b, ',');
        gw_buf_json_str (b, home->categories[i].name, home->categories[i].len);
        gw_buf_putc (b, ':');
        gw_render_list (b, cat, &home->categories[i].list, limit);
    }
    gw_buf_putc (b, '}');
}

gw_sections_t *
gw_sections_new (void)
{
    gw_sections_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->hits = hr_counter ("hr_gateway_home_sections_hits_total",
                             "/home pages whose trending sections were rendered already (gw_sections.h)", NULL);
    self->misses = hr_counter ("hr_gateway_home_sections_misses_total",
                               "/home pages whose trending sections were rendered for them", NULL);
    return self;
}

static void
s_forget (gw_sections_t *self)
{
    if (self->entry)
        h2o_mem_release_shared (self->entry);
    self->entry = NULL;
}

void
gw_sections_destroy (gw_sections_t **self_p)
{
    gw_sections_t *self = *self_p;
    if (!self)
        return;
    s_forget (self);
    free (self);
    *self_p = NULL;
}

const gw_sections_entry_t *
gw_sections_hold (gw_sections_t *self, int64_t catalog_version, uint32_t limit, h2o_mem_pool_t *pool)
{
    gw_sections_entry_t *e = self ? self->entry : NULL;
    if (!e || e->catalog_version != catalog_version || e->limit != limit)
        return NULL;
    h2o_mem_link_shared (pool, e);
    return e;
}

void
gw_sections_count (gw_sections_t *self, bool hit)
{
    if (self)
        hr_counter_inc (hit ? self->hits : self->misses);
}

const gw_sections_entry_t *
gw_sections_put (gw_sections_t *self, int64_t catalog_version, uint32_t limit, uint64_t fingerprint,
                 const void *head, size_t head_len, const void *rendered, size_t len,
                 h2o_mem_pool_t *pool)
{
    if (!self)
        return NULL;
    s_forget (self);
    /*  One block: the entry, then the head's bytes, then the rendering.   */
    gw_sections_entry_t *e = h2o_mem_alloc_shared (NULL, sizeof *e + head_len + len, NULL);
    if (!e)
        return NULL;
    char *bytes = (char *) (e + 1);
    if (head_len)
        memcpy (bytes, head, head_len);
    if (len)
        memcpy (bytes + head_len, rendered, len);
    *e = (gw_sections_entry_t) {
        .catalog_version = catalog_version, .limit = limit, .fingerprint = fingerprint,
        .head = h2o_iovec_init (bytes, head_len), .rendered = h2o_iovec_init (bytes + head_len, len),
    };
    self->entry = e;
    h2o_mem_link_shared (pool, e);
    return e;
}
