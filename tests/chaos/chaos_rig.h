/*  chaos_rig — a private hybridrec deployment for resilience tests: its own
    throwaway PostgreSQL + Redis (tests/harness/stack.sh in a temp dir, on
    the test's own ports), migrations, the sample catalog, first models, then
    the processes (tests/harness/suite.sh).  Lets a test break things: kill
    or stop processes, SIGKILL Redis, restart PostgreSQL, add replicas.
    Needs HR_BINARY_DIR and HR_SOURCE_DIR (set by CTest).                   */
#ifndef CHAOS_RIG_H
#define CHAOS_RIG_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/*  HR_GATEWAY_DEADLINE_MS of the rig's gateways.  */
#define CHAOS_DEADLINE_MS 1000

typedef struct {
    const char *name;           /* temp dir prefix, e.g. "redis" */
    int pg_port, redis_port;
    int gw_port;                /* second gateway (if any): gw_port + 1 */
    int broker_port;
    int metrics_base;           /* replica N of service i: base + 10*(N-1) + i */
    bool standalone_broker;     /* hybridrec-broker + gateway without embedded broker */
    int mesh_gateways;          /* > 1: that many gateways, each with its broker
                                   (gw_port + k, broker_port + k), every replica
                                   registered with all (suite.sh mesh) */
} chaos_rig_config_t;

typedef struct chaos_rig chaos_rig_t;

/*  Brings everything up and waits for /readyz; NULL (message printed) on
    failure.  Sets DATABASE_URL / REDIS_URL / HR_* in this process's env. */
chaos_rig_t *chaos_rig_new (const chaos_rig_config_t *config);
/*  Stops processes and the stack, removes the temp dir.  */
void chaos_rig_destroy (chaos_rig_t **self_p);

const char *chaos_rig_database_url (chaos_rig_t *self);

/*  suite.sh verbs on a pid-file name (hybridrec-gateway, hybridrec-broker,
    content-svc, content-svc.2, ...).  0 or -1.  */
int chaos_rig_kill (chaos_rig_t *self, const char *name);
int chaos_rig_restart (chaos_rig_t *self, const char *name);
int chaos_rig_signal (chaos_rig_t *self, const char *name, const char *sig);
int chaos_rig_replica (chaos_rig_t *self, const char *service, int n);
int chaos_rig_gateway2 (chaos_rig_t *self);
/*  Mesh: starts gateway k (2..mesh_gateways) and waits for its /readyz.  */
int chaos_rig_gateway (chaos_rig_t *self, int k);
/*  The pid of a process we started, 0 when it has no pid file.  */
int chaos_rig_pid (chaos_rig_t *self, const char *name);

/*  Dependencies.  */
int chaos_rig_redis_kill (chaos_rig_t *self);        /* SIGKILL */
int chaos_rig_redis_start (chaos_rig_t *self);
int chaos_rig_pg_restart (chaos_rig_t *self);        /* pg_ctl restart -m fast */
int chaos_rig_pg_stop (chaos_rig_t *self);
int chaos_rig_pg_start (chaos_rig_t *self);
/*  Runs a shell command with the rig's environment; its exit code.  */
int chaos_rig_sh (chaos_rig_t *self, const char *command);
const char *chaos_rig_bin_dir (chaos_rig_t *self);

/*  Names of started processes that are no longer running (space separated
    into buf); the count.  */
int chaos_rig_dead (chaos_rig_t *self, char *buf, size_t cap);
/*  Sanitizer reports (ASan, UBSan, LSan) in the process logs; the count,
    with the first lines in buf.  Call after chaos_rig_stop_processes for
    leak reports.  */
int chaos_rig_sanitizer_reports (chaos_rig_t *self, char *buf, size_t cap);
/*  suite.sh stop (SIGTERM, then SIGKILL after 10 s).  */
void chaos_rig_stop_processes (chaos_rig_t *self);

/*  GET /readyz of the gateway on `port`: its JSON (NULL when no answer),
    *status the HTTP status.  */
json_t *chaos_rig_readyz (int port, int *status);
/*  Live workers of a service per the gateway's /readyz "services"; -1
    when unknown.  */
int chaos_rig_workers (int port, const char *service);
/*  Waits until /readyz "services"[service] == want; 0, or -1 after
    timeout_ms.  */
int chaos_rig_wait_workers (int port, const char *service, int want, int timeout_ms);
int chaos_rig_wait_ready (int port, int timeout_ms);
/*  A value from a Prometheus /metrics page: the sum of every sample with
    exactly that name (whatever its labels); -1 when absent or no answer. */
double chaos_rig_metric (int port, const char *name);

long long chaos_now_ms (void);

#endif
