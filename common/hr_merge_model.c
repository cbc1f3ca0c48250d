/*  hr_merge_model — calibrated sources for the merge (see hr_merge_model.h). */
#include "hr_merge_model.h"
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hr_wire.h"

const char *const hr_home_source_names[HR_HOME_SOURCES] = {
    "content_clicked", "collab", "rules", "content_search", "diverse", "seqrules",
};
const char *const hr_home_source_signals[HR_HOME_SOURCES] = {
    "clicked", "clicked", "clicked", "search", "diverse", "clicked",
};

#define FORMAT 1
static const char s_magic[4] = { 'H', 'R', 'M', 'M' };
/*  The first rank of each bucket.  */
static const uint32_t s_first[HR_MERGE_MODEL_BUCKETS] = {
    1, 2, 3, 4, 6, 9, 14, 22, 35, 56, 101, 201,
};

typedef struct {
    char name[HR_MERGE_MODEL_NAME_MAX + 1];
    double weight;
    double p[HR_MERGE_MODEL_BUCKETS];
    float table[HR_MERGE_MODEL_RANKS];
} source_t;

struct hr_merge_model {
    source_t src[HR_MERGE_MAX_SOURCES];
    int n;
    float mean_table[HR_MERGE_MODEL_RANKS];     /* for sources it does not name */
};

hr_merge_model_t *
hr_merge_model_new (void)
{
    return calloc (1, sizeof (hr_merge_model_t));
}

void
hr_merge_model_destroy (hr_merge_model_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

int
hr_merge_model_bucket (uint32_t rank)
{
    int b = 0;
    while (b + 1 < HR_MERGE_MODEL_BUCKETS && rank >= s_first[b + 1])
        b++;
    return b;
}

uint32_t
hr_merge_model_bucket_first (int bucket)
{
    return bucket >= 0 && bucket < HR_MERGE_MODEL_BUCKETS ? s_first[bucket] : 0;
}

static bool
s_valid_name (const char *name, size_t len)
{
    if (len == 0 || len > HR_MERGE_MODEL_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || name[i] == '_'))
            return false;
    return true;
}

static bool
s_valid_numbers (double weight, const double *p)
{
    if (!isfinite (weight) || weight < 0 || weight > 1000)
        return false;
    for (int b = 0; b < HR_MERGE_MODEL_BUCKETS; b++)
        if (!isfinite (p[b]) || p[b] < 0 || p[b] > 1)
            return false;
    return true;
}

static void
s_tables (hr_merge_model_t *self)
{
    for (int r = 1; r <= HR_MERGE_MODEL_RANKS; r++) {
        int b = hr_merge_model_bucket ((uint32_t) r);
        double sum = 0;
        for (int i = 0; i < self->n; i++) {
            self->src[i].table[r - 1] = (float) self->src[i].p[b];
            sum += self->src[i].p[b];
        }
        self->mean_table[r - 1] = self->n ? (float) (sum / self->n) : 0;
    }
}

int
hr_merge_model_set (hr_merge_model_t *self, const char *name, double weight,
                    const double p[HR_MERGE_MODEL_BUCKETS])
{
    if (!self || !name || !p || !s_valid_name (name, strlen (name)) || !s_valid_numbers (weight, p))
        return -1;
    int i = hr_merge_model_find (self, name);
    if (i < 0) {
        if (self->n == HR_MERGE_MAX_SOURCES)
            return -1;
        i = self->n++;
    }
    source_t *s = &self->src[i];
    snprintf (s->name, sizeof s->name, "%s", name);
    s->weight = weight;
    memcpy (s->p, p, sizeof s->p);
    s_tables (self);
    return 0;
}

int
hr_merge_model_count (const hr_merge_model_t *self)
{
    return self ? self->n : 0;
}

int
hr_merge_model_find (const hr_merge_model_t *self, const char *name)
{
    for (int i = 0; self && name && i < self->n; i++)
        if (strcmp (self->src[i].name, name) == 0)
            return i;
    return -1;
}

const char *
hr_merge_model_name (const hr_merge_model_t *self, int i)
{
    return self && i >= 0 && i < self->n ? self->src[i].name : NULL;
}

double
hr_merge_model_weight (const hr_merge_model_t *self, int i)
{
    return self && i >= 0 && i < self->n ? self->src[i].weight : 0;
}

double
hr_merge_model_p (const hr_merge_model_t *self, int i, int bucket)
{
    if (!self || i < 0 || i >= self->n || bucket < 0 || bucket >= HR_MERGE_MODEL_BUCKETS)
        return 0;
    return self->src[i].p[bucket];
}

void
hr_merge_model_apply (const hr_merge_model_t *self, const char *const *names,
                      hr_merge_source_t *src, int nsrc)
{
    for (int k = 0; self && k < nsrc; k++) {
        int i = hr_merge_model_find (self, names[k]);
        src[k].rank_value = i >= 0 ? self->src[i].table : self->mean_table;
        src[k].nrank_value = HR_MERGE_MODEL_RANKS;
        if (i >= 0)
            src[k].weight *= self->src[i].weight;
    }
}

void *
hr_merge_model_encode (const hr_merge_model_t *self, size_t *len)
{
    if (!self || !len)
        return NULL;
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_bytes (&w, s_magic, sizeof s_magic);
    hr_put_u32 (&w, FORMAT);
    hr_put_u32 (&w, HR_MERGE_MODEL_BUCKETS);
    hr_put_u32 (&w, (uint32_t) self->n);
    for (int i = 0; i < self->n; i++) {
        hr_put_cstr (&w, self->src[i].name);
        hr_put_f64 (&w, self->src[i].weight);
        for (int b = 0; b < HR_MERGE_MODEL_BUCKETS; b++)
            hr_put_f64 (&w, self->src[i].p[b]);
    }
    if (w.oom) {
        hr_writer_free (&w);
        return NULL;
    }
    *len = w.len;
    return w.data;              /* the writer's buffer is malloc'd: handed over */
}

static hr_merge_model_t *
s_reject (hr_merge_model_t *m, char *err, size_t errlen, const char *why)
{
    if (err && errlen)
        snprintf (err, errlen, "merge model: %s", why);
    hr_merge_model_destroy (&m);
    return NULL;
}

hr_merge_model_t *
hr_merge_model_decode (const void *blob, size_t len, char *err, size_t errlen)
{
    if (!blob || len < sizeof s_magic || memcmp (blob, s_magic, sizeof s_magic) != 0)
        return s_reject (NULL, err, errlen, "not a merge model (magic)");
    hr_reader_t r;
    hr_reader_init (&r, (const char *) blob + sizeof s_magic, len - sizeof s_magic);
    uint32_t format = hr_get_u32 (&r), buckets = hr_get_u32 (&r), n = hr_get_u32 (&r);
    if (!hr_reader_ok (&r) || format != FORMAT)
        return s_reject (NULL, err, errlen, "unknown format");
    if (buckets != HR_MERGE_MODEL_BUCKETS)
        return s_reject (NULL, err, errlen, "unexpected number of rank buckets");
    if (n == 0 || n > HR_MERGE_MAX_SOURCES)
        return s_reject (NULL, err, errlen, "bad number of sources");
    hr_merge_model_t *m = hr_merge_model_new ();
    if (!m)
        return s_reject (NULL, err, errlen, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        size_t nlen;
        const char *name = hr_get_str (&r, &nlen);
        double weight = hr_get_f64 (&r), p[HR_MERGE_MODEL_BUCKETS];
        for (int b = 0; b < HR_MERGE_MODEL_BUCKETS; b++)
            p[b] = hr_get_f64 (&r);
        if (!hr_reader_ok (&r))
            return s_reject (m, err, errlen, "truncated");
        if (!s_valid_name (name, nlen))
            return s_reject (m, err, errlen, "bad source name");
        char copy[HR_MERGE_MODEL_NAME_MAX + 1];
        memcpy (copy, name, nlen);
        copy[nlen] = '\0';
        if (hr_merge_model_find (m, copy) >= 0)
            return s_reject (m, err, errlen, "a source named twice");
        if (hr_merge_model_set (m, copy, weight, p) != 0)
            return s_reject (m, err, errlen, "a weight or calibration out of range");
    }
    if (!hr_reader_done (&r))
        return s_reject (m, err, errlen, "trailing bytes");
    return m;
}
