/*  gw_auth — API keys (HR_API_KEYS) for the endpoints that expose personal
    or operational data.

    With keys configured, a protected request must carry
    `Authorization: Bearer <key>`: none (or not a Bearer credential) is
    GW_AUTH_MISSING (answer 401 + WWW-Authenticate: Bearer), a key that is
    not configured is GW_AUTH_WRONG (403).  No keys = access control off
    (GW_AUTH_OK for everybody).

    Keys are kept only as SHA-256 digests; a presented key is hashed and its
    digest compared with EVERY configured digest without an early exit, so
    the time taken says nothing about which key or how many bytes matched
    (nor the length of any key).  Keys are never logged.

    Which endpoints are protected is the router's decision (gw_router.c):
    GET /api/v1/interactions/interactions/{user_id}, /metrics when
    HR_METRICS_REQUIRE_KEY=1, and the admin endpoints (gw_admin calls
    gw_auth_check).                                                         */
#ifndef GW_AUTH_H
#define GW_AUTH_H
#include <stdbool.h>
#include <stddef.h>
#include "gw_app.h"

typedef enum {
    GW_AUTH_OK,             /* a configured key, or access control is off */
    GW_AUTH_MISSING,        /* no Bearer credential: 401 */
    GW_AUTH_WRONG,          /* a Bearer credential that is not a configured key: 403 */
} gw_auth_result_t;

typedef struct gw_auth gw_auth_t;

/*  keys: comma-separated (spaces around a key are ignored); NULL or empty =
    off.  NULL on allocation failure, when a key is longer than
    GW_AUTH_MAX_KEY bytes, or when it is a placeholder such as the
    "change-me-key-1" of a template (logged, without the key: the gateway
    refuses to start).  Keys shorter than GW_AUTH_MIN_KEY are accepted with
    a warning.  */
#define GW_AUTH_MAX_KEY 512
#define GW_AUTH_MIN_KEY 16
/*  True when the key contains a "fill this in" word (change-me, changeme,
    replace-me, placeholder, your-key, ...), case-insensitive.             */
bool gw_auth_is_placeholder (const char *key, size_t len);
gw_auth_t *gw_auth_new (const char *keys);
void gw_auth_destroy (gw_auth_t **self_p);
/*  How many keys are configured (0 = off).  */
int gw_auth_count (const gw_auth_t *self);

/*  Checks an Authorization header value ("Bearer <key>", scheme
    case-insensitive); value NULL = no header.  */
gw_auth_result_t gw_auth_check_value (const gw_auth_t *self, const char *value, size_t len);

/*  THE HOOK for other gateway modules (gw_admin_authorized): checks `req`
    against the keys of the gateway serving it.  `req` must come from a
    gateway loop (gw_router_on_req).  */
gw_auth_result_t gw_auth_check (h2o_req_t *req);

/*  Checks and, when refused, answers 401 (with WWW-Authenticate: Bearer) or
    403 with the JSON error; adds Cache-Control: no-store either way (the
    answers are personal data).  true = go on; false = answered.          */
bool gw_auth_require (gw_request_t *r);

/*  Constant-time equality of two byte strings: the time depends only on
    alen and blen, never on their content.  (Exposed for its unit test.)   */
bool gw_auth_equal (const void *a, size_t alen, const void *b, size_t blen);

#endif
