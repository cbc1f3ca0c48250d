/*  hr_load — HTTP load generator for the hybridrec gateway.

    Open loop (--rate R): requests are scheduled at fixed times start + i/R
    whatever happens to earlier ones; a request waiting for a free connection
    still counts from its scheduled time, so latency includes queueing (no
    coordinated omission).  Closed loop (--rate 0): every connection sends its
    next request as soon as the previous answer arrived (capacity).

    The mix (default): 60% GET /recommendations/home (half the users have
    history), 25% /recommendations/product/{id}, 10% /recommendations/search,
    5% POST /api/v1/interactions/interactions (clicks).  --mix ingest sends
    only POSTs instead (80% product_click, 20% search_query, users spread
    over --users ids): the interactions write path.  --target PATH sends
    only that GET instead (e.g. /bench/fixed?bytes=N for the ceiling).
    --only CLASS sends one class of the shop mix alone: home-history,
    home-new, product, search or post (bench/capacity.sh).  The line
    "measuring" on stdout marks the end of the set-up and the warm-up: a
    script snapshots counters when it appears.
    Product ids and queries come from the running gateway itself.

    Plain sockets + epoll + timerfd, one thread.  Build: see CMakeLists.txt.
    usage: hr_load [--host H] [--port P] [--rate R] [--duration S] [--warmup S]
                   [--connections C] [--users N] [--mix shop|ingest]
                   [--target PATH] [--only CLASS]                           */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE         /* memmem */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

enum { C_HOME_HIST, C_HOME_NEW, C_PRODUCT, C_SEARCH, C_POST, C_POST_SEARCH, C_TARGET, C_COUNT };
static const char *const class_names[C_COUNT] = {
    "home(history)", "home(new)", "product", "search", "post", "post(search)", "target",
};

typedef struct {
    int fd;
    bool busy;
    int cls;
    uint64_t t_sched;           /* ns: scheduled (open) or sent (closed) */
    char *in;
    size_t inlen, incap;
    char out[1024];
    size_t outlen, outoff;
} conn_t;

typedef struct {
    uint64_t *lat;              /* ns */
    size_t n, cap;
    uint64_t status[6];         /* 1xx..5xx, errors at [0] */
} stats_t;

static const char *host = "127.0.0.1";
static int port = 8080;
static double rate = 1000, duration = 30, warmup = 3;
static int nconn = 64, nusers = 2000;
static const char *target;
static bool ingest;             /* --mix ingest */
static int only = -1;           /* --only CLASS: one class of the shop mix */
static const char *const only_names[] = { "home-history", "home-new", "product", "search", "post" };
static char products[512][11];
static int nproducts;
static const char *const queries[] = {
    "phone", "earbuds", "shoes", "laptop bag", "watch", "t shirt", "mixer grinder", "headphones",
    "kurta", "water bottle", "backpack", "saree", "charger", "keyboard", "sunglasses", "qqxxzzvvkk",
};
static stats_t stats[C_COUNT];
static uint64_t t_measure_from;

static uint64_t
now_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t
rnd (void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int
dial (void)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
    inet_pton (AF_INET, host, &a.sin_addr);
    int on = 1;
    setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (connect (fd, (struct sockaddr *) &a, sizeof a) != 0) {
        perror ("connect");
        exit (1);
    }
    fcntl (fd, F_SETFL, O_NONBLOCK);
    return fd;
}

/*  A blocking GET for the setup phase; returns the malloc'd body.         */
static char *
fetch (const char *path)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
    inet_pton (AF_INET, host, &a.sin_addr);
    if (connect (fd, (struct sockaddr *) &a, sizeof a) != 0) {
        perror ("connect");
        exit (1);
    }
    char req[512];
    int n = snprintf (req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);
    if (write (fd, req, (size_t) n) != n)
        exit (1);
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc (cap);
    ssize_t r;
    while ((r = read (fd, buf + len, cap - len - 1)) > 0) {
        len += (size_t) r;
        if (len + 1 == cap)
            buf = realloc (buf, cap *= 2);
    }
    buf[len] = '\0';
    close (fd);
    return buf;
}

static void
collect_products (void)
{
    /*  Ids from trending/top categories of a few users and from searches.  */
    const char *paths[] = { "/recommendations/home?user_id=loadprobe1&response_limit=60",
                            "/recommendations/search?query=phone&response_limit=200",
                            "/recommendations/search?query=shoes&response_limit=200",
                            "/recommendations/search?query=watch&response_limit=200" };
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        char *body = fetch (paths[p]);
        for (char *s = body; (s = strstr (s, "\"id\":\"")) && nproducts < 512; s += 16) {
            bool dup = false;
            for (int i = 0; i < nproducts && !dup; i++)
                dup = !memcmp (products[i], s + 6, 10);
            if (!dup) {
                memcpy (products[nproducts], s + 6, 10);
                products[nproducts++][10] = '\0';
            }
        }
        free (body);
    }
    if (nproducts == 0) {
        fprintf (stderr, "hr_load: no product ids from the gateway\n");
        exit (1);
    }
}

static int
pick_class (void)
{
    if (target)
        return C_TARGET;
    if (only >= 0)
        return only;
    unsigned r = (unsigned) (rnd () % 100);
    if (ingest)
        return r < 80 ? C_POST : C_POST_SEARCH;
    if (r < 60)
        return r < 30 ? C_HOME_HIST : C_HOME_NEW;
    if (r < 85)
        return C_PRODUCT;
    return r < 95 ? C_SEARCH : C_POST;
}

static void
build_request (conn_t *c, int cls)
{
    char path[512], body[256] = "";
    unsigned user = (unsigned) (rnd () % (unsigned) nusers);
    const char *pid = nproducts ? products[rnd () % (uint64_t) nproducts] : "";
    switch (cls) {
    case C_HOME_HIST: snprintf (path, sizeof path, "/recommendations/home?user_id=loadh%u", user); break;
    case C_HOME_NEW: snprintf (path, sizeof path, "/recommendations/home?user_id=loadn%u", user); break;
    case C_PRODUCT: snprintf (path, sizeof path, "/recommendations/product/%s", pid); break;
    case C_SEARCH:
        snprintf (path, sizeof path, "/recommendations/search?query=%s&response_limit=20",
                  queries[rnd () % (sizeof queries / sizeof queries[0])]);
        for (char *p = path; *p; p++)
            if (*p == ' ')
                *p = '+';
        break;
    case C_POST:
        snprintf (path, sizeof path, "/api/v1/interactions/interactions");
        snprintf (body, sizeof body, "{\"user_id\":\"load%c%u\",\"event_type\":\"product_click\",\"product_id\":\"%s\"}",
                  ingest ? 'i' : 'h', user, pid);
        break;
    case C_POST_SEARCH:
        snprintf (path, sizeof path, "/api/v1/interactions/interactions");
        snprintf (body, sizeof body, "{\"user_id\":\"loadi%u\",\"event_type\":\"search_query\",\"query\":\"%s\"}",
                  user, queries[rnd () % (sizeof queries / sizeof queries[0])]);
        break;
    default: snprintf (path, sizeof path, "%s", target); break;
    }
    if (cls == C_POST || cls == C_POST_SEARCH)
        c->outlen = (size_t) snprintf (c->out, sizeof c->out,
            "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
            path, strlen (body), body);
    else
        c->outlen = (size_t) snprintf (c->out, sizeof c->out, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
    c->outoff = 0;
    c->cls = cls;
}

static void
record (int cls, uint64_t lat, int status)
{
    if (now_ns () < t_measure_from)
        return;
    stats_t *s = &stats[cls];
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4096;
        s->lat = realloc (s->lat, s->cap * sizeof *s->lat);
    }
    s->lat[s->n++] = lat;
    s->status[status >= 100 && status < 600 ? status / 100 : 0]++;
}

static void
send_some (conn_t *c)
{
    while (c->outoff < c->outlen) {
        ssize_t w = send (c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
        if (w <= 0)
            return;             /* EAGAIN: EPOLLOUT is not used; requests are small */
        c->outoff += (size_t) w;
    }
}

static void
start (conn_t *c, int cls, uint64_t t_sched)
{
    build_request (c, cls);
    c->busy = true;
    c->t_sched = t_sched;
    c->inlen = 0;
    send_some (c);
}

/*  1 when a whole response is in, with its status; 0 when more is needed.  */
static int
complete (conn_t *c, int *status)
{
    char *end = c->in ? memmem (c->in, c->inlen, "\r\n\r\n", 4) : NULL;
    if (!end)
        return 0;
    size_t hlen = (size_t) (end - c->in) + 4;
    const char *cl = memmem (c->in, hlen, "content-length:", 15);
    if (!cl)
        cl = memmem (c->in, hlen, "Content-Length:", 15);
    size_t blen = cl ? strtoul (cl + 15, NULL, 10) : 0;
    if (c->inlen < hlen + blen)
        return 0;
    *status = atoi (c->in + 9);
    return 1;
}

static int
cmp_u64 (const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

static double
pct (stats_t *s, double q)
{
    if (!s->n)
        return 0;
    size_t i = (size_t) (q * (double) (s->n - 1) + 0.5);
    return (double) s->lat[i] / 1e6;
}

static void
report (double seconds)
{
    stats_t all = { 0 };
    printf ("%-14s %8s %9s %8s %8s %8s %8s %8s  %s\n", "class", "count", "req/s", "p50ms", "p90ms",
            "p99ms", "p99.9ms", "maxms", "status 2xx/3xx/4xx/5xx/err");
    for (int k = 0; k <= C_COUNT; k++) {
        stats_t *s = k < C_COUNT ? &stats[k] : &all;
        if (k < C_COUNT) {
            for (size_t i = 0; i < s->n; i++) {
                if (all.n == all.cap) {
                    all.cap = all.cap ? all.cap * 2 : 4096;
                    all.lat = realloc (all.lat, all.cap * sizeof *all.lat);
                }
                all.lat[all.n++] = s->lat[i];
            }
            for (int j = 0; j < 6; j++)
                all.status[j] += s->status[j];
        }
        if (!s->n)
            continue;
        qsort (s->lat, s->n, sizeof *s->lat, cmp_u64);
        printf ("%-14s %8zu %9.1f %8.2f %8.2f %8.2f %8.2f %8.2f  %llu/%llu/%llu/%llu/%llu\n",
                k < C_COUNT ? class_names[k] : "ALL", s->n, (double) s->n / seconds, pct (s, 0.5),
                pct (s, 0.9), pct (s, 0.99), pct (s, 0.999), (double) s->lat[s->n - 1] / 1e6,
                (unsigned long long) s->status[2], (unsigned long long) s->status[3],
                (unsigned long long) s->status[4], (unsigned long long) s->status[5],
                (unsigned long long) s->status[0]);
    }
    free (all.lat);
}

static void
seed_histories (void)
{
    /*  Half the users ("loadh*") get a click so /home has something to merge. */
    int n = nusers < 500 ? nusers : 500;
    for (int u = 0; u < n; u++) {
        int fd = dial ();
        fcntl (fd, F_SETFL, 0);
        char body[256], req[512];
        int bl = snprintf (body, sizeof body, "{\"user_id\":\"loadh%d\",\"event_type\":\"product_click\",\"product_id\":\"%s\"}",
                           u, products[u % nproducts]);
        int rl = snprintf (req, sizeof req, "POST /api/v1/interactions/interactions HTTP/1.1\r\nHost: x\r\n"
                           "Connection: close\r\nContent-Length: %d\r\n\r\n%s", bl, body);
        if (write (fd, req, (size_t) rl) == rl) {
            char buf[1024];
            while (read (fd, buf, sizeof buf) > 0)
                ;
        }
        close (fd);
    }
}

int
main (int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp (a, "--host") && v) host = argv[++i];
        else if (!strcmp (a, "--port") && v) port = atoi (argv[++i]);
        else if (!strcmp (a, "--rate") && v) rate = atof (argv[++i]);
        else if (!strcmp (a, "--duration") && v) duration = atof (argv[++i]);
        else if (!strcmp (a, "--warmup") && v) warmup = atof (argv[++i]);
        else if (!strcmp (a, "--connections") && v) nconn = atoi (argv[++i]);
        else if (!strcmp (a, "--users") && v) nusers = atoi (argv[++i]);
        else if (!strcmp (a, "--target") && v) target = argv[++i];
        else if (!strcmp (a, "--mix") && v && (!strcmp (v, "shop") || !strcmp (v, "ingest")))
            ingest = !strcmp (argv[++i], "ingest");
        else if (!strcmp (a, "--only") && v) {
            for (int k = 0; k < (int) (sizeof only_names / sizeof *only_names); k++)
                if (!strcmp (v, only_names[k]))
                    only = k;
            if (only < 0) {
                fprintf (stderr, "hr_load: --only home-history|home-new|product|search|post\n");
                return 2;
            }
            i++;
        }
        else {
            fprintf (stderr, "usage: hr_load [--host H] [--port P] [--rate R (0 = closed loop)] [--duration S]\n"
                             "               [--warmup S] [--connections C] [--users N] [--mix shop|ingest]\n"
                             "               [--target PATH] [--only home-history|home-new|product|search|post]\n");
            return 2;
        }
    }
    if (!target) {
        collect_products ();
        if (!ingest)
            seed_histories ();
    }
    int ep = epoll_create1 (0), tfd = timerfd_create (CLOCK_MONOTONIC, TFD_NONBLOCK);
    conn_t *conns = calloc ((size_t) nconn, sizeof *conns);
    for (int i = 0; i < nconn; i++) {
        conns[i].fd = dial ();
        conns[i].incap = 1 << 16;
        conns[i].in = malloc (conns[i].incap);
        struct epoll_event e = { .events = EPOLLIN, .data.u32 = (uint32_t) i };
        epoll_ctl (ep, EPOLL_CTL_ADD, conns[i].fd, &e);
    }
    struct epoll_event te = { .events = EPOLLIN, .data.u32 = UINT32_MAX };
    epoll_ctl (ep, EPOLL_CTL_ADD, tfd, &te);

    bool open_loop = rate > 0;
    uint64_t t0 = now_ns (), interval = open_loop ? (uint64_t) (1e9 / rate) : 0;
    uint64_t t_end = t0 + (uint64_t) ((warmup + duration) * 1e9);
    t_measure_from = t0 + (uint64_t) (warmup * 1e9);
    uint64_t next = t0, backlog_head = 0, backlog_tail = 0;    /* scheduled, not yet sent */
    size_t backlog_cap = 1 << 20;
    uint64_t *backlog = malloc (backlog_cap * sizeof *backlog);
    int *idle = malloc ((size_t) nconn * sizeof *idle), nidle = 0;
    for (int i = 0; i < nconn; i++) {
        if (open_loop)
            idle[nidle++] = i;
        else
            start (&conns[i], pick_class (), now_ns ());
    }
    if (open_loop) {
        struct itimerspec its = { .it_value = { (time_t) (next / 1000000000ull), (long) (next % 1000000000ull) } };
        timerfd_settime (tfd, TFD_TIMER_ABSTIME, &its, NULL);
    }
    struct epoll_event events[256];
    bool announced = false;
    for (;;) {
        uint64_t now = now_ns ();
        if (now >= t_end)
            break;
        if (!announced && now >= t_measure_from) {
            printf ("measuring\n");
            fflush (stdout);
            announced = true;
        }
        int n = epoll_wait (ep, events, 256, 100);
        now = now_ns ();
        for (int e = 0; e < n; e++) {
            uint32_t id = events[e].data.u32;
            if (id == UINT32_MAX) {
                uint64_t ticks;
                if (read (tfd, &ticks, sizeof ticks) < 0) { /* nothing */ }
                while (next <= now && next < t_end) {
                    if (backlog_tail - backlog_head < backlog_cap)
                        backlog[backlog_tail++ % backlog_cap] = next;
                    next += interval;
                }
                struct itimerspec its = { .it_value = { (time_t) (next / 1000000000ull), (long) (next % 1000000000ull) } };
                timerfd_settime (tfd, TFD_TIMER_ABSTIME, &its, NULL);
                continue;
            }
            conn_t *c = &conns[id];
            for (;;) {
                if (c->incap - c->inlen < 65536) {
                    c->incap *= 2;
                    c->in = realloc (c->in, c->incap);
                }
                ssize_t r = recv (c->fd, c->in + c->inlen, c->incap - c->inlen, 0);
                if (r > 0) {
                    c->inlen += (size_t) r;
                    continue;
                }
                if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                    /*  the server closed: count an error, reconnect  */
                    bool was_busy = c->busy;    /* an idle one is already in idle[] */
                    if (was_busy)
                        record (c->cls, now - c->t_sched, 0);
                    epoll_ctl (ep, EPOLL_CTL_DEL, c->fd, NULL);
                    close (c->fd);
                    c->fd = dial ();
                    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = id };
                    epoll_ctl (ep, EPOLL_CTL_ADD, c->fd, &ev);
                    c->busy = false;
                    c->inlen = 0;
                    if (open_loop) {
                        if (was_busy)
                            idle[nidle++] = (int) id;
                    }
                    else
                        start (c, pick_class (), now_ns ());
                }
                break;
            }
            int status;
            if (c->busy && complete (c, &status)) {
                record (c->cls, now - c->t_sched, status);
                c->busy = false;
                c->inlen = 0;
                if (open_loop)
                    idle[nidle++] = (int) id;
                else
                    start (c, pick_class (), now_ns ());
            }
        }
        while (open_loop && nidle > 0 && backlog_head < backlog_tail)
            start (&conns[idle[--nidle]], pick_class (), backlog[backlog_head++ % backlog_cap]);
    }
    /*  Requests still queued or in flight at the end count as late as they are. */
    uint64_t end = now_ns ();
    for (; backlog_head < backlog_tail; backlog_head++)
        if (backlog[backlog_head % backlog_cap] >= t_measure_from)
            record (pick_class (), end - backlog[backlog_head % backlog_cap], 0);
    printf ("%s loop, %s%.0f req/s offered, %d connections, %.0f s (+%.0f s warm-up)%s%s\n",
            open_loop ? "open" : "closed", open_loop ? "" : "(closed) ", rate, nconn, duration, warmup,
            target ? ", target " : ingest ? ", mix ingest" : only >= 0 ? ", only " : ", mix shop",
            target ? target : only >= 0 ? only_names[only] : "");
    report (duration);
    return 0;
}
