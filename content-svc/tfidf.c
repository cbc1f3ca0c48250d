/*  tfidf — see tfidf.h.  */
#include "tfidf.h"
#include "text.h"
#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

void
content_matrix_free (content_matrix_t *m)
{
    free (m->row);
    free (m->col);
    free (m->val);
    memset (m, 0, sizeof *m);
}

float
content_matrix_row_dot (const content_matrix_t *a, uint32_t i,
                        const content_matrix_t *b, uint32_t j)
{
    uint64_t p = a->row[i], pe = a->row[i + 1];
    uint64_t q = b->row[j], qe = b->row[j + 1];
    float s = 0;
    while (p < pe && q < qe) {
        uint32_t ca = a->col[p], cb = b->col[q];
        if (ca == cb)
            s += a->val[p++] * b->val[q++];
        else if (ca < cb)
            p++;
        else
            q++;
    }
    return s;
}

/*  ---- analysis, one slice of the catalog per thread --------------------- */

typedef struct {
    uint32_t term;
    float tf;
} entry_t;

typedef struct {
    const hr_catalog_t *catalog;
    const content_fields_t *fields;
    uint32_t first, last;                   /* products [first, last) */
    content_vocab_t *vocab;                 /* thread-local stems */
    content_vocab_t *words;                 /* thread-local surface words */
    uint32_t *word_freq;
    uint32_t word_cap;
    uint64_t *row;                          /* last-first+1 offsets (local) */
    entry_t *entries;
    uint64_t nentries, cap;
    uint64_t *name_fp;                      /* global array, own slice */
    float *length;
    atomic_uint_fast64_t *done;
    int failed;
} slice_t;

static int
s_push_entry (slice_t *s, uint32_t term, float tf)
{
    if (s->nentries == s->cap) {
        uint64_t cap = s->cap ? s->cap * 2 : 1 << 16;
        entry_t *e = realloc (s->entries, cap * sizeof *e);
        if (!e)
            return -1;
        s->entries = e;
        s->cap = cap;
    }
    s->entries[s->nentries++] = (entry_t) { term, tf };
    return 0;
}

static int
s_count_word (slice_t *s, const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (w[i] >= '0' && w[i] <= '9')
            return 0;
    int64_t id = content_vocab_add (s->words, w, n);
    if (id < 0)
        return -1;
    if ((uint32_t) id >= s->word_cap) {
        uint32_t cap = s->word_cap ? s->word_cap * 2 : 4096;
        uint32_t *f = realloc (s->word_freq, cap * sizeof *f);
        if (!f)
            return -1;
        memset (f + s->word_cap, 0, (cap - s->word_cap) * sizeof *f);
        s->word_freq = f;
        s->word_cap = cap;
    }
    s->word_freq[id]++;
    return 0;
}

static int
s_add_field (slice_t *s, content_analyzer_t *an, const char *text, float weight,
           uint64_t *fp)
{
    if (!text || weight <= 0)
        return 0;
    const content_token_t *tok;
    uint32_t n = content_analyze (an, text, strlen (text), &tok);
    for (uint32_t k = 0; k < n; k++) {
        int64_t id = content_vocab_add (s->vocab, tok[k].stem, tok[k].stem_len);
        if (id < 0 || s_push_entry (s, (uint32_t) id, weight)
            || s_count_word (s, tok[k].surface, tok[k].surface_len))
            return -1;
        if (fp)
            *fp = (*fp * 31) ^ content_hash (tok[k].stem, tok[k].stem_len);
    }
    return 0;
}

static int
s_cmp_entry (const void *a, const void *b)
{
    const entry_t *x = a, *y = b;
    return (x->term > y->term) - (x->term < y->term);
}

/*  Sorts a product's entries by term and sums repeats; returns the count.  */
static uint64_t
s_merge_row (entry_t *e, uint64_t n)
{
    if (n < 2)
        return n;
    qsort (e, n, sizeof *e, s_cmp_entry);
    uint64_t o = 0;
    for (uint64_t k = 1; k < n; k++) {
        if (e[k].term == e[o].term)
            e[o].tf += e[k].tf;
        else
            e[++o] = e[k];
    }
    return o + 1;
}

static void *
s_analyse_slice (void *arg)
{
    slice_t *s = arg;
    content_analyzer_t *an = content_analyzer_new ();
    s->vocab = content_vocab_new (1 << 14);
    s->words = content_vocab_new (1 << 14);
    s->row = malloc (((size_t) (s->last - s->first) + 1) * sizeof *s->row);
    if (!an || !s->vocab || !s->words || !s->row) {
        s->failed = 1;
        content_analyzer_destroy (&an);
        return NULL;
    }
    s->row[0] = 0;
    for (uint32_t i = s->first; i < s->last; i++) {
        const hr_product_t *p = hr_catalog_at (s->catalog, i);
        uint64_t start = s->nentries, fp = 1469598103934665603ULL;
        if (s_add_field (s, an, p->name, s->fields->name, &fp)
            || s_add_field (s, an, p->sub_category, s->fields->sub_category, NULL)
            || s_add_field (s, an, p->main_category, s->fields->main_category, NULL)) {
            s->failed = 1;
            break;
        }
        float len = 0;
        for (uint64_t k = start; k < s->nentries; k++)
            len += s->entries[k].tf;
        s->nentries = start + s_merge_row (s->entries + start, s->nentries - start);
        s->row[i - s->first + 1] = s->nentries;
        s->name_fp[i] = fp;
        s->length[i] = len;
        if (((i - s->first) & 1023) == 1023)
            atomic_fetch_add (s->done, 1024);
    }
    content_analyzer_destroy (&an);
    return NULL;
}

void
content_docterms_destroy (content_docterms_t **self_p)
{
    assert (self_p);
    content_docterms_t *self = *self_p;
    if (!self)
        return;
    content_matrix_free (&self->tf);
    content_vocab_destroy (&self->vocab);
    free (self->df);
    free (self->name_fp);
    free (self->length);
    content_vocab_destroy (&self->words);
    free (self->word_freq);
    free (self);
    *self_p = NULL;
}

/*  Analyses the slices: slice 0 on this thread, the others on their own.
    0, or -1 when a slice failed.  */
static int
s_run_slices (slice_t *sl, unsigned threads, uint32_t n, atomic_uint_fast64_t *done,
              content_progress_fn *progress, void *arg)
{
    pthread_t tid[16];
    unsigned started = 0;
    for (unsigned t = 1; t < threads; t++, started++)
        if (pthread_create (&tid[t], NULL, s_analyse_slice, &sl[t]))
            break;
    if (started == threads - 1) {
        /*  This thread analyses slice 0 while reporting progress between
            its own products would need a callback inside the slice: report
            coarsely instead, after each slice is joined.                    */
        s_analyse_slice (&sl[0]);
        if (progress)
            progress (arg, atomic_load (done));
    }
    else
        sl[0].failed = 1;
    for (unsigned t = 1; t <= started; t++)
        pthread_join (tid[t], NULL);
    for (unsigned t = 0; t < threads; t++)
        if (sl[t].failed)
            return -1;
    if (progress)
        progress (arg, n);
    return 0;
}

/*  One slice's rows into the matrix from row s->first on (at *o), its local
    term ids mapped to the global vocabulary.  0 / -1.                      */
static int
s_merge_slice (content_docterms_t *self, slice_t *s, bool sort, uint64_t *o)
{
    content_matrix_t *m = &self->tf;
    uint32_t lv = content_vocab_size (s->vocab);
    uint32_t *map = malloc ((lv ? lv : 1) * sizeof *map);
    if (!map)
        return -1;
    for (uint32_t id = 0; id < lv; id++) {
        uint32_t len;
        const char *term = content_vocab_term (s->vocab, id, &len);
        int64_t g = content_vocab_add (self->vocab, term, len);
        if (g < 0) {
            free (map);
            return -1;
        }
        map[id] = (uint32_t) g;
    }
    for (uint32_t i = s->first; i < s->last; i++) {
        uint64_t b = s->row[i - s->first], e = s->row[i - s->first + 1];
        for (uint64_t k = b; k < e; k++)
            s->entries[k].term = map[s->entries[k].term];
        if (sort)
            qsort (s->entries + b, e - b, sizeof (entry_t), s_cmp_entry);
        for (uint64_t k = b; k < e; k++) {
            m->col[*o] = s->entries[k].term;
            m->val[(*o)++] = s->entries[k].tf;
        }
        m->row[i + 1] = *o;
    }
    free (map);
    return 0;
}

/*  Merge: map every slice's local term ids to global ones, in slice order,
    so the result does not depend on thread timing; then document
    frequencies.  0 / -1.                                                   */
static int
s_merge_terms (content_docterms_t *self, slice_t *sl, unsigned threads, uint32_t n)
{
    uint64_t nnz = 0;
    for (unsigned t = 0; t < threads; t++)
        nnz += sl[t].nentries;
    content_matrix_t *m = &self->tf;
    m->rows = n;
    m->row = malloc (((size_t) n + 1) * sizeof *m->row);
    m->col = malloc ((nnz ? nnz : 1) * sizeof *m->col);
    m->val = malloc ((nnz ? nnz : 1) * sizeof *m->val);
    if (!m->row || !m->col || !m->val)
        return -1;
    m->row[0] = 0;
    uint64_t o = 0;
    for (unsigned t = 0; t < threads; t++)
        if (s_merge_slice (self, &sl[t], threads > 1, &o) != 0)
            return -1;
    m->cols = content_vocab_size (self->vocab);
    self->df = calloc (m->cols ? m->cols : 1, sizeof *self->df);
    if (!self->df)
        return -1;
    for (uint64_t k = 0; k < nnz; k++)
        self->df[m->col[k]]++;
    return 0;
}

/*  Surface words, merged the same way (frequencies add up).  0 / -1.      */
static int
s_merge_words (content_docterms_t *self, slice_t *sl, unsigned threads)
{
    uint32_t wcap = 0;
    for (unsigned t = 0; t < threads; t++)
        wcap += content_vocab_size (sl[t].words);
    self->word_freq = calloc (wcap ? wcap : 1, sizeof *self->word_freq);
    if (!self->word_freq)
        return -1;
    for (unsigned t = 0; t < threads; t++) {
        uint32_t lw = content_vocab_size (sl[t].words);
        for (uint32_t id = 0; id < lw; id++) {
            uint32_t len;
            const char *w = content_vocab_term (sl[t].words, id, &len);
            int64_t g = content_vocab_add (self->words, w, len);
            if (g < 0)
                return -1;
            self->word_freq[g] += sl[t].word_freq[id];
        }
    }
    return 0;
}

static void
s_slices_free (slice_t *sl, unsigned threads)
{
    for (unsigned t = 0; sl && t < threads; t++) {
        content_vocab_destroy (&sl[t].vocab);
        content_vocab_destroy (&sl[t].words);
        free (sl[t].word_freq);
        free (sl[t].row);
        free (sl[t].entries);
    }
    free (sl);
}

content_docterms_t *
content_docterms_build (const hr_catalog_t *catalog, const content_fields_t *fields,
                        unsigned threads, content_progress_fn *progress, void *arg)
{
    uint32_t n = hr_catalog_size (catalog);
    if (threads < 1)
        threads = 1;
    if (threads > 16)
        threads = 16;
    if (n < threads * 64u)
        threads = 1;
    content_docterms_t *self = calloc (1, sizeof *self);
    slice_t *sl = calloc (threads, sizeof *sl);
    atomic_uint_fast64_t done = 0;
    if (!self || !sl)
        goto fail;
    self->name_fp = calloc (n ? n : 1, sizeof *self->name_fp);
    self->length = calloc (n ? n : 1, sizeof *self->length);
    self->vocab = content_vocab_new (1 << 15);
    self->words = content_vocab_new (1 << 15);
    if (!self->name_fp || !self->length || !self->vocab || !self->words)
        goto fail;
    for (unsigned t = 0; t < threads; t++) {
        sl[t] = (slice_t) { .catalog = catalog, .fields = fields,
                            .first = (uint32_t) ((uint64_t) n * t / threads),
                            .last = (uint32_t) ((uint64_t) n * (t + 1) / threads),
                            .name_fp = self->name_fp, .length = self->length,
                            .done = &done };
    }
    if (s_run_slices (sl, threads, n, &done, progress, arg) != 0
        || s_merge_terms (self, sl, threads, n) != 0 || s_merge_words (self, sl, threads) != 0)
        goto fail;
    s_slices_free (sl, threads);
    return self;
fail:
    s_slices_free (sl, threads);
    content_docterms_destroy (&self);
    return NULL;
}

int
content_tfidf_weight (const content_matrix_t *tf, const uint32_t *df, float *idf,
                      content_matrix_t *out)
{
    memset (out, 0, sizeof *out);
    uint64_t nnz = tf->row[tf->rows];
    out->rows = tf->rows;
    out->cols = tf->cols;
    out->row = malloc (((size_t) tf->rows + 1) * sizeof *out->row);
    out->col = malloc ((nnz ? nnz : 1) * sizeof *out->col);
    out->val = malloc ((nnz ? nnz : 1) * sizeof *out->val);
    if (!out->row || !out->col || !out->val) {
        content_matrix_free (out);
        return -1;
    }
    for (uint32_t t = 0; t < tf->cols; t++)
        idf[t] = content_idf (tf->rows, df[t]);
    memcpy (out->row, tf->row, ((size_t) tf->rows + 1) * sizeof *out->row);
    memcpy (out->col, tf->col, nnz * sizeof *out->col);
    for (uint32_t i = 0; i < tf->rows; i++) {
        double norm = 0;
        for (uint64_t k = tf->row[i]; k < tf->row[i + 1]; k++) {
            float w = content_sublinear (tf->val[k]) * idf[tf->col[k]];
            out->val[k] = w;
            norm += (double) w * w;
        }
        float inv = norm > 0 ? (float) (1.0 / sqrt (norm)) : 0;
        for (uint64_t k = tf->row[i]; k < tf->row[i + 1]; k++)
            out->val[k] *= inv;
    }
    return 0;
}
