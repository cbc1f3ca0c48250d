/*  typo — see typo.h.  */
#include "typo.h"
#include "text.h"
#include "vocab.h"
#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
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
s_cmp_variant (const void *a, const void *b)
{
    const variant_t *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return (x->word > y->word) - (x->word < y->word);
}

/*  Hash of w with byte `skip` deleted (skip >= n: nothing deleted).        */
static uint64_t
s_hash_without (const char *w, size_t n, size_t skip)
{
    char buf[CONTENT_TOKEN_MAX + 1];
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        if (i != skip)
            buf[o++] = w[i];
    return content_hash (buf, o);
}

/*  Hash of w with bytes a and b (a < b) deleted.                           */
static uint64_t
s_hash_without2 (const char *w, size_t n, size_t a, size_t b)
{
    char buf[CONTENT_TOKEN_MAX + 1];
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        if (i != a && i != b)
            buf[o++] = w[i];
    return content_hash (buf, o);
}

/*  Words from 4 bytes also get their two-deletion variants, so that two
    edits anywhere (two substitutions: "geezer" -> "geyser") are found by
    deleting two bytes on both sides.                                       */
static bool
s_two_deletions (uint32_t len)
{
    return len >= 4 && len <= 24;
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
        if (s_two_deletions (len))
            total += (uint64_t) len * (len - 1) / 2;
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
            self->variants[o++] = (variant_t) { s_hash_without (w, len, skip), id };
        if (s_two_deletions (len))
            for (size_t a = 0; a < len; a++)
                for (size_t b = a + 1; b < len; b++)
                    self->variants[o++] = (variant_t) { s_hash_without2 (w, len, a, b), id };
    }
    qsort (self->variants, o, sizeof *self->variants, s_cmp_variant);
    /*  one word reaches a hash through several deletions: keep one entry   */
    uint64_t u = 0;
    for (uint64_t k = 0; k < o; k++)
        if (u == 0 || s_cmp_variant (&self->variants[k], &self->variants[u - 1]) != 0)
            self->variants[u++] = self->variants[k];
    self->nvariants = u;
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

/*  First letters a shopper writes for one another by sound ("seeling" for
    ceiling, "kwality" for quality, "vaccum"/"waccum"): a correction's first
    letter may differ by one of these (content_sounds_alike), and an edit
    between them is cheap (content_typo_cost).                              */
static const char *const s_sound_pairs[] = { "cs", "ck", "kq", "cq", "gj", "vw", "fp", "ie", "iy", "zx" };

bool
content_sounds_alike (char a, char b)
{
    for (size_t k = 0; k < sizeof s_sound_pairs / sizeof *s_sound_pairs; k++)
        if ((s_sound_pairs[k][0] == a && s_sound_pairs[k][1] == b)
        ||  (s_sound_pairs[k][0] == b && s_sound_pairs[k][1] == a))
            return true;
    return false;
}

/*  Letters a hand or an ear confuses: QWERTY neighbours, letters that
    sound alike, two vowels.  A 26 x 26 table built once.                   */
static bool s_near[26][26];
static pthread_once_t s_near_once = PTHREAD_ONCE_INIT;

static void
s_near_build (void)
{
    static const char *const rows[] = { "qwertyuiop", "asdfghjkl", "zxcvbnm" };
    static const char *const sounds[] = { "sz", "td", "bp", "ph" };   /* besides s_sound_pairs */
    static const char *const vowels = "aeiou";
    for (const char *a = vowels; *a; a++)
        for (const char *b = vowels; *b; b++)
            s_near[*a - 'a'][*b - 'a'] = true;
    for (size_t k = 0; k < sizeof s_sound_pairs / sizeof *s_sound_pairs; k++) {
        s_near[s_sound_pairs[k][0] - 'a'][s_sound_pairs[k][1] - 'a'] = true;
        s_near[s_sound_pairs[k][1] - 'a'][s_sound_pairs[k][0] - 'a'] = true;
    }
    for (size_t k = 0; k < sizeof sounds / sizeof *sounds; k++) {
        s_near[sounds[k][0] - 'a'][sounds[k][1] - 'a'] = true;
        s_near[sounds[k][1] - 'a'][sounds[k][0] - 'a'] = true;
    }
    for (int r = 0; r < 3; r++)
        for (int i = 0; rows[r][i]; i++)
            for (int r2 = r - 1; r2 <= r + 1; r2++)
                for (int i2 = i - 1; r2 >= 0 && r2 < 3 && i2 <= i + 1; i2++)
                    if (i2 >= 0 && i2 < (int) strlen (rows[r2]))
                        s_near[rows[r][i] - 'a'][rows[r2][i2] - 'a'] = true;
}

static inline bool
s_near_letters (char a, char b)
{
    return a >= 'a' && a <= 'z' && b >= 'a' && b <= 'z' && s_near[a - 'a'][b - 'a'];
}

static inline bool
s_vowel (char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/*  One sound a shopper writes with other letters than the catalog: "f"
    for "ph" (fone, headfone, sopha), "sh" for the "t" of -tion (loshion),
    "ks" for "x" (mikser), "kw" for "qu", "k" for "ck": with
    CONTENT_TYPO_DIGRAPH, typing the left side for the right or the right
    for the left is one cheap edit, not two.                                */
static const char *const s_sound_spellings[][2] = {
    { "f", "ph" }, { "sh", "t" }, { "ks", "x" }, { "kw", "qu" }, { "k", "ck" } };

/*  The cheaper of best and a step from d[i - |x|][j - |y|] where a[..i)
    ends with one spelling x of a sound and b[..j) with the other, y.      */
static double
s_spelling_step (const char *a, size_t i, const char *b, size_t j,
                 double d[][CONTENT_TOKEN_MAX + 1], double best)
{
    for (size_t k = 0; k < sizeof s_sound_spellings / sizeof *s_sound_spellings; k++)
        for (int side = 0; side < 2; side++) {
            const char *x = s_sound_spellings[k][side], *y = s_sound_spellings[k][!side];
            size_t lx = strlen (x), ly = strlen (y);
            if (lx <= i && ly <= j && !memcmp (a + i - lx, x, lx) && !memcmp (b + j - ly, y, ly)
                && d[i - lx][j - ly] + CONTENT_TYPO_CHEAP < best)
                best = d[i - lx][j - ly] + CONTENT_TYPO_CHEAP;
        }
    return best;
}

double
content_typo_cost (const char *a, size_t na, const char *b, size_t nb, unsigned flags)
{
    if (na > CONTENT_TOKEN_MAX || nb > CONTENT_TOKEN_MAX)
        return 99;
    double d[CONTENT_TOKEN_MAX + 1][CONTENT_TOKEN_MAX + 1];
    const double cheap = CONTENT_TYPO_CHEAP;
    pthread_once (&s_near_once, s_near_build);
    for (size_t i = 0; i <= na; i++)
        d[i][0] = (double) i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = (double) j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            char x = a[i - 1], y = b[j - 1];
            double sub = x == y ? 0 : s_near_letters (x, y) ? cheap : 1;
            double v = d[i - 1][j - 1] + sub;
            /*  a typed letter too many: cheap when it doubles a neighbour  */
            double del = (i > 1 && a[i - 2] == x) || (i < na && a[i] == x) ? cheap : 1;
            if (d[i - 1][j] + del < v) v = d[i - 1][j] + del;
            /*  a letter left out: cheap when it was doubled, or a vowel     */
            double ins = (j > 1 && b[j - 2] == y) || (j < nb && b[j] == y)
                         || ((flags & CONTENT_TYPO_VOWEL_GAP) && s_vowel (y)) ? cheap : 1;
            if (d[i][j - 1] + ins < v) v = d[i][j - 1] + ins;
            if (i > 1 && j > 1 && x == b[j - 2] && a[i - 2] == y && d[i - 2][j - 2] + cheap < v)
                v = d[i - 2][j - 2] + cheap;
            if (flags & CONTENT_TYPO_DIGRAPH)
                v = s_spelling_step (a, i, b, j, d, v);
            d[i][j] = v;
        }
    return d[na][nb];
}

typedef struct {
    const content_typo_t *self;
    const char *w;
    size_t n;
    int max;
    content_typo_cand_t *c;
    uint32_t nc, cap;
} search_t;

/*  Better first: nearer, then more frequent, then lower id.                */
static bool
s_better (const content_typo_t *self, uint32_t a, int da, uint32_t b, int db)
{
    if (da != db)
        return da < db;
    if (self->freq[a] != self->freq[b])
        return self->freq[a] > self->freq[b];
    return a < b;
}

static void
s_probe (search_t *s, uint64_t h)
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
        bool seen = false;
        for (uint32_t k = 0; k < s->nc && !seen; k++)
            seen = s->c[k].word == id;
        if (seen)
            continue;
        uint32_t len;
        const char *cand = content_vocab_term (s->self->words, id, &len);
        if (len == s->n && memcmp (cand, s->w, len) == 0)
            continue;
        int d = content_osa_distance (s->w, s->n, cand, len, s->max);
        if (d > s->max)
            continue;
        /*  insertion into the sorted candidate list, the worst falls off   */
        uint32_t at = s->nc;
        while (at > 0 && s_better (s->self, id, d, s->c[at - 1].word, s->c[at - 1].distance))
            at--;
        if (at >= s->cap)
            continue;
        uint32_t last = s->nc < s->cap ? s->nc : s->cap - 1;
        memmove (s->c + at + 1, s->c + at, (last - at) * sizeof *s->c);
        s->c[at] = (content_typo_cand_t) { id, d, s->self->freq[id] };
        if (s->nc < s->cap)
            s->nc++;
    }
}

uint32_t
content_typo_candidates (const content_typo_t *self, const char *w, size_t n, int max,
                         content_typo_cand_t *out, uint32_t cap)
{
    if (max <= 0 || cap == 0 || n > CONTENT_TOKEN_MAX || !self->variants)
        return 0;
    search_t s = { self, w, n, max, out, 0, cap };
    s_probe (&s, content_hash (w, n));
    for (size_t skip = 0; skip < n; skip++)
        s_probe (&s, s_hash_without (w, n, skip));
    if (max >= 2)
        for (size_t a = 0; a < n; a++)
            for (size_t b = a + 1; b < n; b++)
                s_probe (&s, s_hash_without2 (w, n, a, b));
    return s.nc;
}

const char *
content_typo_word (const content_typo_t *self, uint32_t word, uint32_t *len)
{
    return content_vocab_term (self->words, word, len);
}

size_t
content_typo_correct (const content_typo_t *self, const char *w, size_t n,
                      char *out, size_t cap, int *distance)
{
    content_typo_cand_t c;
    if (content_typo_candidates (self, w, n, content_typo_max_distance (n), &c, 1) == 0)
        return 0;
    uint32_t len;
    const char *best = content_vocab_term (self->words, c.word, &len);
    if (len + 1 > cap)
        return 0;
    memcpy (out, best, len);
    out[len] = '\0';
    if (distance)
        *distance = c.distance;
    return len;
}
