/*  serve — the content service: state, hot model swap, request handlers.

    The state holds one immutable *snapshot* (catalog, model, search index,
    neighbour lists by catalog index) behind a refcounted pointer: handlers
    (several worker threads) take a reference for the length of a request;
    the tick thread builds a new snapshot when a new model version or a new
    catalog appears and swaps it in; the old one is freed by whoever drops
    the last reference.  No lock is held while answering.                    */
#ifndef CONTENT_SERVE_H
#define CONTENT_SERVE_H
#include <stdbool.h>
#include <stdint.h>
#include "hr_catalog.h"
#include "hr_config.h"
#include "hr_service.h"

typedef struct content_state content_state_t;

/*  The service definition for hr_service_main / hr_service_new.            */
extern const hr_service_def_t content_service_def;
extern const hr_config_var_t content_config[];    /* config.tsv */

/*  For tests and tools: a state over a given catalog (taken), with
    PostgreSQL/Redis URLs for the model poll (either may be NULL: no
    polling) and a synonym file (NULL = none).  The current model, if any,
    is loaded at once.                                                       */
content_state_t *content_state_new (hr_catalog_t *catalog, const char *pg_url,
                                    const char *redis_url, const char *synonyms_path,
                                    unsigned threads);
void content_state_destroy (content_state_t **self_p);
/*  Installs a model blob directly (tests, benchmarks).  0 / -1.            */
int content_state_install (content_state_t *self, const void *blob, size_t len,
                           int64_t version);
/*  One poll of the model store / catalog version (what tick does).         */
void content_state_poll (content_state_t *self);
int64_t content_state_model_version (content_state_t *self);

/*  The handler, for in-process use.                                         */
int content_handle (void *state, const char *method, size_t method_len,
                    hr_reader_t *args, hr_writer_t *reply, hr_call_t *call);

#endif
