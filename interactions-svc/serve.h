/*  interactions — the service: configuration, state and request dispatch.

    main.c hands inter_service_def to hr_service_main; tests build the state
    with inter_server_new and run it in-process with hr_service_new.        */
#ifndef INTER_SERVE_H
#define INTER_SERVE_H
#include "hr_config.h"
#include "hr_service.h"
#include "settings.h"


/*  The service's own variables (besides hr_config_common).                 */
extern const hr_config_var_t inter_config_vars[];
extern const hr_service_def_t inter_service_def;

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
