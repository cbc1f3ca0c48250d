/*  neighbours — see neighbours.h.  */
#include "neighbours.h"
#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    uint32_t doc;
    float w;
} posting_t;

typedef struct {
    const content_matrix_t *X;
    const uint64_t *name_fp;
    const uint64_t *simhash;        /* 64 random hyperplanes per row */
    const content_nb_opts_t *o;
    const uint64_t *post_start;     /* cols + 1 */
    const posting_t *post;
    content_neighbours_t *out;
    atomic_uint next, done;
    atomic_uint_fast64_t dupes;
    atomic_int failed;
} job_t;

typedef struct {
    uint32_t doc;
    float s;
} cand_t;

/*  Min-heap on s, size limited: keeps the best `cap` partial scores.       */
static void
s_heap_push (cand_t *h, uint32_t *n, uint32_t cap, cand_t c)
{
    if (*n < cap) {
        uint32_t i = (*n)++;
        while (i > 0) {
            uint32_t p = (i - 1) / 2;
            if (h[p].s <= c.s)
                break;
            h[i] = h[p];
            i = p;
        }
        h[i] = c;
        return;
    }
    if (c.s <= h[0].s)
        return;
    uint32_t i = 0;
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        float ms = c.s;
        if (l < *n && h[l].s < ms) { m = l; ms = h[l].s; }
        if (r < *n && h[r].s < ms) { m = r; }
        if (m == i)
            break;
        h[i] = h[m];
        i = m;
    }
    h[i] = c;
}

static int
s_cmp_cand_desc (const void *a, const void *b)
{
    const cand_t *x = a, *y = b;
    if (x->s != y->s)
        return x->s < y->s ? 1 : -1;
    return (x->doc > y->doc) - (x->doc < y->doc);   /* deterministic ties */
}

static void
s_one_product (job_t *job, uint32_t i, float *acc, uint32_t *touched, cand_t *heap,
             float *dense)
{
    const content_matrix_t *X = job->X;
    const content_nb_opts_t *o = job->o;
    uint32_t ntouched = 0;
    for (uint64_t p = X->row[i]; p < X->row[i + 1]; p++) {
        uint32_t t = X->col[p];
        float w = X->val[p];
        const posting_t *ps = job->post + job->post_start[t];
        const posting_t *pe = job->post + job->post_start[t + 1];
        for (; ps < pe; ps++) {
            uint32_t j = ps->doc;
            if (acc[j] == 0.0f)
                touched[ntouched++] = j;
            acc[j] += w * ps->w;
        }
    }
    uint32_t nh = 0;
    for (uint32_t k = 0; k < ntouched; k++) {
        uint32_t j = touched[k];
        if (j != i && acc[j] > 0.0f)
            s_heap_push (heap, &nh, o->candidates, (cand_t) { j, acc[j] });
        acc[j] = 0.0f;
    }
    /*  Exact cosines for the survivors (pruned postings give partial sums):
        row i scattered into a dense vector, so each candidate costs one
        load per non-zero instead of a branchy merge.                        */
    if (o->max_postings) {
        for (uint64_t p = X->row[i]; p < X->row[i + 1]; p++)
            dense[X->col[p]] = X->val[p];
        for (uint32_t k = 0; k < nh; k++) {
            uint32_t j = heap[k].doc;
            float sc = 0;
            for (uint64_t p = X->row[j]; p < X->row[j + 1]; p++)
                sc += dense[X->col[p]] * X->val[p];
            heap[k].s = sc;
        }
        for (uint64_t p = X->row[i]; p < X->row[i + 1]; p++)
            dense[X->col[p]] = 0.0f;
    }
    qsort (heap, nh, sizeof *heap, s_cmp_cand_desc);

    content_neighbours_t *out = job->out;
    uint32_t *nidx = out->idx + (uint64_t) i * out->k;
    float *nsc = out->score + (uint64_t) i * out->k;
    uint32_t kept = 0;
    uint64_t dupes = 0;
    bool dedup = o->dup_cosine <= 1.0f;
    for (uint32_t c = 0; c < nh && kept < out->k; c++) {
        uint32_t j = heap[c].doc;
        float s = heap[c].s;
        if (s < o->min_score)
            break;
        bool dup = false;
        if (dedup) {
            dup = s >= o->dup_cosine
                  || (job->name_fp && job->name_fp[j] == job->name_fp[i]);
            /*  Near-duplicates of an accepted neighbour: SimHash signatures
                of rows with cosine >= 0.95 differ in ~6 of 64 bits, so only
                pairs within 16 bits are compared exactly.                   */
            uint64_t hj = job->simhash[j];
            for (uint32_t a = 0; a < kept && !dup; a++) {
                if (job->name_fp && job->name_fp[nidx[a]] == job->name_fp[j])
                    dup = true;
                else if (__builtin_popcountll (job->simhash[nidx[a]] ^ hj) <= 16
                         && content_matrix_row_dot (X, nidx[a], X, j) >= o->dup_cosine)
                    dup = true;
            }
        }
        if (dup) {
            dupes++;
            continue;
        }
        nidx[kept] = j;
        nsc[kept++] = s;
    }
    out->count[i] = (uint8_t) kept;
    if (dupes)
        atomic_fetch_add (&job->dupes, dupes);
}

static void *
s_worker (void *arg)
{
    job_t *job = arg;
    uint32_t n = job->X->rows;
    float *acc = calloc (n ? n : 1, sizeof *acc);
    uint32_t *touched = malloc ((n ? n : 1) * sizeof *touched);
    cand_t *heap = malloc ((job->o->candidates + 1) * sizeof *heap);
    float *dense = calloc (job->X->cols ? job->X->cols : 1, sizeof *dense);
    if (!acc || !touched || !heap || !dense) {
        atomic_store (&job->failed, 1);
        goto done;
    }
    const uint32_t chunk = 64;
    for (;;) {
        uint32_t first = atomic_fetch_add (&job->next, chunk);
        if (first >= n)
            break;
        uint32_t last = first + chunk < n ? first + chunk : n;
        for (uint32_t i = first; i < last; i++)
            s_one_product (job, i, acc, touched, heap, dense);
        atomic_fetch_add (&job->done, last - first);
    }
done:
    free (acc);
    free (touched);
    free (heap);
    free (dense);
    return NULL;
}

static int
s_cmp_posting_desc (const void *a, const void *b)
{
    const posting_t *x = a, *y = b;
    if (x->w != y->w)
        return x->w < y->w ? 1 : -1;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

void
content_neighbours_free (content_neighbours_t *nb)
{
    free (nb->count);
    free (nb->idx);
    free (nb->score);
    memset (nb, 0, sizeof *nb);
}

/*  The inverted index (CSC) into start/all, then each term's postings
    impact-ordered and cut: compacted in place.  0 / -1 out of memory.    */
static int
s_postings (const content_matrix_t *X, const content_nb_opts_t *opts, uint64_t *start,
            posting_t *all)
{
    uint32_t n = X->rows;
    uint64_t nnz = X->row[n];
    for (uint64_t k = 0; k < nnz; k++)
        start[X->col[k] + 1]++;
    for (uint32_t t = 0; t < X->cols; t++)
        start[t + 1] += start[t];
    uint64_t *fill = malloc (((size_t) X->cols + 1) * sizeof *fill);
    if (!fill)
        return -1;
    memcpy (fill, start, ((size_t) X->cols + 1) * sizeof *fill);
    for (uint32_t i = 0; i < n; i++)
        for (uint64_t k = X->row[i]; k < X->row[i + 1]; k++)
            all[fill[X->col[k]]++] = (posting_t) { i, X->val[k] };
    free (fill);
    if (!opts->max_postings)
        return 0;
    uint64_t o = 0, prev = 0;
    for (uint32_t t = 0; t < X->cols; t++) {
        uint64_t b = prev, e = start[t + 1];
        prev = e;
        uint64_t len = e - b;
        if (len > opts->max_postings) {
            qsort (all + b, len, sizeof *all, s_cmp_posting_desc);
            len = opts->max_postings;
        }
        memmove (all + o, all + b, len * sizeof *all);
        start[t] = o;
        o += len;
    }
    start[X->cols] = o;
    return 0;
}

/*  Every row's 64-bit SimHash (malloc'd; NULL out of memory).  */
static uint64_t *
s_simhashes (const content_matrix_t *X)
{
    uint32_t n = X->rows;
    uint64_t *simhash = malloc ((n ? n : 1) * sizeof *simhash);
    if (!simhash)
        return NULL;
    for (uint32_t i = 0; i < n; i++) {
        float acc[64] = { 0 };
        for (uint64_t k = X->row[i]; k < X->row[i + 1]; k++) {
            /*  the term's 64 random ±1 coordinates, from a hash of its id  */
            uint64_t h = (uint64_t) X->col[k] * 0x9E3779B97F4A7C15ULL;
            h ^= h >> 29;
            h *= 0xBF58476D1CE4E5B9ULL;
            h ^= h >> 32;
            for (int b = 0; b < 64; b++)
                acc[b] += (h >> b) & 1 ? X->val[k] : -X->val[k];
        }
        uint64_t sig = 0;
        for (int b = 0; b < 64; b++)
            sig |= (uint64_t) (acc[b] > 0) << b;
        simhash[i] = sig;
    }
    return simhash;
}

/*  Runs the workers over `job` (on this thread when none starts),
    reporting progress meanwhile.  */
static void
s_run_workers (job_t *job, const content_nb_opts_t *opts, uint32_t n)
{
    unsigned threads = opts->threads ? opts->threads : 1;
    if (threads > 64)
        threads = 64;
    pthread_t tid[64];
    unsigned started = 0;
    for (; started < threads; started++)
        if (pthread_create (&tid[started], NULL, s_worker, job))
            break;
    if (started == 0)
        s_worker (job);
    /*  Progress from here while the workers run.  */
    while (opts->progress) {
        unsigned d = atomic_load (&job->done);
        opts->progress (opts->progress_arg, d);
        if (d >= n || atomic_load (&job->failed))
            break;
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep (&ts, NULL);
    }
    for (unsigned t = 0; t < started; t++)
        pthread_join (tid[t], NULL);
}

int
content_neighbours_build (const content_matrix_t *X, const uint64_t *name_fp,
                          const content_nb_opts_t *opts, content_neighbours_t *out)
{
    assert (opts->k > 0 && opts->k <= 255 && opts->candidates >= opts->k);
    memset (out, 0, sizeof *out);
    uint32_t n = X->rows;
    uint64_t nnz = X->row[n];
    uint64_t *simhash = NULL;
    uint64_t *start = calloc ((size_t) X->cols + 1, sizeof *start);
    posting_t *all = malloc ((nnz ? nnz : 1) * sizeof *all);
    out->n = n;
    out->k = opts->k;
    out->count = calloc (n ? n : 1, 1);
    uint64_t slots = (uint64_t) (n ? n : 1) * opts->k;
    out->idx = malloc (slots * sizeof *out->idx);
    out->score = malloc (slots * sizeof *out->score);
    if (!start || !all || !out->count || !out->idx || !out->score)
        goto fail;

    if (s_postings (X, opts, start, all) != 0)
        goto fail;
    simhash = s_simhashes (X);
    if (!simhash)
        goto fail;
    job_t job = { .X = X, .name_fp = name_fp, .simhash = simhash, .o = opts,
                  .post_start = start, .post = all, .out = out };
    s_run_workers (&job, opts, n);
    if (atomic_load (&job.failed))
        goto fail;
    out->duplicates_collapsed = atomic_load (&job.dupes);
    free (simhash);
    free (start);
    free (all);
    return 0;
fail:
    free (simhash);
    free (start);
    free (all);
    content_neighbours_free (out);
    return -1;
}
