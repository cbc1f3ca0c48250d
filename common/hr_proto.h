/*  hr_proto — every message between the gateway and the services, declared
    once (docs/protocol.md is the prose of this file).

    A request body is `str method` then the method's arguments; a reply body
    is the method's result (hr_wire.h encoding).  For each message this
    module has the names, the limits, a typed struct and one encoder and one
    decoder; the gateway, every service, the CLI, the tests and the fuzz
    targets use these and nothing else.  Decoded strings point into the
    message (not NUL-terminated); a decoder returns 0, or -1 when the bytes
    are truncated, malformed or followed by extra bytes.

    Request encoders write the method too (into a reset writer); request
    decoders read the arguments only (hr_service has read the method).
    Several requests in one message: hr_batch.h.                           */
#ifndef HR_PROTO_H
#define HR_PROTO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hr_wire.h"

/* ------------------------------------------------------------- services */
typedef enum {
    HR_SVC_INTERACTIONS,
    HR_SVC_CONTENT,
    HR_SVC_COLLAB,
    HR_SVC_TRENDING,
    HR_SVC_RULES,
    HR_SVC_COUNT
} hr_service_id_t;

#define HR_SERVICE_INTERACTIONS "interactions"
#define HR_SERVICE_CONTENT      "content"
#define HR_SERVICE_COLLAB       "collab"
#define HR_SERVICE_TRENDING     "trending"
#define HR_SERVICE_RULES        "rules"
/*  The broker-registered name of a service (hr_service_id_t).             */
const char *hr_proto_service_name (int service);

/*  Model store strategy keys (hr_model_store), one per trained service.   */
#define HR_MODEL_CONTENT  "content"
#define HR_MODEL_COLLAB   "collab"
#define HR_MODEL_TRENDING "trending"
#define HR_MODEL_RULES    "rules"
#define HR_MODEL_MERGE    "merge"   /* the gateway's learned merge (hr_merge_model.h) */
#define HR_MODEL_COUNT 5
/*  NULL-terminated: content, collab, trending, rules, merge.              */
extern const char *const hr_proto_models[HR_MODEL_COUNT + 1];

/* -------------------------------------------------------------- methods */
#define HR_M_RECORD      "record"       /* interactions */
#define HR_M_HISTORY     "history"      /* interactions */
#define HR_M_ERASE       "erase"        /* interactions */
#define HR_M_EVENTS      "events"       /* interactions */
#define HR_M_SIMILAR     "similar"      /* content, collab */
#define HR_M_SEARCH      "search"       /* content */
#define HR_M_ANALYZE     "analyze"      /* content */
#define HR_M_FOR_USER    "for_user"     /* content, collab, rules */
#define HR_M_FOR_PRODUCT "for_product"  /* rules */
#define HR_M_HOME        "home"         /* trending */
#define HR_M_TRENDING    "trending"     /* trending */
#define HR_M_HOME_PICKS  "home_picks"   /* trending */
#define HR_M_DIVERSE_POOLS "diverse_pools" /* trending */

/*  True when the method read from a request is `name`.                    */
bool hr_proto_method_is (const char *method, size_t len, const char *name);

/* --------------------------------------------------------------- limits */
#define HR_HISTORY_DAYS_MAX      365    /* the REST API accepts days 1..365 */
#define HR_HISTORY_MAX           1000   /* most events one history holds */
#define HR_CONTENT_LIMIT_MAX     6000   /* search/for_user: response_limit ceiling */
#define HR_COLLAB_LIMIT_MAX      200
#define HR_RULES_LIMIT_MAX       1000
#define HR_TRENDING_LIMIT_MAX    6000
#define HR_TRENDING_HOME_LIMIT_MAX 200  /* per list of a home reply */

/* --------------------------------------------------------------- events */
/*  Product events (a product id as value): click, and the typed events of
    POST /api/v1/events — view, add to cart, purchase.  Search: a query.   */
typedef enum {
    HR_EVENT_CLICK = 1, HR_EVENT_SEARCH = 2,
    HR_EVENT_VIEW = 3, HR_EVENT_CART = 4, HR_EVENT_PURCHASE = 5,
} hr_event_type_t;
/*  Not an interaction: the event stream's marker "forget this user"
    (erasure, hr_events_erase_user); never stored, never in a history.     */
#define HR_EVENT_ERASE 15
static inline bool hr_event_type_valid (int type)
{
    return type >= HR_EVENT_CLICK && type <= HR_EVENT_PURCHASE;
}
/*  A product event: every valid type but search.                          */
static inline bool hr_event_is_product (int type)
{
    return hr_event_type_valid (type) && type != HR_EVENT_SEARCH;
}
/*  How much a product event says about interest (purchase > cart > click
    > view); strategies multiply their per-event contributions by it.
    HR_EVENT_WEIGHT_SQL is the same as an SQL expression over event_type. */
static inline float hr_event_weight (int type)
{
    return type == HR_EVENT_PURCHASE ? 3.0f : type == HR_EVENT_CART ? 2.0f
         : type == HR_EVENT_VIEW ? 0.5f : 1.0f;
}
#define HR_EVENT_WEIGHT_SQL \
    "(CASE event_type WHEN 5 THEN 3.0 WHEN 4 THEN 2.0 WHEN 3 THEN 0.5 ELSE 1.0 END)"
#define HR_EVENT_PRODUCT_SQL "event_type IN (1, 3, 4, 5)"
/*  The names of the types in the REST API (index = type; [0] unused).     */
extern const char *const hr_event_names[HR_EVENT_PURCHASE + 1];
/*  A recommendation id echoed by an event: "<surface>.<request id>",
    surface home | product | search (the X-Recommendation-Id header).      */
#define HR_REC_ID_MAX 80

/*  An interaction, owned (the event stream, the history cache, clients).  */
typedef struct {
    char user_id[51];
    uint8_t type;               /* hr_event_type_t */
    char value[256];            /* product id (10) or query (<=255) */
    int64_t ts_ms;
    /*  POST /api/v1/events only (stored in PostgreSQL, nowhere else):     */
    int64_t client_ts_ms;       /* the client's timestamp; 0 = none */
    char rec_id[HR_REC_ID_MAX + 1];     /* "" = none */
} hr_event_t;

/* -------------------------------------------------------------- history
    A history — the reply of interactions `history` and an argument of
    for_user and home (the gateway splices the reply in verbatim):
        u32 n, then n × (u8 type, str value, i64 ts_ms), newest first.
    Every type is a click or a search; at most HR_HISTORY_MAX events.      */
typedef struct {
    uint8_t type;               /* hr_event_type_t */
    const char *value;          /* into the message */
    size_t len;
    int64_t ts_ms;
} hr_proto_event_t;

typedef struct {
    const void *raw;            /* the whole history as on the wire */
    size_t raw_len;
    uint32_t n;
} hr_proto_history_t;

/*  The one history decoder: checks every event and moves the reader past
    the history.  -1 (reader error set) when malformed.                    */
int hr_proto_history_get (hr_reader_t *r, hr_proto_history_t *out);
/*  The events of a decoded history, newest first: next() returns false
    after the last (a decoded history cannot fail again).                  */
typedef struct {
    hr_reader_t r;
    uint32_t left;
} hr_proto_history_iter_t;
void hr_proto_history_iter (const hr_proto_history_t *h, hr_proto_history_iter_t *it);
bool hr_proto_history_next (hr_proto_history_iter_t *it, hr_proto_event_t *ev);

void hr_proto_history_put (hr_writer_t *w, const hr_event_t *events, uint32_t n);
void hr_proto_history_put_views (hr_writer_t *w, const hr_proto_event_t *events, uint32_t n);
/*  A history reply body copied into owned events (user_id left empty);
    -1 when malformed or holding more than max events.                     */
int hr_proto_history_copy (const void *body, size_t len, hr_event_t *out, uint32_t max,
                           uint32_t *n);
/*  The empty history (u32 0), for users without one.                      */
extern const unsigned char hr_proto_empty_history[4];

/* ------------------------------------------------------------- requests */
/*  interactions record: str user_id, u8 type, str value -> empty reply.   */
typedef struct {
    const char *user_id;
    size_t user_id_len;
    uint8_t type;
    const char *value;
    size_t value_len;
} hr_proto_record_t;
void hr_proto_record_put (hr_writer_t *w, const hr_proto_record_t *req);
int hr_proto_record_get (hr_reader_t *args, hr_proto_record_t *req);

/*  interactions events: u32 n (1..HR_EVENTS_BATCH_MAX), then n x (str
    user_id, u8 type, str value, i64 client_ts_ms (0 = none), str rec_id
    ("" = none)) -> empty reply once every event is committed.  Encoded
    with begin + add per event; decoded with count + next per event.     */
#define HR_EVENTS_BATCH_MAX 1000
typedef struct {
    const char *user_id;
    size_t user_id_len;
    uint8_t type;
    const char *value;
    size_t value_len;
    int64_t client_ts_ms;
    const char *rec_id;
    size_t rec_id_len;
} hr_proto_event_in_t;
void hr_proto_events_begin (hr_writer_t *w, uint32_t n);
void hr_proto_events_add (hr_writer_t *w, const hr_proto_event_in_t *ev);
/*  The count (-1 when 0 or over HR_EVENTS_BATCH_MAX); then next() n times,
    then hr_proto_events_end () checks nothing follows.                   */
int hr_proto_events_count (hr_reader_t *args, uint32_t *n);
int hr_proto_events_next (hr_reader_t *args, hr_proto_event_in_t *ev);
int hr_proto_events_end (hr_reader_t *args);

/*  interactions history: str user_id, u32 days, u32 limit -> history.     */
typedef struct {
    const char *user_id;
    size_t user_id_len;
    uint32_t days, limit;
} hr_proto_history_req_t;
void hr_proto_history_req_put (hr_writer_t *w, const hr_proto_history_req_t *req);
int hr_proto_history_req_get (hr_reader_t *args, hr_proto_history_req_t *req);

/*  interactions erase: str user_id -> hr_proto_erase_reply_t.  Deletes
    everything the service holds about the user (docs/security.md).        */
void hr_proto_erase_put (hr_writer_t *w, const char *user_id, size_t len);
int hr_proto_erase_get (hr_reader_t *args, const char **user_id, size_t *len);
typedef struct {
    uint64_t events;            /* rows deleted from PostgreSQL */
    uint32_t cached;            /* history lists deleted from Redis (0/1) */
    uint32_t stream;            /* event stream entries deleted */
} hr_proto_erase_reply_t;
void hr_proto_erase_reply_put (hr_writer_t *w, const hr_proto_erase_reply_t *reply);
int hr_proto_erase_reply_decode (const void *body, size_t len, hr_proto_erase_reply_t *out);

/*  A product and a limit: content/collab `similar`, rules `for_product`
    -> scored list.  The id is not validated here (services answer BAD_REQUEST
    or an empty list, each as documented).                                  */
typedef struct {
    const char *id;
    size_t id_len;
    uint32_t limit;
} hr_proto_product_req_t;
void hr_proto_product_req_put (hr_writer_t *w, const char *method,
                               const hr_proto_product_req_t *req);
int hr_proto_product_req_get (hr_reader_t *args, hr_proto_product_req_t *req);

/*  content search: str query, u32 limit -> scored list; content analyze:
    str query -> str json (limit not sent).                                 */
typedef struct {
    const char *query;
    size_t len;
    uint32_t limit;
} hr_proto_query_req_t;
void hr_proto_search_put (hr_writer_t *w, const hr_proto_query_req_t *req);
int hr_proto_search_get (hr_reader_t *args, hr_proto_query_req_t *req);
void hr_proto_analyze_put (hr_writer_t *w, const char *query, size_t len);
int hr_proto_analyze_get (hr_reader_t *args, hr_proto_query_req_t *req);

/*  for_user (content, collab, rules): history, u32 limit.  content answers
    two scored lists (clicked, search), collab and rules one.               */
typedef struct {
    hr_proto_history_t history;
    uint32_t limit;
} hr_proto_for_user_t;
/*  `history` is a history as on the wire (e.g. interactions' reply).      */
void hr_proto_for_user_put (hr_writer_t *w, const void *history, size_t history_len,
                            uint32_t limit);
int hr_proto_for_user_get (hr_reader_t *args, hr_proto_for_user_t *req);

/*  trending home: u32 limit, u64 seed, history -> hr_proto_home_t.        */
typedef struct {
    uint32_t limit;
    uint64_t seed;
    hr_proto_history_t history;
} hr_proto_home_req_t;
void hr_proto_home_req_put (hr_writer_t *w, uint32_t limit, uint64_t seed,
                            const void *history, size_t history_len);
int hr_proto_home_req_get (hr_reader_t *args, hr_proto_home_req_t *req);

/*  trending home_picks: u32 limit, u64 seed, u64 held, history ->
    hr_proto_home_picks_t.  `held` is the fingerprint of the first part of
    a home reply (trending, best_value, top categories) the caller holds
    already (0: none); the reply carries that part only when it differs.   */
typedef struct {
    uint32_t limit;
    uint64_t seed;
    uint64_t held;
    hr_proto_history_t history;
} hr_proto_home_picks_req_t;
void hr_proto_home_picks_req_put (hr_writer_t *w, uint32_t limit, uint64_t seed, uint64_t held,
                                  const void *history, size_t history_len);
int hr_proto_home_picks_req_get (hr_reader_t *args, hr_proto_home_picks_req_t *req);

/*  trending trending: u32 limit -> scored list.                           */
void hr_proto_trending_put (hr_writer_t *w, uint32_t limit);
int hr_proto_trending_get (hr_reader_t *args, uint32_t *limit);
/*  trending diverse_pools: u32 limit -> hr_proto_pools (below).  Decoded
    as HR_REQ_TRENDING (.limit).                                           */
void hr_proto_diverse_pools_put (hr_writer_t *w, uint32_t limit);

/* -------------------------------------------------------------- replies
    Scored lists (hr_wire.h: hr_put_scored_list / hr_scored_list_begin...)
    are written item by item by the services; decoded here into malloc'd
    arrays (free with hr_proto_list_free; the gateway hands them to its
    request pool).                                                          */
typedef struct {
    hr_scored_t *items;
    uint32_t n;
} hr_proto_list_t;
void hr_proto_list_free (hr_proto_list_t *l);

/*  One list (similar, search, collab/rules for_user, for_product, trending). */
int hr_proto_list_decode (const void *body, size_t len, hr_proto_list_t *out);
/*  One list read in place, for a caller that needs only its ids in order
    (hr_get_scored_ids): ids[i] points into body.  `cap` at least the count
    hr_proto_list_count announces (0 when the body could not hold that many
    items), else -1.  The same checks otherwise.                            */
uint32_t hr_proto_list_count (const void *body, size_t len);
int hr_proto_list_ids_decode (const void *body, size_t len, const char **ids, uint32_t cap,
                              uint32_t *n);
/*  Two lists (content for_user: clicked, then search).                     */
int hr_proto_two_lists_decode (const void *body, size_t len, hr_proto_list_t *first,
                               hr_proto_list_t *second);

/*  trending home: scored list trending, scored list best_value, u32 k then
    k × (str main_category, scored list), scored list diverse_picks.       */
typedef struct {
    const char *name;           /* into the message */
    size_t len;
    hr_proto_list_t list;
} hr_proto_category_t;
typedef struct {
    hr_proto_list_t trending, best_value, diverse;
    hr_proto_category_t *categories;    /* malloc'd */
    uint32_t ncategories;
} hr_proto_home_t;
/*  The writer side, written in this order by trending-svc; hr_proto_home_put
    writes a whole decoded reply (tests, round trips).                      */
void hr_proto_home_put (hr_writer_t *w, const hr_proto_home_t *home);
int hr_proto_home_decode (const void *body, size_t len, hr_proto_home_t *out);
/*  Where the diverse picks start in a home reply (*at): what comes before
    (trending, best_value, top categories) depends on the ranking alone, the
    picks on the user; the gateway renders the first part once per distinct
    bytes (gw_sections.h).  Walks without copying.  0 / -1 (malformed).     */
int hr_proto_home_split (const void *body, size_t len, size_t *at);
void hr_proto_home_free (hr_proto_home_t *home);

/*  trending diverse_pools: u32 k, then k × (str main_category, scored
    list): every main category of trending's catalog in its order
    (hr_catalog_main_name 0..k-1), each with the candidates the diverse
    draw picks from (hr_diverse.h), best first: its best min(limit,
    HR_TRENDING_DIVERSE_POOL) items.  The gateway draws a page's diverse
    picks from them itself (gw_diverse.h).  Decoded into malloc'd
    categories (names into the body); free with hr_proto_pools_free.      */
int hr_proto_pools_decode (const void *body, size_t len, hr_proto_category_t **cats,
                           uint32_t *n);
void hr_proto_pools_free (hr_proto_category_t **cats, uint32_t n);

/*  trending home_picks: u8 full, u64 fingerprint, then when full the first
    part of a home reply (trending, best_value, u32 k × (str, list)), then
    the scored list diverse_picks.  `fingerprint` names the first part of
    the ranking that answered (hr_proto_home_fingerprint of its bytes);
    full = 0 only when it equals the request's `held`: the caller's copy is
    that part.  So a full reply after its 9 bytes is a `home` reply.        */
#define HR_PROTO_HOME_PICKS_PREFIX 9
/*  Never 0 (0 = "none held").                                             */
uint64_t hr_proto_home_fingerprint (const void *head, size_t len);
/*  The writer side: begin writes the prefix to patch; the service writes
    the first part when full, then mark patches the prefix, then the picks. */
size_t hr_proto_home_picks_begin (hr_writer_t *w);
void hr_proto_home_picks_mark (hr_writer_t *w, size_t at, bool full, uint64_t fingerprint);
/*  A whole reply (tests, round trips): with full, home's first part.     */
void hr_proto_home_picks_put (hr_writer_t *w, bool full, uint64_t fingerprint,
                              const hr_proto_home_t *home);
/*  Where the parts of a reply are (offsets into the body); the picks are
    read with hr_proto_list_decode from `picks` to the end, a full reply's
    whole home part with hr_proto_home_decode from `head`.  0 / -1.        */
typedef struct {
    bool full;
    uint64_t fingerprint;
    size_t head, head_len;      /* head_len 0 when not full */
    size_t picks;
} hr_proto_home_picks_t;
int hr_proto_home_picks_split (const void *body, size_t len, hr_proto_home_picks_t *out);

/*  content analyze: str json.  */
int hr_proto_analyze_reply_decode (const void *body, size_t len, const char **json,
                                   size_t *json_len);

/* --------------------------------------------------------------- broker
    mmi.workers (HR_MMI_WORKERS) with an empty body: u32 n, then n × (str
    service, u32 live workers).  Read entry by entry from the borrowed
    body: next() is false at the end or at a malformed entry, ok() tells
    which.                                                                  */
typedef struct {
    hr_reader_t r;
    uint32_t left;
} hr_proto_workers_iter_t;
void hr_proto_workers_iter (hr_proto_workers_iter_t *it, const void *body, size_t len);
bool hr_proto_workers_next (hr_proto_workers_iter_t *it, const char **service, size_t *len,
                            uint32_t *workers);
bool hr_proto_workers_ok (const hr_proto_workers_iter_t *it);

/* ------------------------------------------------------ decoded requests
    A service method's arguments decoded by the kind its method table
    names (hr_service.h): the dispatcher decodes them before the handler
    runs, or answers BAD_REQUEST "<method>: expected <what the kind takes>".  */
typedef enum {
    HR_REQ_RAW,                 /* the handler reads req->args itself */
    HR_REQ_FOR_USER,            /* .for_user */
    HR_REQ_PRODUCT,             /* .product */
    HR_REQ_SEARCH,              /* .query, with its limit */
    HR_REQ_ANALYZE,             /* .query, no limit */
    HR_REQ_HOME,                /* .home */
    HR_REQ_TRENDING,            /* .limit */
    HR_REQ_HISTORY,             /* .history */
    HR_REQ_ERASE,               /* .user */
    HR_REQ_HOME_PICKS,          /* .home_picks */
} hr_proto_req_kind_t;

typedef struct {
    hr_reader_t *args;          /* the arguments as received */
    union {
        hr_proto_for_user_t for_user;
        hr_proto_product_req_t product;
        hr_proto_query_req_t query;
        hr_proto_home_req_t home;
        hr_proto_home_picks_req_t home_picks;
        hr_proto_history_req_t history;
        uint32_t limit;
        struct {
            const char *id;
            size_t len;
        } user;
    };
} hr_proto_req_t;

/*  Decodes `args` as `kind` into *req (req->args = args).  0, or -1 with
    *expected set to the arguments the kind takes ("str query, u32 limit"). */
int hr_proto_req_get (hr_proto_req_kind_t kind, hr_reader_t *args, hr_proto_req_t *req,
                      const char **expected);

#endif
