/*  gw_warm — the /product cache filled ahead (see gw_warm.h).             */
#include "gw_warm.h"
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gw_cache.h"
#include "gw_catalog.h"
#include "gw_fanout.h"
#include "gw_product.h"
#include "gw_proto.h"
#include "gw_versions.h"
#include "hr_batch.h"
#include "hr_client.h"
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_status.h"

#define IDLE_MS 200             /* between looks at the generation when idle */
#define NSOURCES 3              /* content, collab, rules: in priority order */

struct gw_warm {
    gw_app_t *app;
    char endpoint[256];
    uint32_t batch;
    int64_t period_ms;
    int deadline_ms;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    /*  The thread's own.  */
    hr_client_t *client;
    hr_writer_t req, inner;
    uint64_t seq;
    hr_counter_t *warmed, *sweeps;
    hr_gauge_t *progress;
};

static const struct {
    gw_service_t svc;
    const char *method;
} s_sources[NSOURCES] = {
    { GW_SVC_CONTENT, HR_M_SIMILAR },
    { GW_SVC_COLLAB, HR_M_SIMILAR },
    { GW_SVC_RULES, HR_M_FOR_PRODUCT },
};

/*  Waits up to ms unless stopping; true when stopping.  */
static bool
s_sleep (gw_warm_t *self, int ms)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long) (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock (&self->lock);
    if (!self->stop)
        pthread_cond_timedwait (&self->cond, &self->lock, &ts);
    bool stop = self->stop;
    pthread_mutex_unlock (&self->lock);
    return stop;
}

static bool
s_stopping (gw_warm_t *self)
{
    pthread_mutex_lock (&self->lock);
    bool stop = self->stop;
    pthread_mutex_unlock (&self->lock);
    return stop;
}

/*  One round: the answers of products idx[0..n) asked from the three
    sources (one batch message each), picked and stored under `gen`.
    renew[idx]: 0 when the answer was stored as lasting (content's alone),
    1 when a renewal must ask again (it read collab, or was not stored).
    Returns how many were stored; *lasting how many of them were lasting.  */
static uint32_t
s_round (gw_warm_t *self, h2o_mem_pool_t *pool, const hr_catalog_t *cat, int64_t catalog_version,
         uint64_t gen, const uint32_t *idx, uint32_t n, uint8_t *renew, uint32_t *lasting)
{
    uint32_t want = gw_product_want (cat, GW_PRODUCT_DEFAULT_LIMIT);
    int64_t deadline = hr_now_ms () + self->deadline_ms;
    uint64_t base = (++self->seq) << 2;
    gw_list_t *lists = h2o_mem_alloc_pool (pool, sizeof *lists * n * NSOURCES);
    uint8_t *ok = h2o_mem_alloc_pool (pool, (size_t) n * NSOURCES);
    memset (ok, 0, (size_t) n * NSOURCES);
    bool pending[NSOURCES];
    for (int s = 0; s < NSOURCES; s++) {
        hr_batch_writer_t bw;
        hr_writer_reset (&self->req);
        hr_batch_request_begin (&bw, &self->req);
        for (uint32_t i = 0; i < n; i++) {
            hr_writer_reset (&self->inner);
            gw_req_product (&self->inner, s_sources[s].method, hr_catalog_at (cat, idx[i])->id, want);
            hr_batch_request_add (&bw, i, self->inner.data, self->inner.len);
        }
        hr_batch_end (&bw);
        pending[s] = hr_client_send (self->client, gw_service_name (s_sources[s].svc), base + (uint64_t) s,
                                     deadline, self->req.data, self->req.len) == 0;
    }
    /*  Replies (ZMQ_FD is edge-triggered: drain after every wake-up).     */
    int waiting = pending[0] + pending[1] + pending[2];
    while (waiting > 0 && !s_stopping (self)) {
        hr_reply_t reply;
        int rc;
        while (waiting > 0 && (rc = hr_client_recv (self->client, &reply)) == 1) {
            uint64_t s = reply.request_id - base;
            if (reply.request_id < base || s >= NSOURCES || !pending[s])
                continue;           /* a late reply of an earlier round */
            pending[s] = false;
            waiting--;
            if (reply.status != HR_OK)
                continue;
            hr_reader_t r;
            hr_reader_init (&r, reply.body, reply.body_len);
            uint32_t count = hr_batch_count (&r);
            for (uint32_t k = 0; k < count; k++) {
                uint64_t i;
                uint8_t status;
                const void *body;
                size_t len;
                if (hr_batch_next_reply (&r, &i, &status, &body, &len) != 0)
                    break;
                if (i < n && status == HR_OK
                    && gw_decode_one_list (pool, body, len, &lists[i * NSOURCES + s]) == 0)
                    ok[i * NSOURCES + s] = 1;
            }
        }
        if (waiting == 0)
            break;
        int64_t left = deadline - hr_now_ms ();
        if (left <= 0)
            break;
        struct pollfd pfd = { .fd = hr_client_fd (self->client), .events = POLLIN };
        poll (&pfd, 1, left < 100 ? (int) left : 100);
    }
    uint32_t stored = 0;
    const hr_scored_t *picked[GW_PRODUCT_DEFAULT_LIMIT];
    char ids[GW_PRODUCT_DEFAULT_LIMIT][HR_PRODUCT_ID_LEN];
    char key[GW_PRODUCT_KEY_LEN];
    for (uint32_t i = 0; i < n; i++) {
        renew[idx[i]] = 1;
        const gw_list_t *have[NSOURCES];
        bool whole = true;
        for (int s = 0; s < NSOURCES; s++) {
            have[s] = ok[i * NSOURCES + s] ? &lists[i * NSOURCES + s] : NULL;
            whole = whole && have[s];
        }
        if (!whole)             /* degraded: the request path asks again */
            continue;
        const char *id = hr_catalog_at (cat, idx[i])->id;
        uint32_t first;
        uint32_t k = gw_product_pick (pool, cat, id, have, NSOURCES, GW_PRODUCT_DEFAULT_LIMIT, picked, &first);
        if (k < GW_PRODUCT_DEFAULT_LIMIT)
            continue;
        for (uint32_t j = 0; j < k; j++)
            memcpy (ids[j], picked[j]->id, HR_PRODUCT_ID_LEN);
        gw_product_key (key, id, GW_PRODUCT_DEFAULT_LIMIT, catalog_version);
        if (first == k) {
            gw_cache_put_lasting (self->app->product_cache, key, sizeof key, gen, ids,
                                  (size_t) k * HR_PRODUCT_ID_LEN);
            renew[idx[i]] = 0;
            (*lasting)++;
        }
        else
            gw_cache_put (self->app->product_cache, key, sizeof key, gen, ids, (size_t) k * HR_PRODUCT_ID_LEN);
        stored++;
    }
    return stored;
}

static void
s_log_done (bool full, uint32_t asked, uint32_t stored, uint32_t lasting, int64_t ms)
{
    char a[16], st[16], la[16], t[24];
    snprintf (a, sizeof a, "%u", asked);
    snprintf (st, sizeof st, "%u", stored);
    snprintf (la, sizeof la, "%u", lasting);
    snprintf (t, sizeof t, "%lld", (long long) ms);
    hr_log_kv (HR_LOG_INFO, NULL, full ? "product warm-up done" : "product warm-up renewed",
               "asked", a, "stored", st, "lasting", la, "ms", t, NULL);
}

static void *
s_run (void *arg)
{
    gw_warm_t *self = arg;
    self->client = hr_client_new (self->endpoint);
    if (!self->client) {
        hr_error ("gateway: /product warmer cannot connect to the broker at %s", self->endpoint);
        return NULL;
    }
    hr_writer_init (&self->req);
    hr_writer_init (&self->inner);
    uint32_t *idx = calloc (self->batch, sizeof *idx);
    uint8_t *renew = NULL;      /* per catalog index (s_round) */
    uint32_t renew_size = 0;
    h2o_mem_pool_t pool;
    h2o_mem_init_pool (&pool);
    uint64_t swept_gen = 0, sweep_gen = 0;
    int64_t swept_catalog = -2, sweep_catalog = -2, next_ms = 0, started_ms = 0;
    bool sweeping = false, full = false;
    uint32_t cursor = 0, asked = 0, stored = 0, lasting = 0;
    while (idx && !s_stopping (self)) {
        bool fill;
        uint64_t gen = gw_versions_gen (self->app->versions, &fill);
        int64_t catalog_version;
        const hr_catalog_t *cat = gw_catalog_for_request_v (self->app->catalog, &pool, &catalog_version);
        uint32_t size = hr_catalog_size (cat);
        int64_t now = hr_now_ms ();
        if (sweeping && (!fill || gen != sweep_gen || catalog_version != sweep_catalog)) {
            hr_log_kv (HR_LOG_INFO, NULL, "product warm-up abandoned: a new version", NULL);
            sweeping = false;   /* the next one starts once the services have it */
            swept_gen = 0;      /* and is a full one */
        }
        if (!sweeping) {
            bool changed = gen != swept_gen || catalog_version != swept_catalog;
            bool due = changed || (self->period_ms > 0 && now >= next_ms);
            if (!fill || !due || size == 0) {
                h2o_mem_clear_pool (&pool);
                if (s_sleep (self, IDLE_MS))
                    break;
                continue;
            }
            if (changed || renew_size != size) {
                uint8_t *grown = realloc (renew, size);
                if (!grown)
                    break;
                renew = grown;
                renew_size = size;
                full = true;
            }
            else
                full = false;
            if (full)           /* every product: nothing of this version is stored yet */
                memset (renew, 1, size);
            sweeping = true;
            sweep_gen = gen;
            sweep_catalog = catalog_version;
            started_ms = now;
            cursor = asked = stored = lasting = 0;
            if (full) {
                char products[16];
                snprintf (products, sizeof products, "%u", size);
                hr_log_kv (HR_LOG_INFO, NULL, "product warm-up started", "products", products, NULL);
            }
        }
        /*  A renewal asks again only what collab's live co-clicks can move
            (or what could not be stored): the lasting answers stay.      */
        uint32_t n = 0;
        for (; cursor < size && n < self->batch; cursor++)
            if (renew[cursor] && hr_product_listable (hr_catalog_at (cat, cursor)))
                idx[n++] = cursor;
        if (n > 0) {
            uint32_t k = s_round (self, &pool, cat, catalog_version, gen, idx, n, renew, &lasting);
            asked += n;
            stored += k;
            hr_counter_add (self->warmed, k);
            hr_gauge_set (self->progress, (double) cursor / size);
        }
        if (cursor >= size) {
            sweeping = false;
            /*  Complete only if the version is still the sweep's: its last
                round may have started before a change.  */
            gen = gw_versions_gen (self->app->versions, &fill);
            if (!fill || gen != sweep_gen || gw_catalog_version (self->app->catalog) != sweep_catalog) {
                swept_gen = 0;
                h2o_mem_clear_pool (&pool);
                continue;
            }
            swept_gen = sweep_gen;
            swept_catalog = sweep_catalog;
            next_ms = started_ms + self->period_ms;
            hr_counter_inc (self->sweeps);
            s_log_done (full, asked, stored, lasting, hr_now_ms () - started_ms);
        }
        h2o_mem_clear_pool (&pool);
    }
    h2o_mem_clear_pool (&pool);
    free (idx);
    free (renew);
    hr_writer_free (&self->req);
    hr_writer_free (&self->inner);
    hr_client_destroy (&self->client);
    return NULL;
}

gw_warm_t *
gw_warm_new (gw_app_t *app, const char *broker_endpoint, int batch, int64_t period_ms, int deadline_ms)
{
    if (!app->product_cache || !app->versions || batch < 1 || batch > HR_BATCH_MAX)
        return NULL;
    gw_warm_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->app = app;
    snprintf (self->endpoint, sizeof self->endpoint, "%s", broker_endpoint);
    self->batch = (uint32_t) batch;
    self->period_ms = period_ms;
    self->deadline_ms = deadline_ms > 0 ? deadline_ms : 5000;
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->cond, NULL);
    self->warmed = hr_counter ("hr_gateway_product_warm_total",
                               "/product answers computed ahead and stored by the warmer", NULL);
    self->sweeps = hr_counter ("hr_gateway_product_warm_sweeps_total",
                               "Sweeps of the catalog by the /product warmer completed", NULL);
    self->progress = hr_gauge ("hr_gateway_product_warm_progress",
                               "Fraction of the catalog the current /product warm-up has done", NULL);
    if (pthread_create (&self->thread, NULL, s_run, self) != 0) {
        pthread_mutex_destroy (&self->lock);
        pthread_cond_destroy (&self->cond);
        free (self);
        return NULL;
    }
    return self;
}

void
gw_warm_destroy (gw_warm_t **self_p)
{
    gw_warm_t *self = *self_p;
    if (!self)
        return;
    pthread_mutex_lock (&self->lock);
    self->stop = true;
    pthread_cond_signal (&self->cond);
    pthread_mutex_unlock (&self->lock);
    pthread_join (self->thread, NULL);
    pthread_mutex_destroy (&self->lock);
    pthread_cond_destroy (&self->cond);
    free (self);
    *self_p = NULL;
}
