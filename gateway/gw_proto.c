/*  gw_proto — bodies to and from the services.                              */
#include "gw_proto.h"
#include <stdlib.h>
#include <string.h>

static void
put_method (hr_writer_t *w, const char *method)
{
    hr_writer_reset (w);
    hr_put_cstr (w, method);
}

void
gw_req_history (hr_writer_t *w, const char *user, size_t ulen, uint32_t days, uint32_t limit)
{
    put_method (w, "history");
    hr_put_str (w, user, ulen);
    hr_put_u32 (w, days);
    hr_put_u32 (w, limit);
}

void
gw_req_record (hr_writer_t *w, const char *user, size_t ulen, uint8_t type,
               const char *value, size_t vlen)
{
    put_method (w, "record");
    hr_put_str (w, user, ulen);
    hr_put_u8 (w, type);
    hr_put_str (w, value, vlen);
}

void
gw_req_trending_home (hr_writer_t *w, uint32_t limit, uint64_t seed, const void *history, size_t hlen)
{
    put_method (w, "home");
    hr_put_u32 (w, limit);
    hr_put_u64 (w, seed);
    hr_put_bytes (w, history, hlen);
}

void
gw_req_for_user (hr_writer_t *w, const void *history, size_t hlen, uint32_t limit)
{
    put_method (w, "for_user");
    hr_put_bytes (w, history, hlen);
    hr_put_u32 (w, limit);
}

void
gw_req_product (hr_writer_t *w, const char *method, const char *id10, uint32_t limit)
{
    put_method (w, method);
    hr_put_str (w, id10, HR_PRODUCT_ID_LEN);
    hr_put_u32 (w, limit);
}

void
gw_req_search (hr_writer_t *w, const char *query, size_t qlen, uint32_t limit)
{
    put_method (w, "search");
    hr_put_str (w, query, qlen);
    hr_put_u32 (w, limit);
}

void
gw_req_trending (hr_writer_t *w, uint32_t limit)
{
    put_method (w, "trending");
    hr_put_u32 (w, limit);
}

/* ------------------------------------------------------------ replies */

static void
free_slot (void *p)
{
    free (*(void **) p);
}

int
gw_decode_list (h2o_mem_pool_t *pool, hr_reader_t *r, gw_list_t *out)
{
    out->items = NULL;
    out->n = 0;
    if (hr_get_scored_list (r, &out->items, &out->n) != 0)
        return -1;
    if (out->items) {           /* hr_wire mallocs: hand the array to the pool */
        void **slot = h2o_mem_alloc_shared (pool, sizeof *slot, free_slot);
        *slot = out->items;
    }
    return 0;
}

int
gw_decode_one_list (h2o_mem_pool_t *pool, const void *body, size_t len, gw_list_t *out)
{
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    if (gw_decode_list (pool, &r, out) != 0 || !hr_reader_done (&r))
        return -1;
    return 0;
}

int
gw_decode_two_lists (h2o_mem_pool_t *pool, const void *body, size_t len,
                     gw_list_t *first, gw_list_t *second)
{
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    if (gw_decode_list (pool, &r, first) != 0 || gw_decode_list (pool, &r, second) != 0
        || !hr_reader_done (&r))
        return -1;
    return 0;
}

int
gw_decode_home (h2o_mem_pool_t *pool, const void *body, size_t len, gw_home_lists_t *out)
{
    memset (out, 0, sizeof *out);
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    if (gw_decode_list (pool, &r, &out->trending) != 0
        || gw_decode_list (pool, &r, &out->best_value) != 0)
        return -1;
    /*  each category: str name (>= 4 bytes) + a list count (4 bytes)  */
    uint32_t k = hr_get_count (&r, 8);
    if (!hr_reader_ok (&r))
        return -1;
    out->categories = k ? h2o_mem_alloc_pool (pool, k * sizeof *out->categories) : NULL;
    for (uint32_t i = 0; i < k; i++) {
        gw_category_t *c = &out->categories[i];
        c->name = hr_get_str (&r, &c->len);
        if (!c->name || gw_decode_list (pool, &r, &c->list) != 0)
            return -1;
        out->ncategories = i + 1;
    }
    if (gw_decode_list (pool, &r, &out->diverse) != 0 || !hr_reader_done (&r))
        return -1;
    return 0;
}

int
gw_decode_history (h2o_mem_pool_t *pool, const void *body, size_t len, gw_history_t *out)
{
    out->events = NULL;
    out->n = 0;
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    uint32_t n = hr_get_count (&r, 1 + 4 + 8);
    if (!hr_reader_ok (&r))
        return -1;
    out->events = n ? h2o_mem_alloc_pool (pool, n * sizeof *out->events) : NULL;
    for (uint32_t i = 0; i < n; i++) {
        gw_event_t *e = &out->events[i];
        e->type = hr_get_u8 (&r);
        e->value = hr_get_str (&r, &e->len);
        e->ts_ms = hr_get_i64 (&r);
        if (!hr_reader_ok (&r) || (e->type != 1 && e->type != 2))
            return -1;
    }
    if (!hr_reader_done (&r))
        return -1;
    out->n = n;
    return 0;
}
