/*  interactions — the service: configuration, state and request dispatch.

    main.c hands inter_service_def to hr_service_main; tests build the state
    with inter_server_new and run it in-process with hr_service_new.        */
#ifndef INTER_SERVE_H
#define INTER_SERVE_H
#include "hr_config.h"
#include "hr_service.h"

typedef struct {
    const char *database_url;
    const char *redis_url;
    int statement_timeout_ms;
    int redis_timeout_ms;
    int cache_len;              /* HR_HISTORY_CACHE_LEN */
    int retention_days;         /* HR_INTERACTIONS_RETENTION_DAYS, 0 = forever */
    int partitions_ahead;       /* HR_INTERACTIONS_PARTITIONS_AHEAD */
    int batch_max;              /* HR_INTERACTIONS_BATCH_MAX */
    int committers;             /* HR_INTERACTIONS_COMMITTERS */
    int readers;                /* HR_INTERACTIONS_READERS */
} inter_settings_t;

/*  The service's own variables (besides hr_config_common).                 */
extern const hr_config_var_t inter_config_vars[];
extern const hr_service_def_t inter_service_def;

/*  Defaults for everything but the URLs (tests).                            */
void inter_settings_defaults (inter_settings_t *s, const char *database_url,
                              const char *redis_url);
/*  From a loaded configuration (strings point into cfg).                   */
void inter_settings_from_config (inter_settings_t *s, hr_config_t *cfg);

typedef struct inter_server inter_server_t;

/*  Starts the committer and creates today's partitions (a failure there is
    logged, not fatal: the DEFAULT partition takes the writes, and PostgreSQL
    may come up later).  NULL only when out of memory.                      */
inter_server_t *inter_server_new (const inter_settings_t *settings);
void inter_server_destroy (inter_server_t **self_p);

/*  The hr_service_def_t callbacks, public for the in-process tests.        */
void inter_server_tick (void *state);

#endif
