/*  gw_proto — the gateway's side of docs/protocol.md: request bodies it
    sends and the replies it decodes (into the request pool).              */
#ifndef GW_PROTO_H
#define GW_PROTO_H
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdint.h>
#include "hr_wire.h"

/* ------------------------------------------------------------ requests */
void gw_req_history (hr_writer_t *w, const char *user, size_t ulen, uint32_t days, uint32_t limit);
void gw_req_record (hr_writer_t *w, const char *user, size_t ulen, uint8_t type,
                    const char *value, size_t vlen);
/*  `history` is a history argument as received from interactions `history`
    (spliced verbatim, never re-encoded).  */
void gw_req_trending_home (hr_writer_t *w, uint32_t limit, uint64_t seed,
                           const void *history, size_t hlen);
void gw_req_for_user (hr_writer_t *w, const void *history, size_t hlen, uint32_t limit);
/*  method: "similar" or "for_product".  */
void gw_req_product (hr_writer_t *w, const char *method, const char *id10, uint32_t limit);
void gw_req_search (hr_writer_t *w, const char *query, size_t qlen, uint32_t limit);
void gw_req_trending (hr_writer_t *w, uint32_t limit);

/* ------------------------------------------------------------ replies */
typedef struct {
    hr_scored_t *items;         /* freed with the pool */
    uint32_t n;
} gw_list_t;

typedef struct {
    const char *name;           /* not NUL-terminated */
    size_t len;
    gw_list_t list;
} gw_category_t;

typedef struct {
    gw_list_t trending, best_value, diverse;
    gw_category_t *categories;
    uint32_t ncategories;
} gw_home_lists_t;

typedef struct {
    uint8_t type;               /* 1 click, 2 search */
    const char *value;          /* not NUL-terminated, into the reply body */
    size_t len;
    int64_t ts_ms;
} gw_event_t;

typedef struct {
    gw_event_t *events;
    uint32_t n;
} gw_history_t;

/*  All: 0, or -1 on a malformed body.  */
int gw_decode_list (h2o_mem_pool_t *pool, hr_reader_t *r, gw_list_t *out);
int gw_decode_one_list (h2o_mem_pool_t *pool, const void *body, size_t len, gw_list_t *out);
int gw_decode_two_lists (h2o_mem_pool_t *pool, const void *body, size_t len,
                         gw_list_t *first, gw_list_t *second);
int gw_decode_home (h2o_mem_pool_t *pool, const void *body, size_t len, gw_home_lists_t *out);
int gw_decode_history (h2o_mem_pool_t *pool, const void *body, size_t len, gw_history_t *out);

#endif
