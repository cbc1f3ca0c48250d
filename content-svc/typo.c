/*  typo — see typo.h.  */
#include "typo.h"
#include "text.h"
#include "vocab.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t hash;
    uint32_t word;
} variant_t;

struct content_typo {
    content_vocab_t *words;
    uint32_t *freq;
    uint32_t freq_cap;
    variant_t *variants;
    uint64_t nvariants;
};

content_typo_t *
content_typo_new (void)
{
    content_typo_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->words = content_vocab_new (4096);
    if (!self->words) {
        free (self);
        return NULL;
    }
    return self;
}

void
content_typo_destroy (content_typo_t **self_p)
{
    assert (self_p);
    content_typo_t *self = *self_p;
    if (!self)
        return;
    content_vocab_destroy (&self->words);
    free (self->freq);
    free (self->variants);
    free (self);
    *self_p = NULL;
}

int
content_typo_max_distance (size_t n)
{
    return n < 5 ? 0 : n < 8 ? 1 : 2;
}

int
content_typo_add (content_typo_t *self, const char *w, size_t n, uint32_t freq)
{
    if (n == 0 || n > CONTENT_TOKEN_MAX)
        return 0;
    int64_t id = content_vocab_add (self->words, w, n);
    if (id < 0)
        return -1;
    if ((uint32_t) id >= self->freq_cap) {
        uint32_t cap = self->freq_cap ? self->freq_cap * 2 : 4096;
        uint32_t *f = realloc (self->freq, cap * sizeof *f);
        if (!f)
            return -1;
        memset (f + self->freq_cap, 0, (cap - self->freq_cap) * sizeof *f);
        self->freq = f;
        self->freq_cap = cap;
    }
    self->freq[id] += freq;
    return 0;
}

static int
cmp_variant (const void *a, const void *b)
{
    const variant_t *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return (x->word > y->word) - (x->word < y->word);
}

/*  Hash of w with byte `skip` deleted (skip >= n: nothing deleted).        */
static uint64_t
hash_without (const char *w, size_t n, size_t skip)
{
    char buf[CONTENT_TOKEN_MAX + 1];
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        if (i != skip)
            buf[o++] = w[i];
    return content_hash (buf, o);
}

int
content_typo_freeze (content_typo_t *self)
{
    uint32_t nw = content_vocab_size (self->words);
    uint64_t total = 0;
    for (uint32_t id = 0; id < nw; id++) {
        uint32_t len;
        content_vocab_term (self->words, id, &len);
        total += len + 1;
    }
    free (self->variants);
    self->variants = malloc ((total ? total : 1) * sizeof *self->variants);
    if (!self->variants)
        return -1;
    uint64_t o = 0;
    for (uint32_t id = 0; id < nw; id++) {
        uint32_t len;
        const char *w = content_vocab_term (self->words, id, &len);
        for (size_t skip = 0; skip <= len; skip++)
            self->variants[o++] = (variant_t) { hash_without (w, len, skip), id };
    }
    qsort (self->variants, o, sizeof *self->variants, cmp_variant);
    self->nvariants = o;
    return 0;
}

int
content_osa_distance (const char *a, size_t na, const char *b, size_t nb, int max)
{
    if (na > CONTENT_TOKEN_MAX || nb > CONTENT_TOKEN_MAX)
        return max + 1;
    int diff = (int) na - (int) nb;
    if (diff > max || -diff > max)
        return max + 1;
    int rows[3][CONTENT_TOKEN_MAX + 1];
    int *pp = rows[0], *p = rows[1], *c = rows[2];
    for (size_t j = 0; j <= nb; j++)
        p[j] = (int) j;
    for (size_t i = 1; i <= na; i++) {
        c[0] = (int) i;
        int rowmin = c[0];
        for (size_t j = 1; j <= nb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = p[j - 1] + cost;
            if (p[j] + 1 < v) v = p[j] + 1;
            if (c[j - 1] + 1 < v) v = c[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
                && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            c[j] = v;
            if (v < rowmin)
                rowmin = v;
        }
        if (rowmin > max)
            return max + 1;
        int *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    return p[nb];
}

typedef struct {
    const content_typo_t *self;
    const char *w;
    size_t n;
    int max;
    int64_t best;
    int best_d;
} search_t;

static void
probe (search_t *s, uint64_t h)
{
    const variant_t *v = s->self->variants;
    uint64_t lo = 0, hi = s->self->nvariants;
    while (lo < hi) {
        uint64_t mid = (lo + hi) / 2;
        if (v[mid].hash < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < s->self->nvariants && v[lo].hash == h; lo++) {
        uint32_t id = v[lo].word;
        if ((int64_t) id == s->best)
            continue;
        uint32_t len;
        const char *cand = content_vocab_term (s->self->words, id, &len);
        if (len == s->n && memcmp (cand, s->w, len) == 0)
            continue;
        int d = content_osa_distance (s->w, s->n, cand, len, s->max);
        if (d > s->max)
            continue;
        if (s->best < 0 || d < s->best_d
            || (d == s->best_d && s->self->freq[id] > s->self->freq[s->best])
            || (d == s->best_d && s->self->freq[id] == s->self->freq[s->best]
                && id < s->best)) {
            s->best = id;
            s->best_d = d;
        }
    }
}

size_t
content_typo_correct (const content_typo_t *self, const char *w, size_t n,
                      char *out, size_t cap, int *distance)
{
    int max = content_typo_max_distance (n);
    if (max == 0 || n > CONTENT_TOKEN_MAX || !self->variants)
        return 0;
    search_t s = { self, w, n, max, -1, max + 1 };
    for (size_t skip = 0; skip <= n; skip++)
        probe (&s, hash_without (w, n, skip));
    if (max >= 2) {
        /*  two deletions on the query side: catches two inserted letters   */
        char buf[CONTENT_TOKEN_MAX + 1];
        for (size_t a = 0; a < n; a++)
            for (size_t b = a + 1; b < n; b++) {
                size_t o = 0;
                for (size_t i = 0; i < n; i++)
                    if (i != a && i != b)
                        buf[o++] = w[i];
                probe (&s, content_hash (buf, o));
            }
    }
    if (s.best < 0)
        return 0;
    uint32_t len;
    const char *best = content_vocab_term (self->words, (uint32_t) s.best, &len);
    if (len + 1 > cap)
        return 0;
    memcpy (out, best, len);
    out[len] = '\0';
    if (distance)
        *distance = s.best_d;
    return len;
}
