/*  collab_model serialisation (see model.h).  The blob is the arrays as
    they sit in memory (little-endian hosts only, checked at compile time)
    behind a header of counts; loading copies and validates every index, so
    a truncated or corrupt blob fails cleanly.                               */
#include "model.h"
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "blob format is little-endian");

#define MAGIC "HRCOLLB2"
#define MAGIC_V1 "HRCOLLB1"       /* before the sequential rules: loads with empty rule rows */

typedef struct {
    unsigned char *p;
    size_t len, cap;
    bool oom;
} out_t;

static void
s_put (out_t *o, const void *src, size_t n)
{
    if (o->oom)
        return;
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap < o->len + n)
            cap *= 2;
        unsigned char *p = realloc (o->p, cap);
        if (!p) {
            o->oom = true;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
    if (n)
        memcpy (o->p + o->len, src, n);
    o->len += n;
}

#define PUT(o, v) s_put ((o), &(v), sizeof (v))

void *
collab_model_save (const collab_model_t *m, size_t *len)
{
    out_t o = { 0 };
    uint32_t nb = m->nb_start[m->n_items], ss = m->ss_start[m->n_sessions];
    uint32_t inv = m->inv_start[m->n_items], sr = m->sr_start[m->n_items];
    s_put (&o, MAGIC, 8);
    PUT (&o, m->n_items);
    PUT (&o, m->n_sessions);
    PUT (&o, nb);
    PUT (&o, ss);
    PUT (&o, inv);
    PUT (&o, sr);
    PUT (&o, m->params);
    PUT (&o, m->trained_until_ms);
    PUT (&o, m->n_train_events);
    for (uint32_t i = 0; i < m->n_items; i++) {
        char id[COLLAB_ID_MAX + 1] = { 0 };
        strncpy (id, collab_ids_at (m->ids, i), COLLAB_ID_MAX);
        s_put (&o, id, sizeof id);
    }
    s_put (&o, m->pop, m->n_items * sizeof *m->pop);
    s_put (&o, m->nb_start, (m->n_items + 1) * sizeof *m->nb_start);
    s_put (&o, m->nb_item, nb * sizeof *m->nb_item);
    s_put (&o, m->nb_score, nb * sizeof *m->nb_score);
    s_put (&o, m->ss_start, (m->n_sessions + 1) * sizeof *m->ss_start);
    s_put (&o, m->ss_item, ss * sizeof *m->ss_item);
    s_put (&o, m->ss_time, m->n_sessions * sizeof *m->ss_time);
    s_put (&o, m->inv_start, (m->n_items + 1) * sizeof *m->inv_start);
    s_put (&o, m->inv_sess, inv * sizeof *m->inv_sess);
    s_put (&o, m->sr_start, (m->n_items + 1) * sizeof *m->sr_start);
    s_put (&o, m->sr_item, sr * sizeof *m->sr_item);
    s_put (&o, m->sr_count, sr * sizeof *m->sr_count);
    s_put (&o, m->sr_total, m->n_items * sizeof *m->sr_total);
    if (o.oom) {
        free (o.p);
        return NULL;
    }
    *len = o.len;
    return o.p;
}

typedef struct {
    const unsigned char *p, *end;
} in_t;

/*  Copies n elements of size sz into a fresh array (at least one element
    allocated so empty arrays are not NULL).  NULL when truncated or OOM.   */
static void *
s_take (in_t *in, size_t n, size_t sz)
{
    if (n > (size_t) (in->end - in->p) / sz)
        return NULL;
    void *dst = malloc ((n ? n : 1) * sz);
    if (!dst)
        return NULL;
    memcpy (dst, in->p, n * sz);
    in->p += n * sz;
    return dst;
}

static bool
s_get (in_t *in, void *dst, size_t n)
{
    if (n > (size_t) (in->end - in->p))
        return false;
    memcpy (dst, in->p, n);
    in->p += n;
    return true;
}

static bool
s_offsets_ok (const uint32_t *start, uint32_t n, uint32_t total)
{
    if (start[0] != 0 || start[n] != total)
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (start[i] > start[i + 1])
            return false;
    return true;
}

/*  Scores, counts and totals finite and >= 0 (rule counts > 0): the
    scorer adds them.                                                      */
static bool
s_counts_ok (const float *v, uint32_t n, bool zero_ok)
{
    for (uint32_t i = 0; i < n; i++)
        if (!(v[i] < INFINITY) || !(zero_ok ? v[i] >= 0 : v[i] > 0))
            return false;
    return true;
}

static bool
s_below (const uint32_t *v, uint32_t n, uint32_t bound)
{
    for (uint32_t i = 0; i < n; i++)
        if (v[i] >= bound)
            return false;
    return true;
}

collab_model_t *
collab_model_load (const void *blob, size_t len, char *err, size_t errlen)
{
    in_t in = { blob, (const unsigned char *) blob + len };
    char magic[8];
    uint32_t nb, ss, inv, sr = 0;
    bool v1 = false;
    collab_model_t *m = calloc (1, sizeof *m);
    const char *why = "truncated";
    if (!m) {
        snprintf (err, errlen, "out of memory");
        return NULL;
    }
    if (!s_get (&in, magic, 8)
        || (memcmp (magic, MAGIC, 8) != 0 && !(v1 = memcmp (magic, MAGIC_V1, 8) == 0))) {
        why = "not a collab model (bad magic)";
        goto fail;
    }
    if (!s_get (&in, &m->n_items, 4) || !s_get (&in, &m->n_sessions, 4) || !s_get (&in, &nb, 4)
        || !s_get (&in, &ss, 4) || !s_get (&in, &inv, 4) || (!v1 && !s_get (&in, &sr, 4))
        || !s_get (&in, &m->params, sizeof m->params)
        || !s_get (&in, &m->trained_until_ms, 8) || !s_get (&in, &m->n_train_events, 8))
        goto fail;
    if (m->n_items > (size_t) (in.end - in.p) / (COLLAB_ID_MAX + 1)
        || m->n_sessions > (size_t) (in.end - in.p) / 4)
        goto fail;
    m->ids = collab_ids_new (m->n_items);
    if (!m->ids) {
        why = "out of memory";
        goto fail;
    }
    for (uint32_t i = 0; i < m->n_items; i++) {
        char id[COLLAB_ID_MAX + 1];
        if (!s_get (&in, id, sizeof id))
            goto fail;
        size_t idlen = strnlen (id, sizeof id);
        if (idlen > COLLAB_ID_MAX || collab_ids_intern (m->ids, id, idlen) != (int64_t) i) {
            why = "bad or duplicate item id";
            goto fail;
        }
    }
    if (!(m->pop = s_take (&in, m->n_items, 4)) || !(m->nb_start = s_take (&in, m->n_items + 1, 4))
        || !(m->nb_item = s_take (&in, nb, 4)) || !(m->nb_score = s_take (&in, nb, 4))
        || !(m->ss_start = s_take (&in, m->n_sessions + 1, 4)) || !(m->ss_item = s_take (&in, ss, 4))
        || !(m->ss_time = s_take (&in, m->n_sessions, 8))
        || !(m->inv_start = s_take (&in, m->n_items + 1, 4)) || !(m->inv_sess = s_take (&in, inv, 4)))
        goto fail;
    if (v1) {                   /* no rules: empty rows */
        m->sr_start = calloc ((size_t) m->n_items + 1, 4);
        m->sr_item = malloc (4);
        m->sr_count = malloc (4);
        m->sr_total = calloc ((size_t) m->n_items + 1, 4);
        if (!m->sr_start || !m->sr_item || !m->sr_count || !m->sr_total) {
            why = "out of memory";
            goto fail;
        }
    }
    else if (!(m->sr_start = s_take (&in, m->n_items + 1, 4)) || !(m->sr_item = s_take (&in, sr, 4))
             || !(m->sr_count = s_take (&in, sr, 4)) || !(m->sr_total = s_take (&in, m->n_items, 4)))
        goto fail;
    if (in.p != in.end) {
        why = "trailing bytes";
        goto fail;
    }
    if (!s_offsets_ok (m->nb_start, m->n_items, nb) || !s_offsets_ok (m->ss_start, m->n_sessions, ss)
        || !s_offsets_ok (m->inv_start, m->n_items, inv) || !s_offsets_ok (m->sr_start, m->n_items, sr)
        || !s_counts_ok (m->pop, m->n_items, true) || !s_counts_ok (m->nb_score, nb, true)
        || !s_below (m->sr_item, sr, m->n_items) || !s_counts_ok (m->sr_count, sr, false)
        || !s_counts_ok (m->sr_total, m->n_items, true)
        || !s_below (m->nb_item, nb, m->n_items) || !s_below (m->ss_item, ss, m->n_items)
        || !s_below (m->inv_sess, inv, m->n_sessions)) {
        why = "inconsistent offsets or indices";
        goto fail;
    }
    return m;
fail:
    snprintf (err, errlen, "collab model blob: %s", why);
    collab_model_destroy (&m);
    return NULL;
}
