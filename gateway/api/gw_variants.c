/*  gw_variants — see gw_variants.h.  An open-addressing set of 64-bit keys
    (0 = empty slot; keyless products are never stored).                    */
#include "gw_variants.h"
#include <stdlib.h>
#include <string.h>

struct gw_variants {
    uint64_t *slot;
    uint32_t mask, n, cap;
};

static void
s_init (gw_variants_t *self, uint64_t *slots, uint32_t nslots, uint32_t cap)
{
    memset (slots, 0, nslots * sizeof *slots);
    self->slot = slots;
    self->mask = nslots - 1;
    self->n = 0;
    self->cap = cap;
}

/*  Slots for `cap` keys: a power of two at least twice cap.  */
static uint32_t
s_slots_for (uint32_t cap)
{
    uint32_t s = 16;
    while (s < 2 * (uint64_t) cap)
        s *= 2;
    return s;
}

gw_variants_t *
gw_variants_new (h2o_mem_pool_t *pool, uint32_t cap)
{
    gw_variants_t *self = h2o_mem_alloc_pool (pool, sizeof *self);
    uint32_t nslots = s_slots_for (cap);
    s_init (self, h2o_mem_alloc_pool (pool, nslots * sizeof (uint64_t)), nslots, cap);
    return self;
}

static bool
s_add_key (gw_variants_t *self, uint64_t key)
{
    if (key == 0)
        return true;
    uint32_t i = (uint32_t) (key ^ (key >> 32)) & self->mask;
    while (self->slot[i]) {
        if (self->slot[i] == key)
            return false;
        i = (i + 1) & self->mask;
    }
    if (self->n < self->cap) {          /* full: still answers, stops remembering */
        self->slot[i] = key;
        self->n++;
    }
    return true;
}

bool
gw_variants_add (gw_variants_t *self, const hr_product_t *p)
{
    return s_add_key (self, p->variant);
}

uint32_t
gw_find_chunk (const hr_catalog_t *cat, const gw_list_t *list, uint32_t c0, int64_t *found)
{
    uint32_t m = list->n - c0 < GW_FIND_CHUNK ? list->n - c0 : GW_FIND_CHUNK;
    const char *ids[GW_FIND_CHUNK];
    for (uint32_t k = 0; k < m; k++)
        ids[k] = list->items[c0 + k].id;
    hr_catalog_find_many (cat, ids, m, found);
    return m;
}

/*  A set sized for n keys in `stack` (512 slots) or on the heap; NULL
    when out of memory (the caller serves the list uncollapsed).            */
static uint64_t *
s_set_for (gw_variants_t *set, uint64_t *stack, uint32_t n)
{
    uint32_t nslots = s_slots_for (n);
    uint64_t *slots = nslots <= 512 ? stack : malloc (nslots * sizeof *slots);
    if (slots)
        s_init (set, slots, nslots, n);
    return slots;
}

void
gw_variants_collapse (const hr_catalog_t *cat, gw_list_t *list)
{
    if (hr_catalog_variants (cat) == 0 || !list->items || list->n < 2)
        return;
    uint64_t stack[512];
    gw_variants_t set;
    uint64_t *slots = s_set_for (&set, stack, list->n);
    if (!slots)
        return;
    uint32_t kept = 0;
    int64_t found[GW_FIND_CHUNK];
    for (uint32_t c0 = 0; c0 < list->n; c0 += GW_FIND_CHUNK) {
        uint32_t m = gw_find_chunk (cat, list, c0, found);
        for (uint32_t k = 0; k < m; k++) {
            uint32_t i = c0 + k;
            int64_t idx = found[k];
            if (idx < 0 || s_add_key (&set, hr_catalog_at (cat, (uint32_t) idx)->variant)) {
                if (kept != i)          /* an item is ~280 bytes: move only what moves */
                    list->items[kept] = list->items[i];
                kept++;
            }
        }
    }
    list->n = kept;
    if (slots != stack)
        free (slots);
}

uint32_t
gw_variants_collapse_at (const hr_catalog_t *cat, uint32_t *idx, uint32_t n)
{
    if (hr_catalog_variants (cat) == 0 || n < 2)
        return n;
    uint64_t stack[512];
    gw_variants_t set;
    uint64_t *slots = s_set_for (&set, stack, n);
    if (!slots)
        return n;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < n; i++)
        if (s_add_key (&set, hr_catalog_at (cat, idx[i])->variant))
            idx[kept++] = idx[i];
    if (slots != stack)
        free (slots);
    return kept;
}

/*  Variants among a list's first items: up to half on a shop selling
    several sizes of its best sellers (four of trending's first eight on
    the sample catalog); at least a handful.  */
uint32_t
gw_variants_margin (const hr_catalog_t *cat, uint32_t limit)
{
    if (hr_catalog_variants (cat) == 0)
        return 0;
    return limit / 2 + 8;
}
