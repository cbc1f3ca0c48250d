/*  gw_params — query strings and path segments.                             */
#include "gw_params.h"
#include <string.h>
#include <strings.h>

static int
s_hexval (char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static h2o_iovec_t
s_decode (h2o_mem_pool_t *pool, const char *s, size_t n, bool plus_is_space)
{
    char *out = h2o_mem_alloc_pool (pool, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = s_hexval (s[i + 1])) >= 0 && (lo = s_hexval (s[i + 2])) >= 0) {
            out[o++] = (char) (hi << 4 | lo);
            i += 2;
        }
        else
            out[o++] = plus_is_space && s[i] == '+' ? ' ' : s[i];
    }
    out[o] = '\0';
    return h2o_iovec_init (out, o);
}

h2o_iovec_t
gw_percent_decode (h2o_mem_pool_t *pool, const char *s, size_t n)
{
    return s_decode (pool, s, n, true);
}

bool
gw_query_get (h2o_mem_pool_t *pool, const char *qs, size_t qslen,
              const char *name, h2o_iovec_t *value)
{
    size_t namelen = strlen (name);
    const char *found = NULL;
    size_t foundlen = 0;
    const char *p = qs, *end = qs + qslen;
    while (p < end) {
        const char *amp = memchr (p, '&', (size_t) (end - p));
        const char *pair_end = amp ? amp : end;
        const char *eq = memchr (p, '=', (size_t) (pair_end - p));
        const char *key_end = eq ? eq : pair_end;
        if ((size_t) (key_end - p) == namelen && memcmp (p, name, namelen) == 0) {
            found = eq ? eq + 1 : pair_end;
            foundlen = (size_t) (pair_end - found);
        }
        p = pair_end + 1;
    }
    if (!found)
        return false;
    *value = gw_percent_decode (pool, found, foundlen);
    return true;
}

bool
gw_path_segment (h2o_mem_pool_t *pool, const char *path, size_t pathlen,
                 const char *prefix, h2o_iovec_t *segment)
{
    size_t plen = strlen (prefix);
    if (pathlen <= plen || memcmp (path, prefix, plen) != 0)
        return false;
    const char *seg = path + plen;
    size_t seglen = pathlen - plen;
    if (memchr (seg, '/', seglen))
        return false;
    *segment = s_decode (pool, seg, seglen, false);   /* '+' is literal in paths */
    return true;
}

bool
gw_param_true (h2o_iovec_t v)
{
    static const char *const yes[] = { "true", "1", "yes", "on" };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (v.len == strlen (yes[i]) && strncasecmp (v.base, yes[i], v.len) == 0)
            return true;
    return false;
}
