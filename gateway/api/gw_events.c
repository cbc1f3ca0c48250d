/*  gw_events — POST /api/v1/events (see gw_events.h).                     */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* timegm */
#endif
#include "gw_events.h"
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "gw_buf.h"
#include "gw_fanout.h"
#include "gw_respond.h"
#include "hr_metrics.h"
#include "hr_status.h"
#include "hr_validate.h"

_Static_assert (GW_EVENTS_MAX == HR_EVENTS_BATCH_MAX, "one batch limit");

/*  The lists of the answers (the strategy behind each, docs/events.md):
    the surface each belongs to; LIST_NONE = the event named no list.     */
enum { LIST_NONE = 7, LISTS = 8 };
static const struct {
    const char *name;
    int surface;                /* index in hr_rec_surfaces, -1 = any */
} s_lists[LISTS] = {
    { "personalized", 0 }, { "trending", 0 }, { "best_value", 0 }, { "top_categories", 0 },
    { "diverse_picks", 0 }, { "similar", 1 }, { "results", 2 }, { "unspecified", -1 },
};

typedef struct {
    gw_request_t *r;
    uint32_t n;
    /*  [type][surface or HR_REC_SURFACES = no recommendation id][list]    */
    uint32_t count[HR_EVENT_PURCHASE + 1][HR_REC_SURFACES + 1][LISTS];
} events_t;

static hr_counter_t *s_events_total[HR_EVENT_PURCHASE + 1];
static hr_counter_t *s_attributed[HR_EVENT_PURCHASE + 1][HR_REC_SURFACES][LISTS];
static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static void
s_metrics_init (void)
{
    for (int t = HR_EVENT_CLICK; t <= HR_EVENT_PURCHASE; t++) {
        char labels[128];
        snprintf (labels, sizeof labels, "type=\"%s\"", hr_event_names[t]);
        s_events_total[t] = hr_counter ("hr_gateway_events_total",
                                        "Typed events committed through POST /api/v1/events", labels);
        for (int k = 0; k < HR_REC_SURFACES; k++)
            for (int l = 0; l < LISTS; l++) {
                if (s_lists[l].surface >= 0 && s_lists[l].surface != k)
                    continue;
                snprintf (labels, sizeof labels, "surface=\"%s\",list=\"%s\",type=\"%s\"",
                          hr_rec_surfaces[k], s_lists[l].name, hr_event_names[t]);
                s_attributed[t][k][l] = hr_counter ("hr_gateway_attributed_events_total",
                    "Committed events echoing a recommendation id, by the surface and list that showed the item",
                    labels);
            }
    }
}

static void
events_done (gw_fanout_t *f, void *arg)
{
    events_t *e = arg;
    gw_request_t *r = e->r;
    const gw_call_t *c = gw_fanout_call (f, 0);
    if (c->outcome != GW_CALL_OK) {
        if (c->outcome == GW_CALL_FAILED && c->status == HR_BAD_REQUEST)
            gw_send_error (r, 400, "invalid_event", "%.*s", (int) (c->len < 300 ? c->len : 300),
                           c->body ? (const char *) c->body : "");
        else
            gw_send_error (r, 503, "unavailable", "the events were not all committed (%s); retry",
                           c->outcome == GW_CALL_TIMEOUT ? "not answered in time" : "store unavailable");
        return;
    }
    pthread_once (&s_once, s_metrics_init);
    for (int t = HR_EVENT_CLICK; t <= HR_EVENT_PURCHASE; t++)
        for (int k = 0; k <= HR_REC_SURFACES; k++)
            for (int l = 0; l < LISTS; l++) {
                uint32_t n = e->count[t][k][l];
                if (n) {
                    hr_counter_add (s_events_total[t], n);
                    if (k < HR_REC_SURFACES)
                        hr_counter_add (s_attributed[t][k][l], n);
                }
            }
    gw_buf_t b;
    gw_buf_init (&b, &r->req->pool, 32);
    gw_buf_printf (&b, "{\"accepted\":%u}", e->n);
    gw_send_json (r, 200, &b);
}

/* ------------------------------------------------------------ validation */

typedef struct {
    char detail[240];
} why_t;

static int
s_bad (why_t *why, size_t i, const char *fmt, ...)
{
    int n = snprintf (why->detail, sizeof why->detail, "events[%zu]: ", i);
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (why->detail + n, sizeof why->detail - (size_t) n, fmt, ap);
    va_end (ap);
    return -1;
}

static int
s_type_of (const char *s)
{
    static const struct { const char *name; int type; } names[] = {
        { "view", HR_EVENT_VIEW }, { "click", HR_EVENT_CLICK }, { "product_click", HR_EVENT_CLICK },
        { "search", HR_EVENT_SEARCH }, { "search_query", HR_EVENT_SEARCH },
        { "add_to_cart", HR_EVENT_CART }, { "purchase", HR_EVENT_PURCHASE },
    };
    for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
        if (!strcmp (s, names[i].name))
            return names[i].type;
    return 0;
}

/*  RFC 3339: YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM) -> ms.        */
static int
s_parse_rfc3339 (const char *s, int64_t *ms)
{
    struct tm tm = { 0 };
    int y, mo, d, h, mi, sec, used = 0;
    if (sscanf (s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6
        || used != 19 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    const char *p = s + used;
    int frac = 0, scale = 100;
    if (*p == '.') {
        if (!(p[1] >= '0' && p[1] <= '9'))
            return -1;
        for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
            frac += scale ? (*p - '0') * scale : 0;
    }
    int offset = 0;
    if (*p == 'Z' || *p == 'z')
        p++;
    else if (*p == '+' || *p == '-') {
        int oh, om, n2 = 0;
        if (sscanf (p + 1, "%2d:%2d%n", &oh, &om, &n2) != 2 || n2 != 5 || oh > 23 || om > 59)
            return -1;
        offset = (*p == '+' ? 1 : -1) * (oh * 60 + om);
        p += 6;
    }
    else
        return -1;
    if (*p)
        return -1;
    tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
    tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
    time_t t = timegm (&tm);
    *ms = ((int64_t) t - offset * 60) * 1000 + frac;
    return 0;
}

/*  The optional "list" of an attributed event: its index in s_lists
    (LIST_NONE when absent), -1 when unknown or not a list of the surface. */
static int
s_list_of (json_t *o, int surface)
{
    json_t *jl = json_object_get (o, "list");
    if (!jl || json_is_null (jl))
        return LIST_NONE;
    const char *name = json_string_value (jl);
    for (int l = 0; name && l < LIST_NONE; l++)
        if (!strcmp (name, s_lists[l].name))
            return s_lists[l].surface == surface ? l : -1;
    return -1;
}

/*  One event object into the message; *type, *surface and *list for the
    metrics.                                                              */
static int
s_event (json_t *o, size_t i, hr_writer_t *w, int *type, int *surface, int *list, why_t *why)
{
    if (!json_is_object (o))
        return s_bad (why, i, "an event must be a JSON object");
    json_t *jt = json_object_get (o, "type");
    if (!jt)
        jt = json_object_get (o, "event_type");
    int t = s_type_of (json_string_value (jt));
    if (!t)
        return s_bad (why, i, "type must be one of view, click, search, add_to_cart, purchase");
    json_t *ju = json_object_get (o, "user_id");
    const char *user = json_string_value (ju);
    if (!user || !hr_valid_user_id (user, json_string_length (ju)))
        return s_bad (why, i, "user_id must match ^[a-zA-Z0-9]{1,50}$");
    const char *field = t == HR_EVENT_SEARCH ? "query" : "product_id";
    json_t *jv = json_object_get (o, field);
    const char *value = json_string_value (jv);
    size_t vlen = value ? json_string_length (jv) : 0;
    if (!value)
        return s_bad (why, i, "%s (a string) is required for %s", field, hr_event_names[t]);
    if (t != HR_EVENT_SEARCH && !hr_valid_product_id (value, vlen))
        return s_bad (why, i, "product_id must match ^[A-Z0-9]{10}$");
    if (t == HR_EVENT_SEARCH) {
        switch (hr_query_normalize (value, vlen, &value, &vlen)) {
        case HR_QUERY_OK:
            break;
        case HR_QUERY_EMPTY:
            return s_bad (why, i, "query must not be empty after trimming");
        case HR_QUERY_TOO_LONG:
            return s_bad (why, i, "query must be at most %d bytes", HR_QUERY_MAX);
        default:
            return s_bad (why, i, "query must be valid UTF-8");
        }
    }
    int64_t ts = 0;
    json_t *jts = json_object_get (o, "timestamp");
    if (jts && !json_is_null (jts)) {
        if (json_is_integer (jts))
            ts = json_integer_value (jts);
        else if (!json_is_string (jts) || s_parse_rfc3339 (json_string_value (jts), &ts) != 0)
            return s_bad (why, i, "timestamp must be RFC 3339 (2026-12-05T10:00:00.123Z) or ms since epoch");
        if (ts <= 0)
            return s_bad (why, i, "timestamp must be after 1970");
    }
    json_t *jr = json_object_get (o, "recommendation_id");
    const char *rec = "";
    size_t rlen = 0;
    *surface = HR_REC_SURFACES;
    if (jr && !json_is_null (jr)) {
        rec = json_string_value (jr);
        rlen = rec ? json_string_length (jr) : 0;
        if (!rec || (*surface = hr_rec_id_surface (rec, rlen)) < 0)
            return s_bad (why, i, "recommendation_id must be an X-Recommendation-Id value "
                          "(home|product|search).<request id>");
    }
    *list = LIST_NONE;
    if (json_object_get (o, "list") && !json_is_null (json_object_get (o, "list"))) {
        if (*surface == HR_REC_SURFACES)
            return s_bad (why, i, "list needs a recommendation_id");
        if ((*list = s_list_of (o, *surface)) < 0)
            return s_bad (why, i, "list must name a list of the %s answer (personalized, trending, "
                          "best_value, top_categories, diverse_picks | similar | results)",
                          hr_rec_surfaces[*surface]);
    }
    *type = t;
    hr_proto_events_add (w, &(hr_proto_event_in_t) {
        user, json_string_length (ju), (uint8_t) t, value, vlen, ts, rec, rlen });
    return 0;
}

void
gw_handle_events_post (gw_request_t *r)
{
    h2o_req_t *req = r->req;
    size_t cap = (size_t) r->app->settings.max_body * 64;
    if (req->entity.len > cap) {
        gw_send_error (r, 413, "body_too_large", "the body exceeds %zu bytes", cap);
        return;
    }
    json_error_t err;
    json_t *body = json_loadb (req->entity.base ? req->entity.base : "", req->entity.len, 0, &err);
    if (!body) {
        gw_send_error (r, 400, "invalid_json", "%s (line %d, column %d)", err.text, err.line, err.column);
        return;
    }
    json_t *list = json_is_array (body) ? body : json_object_get (body, "events");
    size_t n = json_array_size (list);
    if (!json_is_array (list) || n == 0) {
        gw_send_error (r, 400, "invalid_body", "expected {\"events\": [...]} with at least one event");
        json_decref (body);
        return;
    }
    if (n > GW_EVENTS_MAX) {
        gw_send_error (r, 413, "too_many_events", "%zu events: at most %d per request", n, GW_EVENTS_MAX);
        json_decref (body);
        return;
    }
    events_t *e = h2o_mem_alloc_pool (&req->pool, sizeof *e);
    memset (e, 0, sizeof *e);
    e->r = r;
    e->n = (uint32_t) n;
    hr_writer_t *w = &r->thread->writer;
    hr_proto_events_begin (w, (uint32_t) n);
    why_t why;
    for (size_t i = 0; i < n; i++) {
        int type, surface, in_list;
        if (s_event (json_array_get (list, i), i, w, &type, &surface, &in_list, &why) != 0) {
            gw_send_error (r, 400, "invalid_event", "%s", why.detail);
            json_decref (body);
            return;
        }
        e->count[type][surface][in_list]++;
    }
    json_decref (body);
    gw_fanout_t *f = gw_fanout_new (r->thread->loop, req);
    if (!f) {
        gw_send_error (r, 503, "overloaded", "too many requests in flight");
        return;
    }
    gw_fanout_phase (f, GW_WAIT_WRITE);
    gw_fanout_add (f, GW_SVC_INTERACTIONS, w->data, w->len);
    gw_fanout_wait (f, events_done, e);
}
