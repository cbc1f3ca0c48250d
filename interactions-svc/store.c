/*  interactions — PostgreSQL storage (see store.h and
    db/migrations/002_interactions.sql).                                    */
#include "store.h"
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hr_log.h"

struct inter_store {
    char *url;
    int statement_timeout_ms;
    hr_pg_t *pg;
    int64_t next_connect_ms;        /* monotonic; no attempt before this */
    char *copy_buf;                 /* COPY rows of one group commit; allocated by
                                       the first insert (readers never insert) */
};

static int64_t
s_mono_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

inter_store_t *
inter_store_new (const char *database_url, int statement_timeout_ms)
{
    assert (database_url);
    inter_store_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->url = strdup (database_url);
    self->statement_timeout_ms = statement_timeout_ms;
    if (!self->url) {
        inter_store_destroy (&self);
        return NULL;
    }
    return self;
}

void
inter_store_destroy (inter_store_t **self_p)
{
    assert (self_p);
    inter_store_t *self = *self_p;
    if (!self)
        return;
    hr_pg_destroy (&self->pg);
    free (self->url);
    free (self->copy_buf);
    free (self);
    *self_p = NULL;
}

static size_t
s_copy_escape (char *out, const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        char c = *s;
        const char *esc = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n"
                        : c == '\r' ? "\\r" : NULL;
        if (esc) {
            out[n++] = esc[0];
            out[n++] = esc[1];
        }
        else
            out[n++] = c;
    }
    return n;
}

//  "YYYY-MM-DD HH:MM:SS." of a second, remembered per thread: consecutive
//  events (a group commit, an import chunk) mostly share their second.
static size_t
s_second_text (int64_t secs, char *out)
{
    static __thread int64_t cached_secs = INT64_MIN;
    static __thread char cached[64];
    static __thread size_t cached_len;
    if (secs != cached_secs) {
        time_t t = (time_t) secs;
        struct tm tm;
        gmtime_r (&t, &tm);
        cached_len = (size_t) snprintf (cached, sizeof cached, "%04d-%02d-%02d %02d:%02d:%02d.",
                                        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                                        tm.tm_hour, tm.tm_min, tm.tm_sec);
        cached_secs = secs;
    }
    memcpy (out, cached, cached_len);
    return cached_len;
}

/*  A timestamp in COPY's text form ("YYYY-MM-DD HH:MM:SS.mmm+00").        */
static size_t
s_timestamp_text (int64_t ms_since_epoch, char *out)
{
    char *p = out;
    int64_t secs = ms_since_epoch >= 0 ? ms_since_epoch / 1000 : (ms_since_epoch - 999) / 1000;
    int ms = (int) (ms_since_epoch - secs * 1000);
    p += s_second_text (secs, p);
    *p++ = (char) ('0' + ms / 100);
    *p++ = (char) ('0' + ms / 10 % 10);
    *p++ = (char) ('0' + ms % 10);
    memcpy (p, "+00", 3);
    return (size_t) (p + 3 - out);
}

size_t
inter_store_copy_row (char *out, const hr_event_t *ev)
{
    char *p = out;
    size_t ulen = strlen (ev->user_id);
    memcpy (p, ev->user_id, ulen);
    p += ulen;
    *p++ = '\t';
    *p++ = (char) ('0' + ev->type);
    *p++ = '\t';
    if (ev->type != HR_EVENT_SEARCH) {
        size_t vlen = strlen (ev->value);
        memcpy (p, ev->value, vlen);
        p += vlen;
        memcpy (p, "\t\\N\t", 4);
        p += 4;
    }
    else {
        memcpy (p, "\\N\t", 3);
        p += 3;
        p += s_copy_escape (p, ev->value);
        *p++ = '\t';
    }
    p += s_timestamp_text (ev->ts_ms, p);
    *p++ = '\t';
    if (ev->client_ts_ms)
        p += s_timestamp_text (ev->client_ts_ms, p);
    else
        memcpy (p, "\\N", 2), p += 2;
    *p++ = '\t';
    size_t rlen = strnlen (ev->rec_id, sizeof ev->rec_id);
    if (rlen)
        memcpy (p, ev->rec_id, rlen), p += rlen;
    else
        memcpy (p, "\\N", 2), p += 2;
    *p++ = '\n';
    return (size_t) (p - out);
}

hr_pg_t *
inter_store_pg (inter_store_t *self)
{
    assert (self);
    if (self->pg)
        return self->pg;
    int64_t now = s_mono_ms ();
    if (now < self->next_connect_ms)
        return NULL;
    self->pg = hr_pg_new (self->url, self->statement_timeout_ms, 0);
    if (!self->pg)
        self->next_connect_ms = now + INTER_STORE_RETRY_MS;
    return self->pg;
}

int
inter_store_insert (inter_store_t *self, hr_event_t *const *events, int n)
{
    assert (self);
    assert (n > 0 && n <= INTER_BATCH_MAX);
    hr_pg_t *pg = inter_store_pg (self);
    if (!pg)
        return -1;
    if (!self->copy_buf
    &&  !(self->copy_buf = malloc ((size_t) INTER_BATCH_MAX * INTER_COPY_ROW_MAX)))
        return -1;
    //  COPY: one statement, so one transaction, and far less work for the
    //  server than an INSERT of n rows x 5 parameters
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += inter_store_copy_row (self->copy_buf + len, events[i]);
    if (hr_pg_copy_begin (pg, INTER_COPY_SQL) != 0)
        return -1;
    if (hr_pg_copy_put (pg, self->copy_buf, len) != 0) {
        hr_pg_copy_end (pg, "group commit failed");
        return -1;
    }
    return hr_pg_copy_end (pg, NULL);
}

int
inter_store_history (inter_store_t *self, const char *user_id, int64_t since_ms,
                     hr_event_t *out, int max)
{
    assert (self);
    hr_pg_t *pg = inter_store_pg (self);
    if (!pg)
        return -1;
    char since[24], limit[16];
    snprintf (since, sizeof since, "%" PRId64, since_ms);
    snprintf (limit, sizeof limit, "%d", max);
    const char *params[] = { user_id, since, limit };
    //  ts DESC, id DESC: events committed in the same millisecond keep
    //  their commit order, as in the cached list
    PGresult *res = hr_pg_exec (pg,
        "SELECT event_type, coalesce(product_id, query),"
        "       floor(extract(epoch FROM ts) * 1000)::bigint"
        "  FROM interactions"
        " WHERE user_id = $1 AND ts > 'epoch'::timestamptz + $2::bigint * interval '1 millisecond'"
        " ORDER BY ts DESC, id DESC LIMIT $3::int", 3, params);
    if (!res)
        return -1;
    int rows = PQntuples (res);
    int n = 0;
    for (int i = 0; i < rows && n < max; i++) {
        hr_event_t *ev = &out[n];
        const char *value = PQgetvalue (res, i, 1);
        size_t vlen = (size_t) PQgetlength (res, i, 1);
        if (vlen == 0 || vlen >= sizeof ev->value)
            continue;       // not writable by us; never trust it blindly
        snprintf (ev->user_id, sizeof ev->user_id, "%s", user_id);
        ev->type = (uint8_t) atoi (PQgetvalue (res, i, 0));
        memcpy (ev->value, value, vlen + 1);
        ev->ts_ms = strtoll (PQgetvalue (res, i, 2), NULL, 10);
        n++;
    }
    PQclear (res);
    return n;
}

long long
inter_store_erase (inter_store_t *self, const char *user_id)
{
    assert (self);
    hr_pg_t *pg = inter_store_pg (self);
    if (!pg)
        return -1;
    const char *params[] = { user_id };
    PGresult *res = hr_pg_exec (pg, "DELETE FROM interactions WHERE user_id = $1", 1, params);
    if (!res)
        return -1;
    long long n = strtoll (PQcmdTuples (res), NULL, 10);
    PQclear (res);
    return n;
}

int
inter_store_maintain (inter_store_t *self, int days_ahead, int retention_days)
{
    assert (self);
    hr_pg_t *pg = inter_store_pg (self);
    if (!pg)
        return -1;
    char ahead[16], keep[16];
    snprintf (ahead, sizeof ahead, "%d", days_ahead);
    snprintf (keep, sizeof keep, "%d", retention_days);
    const char *params[] = { ahead, keep };
    PGresult *res = hr_pg_exec (pg, "SELECT interactions_maintain($1::int, $2::int)", 2, params);
    if (!res)
        return -1;
    int changed = atoi (PQgetvalue (res, 0, 0));
    PQclear (res);
    return changed;
}

int
inter_store_ensure_partitions (hr_pg_t *pg, int64_t from_ms, int64_t to_ms)
{
    char lo[24], hi[24];
    snprintf (lo, sizeof lo, "%" PRId64, from_ms);
    snprintf (hi, sizeof hi, "%" PRId64, to_ms);
    const char *params[] = { lo, hi };
    PGresult *res = hr_pg_exec (pg,
        "SELECT interactions_ensure_partitions("
        " (('epoch'::timestamptz + $1::bigint * interval '1 millisecond') AT TIME ZONE 'UTC')::date,"
        " (('epoch'::timestamptz + $2::bigint * interval '1 millisecond') AT TIME ZONE 'UTC')::date)",
        2, params);
    if (!res)
        return -1;
    PQclear (res);
    return 0;
}
