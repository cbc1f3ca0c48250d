/*  Operations endpoints: /healthz, /readyz, /metrics, /openapi.yaml and,
    with HR_GATEWAY_BENCH=1, /bench/fixed (the ceiling for benchmarks).     */
#include <stdlib.h>
#include <string.h>
#include "gw_app.h"
#include "gw_params.h"
#include "gw_proto.h"
#include "gw_respond.h"
#include "hr_client.h"
#include "hr_metrics.h"
#include "hr_proto.h"
#include "hr_validate.h"
#include "hr_version.h"

extern const char gw_openapi_yaml[];
extern const size_t gw_openapi_yaml_len;

#define READY_CACHE_MS 1000

void
gw_handle_healthz (gw_request_t *r)
{
    const char *body = hr_version_health_json ();
    gw_send (r, 200, "application/json", h2o_iovec_init (body, strlen (body)));
}

static void
s_free_slot (void *p)
{
    free (*(void **) p);
}

void
gw_handle_metrics (gw_request_t *r)
{
    size_t len = 0;
    char *text = hr_metrics_render (&len);
    if (!text) {
        gw_send_error (r, 500, "internal", "cannot render metrics");
        return;
    }
    void **slot = h2o_mem_alloc_shared (&r->req->pool, sizeof *slot, s_free_slot);
    *slot = text;
    gw_send (r, 200, "text/plain; version=0.0.4", h2o_iovec_init (text, len));
}

void
gw_handle_openapi (gw_request_t *r)
{
    gw_send (r, 200, "application/yaml", h2o_iovec_init (gw_openapi_yaml, gw_openapi_yaml_len));
}

void
gw_handle_bench (gw_request_t *r)
{
    h2o_iovec_t qs = gw_query_string (r->req), v;
    long bytes = 16384;
    if (gw_query_get (&r->req->pool, qs.base, qs.len, "bytes", &v)
        && hr_parse_int_range (v.base, v.len, 1, (long) r->app->bench_body.len, &bytes) != 0) {
        gw_send_error (r, 400, "invalid_bytes", "bytes must be 1..%zu", r->app->bench_body.len);
        return;
    }
    gw_send (r, 200, "application/json", h2o_iovec_init (r->app->bench_body.base, (size_t) bytes));
}

/* ------------------------------------------------------------ readiness */

static void
s_send_ready (gw_request_t *r)
{
    gw_thread_t *t = r->thread;
    /*  A copy: the cache may be replaced while this response is still being
        written (h2o_send keeps a reference to the bytes).  */
    gw_send (r, t->ready_ok ? 200 : 503, "application/json",
             h2o_strdup (&r->req->pool, t->ready_body.base, t->ready_body.len));
}

/*  Fills counts[] from an mmi.workers listing; -1 when malformed.         */
static int
s_decode_workers (const void *body, size_t len, uint32_t counts[GW_STRATEGY_SERVICES])
{
    memset (counts, 0, GW_STRATEGY_SERVICES * sizeof counts[0]);
    hr_proto_workers_iter_t it;
    hr_proto_workers_iter (&it, body, len);
    const char *name;
    size_t nlen;
    uint32_t workers;
    while (hr_proto_workers_next (&it, &name, &nlen, &workers))
        for (int s = 0; s < GW_STRATEGY_SERVICES; s++) {
            const char *want = gw_service_name ((gw_service_t) s);
            if (nlen == strlen (want) && memcmp (name, want, nlen) == 0)
                counts[s] += workers;
        }
    return hr_proto_workers_ok (&it) ? 0 : -1;
}

static void
s_ready_done (gw_fanout_t *f, void *arg)
{
    gw_request_t *r = arg;
    gw_thread_t *t = r->thread;
    const gw_call_t *c = gw_fanout_call (f, 0);
    uint32_t counts[GW_STRATEGY_SERVICES];
    bool broker_ok = c->outcome == GW_CALL_OK && s_decode_workers (c->body, c->len, counts) == 0;
    const hr_catalog_t *cat = gw_catalog_for_request (r->app->catalog, &r->req->pool);
    uint32_t products = hr_catalog_size (cat);
    bool replicas = broker_ok;
    for (int s = 0; broker_ok && s < GW_STRATEGY_SERVICES; s++)
        replicas = replicas && counts[s] > 0;
    bool ok = replicas && products > 0;
    gw_buf_t b;
    gw_buf_init (&b, &r->req->pool, 512);
    if (ok)
        gw_buf_puts (&b, "{\"status\":\"ready\"");
    else
        gw_buf_printf (&b, "{\"error\":\"not_ready\",\"detail\":\"%s\",\"status\":\"not_ready\"",
                       !broker_ok ? "the broker did not answer"
                       : !replicas ? "a strategy service has no live replica"
                                   : "no catalog loaded");
    gw_buf_printf (&b, ",\"catalog_products\":%u,\"services\":{", products);
    for (int s = 0; s < GW_STRATEGY_SERVICES; s++)
        gw_buf_printf (&b, "%s\"%s\":%u", s ? "," : "", gw_service_name ((gw_service_t) s),
                       broker_ok ? counts[s] : 0);
    gw_buf_puts (&b, "}}");
    free (t->ready_body.base);
    t->ready_body.base = malloc (b.len);
    t->ready_body.len = t->ready_body.base ? b.len : 0;
    if (t->ready_body.base)
        memcpy (t->ready_body.base, b.data, b.len);
    t->ready_ok = ok;
    /*  Only "ready" is cached: a process coming up must not be reported
        not-ready for a second after it became ready.  */
    t->ready_until_ms = ok ? hr_now_ms () + READY_CACHE_MS : 0;
    s_send_ready (r);
}

void
gw_handle_readyz (gw_request_t *r)
{
    gw_thread_t *t = r->thread;
    if (t->ready_body.base && hr_now_ms () < t->ready_until_ms) {
        s_send_ready (r);
        return;
    }
    gw_fanout_t *f = gw_fanout_new (t->loop, r->req);
    if (!f) {
        gw_send_overloaded (r);
        return;
    }
    gw_fanout_phase (f, GW_WAIT_FULL);
    gw_fanout_add (f, GW_SVC_MMI, NULL, 0);
    gw_fanout_wait (f, s_ready_done, r);
}
