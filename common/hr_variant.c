/*  hr_variant — see hr_variant.h.  */
#include "hr_variant.h"
#include <stdbool.h>
#include <string.h>

#define FNV_OFFSET 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

static const char *const stop_words[] = {
    "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it",
    "its", "of", "on", "or", "the", "to", "with",
};

static bool
s_word_char (unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static unsigned char
s_lower (unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char) (c - 'A' + 'a') : c;
}

static uint64_t
s_mix (uint64_t h, unsigned char c)
{
    return (h ^ c) * FNV_PRIME;
}

/*  One word of `name` from *p: its lower-cased letters into w (at most cap,
    longer words are cut: they are still compared on their first cap bytes).
    Returns its length, 0 at the end of the name.                          */
static size_t
s_next_word (const char **p, char *w, size_t cap)
{
    const unsigned char *s = (const unsigned char *) *p;
    while (*s && !s_word_char (*s))
        s++;
    size_t n = 0;
    while (*s && (s_word_char (*s) || (*s == '\'' && s_word_char (s[1]) && n > 0))) {
        if (*s != '\'' && n < cap)
            w[n++] = (char) s_lower (*s);
        s++;
    }
    *p = (const char *) s;
    return n;
}

static bool
s_stop_word (const char *w, size_t n)
{
    for (size_t i = 0; i < sizeof stop_words / sizeof *stop_words; i++)
        if (strlen (stop_words[i]) == n && memcmp (stop_words[i], w, n) == 0)
            return true;
    return false;
}

uint64_t
hr_variant_key (const char *name, const char *main_category)
{
    if (!name)
        return 0;
    uint64_t h = FNV_OFFSET;
    int words = 0;
    char w[64];
    const char *p = name;
    while (words < HR_VARIANT_WORDS) {
        size_t n = s_next_word (&p, w, sizeof w);
        if (n == 0)
            break;                      /* the end of the name */
        if ((n < 2 && !(w[0] >= '0' && w[0] <= '9')) || s_stop_word (w, n))
            continue;
        for (size_t i = 0; i < n; i++)
            h = s_mix (h, (unsigned char) w[i]);
        h = s_mix (h, ' ');
        words++;
    }
    if (words == 0)
        return 0;
    h = s_mix (h, 0);
    for (const unsigned char *c = (const unsigned char *) (main_category ? main_category : ""); *c; c++)
        h = s_mix (h, s_lower (*c));
    return h ? h : 1;
}
