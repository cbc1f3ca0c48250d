/*  Trending update throughput: clicks per second into the forward-decay
    model, three ways:
      trending_decay_add           the bare model (dense item ids);
      trending click      what the event thread does per click: catalog id
                          lookup + lock + trending_decay_add (trending_state_click);
      stream end-to-end   (with REDIS_URL) events XADDed to hr:events and
                          consumed by a trending_state's event thread.
    Target (issue 7): >= 100,000 events/s.
      decay_bench [EVENTS]   (default 2,000,000; stream part 200,000)     */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "trending-svc/decay.h"
#include "hr_catalog.h"
#include "hr_client.h"
#include "hr_events.h"
#include "hr_log.h"
#include "hr_redis.h"
#include "trending-svc/serve.h"
#include "../bench_util.h"

#define ITEMS 30000

static uint64_t rng = 88172645463325252ull;
static uint32_t next_item (void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    /*  skewed like real clicks: a quarter of clicks on 1 % of the items  */
    return (rng & 3) == 0 ? (uint32_t) (rng >> 40) % (ITEMS / 100) : (uint32_t) (rng >> 40) % ITEMS;
}

int main (int argc, char **argv)
{
    long events = argc > 1 ? atol (argv[1]) : 2000000;
    hr_log_init ("decay-bench", HR_LOG_WARN);
    int64_t t0 = 1700000000000LL;

    trending_decay_t *d = trending_decay_new (0.95, t0);
    double t = bench_now_s ();
    for (long i = 0; i < events; i++)
        trending_decay_add (d, next_item (), t0 + i / 10);   /* 10 events per ms of event time */
    double dt = bench_now_s () - t;
    uint32_t top[10];
    trending_decay_top (d, t0 + events / 10, 10, top, NULL);
    printf ("decay_add:        %ld events in %.3f s = %.0f events/s (top item %u)\n",
            events, dt, events / dt, top[0]);
    trending_decay_destroy (&d);

    hr_catalog_t *cat = hr_catalog_new ();
    static char ids[ITEMS][11];
    for (uint32_t i = 0; i < ITEMS; i++) {
        hr_product_t p = { 0 };
        snprintf (ids[i], sizeof ids[i], "B%09u", i);
        memcpy (p.id, ids[i], 11);
        p.name = ids[i];
        p.main_category = (i % 20) < 10 ? "home" : "electronics";
        p.sub_category = "x";
        p.image = p.link = "";
        p.rating = 4.0;
        p.reviews = i % 1000;
        p.price = 1;
        p.original_price = 2;
        p.discount_ratio = 0.5;
        hr_catalog_add (cat, &p);
    }
    hr_catalog_freeze (cat);
    trending_serve_params_t sp = { .decay_rate = 0.95, .model = trending_params_default (),
                                   .window_days = 30, .reconcile_s = 3600 };
    trending_state_t *st = trending_state_new (&sp, cat);
    t = bench_now_s ();
    for (long i = 0; i < events; i++)
        trending_state_click (st, ids[next_item ()], t0 + i / 10);
    dt = bench_now_s () - t;
    printf ("trending click:   %ld events in %.3f s = %.0f events/s\n", events, dt, events / dt);
    t = bench_now_s ();
    trending_state_refresh (st, true);
    printf ("ranking rebuild:  %.2f ms for %u items\n", (bench_now_s () - t) * 1e3, ITEMS);
    trending_state_destroy (&st);

    const char *redis_url = getenv ("REDIS_URL");
    if (redis_url) {
        long n = events < 200000 ? events : 200000;
        sp.redis_url = redis_url;
        sp.redis_timeout_ms = 2000;
        st = trending_state_new (&sp, cat);
        usleep (300000);                            /* the reader resolves "$" */
        hr_redis_t *r = hr_redis_new (redis_url, 2000);
        /*  XADDs pipelined 1,000 at a time, in hr_events' field layout
            (u, t=c, v, ts: hr_events.h), so the publisher is not the limit. */
        double tp = bench_now_s ();
        uint64_t before = trending_state_events (st);
        for (long i = 0; i < n; i += 1000) {
            long m = n - i < 1000 ? n - i : 1000;
            for (long k = 0; k < m; k++)
                hr_redis_append (r, "XADD %s MAXLEN ~ %d * u bench%ld t c v %s ts %lld", HR_EVENTS_STREAM,
                                 HR_EVENTS_MAXLEN, (i + k) % 1000, ids[next_item ()],
                                 (long long) hr_now_ms ());
            for (long k = 0; k < m; k++) {
                redisReply *reply = NULL;
                if (hr_redis_get_reply (r, &reply) == 0 && reply)
                    freeReplyObject (reply);
            }
        }
        double published = bench_now_s () - tp;
        while (trending_state_events (st) - before < (uint64_t) n && bench_now_s () - tp < 120)
            usleep (1000);
        double total = bench_now_s () - tp;
        printf ("stream end-to-end: %ld events: published in %.3f s (%.0f/s, pipelined XADD), "
                "all applied after %.3f s (%.0f events/s through the stream)\n",
                n, published, n / published, total, (trending_state_events (st) - before) / total);
        hr_redis_destroy (&r);
        trending_state_destroy (&st);
    }
    hr_catalog_destroy (&cat);
    return 0;
}
