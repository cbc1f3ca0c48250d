/*  topk — the search-hit instance of CONTENT_TOPK_DEFINE, and a radix sort
    of the kept hits when there are many (see topk.h).                     */
#include "topk.h"
#include <string.h>

CONTENT_TOPK_DEFINE (topk_hits, content_hit_t, content_hit_before)

/*  From this many kept hits on the radix sort is the cheaper (its fixed
    cost is a 256-entry count per byte that differs).                      */
#define RADIX_MIN 64

/*  A hit as a 64-bit key whose ascending order is content_hit_before's:
    the score's bits turned into an unsigned number in the float's order
    (sign bit flipped for positives, all bits for negatives), complemented
    for descending, above the doc (ascending).  A bijection: s_hit gives
    back the very bits.                                                     */
static inline uint64_t
s_key (content_hit_t h)
{
    uint32_t u;
    memcpy (&u, &h.score, sizeof u);
    u = u & 0x80000000u ? ~u : u | 0x80000000u;
    return (uint64_t) ~u << 32 | h.doc;
}

static inline content_hit_t
s_hit (uint64_t key)
{
    uint32_t u = ~(uint32_t) (key >> 32);
    u = u & 0x80000000u ? u & 0x7FFFFFFFu : ~u;
    content_hit_t h = { (uint32_t) key, 0.0f };
    memcpy (&h.score, &u, sizeof u);
    return h;
}

/*  hits[0..k) sorted by s_key, least significant byte first, each pass
    stable; a byte all keys share (the doc's high bytes, mostly the
    score's exponent) is skipped.  The keys order exactly as
    content_hit_before for every score but NaN (no order) and -0.0 (equal
    to +0.0, a smaller key): on those it moves nothing and says false.     */
static bool
s_radix_sort (content_hit_t *hits, uint32_t k, uint64_t *keys, uint64_t *tmp)
{
    uint64_t any = 0, every = ~(uint64_t) 0;
    for (uint32_t i = 0; i < k; i++) {
        uint32_t u;
        memcpy (&u, &hits[i].score, sizeof u);
        if ((u & 0x7FFFFFFFu) > 0x7F800000u || u == 0x80000000u)
            return false;
        keys[i] = s_key (hits[i]);
        any |= keys[i];
        every &= keys[i];
    }
    uint64_t differ = any ^ every;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        if (!((differ >> shift) & 0xFF))
            continue;
        uint32_t at[256] = { 0 };
        for (uint32_t i = 0; i < k; i++)
            at[(keys[i] >> shift) & 0xFF]++;
        for (uint32_t b = 0, sum = 0; b < 256; b++) {
            uint32_t c = at[b];
            at[b] = sum;
            sum += c;
        }
        for (uint32_t i = 0; i < k; i++)
            tmp[at[(keys[i] >> shift) & 0xFF]++] = keys[i];
        uint64_t *t = keys;
        keys = tmp;
        tmp = t;
    }
    for (uint32_t i = 0; i < k; i++)
        hits[i] = s_hit (keys[i]);
    return true;
}

void
content_topk_hits (content_hit_t *hits, uint32_t n, uint32_t k, uint64_t *scratch)
{
    if (k > n)
        k = n;
    if (scratch && k >= RADIX_MIN && (uint64_t) k * 16 > n) {
        /*  as topk_hits: the k best to the front, then sorted (by keys;
            by the heap when a score has no key)                            */
        if (k < n)
            topk_hits_partition (hits, n, k);
        if (!s_radix_sort (hits, k, scratch, scratch + k))
            topk_hits (hits, k, k);
        return;
    }
    topk_hits (hits, n, k);
}
