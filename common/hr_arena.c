/*  hr_arena — see hr_arena.h.                                              */
#include "hr_arena.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>

typedef struct block {
    struct block *next;
    size_t used, cap;
    char data[];
} block_t;

struct hr_arena {
    block_t *head;              /* the block being filled */
    size_t block;
};

hr_arena_t *
hr_arena_new (size_t block)
{
    assert (block > 0);
    hr_arena_t *self = calloc (1, sizeof *self);
    if (self)
        self->block = block;
    return self;
}

void
hr_arena_destroy (hr_arena_t **self_p)
{
    assert (self_p);
    hr_arena_t *self = *self_p;
    if (!self)
        return;
    while (self->head) {
        block_t *next = self->head->next;
        free (self->head);
        self->head = next;
    }
    free (self);
    *self_p = NULL;
}

char *
hr_arena_strndup (hr_arena_t *self, const char *s, size_t n)
{
    assert (self && s);
    block_t *b = self->head;
    if (!b || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > self->block ? n + 1 : self->block;
        b = malloc (sizeof *b + cap);
        if (!b)
            return NULL;
        b->cap = cap;
        b->used = 0;
        //  A big odd string gets its own block behind the current one, so
        //  the current block's free space is not wasted
        if (self->head && n + 1 > self->block) {
            b->next = self->head->next;
            self->head->next = b;
        }
        else {
            b->next = self->head;
            self->head = b;
        }
    }
    char *p = b->data + b->used;
    memcpy (p, s, n);
    p[n] = 0;
    b->used += n + 1;
    return p;
}
