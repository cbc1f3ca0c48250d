/*  hr_events — the interactions event stream on a Redis Stream.

    The reader keeps the id of the last entry it consumed and asks for
    entries after it, so nothing is lost between two reads; "$" is turned
    into the stream's real last id on the first read for the same reason
    (XREAD with "$" each time would skip whatever arrived in between).
    Entries are written by another service: anything malformed is skipped
    and counted, never trusted.                                             */
#include "hr_events.h"
#include "hr_log.h"
#include "hr_metrics.h"

#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HR_EVENTS_CONNECT_TIMEOUT_MS 1000
//  Redis answers an XREAD BLOCK only when it ends: wait a bit longer
#define HR_EVENTS_REPLY_SLACK_MS 2000

struct hr_events_reader {
    hr_redis_t *redis;
    char last_id[64];
    uint64_t malformed;
    hr_counter_t *malformed_counter;
    int gather_ms;              /* hr_events_reader_gather */
};

/*  The stream's one-letter event types.  */
static const struct {
    uint8_t type;
    char letter;
} s_letters[] = {
    { HR_EVENT_CLICK, 'c' }, { HR_EVENT_SEARCH, 's' }, { HR_EVENT_VIEW, 'w' },
    { HR_EVENT_CART, 'a' }, { HR_EVENT_PURCHASE, 'p' }, { HR_EVENT_ERASE, 'x' },
};

static uint8_t
s_type_of (char letter)
{
    for (size_t i = 0; i < sizeof s_letters / sizeof s_letters[0]; i++)
        if (s_letters[i].letter == letter)
            return s_letters[i].type;
    return 0;
}

static char
s_letter_of (uint8_t type)
{
    for (size_t i = 0; i < sizeof s_letters / sizeof s_letters[0]; i++)
        if (s_letters[i].type == type)
            return s_letters[i].letter;
    return 0;
}

int
hr_events_put_xadd (hr_strbuf_t *buf, const hr_event_t *ev)
{
    assert (buf && ev);
    //  Readers drop such entries anyway: refuse them at the source
    if (!hr_event_type_valid (ev->type) || !ev->user_id[0] || !ev->value[0])
        return -1;
    char letter = s_letter_of (ev->type);
    //  The caller's fixed buffers may lack their NUL: bound those two
    size_t ulen = strnlen (ev->user_id, sizeof ev->user_id);
    size_t vlen = strnlen (ev->value, sizeof ev->value);
    size_t mark = buf->len;
    //  The constant pieces as they are (one put instead of one per
    //  argument: every committed event writes one XADD)
    static const char head[] = "*14\r\n$4\r\nXADD\r\n$9\r\n" HR_EVENTS_STREAM "\r\n$6\r\nMAXLEN\r\n"
                               "$1\r\n~\r\n$7\r\n1000000\r\n$1\r\n*\r\n$1\r\nu\r\n";
    _Static_assert (HR_EVENTS_MAXLEN == 1000000 && sizeof HR_EVENTS_STREAM == 10,
                    "the XADD head above spells the stream and MAXLEN out");
    char type[] = "$1\r\nt\r\n$1\r\n?\r\n$1\r\nv\r\n";
    type[sizeof "$1\r\nt\r\n$1\r\n" - 1] = letter;
    if (hr_strbuf_put (buf, head, sizeof head - 1) != 0
    ||  hr_resp_arg (buf, ev->user_id, ulen) != 0
    ||  hr_strbuf_put (buf, type, sizeof type - 1) != 0
    ||  hr_resp_arg (buf, ev->value, vlen) != 0
    ||  hr_strbuf_put (buf, "$2\r\nts\r\n", 8) != 0
    ||  hr_resp_arg_int (buf, ev->ts_ms) != 0) {
        buf->len = mark;            /* never half a command */
        if (buf->buf)
            buf->buf[mark] = 0;
        return -1;
    }
    return 0;
}

int
hr_events_append (hr_redis_t *redis, const hr_event_t *ev)
{
    assert (ev);
    if (!redis)
        return -1;
    hr_strbuf_t buf = { 0 };
    int rc = hr_events_put_xadd (&buf, ev) == 0
          && hr_redis_append_resp (redis, buf.buf, buf.len) == 0 ? 0 : -1;
    hr_strbuf_free (&buf);
    return rc;
}

int
hr_events_publish (hr_redis_t *redis, const hr_event_t *ev)
{
    if (hr_events_append (redis, ev) != 0)
        return -1;
    redisReply *r;
    if (hr_redis_get_reply (redis, &r) != 0)
        return -1;
    int rc = r->type == REDIS_REPLY_STRING ? 0 : -1;
    if (r->type == REDIS_REPLY_ERROR)
        hr_log_kv (HR_LOG_WARN, NULL, "event publish refused", "error", r->str, NULL);
    freeReplyObject (r);
    return rc;
}

hr_events_reader_t *
hr_events_reader_new (const char *redis_url, const char *from_id)
{
    assert (redis_url);
    assert (from_id);
    if (strlen (from_id) >= sizeof ((hr_events_reader_t *) 0)->last_id)
        return NULL;
    hr_events_reader_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->redis = hr_redis_new (redis_url, HR_EVENTS_CONNECT_TIMEOUT_MS);
    if (!self->redis) {
        free (self);
        return NULL;
    }
    snprintf (self->last_id, sizeof self->last_id, "%s", from_id);
    self->malformed_counter = hr_counter ("hr_events_malformed_total",
                                          "Event stream entries skipped as malformed", NULL);
    return self;
}

void
hr_events_reader_destroy (hr_events_reader_t **self_p)
{
    assert (self_p);
    hr_events_reader_t *self = *self_p;
    if (!self)
        return;
    hr_redis_destroy (&self->redis);
    free (self);
    *self_p = NULL;
}

uint64_t
hr_events_reader_malformed (const hr_events_reader_t *self)
{
    assert (self);
    return self->malformed;
}

const char *
hr_events_reader_last_id (const hr_events_reader_t *self)
{
    assert (self);
    return self->last_id;
}

//  "$" -> the id of the newest entry now ("0-0" for an empty stream).
static int
s_resolve_dollar (hr_events_reader_t *self)
{
    redisReply *r = hr_redis_command (self->redis, "XREVRANGE %s + - COUNT 1", HR_EVENTS_STREAM);
    if (!r)
        return -1;
    int rc = -1;
    if (r->type == REDIS_REPLY_ARRAY) {
        rc = 0;
        snprintf (self->last_id, sizeof self->last_id, "0-0");
        if (r->elements == 1 && r->element[0]->type == REDIS_REPLY_ARRAY
            && r->element[0]->elements >= 1 && r->element[0]->element[0]->type == REDIS_REPLY_STRING
            && r->element[0]->element[0]->len < sizeof self->last_id)
            snprintf (self->last_id, sizeof self->last_id, "%s", r->element[0]->element[0]->str);
    }
    freeReplyObject (r);
    return rc;
}

static bool
s_copy_field (char *dst, size_t cap, const redisReply *v)
{
    if (v->type != REDIS_REPLY_STRING || v->len == 0 || v->len >= cap
        || memchr (v->str, 0, v->len))
        return false;
    memcpy (dst, v->str, v->len);
    dst[v->len] = 0;
    return true;
}

//  One entry's field list into ev; false when anything is off.
static bool
s_parse_fields (const redisReply *fields, hr_event_t *ev)
{
    if (fields->type != REDIS_REPLY_ARRAY || fields->elements % 2)
        return false;
    bool have_u = false, have_t = false, have_v = false, have_ts = false;
    memset (ev, 0, sizeof *ev);
    for (size_t i = 0; i < fields->elements; i += 2) {
        const redisReply *k = fields->element[i], *v = fields->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            return false;
        if (k->len == 1 && k->str[0] == 'u')
            have_u = s_copy_field (ev->user_id, sizeof ev->user_id, v);
        else if (k->len == 1 && k->str[0] == 'v')
            have_v = s_copy_field (ev->value, sizeof ev->value, v);
        else if (k->len == 1 && k->str[0] == 't') {
            ev->type = v->len == 1 ? s_type_of (v->str[0]) : 0;
            have_t = ev->type != 0;
        }
        else if (k->len == 2 && memcmp (k->str, "ts", 2) == 0) {
            char *end;
            char num[24];
            have_ts = s_copy_field (num, sizeof num, v);
            ev->ts_ms = have_ts ? strtoll (num, &end, 10) : 0;
            have_ts = have_ts && *end == 0 && ev->ts_ms >= 0;
        }
    }
    return have_u && have_t && (have_v || ev->type == HR_EVENT_ERASE) && have_ts;
}

//  One XREAD of up to max entries after last_id, blocking up to block_ms
//  (0: not at all).
static int
s_read_once (hr_events_reader_t *self, hr_event_t *out, int max, int block_ms)
{
    char count[16], block[16];
    snprintf (count, sizeof count, "%d", max);
    redisReply *r;
    if (block_ms > 0) {
        hr_redis_set_reply_timeout (self->redis, block_ms + HR_EVENTS_REPLY_SLACK_MS);
        snprintf (block, sizeof block, "%d", block_ms);
        r = hr_redis_command (self->redis, "XREAD COUNT %s BLOCK %s STREAMS %s %s",
                              count, block, HR_EVENTS_STREAM, self->last_id);
    }
    else   // BLOCK 0 would wait forever
        r = hr_redis_command (self->redis, "XREAD COUNT %s STREAMS %s %s",
                              count, HR_EVENTS_STREAM, self->last_id);
    if (!r)
        return -1;
    if (r->type == REDIS_REPLY_NIL) {
        freeReplyObject (r);
        return 0;
    }
    if (r->type != REDIS_REPLY_ARRAY) {
        hr_log_kv (HR_LOG_WARN, NULL, "event stream read failed", "error",
                   r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply", NULL);
        freeReplyObject (r);
        return -1;
    }
    int n = 0;
    for (size_t s = 0; s < r->elements; s++) {
        const redisReply *stream = r->element[s];
        if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2
            || stream->element[1]->type != REDIS_REPLY_ARRAY)
            continue;
        const redisReply *entries = stream->element[1];
        for (size_t e = 0; e < entries->elements && n < max; e++) {
            const redisReply *entry = entries->element[e];
            if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2
                || entry->element[0]->type != REDIS_REPLY_STRING
                || entry->element[0]->len >= sizeof self->last_id) {
                self->malformed++;
                hr_counter_inc (self->malformed_counter);
                continue;
            }
            //  Consumed even when malformed: it will not get better
            snprintf (self->last_id, sizeof self->last_id, "%s", entry->element[0]->str);
            if (s_parse_fields (entry->element[1], &out[n]))
                n++;
            else {
                self->malformed++;
                hr_counter_inc (self->malformed_counter);
            }
        }
    }
    freeReplyObject (r);
    return n;
}

void
hr_events_reader_gather (hr_events_reader_t *self, int window_ms)
{
    assert (self);
    self->gather_ms = window_ms > 0 ? window_ms : 0;
}

int
hr_events_read (hr_events_reader_t *self, hr_event_t *out, int max, int block_ms)
{
    assert (self);
    assert (out || max <= 0);
    if (max <= 0)
        return 0;
    if (strcmp (self->last_id, "$") == 0 && s_resolve_dollar (self) != 0)
        return -1;
    int n = s_read_once (self, out, max, block_ms);
    if (n <= 0 || n >= max || self->gather_ms == 0)
        return n;
    //  The window: let the events of the next gather_ms pile up, then take
    //  them in one read (a failure now keeps what was read: it is consumed)
    struct timespec window = { self->gather_ms / 1000, (long) (self->gather_ms % 1000) * 1000000L };
    nanosleep (&window, NULL);
    int more = s_read_once (self, out + n, max - n, 0);
    return more > 0 ? n + more : n;
}

/* ------------------------------------------------------------ erasure */

#define ERASE_SCAN_CHUNK 5000

/*  The entry's "u" field is user_id.  */
static bool
s_entry_of_user (const redisReply *entry, const char *user_id, size_t ulen)
{
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2
        || entry->element[0]->type != REDIS_REPLY_STRING)
        return false;
    const redisReply *f = entry->element[1];
    if (f->type != REDIS_REPLY_ARRAY)
        return false;
    for (size_t i = 0; i + 1 < f->elements; i += 2) {
        const redisReply *k = f->element[i], *v = f->element[i + 1];
        if (k->type == REDIS_REPLY_STRING && k->len == 1 && k->str[0] == 'u')
            return v->type == REDIS_REPLY_STRING && v->len == ulen && memcmp (v->str, user_id, ulen) == 0;
    }
    return false;
}

/*  XDELs the user's entries among one XRANGE chunk; -1 when Redis failed. */
static long
s_erase_chunk (hr_redis_t *redis, const redisReply *entries, const char *user_id)
{
    const char **argv = malloc ((2 + entries->elements) * sizeof *argv);
    size_t *lens = malloc ((2 + entries->elements) * sizeof *lens);
    if (!argv || !lens) {
        free (argv);
        free (lens);
        return -1;
    }
    int argc = 0;
    argv[argc] = "XDEL", lens[argc++] = 4;
    argv[argc] = HR_EVENTS_STREAM, lens[argc++] = strlen (HR_EVENTS_STREAM);
    size_t ulen = strlen (user_id);
    for (size_t i = 0; i < entries->elements; i++)
        if (s_entry_of_user (entries->element[i], user_id, ulen)) {
            argv[argc] = entries->element[i]->element[0]->str;
            lens[argc++] = entries->element[i]->element[0]->len;
        }
    redisReply *r = argc > 2 ? hr_redis_argv (redis, argc, argv, lens) : NULL;
    free (argv);
    free (lens);
    if (argc == 2)
        return 0;
    long n = r && r->type == REDIS_REPLY_INTEGER ? (long) r->integer : -1;
    if (r)
        freeReplyObject (r);
    return n;
}

long
hr_events_erase_user (hr_redis_t *redis, const char *user_id, int64_t now_ms)
{
    assert (user_id && user_id[0]);
    if (!redis)
        return -1;
    char start[80] = "-", count[16];
    snprintf (count, sizeof count, "%d", ERASE_SCAN_CHUNK);
    long deleted = 0;
    for (;;) {
        redisReply *r = hr_redis_command (redis, "XRANGE %s %s + COUNT %s", HR_EVENTS_STREAM,
                                          start, count);
        if (!r || r->type != REDIS_REPLY_ARRAY) {
            if (r)
                freeReplyObject (r);
            return -1;
        }
        long n = s_erase_chunk (redis, r, user_id);
        size_t got = r->elements;
        const redisReply *last = got ? r->element[got - 1] : NULL;
        bool more = got == ERASE_SCAN_CHUNK && last->type == REDIS_REPLY_ARRAY
                    && last->elements == 2 && last->element[0]->type == REDIS_REPLY_STRING
                    && last->element[0]->len < sizeof start - 2;
        if (more)       /* exclusive start after the last entry read */
            snprintf (start, sizeof start, "(%.*s", (int) last->element[0]->len, last->element[0]->str);
        freeReplyObject (r);
        if (n < 0)
            return -1;
        deleted += n;
        if (!more)
            break;
    }
    char ts[24], maxlen[24];
    snprintf (ts, sizeof ts, "%" PRId64, now_ms);
    snprintf (maxlen, sizeof maxlen, "%d", HR_EVENTS_MAXLEN);
    redisReply *r = hr_redis_command (redis, "XADD %s MAXLEN ~ %s * u %s t x ts %s",
                                      HR_EVENTS_STREAM, maxlen, user_id, ts);
    int rc = r && r->type == REDIS_REPLY_STRING ? 0 : -1;
    if (r)
        freeReplyObject (r);
    return rc == 0 ? deleted : -1;
}
