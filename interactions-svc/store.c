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

#define PARAMS_PER_ROW 5

struct inter_store {
    char *url;
    int statement_timeout_ms;
    hr_pg_t *pg;
    int64_t next_connect_ms;        /* monotonic; no attempt before this */
    //  Scratch for the batched INSERT: built once, reused for every batch
    char *sql;                      /* "... VALUES (...),(...)" for INTER_BATCH_MAX rows */
    size_t *row_end;                /* sql length that covers rows 0..i */
    const char **params;
    char (*type_txt)[4];
    char (*ts_txt)[24];
};

static int64_t
s_mono_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

//  The multi-row INSERT for n rows is a prefix of the one for INTER_BATCH_MAX
//  rows, so one text serves every batch size (terminated in place).
static int
s_build_insert_sql (inter_store_t *self)
{
    const char *head = "INSERT INTO interactions (user_id, event_type, product_id, query, ts) VALUES ";
    size_t cap = strlen (head) + (size_t) INTER_BATCH_MAX * 160 + 1;
    self->sql = malloc (cap);
    self->row_end = malloc (INTER_BATCH_MAX * sizeof *self->row_end);
    if (!self->sql || !self->row_end)
        return -1;
    size_t len = (size_t) snprintf (self->sql, cap, "%s", head);
    for (int i = 0; i < INTER_BATCH_MAX; i++) {
        int p = i * PARAMS_PER_ROW;
        len += (size_t) snprintf (self->sql + len, cap - len,
            "%s($%d,$%d::smallint,$%d,$%d,'epoch'::timestamptz + $%d::bigint * interval '1 millisecond')",
            i ? "," : "", p + 1, p + 2, p + 3, p + 4, p + 5);
        self->row_end[i] = len;
    }
    return 0;
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
    self->params = calloc ((size_t) INTER_BATCH_MAX * PARAMS_PER_ROW, sizeof *self->params);
    self->type_txt = calloc (INTER_BATCH_MAX, sizeof *self->type_txt);
    self->ts_txt = calloc (INTER_BATCH_MAX, sizeof *self->ts_txt);
    if (!self->url || !self->params || !self->type_txt || !self->ts_txt
    ||  s_build_insert_sql (self) != 0) {
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
    free (self->sql);
    free (self->row_end);
    free (self->params);
    free (self->type_txt);
    free (self->ts_txt);
    free (self);
    *self_p = NULL;
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
    for (int i = 0; i < n; i++) {
        const hr_event_t *ev = events[i];
        const char **p = self->params + i * PARAMS_PER_ROW;
        snprintf (self->type_txt[i], sizeof self->type_txt[i], "%u", (unsigned) ev->type);
        snprintf (self->ts_txt[i], sizeof self->ts_txt[i], "%" PRId64, ev->ts_ms);
        p[0] = ev->user_id;
        p[1] = self->type_txt[i];
        p[2] = ev->type == HR_EVENT_CLICK ? ev->value : NULL;
        p[3] = ev->type == HR_EVENT_SEARCH ? ev->value : NULL;
        p[4] = self->ts_txt[i];
    }
    size_t end = self->row_end[n - 1];
    char saved = self->sql[end];
    self->sql[end] = '\0';
    PGresult *res = hr_pg_exec (pg, self->sql, n * PARAMS_PER_ROW, self->params);
    self->sql[end] = saved;
    if (!res)
        return -1;
    PQclear (res);
    return 0;
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
