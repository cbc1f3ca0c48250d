/*  vocab — see vocab.h.  */
#include "vocab.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define EMPTY UINT32_MAX

struct content_vocab {
    char *arena;
    size_t arena_len, arena_cap;
    uint32_t *offset, *length;
    uint64_t *hash;
    uint32_t count, ids_cap;
    uint32_t *slots;            /* ids; EMPTY when free */
    uint32_t mask;              /* slot count - 1 (a power of two) */
};

uint64_t
content_hash (const char *s, size_t n)
{
    /*  FNV-1a with a final avalanche: terms are short, this is fast enough
        and spreads well over power-of-two tables.  */
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char) s[i]) * 1099511628211ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static int
s_resize_slots (content_vocab_t *self, uint32_t nslots)
{
    uint32_t *slots = malloc ((size_t) nslots * sizeof *slots);
    if (!slots)
        return -1;
    memset (slots, 0xff, (size_t) nslots * sizeof *slots);
    uint32_t mask = nslots - 1;
    for (uint32_t id = 0; id < self->count; id++) {
        uint32_t i = (uint32_t) self->hash[id] & mask;
        while (slots[i] != EMPTY)
            i = (i + 1) & mask;
        slots[i] = id;
    }
    free (self->slots);
    self->slots = slots;
    self->mask = mask;
    return 0;
}

content_vocab_t *
content_vocab_new (uint32_t expected)
{
    content_vocab_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    uint32_t nslots = 64;
    while (nslots < expected * 2u && nslots < (1u << 30))
        nslots <<= 1;
    if (s_resize_slots (self, nslots)) {
        free (self);
        return NULL;
    }
    return self;
}

void
content_vocab_destroy (content_vocab_t **self_p)
{
    assert (self_p);
    content_vocab_t *self = *self_p;
    if (!self)
        return;
    free (self->arena);
    free (self->offset);
    free (self->length);
    free (self->hash);
    free (self->slots);
    free (self);
    *self_p = NULL;
}

static int64_t
s_lookup (const content_vocab_t *self, const char *s, size_t n, uint64_t h, uint32_t *slot)
{
    uint32_t i = (uint32_t) h & self->mask;
    for (;;) {
        uint32_t id = self->slots[i];
        if (id == EMPTY) {
            *slot = i;
            return -1;
        }
        if (self->hash[id] == h && self->length[id] == n
            && memcmp (self->arena + self->offset[id], s, n) == 0)
            return id;
        i = (i + 1) & self->mask;
    }
}

int64_t
content_vocab_find (const content_vocab_t *self, const char *s, size_t n)
{
    uint32_t slot;
    return s_lookup (self, s, n, content_hash (s, n), &slot);
}

static int
s_grow (void **p, size_t elem, uint32_t newcap)
{
    void *q = realloc (*p, (size_t) newcap * elem);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

int64_t
content_vocab_add (content_vocab_t *self, const char *s, size_t n)
{
    if (n >= UINT32_MAX)
        return -1;
    uint64_t h = content_hash (s, n);
    uint32_t slot;
    int64_t found = s_lookup (self, s, n, h, &slot);
    if (found >= 0)
        return found;
    if (self->count == UINT32_MAX - 1 || self->count + 2 > self->mask)
        return -1;     /* a failed resize left the table full: never fill the last slot */
    if (self->count == self->ids_cap) {
        uint32_t cap = self->ids_cap ? self->ids_cap * 2 : 256;
        if (s_grow ((void **) &self->offset, sizeof (uint32_t), cap)
            || s_grow ((void **) &self->length, sizeof (uint32_t), cap)
            || s_grow ((void **) &self->hash, sizeof (uint64_t), cap))
            return -1;
        self->ids_cap = cap;
    }
    if (self->arena_len + n + 1 > self->arena_cap) {
        size_t cap = self->arena_cap ? self->arena_cap * 2 : 4096;
        while (cap < self->arena_len + n + 1)
            cap *= 2;
        if (cap > UINT32_MAX)
            return -1;
        char *a = realloc (self->arena, cap);
        if (!a)
            return -1;
        self->arena = a;
        self->arena_cap = cap;
    }
    uint32_t id = self->count++;
    self->offset[id] = (uint32_t) self->arena_len;
    self->length[id] = (uint32_t) n;
    self->hash[id] = h;
    memcpy (self->arena + self->arena_len, s, n);
    self->arena[self->arena_len + n] = '\0';
    self->arena_len += n + 1;
    self->slots[slot] = id;
    if ((uint64_t) self->count * 2 > (uint64_t) self->mask + 1) {
        if (s_resize_slots (self, (self->mask + 1) * 2)) {
            /* keep working in the old, fuller table: still correct */
        }
    }
    return id;
}

const char *
content_vocab_term (const content_vocab_t *self, uint32_t id, uint32_t *len)
{
    assert (id < self->count);
    if (len)
        *len = self->length[id];
    return self->arena + self->offset[id];
}

uint32_t
content_vocab_size (const content_vocab_t *self)
{
    return self->count;
}
