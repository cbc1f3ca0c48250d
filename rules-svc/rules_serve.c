/*  rules_serve — decode a request, query the model, write a scored list.  */
#include "rules_serve.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_model_store.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "hr_validate.h"
#include "protocol.h"

struct rules_state {
    rules_serve_params_t params;
    char *database_url, *redis_url;
    pthread_rwlock_t lock;
    rules_model_t *model;       /* under lock */
    int64_t version;            /* under lock */
    hr_pg_t *pg;                /* tick thread only */
    hr_redis_t *redis;          /* tick thread only */
    hr_counter_t *loads, *load_errors;
};

rules_state_t *rules_state_new (const rules_serve_params_t *params)
{
    rules_state_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->params = *params;
    if (!self->params.history_items)
        self->params.history_items = 20;
    self->database_url = params->database_url ? strdup (params->database_url) : NULL;
    self->redis_url = params->redis_url ? strdup (params->redis_url) : NULL;
    self->params.database_url = self->database_url;
    self->params.redis_url = self->redis_url;
    pthread_rwlock_init (&self->lock, NULL);
    self->loads = hr_counter ("hr_rules_model_loads_total", "rules models loaded", NULL);
    self->load_errors = hr_counter ("hr_rules_model_load_errors_total",
                                    "rules model versions that failed to load", NULL);
    return self;
}

void rules_state_destroy (rules_state_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rules_state_t *self = *self_p;
    rules_model_destroy (&self->model);
    hr_pg_destroy (&self->pg);
    hr_redis_destroy (&self->redis);
    pthread_rwlock_destroy (&self->lock);
    free (self->database_url);
    free (self->redis_url);
    free (self);
    *self_p = NULL;
}

void rules_state_set_model (rules_state_t *self, rules_model_t *model, int64_t version)
{
    pthread_rwlock_wrlock (&self->lock);
    rules_model_t *old = self->model;
    self->model = model;
    self->version = version;
    pthread_rwlock_unlock (&self->lock);
    rules_model_destroy (&old);
}

int64_t rules_state_version (rules_state_t *self)
{
    pthread_rwlock_rdlock (&self->lock);
    int64_t v = self->version;
    pthread_rwlock_unlock (&self->lock);
    return v;
}

int rules_state_poll (rules_state_t *self)
{
    if (!self->database_url)
        return 0;
    if (!self->pg)
        self->pg = hr_pg_new (self->database_url, self->params.pg_timeout_ms, 0);
    if (!self->redis && self->redis_url)
        self->redis = hr_redis_new (self->redis_url, self->params.redis_timeout_ms);
    if (!self->pg)
        return -1;
    int64_t current = hr_model_current (self->pg, self->redis, RULES_STRATEGY);
    if (current <= 0 || current == rules_state_version (self))
        return current < 0 ? -1 : 0;
    void *blob = NULL;
    size_t len = 0;
    if (hr_model_fetch (self->pg, self->redis, RULES_STRATEGY, current, &blob, &len)) {
        hr_counter_inc (self->load_errors);
        return -1;
    }
    char err[200];
    rules_model_t *m = rules_model_decode (blob, len, err, sizeof err);
    free (blob);
    if (!m) {
        hr_counter_inc (self->load_errors);
        hr_error ("rules model version %lld rejected: %s", (long long) current, err);
        return -1;
    }
    char v[24], n[24];
    snprintf (v, sizeof v, "%lld", (long long) current);
    snprintf (n, sizeof n, "%u", rules_model_rule_count (m));
    rules_state_set_model (self, m, current);
    hr_counter_inc (self->loads);
    hr_log_kv (HR_LOG_INFO, NULL, "rules model loaded", "version", v, "rules", n, NULL);
    return 1;
}

/* ---- requests ---------------------------------------------------------- */

static uint32_t clamp_limit (uint32_t limit)
{
    return limit > RULES_MAX_LIMIT ? RULES_MAX_LIMIT : limit;
}

static void put_hits (const rules_model_t *m, const rules_hit_t *hits, size_t n, hr_writer_t *w)
{
    size_t begin = hr_scored_list_begin (w);
    char source[HR_SOURCE_MAX];
    for (size_t i = 0; i < n; i++) {
        size_t slen = rules_model_antecedent (m, hits[i].rule, source, sizeof source);
        hr_put_scored_item (w, rules_model_item_id (m, hits[i].item), hits[i].score,
                            HR_STRAT_RULES, source, slen);
    }
    hr_scored_list_end (w, begin, (uint32_t) n);
}

static int for_product (rules_state_t *self, hr_reader_t *args, hr_writer_t *reply, hr_call_t *call)
{
    size_t idlen;
    const char *id = hr_get_str (args, &idlen);
    uint32_t limit = clamp_limit (hr_get_u32 (args));
    if (!hr_reader_done (args))
        return hr_service_error (call, HR_BAD_REQUEST, "for_product: expected str product_id, u32 limit");
    if (!hr_valid_product_id (id, idlen))
        return hr_service_error (call, HR_BAD_REQUEST, "for_product: invalid product id");
    rules_hit_t hits[RULES_MAX_LIMIT];
    pthread_rwlock_rdlock (&self->lock);
    size_t n = self->model ? rules_model_for_product (self->model, id, limit, hits) : 0;
    if (self->model)
        put_hits (self->model, hits, n, reply);
    else
        hr_put_scored_list (reply, NULL, 0);
    pthread_rwlock_unlock (&self->lock);
    return HR_OK;
}

static int for_user (rules_state_t *self, hr_reader_t *args, hr_writer_t *reply, hr_call_t *call)
{
    uint32_t nev = hr_get_count (args, 1 + 4 + 8);
    const char *ids[1000];
    size_t nids = 0;
    uint32_t cap = self->params.history_items < 1000 ? self->params.history_items : 1000;
    for (uint32_t i = 0; i < nev && hr_reader_ok (args); i++) {
        uint8_t type = hr_get_u8 (args);
        size_t vlen;
        const char *v = hr_get_str (args, &vlen);
        (void) hr_get_i64 (args);
        if (!hr_reader_ok (args) || type != 1 || nids >= cap || !hr_valid_product_id (v, vlen))
            continue;
        bool dup = false;
        for (size_t k = 0; k < nids && !dup; k++)
            dup = !memcmp (ids[k], v, HR_PRODUCT_ID_LEN);
        if (!dup)
            ids[nids++] = v;
    }
    uint32_t limit = clamp_limit (hr_get_u32 (args));
    if (!hr_reader_done (args))
        return hr_service_error (call, HR_BAD_REQUEST, "for_user: expected history, u32 limit");
    rules_hit_t hits[RULES_MAX_LIMIT];
    pthread_rwlock_rdlock (&self->lock);
    long n = self->model ? rules_model_for_user (self->model, (const char *const *) ids, nids, limit, hits) : 0;
    if (n >= 0 && self->model)
        put_hits (self->model, hits, (size_t) n, reply);
    else if (n >= 0)
        hr_put_scored_list (reply, NULL, 0);
    pthread_rwlock_unlock (&self->lock);
    if (n < 0)
        return hr_service_error (call, HR_INTERNAL, "for_user: out of memory");
    return HR_OK;
}

int rules_handle (void *state, const char *method, size_t method_len,
                  hr_reader_t *args, hr_writer_t *reply, hr_call_t *call)
{
    rules_state_t *self = state;
    if (method_len == 8 && !memcmp (method, "for_user", 8))
        return for_user (self, args, reply, call);
    if (method_len == 11 && !memcmp (method, "for_product", 11))
        return for_product (self, args, reply, call);
    return hr_service_error (call, HR_BAD_REQUEST, "rules: unknown method '%.*s'",
                             (int) (method_len > 64 ? 64 : method_len), method);
}

/* ---- the service definition ------------------------------------------- */

static void *rules_init (hr_config_t *cfg)
{
    rules_serve_params_t p = {
        .database_url = hr_config_database_url (cfg),
        .redis_url = hr_config_str (cfg, "REDIS_URL"),
        .pg_timeout_ms = (int) hr_config_int (cfg, "HR_PG_STATEMENT_TIMEOUT_MS"),
        .redis_timeout_ms = (int) hr_config_int (cfg, "HR_REDIS_TIMEOUT_MS"),
        .history_items = (uint32_t) hr_config_int (cfg, "HR_RULES_HISTORY_ITEMS"),
    };
    rules_state_t *self = rules_state_new (&p);
    if (self && rules_state_poll (self) == 0 && rules_state_version (self) == 0)
        hr_warn ("no rules model published yet: answering empty lists until `hybridrec train rules`");
    return self;
}

static void rules_tick (void *state)
{
    rules_state_poll (state);
}

static void rules_fini (void *state)
{
    rules_state_t *self = state;
    rules_state_destroy (&self);
}

const hr_service_def_t rules_service_def = {
    .name = RULES_SERVICE,
    .config = rules_config,
    .init = rules_init,
    .handle = rules_handle,
    .tick = rules_tick,
    .tick_ms = 2000,
    .fini = rules_fini,
    .ready = NULL,
};
