/*  text — see text.h.  */
#include "text.h"
#include "vocab.h"
#include <assert.h>
#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

/*  Latin Extended-A (U+0100..U+017F) folded to its ASCII base letter.     */
static const char latin_ext_a[] =
    "aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii" "ii"
    "jj" "kkk" "llllllllll" "nnnnnnnnn" "oooooo" "oo" "rrrrrr" "ssssssss"
    "tttttt" "uuuuuuuuuuuu" "ww" "yyy" "zzzzzz" "s";
_Static_assert (sizeof latin_ext_a == 129, "one letter per code point U+0100..U+017F");

/*  Latin-1 letters U+00C0..U+00FF; NULL = not a letter (× and ÷).         */
static const char *const latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
};

/*  Sorted: looked up with bsearch.  A short classic list: words such as
    "top", "back" or "full" carry meaning in product names, so the long
    scikit-learn list would hurt.  */
static const char *const stop_words[] = {
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and",
    "any", "are", "as", "at", "be", "because", "been", "before", "being", "below",
    "between", "both", "but", "by", "can", "did", "do", "does", "doing", "during",
    "each", "few", "for", "from", "further", "had", "has", "have", "having", "he",
    "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if",
    "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my",
    "myself", "nor", "not", "now", "of", "on", "once", "only", "or", "other", "our",
    "ours", "ourselves", "own", "same", "she", "should", "so", "some", "such",
    "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there",
    "these", "they", "this", "those", "through", "to", "too", "until", "very",
    "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom",
    "why", "will", "with", "you", "your", "yours", "yourself", "yourselves",
};

static int
s_cmp_word (const void *key, const void *elem)
{
    const char *const *k = key;
    return strcmp (*k, *(const char *const *) elem);
}

bool
content_is_stop_word (const char *word, size_t len)
{
    char buf[16];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy (buf, word, len);
    buf[len] = '\0';
    const char *key = buf;
    return bsearch (&key, stop_words, sizeof stop_words / sizeof *stop_words,
                    sizeof *stop_words, s_cmp_word) != NULL;
}

/*  Decodes one code point; -1 for an invalid sequence (consumes 1 byte).
    Rejects overlong forms, surrogates and values above U+10FFFF.           */
static int32_t
s_utf8_next (const unsigned char *s, size_t n, size_t *i)
{
    unsigned char c = s[*i];
    if (c < 0x80) {
        (*i)++;
        return c;
    }
    int extra;
    int32_t cp, min;
    if ((c & 0xe0) == 0xc0)      { extra = 1; cp = c & 0x1f; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { extra = 2; cp = c & 0x0f; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { extra = 3; cp = c & 0x07; min = 0x10000; }
    else { (*i)++; return -1; }
    if ((size_t) extra >= n - *i) {         /* truncated at the end */
        (*i)++;
        return -1;
    }
    for (int k = 1; k <= extra; k++) {
        unsigned char cc = s[*i + k];
        if ((cc & 0xc0) != 0x80) { (*i)++; return -1; }
        cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        (*i)++;
        return -1;
    }
    *i += (size_t) extra + 1;
    return cp;
}

enum { SEP = 0, SKIP = 1, WORD = 2 };

/*  Classifies a code point and writes its folded form (WORD) into out.     */
static int
s_fold_cp (int32_t cp, char out[8], size_t *outlen)
{
    *outlen = 0;
    if (cp < 0)
        return SEP;
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z') cp += 32;
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
            out[0] = (char) cp;
            *outlen = 1;
            return WORD;
        }
        return cp == '\'' ? SKIP : SEP;
    }
    if (cp == 0x2019)                       /* ’ inside a word, like ' */
        return SKIP;
    if (cp >= 0xc0 && cp <= 0xff) {
        const char *f = latin1[cp - 0xc0];
        if (!f)
            return SEP;
        *outlen = strlen (f);
        memcpy (out, f, *outlen);
        return WORD;
    }
    if (cp >= 0x100 && cp <= 0x17f) {
        out[0] = latin_ext_a[cp - 0x100];
        *outlen = 1;
        return WORD;
    }
    if (cp < 0xc0)                          /* C1 controls, Latin-1 symbols */
        return SEP;
    if (cp >= 0x300 && cp <= 0x36f)         /* combining accents: "e" + ´ = "e" */
        return SKIP;
    if ((cp >= 0x2000 && cp <= 0x2bff)      /* punctuation, currency (₹), symbols */
        || (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xfe00 && cp <= 0xfe0f)
        || (cp >= 0xff00 && cp <= 0xff0f) || cp == 0xfeff || cp >= 0x1f000
        || (cp >= 0xe000 && cp <= 0xf8ff) || cp == 0x37e || cp == 0x387)
        return SEP;
    if (cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2)
        cp += 0x20;                         /* Greek capitals */
    else if (cp >= 0x410 && cp <= 0x42f)
        cp += 0x20;                         /* Cyrillic capitals */
    else if (cp >= 0x400 && cp <= 0x40f)
        cp += 0x50;
    if (cp < 0x800) {
        out[0] = (char) (0xc0 | (cp >> 6));
        out[1] = (char) (0x80 | (cp & 0x3f));
        *outlen = 2;
    }
    else if (cp < 0x10000) {
        out[0] = (char) (0xe0 | (cp >> 12));
        out[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char) (0x80 | (cp & 0x3f));
        *outlen = 3;
    }
    else {
        out[0] = (char) (0xf0 | (cp >> 18));
        out[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char) (0x80 | (cp & 0x3f));
        *outlen = 4;
    }
    return WORD;
}

size_t
content_fold (const char *text, size_t len, char *dst, size_t dstcap)
{
    assert (dstcap > 0);
    const unsigned char *s = (const unsigned char *) text;
    size_t i = 0, o = 0;
    bool space = true;                      /* no leading space */
    while (i < len) {
        char buf[8];
        size_t bl;
        int kind = s_fold_cp (s_utf8_next (s, len, &i), buf, &bl);
        if (kind == SKIP)
            continue;
        if (kind == SEP) {
            if (!space && o + 1 < dstcap) {
                dst[o++] = ' ';
                space = true;
            }
            continue;
        }
        if (o + bl >= dstcap)
            break;
        memcpy (dst + o, buf, bl);
        o += bl;
        space = false;
    }
    if (o > 0 && dst[o - 1] == ' ')
        o--;
    dst[o] = '\0';
    return o;
}

/*  ---- analyzer ---------------------------------------------------------- */

typedef struct {
    uint32_t surface_off, surface_len, stem_off, stem_len;
} token_ref_t;

struct content_analyzer {
    struct sb_stemmer *stemmer;
    content_vocab_t *memo;          /* surface -> index into memo_stem */
    uint32_t *memo_stem;            /* id -> offset of the stem in memo_arena */
    uint32_t memo_cap;
    char *memo_arena;
    size_t memo_len, memo_arena_cap;
    char *chars;                    /* surfaces and stems of the current text */
    size_t chars_len, chars_cap;
    token_ref_t *refs;
    content_token_t *tokens;
    uint32_t ntokens, tokens_cap;
};

#define MEMO_MAX 400000             /* bounded: queries could be anything */

content_analyzer_t *
content_analyzer_new (void)
{
    content_analyzer_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->stemmer = sb_stemmer_new ("english", "UTF_8");
    self->memo = content_vocab_new (4096);
    if (!self->stemmer || !self->memo) {
        content_analyzer_destroy (&self);
        return NULL;
    }
    return self;
}

void
content_analyzer_destroy (content_analyzer_t **self_p)
{
    assert (self_p);
    content_analyzer_t *self = *self_p;
    if (!self)
        return;
    if (self->stemmer)
        sb_stemmer_delete (self->stemmer);
    content_vocab_destroy (&self->memo);
    free (self->memo_stem);
    free (self->memo_arena);
    free (self->chars);
    free (self->refs);
    free (self->tokens);
    free (self);
    *self_p = NULL;
}

static int
s_chars_reserve (content_analyzer_t *self, size_t more)
{
    if (self->chars_len + more <= self->chars_cap)
        return 0;
    size_t cap = self->chars_cap ? self->chars_cap : 1024;
    while (cap < self->chars_len + more)
        cap *= 2;
    char *c = realloc (self->chars, cap);
    if (!c)
        return -1;
    self->chars = c;
    self->chars_cap = cap;
    return 0;
}

static bool
s_has_digit_or_non_ascii (const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((w[i] >= '0' && w[i] <= '9') || (unsigned char) w[i] >= 0x80)
            return true;
    return false;
}

const char *
content_stem (content_analyzer_t *self, const char *word, size_t len, uint32_t *stem_len)
{
    if (len == 0 || len > CONTENT_TOKEN_MAX || s_has_digit_or_non_ascii (word, len)) {
        *stem_len = (uint32_t) len;
        return word;
    }
    int64_t id = content_vocab_find (self->memo, word, len);
    if (id >= 0) {
        const char *st = self->memo_arena + self->memo_stem[id];
        *stem_len = (uint32_t) strlen (st);
        return st;
    }
    const sb_symbol *st = sb_stemmer_stem (self->stemmer, (const sb_symbol *) word, (int) len);
    if (!st) {                              /* out of memory inside libstemmer */
        *stem_len = (uint32_t) len;
        return word;
    }
    size_t sl = (size_t) sb_stemmer_length (self->stemmer);
    if (content_vocab_size (self->memo) < MEMO_MAX) {
        if (self->memo_len + sl + 1 > self->memo_arena_cap) {
            size_t cap = self->memo_arena_cap ? self->memo_arena_cap * 2 : 8192;
            char *a = realloc (self->memo_arena, cap);
            if (!a)
                goto done;
            self->memo_arena = a;
            self->memo_arena_cap = cap;
        }
        uint32_t n = content_vocab_size (self->memo);
        if (n == self->memo_cap) {
            uint32_t cap = self->memo_cap ? self->memo_cap * 2 : 1024;
            uint32_t *m = realloc (self->memo_stem, cap * sizeof *m);
            if (!m)
                goto done;
            self->memo_stem = m;
            self->memo_cap = cap;
        }
        if (content_vocab_add (self->memo, word, len) == (int64_t) n) {
            self->memo_stem[n] = (uint32_t) self->memo_len;
            memcpy (self->memo_arena + self->memo_len, st, sl);
            self->memo_arena[self->memo_len + sl] = '\0';
            self->memo_len += sl + 1;
        }
    }
done:
    *stem_len = (uint32_t) sl;
    return (const char *) st;
}

static int
s_emit (content_analyzer_t *self, size_t start, size_t len)
{
    /*  surface is chars[start, start+len): filter, then append the stem.   */
    if (len < 2 || len > CONTENT_TOKEN_MAX
        || content_is_stop_word (self->chars + start, len)) {
        self->chars_len = start;
        return 0;
    }
    if (self->ntokens == self->tokens_cap) {
        uint32_t cap = self->tokens_cap ? self->tokens_cap * 2 : 64;
        token_ref_t *r = realloc (self->refs, cap * sizeof *r);
        if (!r)
            return -1;
        self->refs = r;
        content_token_t *t = realloc (self->tokens, cap * sizeof *t);
        if (!t)
            return -1;
        self->tokens = t;
        self->tokens_cap = cap;
    }
    char word[CONTENT_TOKEN_MAX + 1];
    memcpy (word, self->chars + start, len);
    uint32_t sl;
    const char *st = content_stem (self, word, len, &sl);
    if (s_chars_reserve (self, sl + 2))
        return -1;
    self->chars[self->chars_len++] = '\0';
    size_t stem_off = self->chars_len;
    memcpy (self->chars + stem_off, st, sl);
    self->chars_len += sl;
    self->chars[self->chars_len++] = '\0';
    self->refs[self->ntokens++] = (token_ref_t) {
        (uint32_t) start, (uint32_t) len, (uint32_t) stem_off, sl };
    return 0;
}

/*  "t shirt", "T-Shirt", "t - shirt": the lone "t" joins the word after it
    ("tshirt", as many titles write it); alone it would be dropped and the
    query would mean any shirt.                                             */
static bool
s_joins_next (const char *word, size_t wl, const unsigned char *s, size_t len, size_t i)
{
    if (wl != 1 || word[0] != 't')
        return false;
    while (i < len && (s[i] == ' ' || s[i] == '-'))
        i++;
    static const char shirt[] = "shirt";
    for (size_t k = 0; k < sizeof shirt - 1; k++)
        if (i + k >= len || (s[i + k] | 0x20) != shirt[k])
            return false;
    return true;
}

uint32_t
content_analyze (content_analyzer_t *self, const char *text, size_t len,
                 const content_token_t **tokens)
{
    const unsigned char *s = (const unsigned char *) text;
    self->chars_len = 0;
    self->ntokens = 0;
    size_t i = 0, start = 0;
    bool in_word = false;
    while (i < len) {
        char buf[8];
        size_t bl;
        int kind = s_fold_cp (s_utf8_next (s, len, &i), buf, &bl);
        if (kind == SKIP)
            continue;
        if (kind == SEP) {
            if (in_word && s_joins_next (self->chars + start, self->chars_len - start, s, len, i))
                continue;
            if (in_word && s_emit (self, start, self->chars_len - start))
                break;
            in_word = false;
            continue;
        }
        if (!in_word) {
            start = self->chars_len;
            in_word = true;
        }
        if (self->chars_len - start > CONTENT_TOKEN_MAX)
            continue;               /* too long already: emit() drops it */
        if (s_chars_reserve (self, bl))
            break;
        memcpy (self->chars + self->chars_len, buf, bl);
        self->chars_len += bl;
    }
    if (in_word)
        s_emit (self, start, self->chars_len - start);
    for (uint32_t k = 0; k < self->ntokens; k++) {
        token_ref_t *r = &self->refs[k];
        self->tokens[k] = (content_token_t) {
            self->chars + r->surface_off, r->surface_len,
            self->chars + r->stem_off, r->stem_len, k };
    }
    *tokens = self->tokens;
    return self->ntokens;
}
