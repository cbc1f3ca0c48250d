/*  gw_accesslog — batched access-log lines (see gw_accesslog.h).           */
#include "gw_accesslog.h"
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdbool.h>
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
    gw_accesslog_mode_t mode;
    char service[64];
    h2o_timeout_t timeout;
    h2o_timeout_entry_t flush_entry;
    time_t stamp_sec;           /* the second `stamp` was formatted for */
    char stamp[80];             /* "2026-11-26T08:04:29." (room for any int) */
    size_t len;
    char buf[BATCH];
    char line[LINE_MAX_BYTES];
    char path[PATH_MAX_LOGGED + 1];     /* the path as logged (redacted) */
};

int
gw_accesslog_mode_parse (const char *text)
{
    if (!text || !strcmp (text, "redact"))
        return GW_ACCESSLOG_REDACT;
    if (!strcmp (text, "hash"))
        return GW_ACCESSLOG_HASH;
    if (!strcmp (text, "full"))
        return GW_ACCESSLOG_FULL;
    return -1;
}

static void
s_write_all (int fd, const char *p, size_t n)
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
        s_write_all (self->fd, self->buf, self->len);
    self->len = 0;
}

static void
s_on_flush_timeout (h2o_timeout_entry_t *entry)
{
    gw_accesslog_flush (H2O_STRUCT_FROM_MEMBER (gw_accesslog_t, flush_entry, entry));
}

/*  The HMAC key of GW_ACCESSLOG_HASH: one per process, so every loop
    hashes a user alike; never written anywhere.                            */
static unsigned char s_key[32];
static bool s_key_ok;
static pthread_once_t s_key_once = PTHREAD_ONCE_INIT;

static void
s_make_key (void)
{
    s_key_ok = RAND_bytes (s_key, sizeof s_key) == 1;
}

gw_accesslog_t *
gw_accesslog_new (h2o_evloop_t *loop, int fd, const char *service, gw_accesslog_mode_t mode)
{
    if (mode == GW_ACCESSLOG_HASH) {
        pthread_once (&s_key_once, s_make_key);
        if (!s_key_ok)
            return NULL;
    }
    gw_accesslog_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->loop = loop;
    self->fd = fd;
    self->mode = mode;
    snprintf (self->service, sizeof self->service, "%s", service);
    h2o_timeout_init (loop, &self->timeout, GW_ACCESSLOG_FLUSH_MS);
    self->flush_entry.cb = s_on_flush_timeout;
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
s_put (out_t *o, const char *s, size_t n)
{
    if ((size_t) (o->end - o->p) < n) {     /* what fits, then full: a line is */
        memcpy (o->p, s, (size_t) (o->end - o->p));     /* dropped, a path cut */
        o->p = o->end;
        return;
    }
    memcpy (o->p, s, n);
    o->p += n;
}
#define PUT_LIT(o, lit) s_put (o, lit, sizeof lit - 1)

static void
s_put_str (out_t *o, const char *s, size_t n)
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
s_put_uint (out_t *o, uint64_t v, int min_digits)
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
    s_put (o, rev, (size_t) n);
}

/*  Query values that say nothing about the shopper.  */
static bool
s_public_parameter (const char *name, size_t n)
{
    static const char *const names[] = { "response_limit", "explain", "days", "limit" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (n == strlen (names[i]) && !memcmp (name, names[i], n))
            return true;
    return false;
}

static void
s_put_value (gw_accesslog_t *self, out_t *o, const char *v, size_t n)
{
    if (n == 0)
        return;
    if (self->mode == GW_ACCESSLOG_REDACT) {
        PUT_LIT (o, "-");
        return;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    HMAC (EVP_sha256 (), s_key, sizeof s_key, (const unsigned char *) v, n, md, &mdlen);
    static const char hex[] = "0123456789abcdef";
    char text[2 + 16];
    memcpy (text, "h:", 2);
    for (int i = 0; i < 8; i++) {
        text[2 + 2 * i] = hex[md[i] >> 4];
        text[3 + 2 * i] = hex[md[i] & 15];
    }
    s_put (o, text, sizeof text);
}

/*  The path as logged, into self->path (NUL-terminated, cut at
    PATH_MAX_LOGGED): see the modes in gw_accesslog.h.                     */
static size_t
s_clean_path (gw_accesslog_t *self, h2o_iovec_t path, size_t personal_at)
{
    out_t o = { self->path, self->path + PATH_MAX_LOGGED };
    const char *q = memchr (path.base, '?', path.len);
    size_t plen = q ? (size_t) (q - path.base) : path.len;
    if (self->mode == GW_ACCESSLOG_FULL) {
        s_put (&o, path.base, path.len < PATH_MAX_LOGGED ? path.len : PATH_MAX_LOGGED);
        *o.p = '\0';
        return (size_t) (o.p - self->path);
    }
    if (personal_at < plen) {
        s_put (&o, path.base, personal_at);
        s_put_value (self, &o, path.base + personal_at, plen - personal_at);
    }
    else
        s_put (&o, path.base, plen);
    if (q) {
        const char *p = q + 1, *end = path.base + path.len;
        PUT_LIT (&o, "?");
        while (p < end) {
            const char *amp = memchr (p, '&', (size_t) (end - p));
            const char *pe = amp ? amp : end;
            const char *eq = memchr (p, '=', (size_t) (pe - p));
            const char *ne = eq ? eq : pe;
            s_put (&o, p, (size_t) (ne - p));
            if (eq) {
                PUT_LIT (&o, "=");
                if (s_public_parameter (p, (size_t) (ne - p)))
                    s_put (&o, eq + 1, (size_t) (pe - eq - 1));
                else
                    s_put_value (self, &o, eq + 1, (size_t) (pe - eq - 1));
            }
            if (amp)
                PUT_LIT (&o, "&");
            p = amp ? amp + 1 : end;
        }
    }
    /*  put() stops at the end: a long path is cut, never overrun.  */
    *o.p = '\0';
    return (size_t) (o.p - self->path);
}

void
gw_accesslog_line (gw_accesslog_t *self, const char *request_id, h2o_iovec_t method,
                   h2o_iovec_t path, size_t personal_at, int status, const char *endpoint,
                   uint64_t micros, size_t bytes)
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
    s_put (&o, self->stamp, strlen (self->stamp));
    s_put_uint (&o, (uint64_t) (ts.tv_nsec / 1000000), 3);
    PUT_LIT (&o, "Z\",\"level\":\"info\",\"service\":");
    s_put_str (&o, self->service, strlen (self->service));
    PUT_LIT (&o, ",\"msg\":\"access\",\"request_id\":");
    s_put_str (&o, request_id, strlen (request_id));
    PUT_LIT (&o, ",\"method\":");
    s_put_str (&o, method.base, method.len < 16 ? method.len : 15);
    PUT_LIT (&o, ",\"path\":");
    size_t plen = s_clean_path (self, path, personal_at);
    s_put_str (&o, self->path, plen);
    PUT_LIT (&o, ",\"status\":\"");
    s_put_uint (&o, (uint64_t) (status < 0 ? 0 : status), 1);
    PUT_LIT (&o, "\",\"endpoint\":");
    s_put_str (&o, endpoint, strlen (endpoint));
    PUT_LIT (&o, ",\"ms\":\"");
    s_put_uint (&o, micros / 1000, 1);
    PUT_LIT (&o, ".");
    s_put_uint (&o, micros % 1000, 3);
    PUT_LIT (&o, "\",\"bytes\":\"");
    s_put_uint (&o, bytes, 1);
    PUT_LIT (&o, "\"}\n");
    if (o.p == o.end)
        return;                 /* did not fit (cannot happen): drop, never a broken line */
    size_t n = (size_t) (o.p - self->line);
    if (self->len + n > sizeof self->buf)
        gw_accesslog_flush (self);
    if (n > sizeof self->buf) {         /* alone, still one write */
        s_write_all (self->fd, self->line, n);
        return;
    }
    memcpy (self->buf + self->len, self->line, n);
    self->len += n;
    if (!h2o_timeout_is_linked (&self->flush_entry))
        h2o_timeout_link (self->loop, &self->timeout, &self->flush_entry);
}
