/*  hr_validate — the spec's input rules, in one place, so the gateway, the
    CLI and every service reject the same inputs with the same answer.     */
#include "hr_validate.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

static bool
s_is_alnum (unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool
hr_valid_user_id (const char *s, size_t n)
{
    if (!s || n == 0 || n > HR_USER_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!s_is_alnum ((unsigned char) s[i]))
            return false;
    return true;
}

bool
hr_valid_product_id (const char *s, size_t n)
{
    if (!s || n != 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
            return false;
    }
    return true;
}

const char *const hr_rec_surfaces[HR_REC_SURFACES] = { "home", "product", "search" };

int
hr_rec_id_surface (const char *s, size_t n)
{
    for (int k = 0; s && k < HR_REC_SURFACES; k++) {
        size_t len = strlen (hr_rec_surfaces[k]);
        if (n < len + 2 || n > len + 41 || memcmp (s, hr_rec_surfaces[k], len) != 0 || s[len] != '.')
            continue;
        for (size_t i = len + 1; i < n; i++) {
            char c = s[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                  || c == '-' || c == '_' || c == '.'))
                return -1;
        }
        return k;
    }
    return -1;
}

//  Decodes one strict UTF-8 sequence (no overlongs, no surrogates, nothing
//  above U+10FFFF).  Returns its length and sets *cp, or 0 when invalid.
static size_t
s_utf8_decode (const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2; v = c & 0x1F; min = 0x80;
    }
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3; v = c & 0x0F; min = 0x800;
    }
    else if (c >= 0xF0 && c <= 0xF4) {
        len = 4; v = c & 0x07; min = 0x10000;
    }
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

bool
hr_utf8_valid (const char *s, size_t n)
{
    if (!s)
        return n == 0;
    const unsigned char *p = (const unsigned char *) s;
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {      //  ASCII fast path
            i++;
            continue;
        }
        uint32_t cp;
        size_t len = s_utf8_decode (p + i, n - i, &cp);
        if (len == 0)
            return false;
        i += len;
    }
    return true;
}

//  What Python's str.strip() removes (the original design strips queries
//  with it), so " query\u3000" means the same here as there.
static bool
s_is_space (uint32_t cp)
{
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F))
        return true;
    if (cp < 0x85)
        return false;
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680
           || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029
           || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

int
hr_query_normalize (const char *s, size_t n, const char **out, size_t *outlen)
{
    if (out)
        *out = s ? s : "";
    if (outlen)
        *outlen = 0;
    if (!s || n == 0)
        return HR_QUERY_EMPTY;
    if (!hr_utf8_valid (s, n))
        return HR_QUERY_BAD_UTF8;

    const unsigned char *p = (const unsigned char *) s;
    size_t start = 0, end = n;
    uint32_t cp;
    while (start < end) {
        size_t len = s_utf8_decode (p + start, end - start, &cp);
        if (!s_is_space (cp))
            break;
        start += len;
    }
    while (end > start) {
        size_t last = end - 1;  //  back to the lead byte of the last character
        while (last > start && (p[last] & 0xC0) == 0x80)
            last--;
        s_utf8_decode (p + last, end - last, &cp);
        if (!s_is_space (cp))
            break;
        end = last;
    }
    if (out)
        *out = s + start;
    if (outlen)
        *outlen = end - start;
    if (end == start)
        return HR_QUERY_EMPTY;
    if (end - start > HR_QUERY_MAX)
        return HR_QUERY_TOO_LONG;
    return HR_QUERY_OK;
}

//  [+-]digits, nothing else.  Saturates at LONG_MIN/LONG_MAX and says so in
//  *overflow, so callers choose between clamping and refusing.
static int
s_parse_long (const char *s, size_t n, long *out, bool *overflow)
{
    *overflow = false;
    if (!s || n == 0)
        return -1;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n)
        return -1;
    unsigned long v = 0;
    //  the magnitude of LONG_MIN: one more than LONG_MAX
    unsigned long limit = neg ? (unsigned long) LONG_MAX + 1UL : (unsigned long) LONG_MAX;
    for (; i < n; i++) {
        unsigned char c = (unsigned char) s[i];
        if (c < '0' || c > '9')
            return -1;
        unsigned digit = c - '0';
        if (!*overflow && v > (limit - digit) / 10)
            *overflow = true;
        if (!*overflow)
            v = v * 10 + digit;
    }
    if (*overflow)
        *out = neg ? LONG_MIN : LONG_MAX;
    else if (neg)
        *out = v == (unsigned long) LONG_MAX + 1UL ? LONG_MIN : -(long) v;
    else
        *out = (long) v;
    return 0;
}

int
hr_parse_limit (const char *s, size_t n, long def, long min, long max, long *out)
{
    long v;
    bool overflow;
    if (!s)
        v = def;
    else if (s_parse_long (s, n, &v, &overflow) != 0)
        return -1;
    if (v < min)
        v = min;
    if (v > max)
        v = max;
    if (out)
        *out = v;
    return 0;
}

int
hr_parse_int_range (const char *s, size_t n, long min, long max, long *out)
{
    long v;
    bool overflow;
    if (s_parse_long (s, n, &v, &overflow) != 0 || overflow || v < min || v > max)
        return -1;
    if (out)
        *out = v;
    return 0;
}
