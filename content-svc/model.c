/*  model — see model.h.  */
#include "model.h"
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
content_model_destroy (content_model_t **self_p)
{
    assert (self_p);
    content_model_t *self = *self_p;
    if (!self)
        return;
    free (self->ids);
    content_vocab_destroy (&self->vocab);
    free (self->idf);
    free (self->emb);
    content_neighbours_free (&self->nb);
    content_learned_free (&self->learned);
    free (self);
    *self_p = NULL;
}

void
content_learned_free (content_learned_t *l)
{
    free (l->rules);
    free (l->boosts);
    memset (l, 0, sizeof *l);
}

void
content_model_encode (const content_model_t *m, hr_writer_t *w)
{
    hr_put_bytes (w, CONTENT_MODEL_MAGIC, 4);
    hr_put_u32 (w, CONTENT_MODEL_FORMAT);
    hr_put_i64 (w, m->catalog_version);
    hr_put_u32 (w, m->n);
    hr_put_bytes (w, m->ids, (size_t) m->n * 10);
    hr_put_f32 (w, m->fields.name);
    hr_put_f32 (w, m->fields.sub_category);
    hr_put_f32 (w, m->fields.main_category);
    uint32_t nt = content_vocab_size (m->vocab);
    hr_put_u32 (w, nt);
    for (uint32_t t = 0; t < nt; t++) {
        uint32_t len;
        const char *s = content_vocab_term (m->vocab, t, &len);
        hr_put_str (w, s, len);
        hr_put_f32 (w, m->idf[t]);
    }
    hr_put_u32 (w, m->emb ? m->dim : 0);
    if (m->emb && m->dim) {
        int8_t q[256];
        assert (m->dim <= 256);
        for (uint32_t t = 0; t < nt; t++) {
            const float *v = m->emb + (uint64_t) t * m->dim;
            float mx = 0;
            for (uint32_t d = 0; d < m->dim; d++)
                if (fabsf (v[d]) > mx)
                    mx = fabsf (v[d]);
            for (uint32_t d = 0; d < m->dim; d++)
                q[d] = mx > 0 ? (int8_t) lrintf (v[d] / mx * 127.0f) : 0;
            hr_put_f32 (w, mx);
            hr_put_bytes (w, q, m->dim);
        }
    }
    hr_put_u32 (w, m->nb.k);
    for (uint32_t i = 0; i < m->n; i++) {
        uint8_t c = m->nb.count ? m->nb.count[i] : 0;
        hr_put_u8 (w, c);
        const uint32_t *idx = m->nb.idx + (uint64_t) i * m->nb.k;
        const float *sc = m->nb.score + (uint64_t) i * m->nb.k;
        for (uint8_t j = 0; j < c; j++)
            hr_put_u32 (w, idx[j]);
        for (uint8_t j = 0; j < c; j++) {
            float s = sc[j] < 0 ? 0 : sc[j] > 1 ? 1 : sc[j];
            uint16_t q = (uint16_t) lrintf (s * 65535.0f);
            hr_put_bytes (w, &(uint8_t[2]) { (uint8_t) q, (uint8_t) (q >> 8) }, 2);
        }
    }
    const content_learned_t *l = &m->learned;
    hr_put_str (w, l->rules ? l->rules : "", l->rules ? l->rules_len : 0);
    hr_put_u32 (w, l->nboosts);
    for (uint32_t k = 0; k < l->nboosts; k++) {
        hr_put_cstr (w, l->boosts[k].query);
        hr_put_bytes (w, l->boosts[k].id, 10);
        hr_put_bytes (w, &(uint8_t[2]) { (uint8_t) l->boosts[k].users,
                                         (uint8_t) (l->boosts[k].users >> 8) }, 2);
    }
}

/*  Format 2's learnt section.  0 / -1 with err.  */
static int
s_decode_learned (content_model_t *m, hr_reader_t *r, char *err, size_t errlen)
{
    content_learned_t *l = &m->learned;
    size_t len;
    const char *rules = hr_get_str (r, &len);
    uint32_t nb = hr_get_count (r, 4 + 10 + 2);
    if (!hr_reader_ok (r) || !rules) {
        snprintf (err, errlen, "truncated learnt section");
        return -1;
    }
    l->rules = malloc (len + 1);
    l->boosts = malloc ((nb ? nb : 1) * sizeof *l->boosts);
    if (!l->rules || !l->boosts) {
        snprintf (err, errlen, "out of memory");
        return -1;
    }
    memcpy (l->rules, rules, len);
    l->rules[len] = '\0';
    l->rules_len = len;
    for (uint32_t k = 0; k < nb; k++) {
        content_boost_t *b = &l->boosts[k];
        memset (b, 0, sizeof *b);
        size_t ql;
        const char *q = hr_get_str (r, &ql);
        if (!q || ql >= sizeof b->query || !hr_reader_ok (r) || (size_t) (r->end - r->p) < 12) {
            snprintf (err, errlen, "truncated learnt boost");
            return -1;
        }
        memcpy (b->query, q, ql);
        memcpy (b->id, r->p, 10);
        b->users = (uint16_t) (r->p[10] | r->p[11] << 8);
        r->p += 12;
        l->nboosts = k + 1;
    }
    return 0;
}

#define FAIL(...) do { snprintf (err, errlen, __VA_ARGS__); goto fail; } while (0)
/*  In the s_decode_* steps: the reason, then -1.  */
#define REFUSE(...) do { snprintf (err, errlen, __VA_ARGS__); return -1; } while (0)

/*  The term table (strings and idf).  0 / -1 with err.  */
static int
s_decode_terms (content_model_t *m, hr_reader_t *r, uint32_t nt, char *err, size_t errlen)
{
    m->vocab = content_vocab_new (nt);
    m->idf = malloc ((size_t) (nt ? nt : 1) * sizeof *m->idf);
    if (!m->vocab || !m->idf)
        REFUSE ("out of memory");
    for (uint32_t t = 0; t < nt; t++) {
        size_t sl;
        const char *s = hr_get_str (r, &sl);
        float idf = hr_get_f32 (r);
        if (!s || !hr_reader_ok (r))
            REFUSE ("truncated term %u", t);
        if (content_vocab_add (m->vocab, s, sl) != (int64_t) t)
            REFUSE ("repeated term %u", t);
        if (!(idf >= 0 && idf < 1e6))
            REFUSE ("bad idf for term %u", t);
        m->idf[t] = idf;
    }
    return 0;
}

/*  The terms' int8 vectors (dimension 0: none).  0 / -1 with err.  */
static int
s_decode_vectors (content_model_t *m, hr_reader_t *r, uint32_t nt, char *err, size_t errlen)
{
    m->dim = hr_get_u32 (r);
    if (!hr_reader_ok (r) || m->dim > 256)
        REFUSE ("bad dimension");
    if (!m->dim)
        return 0;
    if ((size_t) (r->end - r->p) < (size_t) nt * (4 + m->dim))
        REFUSE ("truncated vectors");
    m->emb = malloc ((size_t) (nt ? nt : 1) * m->dim * sizeof *m->emb);
    if (!m->emb)
        REFUSE ("out of memory");
    for (uint32_t t = 0; t < nt; t++) {
        float scale = hr_get_f32 (r);
        if (!(scale >= 0 && scale < 1e6))
            REFUSE ("bad vector scale for term %u", t);
        const int8_t *q = (const int8_t *) r->p;
        for (uint32_t d = 0; d < m->dim; d++)
            m->emb[(uint64_t) t * m->dim + d] = scale * (float) q[d] / 127.0f;
        r->p += m->dim;
    }
    return 0;
}

/*  Every product's neighbours.  0 / -1 with err.  */
static int
s_decode_neighbours (content_model_t *m, hr_reader_t *r, char *err, size_t errlen)
{
    m->nb.k = hr_get_u32 (r);
    if (!hr_reader_ok (r) || m->nb.k > 255)
        REFUSE ("bad neighbour count");
    m->nb.n = m->n;
    uint64_t slots = (uint64_t) (m->n ? m->n : 1) * (m->nb.k ? m->nb.k : 1);
    m->nb.count = calloc (m->n ? m->n : 1, 1);
    m->nb.idx = malloc (slots * sizeof *m->nb.idx);
    m->nb.score = malloc (slots * sizeof *m->nb.score);
    if (!m->nb.count || !m->nb.idx || !m->nb.score)
        REFUSE ("out of memory");
    for (uint32_t i = 0; i < m->n; i++) {
        uint8_t c = hr_get_u8 (r);
        if (!hr_reader_ok (r) || c > m->nb.k || (size_t) (r->end - r->p) < (size_t) c * 6)
            REFUSE ("truncated neighbours of product %u", i);
        uint32_t *idx = m->nb.idx + (uint64_t) i * m->nb.k;
        float *sc = m->nb.score + (uint64_t) i * m->nb.k;
        for (uint8_t j = 0; j < c; j++) {
            idx[j] = hr_get_u32 (r);
            if (idx[j] >= m->n)
                REFUSE ("neighbour index out of range (product %u)", i);
        }
        for (uint8_t j = 0; j < c; j++) {
            uint16_t q = (uint16_t) (r->p[0] | (r->p[1] << 8));
            r->p += 2;
            sc[j] = (float) q / 65535.0f;
        }
        m->nb.count[i] = c;
    }
    return 0;
}

content_model_t *
content_model_decode (const void *blob, size_t len, char *err, size_t errlen)
{
    hr_reader_t r;
    hr_reader_init (&r, blob, len);
    content_model_t *m = calloc (1, sizeof *m);
    if (!m) {
        snprintf (err, errlen, "out of memory");
        return NULL;
    }
    if (len < 8 || memcmp (blob, CONTENT_MODEL_MAGIC, 4) != 0)
        FAIL ("not a content model (bad magic)");
    r.p += 4;
    uint32_t format = hr_get_u32 (&r);
    if (format != 1 && format != CONTENT_MODEL_FORMAT)
        FAIL ("content model format %u, this build reads 1 and %u", format, CONTENT_MODEL_FORMAT);
    m->catalog_version = hr_get_i64 (&r);
    m->n = hr_get_count (&r, 10 + 1);
    if (!hr_reader_ok (&r))
        FAIL ("truncated header");
    m->ids = malloc ((size_t) (m->n ? m->n : 1) * 10);
    if (!m->ids)
        FAIL ("out of memory");
    memcpy (m->ids, r.p, (size_t) m->n * 10);
    r.p += (size_t) m->n * 10;
    m->fields.name = hr_get_f32 (&r);
    m->fields.sub_category = hr_get_f32 (&r);
    m->fields.main_category = hr_get_f32 (&r);
    uint32_t nt = hr_get_count (&r, 4 + 4);
    if (!hr_reader_ok (&r))
        FAIL ("truncated term table");
    if (s_decode_terms (m, &r, nt, err, errlen) != 0 || s_decode_vectors (m, &r, nt, err, errlen) != 0
        || s_decode_neighbours (m, &r, err, errlen) != 0
        || (format >= 2 && s_decode_learned (m, &r, err, errlen) != 0))
        goto fail;
    if (!hr_reader_done (&r))
        FAIL ("trailing bytes after the neighbours");
    return m;
fail:
    content_model_destroy (&m);
    return NULL;
}
