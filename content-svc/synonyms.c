/*  synonyms — see synonyms.h.  */
#include "synonyms.h"
#include "vocab.h"
#include "hr_array.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint32_t from, to;
} edge_t;

struct content_synonyms {
    content_vocab_t *phrases;       /* "stem stem" -> phrase id */
    edge_t *edges;
    uint32_t nedges;
    size_t edges_cap;
    uint32_t *start;                /* per phrase: first edge (after sort) */
    uint32_t *to;                   /* edge targets, contiguous per phrase */
    uint32_t start_len;
    int dirty;                      /* edges added since the last index */
    uint32_t rules;
};

content_synonyms_t *
content_synonyms_new (void)
{
    content_synonyms_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->phrases = content_vocab_new (512);
    if (!self->phrases) {
        free (self);
        return NULL;
    }
    return self;
}

void
content_synonyms_destroy (content_synonyms_t **self_p)
{
    assert (self_p);
    content_synonyms_t *self = *self_p;
    if (!self)
        return;
    content_vocab_destroy (&self->phrases);
    free (self->edges);
    free (self->start);
    free (self->to);
    free (self);
    *self_p = NULL;
}

/*  Analyses one phrase into its key; -1 when empty or too long (skipped).  */
static int64_t
s_phrase_id (content_synonyms_t *self, content_analyzer_t *an, const char *s, size_t n)
{
    const content_token_t *tok;
    uint32_t nt = content_analyze (an, s, n, &tok);
    if (nt == 0 || nt > CONTENT_SYN_MAX_WORDS)
        return -2;
    char key[CONTENT_SYN_MAX_WORDS * (CONTENT_TOKEN_MAX + 1)];
    size_t kl = 0;
    for (uint32_t k = 0; k < nt; k++) {
        if (k)
            key[kl++] = ' ';
        memcpy (key + kl, tok[k].stem, tok[k].stem_len);
        kl += tok[k].stem_len;
    }
    return content_vocab_add (self->phrases, key, kl);
}

static int
s_add_edge (content_synonyms_t *self, uint32_t from, uint32_t to)
{
    if (from == to)
        return 0;
    if (hr_array_grow (&self->edges, sizeof *self->edges, self->nedges, &self->edges_cap, 256) != 0)
        return -1;
    self->edges[self->nedges++] = (edge_t) { from, to };
    self->dirty = 1;
    return 0;
}

/*  Splits s[0,n) on commas into phrase ids; returns the count (<= cap), or
    -1 on out-of-memory.  */
static int
s_split_phrases (content_synonyms_t *self, content_analyzer_t *an, const char *s,
               size_t n, uint32_t *ids, int cap)
{
    int count = 0;
    size_t b = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != ',')
            continue;
        int64_t id = s_phrase_id (self, an, s + b, i - b);
        if (id == -1)
            return -1;
        if (id >= 0 && count < cap)
            ids[count++] = (uint32_t) id;
        b = i + 1;
    }
    return count;
}

static int s_cmp_edge (const void *a, const void *b)
{
    const edge_t *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return (x->to > y->to) - (x->to < y->to);
}

static int
s_reindex (content_synonyms_t *self)
{
    if (self->nedges)     /* no rules: edges may be NULL, which qsort must not see */
        qsort (self->edges, self->nedges, sizeof *self->edges, s_cmp_edge);
    uint32_t o = 0;                 /* drop repeated edges */
    for (uint32_t k = 0; k < self->nedges; k++)
        if (o == 0 || s_cmp_edge (&self->edges[k], &self->edges[o - 1]) != 0)
            self->edges[o++] = self->edges[k];
    self->nedges = o;
    uint32_t np = content_vocab_size (self->phrases);
    uint32_t *start = calloc ((size_t) np + 1, sizeof *start);
    uint32_t *to = malloc (((size_t) self->nedges + 1) * sizeof *to);
    if (!start || !to) {
        free (start);
        free (to);
        return -1;
    }
    for (uint32_t k = 0; k < self->nedges; k++)
        to[k] = self->edges[k].to;
    free (self->to);
    self->to = to;
    for (uint32_t k = 0; k < self->nedges; k++)
        start[self->edges[k].from + 1]++;
    for (uint32_t p = 0; p < np; p++)
        start[p + 1] += start[p];
    free (self->start);
    self->start = start;
    self->start_len = np + 1;
    self->dirty = 0;
    return 0;
}

#define MAX_GROUP 64

int
content_synonyms_parse (content_synonyms_t *self, content_analyzer_t *an,
                        const char *text, size_t len, int *bad)
{
    int rules = 0, badn = 0;
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        size_t le = e;
        for (size_t k = i; k < e; k++)
            if (text[k] == '#') {
                le = k;
                break;
            }
        const char *line = text + i;
        size_t ll = le - i;
        i = e + 1;
        size_t sp = 0;
        while (sp < ll && (line[sp] == ' ' || line[sp] == '\t' || line[sp] == '\r'))
            sp++;
        if (sp == ll)
            continue;
        const char *arrow = NULL;
        for (size_t k = 0; k + 1 < ll; k++)
            if (line[k] == '=' && line[k + 1] == '>') {
                arrow = line + k;
                break;
            }
        uint32_t lhs[MAX_GROUP], rhs[MAX_GROUP];
        int nl, nr;
        if (arrow) {
            nl = s_split_phrases (self, an, line, (size_t) (arrow - line), lhs, MAX_GROUP);
            nr = s_split_phrases (self, an, arrow + 2, ll - (size_t) (arrow - line) - 2,
                                rhs, MAX_GROUP);
            if (nl < 0 || nr < 0)
                return -1;
            if (nl == 0 || nr == 0) {
                badn++;
                continue;
            }
            for (int a = 0; a < nl; a++)
                for (int b = 0; b < nr; b++)
                    if (s_add_edge (self, lhs[a], rhs[b]))
                        return -1;
        }
        else {
            nl = s_split_phrases (self, an, line, ll, lhs, MAX_GROUP);
            if (nl < 0)
                return -1;
            if (nl < 2) {
                badn++;
                continue;
            }
            for (int a = 0; a < nl; a++)
                for (int b = 0; b < nl; b++)
                    if (s_add_edge (self, lhs[a], lhs[b]))
                        return -1;
        }
        rules++;
    }
    self->rules += (uint32_t) rules;
    if (bad)
        *bad = badn;
    if (s_reindex (self))
        return -1;
    return rules;
}

int
content_synonyms_load (content_synonyms_t *self, content_analyzer_t *an, const char *path)
{
    FILE *f = fopen (path, "rb");
    if (!f)
        return -1;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            cap = cap ? cap * 2 : 16384;
            if (cap > 16u << 20) {          /* a synonym file, not a corpus */
                free (buf);
                fclose (f);
                return -1;
            }
            char *b = realloc (buf, cap);
            if (!b) {
                free (buf);
                fclose (f);
                return -1;
            }
            buf = b;
        }
        size_t r = fread (buf + len, 1, cap - len, f);
        len += r;
        if (r == 0)
            break;
    }
    fclose (f);
    int bad = 0;
    int rc = content_synonyms_parse (self, an, buf ? buf : "", len, &bad);
    free (buf);
    return rc;
}

uint32_t
content_synonyms_match (const content_synonyms_t *self, const char *const *stems,
                        const uint32_t *lens, uint32_t n, uint32_t pos,
                        const uint32_t **targets, uint32_t *ntargets)
{
    assert (!self->dirty);
    *targets = NULL;
    *ntargets = 0;
    char key[CONTENT_SYN_MAX_WORDS * (CONTENT_TOKEN_MAX + 1)];
    uint32_t best = 0;
    size_t kl = 0;
    for (uint32_t w = 0; w < CONTENT_SYN_MAX_WORDS && pos + w < n; w++) {
        if (lens[pos + w] > CONTENT_TOKEN_MAX)
            break;
        if (w)
            key[kl++] = ' ';
        memcpy (key + kl, stems[pos + w], lens[pos + w]);
        kl += lens[pos + w];
        int64_t id = content_vocab_find (self->phrases, key, kl);
        if (id < 0 || (uint32_t) id + 1 >= self->start_len)
            continue;
        uint32_t b = self->start[id], e = self->start[id + 1];
        if (e > b) {
            best = w + 1;
            *ntargets = e - b;
            *targets = self->to + b;
        }
    }
    return best;
}

const char *
content_synonyms_phrase (const content_synonyms_t *self, uint32_t id, uint32_t *len)
{
    return content_vocab_term (self->phrases, id, len);
}

uint32_t
content_synonyms_rules (const content_synonyms_t *self)
{
    return self->rules;
}
