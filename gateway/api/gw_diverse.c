/*  gw_diverse — /home's diverse picks drawn in the gateway (gw_diverse.h). */
#include "gw_diverse.h"
#include <stdlib.h>
#include <string.h>
#include "hr_diverse.h"

struct gw_diverse {
    hr_diverse_cat_t *cats;     /* ncats, into items */
    uint32_t *items;            /* catalog indices */
    uint32_t ncats;
    int64_t catalog_version;
    int64_t fetched_ms;         /* when the kept candidates were fetched (0: none) */
    int64_t asked_ms;           /* when a page last asked for them (0: never) */
};

gw_diverse_t *
gw_diverse_new (void)
{
    return calloc (1, sizeof (gw_diverse_t));
}

static void
s_drop (gw_diverse_t *self)
{
    free (self->cats);
    free (self->items);
    self->cats = NULL;
    self->items = NULL;
    self->ncats = 0;
    self->fetched_ms = 0;
}

void
gw_diverse_destroy (gw_diverse_t **self_p)
{
    if (!*self_p)
        return;
    s_drop (*self_p);
    free (*self_p);
    *self_p = NULL;
}

bool
gw_diverse_ready (const gw_diverse_t *self, int64_t now_ms, int ttl_ms, int64_t catalog_version)
{
    return self && ttl_ms > 0 && self->fetched_ms > 0 && self->catalog_version == catalog_version
           && now_ms - self->fetched_ms < ttl_ms;
}

bool
gw_diverse_ask_due (gw_diverse_t *self, int64_t now_ms, int ttl_ms)
{
    if (!self || ttl_ms <= 0 || (self->asked_ms > 0 && now_ms - self->asked_ms < ttl_ms))
        return false;
    self->asked_ms = now_ms;
    return true;
}

int
gw_diverse_put (gw_diverse_t *self, const hr_catalog_t *cat, int64_t catalog_version,
                const void *body, size_t len, int64_t now_ms)
{
    hr_proto_category_t *pc;
    uint32_t k;
    if (hr_proto_pools_decode (body, len, &pc, &k) != 0)
        return -1;
    int rc = -1;
    size_t total = 0;
    hr_diverse_cat_t *cats = NULL;
    uint32_t *items = NULL;
    if (k != hr_catalog_main_count (cat))
        goto done;
    for (uint32_t c = 0; c < k; c++)
        total += pc[c].list.n;
    cats = calloc (k ? k : 1, sizeof *cats);
    items = malloc ((total ? total : 1) * sizeof *items);
    if (!cats || !items)
        goto done;
    size_t at = 0;
    for (uint32_t c = 0; c < k; c++) {
        const char *name = hr_catalog_main_name (cat, (uint16_t) c);
        if (strlen (name) != pc[c].len || memcmp (name, pc[c].name, pc[c].len) != 0)
            goto done;
        cats[c] = (hr_diverse_cat_t) { items + at, pc[c].list.n };
        for (uint32_t i = 0; i < pc[c].list.n; i++) {
            int64_t idx = hr_catalog_find (cat, pc[c].list.items[i].id);
            if (idx < 0 || hr_catalog_at (cat, (uint32_t) idx)->main_cat != c)
                goto done;
            items[at++] = (uint32_t) idx;
        }
    }
    s_drop (self);
    self->cats = cats;
    self->items = items;
    self->ncats = k;
    self->catalog_version = catalog_version;
    self->fetched_ms = now_ms;
    cats = NULL;
    items = NULL;
    rc = 0;
done:
    if (rc != 0)
        s_drop (self);
    free (cats);
    free (items);
    hr_proto_pools_free (&pc, k);
    return rc;
}

void
gw_diverse_draw (const gw_diverse_t *self, h2o_mem_pool_t *pool, const hr_catalog_t *cat,
                 const gw_history_t *hist, uint32_t limit, uint64_t seed, gw_list_t *out)
{
    if (limit > HR_TRENDING_HOME_LIMIT_MAX)
        limit = HR_TRENDING_HOME_LIMIT_MAX;
    /*  The history's products in the catalog, as trending reads them.    */
    uint32_t *idx = h2o_mem_alloc_pool (pool, ((size_t) hist->n + 1) * sizeof *idx);
    uint16_t *main_cat = h2o_mem_alloc_pool (pool, ((size_t) hist->n + 1) * sizeof *main_cat);
    uint32_t nh = 0;
    for (uint32_t i = 0; i < hist->n; i++)
        nh += hr_diverse_clicked (cat, &hist->events[i], &idx[nh], &main_cat[nh]);
    uint32_t *picks = h2o_mem_alloc_pool (pool, ((size_t) limit + 1) * sizeof *picks);
    uint32_t np = hr_diverse_draw (self->cats, self->ncats, UINT32_MAX, main_cat, nh, idx, nh, limit,
                                   seed, picks);
    out->n = np;
    out->items = h2o_mem_alloc_pool (pool, ((size_t) np + 1) * sizeof *out->items);
    for (uint32_t i = 0; i < np; i++) {
        const hr_product_t *p = hr_catalog_at (cat, picks[i]);
        hr_scored_t *s = &out->items[i];
        memcpy (s->id, p->id, sizeof s->id);
        s->score = hr_diverse_score (i, np);
        s->strategy = HR_STRAT_DIVERSE;
        size_t sl = strlen (p->main_category);
        if (sl >= sizeof s->source)
            sl = sizeof s->source - 1;
        memcpy (s->source, p->main_category, sl);
        s->source[sl] = '\0';
    }
}
