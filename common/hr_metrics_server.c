/*  hr_metrics_server — GET /metrics, /healthz, /readyz for the services.

    One thread, one poll() loop, up to MAX_CLIENTS connections served at
    once: a client that connects and says nothing (or reads nothing) holds
    one slot until its CLIENT_MS deadline, never the whole listener, so
    liveness probes keep being answered while others hold connections.
    When every slot is taken the oldest connection is closed for the new
    one (a probe answers within milliseconds of connecting; whoever has held
    a slot longest is the least likely to be one).  A self-pipe wakes the
    thread for destroy.                                                     */
#include "hr_metrics.h"
#include "hr_log.h"
#include "hr_version.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "hr_clock.h"

#define CLIENT_MS 1000          /* to send the request and take the answer */
#define MAX_CLIENTS 64
#define REQUEST_MAX 4096

typedef struct {
    int fd;                     /* -1 = free slot */
    long long deadline;         /* monotonic ms */
    long long accepted;         /* for "oldest" */
    size_t in_len;
    char in[REQUEST_MAX];
    char *out;                  /* the whole answer once the request is read */
    size_t out_len, out_off;
} client_t;

struct hr_metrics_server {
    int listen_fd;
    int wake[2];                //  self-pipe: destroy writes, the thread wakes
    pthread_t thread;
    int (*ready) (void *);
    void *arg;
    client_t clients[MAX_CLIENTS];
};

static void
s_close (client_t *c)
{
    if (c->fd >= 0)
        close (c->fd);
    free (c->out);
    c->fd = -1;
    c->out = NULL;
    c->in_len = c->out_len = c->out_off = 0;
}

static void
s_answer (client_t *c, int status, const char *reason, const char *type, const char *body,
          size_t len)
{
    char head[256];
    int n = snprintf (head, sizeof head,
                      "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                      "Connection: close\r\n\r\n", status, reason, type, len);
    c->out = malloc ((size_t) n + len);
    if (!c->out) {
        c->out_len = 0;
        return;
    }
    memcpy (c->out, head, (size_t) n);
    memcpy (c->out + n, body, len);
    c->out_len = (size_t) n + len;
    c->out_off = 0;
}

/*  The request (c->in, NUL-terminated) is complete: prepares the answer.   */
static void
s_route (hr_metrics_server_t *self, client_t *c)
{
    static const char *text = "text/plain; charset=utf-8";
    char method[16], path[256];
    //  request line: METHOD SP PATH SP HTTP/x.y
    if (sscanf (c->in, "%15s %255s HTTP/%*d.%*d", method, path) != 2) {
        s_answer (c, 400, "Bad Request", text, "bad request\n", 12);
        return;
    }
    char *query = strchr (path, '?');
    if (query)
        *query = 0;
    bool get = strcmp (method, "GET") == 0;
    bool known = !strcmp (path, "/metrics") || !strcmp (path, "/healthz")
              || !strcmp (path, "/readyz");
    if (known && !get)
        s_answer (c, 405, "Method Not Allowed", text, "method not allowed\n", 19);
    else if (strcmp (path, "/metrics") == 0) {
        size_t len = 0;
        char *body = hr_metrics_render (&len);
        if (body)
            s_answer (c, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body, len);
        else
            s_answer (c, 500, "Internal Server Error", text, "out of memory\n", 14);
        free (body);
    }
    else if (strcmp (path, "/healthz") == 0) {
        const char *body = hr_version_health_json ();
        s_answer (c, 200, "OK", "application/json", body, strlen (body));
    }
    else if (strcmp (path, "/readyz") == 0) {
        if (!self->ready || self->ready (self->arg))
            s_answer (c, 200, "OK", text, "ready", 5);
        else
            s_answer (c, 503, "Service Unavailable", text, "not ready", 9);
    }
    else
        s_answer (c, 404, "Not Found", text, "not found\n", 10);
}

/*  Reads what is there; once the head is complete (or the buffer full, or
    the peer done sending) prepares the answer.  false = close it.         */
static bool
s_on_readable (hr_metrics_server_t *self, client_t *c)
{
    for (;;) {
        ssize_t n = recv (c->fd, c->in + c->in_len, REQUEST_MAX - 1 - c->in_len, 0);
        if (n > 0) {
            c->in_len += (size_t) n;
            c->in[c->in_len] = 0;
            if (strstr (c->in, "\r\n\r\n") || strstr (c->in, "\n\n")
                || c->in_len == REQUEST_MAX - 1)
                break;
            continue;
        }
        if (n == 0) {
            if (c->in_len == 0)
                return false;   //  connected and left without a word
            break;              //  peer closed its side: answer what we have
        }
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    s_route (self, c);
    return c->out != NULL;
}

/*  Sends what it can.  false = done (or failed): close it.                */
static bool
s_on_writable (client_t *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = send (c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n > 0)
            c->out_off += (size_t) n;
        else if (n < 0 && errno == EINTR)
            continue;
        else
            return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
    return false;
}

static void
s_accept_all (hr_metrics_server_t *self)
{
    for (;;) {
        int fd = accept4 (self->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;             //  EAGAIN: all taken; EMFILE & co: next round
        client_t *slot = NULL, *oldest = NULL;
        for (int i = 0; i < MAX_CLIENTS && !slot; i++) {
            client_t *c = &self->clients[i];
            if (c->fd < 0)
                slot = c;
            else if (!oldest || c->accepted < oldest->accepted)
                oldest = c;
        }
        if (!slot) {
            s_close (oldest);
            slot = oldest;
        }
        long long now = hr_mono_ms ();
        slot->fd = fd;
        slot->accepted = now;
        slot->deadline = now + CLIENT_MS;
    }
}

static void *
s_server_thread (void *arg)
{
    hr_metrics_server_t *self = arg;
    struct pollfd p[2 + MAX_CLIENTS];
    client_t *of[2 + MAX_CLIENTS];
    for (;;) {
        long long now = hr_mono_ms (), next = now + 60000;
        int n = 0;
        p[n++] = (struct pollfd) { self->listen_fd, POLLIN, 0 };
        p[n++] = (struct pollfd) { self->wake[0], POLLIN, 0 };
        for (int i = 0; i < MAX_CLIENTS; i++) {
            client_t *c = &self->clients[i];
            if (c->fd < 0)
                continue;
            if (c->deadline <= now) {
                s_close (c);    //  too slow to ask or to read the answer
                continue;
            }
            if (c->deadline < next)
                next = c->deadline;
            of[n] = c;
            p[n++] = (struct pollfd) { c->fd, c->out ? POLLOUT : POLLIN, 0 };
        }
        int rc = poll (p, (nfds_t) n, (int) (next - now));
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0 || p[1].revents)
            break;
        for (int i = 2; i < n; i++) {
            client_t *c = of[i];
            if (!p[i].revents)
                continue;
            bool keep = c->out ? s_on_writable (c) : s_on_readable (self, c);
            if (keep && c->out && !(p[i].revents & (POLLERR | POLLHUP)))
                keep = s_on_writable (c);       //  usually all of it at once
            if (!keep)
                s_close (c);
        }
        if (p[0].revents & POLLIN)
            s_accept_all (self);
    }
    for (int i = 0; i < MAX_CLIENTS; i++)
        s_close (&self->clients[i]);
    return NULL;
}

hr_metrics_server_t *
hr_metrics_server_new (int port, int (*ready) (void *), void *arg)
{
    if (port <= 0 || port > 65535)
        return NULL;
    hr_metrics_server_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->listen_fd = -1;
    self->wake[0] = self->wake[1] = -1;
    self->ready = ready;
    self->arg = arg;
    for (int i = 0; i < MAX_CLIENTS; i++)
        self->clients[i].fd = -1;
    if (pipe2 (self->wake, O_CLOEXEC | O_NONBLOCK) != 0)
        goto fail;
    self->listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (self->listen_fd < 0)
        goto fail;
    int one = 1;
    setsockopt (self->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = { .sin_family = AF_INET,
                                .sin_port = htons ((uint16_t) port),
                                .sin_addr.s_addr = htonl (INADDR_ANY) };
    if (bind (self->listen_fd, (struct sockaddr *) &addr, sizeof addr) != 0
        || listen (self->listen_fd, 128) != 0) {
        hr_error ("metrics server: cannot listen on port %d: %s", port, strerror (errno));
        goto fail;
    }
    if (pthread_create (&self->thread, NULL, s_server_thread, self) != 0)
        goto fail;
    return self;
fail:
    if (self->listen_fd >= 0)
        close (self->listen_fd);
    if (self->wake[0] >= 0) {
        close (self->wake[0]);
        close (self->wake[1]);
    }
    free (self);
    return NULL;
}

void
hr_metrics_server_destroy (hr_metrics_server_t **self_p)
{
    assert (self_p);
    hr_metrics_server_t *self = *self_p;
    if (!self)
        return;
    ssize_t rc;
    do
        rc = write (self->wake[1], "x", 1);
    while (rc < 0 && errno == EINTR);
    pthread_join (self->thread, NULL);
    close (self->listen_fd);
    close (self->wake[0]);
    close (self->wake[1]);
    free (self);
    *self_p = NULL;
}
