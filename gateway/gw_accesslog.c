/*  gw_accesslog — batched access-log lines (see gw_accesslog.h).           */
#include "gw_accesslog.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "hr_log.h"

#define BATCH PIPE_BUF
#define PATH_MAX_LOGGED 500
/*  The longest line: fixed text + a path escaped 6-fold + small fields.   */
#define LINE_MAX_BYTES (512 + PATH_MAX_LOGGED * 6 + 16 * 6 + 64 * 6)

struct gw_accesslog {
    h2o_evloop_t *loop;
    int fd;
    char service[64];
    h2o_timeout_t timeout;
    h2o_timeout_entry_t flush_entry;
    time_t stamp_sec;           /* the second `stamp` was formatted for */
    char stamp[80];             /* "2026-11-26T08:04:29." (room for any int) */
    size_t len;
    char buf[BATCH];
    char line[LINE_MAX_BYTES];
};

static void
write_all (int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write (fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;             /* stderr is gone: nothing better to do */
        p += w;
        n -= (size_t) w;
    }
}

void
gw_accesslog_flush (gw_accesslog_t *self)
{
    if (h2o_timeout_is_linked (&self->flush_entry))
        h2o_timeout_unlink (&self->flush_entry);
    if (self->len)
        write_all (self->fd, self->buf, self->len);
    self->len = 0;
}

static void
on_flush_timeout (h2o_timeout_entry_t *entry)
{
    gw_accesslog_flush (H2O_STRUCT_FROM_MEMBER (gw_accesslog_t, flush_entry, entry));
}

gw_accesslog_t *
gw_accesslog_new (h2o_evloop_t *loop, int fd, const char *service)
{
    gw_accesslog_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->loop = loop;
    self->fd = fd;
    snprintf (self->service, sizeof self->service, "%s", service);
    h2o_timeout_init (loop, &self->timeout, GW_ACCESSLOG_FLUSH_MS);
    self->flush_entry.cb = on_flush_timeout;
    self->stamp_sec = (time_t) -1;
    return self;
}

void
gw_accesslog_destroy (gw_accesslog_t **self_p)
{
    gw_accesslog_t *self = *self_p;
    if (!self)
        return;
    gw_accesslog_flush (self);
    h2o_timeout_dispose (self->loop, &self->timeout);
    free (self);
    *self_p = NULL;
}

/* ---------------------------------------------------------------- format */

typedef struct {
    char *p, *end;
} out_t;

static void
put (out_t *o, const char *s, size_t n)
{
    if ((size_t) (o->end - o->p) < n) {
        o->p = o->end;          /* cannot happen with LINE_MAX_BYTES; stay safe */
        return;
    }
    memcpy (o->p, s, n);
    o->p += n;
}
#define PUT_LIT(o, lit) put (o, lit, sizeof lit - 1)

static void
put_str (out_t *o, const char *s, size_t n)
{
    PUT_LIT (o, "\"");
    if ((size_t) (o->end - o->p) < n * 6 + 2) {
        o->p = o->end;
        return;
    }
    int w = hr_json_escape (o->p, (size_t) (o->end - o->p), s, n);
    if (w > 0)
        o->p += w;
    PUT_LIT (o, "\"");
}

static void
put_uint (out_t *o, uint64_t v, int min_digits)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char) ('0' + v % 10);
        v /= 10;
    } while (v || n < min_digits);
    char rev[24];
    for (int i = 0; i < n; i++)
        rev[i] = tmp[n - 1 - i];
    put (o, rev, (size_t) n);
}

void
gw_accesslog_line (gw_accesslog_t *self, const char *request_id, h2o_iovec_t method,
                   h2o_iovec_t path, int status, const char *endpoint, uint64_t micros,
                   size_t bytes)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    if (ts.tv_sec != self->stamp_sec) {
        struct tm tm;
        gmtime_r (&ts.tv_sec, &tm);
        snprintf (self->stamp, sizeof self->stamp, "%04d-%02d-%02dT%02d:%02d:%02d.",
                  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        self->stamp_sec = ts.tv_sec;
    }
    out_t o = { self->line, self->line + sizeof self->line };
    PUT_LIT (&o, "{\"ts\":\"");
    put (&o, self->stamp, strlen (self->stamp));
    put_uint (&o, (uint64_t) (ts.tv_nsec / 1000000), 3);
    PUT_LIT (&o, "Z\",\"level\":\"info\",\"service\":");
    put_str (&o, self->service, strlen (self->service));
    PUT_LIT (&o, ",\"msg\":\"access\",\"request_id\":");
    put_str (&o, request_id, strlen (request_id));
    PUT_LIT (&o, ",\"method\":");
    put_str (&o, method.base, method.len < 16 ? method.len : 15);
    PUT_LIT (&o, ",\"path\":");
    put_str (&o, path.base, path.len < PATH_MAX_LOGGED ? path.len : PATH_MAX_LOGGED);
    PUT_LIT (&o, ",\"status\":\"");
    put_uint (&o, (uint64_t) (status < 0 ? 0 : status), 1);
    PUT_LIT (&o, "\",\"endpoint\":");
    put_str (&o, endpoint, strlen (endpoint));
    PUT_LIT (&o, ",\"ms\":\"");
    put_uint (&o, micros / 1000, 1);
    PUT_LIT (&o, ".");
    put_uint (&o, micros % 1000, 3);
    PUT_LIT (&o, "\",\"bytes\":\"");
    put_uint (&o, bytes, 1);
    PUT_LIT (&o, "\"}\n");
    if (o.p == o.end)
        return;                 /* did not fit (cannot happen): drop, never a broken line */
    size_t n = (size_t) (o.p - self->line);
    if (self->len + n > sizeof self->buf)
        gw_accesslog_flush (self);
    if (n > sizeof self->buf) {         /* alone, still one write */
        write_all (self->fd, self->line, n);
        return;
    }
    memcpy (self->buf + self->len, self->line, n);
    self->len += n;
    if (!h2o_timeout_is_linked (&self->flush_entry))
        h2o_timeout_link (self->loop, &self->timeout, &self->flush_entry);
}
