/*  gw_admin — the admin views' state and the overview (see gw_admin.h;
    the user, product and search views are gw_admin_views.c).

    They answer people looking at the system, not shoppers: every call uses
    the GW_WAIT_WRITE budget (HR_GATEWAY_WRITE_TIMEOUT_MS), so a slow service
    shows up complete instead of missing, and an admin page never trips the
    circuit breakers that protect the shopper-facing endpoints (timeouts of
    that budget are not counted by the breakers).  Each list carries its own
    "status" so the dashboard can say *why* a strategy's list is empty.      */
#include "gw_admin.h"
#include "gw_auth.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "gw_admin_list.h"
#include "gw_endpoint.h"
#include "gw_proto.h"
#include "gw_render.h"
#include "gw_respond.h"
#include "hr_client.h"
#include "hr_log.h"
#include "hr_model_store.h"
#include "hr_pg.h"
#include "hr_swap.h"
#include "hr_validate.h"

#define MODELS_REFRESH_MS 5000
#define MODELS_PG_TIMEOUT_MS 2000
#define OVERVIEW_TRENDING 12

/* ========================================================== the object */

struct gw_admin {
    hr_swap_t *models;          /* "[...]" of hr_model_info_json objects; NULL without a database */
    hr_swap_source_t source;
    char *database_url;
    hr_pg_t *pg;                /* the poller's connection (its thread only) */
};

/*  The model infos have no version of their own: every poll reads them
    again (the snapshot's version is the time it was read).                */
static int64_t
s_models_current (void *arg)
{
    (void) arg;
    return hr_now_ms ();
}

/*  One JSON array of every strategy's current model; NULL when PostgreSQL
    is unreachable (the previous copy is kept: stale beats empty).         */
static void *
s_models_load (void *arg, int64_t version)
{
    (void) version;
    gw_admin_t *self = arg;
    if (!self->pg)
        self->pg = hr_pg_new (self->database_url, MODELS_PG_TIMEOUT_MS, 0);
    if (!self->pg || !hr_pg_conn (self->pg))
        return NULL;
    json_t *arr = json_array ();
    for (size_t i = 0; i < HR_MODEL_COUNT; i++) {
        char *info = hr_model_info_json (self->pg, hr_proto_models[i]);
        json_t *o = info ? json_loads (info, 0, NULL) : NULL;
        free (info);
        if (!o)                 /* never trained (or the row did not parse) */
            o = json_pack ("{s:s, s:i, s:n}", "strategy", hr_proto_models[i], "version", 0,
                           "trained_at");
        json_array_append_new (arr, o);
    }
    char *out = json_dumps (arr, JSON_COMPACT);
    json_decref (arr);
    return out;
}

gw_admin_t *
gw_admin_new (const char *database_url)
{
    gw_admin_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    if (!database_url || !*database_url)
        return self;            /* the overview says "unavailable" */
    self->database_url = strdup (database_url);
    self->models = hr_swap_new (free);
    self->source = (hr_swap_source_t) { s_models_current, s_models_load, self };
    if (!self->database_url || !self->models
        || hr_swap_start (self->models, &self->source, MODELS_REFRESH_MS) != 0) {
        hr_warn ("gateway: cannot start the model-info poller; the overview shows no models");
        hr_swap_destroy (&self->models);
        return self;
    }
    hr_swap_poke (self->models);        /* the first read now, not in 5 s */
    return self;
}

void
gw_admin_destroy (gw_admin_t **self_p)
{
    gw_admin_t *self = *self_p;
    if (!self)
        return;
    hr_swap_destroy (&self->models);    /* stops the poller first */
    hr_pg_destroy (&self->pg);
    free (self->database_url);
    free (self);
    *self_p = NULL;
}

/* ================================================================ access */

/*  Every admin endpoint checks the gateway's API keys first, before
    looking at its input (an unauthorised caller learns nothing, not even
    what is valid): gw_auth_require answers 401 without a key, 403 with a
    wrong one.  */

/* ============================================================= overview */

typedef struct {
    gw_request_t *r;
    int c_workers, c_trending;
} overview_t;

/*  ,"services":{name: live replicas, ...} from an mmi.workers listing.    */
static bool
s_put_workers (gw_buf_t *b, const gw_call_t *c)
{
    if (c->outcome != GW_CALL_OK)
        return false;
    hr_reader_t rd;
    hr_reader_init (&rd, c->body, c->len);
    uint32_t n = hr_get_count (&rd, 8);
    size_t mark = b->len;
    gw_buf_puts (b, ",\"services\":{");
    for (int s = 0; s < GW_STRATEGY_SERVICES; s++)      /* a service with no replica still shows */
        gw_buf_printf (b, "%s\"%s\":0", s ? "," : "", gw_service_name ((gw_service_t) s));
    for (uint32_t i = 0; i < n && hr_reader_ok (&rd); i++) {
        size_t nlen;
        const char *name = hr_get_str (&rd, &nlen);
        uint32_t workers = hr_get_u32 (&rd);
        if (!name || !hr_reader_ok (&rd))
            break;
        /*  Later keys win in every JSON parser we care about.  */
        gw_buf_putc (b, ',');
        gw_buf_json_str (b, name, nlen);
        gw_buf_printf (b, ":%u", workers);
    }
    if (!hr_reader_done (&rd)) {
        b->len = mark;
        return false;
    }
    gw_buf_putc (b, '}');
    return true;
}

static void
s_put_models (gw_buf_t *b, gw_admin_t *self)
{
    hr_snapshot_t *snap = self->models ? hr_swap_acquire (self->models) : NULL;
    if (snap)
        gw_buf_printf (b, ",\"models\":{\"status\":\"ok\",\"refreshed_ms\":%lld,\"items\":%s}",
                       (long long) hr_snapshot_version (snap), (const char *) hr_snapshot_data (snap));
    else
        gw_buf_printf (b, ",\"models\":{\"status\":\"%s\",\"items\":[]}",
                       self->models ? "loading" : "unavailable");
    hr_snapshot_release (&snap);
}

static void
s_overview_render (gw_fanout_t *f, void *arg)
{
    overview_t *o = arg;
    gw_request_t *r = o->r;
    h2o_mem_pool_t *pool = &r->req->pool;
    const hr_catalog_t *cat = gw_catalog_for_request (r->app->catalog, pool);
    gw_buf_t b;
    gw_buf_init (&b, pool, 4096 + OVERVIEW_TRENDING * 600);
    gw_buf_printf (&b, "{\"now_ms\":%lld", (long long) hr_now_ms ());
    const gw_call_t *w = gw_fanout_call (f, o->c_workers);
    bool broker_ok = s_put_workers (&b, w);
    gw_buf_puts (&b, ",\"broker\":");
    const char *bs = broker_ok ? "ok" : w->outcome == GW_CALL_OK ? "malformed" : gw_admin_list_status (w->outcome);
    gw_buf_json_str (&b, bs, strlen (bs));
    if (!broker_ok)
        gw_buf_puts (&b, ",\"services\":{}");
    s_put_models (&b, r->app->admin);
    gw_buf_printf (&b, ",\"catalog\":{\"products\":%u,\"version\":%lld}", hr_catalog_size (cat),
                   (long long) gw_catalog_version (r->app->catalog));
    /*  This loop thread's view of the circuits (each loop has its own).   */
    gw_buf_printf (&b, ",\"gateway\":{\"inflight\":%d,\"threads\":%d,\"circuits\":{",
                   gw_fanout_inflight (), r->app->settings.threads);
    static const char *const states[] = { "closed", "open", "half_open" };
    for (int s = 0; s < GW_STRATEGY_SERVICES; s++) {
        const gw_breaker_t *br = gw_loop_breaker (r->thread->loop, (gw_service_t) s);
        gw_buf_printf (&b, "%s\"%s\":\"%s\"", s ? "," : "", gw_service_name ((gw_service_t) s),
                       br->state <= GW_BREAKER_HALF_OPEN ? states[br->state] : "unknown");
    }
    gw_buf_puts (&b, "}},\"trending\":");
    gw_admin_list_t trending;
    gw_admin_list_take (pool, f, o->c_trending, &trending);
    gw_admin_list_put (&b, cat, &trending, OVERVIEW_TRENDING);
    gw_buf_putc (&b, '}');
    gw_send_json (r, 200, &b);
}

void
gw_handle_admin_overview (gw_request_t *r)
{
    if (!gw_auth_require (r))
        return;
    gw_fanout_t *f = gw_endpoint_fanout (r);
    if (!f)
        return;
    overview_t *o = h2o_mem_alloc_pool (&r->req->pool, sizeof *o);
    o->r = r;
    hr_writer_t *w = &r->thread->writer;
    gw_fanout_phase (f, GW_WAIT_WRITE);
    o->c_workers = gw_fanout_add (f, GW_SVC_MMI, NULL, 0);
    gw_req_trending (w, OVERVIEW_TRENDING);
    o->c_trending = gw_fanout_add (f, GW_SVC_TRENDING, w->data, w->len);
    gw_fanout_wait (f, s_overview_render, o);
}
