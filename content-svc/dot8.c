/*  dot8 — int8 dot products (see dot8.h).  */
#include "dot8.h"
#include <stdbool.h>

static int32_t
s_dot_scalar (const int8_t *a, const int8_t *q, uint32_t dim)
{
    int32_t s = 0;
    for (uint32_t k = 0; k < dim; k++)
        s += (int32_t) a[k] * (int32_t) q[k];
    return s;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/*  16 lanes at a time: sign-extend to int16, vpmaddwd into 8 int32 lanes
    (each pair sum at most 2 × 128 × 128, no overflow), then the tail.    */
__attribute__ ((target ("avx2"))) static int32_t
s_dot_avx2 (const int8_t *a, const __m256i *q16, const int8_t *q, uint32_t dim)
{
    __m256i acc = _mm256_setzero_si256 ();
    uint32_t k = 0;
    for (; k + 16 <= dim; k += 16) {
        __m256i v = _mm256_cvtepi8_epi16 (_mm_loadu_si128 ((const __m128i *) (a + k)));
        acc = _mm256_add_epi32 (acc, _mm256_madd_epi16 (v, _mm256_loadu_si256 (q16 + k / 16)));
    }
    __m128i s = _mm_add_epi32 (_mm256_castsi256_si128 (acc), _mm256_extracti128_si256 (acc, 1));
    s = _mm_add_epi32 (s, _mm_shuffle_epi32 (s, _MM_SHUFFLE (1, 0, 3, 2)));
    s = _mm_add_epi32 (s, _mm_shuffle_epi32 (s, _MM_SHUFFLE (2, 3, 0, 1)));
    return _mm_cvtsi128_si32 (s) + s_dot_scalar (a + k, q + k, dim - k);
}

/*  Eight vectors at once, their eight sums reduced together by a tree of
    vpaddd-horizontal adds (one store for the eight results).  dim % 16 == 0. */
#define DOT8_STEP(j, acc)                                                     \
    acc = _mm256_add_epi32 (acc, _mm256_madd_epi16 (_mm256_cvtepi8_epi16 (    \
        _mm_loadu_si128 ((const __m128i *) (ROW (j) + k))), qv))

#define DOT8_EIGHT                                                            \
    __m256i a0 = _mm256_setzero_si256 (), a1 = a0, a2 = a0, a3 = a0,          \
            a4 = a0, a5 = a0, a6 = a0, a7 = a0;  /* named: kept in registers */ \
    for (uint32_t k = 0; k < dim; k += 16) {                                  \
        __m256i qv = q16[k / 16];                                             \
        DOT8_STEP (0, a0); DOT8_STEP (1, a1); DOT8_STEP (2, a2);              \
        DOT8_STEP (3, a3); DOT8_STEP (4, a4); DOT8_STEP (5, a5);              \
        DOT8_STEP (6, a6); DOT8_STEP (7, a7);                                 \
    }                                                                         \
    DOT8_REDUCE

#define DOT8_REDUCE                                                           \
    __m256i t0 = _mm256_hadd_epi32 (a0, a1), t1 = _mm256_hadd_epi32 (a2, a3); \
    __m256i t2 = _mm256_hadd_epi32 (a4, a5), t3 = _mm256_hadd_epi32 (a6, a7); \
    __m256i u0 = _mm256_hadd_epi32 (t0, t1), u1 = _mm256_hadd_epi32 (t2, t3); \
    __m256i r = _mm256_add_epi32 (_mm256_permute2x128_si256 (u0, u1, 0x20),   \
                                  _mm256_permute2x128_si256 (u0, u1, 0x31));  \
    _mm256_storeu_si256 ((__m256i *) out, r)

/*  Eight consecutive vectors from a.  */
__attribute__ ((target ("avx2"))) static void
s_eight_avx2 (const int8_t *a, uint32_t dim, const __m256i *q16, int32_t *out)
{
#define ROW(j) (a + (uint64_t) (j) * dim)
    DOT8_EIGHT;
#undef ROW
}

/*  Eight vectors anywhere in vecs: rows[0..8).  */
__attribute__ ((target ("avx2"))) static void
s_eight_rows_avx2 (const int8_t *vecs, const uint32_t *rows, uint32_t dim, const __m256i *q16,
                   int32_t *out)
{
#define ROW(j) (vecs + (uint64_t) rows[j] * dim)
    DOT8_EIGHT;
#undef ROW
}

/*  The same 32 lanes a step: vpmaddubsw multiplies |q| (unsigned) by the
    vector's bytes negated where q is negative (vpsignb), so each product
    is a[k] · q[k] exactly and each int16 pair sum at most 2 × 127 × 127
    (no saturation: a and q within ±127), widened by vpmaddwd with ones.
    Five instructions per 32 lanes instead of six.  dim % 32 == 0, > 0.   */
#define DOT8_UBS_LANES(j)                                                     \
    _mm256_madd_epi16 (_mm256_maddubs_epi16 (                                 \
        qa, _mm256_sign_epi8 (_mm256_loadu_si256 ((const __m256i *) (ROW (j) + k)), qs)), ones)
#define DOT8_UBS_STEP(j, acc) acc = _mm256_add_epi32 (acc, DOT8_UBS_LANES (j))

/*  the first step starts the sums (no zeros to add to)                    */
#define DOT8_UBS_EIGHT                                                        \
    const __m256i ones = _mm256_set1_epi16 (1);                               \
    uint32_t k = 0;                                                           \
    __m256i qs = q32[0], qa = qabs[0];                                        \
    __m256i a0 = DOT8_UBS_LANES (0), a1 = DOT8_UBS_LANES (1),                 \
            a2 = DOT8_UBS_LANES (2), a3 = DOT8_UBS_LANES (3),                 \
            a4 = DOT8_UBS_LANES (4), a5 = DOT8_UBS_LANES (5),                 \
            a6 = DOT8_UBS_LANES (6), a7 = DOT8_UBS_LANES (7);                 \
    for (k = 32; k < dim; k += 32) {                                          \
        qs = q32[k / 32];                                                     \
        qa = qabs[k / 32];                                                    \
        DOT8_UBS_STEP (0, a0); DOT8_UBS_STEP (1, a1); DOT8_UBS_STEP (2, a2);  \
        DOT8_UBS_STEP (3, a3); DOT8_UBS_STEP (4, a4); DOT8_UBS_STEP (5, a5);  \
        DOT8_UBS_STEP (6, a6); DOT8_UBS_STEP (7, a7);                         \
    }                                                                         \
    DOT8_REDUCE

__attribute__ ((target ("avx2"))) static void
s_eight_ubs_avx2 (const int8_t *a, uint32_t dim, const __m256i *q32, const __m256i *qabs,
                  int32_t *out)
{
#define ROW(j) (a + (uint64_t) (j) * dim)
    DOT8_UBS_EIGHT;
#undef ROW
}

__attribute__ ((target ("avx2"))) static void
s_eight_rows_ubs_avx2 (const int8_t *vecs, const uint32_t *rows, uint32_t dim,
                       const __m256i *q32, const __m256i *qabs, int32_t *out)
{
#define ROW(j) (vecs + (uint64_t) rows[j] * dim)
    DOT8_UBS_EIGHT;
#undef ROW
}

/*  q in 32-byte lanes and their absolute values; false when q has a -128
    (its absolute value has no int8 sign to give back: the other kernel). */
__attribute__ ((target ("avx2"))) static bool
s_query_ubs (const int8_t *q, uint32_t dim, __m256i *q32, __m256i *qabs)
{
    if (dim == 0 || dim % 32)
        return false;
    __m256i min = _mm256_set1_epi8 (-128), any = _mm256_setzero_si256 ();
    for (uint32_t k = 0; k < dim; k += 32) {
        q32[k / 32] = _mm256_loadu_si256 ((const __m256i *) (q + k));
        qabs[k / 32] = _mm256_abs_epi8 (q32[k / 32]);
        any = _mm256_or_si256 (any, _mm256_cmpeq_epi8 (q32[k / 32], min));
    }
    return _mm256_testz_si256 (any, any);
}

/*  The query widened to int16, 16 lanes a register (the kernels without
    vpmaddubsw).  */
__attribute__ ((target ("avx2"))) static void
s_query16 (const int8_t *q, uint32_t dim, __m256i *q16)
{
    for (uint32_t k = 0; k + 16 <= dim; k += 16)
        q16[k / 16] = _mm256_cvtepi8_epi16 (_mm_loadu_si128 ((const __m128i *) (q + k)));
}

__attribute__ ((target ("avx2"))) static void
s_many_avx2 (const int8_t *vecs, uint32_t count, uint32_t dim, const int8_t *q, int32_t *out)
{
    __m256i q16[16];                                    /* dim <= 256 */
    s_query16 (q, dim, q16);
    __m256i q32[8], qabs[8];
    uint32_t i = 0;
    if (s_query_ubs (q, dim, q32, qabs))
        for (; i + 8 <= count; i += 8)
            s_eight_ubs_avx2 (vecs + (uint64_t) i * dim, dim, q32, qabs, out + i);
    else if (dim % 16 == 0)
        for (; i + 8 <= count; i += 8)
            s_eight_avx2 (vecs + (uint64_t) i * dim, dim, q16, out + i);
    for (; i < count; i++)
        out[i] = s_dot_avx2 (vecs + (uint64_t) i * dim, q16, q, dim);
}

__attribute__ ((target ("avx2"))) static void
s_rows_avx2 (const int8_t *vecs, uint32_t dim, const uint32_t *rows, uint32_t count,
             const int8_t *q, int32_t *out)
{
    __m256i q16[16];                                    /* dim <= 256 */
    s_query16 (q, dim, q16);
    __m256i q32[8], qabs[8];
    uint32_t i = 0;
    if (s_query_ubs (q, dim, q32, qabs))
        for (; i + 8 <= count; i += 8)
            s_eight_rows_ubs_avx2 (vecs, rows + i, dim, q32, qabs, out + i);
    else if (dim % 16 == 0)
        for (; i + 8 <= count; i += 8)
            s_eight_rows_avx2 (vecs, rows + i, dim, q16, out + i);
    for (; i < count; i++)
        out[i] = s_dot_avx2 (vecs + (uint64_t) rows[i] * dim, q16, q, dim);
}

#endif

void
content_dot8_many (const int8_t *vecs, uint32_t count, uint32_t dim,
                   const int8_t *q, int32_t *out)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (dim <= 256 && __builtin_cpu_supports ("avx2")) {
        s_many_avx2 (vecs, count, dim, q, out);
        return;
    }
#endif
    for (uint32_t i = 0; i < count; i++)
        out[i] = s_dot_scalar (vecs + (uint64_t) i * dim, q, dim);
}

void
content_dot8_rows (const int8_t *vecs, uint32_t dim, const uint32_t *rows, uint32_t count,
                   const int8_t *q, int32_t *out)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (dim <= 256 && __builtin_cpu_supports ("avx2")) {
        s_rows_avx2 (vecs, dim, rows, count, q, out);
        return;
    }
#endif
    for (uint32_t i = 0; i < count; i++)
        out[i] = s_dot_scalar (vecs + (uint64_t) rows[i] * dim, q, dim);
}

int32_t
content_dot8 (const int8_t *a, const int8_t *q, uint32_t dim)
{
    int32_t s;
    content_dot8_many (a, 1, dim, q, &s);
    return s;
}
