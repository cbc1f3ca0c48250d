/*  gw_ratelimit — bounded per-loop token-bucket table (see gw_ratelimit.h). */
#include "gw_ratelimit.h"
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t client[16];
    uint64_t last_ns;           /* 0 = free slot */
    double tokens;
} slot_t;

struct gw_ratelimit {
    double rate, burst;
    size_t mask;
    uint64_t evictions;
    slot_t *slots;
};

gw_ratelimit_t *
gw_ratelimit_new (double rate, double burst, size_t capacity)
{
    if (!(rate > 0) || !(burst >= 1))
        return NULL;
    gw_ratelimit_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    size_t cap = 64;
    while (cap < capacity && cap < ((size_t) 1 << 30))
        cap <<= 1;
    self->slots = calloc (cap, sizeof *self->slots);
    if (!self->slots) {
        free (self);
        return NULL;
    }
    self->rate = rate;
    self->burst = burst;
    self->mask = cap - 1;
    return self;
}

void
gw_ratelimit_destroy (gw_ratelimit_t **self_p)
{
    if (!*self_p)
        return;
    free ((*self_p)->slots);
    free (*self_p);
    *self_p = NULL;
}

static uint64_t
s_hash (const uint8_t client[16])
{
    uint64_t a, b;
    memcpy (&a, client, 8);
    memcpy (&b, client + 8, 8);
    uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 31);
}

int
gw_ratelimit_take (gw_ratelimit_t *self, const uint8_t client[16], uint64_t now_ns)
{
    if (now_ns == 0)
        now_ns = 1;                         /* 0 marks a free slot */
    size_t at = (size_t) s_hash (client) & self->mask;
    slot_t *hit = NULL, *victim = NULL;
    for (size_t i = 0; i < GW_RATELIMIT_PROBE; i++) {
        slot_t *s = &self->slots[(at + i) & self->mask];
        if (s->last_ns && memcmp (s->client, client, 16) == 0) {
            hit = s;
            break;
        }
        if (!victim || s->last_ns < victim->last_ns)   /* a free slot (0) wins */
            victim = s;
    }
    if (!hit) {
        if (victim->last_ns)
            self->evictions++;
        hit = victim;
        memcpy (hit->client, client, 16);
        hit->tokens = self->burst;
        hit->last_ns = now_ns;
    }
    else if (now_ns > hit->last_ns) {
        hit->tokens += (double) (now_ns - hit->last_ns) / 1e9 * self->rate;
        if (hit->tokens > self->burst)
            hit->tokens = self->burst;
        hit->last_ns = now_ns;
    }
    if (hit->tokens >= 1.0) {
        hit->tokens -= 1.0;
        return 0;
    }
    double wait = ceil ((1.0 - hit->tokens) / self->rate);
    return wait < 1 ? 1 : wait > 86400 ? 86400 : (int) wait;
}

uint64_t
gw_ratelimit_evictions (const gw_ratelimit_t *self)
{
    return self->evictions;
}
