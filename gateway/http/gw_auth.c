/*  gw_auth — Bearer API keys (see gw_auth.h).                               */
#include "gw_auth.h"
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include "gw_respond.h"
#include "hr_config.h"
#include "hr_log.h"

#define MAX_KEYS 64

struct gw_auth {
    int nkeys;
    unsigned char digest[MAX_KEYS][SHA256_DIGEST_LENGTH];
};

bool
gw_auth_is_placeholder (const char *key, size_t len)
{
    /*  Words that shipped examples and templates use for "fill this in".  */
    static const char *const words[] = {
        "change-me", "changeme", "change_me", "replace-me", "replaceme", "replace_me",
        "placeholder", "your-key", "your_key", "example-key",
    };
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        size_t wl = strlen (words[w]);
        for (size_t i = 0; i + wl <= len; i++)
            if (h2o_lcstris (key + i, wl, words[w], wl))
                return true;
    }
    return false;
}

gw_auth_t *
gw_auth_new (const char *keys)
{
    gw_auth_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    const char *list = keys, *p;
    size_t len;
    while (hr_config_list_next (&list, &p, &len)) {
        if (len > GW_AUTH_MAX_KEY) {
            hr_error ("gateway: HR_API_KEYS: key %d is longer than %d bytes", self->nkeys + 1, GW_AUTH_MAX_KEY);
            free (self);
            return NULL;
        }
        if (gw_auth_is_placeholder (p, len)) {
            hr_error ("gateway: HR_API_KEYS: key %d is a placeholder (e.g. change-me): "
                      "generate real keys (openssl rand -hex 32)", self->nkeys + 1);
            free (self);
            return NULL;
        }
        if (len < GW_AUTH_MIN_KEY)
            hr_warn ("gateway: HR_API_KEYS: key %d is shorter than %d bytes: easy to guess",
                     self->nkeys + 1, GW_AUTH_MIN_KEY);
        if (self->nkeys == MAX_KEYS) {
            hr_error ("gateway: HR_API_KEYS: more than %d keys", MAX_KEYS);
            free (self);
            return NULL;
        }
        SHA256 ((const unsigned char *) p, len, self->digest[self->nkeys++]);
    }
    return self;
}

void
gw_auth_destroy (gw_auth_t **self_p)
{
    if (!*self_p)
        return;
    /*  Digests, not keys; still, leave nothing behind in freed memory.  */
    memset (*self_p, 0, sizeof **self_p);
    free (*self_p);
    *self_p = NULL;
}

int
gw_auth_count (const gw_auth_t *self)
{
    return self ? self->nkeys : 0;
}

bool
gw_auth_equal (const void *a, size_t alen, const void *b, size_t blen)
{
    /*  Walks the longer length whatever the content; a volatile accumulator
        keeps the compiler from turning this into an early-exit memcmp.    */
    const unsigned char *x = a, *y = b;
    size_t n = alen > blen ? alen : blen;
    volatile unsigned char diff = (unsigned char) (alen != blen);
    for (size_t i = 0; i < n; i++) {
        unsigned char cx = i < alen ? x[i] : 0, cy = i < blen ? y[i] : 0;
        diff |= (unsigned char) (cx ^ cy);
    }
    return diff == 0;
}

gw_auth_result_t
gw_auth_check_value (const gw_auth_t *self, const char *value, size_t len)
{
    if (!self || self->nkeys == 0)
        return GW_AUTH_OK;
    static const char scheme[] = "bearer ";
    const size_t slen = sizeof scheme - 1;
    if (!value || len <= slen || !h2o_lcstris (value, slen, scheme, slen))
        return GW_AUTH_MISSING;
    const char *key = value + slen;
    size_t klen = len - slen;
    while (klen && *key == ' ') {           /* "Bearer  key" */
        key++;
        klen--;
    }
    while (klen && key[klen - 1] == ' ')
        klen--;
    if (klen == 0)
        return GW_AUTH_MISSING;
    if (klen > GW_AUTH_MAX_KEY)             /* cannot be one of ours; length is not secret */
        return GW_AUTH_WRONG;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256 ((const unsigned char *) key, klen, digest);
    bool match = false;
    for (int i = 0; i < self->nkeys; i++)   /* every key: no early exit */
        match |= gw_auth_equal (digest, sizeof digest, self->digest[i], sizeof digest);
    return match ? GW_AUTH_OK : GW_AUTH_WRONG;
}

gw_auth_result_t
gw_auth_check (h2o_req_t *req)
{
    const gw_auth_t *self = gw_thread_of (req)->app->auth;
    if (!self || self->nkeys == 0)
        return GW_AUTH_OK;
    ssize_t at = h2o_find_header (&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (at < 0)
        return GW_AUTH_MISSING;
    return gw_auth_check_value (self, req->headers.entries[at].value.base,
                                req->headers.entries[at].value.len);
}

bool
gw_auth_require (gw_request_t *r)
{
    if (!r->app->auth || r->app->auth->nkeys == 0)
        return true;
    gw_add_header (r, "cache-control", "no-store");
    switch (gw_auth_check (r->req)) {
    case GW_AUTH_OK:
        return true;
    case GW_AUTH_MISSING:
        gw_add_header (r, "www-authenticate", "Bearer realm=\"hybridrec\"");
        gw_send_error (r, 401, "unauthorized", "this endpoint requires Authorization: Bearer <API key>");
        return false;
    default:
        gw_send_error (r, 403, "forbidden", "the API key is not valid");
        return false;
    }
}
