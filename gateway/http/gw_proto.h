/*  gw_proto — the gateway's side of hr_proto (common/hr_proto.h): request
    bodies it sends, and the replies it decodes with hr_proto's decoders
    into arrays owned by the request pool.  No message is restated here.   */
#ifndef GW_PROTO_H
#define GW_PROTO_H
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdint.h>
#include "hr_proto.h"

/* ------------------------------------------------------------ requests */
void gw_req_history (hr_writer_t *w, const char *user, size_t ulen, uint32_t days, uint32_t limit);
void gw_req_record (hr_writer_t *w, const char *user, size_t ulen, uint8_t type,
                    const char *value, size_t vlen);
/*  `history` is a history as received from interactions `history` (spliced
    verbatim, never re-encoded).  */
void gw_req_trending_home (hr_writer_t *w, uint32_t limit, uint64_t seed,
                           const void *history, size_t hlen);
/*  home_picks: `held` = the fingerprint of the home reply's first part the
    gateway holds rendered (gw_sections.h), 0 = none.                      */
void gw_req_trending_home_picks (hr_writer_t *w, uint32_t limit, uint64_t seed, uint64_t held,
                                 const void *history, size_t hlen);
void gw_req_for_user (hr_writer_t *w, const void *history, size_t hlen, uint32_t limit);
/*  method: HR_M_SIMILAR or HR_M_FOR_PRODUCT.  */
void gw_req_product (hr_writer_t *w, const char *method, const char *id10, uint32_t limit);
void gw_req_search (hr_writer_t *w, const char *query, size_t qlen, uint32_t limit);
void gw_req_trending (hr_writer_t *w, uint32_t limit);
/*  diverse_pools: every category's candidates for the diverse draw.      */
void gw_req_diverse_pools (hr_writer_t *w);

/* ------------------------------------------------------------ replies */
typedef hr_proto_list_t gw_list_t;          /* items freed with the pool */
typedef hr_proto_category_t gw_category_t;
typedef hr_proto_home_t gw_home_lists_t;
typedef hr_proto_event_t gw_event_t;        /* value points into the reply body */

typedef struct {
    gw_event_t *events;         /* in the pool */
    uint32_t n;
} gw_history_t;

/*  All: 0, or -1 on a malformed body.  */
int gw_decode_one_list (h2o_mem_pool_t *pool, const void *body, size_t len, gw_list_t *out);
/*  One list's ids only, in order, read in place (hr_proto_list_ids_decode):
    *ids (in the pool) points into body, which must outlive them.          */
int gw_decode_one_list_ids (h2o_mem_pool_t *pool, const void *body, size_t len,
                            const char ***ids, uint32_t *n);
int gw_decode_two_lists (h2o_mem_pool_t *pool, const void *body, size_t len,
                         gw_list_t *first, gw_list_t *second);
/*  Two lists, or one (then *second is empty): collab-svc's for_user, whose
    second list (sequential rules) an older collab-svc does not send, so a
    gateway rolled first keeps reading it (docs/operations.md, Upgrade).   */
int gw_decode_one_or_two_lists (h2o_mem_pool_t *pool, const void *body, size_t len,
                                gw_list_t *first, gw_list_t *second);
int gw_decode_home (h2o_mem_pool_t *pool, const void *body, size_t len, gw_home_lists_t *out);
/*  Only the diverse picks of a home reply, which start at `at`
    (hr_proto_home_split); the other lists are left empty.                 */
int gw_decode_home_diverse (h2o_mem_pool_t *pool, const void *body, size_t len, size_t at,
                            gw_home_lists_t *out);
/*  A home reply's first part alone (trending, best_value, top categories,
    as hr_proto_home_picks_split delimits it); diverse is left empty.      */
int gw_decode_home_head (h2o_mem_pool_t *pool, const void *head, size_t len, gw_home_lists_t *out);
int gw_decode_history (h2o_mem_pool_t *pool, const void *body, size_t len, gw_history_t *out);

#endif
