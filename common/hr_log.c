/*  hr_log — one JSON object per line on stderr.

    Each line is built in memory and leaves in a single write(2) under a
    mutex, so lines from many threads never interleave, even past PIPE_BUF.
    Lines up to a few KiB are built on the stack (no allocation when
    logging on a hot path); longer ones fall back to the heap.             */
#include "hr_log.h"
#include "hr_validate.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HR_LOG_STACK_LINE 4096
#define HR_LOG_SERVICE_MAX 64

static char s_service[HR_LOG_SERVICE_MAX] = "hybridrec";
static atomic_int s_min_level = HR_LOG_INFO;
static pthread_mutex_t s_write_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *s_level_names[] = { "debug", "info", "warn", "error" };

void
hr_log_init (const char *service, hr_log_level_t min_level)
{
    //  called once from main before threads start: a plain copy is enough
    if (service)
        snprintf (s_service, sizeof s_service, "%s", service);
    atomic_store (&s_min_level, (int) min_level);
}

int
hr_log_level_parse (const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i < 4; i++)
        if (strcmp (s, s_level_names[i]) == 0)
            return i;
    if (strcmp (s, "warning") == 0)
        return HR_LOG_WARN;
    return -1;
}

//  Also NUL-terminates, so it needs the escaped length + 1 bytes; 6 * len + 1
//  always suffices (\u00XX per control byte, 3 bytes of U+FFFD per bad byte).
int
hr_json_escape (char *buf, size_t cap, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *) s;
    size_t o = 0;
    //  room for `need` more bytes plus the terminating NUL
#define ROOM(need) do { if (cap - o < (size_t) (need) + 1) return -1; } while (0)
    if (cap == 0)
        return -1;
    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        if (c >= 0x80) {
            size_t seq = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (seq > len - i || !hr_utf8_valid ((const char *) p + i, seq)) {
                ROOM (3);       //  U+FFFD for one bad byte, then resync
                memcpy (buf + o, "\xEF\xBF\xBD", 3);
                o += 3;
                i++;
                continue;
            }
            ROOM (seq);
            memcpy (buf + o, p + i, seq);
            o += seq;
            i += seq;
            continue;
        }
        const char *esc = NULL;
        switch (c) {
            case '"': esc = "\\\""; break;
            case '\\': esc = "\\\\"; break;
            case '\n': esc = "\\n"; break;
            case '\r': esc = "\\r"; break;
            case '\t': esc = "\\t"; break;
            case '\b': esc = "\\b"; break;
            case '\f': esc = "\\f"; break;
            default: break;
        }
        if (esc) {
            ROOM (2);
            memcpy (buf + o, esc, 2);
            o += 2;
        }
        else if (c < 0x20 || c == 0x7F) {
            ROOM (6);
            memcpy (buf + o, "\\u00", 4);
            buf[o + 4] = hex[c >> 4];
            buf[o + 5] = hex[c & 15];
            o += 6;
        }
        else {
            ROOM (1);
            buf[o++] = (char) c;
        }
        i++;
    }
#undef ROOM
    buf[o] = 0;
    return (int) o;
}

//  A line being built: starts in a stack buffer, moves to the heap when a
//  huge message needs it; `failed` latches when memory runs out.
typedef struct {
    char *data;
    size_t len, cap;
    bool heap, failed;
} s_line_t;

static bool
s_line_reserve (s_line_t *l, size_t n)
{
    if (l->failed)
        return false;
    if (l->cap - l->len > n)
        return true;
    size_t cap = l->cap * 2;
    while (cap - l->len <= n)
        cap *= 2;
    char *data = l->heap ? realloc (l->data, cap) : malloc (cap);
    if (!data) {
        l->failed = true;
        return false;
    }
    if (!l->heap)
        memcpy (data, l->data, l->len);
    l->data = data;
    l->cap = cap;
    l->heap = true;
    return true;
}

static void
s_line_raw (s_line_t *l, const char *s, size_t n)
{
    if (!s_line_reserve (l, n))
        return;
    memcpy (l->data + l->len, s, n);
    l->len += n;
}

static void
s_line_cstr (s_line_t *l, const char *s)
{
    s_line_raw (l, s, strlen (s));
}

//  Appends "s" as a JSON string.  Escaping grows a byte at most 6-fold.
static void
s_line_string (s_line_t *l, const char *s, size_t n)
{
    s_line_raw (l, "\"", 1);
    if (n > (SIZE_MAX - 8) / 6 || !s_line_reserve (l, n * 6 + 1)) {
        l->failed = true;
        return;
    }
    int w = hr_json_escape (l->data + l->len, l->cap - l->len, s, n);
    if (w < 0) {
        l->failed = true;
        return;
    }
    l->len += (size_t) w;
    s_line_raw (l, "\"", 1);
}

static void
s_line_field (s_line_t *l, const char *key, const char *value)
{
    s_line_raw (l, ",", 1);
    s_line_string (l, key, strlen (key));
    s_line_raw (l, ":", 1);
    if (value)
        s_line_string (l, value, strlen (value));
    else
        s_line_cstr (l, "null");
}

static void
s_line_begin (s_line_t *l, hr_log_level_t level)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r (&ts.tv_sec, &tm);
    char stamp[128];
    snprintf (stamp, sizeof stamp, "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\",\"level\":\"%s\"",
              tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
              tm.tm_sec, (int) (ts.tv_nsec / 1000000), s_level_names[level]);
    s_line_cstr (l, stamp);
    s_line_field (l, "service", s_service);
}

static void
s_line_emit_fd (s_line_t *l, int fd)
{
    s_line_raw (l, "}\n", 2);
    if (!l->failed) {
        pthread_mutex_lock (&s_write_lock);
        size_t off = 0;
        while (off < l->len) {
            ssize_t w = write (fd, l->data + off, l->len - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break;          //  stderr is gone: nothing better to do
            off += (size_t) w;
        }
        pthread_mutex_unlock (&s_write_lock);
    }
    if (l->heap)
        free (l->data);
}

static void
s_line_emit (s_line_t *l)
{
    s_line_emit_fd (l, STDERR_FILENO);
}

static bool
s_enabled (hr_log_level_t level)
{
    return (int) level >= atomic_load_explicit (&s_min_level, memory_order_relaxed)
           && (int) level >= HR_LOG_DEBUG && level <= HR_LOG_ERROR;
}

void
hr_log (hr_log_level_t level, const char *fmt, ...)
{
    if (!s_enabled (level))
        return;
    char stack_msg[1024];
    char *msg = stack_msg;
    va_list ap;
    va_start (ap, fmt);
    int n = vsnprintf (stack_msg, sizeof stack_msg, fmt, ap);
    va_end (ap);
    if (n < 0)
        return;
    if ((size_t) n >= sizeof stack_msg) {
        msg = malloc ((size_t) n + 1);
        if (!msg)
            return;
        va_start (ap, fmt);
        vsnprintf (msg, (size_t) n + 1, fmt, ap);
        va_end (ap);
    }
    char stack_line[HR_LOG_STACK_LINE];
    s_line_t line = { stack_line, 0, sizeof stack_line, false, false };
    s_line_begin (&line, level);
    s_line_raw (&line, ",\"msg\":", 7);
    s_line_string (&line, msg, (size_t) n);
    s_line_emit (&line);
    if (msg != stack_msg)
        free (msg);
}

static void
s_log_kv (int fd, hr_log_level_t level, const char *request_id, const char *msg, va_list ap)
{
    char stack_line[HR_LOG_STACK_LINE];
    s_line_t line = { stack_line, 0, sizeof stack_line, false, false };
    s_line_begin (&line, level);
    s_line_field (&line, "msg", msg ? msg : "");
    if (request_id)
        s_line_field (&line, "request_id", request_id);
    const char *key;
    while ((key = va_arg (ap, const char *)) != NULL) {
        const char *value = va_arg (ap, const char *);
        s_line_field (&line, key, value);
    }
    s_line_emit_fd (&line, fd);
}

void
hr_log_kv (hr_log_level_t level, const char *request_id, const char *msg, ...)
{
    if (!s_enabled (level))
        return;
    va_list ap;
    va_start (ap, msg);
    s_log_kv (STDERR_FILENO, level, request_id, msg, ap);
    va_end (ap);
}

void
hr_log_kv_fd (int fd, hr_log_level_t level, const char *request_id, const char *msg, ...)
{
    if (!s_enabled (level))
        return;
    va_list ap;
    va_start (ap, msg);
    s_log_kv (fd, level, request_id, msg, ap);
    va_end (ap);
}
