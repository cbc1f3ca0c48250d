/*  topk — partial selection of the best `k` of `n` elements.

    Serving paths need only the first `limit` results of a candidate list,
    so a full qsort (glibc's msort: a malloc'd buffer, memmove and an
    indirect call per comparison) is wasted work. CONTENT_TOPK_DEFINE
    generates a type-specific selection with the comparison inlined:
    a binary heap of the k best kept in a[0..k) (worst at the root), fed
    by the remaining elements, then heap-sorted in place.  When k is a
    large share of n (> n/16) most elements would enter the heap, so a
    quickselect partition (middle pivot) puts the k best in front first.

    `before(const type *x, const type *y)` must be a strict TOTAL order
    ("x ranks before y": e.g. score desc, then index asc). With a total
    order the result equals the first k of any correct full sort, so it is
    byte-identical to the qsort it replaces and deterministic.
    O(n + m log k + k log k), m = elements entering the heap; no allocation.  */
#ifndef CONTENT_TOPK_H
#define CONTENT_TOPK_H

#include "search.h"
#include <stdbool.h>
#include <stdint.h>

/*  Defines `static void name (type *a, uint32_t n, uint32_t k)`: moves the
    min(k, n) best elements of a[0..n) to a[0..k), sorted best first; the
    rest of a[] keeps the other elements in unspecified order.             */
#define CONTENT_TOPK_DEFINE(name, type, before)                               \
    static void name##_sift (type *a, uint32_t n, uint32_t i)                 \
    {                                                                         \
        type v = a[i];                                                        \
        for (;;) {                                                            \
            uint32_t c = 2 * i + 1;                                           \
            if (c >= n)                                                       \
                break;                                                        \
            if (c + 1 < n && before (&a[c], &a[c + 1]))                       \
                c++;                    /* the worse child */                 \
            if (!before (&v, &a[c]))                                          \
                break;                                                        \
            a[i] = a[c];                                                      \
            i = c;                                                            \
        }                                                                     \
        a[i] = v;                                                             \
    }                                                                         \
    static void name##_partition (type *a, uint32_t n, uint32_t k)            \
    {                                                                         \
        uint32_t lo = 0, hi = n;                                              \
        while (hi - lo > 1) {                                                 \
            uint32_t mid = lo + (hi - lo) / 2;                                \
            type t = a[mid]; a[mid] = a[hi - 1]; a[hi - 1] = t;               \
            type pivot = a[hi - 1];                                           \
            uint32_t store = lo;                                              \
            for (uint32_t i = lo; i < hi - 1; i++)                            \
                if (before (&a[i], &pivot)) {                                 \
                    t = a[i]; a[i] = a[store]; a[store] = t;                  \
                    store++;                                                  \
                }                                                             \
            t = a[store]; a[store] = a[hi - 1]; a[hi - 1] = t;                \
            if (k <= store)                                                   \
                hi = store;                                                   \
            else if (k > store + 1)                                           \
                lo = store + 1;                                               \
            else                                                              \
                break;                                                        \
        }                                                                     \
    }                                                                         \
    static void name (type *a, uint32_t n, uint32_t k)                        \
    {                                                                         \
        if (k > n)                                                            \
            k = n;                                                            \
        if (k == 0)                                                           \
            return;                                                           \
        if (k < n && (uint64_t) k * 16 > n) {                                 \
            name##_partition (a, n, k);                                       \
            n = k;                                                            \
        }                                                                     \
        for (uint32_t i = k / 2; i-- > 0;)                                    \
            name##_sift (a, k, i);                                            \
        for (uint32_t i = k; i < n; i++)                                      \
            if (before (&a[i], &a[0])) {                                      \
                type t = a[0]; a[0] = a[i]; a[i] = t;                         \
                name##_sift (a, k, 0);                                        \
            }                                                                 \
        for (uint32_t end = k - 1; end > 0; end--) {                          \
            type t = a[0]; a[0] = a[end]; a[end] = t;                         \
            name##_sift (a, end, 0);                                          \
        }                                                                     \
    }

/*  The best `k` search hits (score desc, then product index asc) moved to
    hits[0..k) in that order.  With scratch (2 × min(k, n) keys) many kept
    hits are sorted by radix instead of the heap: the same order (the keys
    order as content_hit_before; a NaN or -0.0 score takes the heap), in a
    default 2,000-hit search about half the instructions.                  */
void content_topk_hits (content_hit_t *hits, uint32_t n, uint32_t k, uint64_t *scratch);

/*  The ranking order of search hits: score desc, then product index asc.  */
static inline bool
content_hit_before (const content_hit_t *a, const content_hit_t *b)
{
    return a->score > b->score || (a->score == b->score && a->doc < b->doc);
}

#endif
