/*  POST /api/v1/interactions/interactions
    GET  /api/v1/interactions/interactions/{user_id}?days=30

    The write path, so jansson parses the body here.  Status codes follow the
    spec and FastAPI: a missing product_id / query (or an empty query) is
    400; anything the schema rejects (malformed JSON, wrong types, missing
    user_id / event_type, unknown event_type, ids that break their pattern,
    a query over 255 bytes) is 422; a body over HR_GATEWAY_MAX_BODY is 413.
    200 with an empty body only after interactions acknowledged the COMMIT. */
#include "gw_interactions.h"
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "gw_app.h"
#include "gw_endpoint.h"
#include "gw_params.h"
#include "gw_proto.h"
#include "gw_respond.h"
#include "hr_status.h"
#include "hr_validate.h"

#define DEFAULT_DAYS 30

static void
answer_write_failure (gw_request_t *r, const gw_call_t *c)
{
    if (c->outcome == GW_CALL_FAILED && c->status == HR_BAD_REQUEST) {
        gw_send_error (r, 400, "rejected", "%.*s", (int) (c->len < 300 ? c->len : 300),
                       c->body ? (const char *) c->body : "");
        return;
    }
    if (c->outcome == GW_CALL_FAILED && c->status == HR_INTERNAL) {
        gw_send_error (r, 500, "internal", "the interactions service failed");
        return;
    }
    gw_send_error (r, 503, "unavailable", "the interactions service is %s",
                   c->outcome == GW_CALL_TIMEOUT ? "not answering in time" : "unavailable");
}

static void
record_done (gw_fanout_t *f, void *arg)
{
    gw_request_t *r = arg;
    const gw_call_t *c = gw_fanout_call (f, 0);
    if (c->outcome == GW_CALL_OK)
        gw_send (r, 200, NULL, h2o_iovec_init (NULL, 0));
    else
        answer_write_failure (r, c);
}

/*  A required string field: 1 ok, 0 absent/null, -1 present but not a string. */
static int
s_string_field (json_t *obj, const char *name, const char **s, size_t *len)
{
    json_t *v = json_object_get (obj, name);
    if (!v || json_is_null (v))
        return 0;
    if (!json_is_string (v))
        return -1;
    *s = json_string_value (v);
    *len = json_string_length (v);
    return 1;
}

static int
s_reject (gw_reject_t *why, int status, const char *error, const char *fmt, ...)
{
    why->status = status;
    why->error = error;
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (why->detail, sizeof why->detail, fmt, ap);
    va_end (ap);
    return -1;
}

static int
s_record_fields (json_t *body, gw_record_t *out, gw_reject_t *why)
{
    const char *user, *event_type, *value;
    size_t ulen, elen, vlen;
    int rc = s_string_field (body, "user_id", &user, &ulen);
    if (rc <= 0)
        return s_reject (why, 422, "invalid_body", rc == 0 ? "user_id is required" : "user_id must be a string");
    if (!hr_valid_user_id (user, ulen))
        return s_reject (why, 422, "invalid_body", "user_id must match ^[a-zA-Z0-9]{1,50}$");
    rc = s_string_field (body, "event_type", &event_type, &elen);
    if (rc <= 0)
        return s_reject (why, 422, "invalid_body", rc == 0 ? "event_type is required" : "event_type must be a string");
    uint8_t type;
    if (elen == 13 && memcmp (event_type, "product_click", 13) == 0)
        type = HR_EVENT_CLICK;
    else if (elen == 12 && memcmp (event_type, "search_query", 12) == 0)
        type = HR_EVENT_SEARCH;
    else
        return s_reject (why, 422, "invalid_event_type", "event_type must be product_click or search_query");
    const char *field = type == HR_EVENT_CLICK ? "product_id" : "query";
    rc = s_string_field (body, field, &value, &vlen);
    if (rc == 0)
        return s_reject (why, 400, "missing_field", "%s is required for %s", field,
                         type == HR_EVENT_CLICK ? "product_click" : "search_query");
    if (rc < 0)
        return s_reject (why, 422, "invalid_body", "%s must be a string", field);
    if (type == HR_EVENT_CLICK && !hr_valid_product_id (value, vlen))
        return s_reject (why, 422, "invalid_body", "product_id must match ^[A-Z0-9]{10}$");
    if (type == HR_EVENT_SEARCH) {
        switch (hr_query_normalize (value, vlen, &value, &vlen)) {
        case HR_QUERY_OK:
            break;
        case HR_QUERY_EMPTY:
            return s_reject (why, 400, "missing_field", "query must not be empty after trimming");
        case HR_QUERY_TOO_LONG:
            return s_reject (why, 422, "invalid_body", "query must be at most %d bytes", HR_QUERY_MAX);
        default:
            return s_reject (why, 422, "invalid_body", "query must be valid UTF-8");
        }
    }
    *out = (gw_record_t) { user, ulen, type, value, vlen };
    return 0;
}

/*  ------------------------------------------------ the plain body, fast
    Nearly every POST is a flat object of short ASCII strings without
    escapes.  Such a body is read here in place, without jansson's
    allocations (a hashtable and a copy of every string; issue 16): its
    strings are exactly the bytes between the quotes.  Anything else — an
    escape, a byte outside printable ASCII, a non-string value, a repeated
    key we read, trailing bytes, a field the rules refuse — is left to
    gw_record_parse, which then decides and words the answer: the fast path
    only ever accepts what gw_record_parse would accept, with the same
    fields (the fuzz_json_body target checks that on every input).         */

static const char *
s_skip_ws (const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

//  A string without escapes at p (on its opening quote): its bytes, and
//  the position after the closing quote; NULL when not that plain.
static const char *
s_plain_string (const char *p, const char *end, const char **s, size_t *len)
{
    if (p == end || *p != '"')
        return NULL;
    const char *start = ++p;
    while (p < end && *p != '"') {
        unsigned char c = (unsigned char) *p;
        if (c < 0x20 || c >= 0x7f || c == '\\')
            return NULL;
        p++;
    }
    if (p == end)
        return NULL;
    *s = start;
    *len = (size_t) (p - start);
    return p + 1;
}

bool
gw_record_parse_plain (const void *data, size_t len, gw_record_t *out)
{
    if (!data)
        return false;
    const char *p = data, *end = p + len;
    enum { USER, TYPE, PRODUCT, QUERY, NFIELDS };
    static const char *const names[NFIELDS] = { "user_id", "event_type", "product_id", "query" };
    const char *val[NFIELDS] = { 0 };
    size_t vlen[NFIELDS] = { 0 };
    p = s_skip_ws (p, end);
    if (p == end || *p++ != '{')
        return false;
    p = s_skip_ws (p, end);
    if (p < end && *p == '}')
        return false;               /* {}: gw_record_parse words the refusal */
    while (true) {
        const char *key, *v;
        size_t klen, n;
        p = s_plain_string (p, end, &key, &klen);
        if (!p)
            return false;
        p = s_skip_ws (p, end);
        if (p == end || *p++ != ':')
            return false;
        p = s_plain_string (s_skip_ws (p, end), end, &v, &n);
        if (!p)
            return false;
        for (int f = 0; f < NFIELDS; f++)
            if (klen == strlen (names[f]) && memcmp (key, names[f], klen) == 0) {
                if (val[f])
                    return false;   /* repeated: jansson keeps the last */
                val[f] = v;
                vlen[f] = n;
            }
        p = s_skip_ws (p, end);
        if (p == end)
            return false;
        if (*p == '}')
            break;
        if (*p++ != ',')
            return false;
        p = s_skip_ws (p, end);
    }
    if (s_skip_ws (p + 1, end) != end)
        return false;
    if (!val[USER] || !val[TYPE] || !hr_valid_user_id (val[USER], vlen[USER]))
        return false;
    uint8_t type;
    int field;
    if (vlen[TYPE] == 13 && memcmp (val[TYPE], "product_click", 13) == 0)
        type = HR_EVENT_CLICK, field = PRODUCT;
    else if (vlen[TYPE] == 12 && memcmp (val[TYPE], "search_query", 12) == 0)
        type = HR_EVENT_SEARCH, field = QUERY;
    else
        return false;
    const char *value = val[field];
    size_t value_len = vlen[field];
    if (!value)
        return false;
    if (type == HR_EVENT_CLICK && !hr_valid_product_id (value, value_len))
        return false;
    if (type == HR_EVENT_SEARCH
    &&  hr_query_normalize (value, value_len, &value, &value_len) != HR_QUERY_OK)
        return false;
    *out = (gw_record_t) { val[USER], vlen[USER], type, value, value_len };
    return true;
}

json_t *
gw_record_parse (const void *data, size_t len, gw_record_t *out, gw_reject_t *why)
{
    json_error_t err;
    json_t *body = json_loadb (data ? data : "", len, 0, &err);
    if (!body) {
        s_reject (why, 422, "invalid_json", "%s (line %d, column %d)", err.text, err.line, err.column);
        return NULL;
    }
    if (!json_is_object (body))
        s_reject (why, 422, "invalid_body", "the body must be a JSON object");
    else if (s_record_fields (body, out, why) == 0)
        return body;
    json_decref (body);
    return NULL;
}

void
gw_handle_interactions_post (gw_request_t *r)
{
    h2o_req_t *req = r->req;
    if (req->entity.len > (size_t) r->app->settings.max_body) {
        gw_send_error (r, 413, "body_too_large", "the body exceeds %d bytes", r->app->settings.max_body);
        return;
    }
    gw_record_t ev;
    json_t *body = NULL;            /* held while ev points into it */
    if (!gw_record_parse_plain (req->entity.base, req->entity.len, &ev)) {
        gw_reject_t why;
        body = gw_record_parse (req->entity.base, req->entity.len, &ev, &why);
        if (!body) {
            gw_send_error (r, why.status, why.error, "%s", why.detail);
            return;
        }
    }
    gw_fanout_t *f = gw_fanout_new (r->thread->loop, r->req);
    if (!f)
        gw_send_overloaded (r);
    else {
        hr_writer_t *w = &r->thread->writer;
        gw_fanout_phase (f, GW_WAIT_WRITE);
        gw_req_record (w, ev.user, ev.ulen, ev.type, ev.value, ev.vlen);   /* copies */
        gw_fanout_add (f, GW_SVC_INTERACTIONS, w->data, w->len);
        gw_fanout_wait (f, record_done, r);
    }
    json_decref (body);             /* NULL after the plain path: nothing */
}

/* ------------------------------------------------------------ history */

typedef struct {
    gw_request_t *r;
    h2o_iovec_t user;
} history_t;

static void
put_timestamp (gw_buf_t *b, int64_t ms)
{
    time_t secs = (time_t) (ms / 1000);
    struct tm tm;
    gmtime_r (&secs, &tm);
    gw_buf_printf (b, "\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\"", tm.tm_year + 1900, tm.tm_mon + 1,
                   tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int) (ms % 1000));
}

static void
history_done (gw_fanout_t *f, void *arg)
{
    history_t *h = arg;
    gw_request_t *r = h->r;
    h2o_mem_pool_t *pool = &r->req->pool;
    const gw_call_t *c = gw_fanout_call (f, 0);
    if (c->outcome != GW_CALL_OK) {
        answer_write_failure (r, c);
        return;
    }
    gw_history_t hist;
    if (gw_decode_history (pool, c->body, c->len, &hist) != 0) {
        gw_send_error (r, 500, "internal", "malformed reply from the interactions service");
        return;
    }
    gw_buf_t b;
    gw_buf_init (&b, pool, 64 + (size_t) hist.n * 128);
    gw_buf_puts (&b, "{\"user_id\":");
    gw_buf_json_str (&b, h->user.base, h->user.len);
    gw_buf_puts (&b, ",\"interactions\":[");
    for (uint32_t i = 0; i < hist.n; i++) {
        const gw_event_t *e = &hist.events[i];
        gw_buf_puts (&b, i ? ",{" : "{");
        /*  Typed events (POST /api/v1/events) keep their own names:
            view, add_to_cart, purchase, each with a product_id.          */
        gw_buf_printf (&b, "\"event_type\":\"%s\",\"%s\":", hr_event_names[e->type],
                       e->type == HR_EVENT_SEARCH ? "query" : "product_id");
        gw_buf_json_str (&b, e->value, e->len);
        gw_buf_puts (&b, ",\"timestamp\":");
        put_timestamp (&b, e->ts_ms);
        gw_buf_putc (&b, '}');
    }
    gw_buf_puts (&b, "]}");
    gw_send_json (r, 200, &b);
}

void
gw_handle_interactions_get (gw_request_t *r, h2o_iovec_t user)
{
    h2o_req_t *req = r->req;
    if (!gw_endpoint_user_id (r, user))
        return;
    h2o_iovec_t qs = gw_query_string (req), v;
    long days = DEFAULT_DAYS;
    if (gw_query_get (&req->pool, qs.base, qs.len, "days", &v)
        && hr_parse_int_range (v.base, v.len, 1, 365, &days) != 0) {
        gw_send_error (r, 400, "invalid_days", "days must be an integer from 1 to 365");
        return;
    }
    gw_fanout_t *f = gw_endpoint_fanout (r);
    if (!f)
        return;
    history_t *h = h2o_mem_alloc_pool (&req->pool, sizeof *h);
    h->r = r;
    h->user = user;
    hr_writer_t *w = &r->thread->writer;
    gw_fanout_phase (f, GW_WAIT_WRITE);
    gw_req_history (w, user.base, user.len, (uint32_t) days, (uint32_t) r->app->settings.history_limit);
    gw_fanout_add (f, GW_SVC_INTERACTIONS, w->data, w->len);
    gw_fanout_wait (f, history_done, h);
}
