/*  hr_redis — a blocking hiredis connection with timeouts that reconnects.

    Redis is a cache here: when it is down every call must fail fast so the
    caller falls back to PostgreSQL.  A failed connect is therefore not
    retried for HR_REDIS_RETRY_MS, so a down Redis costs one connect
    timeout per quarter second, not one per call.                          */
#include "hr_redis.h"
#include "hr_log.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hr_clock.h"

#define HR_REDIS_RETRY_MS 250

struct hr_redis {
    char host[256];
    int port;
    char password[256];         /* empty = no AUTH */
    int db;
    int timeout_ms;             /* connect (and default reply) timeout */
    int reply_timeout_ms;
    redisContext *ctx;
    int64_t last_failed_connect_ms;
    bool failed_before;         /* log "down" once per outage, not per call */
};

//  redis://[[user]:password@]host[:port][/db].  0 / -1.
static int
s_parse_url (hr_redis_t *self, const char *url)
{
    const char *prefix = "redis://";
    if (strncmp (url, prefix, strlen (prefix)) != 0)
        return -1;
    const char *p = url + strlen (prefix);
    const char *at = strrchr (p, '@');
    if (at) {
        const char *colon = memchr (p, ':', (size_t) (at - p));
        if (!colon)
            return -1;
        size_t n = (size_t) (at - colon - 1);
        if (n >= sizeof self->password)
            return -1;
        memcpy (self->password, colon + 1, n);
        self->password[n] = 0;
        p = at + 1;
    }
    size_t hostlen = strcspn (p, ":/");
    if (hostlen == 0 || hostlen >= sizeof self->host)
        return -1;
    memcpy (self->host, p, hostlen);
    self->host[hostlen] = 0;
    p += hostlen;
    self->port = 6379;
    if (*p == ':') {
        char *end;
        long port = strtol (p + 1, &end, 10);
        if (end == p + 1 || port < 1 || port > 65535)
            return -1;
        self->port = (int) port;
        p = end;
    }
    self->db = 0;
    if (*p == '/' && p[1]) {
        char *end;
        long db = strtol (p + 1, &end, 10);
        if (end == p + 1 || *end || db < 0 || db > 100000)
            return -1;
        self->db = (int) db;
        p = end;
    }
    else if (*p == '/')
        p++;
    return *p ? -1 : 0;
}

hr_redis_t *
hr_redis_new (const char *url, int timeout_ms)
{
    assert (url);
    hr_redis_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    if (s_parse_url (self, url) != 0) {
        //  Never log the URL itself: it may carry the password
        hr_log (HR_LOG_ERROR, "malformed REDIS_URL (expected redis://[:password@]host:port[/db])");
        free (self);
        return NULL;
    }
    self->timeout_ms = timeout_ms > 0 ? timeout_ms : 1000;
    self->reply_timeout_ms = self->timeout_ms;
    return self;
}

void
hr_redis_destroy (hr_redis_t **self_p)
{
    assert (self_p);
    hr_redis_t *self = *self_p;
    if (!self)
        return;
    if (self->ctx)
        redisFree (self->ctx);
    free (self);
    *self_p = NULL;
}

static void
s_drop (hr_redis_t *self)
{
    if (self->ctx)
        redisFree (self->ctx);
    self->ctx = NULL;
}

//  A reply that is an error or missing means the session setup failed.
static bool
s_setup_ok (redisContext *ctx, const char *fmt, const char *arg)
{
    redisReply *r = arg ? redisCommand (ctx, fmt, arg) : redisCommand (ctx, fmt);
    bool ok = r && r->type != REDIS_REPLY_ERROR;
    if (r)
        freeReplyObject (r);
    return ok;
}

static struct timeval
s_timeval (int ms)
{
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    return tv;
}

//  Connects if not connected.  0 / -1 (quickly while in back-off).
static int
s_ensure (hr_redis_t *self)
{
    if (self->ctx)
        return 0;
    int64_t now = hr_mono_ms ();
    if (self->last_failed_connect_ms && now - self->last_failed_connect_ms < HR_REDIS_RETRY_MS)
        return -1;
    struct timeval tv = s_timeval (self->timeout_ms);
    redisContext *ctx = redisConnectWithTimeout (self->host, self->port, tv);
    const char *why = NULL;
    if (!ctx)
        why = "out of memory";
    else if (ctx->err)
        why = ctx->errstr;
    else if (redisSetTimeout (ctx, s_timeval (self->reply_timeout_ms)) != REDIS_OK)
        why = "cannot set socket timeout";
    else if (self->password[0] && !s_setup_ok (ctx, "AUTH %s", self->password))
        why = "AUTH failed";
    else if (self->db) {
        char db[16];
        snprintf (db, sizeof db, "%d", self->db);
        if (!s_setup_ok (ctx, "SELECT %s", db))
            why = "SELECT failed";
    }
    if (why) {
        if (!self->failed_before) {
            char port[16];
            snprintf (port, sizeof port, "%d", self->port);
            hr_log_kv (HR_LOG_WARN, NULL, "redis unreachable", "host", self->host, "port", port,
                       "error", why, NULL);
        }
        self->failed_before = true;
        self->last_failed_connect_ms = now ? now : 1;
        if (ctx)
            redisFree (ctx);
        return -1;
    }
    if (self->failed_before)
        hr_log (HR_LOG_INFO, "redis reconnected");
    self->failed_before = false;
    self->last_failed_connect_ms = 0;
    self->ctx = ctx;
    return 0;
}

//  A dropped connection heals with a reconnect; a timeout (a busy server)
//  or a protocol error from our own format string does not.
static bool
s_worth_retry (redisContext *ctx, int saved_errno)
{
    if (ctx->err == REDIS_ERR_EOF)
        return true;
    return ctx->err == REDIS_ERR_IO && saved_errno != EAGAIN && saved_errno != EWOULDBLOCK;
}

static redisReply *
s_vcommand (hr_redis_t *self, const char *fmt, va_list ap)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (s_ensure (self) != 0)
            return NULL;
        va_list copy;
        va_copy (copy, ap);
        redisReply *r = redisvCommand (self->ctx, fmt, copy);
        int saved_errno = errno;
        va_end (copy);
        if (r && !self->ctx->err)
            return r;
        if (r)
            freeReplyObject (r);
        bool retry = s_worth_retry (self->ctx, saved_errno);
        s_drop (self);
        if (!retry)
            return NULL;
    }
    return NULL;
}

redisReply *
hr_redis_command (hr_redis_t *self, const char *fmt, ...)
{
    assert (self);
    va_list ap;
    va_start (ap, fmt);
    redisReply *r = s_vcommand (self, fmt, ap);
    va_end (ap);
    return r;
}

redisReply *
hr_redis_argv (hr_redis_t *self, int argc, const char **argv, const size_t *argvlen)
{
    assert (self);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (s_ensure (self) != 0)
            return NULL;
        redisReply *r = redisCommandArgv (self->ctx, argc, argv, argvlen);
        int saved_errno = errno;
        if (r && !self->ctx->err)
            return r;
        if (r)
            freeReplyObject (r);
        bool retry = s_worth_retry (self->ctx, saved_errno);
        s_drop (self);
        if (!retry)
            return NULL;
    }
    return NULL;
}

int
hr_redis_append (hr_redis_t *self, const char *fmt, ...)
{
    assert (self);
    if (s_ensure (self) != 0)
        return -1;
    va_list ap;
    va_start (ap, fmt);
    int rc = redisvAppendCommand (self->ctx, fmt, ap);
    va_end (ap);
    return rc == REDIS_OK ? 0 : -1;
}

int
hr_redis_append_argv (hr_redis_t *self, int argc, const char **argv, const size_t *argvlen)
{
    assert (self);
    if (s_ensure (self) != 0)
        return -1;
    return redisAppendCommandArgv (self->ctx, argc, argv, argvlen) == REDIS_OK ? 0 : -1;
}

int
hr_redis_append_resp (hr_redis_t *self, const char *resp, size_t len)
{
    assert (self);
    if (s_ensure (self) != 0)
        return -1;
    return redisAppendFormattedCommand (self->ctx, resp, len) == REDIS_OK ? 0 : -1;
}

//  The decimal digits of v into out (room for 20); their count.
static size_t
s_decimal (uint64_t v, char *out)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char) ('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

int
hr_resp_command (hr_strbuf_t *buf, int argc)
{
    assert (buf && argc > 0);
    char head[24] = "*";
    size_t n = 1 + s_decimal ((uint64_t) argc, head + 1);
    memcpy (head + n, "\r\n", 2);
    return hr_strbuf_put (buf, head, n + 2);
}

int
hr_resp_arg (hr_strbuf_t *buf, const void *s, size_t n)
{
    assert (buf && (s || n == 0));
    if (hr_strbuf_reserve (buf, n + 26) != 0)
        return -1;
    char *p = buf->buf + buf->len;
    *p++ = '$';
    p += s_decimal (n, p);
    *p++ = '\r', *p++ = '\n';
    if (n)
        memcpy (p, s, n);
    p += n;
    *p++ = '\r', *p++ = '\n';
    *p = 0;
    buf->len = (size_t) (p - buf->buf);
    return 0;
}

int
hr_resp_arg_int (hr_strbuf_t *buf, int64_t value)
{
    char text[24];
    size_t n = 0;
    if (value < 0)
        text[n++] = '-';
    n += s_decimal (value < 0 ? 0 - (uint64_t) value : (uint64_t) value, text + n);
    return hr_resp_arg (buf, text, n);
}

int
hr_redis_get_reply (hr_redis_t *self, redisReply **reply)
{
    assert (self);
    assert (reply);
    *reply = NULL;
    if (!self->ctx)
        return -1;
    void *r = NULL;
    if (redisGetReply (self->ctx, &r) != REDIS_OK || !r) {
        //  The rest of the pipeline is lost with the connection
        if (r)
            freeReplyObject (r);
        s_drop (self);
        return -1;
    }
    *reply = r;
    return 0;
}

void
hr_redis_set_reply_timeout (hr_redis_t *self, int timeout_ms)
{
    assert (self);
    if (timeout_ms <= 0 || timeout_ms == self->reply_timeout_ms)
        return;
    self->reply_timeout_ms = timeout_ms;
    if (self->ctx && redisSetTimeout (self->ctx, s_timeval (timeout_ms)) != REDIS_OK)
        s_drop (self);
}
