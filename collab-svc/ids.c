/*  collab_ids — see ids.h.  */
#include "ids.h"
#include "hr_validate.h"
#include "hr_wire.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char s[COLLAB_ID_MAX + 1]; } id_name_t;

struct collab_ids {
    id_name_t *names;
    uint32_t count, names_cap;
    uint32_t *slots;            /* index + 1; 0 = empty */
    uint32_t mask;
};

uint32_t
collab_id_hash (const char *s, size_t len)
{
    if (len == HR_PRODUCT_ID_LEN)
        return hr_product_id_hash (s);
    uint32_t h = 2166136261u;                 /* FNV-1a, any length */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char) s[i]) * 16777619u;
    return h;
}

collab_ids_t *
collab_ids_new (uint32_t capacity_hint)
{
    collab_ids_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    uint32_t slots = 64;
    while (slots < 2ull * capacity_hint && slots < (1u << 31))
        slots <<= 1;
    self->slots = calloc (slots, sizeof *self->slots);
    self->names_cap = capacity_hint > 16 ? capacity_hint : 16;
    self->names = malloc (self->names_cap * sizeof *self->names);
    if (!self->slots || !self->names) {
        collab_ids_destroy (&self);
        return NULL;
    }
    self->mask = slots - 1;
    return self;
}

void
collab_ids_destroy (collab_ids_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free ((*self_p)->names);
        free ((*self_p)->slots);
        free (*self_p);
        *self_p = NULL;
    }
}

static int
s_grow_slots (collab_ids_t *self)
{
    uint32_t nslots = (self->mask + 1) * 2;
    uint32_t *slots = calloc (nslots, sizeof *slots);
    if (!slots)
        return -1;
    for (uint32_t i = 0; i < self->count; i++) {
        const char *s = self->names[i].s;
        uint32_t at = collab_id_hash (s, strlen (s)) & (nslots - 1);
        while (slots[at])
            at = (at + 1) & (nslots - 1);
        slots[at] = i + 1;
    }
    free (self->slots);
    self->slots = slots;
    self->mask = nslots - 1;
    return 0;
}

int64_t
collab_ids_find (const collab_ids_t *self, const char *id, size_t len)
{
    if (len == 0 || len > COLLAB_ID_MAX)
        return -1;
    uint32_t at = collab_id_hash (id, len) & self->mask;
    while (self->slots[at]) {
        const char *s = self->names[self->slots[at] - 1].s;
        if (memcmp (s, id, len) == 0 && s[len] == '\0')
            return self->slots[at] - 1;
        at = (at + 1) & self->mask;
    }
    return -1;
}

int64_t
collab_ids_intern (collab_ids_t *self, const char *id, size_t len)
{
    int64_t found = collab_ids_find (self, id, len);
    if (found >= 0 || len == 0 || len > COLLAB_ID_MAX)
        return found;
    if (2ull * (self->count + 1) > self->mask + 1 && s_grow_slots (self))
        return -1;
    if (self->count == self->names_cap) {
        id_name_t *names = realloc (self->names, 2ull * self->names_cap * sizeof *names);
        if (!names)
            return -1;
        self->names = names;
        self->names_cap *= 2;
    }
    uint32_t idx = self->count++;
    memcpy (self->names[idx].s, id, len);
    self->names[idx].s[len] = '\0';
    uint32_t at = collab_id_hash (id, len) & self->mask;
    while (self->slots[at])
        at = (at + 1) & self->mask;
    self->slots[at] = idx + 1;
    return idx;
}

uint32_t
collab_ids_count (const collab_ids_t *self)
{
    return self->count;
}

const char *
collab_ids_at (const collab_ids_t *self, uint32_t idx)
{
    assert (idx < self->count);
    return self->names[idx].s;
}
