/*  gw_sections — /home's non-personal sections, rendered once (gw_sections.h). */
#include "gw_sections.h"
#include <stdlib.h>
#include <string.h>
#include "hr_metrics.h"

struct gw_sections {
    int64_t catalog_version;
    uint32_t limit;
    unsigned char *prefix;      /* malloc'd; NULL: nothing kept */
    size_t prefix_len;
    char *rendered;             /* malloc'd */
    size_t rendered_len;
    hr_counter_t *hits, *misses;
};

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
    free (self->prefix);
    free (self->rendered);
    self->prefix = NULL;
    self->rendered = NULL;
    self->prefix_len = self->rendered_len = 0;
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

bool
gw_sections_get (gw_sections_t *self, int64_t catalog_version, uint32_t limit,
                 const void *prefix, size_t prefix_len, h2o_iovec_t *rendered)
{
    if (!self)
        return false;
    if (self->prefix && self->catalog_version == catalog_version && self->limit == limit
        && self->prefix_len == prefix_len && memcmp (self->prefix, prefix, prefix_len) == 0) {
        *rendered = h2o_iovec_init (self->rendered, self->rendered_len);
        hr_counter_inc (self->hits);
        return true;
    }
    hr_counter_inc (self->misses);
    return false;
}

void
gw_sections_put (gw_sections_t *self, int64_t catalog_version, uint32_t limit,
                 const void *prefix, size_t prefix_len, const void *rendered, size_t len)
{
    if (!self)
        return;
    s_forget (self);
    self->prefix = malloc (prefix_len ? prefix_len : 1);
    self->rendered = malloc (len ? len : 1);
    if (!self->prefix || !self->rendered) {
        s_forget (self);
        return;
    }
    memcpy (self->prefix, prefix, prefix_len);
    memcpy (self->rendered, rendered, len);
    self->prefix_len = prefix_len;
    self->rendered_len = len;
    self->catalog_version = catalog_version;
    self->limit = limit;
}
