/*  rules_serve — decode a request, query the model, write a scored list.  */
#include "serve.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_model_store.h"
#include "hr_proto.h"
#include "hr_swap.h"
#include "hr_validate.h"
#include "protocol.h"

struct rules_state {
    rules_serve_params_t params;
    hr_swap_t *swap;            /* rules_model_t, NULL data = none */
    hr_model_source_t *source;  /* tick thread only */
    hr_counter_t *loads, *load_errors;
};

static void
s_model_free (void *model)
{
    rules_model_t *m = model;
    rules_model_destroy (&m);
}

static void *
s_decode (void *arg, const void *blob, size_t len, int64_t version)
{
    rules_state_t *self = arg;
    char err[200];
    rules_model_t *m = rules_model_decode (blob, len, err, sizeof err);
    if (!m) {
        hr_counter_inc (self->load_errors);
        hr_error ("rules model version %lld rejected: %s", (long long) version, err);
        return NULL;
    }
    char v[24], n[24];
    snprintf (v, sizeof v, "%lld", (long long) version);
    snprintf (n, sizeof n, "%u", rules_model_rule_count (m));
    hr_log_kv (HR_LOG_INFO, NULL, "rules model loaded", "version", v, "rules", n, NULL);
    return m;
}

rules_state_t *rules_state_new (const rules_serve_params_t *params)
{
    rules_state_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->params = *params;
    if (!self->params.history_items)
        self->params.history_items = 20;
    self->params.database_url = self->params.redis_url = NULL;     /* the source keeps them */
    self->swap = hr_swap_new (s_model_free);
    self->source = hr_model_source_new (HR_MODEL_RULES, params->database_url, params->redis_url,
                                        s_decode, self);
    if (!self->swap || !self->source) {
        rules_state_destroy (&self);
        return NULL;
    }
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
    hr_swap_destroy (&self->swap);
    hr_model_source_destroy (&self->source);
    free (self);
    *self_p = NULL;
}

void rules_state_set_model (rules_state_t *self, rules_model_t *model, int64_t version)
{
    hr_swap_install (self->swap, model, version);
}

int64_t rules_state_version (rules_state_t *self)
{
    return hr_swap_version (self->swap);
}

int rules_state_poll (rules_state_t *self)
{
    int rc = hr_swap_poll (self->swap, hr_model_source_swap (self->source));
    if (rc == 1)
        hr_counter_inc (self->loads);
    return rc;
}

/* ---- requests ---------------------------------------------------------- */

static uint32_t s_clamp_limit (uint32_t limit)
{
    return limit > HR_RULES_LIMIT_MAX ? HR_RULES_LIMIT_MAX : limit;
}

/*  The hits as a scored list; an empty list without a model.              */
static void s_put_hits (const rules_model_t *m, const rules_hit_t *hits, size_t n, hr_writer_t *w)
{
    size_t begin = hr_scored_list_begin (w);
    char source[HR_SOURCE_MAX];
    for (size_t i = 0; m && i < n; i++) {
        size_t slen = rules_model_antecedent (m, hits[i].rule, source, sizeof source);
        hr_put_scored_item (w, rules_model_item_id (m, hits[i].item), hits[i].score,
                            HR_STRAT_RULES, source, slen);
    }
    hr_scored_list_end (w, begin, m ? (uint32_t) n : 0);
}

static int s_for_product (void *state, const void *model, const hr_proto_req_t *req,
                          hr_writer_t *reply, hr_call_t *call)
{
    const rules_model_t *m = model;
    (void) state;
    const hr_proto_product_req_t *p = &req->product;
    if (!hr_valid_product_id (p->id, p->id_len))
        return hr_service_error (call, HR_BAD_REQUEST, "for_product: invalid product id");
    rules_hit_t hits[HR_RULES_LIMIT_MAX];
    size_t n = m ? rules_model_for_product (m, p->id, s_clamp_limit (p->limit), hits) : 0;
    s_put_hits (m, hits, n, reply);
    return HR_OK;
}

/*  The newest `cap` distinct clicked products of a history.               */
static size_t s_clicked (const hr_proto_history_t *h, uint32_t cap, const char **ids)
{
    hr_proto_history_iter_t it;
    hr_proto_history_iter (h, &it);
    hr_proto_event_t ev;
    size_t n = 0;
    while (n < cap && hr_proto_history_next (&it, &ev)) {
        if (!hr_event_is_product (ev.type) || !hr_valid_product_id (ev.value, ev.len))
            continue;
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = !memcmp (ids[k], ev.value, HR_PRODUCT_ID_LEN);
        if (!dup)
            ids[n++] = ev.value;
    }
    return n;
}

static int s_for_user (void *state, const void *model, const hr_proto_req_t *req,
                       hr_writer_t *reply, hr_call_t *call)
{
    rules_state_t *self = state;
    const rules_model_t *m = model;
    const char *ids[HR_HISTORY_MAX];
    uint32_t cap = self->params.history_items < HR_HISTORY_MAX ? self->params.history_items
                                                                : HR_HISTORY_MAX;
    size_t nids = s_clicked (&req->for_user.history, cap, ids);
    rules_hit_t hits[HR_RULES_LIMIT_MAX];
    long n = m ? rules_model_for_user (m, (const char *const *) ids, nids,
                                       s_clamp_limit (req->for_user.limit), hits) : 0;
    if (n < 0)
        return hr_service_error (call, HR_INTERNAL, "for_user: out of memory");
    s_put_hits (m, hits, (size_t) n, reply);
    return HR_OK;
}

static const hr_method_t s_methods[] = {
    { HR_M_FOR_USER, HR_REQ_FOR_USER, s_for_user },
    { HR_M_FOR_PRODUCT, HR_REQ_PRODUCT, s_for_product },
    { NULL, HR_REQ_RAW, NULL },
};

static hr_snapshot_t *s_take (void *state)
{
    rules_state_t *self = state;
    return hr_swap_acquire (self->swap);
}

/* ---- the service definition ------------------------------------------- */

static void *s_init (hr_config_t *cfg)
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

static void s_tick (void *state)
{
    rules_state_poll (state);
}

HR_SERVICE_DEFINE (rules_service_def, rules_state_t, rules_state_destroy,
                   .name = HR_SERVICE_RULES, .config = rules_config, .init = s_init,
                   .methods = s_methods, .take = s_take, .tick = s_tick, .tick_ms = 2000);
