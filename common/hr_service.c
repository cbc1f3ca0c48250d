/*  hr_service — the skeleton of every strategy service: worker threads that
    decode `str method` and call the definition's handle(), a tick thread,
    the metrics/health listener, and signal-driven graceful shutdown.     */
#include "hr_service.h"
#include "hr_clock.h"
#include "hr_pid.h"
#include "hr_version.h"
#include "hr_batch.h"
#include "hr_array.h"
#include "hr_curve.h"
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_discover.h"
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_proto.h"
#include "hr_worker.h"

#include <czmq.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

/*  How soon a worker thread notices a change of the discovered brokers
    (and stop, when no eventfd could be made); otherwise idle workers wait
    on the stop eventfd without a timeout.                                 */
#define RECV_POLL_MS 100
#define ERRBUF_SIZE 512
#define METHOD_LABELS_MAX 32    /* bounded label cardinality per service */
#define METHOD_LABEL_LEN 32
#define STATUS_COUNT (HR_INTERNAL + 1)

typedef struct {
    char name[METHOD_LABEL_LEN + 1];
    hr_counter_t *requests[STATUS_COUNT];
    hr_histogram_t *seconds;
} method_metrics_t;

struct hr_service {
    const hr_service_def_t *def;
    void *state;
    char *endpoint;
    hr_discover_t *discover;    /* when endpoint has dns+tcp:// names */
    int nthreads;
    pthread_t *threads;
    pthread_t ticker;
    bool ticking;
    atomic_bool stop;
    int stop_fd;                /* eventfd written once by destroy: wakes idle workers */
    pthread_mutex_t tick_lock;
    pthread_cond_t tick_wake;
    /*  Metric handles by method label; looked up under a lock because the
        set grows at run time (the first request of each method).          */
    pthread_mutex_t metrics_lock;
    method_metrics_t methods[METHOD_LABELS_MAX + 2];    /* + "other", "invalid" */
    int nmethods;
};

int
hr_service_error (hr_call_t *call, int status, const char *fmt, ...)
{
    assert (call && fmt);
    if (call->errbuf && call->errcap > 0) {
        va_list ap;
        va_start (ap, fmt);
        vsnprintf (call->errbuf, call->errcap, fmt, ap);
        va_end (ap);
    }
    return status;
}

int
hr_service_decode (const char *name, hr_proto_req_kind_t kind, hr_reader_t *args,
                   hr_proto_req_t *req, hr_call_t *call)
{
    const char *expected = "";
    if (hr_proto_req_get (kind, args, req, &expected) != 0)
        return hr_service_error (call, HR_BAD_REQUEST, "%s: expected %s", name, expected);
    return HR_OK;
}

int
hr_service_dispatch (const char *service, const hr_method_t *methods, void *state,
                     const void *model, const char *method, size_t method_len,
                     hr_reader_t *args, hr_writer_t *reply, hr_call_t *call)
{
    assert (service && methods);
    for (const hr_method_t *m = methods; m->name; m++) {
        if (!hr_proto_method_is (method, method_len, m->name))
            continue;
        hr_proto_req_t req;
        int st = hr_service_decode (m->name, m->kind, args, &req, call);
        return st != HR_OK ? st : m->fn (state, model, &req, reply, call);
    }
    return hr_service_error (call, HR_BAD_REQUEST, "%s: " HR_SERVICE_UNKNOWN_METHOD "%.*s'", service,
                             (int) (method_len > 64 ? 64 : method_len), method);
}

int
hr_service_handle (const hr_service_def_t *def, void *state, const char *method,
                   size_t method_len, hr_reader_t *args, hr_writer_t *reply, hr_call_t *call)
{
    assert (def && (def->handle || def->methods));
    if (!def->methods)
        return def->handle (state, method, method_len, args, reply, call);
    hr_snapshot_t *snap = def->take ? def->take (state) : NULL;
    const void *model = hr_snapshot_data (snap);
    int rc;
    if (!model && def->no_model)
        rc = hr_service_error (call, HR_UNAVAILABLE, "%s: %s", def->name, def->no_model);
    else
        rc = hr_service_dispatch (def->name, def->methods, state, model, method, method_len,
                                  args, reply, call);
    hr_snapshot_release (&snap);
    return rc;
}

/* ------------------------------------------------------------ metrics */

/*  Method names come from the network: only tidy identifiers become a
    label, and only the first METHOD_LABELS_MAX of them, so a hostile
    client cannot grow the registry without bound.                         */
static const char *
method_label (const char *method, size_t len)
{
    if (len == 0 || len > METHOD_LABEL_LEN)
        return "invalid";
    for (size_t i = 0; i < len; i++) {
        char ch = method[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.'))
            return "invalid";
    }
    return NULL;    /* the method itself */
}

static method_metrics_t *
method_metrics (hr_service_t *self, const char *method, size_t len)
{
    const char *fixed = method_label (method, len);
    char name[METHOD_LABEL_LEN + 1];
    if (fixed)
        snprintf (name, sizeof name, "%s", fixed);
    else {
        memcpy (name, method, len);
        name[len] = 0;
    }
    pthread_mutex_lock (&self->metrics_lock);
    method_metrics_t *m = NULL;
    for (int i = 0; i < self->nmethods && !m; i++)
        if (strcmp (self->methods[i].name, name) == 0)
            m = &self->methods[i];
    if (!m && !fixed && self->nmethods >= METHOD_LABELS_MAX)
        snprintf (name, sizeof name, "other");
    for (int i = 0; i < self->nmethods && !m; i++)
        if (strcmp (self->methods[i].name, name) == 0)
            m = &self->methods[i];
    if (!m) {
        m = &self->methods[self->nmethods++];
        snprintf (m->name, sizeof m->name, "%s", name);
        char labels[160];
        snprintf (labels, sizeof labels, "service=\"%s\",method=\"%s\"", self->def->name,
                  m->name);
        m->seconds = hr_histogram ("hr_request_seconds",
                                   "Time to answer a request, by method", labels);
    }
    pthread_mutex_unlock (&self->metrics_lock);
    return m;
}

static void
count_request (hr_service_t *self, method_metrics_t *m, int status, double seconds)
{
    pthread_mutex_lock (&self->metrics_lock);
    if (!m->requests[status]) {
        char labels[200];
        snprintf (labels, sizeof labels, "service=\"%s\",method=\"%s\",status=\"%s\"",
                  self->def->name, m->name, hr_status_name (status));
        m->requests[status] = hr_counter ("hr_requests_total",
                                          "Requests answered, by method and status", labels);
    }
    hr_counter_t *c = m->requests[status];
    pthread_mutex_unlock (&self->metrics_lock);
    if (c)
        hr_counter_inc (c);
    if (m->seconds)
        hr_histogram_observe (m->seconds, seconds);
}

/* ------------------------------------------------------------ workers */

/*  One worker thread's scratch, reused for every request.  The batch part
    grows to the largest batch seen (a power of two): a service runs up to
    hundreds of worker threads, most of which only ever see small batches. */
typedef struct {
    hr_writer_t reply;
    char errbuf[ERRBUF_SIZE];
    uint32_t cap;                       /* batch items allocated */
    hr_batch_item_t *items;
    hr_writer_t *item_replies;
    char (*item_errbufs)[ERRBUF_SIZE];
    uint64_t *ids;
} scratch_t;

static void
scratch_free (scratch_t *sc)
{
    hr_writer_free (&sc->reply);
    for (uint32_t i = 0; i < sc->cap; i++)
        hr_writer_free (&sc->item_replies[i]);
    free (sc->items);
    free (sc->item_replies);
    free (sc->item_errbufs);
    free (sc->ids);
}

/*  Room for n batch items.  0 / -1.  */
static int
scratch_reserve (scratch_t *sc, uint32_t n)
{
    if (n <= sc->cap)
        return 0;
    uint32_t cap = sc->cap ? sc->cap : 8;
    while (cap < n)
        cap *= 2;
    //  Each array that grew keeps its new size, whatever the others did
    bool ok = hr_array_resize (&sc->items, sizeof *sc->items, cap) == 0;
    ok = hr_array_resize (&sc->item_replies, sizeof *sc->item_replies, cap) == 0 && ok;
    ok = hr_array_resize (&sc->item_errbufs, sizeof *sc->item_errbufs, cap) == 0 && ok;
    ok = hr_array_resize (&sc->ids, sizeof *sc->ids, cap) == 0 && ok;
    if (!ok)
        return -1;
    for (uint32_t i = sc->cap; i < cap; i++)
        hr_writer_init (&sc->item_replies[i]);
    sc->cap = cap;
    return 0;
}

static bool
is_method (const char *method, size_t len, const char *name)
{
    return len == strlen (name) && memcmp (method, name, len) == 0;
}

/*  A handler's status, checked: out-of-range statuses and replies that ran
    out of memory become HR_INTERNAL with a message.                       */
static int
checked_status (int status, const hr_writer_t *reply, hr_call_t *call)
{
    if (status < HR_OK || status > HR_INTERNAL)
        return hr_service_error (call, HR_INTERNAL, "handler returned invalid status %d",
                                 status);
    if (status == HR_OK && reply->oom)
        return hr_service_error (call, HR_INTERNAL, "out of memory building the reply");
    return status;
}

/*  The message sent for an error status; internal errors are logged.    */
static const char *
error_message (const hr_call_t *call, int status)
{
    const char *message = call->errbuf[0] ? call->errbuf : hr_status_name (status);
    if (status == HR_INTERNAL)
        hr_log_kv (HR_LOG_ERROR, call->request_id_hex, "request failed", "error", message, NULL);
    return message;
}

/*  Reads a request's method name.  Without one it returns "" with *status
    set to BAD_REQUEST; otherwise *status is left alone.                   */
static const char *
read_method (hr_reader_t *args, size_t *len, hr_call_t *call, int *status)
{
    const char *method = hr_get_str (args, len);
    if (method && *len > 0)
        return method;
    *len = 0;
    *status = hr_service_error (call, HR_BAD_REQUEST, "malformed request body: no method name");
    return "";
}

/*  The method "batch": reads every inner request first (a malformed batch
    is refused whole), runs them, and writes the batch reply into `reply`. */
static int
serve_batch (hr_service_t *self, scratch_t *sc, hr_reader_t *args, hr_call_t *call,
             double started_s)
{
    uint32_t n = hr_batch_count (args);
    if (n == 0)
        return hr_service_error (call, HR_BAD_REQUEST,
                                 "malformed batch: count must be 1..%d", HR_BATCH_MAX);
    if (scratch_reserve (sc, n) != 0)
        return hr_service_error (call, HR_INTERNAL, "out of memory for a batch");
    int64_t now = hr_now_ms ();
    for (uint32_t i = 0; i < n; i++) {
        const void *body;
        size_t len;
        if (hr_batch_next_request (args, &sc->ids[i], &body, &len) != 0)
            return hr_service_error (call, HR_BAD_REQUEST, "malformed batch item %u", i);
        hr_batch_item_t *item = &sc->items[i];
        item->reply = &sc->item_replies[i];
        hr_writer_reset (item->reply);
        sc->item_errbufs[i][0] = 0;
        item->call = (hr_call_t) { call->request_id_hex, call->deadline_ms,
                                   sc->item_errbufs[i], ERRBUF_SIZE };
        hr_reader_init (&item->args, body, len);
        item->status = HR_BATCH_PENDING;
        item->method = read_method (&item->args, &item->method_len, &item->call, &item->status);
        if (item->status != HR_BATCH_PENDING)
            continue;
        if (is_method (item->method, item->method_len, HR_BATCH_METHOD))
            item->status = hr_service_error (&item->call, HR_BAD_REQUEST,
                                             "a batch may not contain a batch");
        else if (call->deadline_ms > 0 && now > call->deadline_ms)
            item->status = hr_service_error (&item->call, HR_EXPIRED, "deadline passed");
    }
    if (!hr_reader_done (args))
        return hr_service_error (call, HR_BAD_REQUEST, "malformed batch: trailing bytes");

    if (self->def->handle_batch)
        self->def->handle_batch (self->state, sc->items, (int) n);
    else
        for (uint32_t i = 0; i < n; i++) {
            hr_batch_item_t *item = &sc->items[i];
            if (item->status == HR_BATCH_PENDING)
                item->status = hr_service_handle (self->def, self->state, item->method,
                                                  item->method_len, &item->args,
                                                  item->reply, &item->call);
        }

    hr_batch_writer_t bw;
    hr_batch_reply_begin (&bw, &sc->reply);
    double each = ((double) zclock_usecs () / 1e6 - started_s) / n;
    for (uint32_t i = 0; i < n; i++) {
        hr_batch_item_t *item = &sc->items[i];
        int status = checked_status (item->status, item->reply, &item->call);
        if (status == HR_OK)
            hr_batch_reply_add (&bw, sc->ids[i], HR_OK, item->reply->data, item->reply->len);
        else {
            const char *message = error_message (&item->call, status);
            hr_batch_reply_add (&bw, sc->ids[i], (uint8_t) status, message, strlen (message));
        }
        count_request (self, method_metrics (self, item->method, item->method_len), status,
                       each);
    }
    hr_batch_end (&bw);
    return HR_OK;
}

static void
serve_one (hr_service_t *self, hr_worker_t *worker, const hr_work_t *work, scratch_t *sc)
{
    int64_t started = zclock_usecs ();
    char request_id[17];
    snprintf (request_id, sizeof request_id, "%016" PRIx64, work->request_id);
    hr_call_t call = { request_id, work->deadline_ms, sc->errbuf, ERRBUF_SIZE };
    sc->errbuf[0] = 0;
    hr_writer_reset (&sc->reply);

    hr_reader_t args;
    hr_reader_init (&args, work->body, work->body_len);
    size_t method_len = 0;
    int status = HR_OK;
    const char *method = read_method (&args, &method_len, &call, &status);
    if (status == HR_OK)
        status = is_method (method, method_len, HR_BATCH_METHOD)
               ? serve_batch (self, sc, &args, &call, (double) started / 1e6)
               : hr_service_handle (self->def, self->state, method, method_len, &args,
                                    &sc->reply, &call);
    status = checked_status (status, &sc->reply, &call);

    //  `method` points into the request, which replying frees: label first
    method_metrics_t *metrics = method_metrics (self, method, method_len);
    if (status == HR_OK)
        hr_worker_reply (worker, HR_OK, sc->reply.data, sc->reply.len);
    else {
        const char *message = error_message (&call, status);
        hr_worker_reply (worker, (uint8_t) status, message, strlen (message));
    }
    count_request (self, metrics, status,
                   (double) (zclock_usecs () - started) / 1e6);
}

/*  The worker of one thread: on the configured endpoints, or on the first
    non-empty list discovered (NULL once stop is set).                     */
static hr_worker_t *
worker_open (hr_service_t *self, uint64_t *generation, char **brokers)
{
    if (!self->discover)
        return hr_worker_new (self->endpoint, self->def->name);
    while (!atomic_load (&self->stop)) {
        hr_discover_get (self->discover, generation, brokers);
        if (*brokers && (*brokers)[0])
            return hr_worker_new (*brokers, self->def->name);
        zclock_sleep (RECV_POLL_MS);
    }
    return NULL;
}

static void *
worker_thread (void *arg)
{
    hr_service_t *self = (hr_service_t *) arg;
    uint64_t generation = 0;
    char *brokers = NULL;
    hr_worker_t *worker = worker_open (self, &generation, &brokers);
    if (!worker) {
        if (!atomic_load (&self->stop))
            hr_error ("service %s: cannot start a worker on %s", self->def->name,
                      brokers ? brokers : self->endpoint);
        free (brokers);
        return NULL;
    }
    scratch_t *sc = calloc (1, sizeof *sc);
    if (!sc) {
        hr_error ("service %s: out of memory starting a worker", self->def->name);
        hr_worker_destroy (&worker);
        free (brokers);
        return NULL;
    }
    hr_writer_init (&sc->reply);
    hr_worker_set_wake_fd (worker, self->stop_fd);
    int wait_ms = self->discover || self->stop_fd < 0 ? RECV_POLL_MS : -1;
    /*  A request already handed to us is served even when stop is set
        meanwhile: the check comes before each wait, never after it.       */
    while (!atomic_load (&self->stop)) {
        if (self->discover && hr_discover_get (self->discover, &generation, &brokers) == 1)
            hr_worker_set_brokers (worker, brokers);
        hr_work_t work;
        int rc = hr_worker_recv (worker, &work, wait_ms);
        if (rc == 1)
            serve_one (self, worker, &work, sc);
        else if (rc < 0)
            zclock_sleep (10);    /* a stray signal; do not spin */
    }
    scratch_free (sc);
    free (sc);
    free (brokers);
    hr_worker_destroy (&worker);    /* sends DISCONNECT */
    return NULL;
}

static void *
tick_thread (void *arg)
{
    hr_service_t *self = (hr_service_t *) arg;
    int tick_ms = self->def->tick_ms > 0 ? self->def->tick_ms : 1000;
    pthread_mutex_lock (&self->tick_lock);
    while (!atomic_load (&self->stop)) {
        struct timespec until;
        hr_clock_after (CLOCK_MONOTONIC, tick_ms, &until);
        int rc = 0;
        while (!atomic_load (&self->stop) && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait (&self->tick_wake, &self->tick_lock, &until);
        if (atomic_load (&self->stop))
            break;
        pthread_mutex_unlock (&self->tick_lock);
        self->def->tick (self->state);
        pthread_mutex_lock (&self->tick_lock);
    }
    pthread_mutex_unlock (&self->tick_lock);
    return NULL;
}

/* ----------------------------------------------------------- lifecycle */

hr_service_t *
hr_service_new (const hr_service_def_t *def, void *state, const char *broker_endpoint,
                int threads)
{
    assert (def && def->name && (def->handle || def->methods) && broker_endpoint);
    assert (threads > 0);
    /*  The worker threads open their first sockets at the same moment, and
        czmq's one-time setup is not thread-safe: do it here, once.         */
    zsys_init ();
    hr_service_t *self = (hr_service_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->def = def;
    self->state = state;
    self->stop_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (self->stop_fd < 0)
        hr_warn ("service %s: no eventfd (%s); idle workers poll for stop", def->name,
                 strerror (errno));
    self->endpoint = strdup (broker_endpoint);
    self->threads = (pthread_t *) calloc ((size_t) threads, sizeof (pthread_t));
    pthread_mutex_init (&self->metrics_lock, NULL);
    pthread_mutex_init (&self->tick_lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init (&attr);
    pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
    pthread_cond_init (&self->tick_wake, &attr);
    pthread_condattr_destroy (&attr);
    if (self->endpoint && hr_discover_dynamic (self->endpoint))
        self->discover = hr_discover_new (self->endpoint, HR_DISCOVER_PERIOD_MS);
    if (!self->endpoint || !self->threads
        || (hr_discover_dynamic (self->endpoint) && !self->discover)) {
        hr_service_destroy (&self);
        return NULL;
    }
    for (int i = 0; i < threads; i++) {
        if (pthread_create (&self->threads[i], NULL, worker_thread, self) != 0) {
            hr_error ("service %s: cannot start worker thread", def->name);
            hr_service_destroy (&self);
            return NULL;
        }
        self->nthreads++;
    }
    //  Names the replica on /metrics even before its first request, and
    //  says how many calls it can serve at once (`hybridrec capacity`)
    char labels[96];
    snprintf (labels, sizeof labels, "service=\"%s\"", def->name);
    hr_gauge_set (hr_gauge ("hr_service_worker_threads", "Worker threads of this replica", labels),
                  self->nthreads);
    if (def->tick) {
        if (pthread_create (&self->ticker, NULL, tick_thread, self) != 0) {
            hr_error ("service %s: cannot start tick thread", def->name);
            hr_service_destroy (&self);
            return NULL;
        }
        self->ticking = true;
    }
    return self;
}

void
hr_service_destroy (hr_service_t **self_p)
{
    assert (self_p);
    hr_service_t *self = *self_p;
    if (!self)
        return;
    atomic_store (&self->stop, true);
    if (self->stop_fd >= 0) {
        uint64_t one = 1;
        if (write (self->stop_fd, &one, sizeof one) != sizeof one)
            hr_warn ("service %s: stop eventfd: %s", self->def->name, strerror (errno));
    }
    pthread_mutex_lock (&self->tick_lock);
    pthread_cond_broadcast (&self->tick_wake);
    pthread_mutex_unlock (&self->tick_lock);
    for (int i = 0; i < self->nthreads; i++)
        pthread_join (self->threads[i], NULL);
    if (self->ticking)
        pthread_join (self->ticker, NULL);
    hr_discover_destroy (&self->discover);
    if (self->stop_fd >= 0)
        close (self->stop_fd);
    pthread_cond_destroy (&self->tick_wake);
    pthread_mutex_destroy (&self->tick_lock);
    pthread_mutex_destroy (&self->metrics_lock);
    free (self->threads);
    free (self->endpoint);
    free (self);
    *self_p = NULL;
}

/* ---------------------------------------------------------------- main */

typedef struct {
    const hr_service_def_t *def;
    void *state;
} readiness_t;

static int
readiness (void *arg)
{
    readiness_t *r = (readiness_t *) arg;
    return r->def->ready (r->state) ? 1 : 0;
}

static void
usage (FILE *out, const hr_service_def_t *def, hr_config_t *cfg)
{
    fprintf (out,
             "Usage: %s-svc [--help | --version]\n"
             "The %s strategy service: answers its methods through the broker\n"
             "(docs/protocol.md).  Configured by environment variables:\n\n",
             def->name, def->name);
    hr_config_print_help (cfg, out);
}

/*  The configuration from the environment and the command line; *exit_rc
    set (and NULL returned) when the process should stop: --help, --version,
    a bad argument or setting.  */
static hr_config_t *
s_configure (int argc, char **argv, const hr_service_def_t *def, int *exit_rc)
{
    const hr_config_var_t *tables[3] = { hr_config_common, def->config, NULL };
    hr_config_t *cfg = hr_config_new (def->name, tables);
    *exit_rc = 1;
    if (!cfg)
        return NULL;
    char program[64];
    snprintf (program, sizeof program, "%s-svc", def->name);
    if (hr_version_requested (argc, argv, program, stdout)) {
        hr_config_destroy (&cfg);
        *exit_rc = 0;
        return NULL;
    }
    for (int i = 1; i < argc; i++) {
        bool help = strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0;
        usage (help ? stdout : stderr, def, cfg);
        if (!help)
            fprintf (stderr, "\n%s: unknown argument '%s'\n", def->name, argv[i]);
        hr_config_destroy (&cfg);
        *exit_rc = help ? 0 : 2;
        return NULL;
    }
    char err[256];
    *exit_rc = 2;
    if (hr_config_load (cfg, err, sizeof err) != 0) {
        fprintf (stderr, "%s: configuration error: %s\n", def->name, err);
        hr_config_destroy (&cfg);
        return NULL;
    }
    if (hr_config_start_process (cfg, def->name) != 0) {
        hr_config_destroy (&cfg);
        return NULL;
    }
    return cfg;
}

/*  Serves until SIGTERM/SIGINT (blocked in `signals`).  0 / 1.            */
static int
s_serve (hr_config_t *cfg, const hr_service_def_t *def, void *state, sigset_t *signals)
{
    /*  Every gateway's broker when there are several (docs/scaling.md).  */
    const char *endpoint = hr_config_str (cfg, "HR_BROKER_ENDPOINTS");
    if (!endpoint[0])
        endpoint = hr_config_str (cfg, "HR_BROKER_ENDPOINT");
    int threads = (int) hr_config_int (cfg, "HR_WORKER_THREADS");
    int port = (int) hr_config_int (cfg, "HR_METRICS_PORT");
    readiness_t ready = { def, state };
    hr_metrics_server_t *metrics = NULL;
    hr_service_t *service = hr_service_new (def, state, endpoint, threads);
    if (service && port > 0) {
        metrics = hr_metrics_server_new (port, def->ready ? readiness : NULL, &ready);
        if (!metrics)
            hr_error ("%s: cannot listen for metrics on port %d", def->name, port);
    }
    int rc = 0;
    if (!service || (port > 0 && !metrics))
        rc = 1;
    else {
        char threads_text[16], port_text[16];
        snprintf (threads_text, sizeof threads_text, "%d", threads);
        snprintf (port_text, sizeof port_text, "%d", port);
        hr_log_kv (HR_LOG_INFO, NULL, "service started", "broker", endpoint, "threads",
                   threads_text, "metrics_port", port_text, NULL);
        int sig = 0;
        sigwait (signals, &sig);
        hr_info ("%s: signal %d, finishing in-flight work", def->name, sig);
    }
    hr_metrics_server_destroy (&metrics);
    hr_service_destroy (&service);
    return rc;
}

int
hr_service_main (int argc, char **argv, const hr_service_def_t *def)
{
    assert (def && def->name && (def->handle || def->methods) && def->init);
    /*  We handle SIGTERM/SIGINT ourselves (sigwait below); czmq must not
        install its handler, which would make sockets fail with EINTR.     */
    zsys_handler_set (NULL);
    hr_pid_install ();          /* before libzmq's threads ask for it */
    /*  czmq asserts when it initialises itself (zsys_init, on the first
        actor) after sockets exist; initialise it before anything opens one. */
    zsys_init ();
    int rc;
    hr_config_t *cfg = s_configure (argc, argv, def, &rc);
    if (!cfg)
        return rc;

    /*  Blocked in every thread (they inherit the mask), taken by sigwait. */
    sigset_t signals;
    sigemptyset (&signals);
    sigaddset (&signals, SIGTERM);
    sigaddset (&signals, SIGINT);
    pthread_sigmask (SIG_BLOCK, &signals, NULL);

    void *state = def->init (cfg);
    if (!state) {
        hr_error ("%s: initialisation failed", def->name);
        hr_config_destroy (&cfg);
        return 1;
    }
    rc = s_serve (cfg, def, state, &signals);
    if (def->fini)
        def->fini (state);
    hr_config_destroy (&cfg);
    if (rc == 0)
        hr_info ("%s: stopped", def->name);
    return rc;
}
