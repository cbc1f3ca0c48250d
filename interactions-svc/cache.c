/*  interactions — the Redis history cache (see cache.h).                   */
#include "cache.h"
#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "event.h"

#define KEY_MAX (sizeof INTER_CACHE_FENCE_PREFIX + HR_USER_ID_MAX + 1)

static void
s_key (char *key, const char *user_id)
{
    snprintf (key, KEY_MAX, INTER_CACHE_KEY_PREFIX "%s", user_id);
}

static void
s_fence_key (char *key, const char *user_id)
{
    snprintf (key, KEY_MAX, INTER_CACHE_FENCE_PREFIX "%s", user_id);
}

//  The write path's commands, in RESP: their constant pieces are written
//  as they are, and each key argument once per event.
#define S_LIT(buf, text) hr_strbuf_put (buf, text, sizeof text - 1)
#define ARG_MAX (8 + KEY_MAX)
_Static_assert (KEY_MAX < 100, "s_key_arg writes at most two length digits");

//  The RESP argument "$<len>\r\n<prefix><user id>\r\n" into out; its length.
static size_t
s_key_arg (char *out, const char *prefix, size_t plen, const char *user_id)
{
    size_t ulen = strnlen (user_id, HR_USER_ID_MAX + 1);
    size_t klen = plen + ulen;          /* at most 2 digits: KEY_MAX < 100 */
    char *p = out;
    *p++ = '$';
    if (klen >= 10)
        *p++ = (char) ('0' + klen / 10);
    *p++ = (char) ('0' + klen % 10);
    *p++ = '\r', *p++ = '\n';
    memcpy (p, prefix, plen);
    memcpy (p + plen, user_id, ulen);
    p += klen;
    *p++ = '\r', *p++ = '\n';
    return (size_t) (p - out);
}

#define S_LIST_ARG(out, user)  s_key_arg (out, INTER_CACHE_KEY_PREFIX, sizeof INTER_CACHE_KEY_PREFIX - 1, user)
#define S_FENCE_ARG(out, user) s_key_arg (out, INTER_CACHE_FENCE_PREFIX, sizeof INTER_CACHE_FENCE_PREFIX - 1, user)

//  A non-negative integer argument in RESP, into out (room for 32); its
//  length.  Without snprintf: a batch is often one event at low load.
static size_t
s_int_arg (char *out, long long v)
{
    assert (v >= 0);
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char) ('0' + v % 10);
        v /= 10;
    } while (v);
    char *p = out;
    *p++ = '$';
    if (n >= 10)
        *p++ = (char) ('0' + n / 10);
    *p++ = (char) ('0' + n % 10);
    *p++ = '\r', *p++ = '\n';
    while (n)
        *p++ = digits[--n];
    *p++ = '\r', *p++ = '\n';
    return (size_t) (p - out);
}

//  The fences' INCR + EXPIRE (raise) or DECR (lower) of every event
static int
s_put_fences (hr_strbuf_t *buf, hr_event_t *const *events, int n, bool raise, int ttl_s)
{
    char ttl[32];
    size_t ttl_len = s_int_arg (ttl, ttl_s);
    for (int i = 0; i < n; i++) {
        char fence[ARG_MAX];
        size_t flen = S_FENCE_ARG (fence, events[i]->user_id);
        if ((raise ? S_LIT (buf, "*2\r\n$4\r\nINCR\r\n") : S_LIT (buf, "*2\r\n$4\r\nDECR\r\n")) != 0
        ||  hr_strbuf_put (buf, fence, flen) != 0)
            return -1;
        if (raise
        && (S_LIT (buf, "*3\r\n$6\r\nEXPIRE\r\n") != 0
        ||  hr_strbuf_put (buf, fence, flen) != 0
        ||  hr_strbuf_put (buf, ttl, ttl_len) != 0))
            return -1;
    }
    return 0;
}

int
inter_cache_fence_raise (hr_redis_t *redis, hr_strbuf_t *buf, hr_event_t *const *events,
                         int n, int ttl_s)
{
    assert (redis && buf);
    buf->len = 0;
    if (n == 0)
        return 0;
    if (s_put_fences (buf, events, n, true, ttl_s) != 0
    ||  hr_redis_append_resp (redis, buf->buf, buf->len) != 0)
        return -1;
    return inter_cache_drain (redis, 2 * n);
}

void
inter_cache_fence_lower (hr_redis_t *redis, hr_strbuf_t *buf, hr_event_t *const *events, int n)
{
    assert (redis && buf);
    buf->len = 0;
    if (n > 0 && s_put_fences (buf, events, n, false, 0) == 0
    &&  hr_redis_append_resp (redis, buf->buf, buf->len) == 0)
        inter_cache_drain (redis, n);
}

int
inter_cache_drain (hr_redis_t *redis, int expected)
{
    int rc = 0;
    for (int i = 0; i < expected; i++) {
        redisReply *r;
        if (hr_redis_get_reply (redis, &r) != 0)
            return -1;          // connection gone: the rest went with it
        if (r->type == REDIS_REPLY_ERROR)
            rc = -1;
        freeReplyObject (r);
    }
    return rc;
}

int
inter_cache_put_push (hr_strbuf_t *buf, hr_event_t *const *events, int n, int cache_len)
{
    assert (buf);
    size_t mark = buf->len;
    char stop[32], ttl[32];
    size_t stop_len = s_int_arg (stop, cache_len - 1);
    size_t ttl_len = s_int_arg (ttl, INTER_CACHE_TTL_S);
    for (int i = 0; i < n; i++) {
        char list[ARG_MAX], fence[ARG_MAX], elem[INTER_CACHE_ELEM_MAX];
        size_t llen = S_LIST_ARG (list, events[i]->user_id);
        size_t flen = S_FENCE_ARG (fence, events[i]->user_id);
        size_t len = inter_event_encode (events[i], elem, sizeof elem);
        if (S_LIT (buf, "*3\r\n$5\r\nLPUSH\r\n") != 0 || hr_strbuf_put (buf, list, llen) != 0
        ||  hr_resp_arg (buf, elem, len) != 0
        ||  S_LIT (buf, "*4\r\n$5\r\nLTRIM\r\n") != 0 || hr_strbuf_put (buf, list, llen) != 0
        ||  S_LIT (buf, "$1\r\n0\r\n") != 0 || hr_strbuf_put (buf, stop, stop_len) != 0
        ||  S_LIT (buf, "*3\r\n$6\r\nEXPIRE\r\n") != 0 || hr_strbuf_put (buf, list, llen) != 0
        ||  hr_strbuf_put (buf, ttl, ttl_len) != 0
        //  after the push, on the same connection: a refill that sees the
        //  fence down sees the list with this event
        ||  S_LIT (buf, "*2\r\n$4\r\nDECR\r\n") != 0 || hr_strbuf_put (buf, fence, flen) != 0) {
            buf->len = mark;
            return -1;
        }
    }
    return 0;
}

//  One element beyond `limit` tells whether the list reaches further
#define S_READ_FMT "LRANGE %s 0 %u"

//  An LRANGE reply (freed here) read as inter_cache_read answers.
static int
s_read_parse (redisReply *r, const char *user_id, int64_t since_ms, uint32_t limit,
              hr_event_t *out, uint32_t *n)
{
    if (r->type != REDIS_REPLY_ARRAY) {
        freeReplyObject (r);
        return -1;
    }
    uint32_t count = 0;
    bool reaches = false;       // the list provably covers the window / limit
    for (size_t i = 0; i < r->elements && !reaches; i++) {
        const redisReply *e = r->element[i];
        if (e->type != REDIS_REPLY_STRING)
            continue;
        if (inter_event_is_complete_marker (e->str, e->len)) {
            reaches = true;
            break;
        }
        hr_event_t ev;
        if (inter_event_decode (e->str, e->len, &ev) != 0)
            continue;           // a foreign element: ignore rather than fail
        if (ev.ts_ms <= since_ms)
            reaches = true;     // older than the window: the window is covered
        else
        if (count == limit)
            reaches = true;     // one more than asked for: limit is covered
        else {
            snprintf (ev.user_id, sizeof ev.user_id, "%s", user_id);
            out[count++] = ev;
        }
    }
    if (count == limit)
        reaches = true;
    freeReplyObject (r);
    if (!reaches)
        return 0;
    *n = count;
    return 1;
}

int
inter_cache_read_send (hr_redis_t *redis, const char *user_id, uint32_t limit)
{
    assert (redis);
    char key[KEY_MAX];
    s_key (key, user_id);
    return hr_redis_append (redis, S_READ_FMT, key, limit);
}

int
inter_cache_read_take (hr_redis_t *redis, const char *user_id, int64_t since_ms,
                       uint32_t limit, hr_event_t *out, uint32_t *n)
{
    assert (redis);
    redisReply *r;
    if (hr_redis_get_reply (redis, &r) != 0)
        return -1;
    return s_read_parse (r, user_id, since_ms, limit, out, n);
}

int
inter_cache_read (hr_redis_t *redis, const char *user_id, int64_t since_ms,
                  uint32_t limit, hr_event_t *out, uint32_t *n)
{
    assert (redis);
    char key[KEY_MAX];
    s_key (key, user_id);
    redisReply *r = hr_redis_command (redis, S_READ_FMT, key, limit);
    if (!r)
        return -1;
    return s_read_parse (r, user_id, since_ms, limit, out, n);
}

int
inter_cache_refill_begin (hr_redis_t *redis, const char *user_id)
{
    char key[KEY_MAX], fence[KEY_MAX];
    s_key (key, user_id);
    s_fence_key (fence, user_id);
    redisReply *r = hr_redis_command (redis, "WATCH %s %s", key, fence);
    if (!r)
        return -1;
    int rc = r->type == REDIS_REPLY_ERROR ? -1 : 0;
    freeReplyObject (r);
    if (rc != 0)
        return -1;
    r = hr_redis_command (redis, "GET %s", fence);
    if (!r)
        return -1;
    if (r->type == REDIS_REPLY_ERROR)
        rc = -1;
    else
    if (r->type == REDIS_REPLY_STRING && atol (r->str) > 0)
        rc = 1;
    freeReplyObject (r);
    if (rc != 0)
        inter_cache_refill_abort (redis);
    return rc;
}

int
inter_cache_refill_end (hr_redis_t *redis, const char *user_id,
                        const hr_event_t *events, int n, int cache_len)
{
    char key[KEY_MAX];
    s_key (key, user_id);
    if (n > cache_len)
        n = cache_len;
    int sent = 0;
    if (hr_redis_append (redis, "MULTI") != 0)
        return -1;
    sent++;
    if (hr_redis_append (redis, "DEL %s", key) != 0)
        goto broken;
    sent++;
    for (int i = 0; i < n; i++) {
        char elem[INTER_CACHE_ELEM_MAX];
        size_t len = inter_event_encode (&events[i], elem, sizeof elem);
        if (hr_redis_append (redis, "RPUSH %s %b", key, elem, len) != 0)
            goto broken;
        sent++;
    }
    if (n < cache_len) {
        if (hr_redis_append (redis, "RPUSH %s %s", key, INTER_CACHE_COMPLETE) != 0)
            goto broken;
        sent++;
    }
    if (hr_redis_append (redis, "EXPIRE %s %d", key, INTER_CACHE_TTL_S) != 0
    ||  hr_redis_append (redis, "EXEC") != 0)
        goto broken;
    sent += 2;
    //  EXEC answers nil when the WATCHed key changed: that is fine, the
    //  next read refills again
    return inter_cache_drain (redis, sent);
broken:
    inter_cache_drain (redis, sent);
    return -1;
}

void
inter_cache_refill_abort (hr_redis_t *redis)
{
    redisReply *r = hr_redis_command (redis, "UNWATCH");
    if (r)
        freeReplyObject (r);
}

int
inter_cache_erase (hr_redis_t *redis, const char *user_id)
{
    char key[KEY_MAX];
    s_key (key, user_id);
    int sent = 0;
    if (hr_redis_append (redis, "MULTI") == 0 && ++sent
        && hr_redis_append (redis, "DEL %s", key) == 0 && ++sent
        && hr_redis_append (redis, "RPUSH %s %s", key, INTER_CACHE_COMPLETE) == 0 && ++sent
        && hr_redis_append (redis, "EXPIRE %s %d", key, INTER_CACHE_TTL_S) == 0 && ++sent
        && hr_redis_append (redis, "EXEC") == 0)
        sent++;
    int rc = sent == 5 ? 0 : -1;
    for (int i = 0; i < sent; i++) {
        redisReply *r = NULL;
        if (hr_redis_get_reply (redis, &r) != 0 || !r) {
            rc = -1;
            continue;
        }
        if (i == 4)     /* EXEC: [DEL, RPUSH, EXPIRE] */
            rc = rc == 0 && r->type == REDIS_REPLY_ARRAY && r->elements == 3
                 && r->element[0]->type == REDIS_REPLY_INTEGER ? (r->element[0]->integer > 0) : -1;
        else if (r->type == REDIS_REPLY_ERROR)
            rc = -1;
        freeReplyObject (r);
    }
    return rc;
}

int
inter_cache_forget (hr_redis_t *redis, char (*user_ids)[HR_USER_ID_MAX + 1], int n)
{
    int sent = 0;
    for (int i = 0; i < n; i++) {
        char key[KEY_MAX];
        s_key (key, user_ids[i]);
        if (hr_redis_append (redis, "DEL %s", key) != 0)
            break;
        sent++;
    }
    int rc = inter_cache_drain (redis, sent);
    return rc == 0 && sent == n ? 0 : -1;
}

int
inter_cache_forget_all (hr_redis_t *redis)
{
    char cursor[32] = "0";
    do {
        redisReply *r = hr_redis_command (redis, "SCAN %s MATCH %s* COUNT 1000",
                                          cursor, INTER_CACHE_KEY_PREFIX);
        if (!r)
            return -1;
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 2
        ||  r->element[0]->type != REDIS_REPLY_STRING) {
            freeReplyObject (r);
            return -1;
        }
        snprintf (cursor, sizeof cursor, "%s", r->element[0]->str);
        const redisReply *keys = r->element[1];
        int sent = 0;
        for (size_t i = 0; i < keys->elements; i++)
            if (hr_redis_append (redis, "UNLINK %b", keys->element[i]->str,
                                 keys->element[i]->len) == 0)
                sent++;
        freeReplyObject (r);
        if (inter_cache_drain (redis, sent) != 0)
            return -1;
    } while (strcmp (cursor, "0") != 0);
    return 0;
}
