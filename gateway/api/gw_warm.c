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

/*  One round: the answers of products idx[0..n), asked from the three
    sources (one batch message each), picked and stored under `gen`.      */
typedef struct {
    h2o_mem_pool_t *pool;
    const hr_catalog_t *cat;
    int64_t catalog_version;
    uint64_t gen;
    const uint32_t *idx;
    uint32_t n;
    gw_list_t *lists;           /* [i * NSOURCES + source] */
    uint8_t *ok;                /* the same: that list arrived whole */
    uint64_t base;              /* request ids base + source */
    int64_t deadline;
    bool pending[NSOURCES];
} round_t;

static void
s_ask (gw_warm_t *self, round_t *rd)
{
    uint32_t want = gw_product_want (rd->cat, GW_PRODUCT_DEFAULT_LIMIT);
    for (int s = 0; s < NSOURCES; s++) {
        hr_batch_writer_t bw;
        hr_writer_reset (&self->req);
        hr_batch_request_begin (&bw, &self->req);
        for (uint32_t i = 0; i < rd->n; i++) {
            hr_writer_reset (&self->inner);
            gw_req_product (&self->inner, s_sources[s].method, hr_catalog_at (rd->cat, rd->idx[i])->id, want);
            hr_batch_request_add (&bw, i, self->inner.data, self->inner.len);
        }
        hr_batch_end (&bw);
        rd->pending[s] = hr_client_send (self->client, gw_service_name (s_sources[s].svc),
                                         rd->base + (uint64_t) s, rd->deadline,
                                         self->req.data, self->req.len) == 0;
    }
}

/*  A batch reply of source s: each product's list.  */
static void
s_take (round_t *rd, int s, const hr_reply_t *reply)
{
    if (reply->status != HR_OK)
        return;
    hr_reader_t r;
    hr_reader_init (&r, reply->body, reply->body_len);
    uint32_t count = hr_batch_count (&r);
    for (uint32_t k = 0; k < count; k++) {
        uint64_t i;
        uint8_t status;
        const void *body;
        size_t len;
        if (hr_batch_next_reply (&r, &i, &status, &body, &len) != 0)
            break;
        if (i < rd->n && status == HR_OK
            && gw_decode_one_list (rd->pool, body, len, &rd->lists[i * NSOURCES + s]) == 0)
            rd->ok[i * NSOURCES + s] = 1;
    }
}

/*  Waits for the replies until the deadline (ZMQ_FD is edge-triggered:
    drain after every wake-up).  */
static void
s_collect (gw_warm_t *self, round_t *rd)
{
    int waiting = rd->pending[0] + rd->pending[1] + rd->pending[2];
    while (waiting > 0 && !s_stopping (self)) {
        hr_reply_t reply;
        while (waiting > 0 && hr_client_recv (self->client, &reply) == 1) {
            uint64_t s = reply.request_id - rd->base;
            if (reply.request_id < rd->base || s >= NSOURCES || !rd->pending[s])
                continue;           /* a late reply of an earlier round */
            rd->pending[s] = false;
            waiting--;
            s_take (rd, (int) s, &reply);
        }
        int64_t left = rd->deadline - hr_now_ms ();
        if (waiting == 0 || left <= 0)
            break;
        struct pollfd pfd = { .fd = hr_client_fd (self->client), .events = POLLIN };
        poll (&pfd, 1, left < 100 ? (int) left : 100);
    }
}

/*  Picks and stores product i's answer.  0: not stored (degraded), 1:
    stored with the time to live (collab was read: it topped the list up,
    or the list is short), 2: lasting (content's alone).                   */
static int
s_store (gw_warm_t *self, round_t *rd, uint32_t i)
{
    const gw_list_t *have[NSOURCES];
    for (int s = 0; s < NSOURCES; s++) {
        have[s] = rd->ok[i * NSOURCES + s] ? &rd->lists[i * NSOURCES + s] : NULL;
        if (!have[s])
            return 0;           /* degraded: the request path asks again */
    }
    const hr_scored_t *picked[GW_PRODUCT_DEFAULT_LIMIT];
    char ids[GW_PRODUCT_DEFAULT_LIMIT][HR_PRODUCT_ID_LEN];
    char key[GW_PRODUCT_KEY_LEN];
    const char *id = hr_catalog_at (rd->cat, rd->idx[i])->id;
    uint32_t first;
    uint32_t k = gw_product_pick (rd->pool, rd->cat, id, have, NSOURCES, GW_PRODUCT_DEFAULT_LIMIT,
                                  picked, &first);
    for (uint32_t j = 0; j < k; j++)
        memcpy (ids[j], picked[j]->id, HR_PRODUCT_ID_LEN);
    gw_product_key (key, id, GW_PRODUCT_DEFAULT_LIMIT, rd->catalog_version);
    size_t len = (size_t) k * HR_PRODUCT_ID_LEN;
    if (first == GW_PRODUCT_DEFAULT_LIMIT) {
        gw_cache_put_lasting (self->app->product_cache, key, sizeof key, rd->gen, ids, len);
        return 2;
    }
    gw_cache_put (self->app->product_cache, key, sizeof key, rd->gen, ids, len);
    return 1;
}

/*  The sweep in progress (the thread's).  renew[idx]: 0 when the
    product's answer was stored as lasting, 1 when a renewal must ask
    again (collab was read, or it was not stored).                     */
typedef struct {
    bool sweeping, full;
    uint64_t swept_gen, gen;
    int64_t swept_catalog, catalog, next_ms, started_ms;
    uint32_t cursor, asked, stored, lasting;
    uint8_t *renew;
    uint32_t renew_size;
} sweep_t;

static void
s_round (gw_warm_t *self, sweep_t *w, h2o_mem_pool_t *pool, const hr_catalog_t *cat,
         const uint32_t *idx, uint32_t n)
{
    round_t rd = { .pool = pool, .cat = cat, .catalog_version = w->catalog, .gen = w->gen,
                   .idx = idx, .n = n, .base = (++self->seq) << 2,
                   .deadline = hr_now_ms () + self->deadline_ms };
    rd.lists = h2o_mem_alloc_pool (pool, sizeof *rd.lists * n * NSOURCES);
    rd.ok = h2o_mem_alloc_pool (pool, (size_t) n * NSOURCES);
    memset (rd.ok, 0, (size_t) n * NSOURCES);
    s_ask (self, &rd);
    s_collect (self, &rd);
    uint32_t stored = 0;
    for (uint32_t i = 0; i < n; i++) {
        int kept = s_store (self, &rd, i);
        w->renew[idx[i]] = kept != 2;
        stored += kept > 0;
        w->lasting += kept == 2;
    }
    w->asked += n;
    w->stored += stored;
    hr_counter_add (self->warmed, stored);
}

/*  Starts a sweep when one is due and the services have the version:
    a full one after a version change, else a renewal.  false: not now.   */
static bool
s_sweep_start (sweep_t *w, uint64_t gen, bool fill, int64_t catalog_version, uint32_t size,
               int64_t period_ms)
{
    int64_t now = hr_now_ms ();
    bool changed = gen != w->swept_gen || catalog_version != w->swept_catalog;
    if (!fill || size == 0 || !(changed || (period_ms > 0 && now >= w->next_ms)))
        return false;
    w->full = changed || w->renew_size != size;
    if (w->full) {              /* every product: nothing of this version is stored yet */
        uint8_t *grown = realloc (w->renew, size);
        if (!grown)
            return false;
        w->renew = grown;
        w->renew_size = size;
        memset (w->renew, 1, size);
        char products[16];
        snprintf (products, sizeof products, "%u", size);
        hr_log_kv (HR_LOG_INFO, NULL, "product warm-up started", "products", products, NULL);
    }
    w->sweeping = true;
    w->gen = gen;
    w->catalog = catalog_version;
    w->started_ms = now;
    w->cursor = w->asked = w->stored = w->lasting = 0;
    return true;
}

/*  The end of a sweep: complete only if the version is still the
    sweep's (its last round may have started before a change).            */
static void
s_sweep_end (gw_warm_t *self, sweep_t *w)
{
    bool fill;
    w->sweeping = false;
    if (gw_versions_gen (self->app->versions, &fill) != w->gen || !fill
        || gw_catalog_version (self->app->catalog) != w->catalog) {
        w->swept_gen = 0;       /* the next one is a full one */
        return;
    }
    w->swept_gen = w->gen;
    w->swept_catalog = w->catalog;
    w->next_ms = w->started_ms + self->period_ms;
    hr_counter_inc (self->sweeps);
    char a[16], st[16], la[16], t[24];
    snprintf (a, sizeof a, "%u", w->asked);
    snprintf (st, sizeof st, "%u", w->stored);
    snprintf (la, sizeof la, "%u", w->lasting);
    snprintf (t, sizeof t, "%lld", (long long) (hr_now_ms () - w->started_ms));
    hr_log_kv (HR_LOG_INFO, NULL, w->full ? "product warm-up done" : "product warm-up renewed",
               "asked", a, "stored", st, "lasting", la, "ms", t, NULL);
}

/*  One step: a round of the sweep in progress, or a look at whether one
    is due.  false when there was nothing to do (sleep).                   */
static bool
s_step (gw_warm_t *self, sweep_t *w, h2o_mem_pool_t *pool, uint32_t *idx)
{
    bool fill;
    uint64_t gen = gw_versions_gen (self->app->versions, &fill);
    int64_t catalog_version;
    const hr_catalog_t *cat = gw_catalog_for_request_v (self->app->catalog, pool, &catalog_version);
    uint32_t size = hr_catalog_size (cat);
    if (w->sweeping && (!fill || gen != w->gen || catalog_version != w->catalog)) {
        hr_log_kv (HR_LOG_INFO, NULL, "product warm-up abandoned: a new version", NULL);
        w->sweeping = false;    /* the next one starts once the services have it */
        w->swept_gen = 0;
    }
    if (!w->sweeping && !s_sweep_start (w, gen, fill, catalog_version, size, self->period_ms))
        return false;
    /*  A renewal asks again only what collab's live co-clicks can move
        (or what could not be stored): the lasting answers stay.          */
    uint32_t n = 0;
    for (; w->cursor < size && n < self->batch; w->cursor++)
        if (w->renew[w->cursor] && hr_product_listable (hr_catalog_at (cat, w->cursor)))
            idx[n++] = w->cursor;
    if (n > 0) {
        s_round (self, w, pool, cat, idx, n);
        hr_gauge_set (self->progress, (double) w->cursor / size);
    }
    if (w->cursor >= size)
        s_sweep_end (self, w);
    return true;
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
    sweep_t w = { .swept_catalog = -2, .catalog = -2 };
    h2o_mem_pool_t pool;
    h2o_mem_init_pool (&pool);
    while (idx && !s_stopping (self)) {
        bool busy = s_step (self, &w, &pool, idx);
        h2o_mem_clear_pool (&pool);     /* the lists and the catalog reference */
        if (!busy && s_sleep (self, IDLE_MS))
            break;
    }
    h2o_mem_clear_pool (&pool);
    free (idx);
    free (w.renew);
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
