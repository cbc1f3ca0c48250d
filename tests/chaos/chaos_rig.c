/*  chaos_rig — a private, breakable hybridrec deployment for one test.    */
#include "chaos_rig.h"
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "http_client.h"

struct chaos_rig {
    chaos_rig_config_t config;
    char dir[256];              /* the stack (pg/, redis.pid) */
    char run[300];              /* suite.sh RUN_DIR */
    char bin[512], src[512];
    char database_url[256];
    bool stack_up;
};

long long
chaos_now_ms (void)
{
    struct timeval tv;
    gettimeofday (&tv, NULL);
    return (long long) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int
shell (const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start (ap, fmt);
    int n = vsnprintf (cmd, sizeof cmd, fmt, ap);
    va_end (ap);
    if (n < 0 || (size_t) n >= sizeof cmd) {
        fprintf (stderr, "chaos: command too long\n");
        return -1;
    }
    fprintf (stderr, "chaos: $ %s\n", cmd);
    int rc = system (cmd);
    if (rc != 0)
        fprintf (stderr, "chaos: exit %d: %s\n", rc, cmd);
    return rc == 0 ? 0 : -1;
}

static void
setenv_int (const char *name, int value)
{
    char buf[32];
    snprintf (buf, sizeof buf, "%d", value);
    setenv (name, buf, 1);
}

const char *
chaos_rig_database_url (chaos_rig_t *self)
{
    return self->database_url;
}

const char *
chaos_rig_bin_dir (chaos_rig_t *self)
{
    return self->bin;
}

int
chaos_rig_sh (chaos_rig_t *self, const char *command)
{
    (void) self;                /* the environment is this process's */
    return shell ("%s", command);
}

/*  The sample data a fresh stack needs.  The content model is trained
    without LSA here (seconds instead of ~20 s in a Sanitize build); the
    retrain test runs the full `train content`.  */
static int
load_data (chaos_rig_t *self)
{
    return shell ("%s/hybridrec migrate >/dev/null && %s/hybridrec import-catalog %s/data/catalog-sample.csv >/dev/null"
                  " && %s/hybridrec train content --lsa-dim 0 >/dev/null && %s/hybridrec train collab >/dev/null"
                  " && %s/hybridrec train rules >/dev/null && %s/hybridrec train trending >/dev/null",
                  self->bin, self->bin, self->src, self->bin, self->bin, self->bin, self->bin);
}

chaos_rig_t *
chaos_rig_new (const chaos_rig_config_t *config)
{
    const char *bin = getenv ("HR_BINARY_DIR"), *src = getenv ("HR_SOURCE_DIR");
    if (!bin || !src) {
        fprintf (stderr, "chaos: HR_BINARY_DIR and HR_SOURCE_DIR are required\n");
        return NULL;
    }
    chaos_rig_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->config = *config;
    snprintf (self->bin, sizeof self->bin, "%s/bin", bin);
    snprintf (self->src, sizeof self->src, "%s", src);
    snprintf (self->dir, sizeof self->dir, "/tmp/hr-chaos-%s-XXXXXX", config->name);
    if (!mkdtemp (self->dir)) {
        perror ("chaos: mkdtemp");
        free (self);
        return NULL;
    }
    snprintf (self->run, sizeof self->run, "%s/run", self->dir);
    snprintf (self->database_url, sizeof self->database_url,
              "postgresql://hybridrec@127.0.0.1:%d/hybridrec", config->pg_port);
    setenv ("DATABASE_URL", self->database_url, 1);
    char url[128];
    snprintf (url, sizeof url, "redis://127.0.0.1:%d/0", config->redis_port);
    setenv ("REDIS_URL", url, 1);
    setenv_int ("HR_GATEWAY_PORT", config->gw_port);
    setenv_int ("HR_GATEWAY2_PORT", config->gw_port + 1);
    setenv_int ("HR_BROKER_PORT", config->broker_port);
    setenv_int ("HR_METRICS_BASE", config->metrics_base);
    setenv ("HR_SUITE_BROKER", config->mesh_gateways > 1 ? "mesh"
                               : config->standalone_broker ? "standalone" : "embedded", 1);
    setenv_int ("HR_SUITE_GATEWAYS", config->mesh_gateways > 1 ? config->mesh_gateways : 1);
    setenv ("HR_LOG_LEVEL", "warn", 0);
    setenv ("HR_GATEWAY_ACCESS_LOG", "0", 0);
    /*  The fan-out deadline: the 50 ms default is a production figure; under
        ASan on a busy machine a healthy service misses it now and then, and
        the verdict counts such "late 503"s.  An outage still shows at once
        (a stopped process answers never; the breaker opens).             */
    setenv_int ("HR_GATEWAY_DEADLINE_MS", CHAOS_DEADLINE_MS);
    /*  Every failure must reach the log, and a stopped process must not
        hold the tests hostage: abort on the first sanitizer report.  */
    setenv ("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1", 0);
    setenv ("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1", 0);

    self->stack_up = true;
    if (shell ("%s/tests/harness/stack.sh start %s %d %d >/dev/null", self->src, self->dir,
               config->pg_port, config->redis_port) != 0
        || load_data (self) != 0
        || shell ("%s/tests/harness/suite.sh start %s %s", self->src, self->bin, self->run) != 0) {
        shell ("tail -n 5 %s/log/*.log >&2", self->run);
        chaos_rig_destroy (&self);
        return NULL;
    }
    return self;
}

void
chaos_rig_stop_processes (chaos_rig_t *self)
{
    shell ("%s/tests/harness/suite.sh stop %s", self->src, self->run);
}

void
chaos_rig_destroy (chaos_rig_t **self_p)
{
    chaos_rig_t *self = *self_p;
    if (!self)
        return;
    chaos_rig_stop_processes (self);
    if (self->stack_up)
        shell ("%s/tests/harness/stack.sh stop %s >/dev/null", self->src, self->dir);
    if (!getenv ("HR_CHAOS_KEEP"))
        shell ("rm -rf %s", self->dir);
    else
        fprintf (stderr, "chaos: kept %s\n", self->dir);
    free (self);
    *self_p = NULL;
}

int
chaos_rig_kill (chaos_rig_t *self, const char *name)
{
    return shell ("%s/tests/harness/suite.sh kill %s %s", self->src, self->run, name);
}

int
chaos_rig_restart (chaos_rig_t *self, const char *name)
{
    return shell ("%s/tests/harness/suite.sh restart %s %s %s", self->src, self->bin, self->run, name);
}

int
chaos_rig_signal (chaos_rig_t *self, const char *name, const char *sig)
{
    return shell ("%s/tests/harness/suite.sh signal %s %s %s", self->src, self->run, name, sig);
}

int
chaos_rig_replica (chaos_rig_t *self, const char *service, int n)
{
    return shell ("%s/tests/harness/suite.sh replica %s %s %s %d", self->src, self->bin, self->run,
                  service, n);
}

int
chaos_rig_gateway2 (chaos_rig_t *self)
{
    return shell ("%s/tests/harness/suite.sh gateway2 %s %s", self->src, self->bin, self->run);
}

int
chaos_rig_gateway (chaos_rig_t *self, int k)
{
    return shell ("%s/tests/harness/suite.sh gateway %s %s %d", self->src, self->bin, self->run, k);
}

int
chaos_rig_pid (chaos_rig_t *self, const char *name)
{
    char path[512];
    snprintf (path, sizeof path, "%s/%s.pid", self->run, name);
    FILE *f = fopen (path, "r");
    int pid = 0;
    if (f) {
        if (fscanf (f, "%d", &pid) != 1)
            pid = 0;
        fclose (f);
    }
    return pid;
}

int
chaos_rig_redis_kill (chaos_rig_t *self)
{
    return shell ("kill -KILL $(cat %s/redis.pid) && rm -f %s/redis.pid", self->dir, self->dir);
}

int
chaos_rig_redis_start (chaos_rig_t *self)
{
    return shell ("%s/tests/harness/stack.sh start %s %d %d >/dev/null", self->src, self->dir,
                  self->config.pg_port, self->config.redis_port);
}

static int
pg_ctl (chaos_rig_t *self, const char *action)
{
    return shell ("pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1); "
                  "if [ \"$(id -u)\" = 0 ]; then as=\"runuser -u postgres --\"; else as=; fi; "
                  "$as \"$pgbin/pg_ctl\" -D %s/pg -l %s/pg.log -m fast -w -t 60 %s >/dev/null",
                  self->dir, self->dir, action);
}

int
chaos_rig_pg_restart (chaos_rig_t *self)
{
    return pg_ctl (self, "restart");
}

int
chaos_rig_pg_stop (chaos_rig_t *self)
{
    return pg_ctl (self, "stop");
}

int
chaos_rig_pg_start (chaos_rig_t *self)
{
    return pg_ctl (self, "start");
}

int
chaos_rig_dead (chaos_rig_t *self, char *buf, size_t cap)
{
    int dead = 0;
    size_t used = 0;
    buf[0] = 0;
    DIR *d = opendir (self->run);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir (d))) {
        size_t len = strlen (e->d_name);
        if (len < 5 || strcmp (e->d_name + len - 4, ".pid"))
            continue;
        char name[256];
        snprintf (name, sizeof name, "%.*s", (int) (len - 4), e->d_name);
        int pid = chaos_rig_pid (self, name);
        if (pid > 0 && kill (pid, 0) == 0)
            continue;
        dead++;
        int n = snprintf (buf + used, cap - used, "%s ", name);
        if (n > 0 && used + (size_t) n < cap)
            used += (size_t) n;
    }
    closedir (d);
    return dead;
}

int
chaos_rig_sanitizer_reports (chaos_rig_t *self, char *buf, size_t cap)
{
    char cmd[1024];
    snprintf (cmd, sizeof cmd,
              "grep -H -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: ' %s/log/*.log 2>/dev/null | head -n 20",
              self->run);
    FILE *p = popen (cmd, "r");
    if (!p)
        return -1;
    int lines = 0;
    size_t used = 0;
    char line[1024];
    buf[0] = 0;
    while (fgets (line, sizeof line, p)) {
        lines++;
        size_t len = strlen (line);
        if (used + len + 1 < cap) {
            memcpy (buf + used, line, len + 1);
            used += len;
        }
    }
    pclose (p);
    return lines;
}

json_t *
chaos_rig_readyz (int port, int *status)
{
    hr_http_response_t res;
    *status = 0;
    if (hr_http_get ("127.0.0.1", port, "/readyz", &res) != 0)
        return NULL;
    *status = res.status;
    json_t *j = json_loadb (res.body, res.body_len, 0, NULL);
    hr_http_response_free (&res);
    return j;
}

int
chaos_rig_workers (int port, const char *service)
{
    int status;
    json_t *j = chaos_rig_readyz (port, &status);
    json_t *n = json_object_get (json_object_get (j, "services"), service);
    int workers = json_is_integer (n) ? (int) json_integer_value (n) : -1;
    json_decref (j);
    return workers;
}

int
chaos_rig_wait_workers (int port, const char *service, int want, int timeout_ms)
{
    long long until = chaos_now_ms () + timeout_ms;
    do {
        if (chaos_rig_workers (port, service) == want)
            return 0;
        usleep (100 * 1000);
    } while (chaos_now_ms () < until);
    return -1;
}

int
chaos_rig_wait_ready (int port, int timeout_ms)
{
    long long until = chaos_now_ms () + timeout_ms;
    do {
        int status;
        json_decref (chaos_rig_readyz (port, &status));
        if (status == 200)
            return 0;
        usleep (100 * 1000);
    } while (chaos_now_ms () < until);
    return -1;
}

double
chaos_rig_metric (int port, const char *name)
{
    hr_http_response_t res;
    if (hr_http_get ("127.0.0.1", port, "/metrics", &res) != 0)
        return -1;
    double value = -1;
    size_t len = strlen (name);
    for (char *line = res.body; line && *line; ) {
        char *next = strchr (line, '\n');
        if (!strncmp (line, name, len) && (line[len] == ' ' || line[len] == '{')) {
            char *sp = line[len] == ' ' ? line + len : strstr (line, "} ");
            if (sp) {
                sp += line[len] == ' ' ? 1 : 2;
                value = (value < 0 ? 0 : value) + strtod (sp, NULL);
            }
        }
        line = next ? next + 1 : NULL;
    }
    hr_http_response_free (&res);
    return value;
}
