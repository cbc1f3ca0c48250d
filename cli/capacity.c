/*  hybridrec capacity — the current headroom of every gateway and service
    replica, from their live /metrics (docs/scaling.md, "Capacity model").

    Two scrapes of every target, --interval seconds apart; from the
    differences, per process: its rate (HTTP requests/s for a gateway,
    calls/s for a service replica, messages/s for a gateway's broker), its
    CPU in cores (process_cpu_seconds_total; the broker thread's
    hr_broker_cpu_seconds), the CPU per request, and the headroom: how many
    more per second it takes before it uses --cores cores (the broker: 0.7
    of its one thread), converted to HTTP requests/s of the shop mix with
    the calls per request measured by bench/capacity.sh.  The CPU per call
    is the live one when the window saw enough calls to trust it, else the
    measured constant (column "basis").

    Targets: HR_CAPACITY_GATEWAYS (the gateways' HTTP address) and
    HR_CAPACITY_SERVICES (the replicas' HR_METRICS_PORT listeners), host:port
    lists; a dns+tcp://name:port entry stands for every address of that
    name (a headless Service, as in HR_BROKER_ENDPOINTS).                   */
#include "hr_cli.h"
#include "config.h"
#include "hr_discover.h"
#include "hr_log.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define S_TIMEOUT_MS 2000
#define S_MIN_CALLS 50          /* fewer in the window: use the measured constant */
#define S_LIVE_MIN_BUSY 0.1     /* cores: below, a process's idle CPU (heartbeats,
                                   model polls: up to 0.02 core) would inflate
                                   the live CPU per call: use the constant */
#define S_BROKER_TARGET 0.7     /* a broker thread's busy share to stay under */

/*  The measured constants: the mean of the shop-mix medians of two runs of
    `bench/capacity.sh 10 100 3` (docs/scaling.md has the command, the load,
    the spread and the per-endpoint rows).  Shop mix: 60 % /home (half with
    history), 25 % /product, 10 % /search, 5 % POST.                       */
typedef struct {
    const char *service;
    double calls_per_request;   /* k_s: calls per HTTP request of the shop mix */
    double ms_per_call;         /* c_s: CPU per call */
} s_constant_t;

static const s_constant_t s_constants[] = {
    { "interactions", 0.63, 0.25 },
    { "content", 0.28, 0.13 },
    { "trending", 0.60, 0.49 },     /* its calls carry the click stream's cost too */
    { "rules", 0.27, 0.087 },
    { "collab", 0.26, 0.125 },
    { NULL, 0, 0 },
};
#define S_GATEWAY_MS_PER_REQUEST 0.47   /* c_gw, its broker thread included */
#define S_BROKER_MESSAGES_PER_CPU_S 45000.0  /* C_b */
#define S_BROKER_MESSAGES_PER_REQUEST 4.0    /* m */

typedef struct {
    double cpu;                 /* process_cpu_seconds_total */
    double requests;            /* gateway: API requests; service: calls */
    double broker_cpu, broker_messages;
    double threads;
    char service[32];           /* from hr_service_worker_threads{service=...} */
    bool has_broker, ok;
} s_sample_t;

typedef struct {
    char address[128];
    bool gateway;
    s_sample_t a, b;
    double t_a, t_b;
} s_target_t;

static double
s_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/*  GET /metrics over HTTP/1.0; the body (malloc'd) or NULL.                */
static char *
s_fetch (const char *address)
{
    char host[128], port[16];
    const char *colon = strrchr (address, ':');
    if (!colon || colon == address || (size_t) (colon - address) >= sizeof host || strlen (colon + 1) >= sizeof port)
        return NULL;
    memcpy (host, address, (size_t) (colon - address));
    host[colon - address] = 0;
    snprintf (port, sizeof port, "%s", colon + 1);
    if (host[0] == '[' && host[strlen (host) - 1] == ']') {   /* [::1]:8080 */
        memmove (host, host + 1, strlen (host));
        host[strlen (host) - 1] = 0;
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
    if (getaddrinfo (host, port, &hints, &ai) != 0)
        return NULL;
    int fd = socket (ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    bool ok = fd >= 0;
    if (ok && connect (fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS)
        ok = false;
    freeaddrinfo (ai);
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    int err = 0;
    socklen_t elen = sizeof err;
    if (ok && (poll (&p, 1, S_TIMEOUT_MS) != 1 || getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err))
        ok = false;
    char req[256];
    int rl = snprintf (req, sizeof req, "GET /metrics HTTP/1.0\r\nHost: %s\r\n\r\n", address);
    if (ok && send (fd, req, (size_t) rl, MSG_NOSIGNAL) != rl)
        ok = false;
    size_t len = 0, cap = 1 << 16;
    char *buf = ok ? malloc (cap) : NULL;
    double deadline = s_now () + S_TIMEOUT_MS / 1000.0;
    while (buf) {
        int left = (int) ((deadline - s_now ()) * 1000);
        p.events = POLLIN;
        if (left <= 0 || poll (&p, 1, left) != 1) {
            free (buf);
            buf = NULL;
            break;
        }
        if (cap - len < 4096) {
            char *bigger = realloc (buf, cap * 2);
            if (!bigger) {
                free (buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t r = recv (fd, buf + len, cap - len - 1, 0);
        if (r == 0)
            break;
        if (r < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            free (buf);
            buf = NULL;
            break;
        }
        len += (size_t) r;
    }
    if (fd >= 0)
        close (fd);
    if (!buf)
        return NULL;
    buf[len] = 0;
    char *body = strstr (buf, "\r\n\r\n");
    if (strncmp (buf, "HTTP/1.", 7) != 0 || strncmp (buf + 8, " 200", 4) != 0 || !body) {
        free (buf);
        return NULL;
    }
    memmove (buf, body + 4, strlen (body + 4) + 1);
    return buf;
}

/*  The value of label NAME in LABELS ("a=\"x\",b=\"y\""), copied to out.  */
static bool
s_label (const char *labels, size_t len, const char *name, char *out, size_t out_size)
{
    size_t nl = strlen (name);
    for (const char *p = labels; p + nl + 2 <= labels + len; p++) {
        if ((p == labels || p[-1] == ',') && strncmp (p, name, nl) == 0 && p[nl] == '=' && p[nl + 1] == '"') {
            const char *v = p + nl + 2, *end = memchr (v, '"', (size_t) (labels + len - v));
            if (!end || (size_t) (end - v) >= out_size)
                return false;
            memcpy (out, v, (size_t) (end - v));
            out[end - v] = 0;
            return true;
        }
    }
    return false;
}

static bool
s_is_api (const char *endpoint)
{
    static const char *const api[] = { "home", "product", "search", "interactions_post",
                                       "interactions_get", "events", NULL };
    for (const char *const *e = api; *e; e++)
        if (strcmp (endpoint, *e) == 0)
            return true;
    return false;
}

static void
s_parse (const char *text, s_sample_t *s)
{
    memset (s, 0, sizeof *s);
    s->ok = true;
    for (const char *line = text; line && *line; ) {
        const char *eol = strchr (line, '\n');
        size_t n = eol ? (size_t) (eol - line) : strlen (line);
        if (line[0] != '#' && n > 0) {
            const char *sp = memchr (line, ' ', n);
            if (sp) {
                const char *brace = memchr (line, '{', (size_t) (sp - line));
                size_t name_len = (size_t) ((brace ? brace : sp) - line);
                const char *labels = brace ? brace + 1 : "";
                size_t labels_len = brace ? (size_t) (sp - 1 - labels) : 0;
                double v = strtod (sp + 1, NULL);
                char lv[64];
#define IS(lit) (name_len == sizeof lit - 1 && strncmp (line, lit, name_len) == 0)
                if (IS ("process_cpu_seconds_total"))
                    s->cpu = v;
                else if (IS ("hr_broker_cpu_seconds")) {
                    s->broker_cpu += v;
                    s->has_broker = true;
                }
                else if (IS ("hr_broker_messages_total"))
                    s->broker_messages += v;
                else if (IS ("hr_gateway_requests_total")) {
                    if (s_label (labels, labels_len, "endpoint", lv, sizeof lv) && s_is_api (lv))
                        s->requests += v;
                }
                else if (IS ("hr_requests_total")) {
                    //  a batch message's calls are counted one by one as well
                    if (!s_label (labels, labels_len, "method", lv, sizeof lv) || strcmp (lv, "batch") != 0)
                        s->requests += v;
                }
                else if (IS ("hr_service_worker_threads")) {
                    s->threads = v;
                    s_label (labels, labels_len, "service", s->service, sizeof s->service);
                }
#undef IS
            }
        }
        line = eol ? eol + 1 : NULL;
    }
}

/*  "a:1,dns+tcp://b:2" -> targets (the names resolved now).               */
static int
s_targets (const char *list, bool gateway, s_target_t **targets, int *n)
{
    //  hr_discover_expand speaks tcp:// endpoints: add the scheme, strip it after
    size_t cap = strlen (list) * 8 + 16;     /* "a:1" -> "tcp://a:1," */
    char *with = malloc (cap);
    if (!with)
        return -1;
    with[0] = 0;
    char *copy = strdup (list), *save = NULL;
    for (char *item = strtok_r (copy, ", ", &save); item; item = strtok_r (NULL, ", ", &save)) {
        if (*with)
            strcat (with, ",");
        if (!strstr (item, "://"))
            strcat (with, "tcp://");
        strcat (with, item);
    }
    free (copy);
    int unresolved = 0;
    char *expanded = hr_discover_expand (with, &unresolved);
    free (with);
    if (!expanded)
        return -1;
    if (unresolved)
        fprintf (stderr, "hybridrec capacity: %d name(s) in '%s' resolved to nothing\n", unresolved, list);
    for (char *item = strtok_r (expanded, ",", &save); item; item = strtok_r (NULL, ",", &save)) {
        const char *addr = strncmp (item, "tcp://", 6) == 0 ? item + 6 : item;
        s_target_t *more = realloc (*targets, (size_t) (*n + 1) * sizeof **targets);
        if (!more) {
            free (expanded);
            return -1;
        }
        *targets = more;
        s_target_t *t = &more[(*n)++];
        memset (t, 0, sizeof *t);
        snprintf (t->address, sizeof t->address, "%s", addr);
        t->gateway = gateway;
    }
    free (expanded);
    return 0;
}

static void
s_scrape (s_target_t *targets, int n, bool second)
{
    for (int i = 0; i < n; i++) {
        s_target_t *t = &targets[i];
        char *text = s_fetch (t->address);
        s_sample_t *s = second ? &t->b : &t->a;
        if (text)
            s_parse (text, s);
        else
            memset (s, 0, sizeof *s);
        *(second ? &t->t_b : &t->t_a) = s_now ();
        free (text);
    }
}

static const s_constant_t *
s_constant (const char *service)
{
    for (const s_constant_t *c = s_constants; c->service; c++)
        if (strcmp (c->service, service) == 0)
            return c;
    return NULL;
}

/*  One row: a process (or a gateway's broker thread).                     */
typedef struct {
    const char *address, *role;
    double rate, busy, cost_ms, model_ms, headroom, headroom_http, capacity;
    double utilisation;         /* busy / the cores it may use */
    double live_ms;             /* CPU per request in the window (0: none) */
    const char *basis;
} s_row_t;

/*  A tier: every process of one kind (a service's replicas, the gateways,
    their brokers).                                                         */
typedef struct {
    const char *name;
    int processes;
    double headroom_http, rate, busy;
} s_tier_t;

#define S_TIERS_MAX 16

typedef struct {
    double interval, cores, gw_cores;
    bool as_json;
    s_row_t *rows;
    int nrows, answered;
    s_tier_t tiers[S_TIERS_MAX];
    int ntiers;
    const s_tier_t *first;      /* the least headroom */
    json_t *unreachable;
} s_report_t;

/*  min_busy: the cores the process must use for its live CPU per request
    to count (the broker thread: 0, its heartbeats are messages too).      */
static void
s_row (s_row_t *r, double d_work, double d_cpu, double dt, double model_ms, double cores,
       double per_http, double min_busy)
{
    r->rate = d_work / dt;
    r->busy = d_cpu / dt;
    r->utilisation = r->busy / cores;
    r->model_ms = model_ms;
    r->live_ms = d_work > 0 ? 1000 * d_cpu / d_work : 0;
    bool live = d_work >= S_MIN_CALLS && d_cpu > 0 && (r->busy >= min_busy || model_ms <= 0);
    r->cost_ms = live ? 1000 * d_cpu / d_work : model_ms;
    r->basis = live ? "live" : "model";
    r->capacity = r->cost_ms > 0 ? 1000 * cores / r->cost_ms : 0;
    double spare = cores - r->busy;
    r->headroom = r->cost_ms > 0 && spare > 0 ? 1000 * spare / r->cost_ms : 0;
    r->headroom_http = per_http > 0 ? r->headroom / per_http : r->headroom;
}

static void
s_add_to_tier (s_report_t *rep, const char *name, const s_row_t *r)
{
    int k;
    for (k = 0; k < rep->ntiers && strcmp (rep->tiers[k].name, name) != 0; k++)
        ;
    if (k == rep->ntiers) {
        if (k == S_TIERS_MAX)
            return;
        rep->tiers[rep->ntiers++] = (s_tier_t) { name, 0, 0, 0, 0 };
    }
    rep->tiers[k].processes++;
    rep->tiers[k].headroom_http += r->headroom_http;
    rep->tiers[k].rate += r->rate;
    rep->tiers[k].busy += r->busy;
}

/*  The rows of one target that answered both scrapes.                     */
static void
s_measure (s_report_t *rep, const s_target_t *t)
{
    double dt = t->t_b - t->t_a;
    s_row_t *r = &rep->rows[rep->nrows++];
    r->address = t->address;
    if (t->gateway) {
        r->role = "gateway";
        s_row (r, t->b.requests - t->a.requests, t->b.cpu - t->a.cpu, dt,
               S_GATEWAY_MS_PER_REQUEST, rep->gw_cores, 1, S_LIVE_MIN_BUSY);
    }
    else {
        r->role = *t->b.service ? t->b.service : "unknown";
        const s_constant_t *c = s_constant (r->role);
        s_row (r, t->b.requests - t->a.requests, t->b.cpu - t->a.cpu, dt,
               c ? c->ms_per_call : 0, rep->cores, c ? c->calls_per_request : 0, S_LIVE_MIN_BUSY);
    }
    s_add_to_tier (rep, r->role, r);
    if (!t->gateway || !t->b.has_broker)
        return;
    //  A gateway's broker thread is a tier of its own
    double d_msgs = t->b.broker_messages - t->a.broker_messages;
    double d_http = t->b.requests - t->a.requests;
    double per_http = d_http >= S_MIN_CALLS ? d_msgs / d_http : S_BROKER_MESSAGES_PER_REQUEST;
    r = &rep->rows[rep->nrows++];
    r->address = t->address;
    r->role = "broker";
    s_row (r, d_msgs, t->b.broker_cpu - t->a.broker_cpu, dt,
           1000 / S_BROKER_MESSAGES_PER_CPU_S, S_BROKER_TARGET, per_http, 0);
    s_add_to_tier (rep, r->role, r);
}

static json_t *
s_row_json (const s_row_t *r)
{
    return json_pack ("{s:s, s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:s, s:f, s:f, s:f}",
                      "address", r->address, "role", r->role, "rate_per_s", r->rate,
                      "busy_cores", r->busy, "utilisation", r->utilisation, "cpu_ms_each", r->cost_ms,
                      "live_cpu_ms_each", r->live_ms, "model_cpu_ms_each", r->model_ms,
                      "basis", r->basis, "capacity_per_s", r->capacity, "headroom_per_s", r->headroom,
                      "headroom_http_per_s", r->headroom_http);
}

static void
s_print_json (s_report_t *rep)
{
    json_t *rows = json_array (), *tiers = json_array ();
    for (int i = 0; i < rep->nrows; i++)
        json_array_append_new (rows, s_row_json (&rep->rows[i]));
    for (int k = 0; k < rep->ntiers; k++) {
        const s_tier_t *t = &rep->tiers[k];
        json_array_append_new (tiers, json_pack ("{s:s, s:i, s:f, s:f, s:f}", "tier", t->name,
                                                 "processes", t->processes, "rate_per_s", t->rate,
                                                 "busy_cores", t->busy, "headroom_http_per_s", t->headroom_http));
    }
    json_t *first = rep->first ? json_pack ("{s:s, s:f}", "tier", rep->first->name, "headroom_http_per_s",
                                            rep->first->headroom_http)
                               : json_null ();
    json_t *doc = json_pack ("{s:f, s:f, s:f, s:f, s:o, s:o, s:o, s:O}",
                             "interval_s", rep->interval, "cores_per_replica", rep->cores,
                             "cores_per_gateway", rep->gw_cores, "broker_target", S_BROKER_TARGET,
                             "processes", rows, "tiers", tiers, "first_to_run_out", first,
                             "unreachable", rep->unreachable);
    char *text = doc ? json_dumps (doc, JSON_COMPACT | JSON_REAL_PRECISION (6)) : NULL;
    printf ("%s\n", text ? text : "{}");
    free (text);
    json_decref (doc);
}

static void
s_print_text (const s_report_t *rep)
{
    printf ("hybridrec capacity: %.1f s window; headroom = per second more before a process uses\n"
            "%.2g core(s) (gateway %.2g, broker thread %.0f %%); HTTP = requests/s of the shop mix\n\n",
            rep->interval, rep->cores, rep->gw_cores, 100 * S_BROKER_TARGET);
    printf ("%-22s %-13s %9s %7s %5s %8s %-5s %10s %10s %10s\n", "address", "process", "rate/s", "cores",
            "util", "ms each", "basis", "capacity/s", "headroom/s", "HTTP req/s");
    for (int i = 0; i < rep->nrows; i++) {
        const s_row_t *r = &rep->rows[i];
        printf ("%-22s %-13s %9.1f %7.3f %4.0f%% %8.3f %-5s %10.0f %10.0f %10.0f\n", r->address, r->role,
                r->rate, r->busy, 100 * r->utilisation, r->cost_ms, r->basis, r->capacity, r->headroom,
                r->headroom_http);
    }
    for (size_t i = 0; i < json_array_size (rep->unreachable); i++)
        printf ("%-22s unreachable\n", json_string_value (json_array_get (rep->unreachable, i)));
    printf ("\n%-13s %9s %10s %8s %22s\n", "tier", "processes", "rate/s", "cores", "headroom HTTP req/s");
    for (int k = 0; k < rep->ntiers; k++)
        printf ("%-13s %9d %10.1f %8.3f %22.0f\n", rep->tiers[k].name, rep->tiers[k].processes,
                rep->tiers[k].rate, rep->tiers[k].busy, rep->tiers[k].headroom_http);
    if (rep->first)
        printf ("\nfirst to run out: %s (%.0f more HTTP requests/s of the shop mix)\n", rep->first->name,
                rep->first->headroom_http);
}

static void
s_help (hr_config_t *cfg, FILE *out)
{
    fprintf (out,
        "usage: hybridrec capacity [--interval SECONDS] [--cores N] [--gateway-cores N] [--json]\n\n"
        "Scrapes /metrics of every gateway (HR_CAPACITY_GATEWAYS) and every service\n"
        "replica (HR_CAPACITY_SERVICES) twice, SECONDS apart (default 5), and prints per\n"
        "process: its rate (gateway: API requests/s; service: calls/s; broker: messages/s),\n"
        "the CPU it uses in cores, the CPU per request (live once it is 10 %% busy and saw\n"
        "50, else the constant measured by bench/capacity.sh), and its headroom: requests/s more\n"
        "before it uses --cores cores (default 1; the gateway: --gateway-cores, default 1;\n"
        "a broker: %.0f %% of its one thread), also in HTTP requests/s of the shop mix.  Then\n"
        "per tier (a service's replicas, the gateways, their brokers) the sum, and the tier\n"
        "that runs out first.  docs/scaling.md explains the model and the constants.\n\n"
        "Exit status: 0 ok, 1 no target answered, 2 bad usage.\n\n"
        "configuration (environment):\n", 100 * S_BROKER_TARGET);
    if (cfg)
        hr_config_print_help (cfg, out);
}

/*  0 to go on, else the exit status (help printed: 0 -> returns -1).      */
static int
s_args (s_report_t *rep, hr_config_t *cfg, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0) {
            s_help (cfg, stdout);
            return -1;
        }
        else if (strcmp (a, "--json") == 0)
            rep->as_json = true;
        else if ((strcmp (a, "--interval") == 0 || strcmp (a, "--cores") == 0
                  || strcmp (a, "--gateway-cores") == 0) && v) {
            double x = strtod (v, &end);
            if (!end || *end || !(x > 0) || x > 3600) {
                fprintf (stderr, "hybridrec capacity: %s wants a number > 0, got '%s'\n", a, v);
                return 2;
            }
            *(a[2] == 'i' ? &rep->interval : a[2] == 'c' ? &rep->cores : &rep->gw_cores) = x;
            i++;
        }
        else {
            fprintf (stderr, "hybridrec capacity: unexpected argument '%s' (see --help)\n", a);
            return 2;
        }
    }
    return 0;
}

int
hr_cli_capacity (int argc, char **argv)
{
    const hr_config_var_t *tables[] = { capacity_config, NULL };
    hr_config_t *cfg = hr_config_new ("hybridrec capacity", tables);
    s_report_t rep = { .interval = 5, .cores = 1, .gw_cores = 1 };
    int rc = s_args (&rep, cfg, argc, argv);
    if (rc != 0) {
        hr_config_destroy (&cfg);
        return rc < 0 ? 0 : rc;
    }
    if (hr_config_load_or_report (&cfg, "hybridrec capacity") != 0)
        return 2;
    hr_log_init ("hybridrec", HR_LOG_ERROR);
    s_target_t *targets = NULL;
    int n = 0;
    if (s_targets (hr_config_str (cfg, "HR_CAPACITY_GATEWAYS"), true, &targets, &n) != 0
        || s_targets (hr_config_str (cfg, "HR_CAPACITY_SERVICES"), false, &targets, &n) != 0
        || !(rep.rows = calloc ((size_t) n * 2 + 1, sizeof *rep.rows))
        || !(rep.unreachable = json_array ())) {
        fprintf (stderr, "hybridrec capacity: out of memory\n");
        free (targets);
        free (rep.rows);
        hr_config_destroy (&cfg);
        return 1;
    }
    hr_config_destroy (&cfg);

    s_scrape (targets, n, false);
    struct timespec pause = { (time_t) rep.interval, (long) ((rep.interval - floor (rep.interval)) * 1e9) };
    while (nanosleep (&pause, &pause) != 0 && errno == EINTR)
        ;
    s_scrape (targets, n, true);
    for (int i = 0; i < n; i++) {
        if (targets[i].a.ok && targets[i].b.ok) {
            rep.answered++;
            s_measure (&rep, &targets[i]);
        }
        else
            json_array_append_new (rep.unreachable, json_string (targets[i].address));
    }
    for (int k = 0; k < rep.ntiers; k++)
        if (strcmp (rep.tiers[k].name, "unknown") != 0
            && (!rep.first || rep.tiers[k].headroom_http < rep.first->headroom_http))
            rep.first = &rep.tiers[k];
    if (rep.as_json)
        s_print_json (&rep);
    else
        s_print_text (&rep);
    json_decref (rep.unreachable);
    free (rep.rows);
    free (targets);
    return rep.answered ? 0 : 1;
}
