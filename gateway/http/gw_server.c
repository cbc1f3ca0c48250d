/*  gw_server — threads, listeners, h2o configuration.                      */
#include "gw_server.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "gw_merge.h"
#include "gw_cache.h"
#include "gw_versions.h"
#include "gw_warm.h"
#include "gw_diverse.h"
#include "gw_sections.h"
#include "gw_admin.h"     /* dashboard */
#include "gw_accesslog.h"
#include "gw_app.h"
#include "gw_auth.h"
#include "gw_catalog_api.h"
#include "gw_ratelimit.h"
#include "gw_respond.h"
#include "gw_router.h"
#include "gw_jobs.h"
#include "gw_linger.h"
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_log.h"
#include "hr_metrics.h"

#define BENCH_BODY_MAX (1024 * 1024)
#define SHUTDOWN_GRACE_MS 1000

typedef struct {
    gw_thread_t thread;         /* first: h2o_context_t ctx is its first member */
    gw_server_t *server;
    int listen_fd;
    h2o_socket_t *listener;
    h2o_accept_ctx_t accept_ctx;
    gw_linger_t *linger;        /* lingering close of this loop's connections */
    pthread_t tid;
    bool started;
    int start_rc;               /* 0 ok, -1 failed (set before `ready`) */
} loop_thread_t;

struct gw_server {
    gw_app_t app;
    h2o_globalconf_t globalconf;
    hr_broker_t *broker;
    struct gw_warm *warm;       /* /product answers computed ahead (gw_warm.h) */
    char broker_endpoint[256];  /* for services (TCP) */
    char client_endpoint[256];  /* for our loops: inproc when embedded */
    int port;
    int nthreads;
    loop_thread_t *threads;
    atomic_bool stopping;
    atomic_int connections;     /* open client connections (HR_GATEWAY_MAX_CONNECTIONS) */
    hr_counter_t *refused;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int started;
};

static int
listen_socket (int port)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    int on = 1;
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port),
                                .sin_addr.s_addr = htonl (INADDR_ANY) };
    if (setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0
        || setsockopt (fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0
        || setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0
        || bind (fd, (struct sockaddr *) &addr, sizeof addr) != 0
        || listen (fd, SOMAXCONN) != 0) {
        int e = errno;
        close (fd);
        errno = e;
        return -1;
    }
    return fd;
}

/*  SO_REUSEPORT lets every loop have its own listener on one port, but it
    also lets a second gateway (of the same user) join a port a stale one
    still serves, and the two then split the traffic silently.  A socket
    bound WITHOUT SO_REUSEPORT (SO_REUSEADDR only, so connections lingering
    in TIME-WAIT do not count) fails with EADDRINUSE exactly when somebody
    listens there: probe with one before binding the real listeners.  The
    window between the probe and the bind is a few microseconds.          */
static int
port_is_free (int port)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int on = 1;
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port),
                                .sin_addr.s_addr = htonl (INADDR_ANY) };
    int rc = setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0
           && bind (fd, (struct sockaddr *) &addr, sizeof addr) == 0 ? 0 : -1;
    int e = errno;
    close (fd);
    errno = e;
    return rc;
}

static int
bound_port (int fd)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    if (getsockname (fd, (struct sockaddr *) &addr, &len) != 0)
        return -1;
    return ntohs (addr.sin_port);
}

int
gw_server_connections (gw_server_t *self)
{
    return atomic_load (&self->connections);
}

static void
on_connection_closed (void *data)
{
    gw_server_t *s = data;
    atomic_fetch_sub (&s->connections, 1);
}

/*  Over HR_GATEWAY_MAX_CONNECTIONS: a best-effort 503 (the socket is fresh,
    the few bytes fit its buffer) and close, so the client learns why instead
    of hanging in the backlog.  */
static void
refuse (gw_server_t *s, h2o_socket_t *sock)
{
    static const char answer[] =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        "Connection: close\r\nRetry-After: 1\r\nContent-Length: 68\r\n\r\n"
        "{\"error\":\"too_many_connections\",\"detail\":\"connection limit reached\"}";
    _Static_assert (sizeof "{\"error\":\"too_many_connections\",\"detail\":\"connection limit reached\"}" - 1 == 68,
                    "Content-Length");
    hr_counter_inc (s->refused);
    h2o_socket_export_t info;
    if (h2o_socket_export (sock, &info) != 0)
        return;
    if (write (info.fd, answer, sizeof answer - 1) < 0) {
        /* the client is gone already: nothing to tell it */
    }
    h2o_socket_dispose_export (&info);
}

static void
on_accept (h2o_socket_t *listener, const char *err)
{
    if (err)
        return;
    loop_thread_t *lt = listener->data;
    gw_server_t *s = lt->server;
    h2o_socket_t *sock;
    /*  Take every pending connection: the listener is level-triggered, but
        one wake-up per connection is wasted work under a burst.           */
    for (int i = 0; i < 64 && (sock = h2o_evloop_socket_accept (listener)) != NULL; i++) {
        if (atomic_fetch_add (&s->connections, 1) >= s->app.settings.max_connections) {
            atomic_fetch_sub (&s->connections, 1);
            refuse (s, sock);
            continue;
        }
        if (gw_linger_watch (lt->linger, sock, on_connection_closed, s) != 0) {
            sock->on_close.cb = on_connection_closed;      /* closes abruptly */
            sock->on_close.data = s;
        }
        h2o_accept (&lt->accept_ctx, sock);
    }
}

static void
signal_started (gw_server_t *s)
{
    pthread_mutex_lock (&s->mutex);
    s->started++;
    pthread_cond_broadcast (&s->cond);
    pthread_mutex_unlock (&s->mutex);
}

/*  What loop_main creates per event loop besides the h2o context.  */
static void
s_loop_parts_destroy (loop_thread_t *lt)
{
    gw_thread_t *t = &lt->thread;
    gw_linger_destroy (&lt->linger);
    gw_jobs_loop_destroy (&t->jobs);
    gw_loop_destroy (&t->loop);
    gw_accesslog_destroy (&t->accesslog);
    gw_ratelimit_destroy (&t->ratelimit);
    gw_sections_destroy (&t->sections);
    gw_diverse_destroy (&t->diverse);
    free (t->search_fallback.body);
    t->search_fallback.body = NULL;
}

static void *
loop_main (void *arg)
{
    loop_thread_t *lt = arg;
    gw_server_t *s = lt->server;
    gw_thread_t *t = &lt->thread;
    h2o_evloop_t *loop = h2o_evloop_create ();
    h2o_context_init (&t->ctx, loop, &s->globalconf);
    t->app = &s->app;
    hr_writer_init (&t->writer);
    t->rng = ((uint64_t) time (NULL) << 20) ^ ((uint64_t) t->index * 0x9E3779B97F4A7C15ull) ^ (uint64_t) (uintptr_t) lt;
    if (!t->rng)
        t->rng = 1;
    t->loop = gw_loop_new (&t->ctx, s->client_endpoint, &s->app.settings, t->index);
    t->jobs = gw_jobs_loop_new (&t->ctx);
    t->diverse = gw_diverse_new ();    /* NULL: every /home asks trending */
    t->sections = gw_sections_new ();  /* NULL: every /home renders its sections */
    lt->linger = gw_linger_new (loop);
    const gw_settings_t *set = &s->app.settings;
    if (set->access_log)
        t->accesslog = gw_accesslog_new (loop, STDERR_FILENO, "gateway",
                                         (gw_accesslog_mode_t) set->access_log_personal);
    if (set->rate_limit_rps > 0) {
        /*  Each loop enforces its share, so a client stays under the limit
            however its connections are spread over the loops.  */
        double burst = set->rate_limit_burst > 0 ? set->rate_limit_burst : 2 * set->rate_limit_rps;
        burst /= s->nthreads;
        t->ratelimit = gw_ratelimit_new (set->rate_limit_rps / s->nthreads, burst < 1 ? 1 : burst,
                                         (size_t) set->rate_limit_clients);
    }
    if (!t->loop || !lt->linger || (set->access_log && !t->accesslog)
    ||  (set->rate_limit_rps > 0 && !t->ratelimit)) {
        s_loop_parts_destroy (lt);
        lt->start_rc = -1;
        close (lt->listen_fd);
        signal_started (s);
        h2o_context_dispose (&t->ctx);
        h2o_evloop_destroy (loop);
        hr_writer_free (&t->writer);
        return NULL;
    }
    lt->accept_ctx.ctx = &t->ctx;
    lt->accept_ctx.hosts = s->globalconf.hosts;
    lt->listener = h2o_evloop_socket_create (loop, lt->listen_fd, H2O_SOCKET_FLAG_DONT_READ);
    lt->listener->data = lt;
    h2o_socket_read_start (lt->listener, on_accept);
    signal_started (s);

    while (!atomic_load (&s->stopping)) {
        h2o_evloop_run (loop, 100);     /* -1 on a signal: not fatal */
        gw_loop_after_iteration (t->loop);
    }
    /*  Stop accepting; let answers in flight go out; close idle keep-alives. */
    h2o_socket_read_stop (lt->listener);
    h2o_socket_close (lt->listener);
    /*  Not h2o_context_request_shutdown: in 2.2.5 it links an HTTP/2 timer
        that h2o_context_dispose then asserts on.  HTTP/1 connections close
        after their current response once this is set.  */
    t->ctx.shutdown_requested = 1;
    int64_t until = hr_now_ms () + SHUTDOWN_GRACE_MS;
    while (hr_now_ms () < until && gw_fanout_inflight () > 0) {
        h2o_evloop_run (loop, 10);
        gw_loop_after_iteration (t->loop);
    }
    for (int i = 0; i < 20; i++)
        h2o_evloop_run (loop, 5);
    s_loop_parts_destroy (lt);
    h2o_context_dispose (&t->ctx);
    h2o_evloop_run (loop, 0);           /* evloop frees closed sockets lazily */
    h2o_evloop_destroy (loop);
    hr_writer_free (&t->writer);
    free (t->ready_body.base);
    return NULL;
}

static void
parse_cors (gw_app_t *app)
{
    const char *list = app->settings.cors_origins, *p;
    size_t len;
    while (app->cors_count < GW_CORS_MAX_ORIGINS && hr_config_list_next (&list, &p, &len)) {
        if (len == 1 && *p == '*')
            app->cors_any = true;
        else
            app->cors_origins[app->cors_count++] = h2o_iovec_init (p, len);
    }
}

static char *
bench_body (void)
{
    /*  A JSON array of realistic-looking items, cut to the asked size.    */
    char *body = malloc (BENCH_BODY_MAX);
    if (!body)
        return NULL;
    static const char item[] =
        "{\"id\":\"B08CF3D7QR\",\"name\":\"Wireless Headphones with a long descriptive name\","
        "\"category\":\"Electronics > Audio\",\"image\":\"https://m.media-amazon.com/images/I/51ETdNss3VL._AC_UL320_.jpg\","
        "\"price\":59.99,\"original_price\":99.99,\"rating\":4.5,\"reviews\":1500,\"discount_ratio\":0.4001},";
    size_t at = 0;
    body[at++] = '[';
    while (at + sizeof item < BENCH_BODY_MAX) {
        memcpy (body + at, item, sizeof item - 1);
        at += sizeof item - 1;
    }
    memset (body + at, ' ', BENCH_BODY_MAX - at);
    return body;
}

static void
stop_threads (gw_server_t *s)
{
    atomic_store (&s->stopping, true);
    for (int i = 0; i < s->nthreads; i++)
        if (s->threads[i].started)
            pthread_join (s->threads[i].tid, NULL);
}

/*  The embedded broker (when configured) and the endpoints: where services
    connect, and where our own loops connect.  0 / -1 (logged).            */
static int
s_start_broker (gw_server_t *s, const gw_settings_t *settings)
{
    if (settings->embed_broker) {
        s->broker = hr_broker_new (settings->broker_bind);
        if (!s->broker) {
            hr_error ("gateway: the embedded broker cannot bind %s", settings->broker_bind);
            return -1;
        }
        /*  Connect where it bound; a wildcard host is not connectable.  */
        const char *bound = hr_broker_endpoint (s->broker);
        const char *star = strstr (bound, "://*:");
        if (star)
            snprintf (s->broker_endpoint, sizeof s->broker_endpoint, "%.*s://127.0.0.1:%s",
                      (int) (star - bound), bound, star + 5);
        else
            snprintf (s->broker_endpoint, sizeof s->broker_endpoint, "%s", bound);
    }
    else
        snprintf (s->broker_endpoint, sizeof s->broker_endpoint, "%s", settings->broker_endpoint);
    snprintf (s->client_endpoint, sizeof s->client_endpoint, "%s", s->broker_endpoint);
    if (s->broker && settings->broker_inproc) {
        /*  Our own loops skip loopback TCP: on inproc a request is a pipe
            write, not two trips through the ZeroMQ I/O thread.  The name
            is unique per server so that several can share a process.    */
        char inproc[64];
        snprintf (inproc, sizeof inproc, "inproc://hr-gateway-broker-%p", (void *) s);
        if (hr_broker_bind_also (s->broker, inproc) == 0)
            snprintf (s->client_endpoint, sizeof s->client_endpoint, "%s", inproc);
        else
            hr_warn ("gateway: the embedded broker cannot bind %s; loops use %s", inproc,
                     s->broker_endpoint);
    }
    return 0;
}

static void
s_configure_h2o (gw_server_t *s, const gw_settings_t *settings)
{
    h2o_config_init (&s->globalconf);
    /*  Bodies over HR_GATEWAY_MAX_BODY get a JSON 413 from the handler; h2o
        buffers a whole body before any handler runs, so its own limit is
        the largest body an endpoint takes (a catalog batch): one request
        buffers at most that, a client at most that per connection
        (HR_GATEWAY_MAX_CONNECTIONS bounds the sum).  Larger bodies get
        h2o's 413 at the headers, before the body is read, and the
        lingering close (gw_linger.h) lets the client read it.             */
    s->globalconf.max_request_entity_size = (size_t) settings->max_body * GW_CATALOG_BODY_FACTOR;
    /*  No h2c upgrade: HTTP/2 over cleartext would bring h2o's HTTP/2
        buffering (per-stream windows, many streams per connection) that
        nothing here bounds; HTTP/1.1 answers such requests.               */
    s->globalconf.http1.upgrade_to_http2 = 0;
    /*  h2o 2.2.5 HTTP/1 has one request timer: armed when a connection is
        ready for its next request and NOT re-armed by partial reads, so it
        bounds both an idle keep-alive and a client trickling its request
        (slowloris); either way the connection is closed when it fires.   */
    s->globalconf.http1.req_timeout = (uint64_t) settings->req_timeout_ms;
    h2o_hostconf_t *host = h2o_config_register_host (&s->globalconf, h2o_iovec_init (H2O_STRLIT ("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path (host, "/", 0);
    h2o_handler_t *handler = h2o_create_handler (path, sizeof *handler);
    handler->on_req = gw_router_on_req;
    /*  gzip for clients that send Accept-Encoding: gzip (200 answers of at
        least 1 KiB; a default /search answer shrinks ~8x).  h2o's filter
        streams it (chunked); quality 1: the CPU cost stays small.         */
    h2o_compress_args_t compress = { .min_size = 1024, .gzip = { .quality = 1 }, .brotli = { .quality = -1 } };
    h2o_compress_register (path, &compress);
}

/*  One SO_REUSEPORT listener per loop (port 0: the first picks, the others
    join it).  0 / -1 (logged).                                            */
static int
s_listen (gw_server_t *s)
{
    for (int i = 0; i < s->nthreads; i++)
        s->threads[i].listen_fd = -1;
    if (s->port != 0 && port_is_free (s->port) != 0) {
        hr_error ("gateway: port %d is already in use (another gateway still running?): %s",
                  s->port, strerror (errno));
        return -1;
    }
    for (int i = 0; i < s->nthreads; i++) {
        int fd = listen_socket (s->port);
        if (fd < 0) {
            hr_error ("gateway: cannot listen on port %d: %s", s->port, strerror (errno));
            return -1;
        }
        s->threads[i].listen_fd = fd;
        if (s->port == 0)
            s->port = bound_port (fd);     /* the others join the same port */
    }
    return 0;
}

/*  Starts the loop threads and waits until each is serving.  0 / -1.      */
static int
s_start_loops (gw_server_t *s)
{
    for (int i = 0; i < s->nthreads; i++) {
        loop_thread_t *lt = &s->threads[i];
        lt->server = s;
        lt->thread.index = (unsigned) i;
        if (pthread_create (&lt->tid, NULL, loop_main, lt) != 0) {
            hr_error ("gateway: cannot start loop thread %d", i);
            return -1;
        }
        lt->started = true;
    }
    pthread_mutex_lock (&s->mutex);
    while (s->started < s->nthreads)
        pthread_cond_wait (&s->cond, &s->mutex);
    pthread_mutex_unlock (&s->mutex);
    for (int i = 0; i < s->nthreads; i++)
        if (s->threads[i].start_rc != 0)
            return -1;
    return 0;
}

static void
s_log_listening (gw_server_t *s, const gw_settings_t *settings)
{
    char port[16], threads[16];
    snprintf (port, sizeof port, "%d", s->port);
    snprintf (threads, sizeof threads, "%d", s->nthreads);
    char nkeys[16], rps[32];
    snprintf (nkeys, sizeof nkeys, "%d", gw_auth_count (s->app.auth));     /* never the keys */
    snprintf (rps, sizeof rps, "%g", settings->rate_limit_rps);
    hr_log_kv (HR_LOG_INFO, NULL, "gateway listening", "port", port, "threads", threads,
               "broker", s->broker_endpoint, "loops_connect", s->client_endpoint,
               "embedded_broker", s->broker ? "true" : "false",
               "api_keys", nkeys, "rate_limit_rps", rps, NULL);
}

/*  What every handler reads (gw_app_t), before any thread starts.  */
static void
s_init_app (gw_server_t *s, const gw_settings_t *settings, gw_catalog_holder_t *catalog)
{
    s->app.settings = *settings;
    s->app.catalog = catalog;
    s->app.id_prefix = (uint32_t) ((uint64_t) time (NULL) * 2654435761u ^ (uint32_t) getpid ());
    parse_cors (&s->app);
    pthread_mutex_init (&s->mutex, NULL);
    pthread_cond_init (&s->cond, NULL);
    if (settings->bench) {
        s->app.bench_body.base = bench_body ();
        s->app.bench_body.len = s->app.bench_body.base ? BENCH_BODY_MAX : 0;
    }
    gw_respond_metrics_init ();
    s->refused = hr_counter ("hr_gateway_connections_refused_total",
                             "Connections closed at once because HR_GATEWAY_MAX_CONNECTIONS were open", NULL);
}

static void
s_free (gw_server_t *s)
{
    gw_warm_destroy (&s->warm);         /* before the broker, cache, versions, catalog it uses */
    gw_admin_destroy (&s->app.admin);     /* dashboard */
    gw_auth_destroy (&s->app.auth);
    gw_jobs_destroy (&s->app.jobs);
    gw_merge_destroy (&s->app.merge);
    gw_versions_destroy (&s->app.versions);
    gw_cache_destroy (&s->app.product_cache);
    gw_cache_destroy (&s->app.search_cache);
    gw_cache_destroy (&s->app.home_cache);
    hr_broker_destroy (&s->broker);
    gw_catalog_holder_destroy (&s->app.catalog);
    free (s->app.bench_body.base);
    pthread_mutex_destroy (&s->mutex);
    pthread_cond_destroy (&s->cond);
    free (s);
}

gw_server_t *
gw_server_new (const gw_settings_t *settings, gw_catalog_holder_t *catalog)
{
    if (settings->access_log_personal < 0) {
        hr_error ("gateway: HR_GATEWAY_ACCESS_LOG_PERSONAL must be redact, hash or full");
        gw_catalog_holder_destroy (&catalog);
        return NULL;
    }
    gw_server_t *s = calloc (1, sizeof *s);
    if (!s) {
        gw_catalog_holder_destroy (&catalog);
        return NULL;
    }
    s_init_app (s, settings, catalog);
    s->app.auth = gw_auth_new (settings->api_keys);
    if (!s->app.auth) {
        s_free (s);
        return NULL;
    }
    /*  Catalog writes and erasure run here (never on a loop); without a
        database the catalog API answers 503.  */
    if (settings->database_url && settings->database_url[0])
        s->app.jobs = gw_jobs_new (settings->database_url, settings->redis_url, 10000);
    if (settings->database_url && settings->database_url[0]
        && settings->weights.mode == GW_MERGE_LEARNED)
        s->app.merge = gw_merge_new (settings->database_url, settings->redis_url,
                                     settings->catalog_poll_ms);
    /*  Answers that only change with a version (gw_cache.h): /product's
        similar ids (small) get an eighth of the budget, /search's bytes
        the rest.  */
    s->app.versions = gw_versions_new (catalog, settings->database_url, settings->redis_url,
                                       settings->versions_poll_ms, settings->cache_settle_ms);
    size_t budget = (size_t) settings->cache_mb << 20;
    s->app.product_cache = gw_cache_new ("product", budget / 8, settings->cache_ttl_ms);
    s->app.search_cache = gw_cache_new ("search", budget - budget / 8, settings->cache_ttl_ms);
    if (settings->home_cache_mb > 0)        /* /home's for_user answers (gw_home_cache.h) */
        s->app.home_cache = gw_cache_new ("home", (size_t) settings->home_cache_mb << 20, settings->cache_ttl_ms);
    s->app.admin = gw_admin_new (settings->database_url);     /* dashboard */
    if (!s->app.admin || s_start_broker (s, settings) != 0) {
        s_free (s);
        return NULL;
    }
    if (settings->cache_mb > 0 && settings->product_warm_batch > 0)
        s->warm = gw_warm_new (&s->app, s->client_endpoint, settings->product_warm_batch,
                               settings->product_warm_ms, settings->deadline_ms > 1000 ? settings->deadline_ms : 1000);
    s_configure_h2o (s, settings);
    s->nthreads = settings->threads > 0 ? settings->threads : 1;
    s->threads = calloc ((size_t) s->nthreads, sizeof *s->threads);
    s->port = settings->port;
    if (!s->threads || s_listen (s) != 0 || s_start_loops (s) != 0) {
        if (s->threads) {
            stop_threads (s);
            for (int i = 0; i < s->nthreads; i++)
                if (!s->threads[i].started && s->threads[i].listen_fd >= 0)
                    close (s->threads[i].listen_fd);
        }
        free (s->threads);
        h2o_config_dispose (&s->globalconf);
        s_free (s);
        return NULL;
    }
    s_log_listening (s, settings);
    return s;
}

void
gw_server_destroy (gw_server_t **self_p)
{
    gw_server_t *s = *self_p;
    if (!s)
        return;
    stop_threads (s);
    free (s->threads);
    h2o_config_dispose (&s->globalconf);
    s_free (s);
    *self_p = NULL;
}

void
gw_server_use_merge (gw_server_t *self, struct gw_merge *merge)
{
    gw_merge_destroy (&self->app.merge);
    self->app.merge = merge;
}

int
gw_server_port (gw_server_t *self)
{
    return self->port;
}

const char *
gw_server_broker_endpoint (gw_server_t *self)
{
    return self->broker_endpoint;
}

/*  libh2o-evloop 2.2.5 leaks per event-loop thread at exit: the context's
    multithread queue (h2o_multithread_destroy_queue never frees it in the
    evloop build) and its thread-local socket-buffer recycle bin.  Neither is
    reachable from our code; LeakSanitizer (the Sanitize build) is told so
    here rather than in every test's environment.  No effect otherwise.    */
const char *__lsan_default_suppressions (void);
const char *
__lsan_default_suppressions (void)
{
    return "leak:libh2o-evloop.so\n";
}
