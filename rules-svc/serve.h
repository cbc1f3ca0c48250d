/*  rules_serve — rules-svc answering requests (protocol.h) from the
    current rules_model, swapped in when a new version is published.

    handle() runs on several worker threads at once; readers share the
    model under a read lock held only while a reply is built, and the tick
    thread swaps a newly published model under the write lock.            */
#ifndef RULES_SERVE_H
#define RULES_SERVE_H
#include <stdint.h>
#include "hr_service.h"
#include "model.h"

typedef struct {
    const char *database_url;   /* NULL: no polling (tests hand a model in) */
    const char *redis_url;      /* may be NULL */
    int pg_timeout_ms, redis_timeout_ms;
    uint32_t history_items;     /* HR_RULES_HISTORY_ITEMS */
} rules_serve_params_t;

typedef struct rules_state rules_state_t;

rules_state_t *rules_state_new (const rules_serve_params_t *params);
void rules_state_destroy (rules_state_t **self_p);
/*  Takes ownership of model (may be NULL = none); version for logs.       */
void rules_state_set_model (rules_state_t *self, rules_model_t *model, int64_t version);
int64_t rules_state_version (rules_state_t *self);
/*  Polls hr_model_current and loads a newer version: 1 loaded, 0 nothing
    new, -1 error (logged).  What the tick does.                           */
int rules_state_poll (rules_state_t *self);

extern const hr_service_def_t rules_service_def;
#endif
