/*  hr_idmap — product ids to dense indexes (see hr_idmap.h).  */
#include "hr_idmap.h"
#include "hr_array.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct hr_idmap {
    char (*ids)[10];            /* by index */
    uint32_t count;
    size_t cap;
    uint32_t *slots;            /* index + 1; 0 = empty */
    uint32_t slot_mask;
};

hr_idmap_t *
hr_idmap_new (uint32_t expected)
{
    hr_idmap_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    uint32_t slots = 16;
    while (slots < 2 * (uint64_t) expected && slots < (1u << 31))
        slots *= 2;
    self->slot_mask = slots - 1;
    self->slots = calloc (slots, sizeof *self->slots);
    if (!self->slots) {
        free (self);
        return NULL;
    }
    return self;
}

void
hr_idmap_destroy (hr_idmap_t **self_p)
{
    assert (self_p);
    hr_idmap_t *self = *self_p;
    if (!self)
        return;
    free (self->ids);
    free (self->slots);
    free (self);
    *self_p = NULL;
}

//  The 10 id bytes as two loads, mixed by splitmix64's finalizer: every
//  byte reaches the low bits the mask keeps.  A quarter of FNV-1a's
//  instructions (ten dependent multiplies); every lookup of the catalog
//  (several per listed item in the gateway) hashes.
static inline uint32_t
s_hash (const char *id10)
{
    uint64_t a;
    uint16_t b;
    memcpy (&a, id10, 8);
    memcpy (&b, id10 + 8, 2);
    uint64_t x = a ^ ((uint64_t) b * 0x9E3779B97F4A7C15ull);
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return (uint32_t) x;
}

//  The slot holding id10, or the empty slot where it belongs.
static uint32_t
s_slot (const hr_idmap_t *self, const char *id10)
{
    uint32_t i = s_hash (id10) & self->slot_mask;
    while (self->slots[i] && memcmp (self->ids[self->slots[i] - 1], id10, 10) != 0)
        i = (i + 1) & self->slot_mask;
    return i;
}

int64_t
hr_idmap_find (const hr_idmap_t *self, const char *id10)
{
    assert (self);
    assert (id10);
    uint32_t slot = self->slots[s_slot (self, id10)];
    return slot ? (int64_t) slot - 1 : -1;
}

//  Ids are hashed and their slot asked for FIND_AHEAD * 2 lookups ahead,
//  the id a slot names FIND_AHEAD ahead: by its turn, a lookup's two
//  dependent loads are (usually) in cache.
#define FIND_AHEAD 8
#define FIND_RING 32                    /* > 2 * FIND_AHEAD, a power of two */

void
hr_idmap_find_many (const hr_idmap_t *self, const char *const *ids, uint32_t n, int64_t *out)
{
    assert (self);
    assert (ids || n == 0);
    uint32_t start[FIND_RING];
    for (uint32_t j = 0; j < n && j < 2 * FIND_AHEAD; j++) {
        start[j] = s_hash (ids[j]) & self->slot_mask;
        __builtin_prefetch (&self->slots[start[j]]);
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t j = i + 2 * FIND_AHEAD;
        if (j < n) {
            start[j % FIND_RING] = s_hash (ids[j]) & self->slot_mask;
            __builtin_prefetch (&self->slots[start[j % FIND_RING]]);
        }
        j = i + FIND_AHEAD;
        if (j < n && self->slots[start[j % FIND_RING]])
            __builtin_prefetch (self->ids[self->slots[start[j % FIND_RING]] - 1]);
        uint32_t at = start[i % FIND_RING];
        while (self->slots[at] && memcmp (self->ids[self->slots[at] - 1], ids[i], 10) != 0)
            at = (at + 1) & self->slot_mask;
        out[i] = self->slots[at] ? (int64_t) self->slots[at] - 1 : -1;
    }
}

//  Room for one more id: the id array and a load factor under one half.
static int
s_grow (hr_idmap_t *self)
{
    if (hr_array_grow (&self->ids, sizeof *self->ids, self->count, &self->cap, 1024) != 0)
        return -1;
    if ((self->count + 1) * 2 <= self->slot_mask + 1)
        return 0;
    uint32_t mask = self->slot_mask * 2 + 1;
    uint32_t *slots = calloc ((size_t) mask + 1, sizeof *slots);
    if (!slots)
        return -1;
    free (self->slots);
    self->slots = slots;
    self->slot_mask = mask;
    for (uint32_t idx = 0; idx < self->count; idx++)
        self->slots[s_slot (self, self->ids[idx])] = idx + 1;
    return 0;
}

int64_t
hr_idmap_add (hr_idmap_t *self, const char *id10, bool *added)
{
    assert (self);
    assert (id10);
    int64_t found = hr_idmap_find (self, id10);
    if (added)
        *added = found < 0;
    if (found >= 0)
        return found;
    if (s_grow (self) != 0)
        return -1;
    uint32_t idx = self->count++;
    memcpy (self->ids[idx], id10, 10);
    self->slots[s_slot (self, id10)] = idx + 1;
    return idx;
}

uint32_t
hr_idmap_size (const hr_idmap_t *self)
{
    assert (self);
    return self->count;
}
