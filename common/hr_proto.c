/*  hr_proto — the messages between the gateway and the services.          */
#include "hr_proto.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>

/*  Smallest event on the wire: u8 type + empty str (4) + i64 ts.          */
#define S_EVENT_MIN_WIRE (1 + 4 + 8)
/*  Smallest category of a home reply: str name (4) + an empty list (4).   */
#define S_CATEGORY_MIN_WIRE (4 + 4)

const unsigned char hr_proto_empty_history[4] = { 0, 0, 0, 0 };

const char *const hr_proto_models[HR_MODEL_COUNT + 1] = {
    HR_MODEL_CONTENT, HR_MODEL_COLLAB, HR_MODEL_TRENDING, HR_MODEL_RULES, HR_MODEL_MERGE, NULL,
};

const char *
hr_proto_service_name (int service)
{
    static const char *const names[HR_SVC_COUNT] = {
        [HR_SVC_INTERACTIONS] = HR_SERVICE_INTERACTIONS, [HR_SVC_CONTENT] = HR_SERVICE_CONTENT,
        [HR_SVC_COLLAB] = HR_SERVICE_COLLAB,             [HR_SVC_TRENDING] = HR_SERVICE_TRENDING,
        [HR_SVC_RULES] = HR_SERVICE_RULES,
    };
    return service >= 0 && service < HR_SVC_COUNT ? names[service] : "unknown";
}

bool
hr_proto_method_is (const char *method, size_t len, const char *name)
{
    return strlen (name) == len && memcmp (method, name, len) == 0;
}

static void
s_method (hr_writer_t *w, const char *method)
{
    hr_writer_reset (w);
    hr_put_cstr (w, method);
}

static int
s_done (hr_reader_t *r)
{
    return hr_reader_done (r) ? 0 : -1;
}

/* -------------------------------------------------------------- history */

/*  The one place an event is read off the wire.                           */
static bool
s_event_get (hr_reader_t *r, hr_proto_event_t *ev)
{
    ev->type = hr_get_u8 (r);
    ev->value = hr_get_str (r, &ev->len);
    ev->ts_ms = hr_get_i64 (r);
    if (hr_reader_ok (r) && !hr_event_type_valid (ev->type))
        r->err = true;
    return hr_reader_ok (r);
}

int
hr_proto_history_get (hr_reader_t *r, hr_proto_history_t *out)
{
    out->raw = r->p;
    out->raw_len = 0;
    out->n = 0;
    uint32_t n = hr_get_count (r, S_EVENT_MIN_WIRE);
    if (hr_reader_ok (r) && n > HR_HISTORY_MAX)
        r->err = true;
    hr_proto_event_t ev;
    for (uint32_t i = 0; i < n && hr_reader_ok (r); i++)
        s_event_get (r, &ev);
    if (!hr_reader_ok (r))
        return -1;
    out->raw_len = (size_t) (r->p - (const unsigned char *) out->raw);
    out->n = n;
    return 0;
}

void
hr_proto_history_iter (const hr_proto_history_t *h, hr_proto_history_iter_t *it)
{
    hr_reader_init (&it->r, h->raw, h->raw_len);
    it->left = h->n;
    if (h->raw_len >= 4)
        (void) hr_get_u32 (&it->r);
    else
        it->left = 0;
}

bool
hr_proto_history_next (hr_proto_history_iter_t *it, hr_proto_event_t *ev)
{
    if (it->left == 0)
        return false;
    it->left--;
    return s_event_get (&it->r, ev);
}

void
hr_proto_history_put (hr_writer_t *w, const hr_event_t *events, uint32_t n)
{
    hr_put_u32 (w, n);
    for (uint32_t i = 0; i < n; i++) {
        hr_put_u8 (w, events[i].type);
        hr_put_cstr (w, events[i].value);
        hr_put_i64 (w, events[i].ts_ms);
    }
}

void
hr_proto_history_put_views (hr_writer_t *w, const hr_proto_event_t *events, uint32_t n)
{
    hr_put_u32 (w, n);
    for (uint32_t i = 0; i < n; i++) {
        hr_put_u8 (w, events[i].type);
        hr_put_str (w, events[i].value, events[i].len);
        hr_put_i64 (w, events[i].ts_ms);
    }
}

int
hr_proto_history_copy (const void *body, size_t len, hr_event_t *out, uint32_t max,
                       uint32_t *n)
{
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    hr_proto_history_t h;
    if (hr_proto_history_get (&r, &h) != 0 || !hr_reader_done (&r) || h.n > max)
        return -1;
    hr_proto_history_iter_t it;
    hr_proto_history_iter (&h, &it);
    hr_proto_event_t ev;
    for (uint32_t i = 0; hr_proto_history_next (&it, &ev); i++) {
        if (ev.len >= sizeof out[i].value)
            return -1;
        out[i].user_id[0] = '\0';
        out[i].type = ev.type;
        memcpy (out[i].value, ev.value, ev.len);
        out[i].value[ev.len] = '\0';
        out[i].ts_ms = ev.ts_ms;
    }
    *n = h.n;
    return 0;
}

/* ------------------------------------------------------------- requests */

void
hr_proto_record_put (hr_writer_t *w, const hr_proto_record_t *req)
{
    s_method (w, HR_M_RECORD);
    hr_put_str (w, req->user_id, req->user_id_len);
    hr_put_u8 (w, req->type);
    hr_put_str (w, req->value, req->value_len);
}

int
hr_proto_record_get (hr_reader_t *args, hr_proto_record_t *req)
{
    req->user_id = hr_get_str (args, &req->user_id_len);
    req->type = hr_get_u8 (args);
    req->value = hr_get_str (args, &req->value_len);
    return s_done (args);
}

const char *const hr_event_names[HR_EVENT_PURCHASE + 1] = {
    "", "product_click", "search_query", "view", "add_to_cart", "purchase",
};

void
hr_proto_events_begin (hr_writer_t *w, uint32_t n)
{
    s_method (w, HR_M_EVENTS);
    hr_put_u32 (w, n);
}

void
hr_proto_events_add (hr_writer_t *w, const hr_proto_event_in_t *ev)
{
    hr_put_str (w, ev->user_id, ev->user_id_len);
    hr_put_u8 (w, ev->type);
    hr_put_str (w, ev->value, ev->value_len);
    hr_put_i64 (w, ev->client_ts_ms);
    hr_put_str (w, ev->rec_id, ev->rec_id_len);
}

int
hr_proto_events_count (hr_reader_t *args, uint32_t *n)
{
    *n = hr_get_u32 (args);
    return hr_reader_ok (args) && *n >= 1 && *n <= HR_EVENTS_BATCH_MAX ? 0 : -1;
}

int
hr_proto_events_next (hr_reader_t *args, hr_proto_event_in_t *ev)
{
    ev->user_id = hr_get_str (args, &ev->user_id_len);
    ev->type = hr_get_u8 (args);
    ev->value = hr_get_str (args, &ev->value_len);
    ev->client_ts_ms = hr_get_i64 (args);
    ev->rec_id = hr_get_str (args, &ev->rec_id_len);
    return hr_reader_ok (args) ? 0 : -1;
}

int
hr_proto_events_end (hr_reader_t *args)
{
    return s_done (args);
}

void
hr_proto_erase_put (hr_writer_t *w, const char *user_id, size_t len)
{
    s_method (w, HR_M_ERASE);
    hr_put_str (w, user_id, len);
}

int
hr_proto_erase_get (hr_reader_t *args, const char **user_id, size_t *len)
{
    *user_id = hr_get_str (args, len);
    return s_done (args);
}

void
hr_proto_erase_reply_put (hr_writer_t *w, const hr_proto_erase_reply_t *reply)
{
    hr_put_u64 (w, reply->events);
    hr_put_u32 (w, reply->cached);
    hr_put_u32 (w, reply->stream);
}

int
hr_proto_erase_reply_decode (const void *body, size_t len, hr_proto_erase_reply_t *out)
{
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    out->events = hr_get_u64 (&r);
    out->cached = hr_get_u32 (&r);
    out->stream = hr_get_u32 (&r);
    return s_done (&r);
}

void
hr_proto_history_req_put (hr_writer_t *w, const hr_proto_history_req_t *req)
{
    s_method (w, HR_M_HISTORY);
    hr_put_str (w, req->user_id, req->user_id_len);
    hr_put_u32 (w, req->days);
    hr_put_u32 (w, req->limit);
}

int
hr_proto_history_req_get (hr_reader_t *args, hr_proto_history_req_t *req)
{
    req->user_id = hr_get_str (args, &req->user_id_len);
    req->days = hr_get_u32 (args);
    req->limit = hr_get_u32 (args);
    return s_done (args);
}

void
hr_proto_product_req_put (hr_writer_t *w, const char *method, const hr_proto_product_req_t *req)
{
    s_method (w, method);
    hr_put_str (w, req->id, req->id_len);
    hr_put_u32 (w, req->limit);
}

int
hr_proto_product_req_get (hr_reader_t *args, hr_proto_product_req_t *req)
{
    req->id = hr_get_str (args, &req->id_len);
    req->limit = hr_get_u32 (args);
    return s_done (args);
}

void
hr_proto_search_put (hr_writer_t *w, const hr_proto_query_req_t *req)
{
    s_method (w, HR_M_SEARCH);
    hr_put_str (w, req->query, req->len);
    hr_put_u32 (w, req->limit);
}

int
hr_proto_search_get (hr_reader_t *args, hr_proto_query_req_t *req)
{
    req->query = hr_get_str (args, &req->len);
    req->limit = hr_get_u32 (args);
    return s_done (args);
}

void
hr_proto_analyze_put (hr_writer_t *w, const char *query, size_t len)
{
    s_method (w, HR_M_ANALYZE);
    hr_put_str (w, query, len);
}

int
hr_proto_analyze_get (hr_reader_t *args, hr_proto_query_req_t *req)
{
    req->query = hr_get_str (args, &req->len);
    req->limit = 0;
    return s_done (args);
}

void
hr_proto_for_user_put (hr_writer_t *w, const void *history, size_t history_len, uint32_t limit)
{
    s_method (w, HR_M_FOR_USER);
    hr_put_bytes (w, history, history_len);
    hr_put_u32 (w, limit);
}

int
hr_proto_for_user_get (hr_reader_t *args, hr_proto_for_user_t *req)
{
    if (hr_proto_history_get (args, &req->history) != 0)
        return -1;
    req->limit = hr_get_u32 (args);
    return s_done (args);
}

void
hr_proto_home_req_put (hr_writer_t *w, uint32_t limit, uint64_t seed, const void *history,
                       size_t history_len)
{
    s_method (w, HR_M_HOME);
    hr_put_u32 (w, limit);
    hr_put_u64 (w, seed);
    hr_put_bytes (w, history, history_len);
}

int
hr_proto_home_req_get (hr_reader_t *args, hr_proto_home_req_t *req)
{
    req->limit = hr_get_u32 (args);
    req->seed = hr_get_u64 (args);
    if (hr_proto_history_get (args, &req->history) != 0)
        return -1;
    return s_done (args);
}

void
hr_proto_home_picks_req_put (hr_writer_t *w, uint32_t limit, uint64_t seed, uint64_t held,
                             const void *history, size_t history_len)
{
    s_method (w, HR_M_HOME_PICKS);
    hr_put_u32 (w, limit);
    hr_put_u64 (w, seed);
    hr_put_u64 (w, held);
    hr_put_bytes (w, history, history_len);
}

int
hr_proto_home_picks_req_get (hr_reader_t *args, hr_proto_home_picks_req_t *req)
{
    req->limit = hr_get_u32 (args);
    req->seed = hr_get_u64 (args);
    req->held = hr_get_u64 (args);
    if (hr_proto_history_get (args, &req->history) != 0)
        return -1;
    return s_done (args);
}

void
hr_proto_trending_put (hr_writer_t *w, uint32_t limit)
{
    s_method (w, HR_M_TRENDING);
    hr_put_u32 (w, limit);
}

int
hr_proto_trending_get (hr_reader_t *args, uint32_t *limit)
{
    *limit = hr_get_u32 (args);
    return s_done (args);
}

void
hr_proto_diverse_pools_put (hr_writer_t *w, uint32_t limit)
{
    s_method (w, HR_M_DIVERSE_POOLS);
    hr_put_u32 (w, limit);
}

/* -------------------------------------------------------------- replies */

void
hr_proto_list_free (hr_proto_list_t *l)
{
    free (l->items);
    l->items = NULL;
    l->n = 0;
}

static int
s_list_get (hr_reader_t *r, hr_proto_list_t *out)
{
    return hr_get_scored_list (r, &out->items, &out->n);
}

int
hr_proto_list_decode (const void *body, size_t len, hr_proto_list_t *out)
{
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    if (s_list_get (&r, out) == 0 && hr_reader_done (&r))
        return 0;
    hr_proto_list_free (out);
    return -1;
}

uint32_t
hr_proto_list_count (const void *body, size_t len)
{
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    uint32_t n = hr_get_count (&r, HR_SCORED_MIN_WIRE);
    return hr_reader_ok (&r) ? n : 0;
}

int
hr_proto_list_ids_decode (const void *body, size_t len, const char **ids, uint32_t cap,
                          uint32_t *n)
{
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    if (hr_get_scored_ids (&r, ids, cap, n) == 0 && hr_reader_done (&r))
        return 0;
    *n = 0;
    return -1;
}

int
hr_proto_two_lists_decode (const void *body, size_t len, hr_proto_list_t *first,
                           hr_proto_list_t *second)
{
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    second->items = NULL;
    second->n = 0;
    if (s_list_get (&r, first) == 0 && s_list_get (&r, second) == 0 && hr_reader_done (&r))
        return 0;
    hr_proto_list_free (first);
    hr_proto_list_free (second);
    return -1;
}

/*  A home reply's first part: trending, best_value, top categories.      */
static void
s_home_head_put (hr_writer_t *w, const hr_proto_home_t *home)
{
    hr_put_scored_list (w, home->trending.items, home->trending.n);
    hr_put_scored_list (w, home->best_value.items, home->best_value.n);
    hr_put_u32 (w, home->ncategories);
    for (uint32_t i = 0; i < home->ncategories; i++) {
        hr_put_str (w, home->categories[i].name, home->categories[i].len);
        hr_put_scored_list (w, home->categories[i].list.items, home->categories[i].list.n);
    }
}

void
hr_proto_home_put (hr_writer_t *w, const hr_proto_home_t *home)
{
    s_home_head_put (w, home);
    hr_put_scored_list (w, home->diverse.items, home->diverse.n);
}

void
hr_proto_home_free (hr_proto_home_t *home)
{
    hr_proto_list_free (&home->trending);
    hr_proto_list_free (&home->best_value);
    hr_proto_list_free (&home->diverse);
    for (uint32_t i = 0; i < home->ncategories; i++)
        hr_proto_list_free (&home->categories[i].list);
    free (home->categories);
    home->categories = NULL;
    home->ncategories = 0;
}

/*  Steps over a scored list (as hr_get_scored_list reads it).  */
static int
s_list_skip (hr_reader_t *r)
{
    enum { FIXED = HR_PRODUCT_ID_LEN + 4 + 1 + 4 };    /* id, f32, u8, then the str's u32 length */
    uint32_t count = hr_get_count (r, FIXED);
    for (uint32_t i = 0; i < count && !r->err; i++) {
        size_t left = (size_t) (r->end - r->p);
        const unsigned char *n = r->p + FIXED - 4;     /* the source's length, little-endian */
        uint32_t slen = left >= FIXED
                      ? (uint32_t) n[0] | (uint32_t) n[1] << 8 | (uint32_t) n[2] << 16 | (uint32_t) n[3] << 24 : 0;
        if (left < FIXED || left - FIXED < slen)
            r->err = true;
        else
            r->p += FIXED + slen;
    }
    return r->err ? -1 : 0;
}

int
hr_proto_home_split (const void *body, size_t len, size_t *at)
{
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    if (s_list_skip (&r) != 0 || s_list_skip (&r) != 0)
        return -1;
    uint32_t k = hr_get_count (&r, S_CATEGORY_MIN_WIRE);
    for (uint32_t i = 0; i < k && !r.err; i++) {
        size_t nlen;
        if (!hr_get_str (&r, &nlen) || s_list_skip (&r) != 0)
            return -1;
    }
    if (r.err)
        return -1;
    *at = (size_t) (r.p - (const unsigned char *) body);
    return 0;
}

/*  u32 k, then k × (str name, scored list): a home reply's top categories
    and a diverse_pools reply.  0 / -1 (*cats freed, NULL).               */
static int
s_categories_get (hr_reader_t *r, hr_proto_category_t **cats, uint32_t *n)
{
    *cats = NULL;
    *n = 0;
    uint32_t k = hr_get_count (r, S_CATEGORY_MIN_WIRE);
    if (!hr_reader_ok (r))
        return -1;
    if (k && !(*cats = calloc (k, sizeof **cats)))
        return -1;
    for (uint32_t i = 0; i < k; i++) {
        hr_proto_category_t *c = &(*cats)[i];
        *n = i + 1;
        c->name = hr_get_str (r, &c->len);
        if (!c->name || s_list_get (r, &c->list) != 0) {
            hr_proto_pools_free (cats, *n);
            *n = 0;
            return -1;
        }
    }
    return 0;
}

void
hr_proto_pools_free (hr_proto_category_t **cats, uint32_t n)
{
    if (!*cats)
        return;
    for (uint32_t i = 0; i < n; i++)
        hr_proto_list_free (&(*cats)[i].list);
    free (*cats);
    *cats = NULL;
}

int
hr_proto_home_decode (const void *body, size_t len, hr_proto_home_t *out)
{
    memset (out, 0, sizeof *out);
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    if (s_list_get (&r, &out->trending) != 0 || s_list_get (&r, &out->best_value) != 0
        || s_categories_get (&r, &out->categories, &out->ncategories) != 0)
        goto fail;
    if (s_list_get (&r, &out->diverse) == 0 && hr_reader_done (&r))
        return 0;
fail:
    hr_proto_home_free (out);
    return -1;
}

int
hr_proto_pools_decode (const void *body, size_t len, hr_proto_category_t **cats, uint32_t *n)
{
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    if (s_categories_get (&r, cats, n) != 0)
        return -1;
    if (hr_reader_done (&r))
        return 0;
    hr_proto_pools_free (cats, *n);
    *n = 0;
    return -1;
}

uint64_t
hr_proto_home_fingerprint (const void *head, size_t len)
{
    /*  8 bytes a step, multiply and fold (the bytes come from a service,
        not from a client: no keyed hash needed), then the length.        */
    const unsigned char *p = head;
    uint64_t h = 0x9E3779B97F4A7C15ull ^ len;
    for (; len >= 8; len -= 8, p += 8) {
        uint64_t v;
        memcpy (&v, p, 8);
        h = (h ^ v) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++)
        v |= (uint64_t) p[i] << (8 * i);
    h = (h ^ v) * 0x94D049BB133111EBull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return h ? h : 1;
}

size_t
hr_proto_home_picks_begin (hr_writer_t *w)
{
    size_t at = w->len;
    hr_put_u8 (w, 1);
    hr_put_u64 (w, 0);
    return at;
}

void
hr_proto_home_picks_mark (hr_writer_t *w, size_t at, bool full, uint64_t fingerprint)
{
    if (w->oom || at + HR_PROTO_HOME_PICKS_PREFIX > w->len)
        return;
    w->data[at] = full ? 1 : 0;
    hr_le64_put (w->data + at + 1, fingerprint);
}

void
hr_proto_home_picks_put (hr_writer_t *w, bool full, uint64_t fingerprint, const hr_proto_home_t *home)
{
    size_t at = hr_proto_home_picks_begin (w);
    if (full) {
        size_t head = w->len;
        s_home_head_put (w, home);
        if (!fingerprint && !w->oom)
            fingerprint = hr_proto_home_fingerprint (w->data + head, w->len - head);
    }
    hr_proto_home_picks_mark (w, at, full, fingerprint);
    hr_put_scored_list (w, home->diverse.items, home->diverse.n);
}

int
hr_proto_home_picks_split (const void *body, size_t len, hr_proto_home_picks_t *out)
{
    memset (out, 0, sizeof *out);
    if (len < HR_PROTO_HOME_PICKS_PREFIX)
        return -1;
    const unsigned char *b = body;
    if (b[0] > 1)
        return -1;
    out->full = b[0] == 1;
    out->fingerprint = hr_le64_get (b + 1);
    out->head = out->picks = HR_PROTO_HOME_PICKS_PREFIX;
    if (out->full) {
        size_t at;
        if (hr_proto_home_split (b + out->head, len - out->head, &at) != 0)
            return -1;
        out->head_len = at;
        out->picks = out->head + at;
    }
    return 0;
}

int
hr_proto_analyze_reply_decode (const void *body, size_t len, const char **json, size_t *json_len)
{
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    *json = hr_get_str (&r, json_len);
    return s_done (&r);
}

/* ---------------------------------------------------------------- broker */

void
hr_proto_workers_iter (hr_proto_workers_iter_t *it, const void *body, size_t len)
{
    hr_reader_init (&it->r, body, len);
    it->left = hr_get_count (&it->r, 8);
}

bool
hr_proto_workers_next (hr_proto_workers_iter_t *it, const char **service, size_t *len,
                       uint32_t *workers)
{
    if (it->left == 0 || !hr_reader_ok (&it->r))
        return false;
    it->left--;
    *service = hr_get_str (&it->r, len);
    *workers = hr_get_u32 (&it->r);
    return hr_reader_ok (&it->r);
}

bool
hr_proto_workers_ok (const hr_proto_workers_iter_t *it)
{
    return hr_reader_ok (&it->r);
}

/* ----------------------------------------------------- decoded requests */

int
hr_proto_req_get (hr_proto_req_kind_t kind, hr_reader_t *args, hr_proto_req_t *req,
                  const char **expected)
{
    static const char *const s_expected[] = {
        [HR_REQ_RAW] = "", [HR_REQ_FOR_USER] = "history, u32 limit",
        [HR_REQ_PRODUCT] = "str product_id, u32 limit", [HR_REQ_SEARCH] = "str query, u32 limit",
        [HR_REQ_ANALYZE] = "str query", [HR_REQ_HOME] = "u32 limit, u64 seed, history",
        [HR_REQ_TRENDING] = "u32 limit", [HR_REQ_HISTORY] = "str user_id, u32 days, u32 limit",
        [HR_REQ_ERASE] = "str user_id",
        [HR_REQ_HOME_PICKS] = "u32 limit, u64 seed, u64 held, history",
    };
    int rc = 0;
    req->args = args;
    switch (kind) {
    case HR_REQ_RAW: break;
    case HR_REQ_FOR_USER: rc = hr_proto_for_user_get (args, &req->for_user); break;
    case HR_REQ_PRODUCT: rc = hr_proto_product_req_get (args, &req->product); break;
    case HR_REQ_SEARCH: rc = hr_proto_search_get (args, &req->query); break;
    case HR_REQ_ANALYZE: rc = hr_proto_analyze_get (args, &req->query); break;
    case HR_REQ_HOME: rc = hr_proto_home_req_get (args, &req->home); break;
    case HR_REQ_TRENDING: rc = hr_proto_trending_get (args, &req->limit); break;
    case HR_REQ_HISTORY: rc = hr_proto_history_req_get (args, &req->history); break;
    case HR_REQ_ERASE: rc = hr_proto_erase_get (args, &req->user.id, &req->user.len); break;
    case HR_REQ_HOME_PICKS: rc = hr_proto_home_picks_req_get (args, &req->home_picks); break;
    default: rc = -1;
    }
    if (rc != 0 && expected)
        *expected = (unsigned) kind < sizeof s_expected / sizeof *s_expected ? s_expected[kind] : "";
    return rc;
}
