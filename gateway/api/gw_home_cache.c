/*  gw_home_cache — /home's for_user answers per history (see gw_home_cache.h). */
#include "gw_home_cache.h"
#include <openssl/evp.h>
#include <string.h>
#include "gw_cache.h"
#include "gw_versions.h"
#include "hr_merge_model.h"

static const gw_service_t s_services[GW_HOME_USER_CALLS] = { GW_SVC_CONTENT, GW_SVC_COLLAB, GW_SVC_RULES };

/*  The key (its first byte set per service) and generation; false when
    the digest fails.  */
static bool
s_key (gw_home_user_t *self, gw_versions_t *versions, uint32_t count, const void *history, size_t len)
{
    unsigned int mdlen = 0;
    memcpy (self->key + 1, &count, 4);
    if (!EVP_Digest (history, len, self->key + 5, &mdlen, EVP_sha256 (), NULL) || mdlen != 32)
        return false;
    self->gen = gw_versions_gen (versions, &self->fill);
    return true;
}

void
gw_home_user_ask (gw_home_user_t *self, gw_request_t *r, gw_fanout_t *f, const void *history,
                  size_t len, uint32_t count)
{
    gw_cache_t *cache = r->app->home_cache;
    memset (self, 0, sizeof *self);
    self->keyed = cache && s_key (self, r->app->versions, count, history, len);
    hr_writer_t *w = &r->thread->writer;
    bool written = false;
    for (int i = 0; i < GW_HOME_USER_CALLS; i++) {
        self->call[i] = -1;
        self->key[0] = (unsigned char) s_services[i];
        if (self->keyed && gw_cache_get (cache, &r->req->pool, self->key, sizeof self->key, self->gen,
                                         &self->cached[i]))
            continue;
        if (!written)
            gw_req_for_user (w, history, len, count);
        written = true;
        self->call[i] = gw_fanout_add (f, s_services[i], w->data, w->len);
    }
}

/*  Answer i: from the cache, else its call's body when it answered;
    *asked: it came from a call.  */
static bool
s_answer (const gw_home_user_t *self, gw_fanout_t *f, int i, h2o_iovec_t *out, bool *asked)
{
    *asked = false;
    if (self->cached[i].base) {
        *out = self->cached[i];
        return true;
    }
    if (self->call[i] < 0)
        return false;
    const gw_call_t *c = gw_fanout_call (f, self->call[i]);
    if (c->outcome != GW_CALL_OK)
        return false;
    *out = h2o_iovec_init (c->body, c->len);
    *asked = true;
    return true;
}

unsigned
gw_home_user_lists (gw_home_user_t *self, gw_request_t *r, gw_fanout_t *f, gw_list_t *lists)
{
    h2o_mem_pool_t *pool = &r->req->pool;
    unsigned failed = 0;
    for (int i = 0; i < GW_HOME_USER_CALLS; i++) {
        h2o_iovec_t a;
        bool asked;
        if (!s_answer (self, f, i, &a, &asked)) {
            if (self->call[i] >= 0)
                failed |= 1u << s_services[i];
            continue;
        }
        int rc = i == 0 ? gw_decode_two_lists (pool, a.base, a.len, &lists[HR_HOME_CONTENT_CLICKED],
                                               &lists[HR_HOME_CONTENT_SEARCH])
               : i == 1 ? gw_decode_one_or_two_lists (pool, a.base, a.len, &lists[HR_HOME_COLLAB],
                                                      &lists[HR_HOME_SEQRULES])
                        : gw_decode_one_list (pool, a.base, a.len, &lists[HR_HOME_RULES]);
        if (rc != 0)
            failed |= 1u << s_services[i];
        else if (asked && self->keyed && self->fill) {
            self->key[0] = (unsigned char) s_services[i];
            gw_cache_put (r->app->home_cache, self->key, sizeof self->key, self->gen, a.base, a.len);
        }
    }
    return failed;
}

const char *
gw_home_user_cache_state (const gw_home_user_t *self)
{
    if (!self->keyed)
        return NULL;
    for (int i = 0; i < GW_HOME_USER_CALLS; i++)
        if (self->call[i] >= 0)
            return "miss";
    return "hit";
}
