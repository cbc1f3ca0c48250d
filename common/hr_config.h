/*  hr_config — 12-factor configuration from environment variables.

    Every binary declares its variables in tables (name, type, default, help,
    bounds); hr_config_load reads the environment, validates every value and
    fails with a message naming the variable; hr_config_print_help lists them
    (that is what --help prints).                                           */
#ifndef HR_CONFIG_H
#define HR_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum { HR_CFG_STR, HR_CFG_INT, HR_CFG_DOUBLE, HR_CFG_BOOL } hr_cfg_type_t;

typedef struct {
    const char *name;       /* NULL terminates a table */
    hr_cfg_type_t type;
    const char *defval;     /* as text; NULL = required */
    const char *help;
    double min, max;        /* for INT/DOUBLE; min == max == 0: unbounded */
} hr_config_var_t;

/*  Variables every binary reads (DATABASE_URL, REDIS_URL, HR_BROKER_ENDPOINT,
    HR_LOG_LEVEL, HR_METRICS_PORT, HR_WORKER_THREADS, HR_PG_STATEMENT_TIMEOUT_MS,
    HR_REDIS_TIMEOUT_MS ...).  */
extern const hr_config_var_t hr_config_common[];
/*  HR_WEIGHT_* and HR_MERGE_BY: the gateway's merge and `train merge`.    */
extern const hr_config_var_t hr_config_merge[];

typedef struct hr_config hr_config_t;

/*  tables: NULL-terminated array of tables; hr_config_common is not added
    implicitly.  */
hr_config_t *hr_config_new (const char *program, const hr_config_var_t *const *tables);
void hr_config_destroy (hr_config_t **self_p);
/*  Reads the environment (and overrides set with hr_config_set). 0, or -1
    with "NAME: reason" in err.  */
int hr_config_load (hr_config_t *self, char *err, size_t errlen);
/*  What every command does with that: loads *self_p; on an error prints
    "<who>: NAME: reason" to stderr and destroys it (*self_p = NULL).
    0 / -1 (a command then exits 2).                                       */
int hr_config_load_or_report (hr_config_t **self_p, const char *who);
/*  What a command that takes no arguments does first: --help or -h prints
    `usage` then the variables of `tables` (NULL: hr_config_common) (exit 0), any other argument is
    refused (exit 2), then the configuration is loaded as above.  Returns
    it, or NULL with *exit_code set to the command's exit status (0 after
    --help, 1 out of memory, 2 a bad argument or variable).                */
/*  The next item of a comma-separated value (spaces around items trimmed,
    empty items skipped) at *p, which moves past it; false at the end.     */
bool hr_config_list_next (const char **p, const char **item, size_t *len);
hr_config_t *hr_config_for_command (const char *program, const char *usage,
                                    const hr_config_var_t *const *tables, int argc, char **argv,
                                    int *exit_code);
/*  What a long-running process (a service, the broker, the gateway) does
    with its loaded configuration first: logs as log_name at HR_LOG_LEVEL
    (info when that is not a level), then sets up CURVE
    (hr_curve_configure: never a fall back to plain text).  0, or -1 when
    CURVE cannot be set up (logged; the process exits 2).                 */
int hr_config_start_process (hr_config_t *self, const char *log_name);
/*  Sets a value as if it came from the environment (tests, CLI flags).     */
int hr_config_set (hr_config_t *self, const char *name, const char *value);
void hr_config_print_help (hr_config_t *self, FILE *out);

/*  Getters: asserting on unknown names (a programmer error).                */
const char *hr_config_str (hr_config_t *self, const char *name);
long hr_config_int (hr_config_t *self, const char *name);
double hr_config_double (hr_config_t *self, const char *name);
bool hr_config_bool (hr_config_t *self, const char *name);

/*  DATABASE_URL accepts the original design's "postgresql+asyncpg://" form:
    returns a libpq-compatible URL (static buffer inside self).             */
const char *hr_config_database_url (hr_config_t *self);

/*  The stores the configuration names: PostgreSQL at DATABASE_URL (waiting
    up to HR_PG_CONNECT_WAIT_MS) and Redis at REDIS_URL (HR_REDIS_TIMEOUT_MS).
    NULL when unreachable (logged).  The command-line tools' connections.   */
struct hr_pg *hr_config_pg (hr_config_t *self, int statement_timeout_ms);
struct hr_redis *hr_config_redis (hr_config_t *self);

#endif
