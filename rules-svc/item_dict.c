/*  item_dict — an arena of NUL-terminated names plus an open-addressing
    hash of offsets: one allocation per growth, none per item.            */
#include "item_dict.h"
#include <stdlib.h>
#include <string.h>

struct rules_item_dict {
    char *arena;                /* names, each NUL-terminated */
    size_t arena_len, arena_cap;
    size_t *offset;             /* per id: where its name starts */
    uint32_t *name_len;
    uint32_t n, ids_cap;
    uint32_t *slots;            /* id + 1; 0 = empty */
    size_t nslots;
};

static uint64_t s_hash_bytes (const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char) s[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 31);
}

rules_item_dict_t *rules_item_dict_new (void)
{
    rules_item_dict_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->nslots = 256;
    self->slots = calloc (self->nslots, sizeof *self->slots);
    if (!self->slots) {
        free (self);
        return NULL;
    }
    return self;
}

void rules_item_dict_destroy (rules_item_dict_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rules_item_dict_t *self = *self_p;
    free (self->arena);
    free (self->offset);
    free (self->name_len);
    free (self->slots);
    free (self);
    *self_p = NULL;
}

static size_t s_find_slot (const rules_item_dict_t *self, const char *name, size_t len)
{
    size_t mask = self->nslots - 1, j = s_hash_bytes (name, len) & mask;
    while (self->slots[j]) {
        uint32_t id = self->slots[j] - 1;
        if (self->name_len[id] == len && !memcmp (self->arena + self->offset[id], name, len))
            return j;
        j = (j + 1) & mask;
    }
    return j;
}

uint32_t rules_item_dict_find (const rules_item_dict_t *self, const char *name, size_t len)
{
    size_t j = s_find_slot (self, name, len);
    return self->slots[j] ? self->slots[j] - 1 : RULES_ITEM_DICT_NONE;
}

static int s_rehash (rules_item_dict_t *self)
{
    size_t nslots = self->nslots * 2;
    uint32_t *slots = calloc (nslots, sizeof *slots);
    if (!slots)
        return -1;
    for (uint32_t id = 0; id < self->n; id++) {
        size_t j = s_hash_bytes (self->arena + self->offset[id], self->name_len[id]) & (nslots - 1);
        while (slots[j])
            j = (j + 1) & (nslots - 1);
        slots[j] = id + 1;
    }
    free (self->slots);
    self->slots = slots;
    self->nslots = nslots;
    return 0;
}

uint32_t rules_item_dict_intern (rules_item_dict_t *self, const char *name, size_t len)
{
    size_t j = s_find_slot (self, name, len);
    if (self->slots[j])
        return self->slots[j] - 1;
    if (self->n >= UINT32_MAX - 1 || len > UINT32_MAX)
        return RULES_ITEM_DICT_NONE;
    if ((size_t) (self->n + 1) * 2 > self->nslots) {
        if (s_rehash (self))
            return RULES_ITEM_DICT_NONE;
        j = s_find_slot (self, name, len);
    }
    if (self->n == self->ids_cap) {
        uint32_t cap = self->ids_cap ? self->ids_cap * 2 : 256;
        size_t *off = realloc (self->offset, cap * sizeof *off);
        if (!off)
            return RULES_ITEM_DICT_NONE;
        self->offset = off;
        uint32_t *nl = realloc (self->name_len, cap * sizeof *nl);
        if (!nl)
            return RULES_ITEM_DICT_NONE;
        self->name_len = nl;
        self->ids_cap = cap;
    }
    if (self->arena_len + len + 1 > self->arena_cap) {
        size_t cap = self->arena_cap ? self->arena_cap * 2 : 4096;
        while (cap < self->arena_len + len + 1)
            cap *= 2;
        char *a = realloc (self->arena, cap);
        if (!a)
            return RULES_ITEM_DICT_NONE;
        self->arena = a;
        self->arena_cap = cap;
    }
    uint32_t id = self->n++;
    self->offset[id] = self->arena_len;
    self->name_len[id] = (uint32_t) len;
    memcpy (self->arena + self->arena_len, name, len);
    self->arena[self->arena_len + len] = '\0';
    self->arena_len += len + 1;
    self->slots[j] = id + 1;
    return id;
}

const char *rules_item_dict_name (const rules_item_dict_t *self, uint32_t id, size_t *len)
{
    if (id >= self->n)
        return NULL;
    if (len)
        *len = self->name_len[id];
    return self->arena + self->offset[id];
}

uint32_t rules_item_dict_size (const rules_item_dict_t *self) { return self->n; }
