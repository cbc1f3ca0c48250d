/*  http_client — blocking HTTP/1.1 for tests.                               */
#include "http_client.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct hr_http {
    char host[256];
    int port;
    int fd;
    char *in;                   /* bytes read but not consumed */
    size_t inlen, incap;
};

hr_http_t *
hr_http_new (const char *host, int port)
{
    hr_http_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    snprintf (self->host, sizeof self->host, "%s", host);
    self->port = port;
    self->fd = -1;
    return self;
}

static void
disconnect (hr_http_t *self)
{
    if (self->fd >= 0)
        close (self->fd);
    self->fd = -1;
    self->inlen = 0;
}

void
hr_http_destroy (hr_http_t **self_p)
{
    hr_http_t *self = *self_p;
    if (!self)
        return;
    disconnect (self);
    free (self->in);
    free (self);
    *self_p = NULL;
}

static int
connect_to (hr_http_t *self)
{
    if (self->fd >= 0)
        return 0;
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai;
    char port[16];
    snprintf (port, sizeof port, "%d", self->port);
    if (getaddrinfo (self->host, port, &hints, &ai) != 0)
        return -1;
    int fd = socket (ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    struct timeval tv = { .tv_sec = 10 };
    int on = 1;
    if (fd >= 0) {
        setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    }
    if (fd < 0 || connect (fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (fd >= 0)
            close (fd);
        freeaddrinfo (ai);
        return -1;
    }
    freeaddrinfo (ai);
    self->fd = fd;
    self->inlen = 0;
    return 0;
}

static int
send_all (int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = send (fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t) w;
    }
    return 0;
}

/*  Reads more bytes into the input buffer: >0 read, 0 EOF, -1 error.      */
static int
fill (hr_http_t *self)
{
    if (self->incap - self->inlen < 65536) {
        size_t cap = self->incap ? self->incap * 2 : 131072;
        char *in = realloc (self->in, cap);
        if (!in)
            return -1;
        self->in = in;
        self->incap = cap;
    }
    ssize_t r;
    do
        r = recv (self->fd, self->in + self->inlen, self->incap - self->inlen - 1, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -1;
    self->inlen += (size_t) r;
    self->in[self->inlen] = '\0';
    return r > 0 ? 1 : 0;
}

static void
consume (hr_http_t *self, size_t n)
{
    memmove (self->in, self->in + n, self->inlen - n);
    self->inlen -= n;
}

static char *
find_header_end (hr_http_t *self)
{
    if (!self->in)
        return NULL;
    return memmem (self->in, self->inlen, "\r\n\r\n", 4);
}

const char *
hr_http_header (const hr_http_response_t *res, const char *name, char *buf, size_t cap)
{
    size_t nlen = strlen (name);
    const char *line = res->headers ? strstr (res->headers, "\r\n") : NULL;
    while (line && line[2]) {
        line += 2;
        const char *end = strstr (line, "\r\n");
        if (!end)
            end = line + strlen (line);
        if ((size_t) (end - line) > nlen && line[nlen] == ':' && strncasecmp (line, name, nlen) == 0) {
            const char *v = line + nlen + 1;
            while (*v == ' ')
                v++;
            size_t vlen = (size_t) (end - v);
            if (vlen >= cap)
                vlen = cap - 1;
            memcpy (buf, v, vlen);
            buf[vlen] = '\0';
            return buf;
        }
        line = end;
    }
    return NULL;
}

/*  Appends n bytes to the body, reading as needed.  */
static int
take_body (hr_http_t *self, hr_http_response_t *out, size_t n)
{
    char *body = realloc (out->body, out->body_len + n + 1);
    if (!body)
        return -1;
    out->body = body;
    while (n > 0) {
        if (self->inlen == 0 && fill (self) <= 0)
            return -1;
        size_t k = self->inlen < n ? self->inlen : n;
        memcpy (out->body + out->body_len, self->in, k);
        out->body_len += k;
        consume (self, k);
        n -= k;
    }
    out->body[out->body_len] = '\0';
    return 0;
}

static int
read_line (hr_http_t *self, char *line, size_t cap)
{
    char *eol;
    while (!self->in || !(eol = memmem (self->in, self->inlen, "\r\n", 2)))
        if (fill (self) <= 0)
            return -1;
    size_t n = (size_t) (eol - self->in);
    if (n >= cap)
        return -1;
    memcpy (line, self->in, n);
    line[n] = '\0';
    consume (self, n + 2);
    return 0;
}

static int
read_response (hr_http_t *self, hr_http_response_t *out, int head_only)
{
    memset (out, 0, sizeof *out);
    char *end;
    while (!(end = find_header_end (self)))
        if (fill (self) <= 0)
            return -1;
    size_t hlen = (size_t) (end - self->in) + 4;
    out->headers = malloc (hlen + 1);
    if (!out->headers)
        return -1;
    memcpy (out->headers, self->in, hlen);
    out->headers[hlen] = '\0';
    consume (self, hlen);
    if (sscanf (out->headers, "HTTP/1.%*d %d", &out->status) != 1)
        return -1;
    out->body = calloc (1, 1);
    char v[64];
    int close_after = hr_http_header (out, "connection", v, sizeof v) && strcasecmp (v, "close") == 0;
    if (head_only || out->status == 204 || out->status == 304)
        ;
    else if (hr_http_header (out, "content-length", v, sizeof v)) {
        if (take_body (self, out, strtoul (v, NULL, 10)) != 0)
            return -1;
    }
    else if (hr_http_header (out, "transfer-encoding", v, sizeof v) && strcasestr (v, "chunked")) {
        for (;;) {
            char line[64];
            if (read_line (self, line, sizeof line) != 0)
                return -1;
            size_t n = strtoul (line, NULL, 16);
            if (n == 0) {
                read_line (self, line, sizeof line);
                break;
            }
            if (take_body (self, out, n) != 0 || read_line (self, line, sizeof line) != 0)
                return -1;
        }
    }
    else {
        while (fill (self) > 0)
            ;
        if (take_body (self, out, self->inlen) != 0)
            return -1;
        close_after = 1;
    }
    if (close_after)
        disconnect (self);
    return 0;
}

static int
exchange (hr_http_t *self, const char *head, size_t hlen, const void *body, size_t blen,
          hr_http_response_t *out, int head_only)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (connect_to (self) != 0)
            return -1;
        int reused = self->inlen == 0 && attempt == 0;
        if (send_all (self->fd, head, hlen) == 0 && (blen == 0 || send_all (self->fd, body, blen) == 0)
            && read_response (self, out, head_only) == 0)
            return 0;
        hr_http_response_free (out);
        disconnect (self);
        if (!reused)
            break;              /* a kept-alive connection may have been closed: retry once */
    }
    return -1;
}

int
hr_http_request (hr_http_t *self, const char *method, const char *target,
                 const char *extra_headers, const void *body, size_t body_len,
                 hr_http_response_t *out)
{
    size_t cap = strlen (target) + (extra_headers ? strlen (extra_headers) : 0) + 512;
    char *head = malloc (cap);
    if (!head)
        return -1;
    const char *extra = extra_headers ? extra_headers : "";
    int n;
    if (body || strcmp (method, "POST") == 0 || strcmp (method, "PUT") == 0)
        n = snprintf (head, cap, "%s %s HTTP/1.1\r\nHost: %s:%d\r\n%sContent-Length: %zu\r\n\r\n",
                      method, target, self->host, self->port, extra, body_len);
    else
        n = snprintf (head, cap, "%s %s HTTP/1.1\r\nHost: %s:%d\r\n%s\r\n", method, target,
                      self->host, self->port, extra);
    int rc = exchange (self, head, (size_t) n, body, body_len, out, strcmp (method, "HEAD") == 0);
    free (head);
    return rc;
}

int
hr_http_raw (hr_http_t *self, const void *raw, size_t len, hr_http_response_t *out)
{
    disconnect (self);
    if (connect_to (self) != 0)
        return -1;
    if (send_all (self->fd, raw, len) != 0 || read_response (self, out, 0) != 0) {
        hr_http_response_free (out);
        disconnect (self);
        return -1;
    }
    return 0;
}

void
hr_http_response_free (hr_http_response_t *res)
{
    free (res->headers);
    free (res->body);
    memset (res, 0, sizeof *res);
}

int
hr_http_get (const char *host, int port, const char *target, hr_http_response_t *out)
{
    hr_http_t *c = hr_http_new (host, port);
    if (!c)
        return -1;
    int rc = hr_http_request (c, "GET", target, NULL, NULL, 0, out);
    hr_http_destroy (&c);
    return rc;
}
