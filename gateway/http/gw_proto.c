/*  gw_proto — hr_proto's encoders and decoders, with the request pool.    */
#include "gw_proto.h"
#include <stdlib.h>
#include <string.h>

void
gw_req_history (hr_writer_t *w, const char *user, size_t ulen, uint32_t days, uint32_t limit)
{
    hr_proto_history_req_put (w, &(hr_proto_history_req_t) { user, ulen, days, limit });
}

void
gw_req_record (hr_writer_t *w, const char *user, size_t ulen, uint8_t type,
               const char *value, size_t vlen)
{
    hr_proto_record_put (w, &(hr_proto_record_t) { user, ulen, type, value, vlen });
}

void
gw_req_trending_home (hr_writer_t *w, uint32_t limit, uint64_t seed, const void *history, size_t hlen)
{
    hr_proto_home_req_put (w, limit, seed, history, hlen);
}

void
gw_req_trending_home_picks (hr_writer_t *w, uint32_t limit, uint64_t seed, uint64_t held,
                            const void *history, size_t hlen)
{
    hr_proto_home_picks_req_put (w, limit, seed, held, history, hlen);
}

void
gw_req_for_user (hr_writer_t *w, const void *history, size_t hlen, uint32_t limit)
{
    hr_proto_for_user_put (w, history, hlen, limit);
}

void
gw_req_product (hr_writer_t *w, const char *method, const char *id10, uint32_t limit)
{
    hr_proto_product_req_put (w, method, &(hr_proto_product_req_t) { id10, HR_PRODUCT_ID_LEN, limit });
}

void
gw_req_search (hr_writer_t *w, const char *query, size_t qlen, uint32_t limit)
{
    hr_proto_search_put (w, &(hr_proto_query_req_t) { query, qlen, limit });
}

void
gw_req_trending (hr_writer_t *w, uint32_t limit)
{
    hr_proto_trending_put (w, limit);
}

void
gw_req_diverse_pools (hr_writer_t *w)
{
    hr_proto_diverse_pools_put (w, UINT32_MAX);     /* trending's own pool size */
}

/* ------------------------------------------------------------ replies */

static void
s_free_slot (void *p)
{
    free (*(void **) p);
}

/*  Hands a malloc'd array to the pool.  */
static void
s_pool_owns (h2o_mem_pool_t *pool, void *p)
{
    if (p) {
        void **slot = h2o_mem_alloc_shared (pool, sizeof *slot, s_free_slot);
        *slot = p;
    }
}

int
gw_decode_one_list (h2o_mem_pool_t *pool, const void *body, size_t len, gw_list_t *out)
{
    if (hr_proto_list_decode (body, len, out) != 0)
        return -1;
    s_pool_owns (pool, out->items);
    return 0;
}

int
gw_decode_one_list_ids (h2o_mem_pool_t *pool, const void *body, size_t len,
                        const char ***ids, uint32_t *n)
{
    uint32_t cap = hr_proto_list_count (body, len);
    *ids = h2o_mem_alloc_pool (pool, (cap ? cap : 1) * sizeof **ids);
    return hr_proto_list_ids_decode (body, len, *ids, cap, n);
}

int
gw_decode_two_lists (h2o_mem_pool_t *pool, const void *body, size_t len,
                     gw_list_t *first, gw_list_t *second)
{
    if (hr_proto_two_lists_decode (body, len, first, second) != 0)
        return -1;
    s_pool_owns (pool, first->items);
    s_pool_owns (pool, second->items);
    return 0;
}

int
gw_decode_one_or_two_lists (h2o_mem_pool_t *pool, const void *body, size_t len,
                            gw_list_t *first, gw_list_t *second)
{
    if (gw_decode_two_lists (pool, body, len, first, second) == 0)
        return 0;
    memset (second, 0, sizeof *second);
    return gw_decode_one_list (pool, body, len, first);
}

int
gw_decode_home (h2o_mem_pool_t *pool, const void *body, size_t len, gw_home_lists_t *out)
{
    if (hr_proto_home_decode (body, len, out) != 0)
        return -1;
    s_pool_owns (pool, out->trending.items);
    s_pool_owns (pool, out->best_value.items);
    s_pool_owns (pool, out->diverse.items);
    for (uint32_t i = 0; i < out->ncategories; i++)
        s_pool_owns (pool, out->categories[i].list.items);
    s_pool_owns (pool, out->categories);
    return 0;
}

int
gw_decode_home_diverse (h2o_mem_pool_t *pool, const void *body, size_t len, size_t at,
                        gw_home_lists_t *out)
{
    memset (out, 0, sizeof *out);
    if (at > len || hr_proto_list_decode ((const unsigned char *) body + at, len - at, &out->diverse) != 0)
        return -1;
    s_pool_owns (pool, out->diverse.items);
    return 0;
}

int
gw_decode_home_head (h2o_mem_pool_t *pool, const void *head, size_t len, gw_home_lists_t *out)
{
    /*  hr_proto_home_decode wants the picks too: an empty list after it.  */
    char *whole = h2o_mem_alloc_pool (pool, len + 4);
    if (len)
        memcpy (whole, head, len);
    memset (whole + len, 0, 4);
    return gw_decode_home (pool, whole, len + 4, out);
}

int
gw_decode_history (h2o_mem_pool_t *pool, const void *body, size_t len, gw_history_t *out)
{
    out->events = NULL;
    out->n = 0;
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    hr_proto_history_t h;
    if (hr_proto_history_get (&r, &h) != 0 || !hr_reader_done (&r))
        return -1;
    out->events = h.n ? h2o_mem_alloc_pool (pool, h.n * sizeof *out->events) : NULL;
    hr_proto_history_iter_t it;
    hr_proto_history_iter (&h, &it);
    for (uint32_t i = 0; i < h.n && hr_proto_history_next (&it, &out->events[i]); i++)
        out->n = i + 1;
    return 0;
}
