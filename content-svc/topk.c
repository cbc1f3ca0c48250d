/*  topk — the search-hit instance of CONTENT_TOPK_DEFINE (see topk.h).    */
#include "topk.h"

CONTENT_TOPK_DEFINE (topk_hits, content_hit_t, content_hit_before)

void
content_topk_hits (content_hit_t *hits, uint32_t n, uint32_t k)
{
    topk_hits (hits, n, k);
}
