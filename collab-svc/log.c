/*  collab_log — see log.h.  */
#include "log.h"
#include "hr_array.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t session;
    int64_t ts_ms;
    uint32_t item;
    uint32_t seq;               /* input order: keeps equal-time clicks stable */
} row_t;

struct collab_rows {
    row_t *rows;
    size_t n, cap;
};

collab_rows_t *
collab_rows_new (void)
{
    return calloc (1, sizeof (collab_rows_t));
}

void
collab_rows_destroy (collab_rows_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free ((*self_p)->rows);
        free (*self_p);
        *self_p = NULL;
    }
}

int
collab_rows_add (collab_rows_t *self, uint64_t session, int64_t ts_ms, uint32_t item)
{
    if (hr_array_grow (&self->rows, sizeof *self->rows, self->n, &self->cap, 4096) != 0)
        return -1;
    self->rows[self->n] = (row_t) { session, ts_ms, item, (uint32_t) self->n };
    self->n++;
    return 0;
}

size_t
collab_rows_count (const collab_rows_t *self)
{
    return self->n;
}

static int
s_row_cmp (const void *a, const void *b)
{
    const row_t *x = a, *y = b;
    if (x->session != y->session)
        return x->session < y->session ? -1 : 1;
    if (x->ts_ms != y->ts_ms)
        return x->ts_ms < y->ts_ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static collab_log_t *
s_log_alloc (uint32_t n_sessions, uint32_t n_events)
{
    collab_log_t *log = calloc (1, sizeof *log);
    if (!log)
        return NULL;
    log->start = malloc ((n_sessions + 1) * sizeof *log->start);
    log->item = malloc ((n_events ? n_events : 1) * sizeof *log->item);
    log->ts_ms = malloc ((n_events ? n_events : 1) * sizeof *log->ts_ms);
    if (!log->start || !log->item || !log->ts_ms) {
        collab_log_destroy (&log);
        return NULL;
    }
    log->start[0] = 0;
    return log;
}

collab_log_t *
collab_rows_build (collab_rows_t *self, uint32_t min_len)
{
    if (self->n)        //  no rows yet: rows may be NULL, which qsort must not see
        qsort (self->rows, self->n, sizeof *self->rows, s_row_cmp);
    size_t n_sessions = 0;
    for (size_t i = 0; i < self->n; i++)
        if (i == 0 || self->rows[i].session != self->rows[i - 1].session)
            n_sessions++;
    collab_log_t *log = s_log_alloc ((uint32_t) n_sessions, (uint32_t) self->n);
    if (!log)
        return NULL;
    for (size_t i = 0; i < self->n; ) {
        size_t j = i;
        while (j < self->n && self->rows[j].session == self->rows[i].session)
            j++;
        if (j - i >= min_len) {
            for (size_t k = i; k < j; k++) {
                log->item[log->n_events] = self->rows[k].item;
                log->ts_ms[log->n_events] = self->rows[k].ts_ms;
                log->n_events++;
            }
            log->start[++log->n_sessions] = log->n_events;
        }
        i = j;
    }
    return log;
}

void
collab_log_destroy (collab_log_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free ((*self_p)->start);
        free ((*self_p)->item);
        free ((*self_p)->ts_ms);
        free (*self_p);
        *self_p = NULL;
    }
}

int64_t
collab_log_min_ts (const collab_log_t *self)
{
    int64_t t = INT64_MAX;
    for (uint32_t i = 0; i < self->n_events; i++)
        if (self->ts_ms[i] < t)
            t = self->ts_ms[i];
    return t;
}

int64_t
collab_log_max_ts (const collab_log_t *self)
{
    int64_t t = INT64_MIN;
    for (uint32_t i = 0; i < self->n_events; i++)
        if (self->ts_ms[i] > t)
            t = self->ts_ms[i];
    return t;
}

/*  Copies the sessions for which keep[s] is true.  */
static collab_log_t *
s_select (const collab_log_t *self, const bool *keep)
{
    uint32_t ns = 0, ne = 0;
    for (uint32_t s = 0; s < self->n_sessions; s++)
        if (keep[s]) {
            ns++;
            ne += collab_log_len (self, s);
        }
    collab_log_t *out = s_log_alloc (ns, ne);
    if (!out)
        return NULL;
    for (uint32_t s = 0; s < self->n_sessions; s++) {
        if (!keep[s])
            continue;
        uint32_t len = collab_log_len (self, s);
        memcpy (out->item + out->n_events, self->item + self->start[s], len * sizeof *out->item);
        memcpy (out->ts_ms + out->n_events, self->ts_ms + self->start[s], len * sizeof *out->ts_ms);
        out->n_events += len;
        out->start[++out->n_sessions] = out->n_events;
    }
    return out;
}

int
collab_log_split (const collab_log_t *self, int64_t t,
                  collab_log_t **before, collab_log_t **after)
{
    bool *keep = malloc ((self->n_sessions + 1) * sizeof *keep);
    if (!keep)
        return -1;
    for (uint32_t s = 0; s < self->n_sessions; s++)
        keep[s] = self->ts_ms[self->start[s + 1] - 1] < t;
    *before = s_select (self, keep);
    for (uint32_t s = 0; s < self->n_sessions; s++)
        keep[s] = !keep[s];
    *after = s_select (self, keep);
    free (keep);
    if (!*before || !*after) {
        collab_log_destroy (before);
        collab_log_destroy (after);
        return -1;
    }
    return 0;
}

collab_log_t *
collab_log_known (const collab_log_t *self, uint32_t n_known, uint32_t min_len)
{
    collab_rows_t *rows = collab_rows_new ();
    if (!rows)
        return NULL;
    for (uint32_t s = 0; s < self->n_sessions; s++)
        for (uint32_t e = self->start[s]; e < self->start[s + 1]; e++)
            if (self->item[e] < n_known && collab_rows_add (rows, s, self->ts_ms[e], self->item[e])) {
                collab_rows_destroy (&rows);
                return NULL;
            }
    collab_log_t *out = collab_rows_build (rows, min_len);
    collab_rows_destroy (&rows);
    return out;
}
