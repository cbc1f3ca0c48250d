/*  fuzz_http_params — the gateway's request-target parsing (gw_params.h)
    followed by the validation every endpoint applies (hr_validate.h).  The
    input is a request target "path?query"; the path goes through
    gw_path_segment for both one-segment routes, the query string through
    gw_query_get for every parameter the gateway reads, and each decoded
    value through the rule its endpoint uses.  Invariants: decoded values are
    NUL-terminated, never longer than their source, and a decoded value with
    no '%' or '+' in its source is the source itself.                       */
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include "fuzz_util.h"
#include "gw_params.h"
#include "hr_validate.h"

static const char *const s_prefixes[] = {
    "/recommendations/product/", "/api/v1/interactions/interactions/",
};
static const char *const s_params[] = {
    "query", "response_limit", "days", "user_id", "explain", "bytes",
};

static void
check_decoded (h2o_iovec_t v, size_t srclen)
{
    FUZZ_CHECK (v.base != NULL);
    FUZZ_CHECK (v.len <= srclen);
    FUZZ_CHECK (v.base[v.len] == '\0');
}

static void
validate_value (const char *name, h2o_iovec_t v)
{
    long out;
    if (strcmp (name, "query") == 0) {
        const char *q;
        size_t qlen;
        if (hr_query_normalize (v.base, v.len, &q, &qlen) == HR_QUERY_OK)
            FUZZ_CHECK (q >= v.base && q + qlen <= v.base + v.len && qlen <= HR_QUERY_MAX);
    }
    else if (strcmp (name, "response_limit") == 0) {
        if (hr_parse_limit (v.base, v.len, 10, 1, 6000, &out) == 0)
            FUZZ_CHECK (out >= 1 && out <= 6000);
    }
    else if (strcmp (name, "days") == 0) {
        if (hr_parse_int_range (v.base, v.len, 1, 365, &out) == 0)
            FUZZ_CHECK (out >= 1 && out <= 365);
    }
    else if (strcmp (name, "user_id") == 0)
        hr_valid_user_id (v.base, v.len);
    else
        gw_param_true (v);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet_logs ();
    /*  An exact-size buffer (not NUL-terminated: h2o's targets are not).  */
    char *target = malloc (size ? size : 1);
    memcpy (target, data, size);
    h2o_mem_pool_t pool;
    h2o_mem_init_pool (&pool);

    const char *qmark = memchr (target, '?', size);
    size_t pathlen = qmark ? (size_t) (qmark - target) : size;
    const char *qs = qmark ? qmark + 1 : target + size;
    size_t qslen = qmark ? size - pathlen - 1 : 0;

    h2o_iovec_t all = gw_percent_decode (&pool, target, size);
    check_decoded (all, size);
    if (!memchr (target, '%', size) && !memchr (target, '+', size))
        FUZZ_CHECK (all.len == size && memcmp (all.base, target, size) == 0);

    for (size_t i = 0; i < sizeof s_prefixes / sizeof *s_prefixes; i++) {
        h2o_iovec_t seg;
        if (gw_path_segment (&pool, target, pathlen, s_prefixes[i], &seg)) {
            size_t plen = strlen (s_prefixes[i]);
            FUZZ_CHECK (pathlen > plen && memcmp (target, s_prefixes[i], plen) == 0);
            check_decoded (seg, pathlen - plen);
            if (i == 0)
                hr_valid_product_id (seg.base, seg.len);
            else
                hr_valid_user_id (seg.base, seg.len);
        }
    }
    for (size_t i = 0; i < sizeof s_params / sizeof *s_params; i++) {
        h2o_iovec_t v;
        if (gw_query_get (&pool, qs, qslen, s_params[i], &v)) {
            check_decoded (v, qslen);
            validate_value (s_params[i], v);
        }
    }
    h2o_mem_clear_pool (&pool);
    free (target);
    return 0;
}
