/*  semantic — see semantic.h.  */
#include "semantic.h"
#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static uint64_t
s_rng_next (uint64_t *s)
{
    uint64_t x = *s;                /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static float
s_gaussian (uint64_t *s)
{
    double u1 = ((s_rng_next (s) >> 11) + 1.0) / 9007199254740993.0;
    double u2 = (s_rng_next (s) >> 11) / 9007199254740992.0;
    return (float) (sqrt (-2.0 * log (u1)) * cos (2.0 * M_PI * u2));
}

/*  Matrices are column-major "k vectors of length L": v[c * L + i].        */

/*  Y (k × m) = X (m × V) · Z (k × V as k columns).  Rows split by thread. */
typedef struct {
    const content_matrix_t *X;
    const uint32_t *rows;           /* sampled row ids (m) */
    uint32_t m, k, first, last;
    const float *Z;
    float *Y;
} mul_job_t;

static void *
s_mul_x_part (void *arg)
{
    mul_job_t *j = arg;
    uint32_t V = j->X->cols;
    for (uint32_t i = j->first; i < j->last; i++) {
        uint32_t r = j->rows[i];
        for (uint32_t c = 0; c < j->k; c++) {
            const float *z = j->Z + (uint64_t) c * V;
            float s = 0;
            for (uint64_t p = j->X->row[r]; p < j->X->row[r + 1]; p++)
                s += j->X->val[p] * z[j->X->col[p]];
            j->Y[(uint64_t) c * j->m + i] = s;
        }
    }
    return NULL;
}

static void
s_mul_x (const content_matrix_t *X, const uint32_t *rows, uint32_t m, uint32_t k,
       const float *Z, float *Y, unsigned threads)
{
    if (threads < 1) threads = 1;
    if (threads > 8) threads = 8;
    mul_job_t jobs[8];
    pthread_t tid[8];
    unsigned started = 0;
    for (unsigned t = 0; t < threads; t++) {
        jobs[t] = (mul_job_t) { X, rows, m, k, (uint32_t) ((uint64_t) m * t / threads),
                                (uint32_t) ((uint64_t) m * (t + 1) / threads), Z, Y };
        if (t > 0 && pthread_create (&tid[t], NULL, s_mul_x_part, &jobs[t]) == 0)
            started |= 1u << t;
        else if (t > 0)
            s_mul_x_part (&jobs[t]);
    }
    s_mul_x_part (&jobs[0]);
    for (unsigned t = 1; t < threads; t++)
        if (started & (1u << t))
            pthread_join (tid[t], NULL);
}

/*  Z (k × V) = Xᵀ · Y (k × m).  Columns of k split by thread: each thread
    writes its own vectors, so no two threads touch the same memory.        */
typedef struct {
    const content_matrix_t *X;
    const uint32_t *rows;
    uint32_t m, c0, c1;
    const float *Y;
    float *Z;
} mult_job_t;

static void *
s_mul_xt_part (void *arg)
{
    mult_job_t *j = arg;
    uint32_t V = j->X->cols;
    for (uint32_t c = j->c0; c < j->c1; c++) {
        float *z = j->Z + (uint64_t) c * V;
        const float *y = j->Y + (uint64_t) c * j->m;
        memset (z, 0, (size_t) V * sizeof *z);
        for (uint32_t i = 0; i < j->m; i++) {
            uint32_t r = j->rows[i];
            float yi = y[i];
            for (uint64_t p = j->X->row[r]; p < j->X->row[r + 1]; p++)
                z[j->X->col[p]] += j->X->val[p] * yi;
        }
    }
    return NULL;
}

static void
s_mul_xt (const content_matrix_t *X, const uint32_t *rows, uint32_t m, uint32_t k,
        const float *Y, float *Z, unsigned threads)
{
    if (threads < 1) threads = 1;
    if (threads > 8) threads = 8;
    mult_job_t jobs[8];
    pthread_t tid[8];
    unsigned started = 0;
    for (unsigned t = 0; t < threads; t++) {
        jobs[t] = (mult_job_t) { X, rows, m, (uint32_t) ((uint64_t) k * t / threads),
                                 (uint32_t) ((uint64_t) k * (t + 1) / threads), Y, Z };
        if (t > 0 && pthread_create (&tid[t], NULL, s_mul_xt_part, &jobs[t]) == 0)
            started |= 1u << t;
        else if (t > 0)
            s_mul_xt_part (&jobs[t]);
    }
    s_mul_xt_part (&jobs[0]);
    for (unsigned t = 1; t < threads; t++)
        if (started & (1u << t))
            pthread_join (tid[t], NULL);
}

/*  Modified Gram-Schmidt on k vectors of length L (double accumulation);
    a vector that collapses (rank deficiency) becomes zero.                 */
static void
s_orthonormalise (float *v, uint32_t k, uint64_t L)
{
    for (int pass = 0; pass < 1; pass++)
        for (uint32_t j = 0; j < k; j++) {
            float *vj = v + j * L;
            for (uint32_t i = 0; i < j; i++) {
                const float *vi = v + i * L;
                double d = 0;
                for (uint64_t x = 0; x < L; x++)
                    d += (double) vi[x] * vj[x];
                float df = (float) d;
                for (uint64_t x = 0; x < L; x++)
                    vj[x] -= df * vi[x];
            }
            double n = 0;
            for (uint64_t x = 0; x < L; x++)
                n += (double) vj[x] * vj[x];
            n = sqrt (n);
            float inv = n > 1e-6 ? (float) (1.0 / n) : 0.0f;
            for (uint64_t x = 0; x < L; x++)
                vj[x] *= inv;
        }
}

/*  Cyclic Jacobi: A (k × k symmetric, destroyed) -> eigenvalues w,
    eigenvectors in the columns of E (row-major k × k).                     */
static void
s_jacobi_eigen (double *A, uint32_t k, double *w, double *E)
{
    for (uint32_t i = 0; i < k; i++)
        for (uint32_t j = 0; j < k; j++)
            E[i * k + j] = i == j;
    for (int sweep = 0; sweep < 60; sweep++) {
        double off = 0;
        for (uint32_t i = 0; i < k; i++)
            for (uint32_t j = i + 1; j < k; j++)
                off += A[i * k + j] * A[i * k + j];
        if (off < 1e-22)
            break;
        for (uint32_t p = 0; p < k; p++)
            for (uint32_t q = p + 1; q < k; q++) {
                double apq = A[p * k + q];
                if (fabs (apq) < 1e-300)
                    continue;
                double theta = (A[q * k + q] - A[p * k + p]) / (2 * apq);
                double t = (theta >= 0 ? 1.0 : -1.0) / (fabs (theta) + sqrt (theta * theta + 1));
                double c = 1 / sqrt (t * t + 1), s = t * c;
                for (uint32_t r = 0; r < k; r++) {
                    double arp = A[r * k + p], arq = A[r * k + q];
                    A[r * k + p] = c * arp - s * arq;
                    A[r * k + q] = s * arp + c * arq;
                }
                for (uint32_t r = 0; r < k; r++) {
                    double apr = A[p * k + r], aqr = A[q * k + r];
                    A[p * k + r] = c * apr - s * aqr;
                    A[q * k + r] = s * apr + c * aqr;
                }
                for (uint32_t r = 0; r < k; r++) {
                    double erp = E[r * k + p], erq = E[r * k + q];
                    E[r * k + p] = c * erp - s * erq;
                    E[r * k + q] = s * erp + c * erq;
                }
            }
    }
    for (uint32_t i = 0; i < k; i++)
        w[i] = A[i * k + i];
}

/*  C = B Bᵀ for the k rows of B (each V long).  */
static void
s_gram (const float *B, uint32_t k, uint32_t V, double *C)
{
    for (uint32_t a = 0; a < k; a++)
        for (uint32_t b = a; b < k; b++) {
            const float *za = B + (uint64_t) a * V, *zb = B + (uint64_t) b * V;
            double s = 0;
            for (uint32_t t = 0; t < V; t++)
                s += (double) za[t] * zb[t];
            C[a * k + b] = C[b * k + a] = s;
        }
}

/*  order[] = 0..k-1 by eigenvalue w, descending.  */
static void
s_order_desc (const double *w, uint32_t k, uint32_t *order)
{
    for (uint32_t i = 0; i < k; i++)
        order[i] = i;
    for (uint32_t i = 1; i < k; i++) {
        uint32_t x = order[i], j = i;
        while (j > 0 && w[order[j - 1]] < w[x]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
}

/*  The term vectors (V rows of dim) from B and the eigenvectors E of B Bᵀ:
    column d = Bᵀ E[:,e] / sigma; stops at a negligible sigma.  Returns
    how many columns were kept.  */
static uint32_t
s_term_vectors (const float *Z, const double *E, const double *w, const uint32_t *order,
                uint32_t k, uint32_t V, uint32_t dim, float *out)
{
    double top = w[order[0]] > 0 ? sqrt (w[order[0]]) : 0;
    uint32_t kept = 0;
    for (uint32_t d = 0; d < dim; d++) {
        uint32_t e = order[d];
        double sigma = w[e] > 0 ? sqrt (w[e]) : 0;
        if (sigma <= 1e-6 * top || sigma == 0)
            break;
        for (uint32_t t = 0; t < V; t++) {
            double s = 0;
            for (uint32_t c = 0; c < k; c++)
                s += (double) Z[(uint64_t) c * V + t] * E[c * k + e];
            out[(uint64_t) t * dim + d] = (float) (s / sigma);
        }
        kept++;
    }
    return kept;
}

int
content_lsa_train (const content_matrix_t *X, const content_lsa_opts_t *opts,
                   float **terms, uint32_t *dim_out)
{
    *terms = NULL;
    *dim_out = 0;
    uint32_t V = X->cols, n = X->rows;
    if (V == 0 || n == 0)
        return -1;
    uint32_t m = n < opts->max_rows ? n : opts->max_rows;
    uint32_t k = opts->dim + opts->oversample;
    if (k > m) k = m;
    if (k > V) k = V;
    uint32_t dim = opts->dim < k ? opts->dim : k;
    if (k == 0 || dim == 0)
        return -1;
    uint64_t seed = opts->seed ? opts->seed : 42;

    uint32_t *rows = malloc ((size_t) m * sizeof *rows);
    float *Z = malloc ((size_t) k * V * sizeof *Z);
    float *Y = malloc ((size_t) k * m * sizeof *Y);
    double *C = malloc ((size_t) k * k * sizeof *C);
    double *E = malloc ((size_t) k * k * sizeof *E);
    double *w = malloc ((size_t) k * sizeof *w);
    uint32_t *order = malloc ((size_t) k * sizeof *order);
    float *out = calloc ((size_t) V * (dim ? dim : 1), sizeof *out);
    if (!rows || !Z || !Y || !C || !E || !w || !order || !out)
        goto fail;

    /*  Evenly spaced rows: deterministic, and covers every aisle of a
        catalog sorted by category.  */
    for (uint32_t i = 0; i < m; i++)
        rows[i] = (uint32_t) ((uint64_t) i * n / m);
    for (uint64_t x = 0; x < (uint64_t) k * V; x++)
        Z[x] = s_gaussian (&seed);
    s_mul_x (X, rows, m, k, Z, Y, opts->threads);
    for (uint32_t it = 0; it < opts->power_iters; it++) {
        s_orthonormalise (Y, k, m);
        s_mul_xt (X, rows, m, k, Y, Z, opts->threads);
        s_orthonormalise (Z, k, V);
        s_mul_x (X, rows, m, k, Z, Y, opts->threads);
    }
    s_orthonormalise (Y, k, m);               /* Q */
    s_mul_xt (X, rows, m, k, Y, Z, opts->threads);   /* B = Qᵀ X: k rows of V */
    s_gram (Z, k, V, C);
    s_jacobi_eigen (C, k, w, E);
    s_order_desc (w, k, order);
    uint32_t kept = s_term_vectors (Z, E, w, order, k, V, dim, out);
    if (kept < dim && kept > 0) {           /* compact to the kept rank */
        for (uint32_t t = 0; t < V; t++)
            memmove (out + (uint64_t) t * kept, out + (uint64_t) t * dim, kept * sizeof *out);
    }
    free (rows); free (Z); free (Y); free (C); free (E); free (w); free (order);
    if (kept == 0) {
        free (out);
        return -1;
    }
    *terms = out;
    *dim_out = kept;
    return 0;
fail:
    free (rows); free (Z); free (Y); free (C); free (E); free (w); free (order);
    free (out);
    return -1;
}

int
content_lsa_embed (const float *terms, uint32_t dim, const uint32_t *col,
                   const float *w, uint32_t n, float *out)
{
    memset (out, 0, dim * sizeof *out);
    for (uint32_t k = 0; k < n; k++) {
        const float *v = terms + (uint64_t) col[k] * dim;
        for (uint32_t d = 0; d < dim; d++)
            out[d] += w[k] * v[d];
    }
    double s = 0;
    for (uint32_t d = 0; d < dim; d++)
        s += (double) out[d] * out[d];
    if (s <= 1e-12) {
        memset (out, 0, dim * sizeof *out);
        return 0;
    }
    float inv = (float) (1.0 / sqrt (s));
    for (uint32_t d = 0; d < dim; d++)
        out[d] *= inv;
    return 1;
}
