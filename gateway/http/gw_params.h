/*  gw_params — reading request targets: query-string parameters and path
    segments, percent-decoded into the request's pool.  Pure functions (no
    validation here: hr_validate owns the rules).                           */
#ifndef GW_PARAMS_H
#define GW_PARAMS_H
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdbool.h>

/*  Decodes %XX and '+' (form encoding, for query strings).  Malformed escapes are kept as
    they are, as Starlette does.  The result is NUL-terminated.             */
h2o_iovec_t gw_percent_decode (h2o_mem_pool_t *pool, const char *s, size_t n);

/*  The value of parameter `name` in the query string `qs` (without '?'),
    decoded; the last occurrence wins.  false when absent.                  */
bool gw_query_get (h2o_mem_pool_t *pool, const char *qs, size_t qslen,
                   const char *name, h2o_iovec_t *value);

/*  When `path` is `prefix` followed by exactly one non-empty segment (no
    further '/'), sets *segment to it, decoded, and returns true.           */
bool gw_path_segment (h2o_mem_pool_t *pool, const char *path, size_t pathlen,
                      const char *prefix, h2o_iovec_t *segment);

/*  "true"/"1"/"yes"/"on" (case-insensitive) -> true; anything else false.  */
bool gw_param_true (h2o_iovec_t v);

#endif
