/*  trending_serve — live forward-decay sums, rankings, requests.          */
#include "trending_serve.h"
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hr_client.h"
#include "hr_events.h"
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_model_store.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "hr_validate.h"
#include "protocol.h"
#include "trending_train.h"

#define CATALOG_CHECK_MS 30000
#define REDIS_WRITE_MS 2000
#define MODEL_POLL_MS 2000
#define IDLE_REBUILD_MS 10000   /* priors are constant: re-rank as clicks decay */
#define MAX_HISTORY 1000

typedef struct { char id[10]; int64_t ts; } logged_click_t;

/*  What a catalog version brings; swapped as a whole.                     */
typedef struct {
    hr_catalog_t *catalog;
    bool owned;
    trending_static_t *st;
} bundle_t;

struct trending_state {
    trending_serve_params_t params;
    char *database_url, *redis_url;

    /*  clicks side: event thread + tick  */
    pthread_mutex_t clicks_lock;
    decay_t *clicks;
    const hr_catalog_t *clicks_catalog;
    bool logging;                       /* a reconciliation is running */
    logged_click_t *log;
    size_t nlog, log_cap;
    atomic_bool dirty;
    atomic_uint_fast64_t events;

    /*  readers  */
    pthread_rwlock_t rank_lock;
    bundle_t bundle;
    trending_rank_t *rank;

    /*  tick thread only  */
    hr_pg_t *pg;
    hr_redis_t *redis;
    int64_t catalog_version, model_version;
    int64_t last_reconcile_ms, last_catalog_check_ms, last_redis_ms, last_model_poll_ms;
    int64_t last_build_ms;
    bool redis_stale;

    pthread_t event_thread;
    bool event_running;
    atomic_bool stop;
    hr_counter_t *events_total, *reconciles, *reconcile_errors;
};

/* ---- clicks ------------------------------------------------------------ */

static void apply_click_locked (trending_state_t *self, const char *id10, int64_t ts)
{
    int64_t idx = self->clicks_catalog ? hr_catalog_find (self->clicks_catalog, id10) : -1;
    if (idx < 0)
        return;                 /* not in the catalog: nothing to rank */
    decay_add (self->clicks, (uint32_t) idx, ts);
    if (self->logging) {
        if (self->nlog == self->log_cap) {
            size_t cap = self->log_cap ? self->log_cap * 2 : 1024;
            logged_click_t *p = realloc (self->log, cap * sizeof *p);
            if (!p)
                return;         /* the next hourly reconcile repairs it */
            self->log = p;
            self->log_cap = cap;
        }
        memcpy (self->log[self->nlog].id, id10, 10);
        self->log[self->nlog++].ts = ts;
    }
}

void trending_state_click (trending_state_t *self, const char *id10, int64_t ts_ms)
{
    pthread_mutex_lock (&self->clicks_lock);
    apply_click_locked (self, id10, ts_ms);
    pthread_mutex_unlock (&self->clicks_lock);
    atomic_store (&self->dirty, true);
    atomic_fetch_add (&self->events, 1);
    hr_counter_inc (self->events_total);
}

uint64_t trending_state_events (trending_state_t *self) { return atomic_load (&self->events); }

static void *event_loop (void *arg)
{
    trending_state_t *self = arg;
    hr_events_reader_t *reader = hr_events_reader_new (self->redis_url, "$");
    hr_event_t evs[256];
    while (!atomic_load (&self->stop)) {
        if (!reader) {
            struct timespec ts = { 0, 200000000 };
            nanosleep (&ts, NULL);
            reader = hr_events_reader_new (self->redis_url, "$");
            continue;
        }
        int n = hr_events_read (reader, evs, 256, 200);
        if (n < 0) {
            struct timespec ts = { 0, 200000000 };
            nanosleep (&ts, NULL);
            continue;
        }
        if (n == 0)
            continue;
        int clicks = 0;
        pthread_mutex_lock (&self->clicks_lock);
        for (int i = 0; i < n; i++)
            if (evs[i].type == HR_EVENT_CLICK && hr_valid_product_id (evs[i].value, strlen (evs[i].value))) {
                apply_click_locked (self, evs[i].value, evs[i].ts_ms);
                clicks++;
            }
        pthread_mutex_unlock (&self->clicks_lock);
        if (clicks) {
            atomic_store (&self->dirty, true);
            atomic_fetch_add (&self->events, (uint64_t) clicks);
            hr_counter_add (self->events_total, (uint64_t) clicks);
        }
    }
    hr_events_reader_destroy (&reader);
    return NULL;
}

/* ---- rankings ---------------------------------------------------------- */

static void bundle_free (bundle_t *b)
{
    trending_static_destroy (&b->st);
    if (b->owned)
        hr_catalog_destroy (&b->catalog);
    memset (b, 0, sizeof *b);
}

void trending_state_refresh (trending_state_t *self, bool force)
{
    int64_t now = hr_now_ms ();
    bool dirty = atomic_exchange (&self->dirty, false);
    if (!force && !dirty && now - self->last_build_ms < IDLE_REBUILD_MS)
        return;
    /*  The bundle only changes on this (tick) thread: safe to read here.  */
    pthread_mutex_lock (&self->clicks_lock);
    trending_rank_t *rank = trending_rank_build (self->bundle.st, self->clicks, now);
    pthread_mutex_unlock (&self->clicks_lock);
    if (!rank)
        return;
    pthread_rwlock_wrlock (&self->rank_lock);
    trending_rank_t *old = self->rank;
    self->rank = rank;
    pthread_rwlock_unlock (&self->rank_lock);
    trending_rank_destroy (&old);
    self->last_build_ms = now;
    self->redis_stale = true;
}

double trending_state_score (trending_state_t *self, const char *id10)
{
    pthread_rwlock_rdlock (&self->rank_lock);
    int64_t idx = hr_catalog_find (self->bundle.catalog, id10);
    double s = idx >= 0 && self->rank ? trending_rank_score (self->rank, (uint32_t) idx) : 0.0;
    pthread_rwlock_unlock (&self->rank_lock);
    return s;
}

/* ---- reconciliation ---------------------------------------------------- */

static bool connect_pg (trending_state_t *self)
{
    if (!self->database_url)
        return false;
    if (!self->pg)
        self->pg = hr_pg_new (self->database_url, self->params.pg_timeout_ms > 60000
                                                      ? self->params.pg_timeout_ms : 60000, 0);
    return self->pg != NULL;
}

/*  Replaces the click sums by the database's, plus the clicks the event
    thread applied meanwhile that the query did not see.  `catalog` is the
    one the new sums are indexed by (a new catalog version, or the same).   */
static int reconcile_with (trending_state_t *self, const hr_catalog_t *catalog)
{
    if (!connect_pg (self))
        return -1;
    pthread_mutex_lock (&self->clicks_lock);
    self->logging = true;
    self->nlog = 0;
    pthread_mutex_unlock (&self->clicks_lock);

    int64_t t0 = hr_now_ms ();
    trending_snapshot_t snap;
    char err[256] = "out of memory";
    decay_t *fresh = decay_new (self->params.decay_rate, t0);
    int rc = fresh ? trending_snapshot_from_pg (self->pg, self->params.decay_rate,
                                                self->params.window_days, t0, &snap, err, sizeof err)
                   : -1;
    if (rc == 0) {
        for (uint32_t i = 0; i < snap.n; i++) {
            int64_t idx = hr_catalog_find (catalog, snap.ids[i]);
            if (idx >= 0)
                decay_set_raw (fresh, (uint32_t) idx,
                               decay_raw (fresh, (uint32_t) idx) + snap.raw[i]);
        }
    }
    pthread_mutex_lock (&self->clicks_lock);
    self->logging = false;
    if (rc == 0) {
        for (size_t i = 0; i < self->nlog; i++)
            if (self->log[i].ts > snap.cut_ms) {
                int64_t idx = hr_catalog_find (catalog, self->log[i].id);
                if (idx >= 0)
                    decay_add (fresh, (uint32_t) idx, self->log[i].ts);
            }
        decay_t *old = self->clicks;
        self->clicks = fresh;
        self->clicks_catalog = catalog;
        fresh = old;
    }
    self->nlog = 0;
    pthread_mutex_unlock (&self->clicks_lock);
    decay_destroy (&fresh);
    if (rc == 0) {
        char n[24], c[24];
        snprintf (n, sizeof n, "%u", snap.n);
        snprintf (c, sizeof c, "%llu", (unsigned long long) snap.clicks);
        hr_log_kv (HR_LOG_INFO, NULL, "trending reconciled from PostgreSQL", "products", n,
                   "clicks", c, NULL);
        trending_snapshot_free (&snap);
        hr_counter_inc (self->reconciles);
        atomic_store (&self->dirty, true);
    }
    else {
        hr_counter_inc (self->reconcile_errors);
        hr_warn ("trending reconcile failed: %s", err);
    }
    self->last_reconcile_ms = hr_now_ms ();
    return rc;
}

int trending_state_reconcile (trending_state_t *self)
{
    int rc = reconcile_with (self, self->bundle.catalog);
    trending_state_refresh (self, true);
    return rc;
}

static int make_bundle (trending_state_t *self, hr_catalog_t *catalog, bool owned, bundle_t *out)
{
    out->catalog = catalog;
    out->owned = owned;
    out->st = trending_static_new (catalog, &self->params.model);
    if (!out->st) {
        if (owned)
            hr_catalog_destroy (&out->catalog);
        return -1;
    }
    return 0;
}

/*  A new catalog version: new static data, sums re-indexed, new rankings. */
static void maybe_reload_catalog (trending_state_t *self, int64_t now)
{
    if (!self->bundle.owned || now - self->last_catalog_check_ms < CATALOG_CHECK_MS)
        return;
    self->last_catalog_check_ms = now;
    if (!connect_pg (self))
        return;
    int64_t v = hr_catalog_version_pg (self->pg);
    if (v < 0 || v == self->catalog_version)
        return;
    hr_catalog_t *cat = hr_catalog_load (self->pg);
    bundle_t fresh;
    if (!cat || make_bundle (self, cat, true, &fresh))
        return;
    if (reconcile_with (self, fresh.catalog)) {
        bundle_free (&fresh);
        return;
    }
    pthread_mutex_lock (&self->clicks_lock);
    trending_rank_t *rank = trending_rank_build (fresh.st, self->clicks, now);
    pthread_mutex_unlock (&self->clicks_lock);
    if (!rank) {
        bundle_free (&fresh);   /* clicks stay indexed by... keep it simple: retry */
        self->catalog_version = -1;
        return;
    }
    pthread_rwlock_wrlock (&self->rank_lock);
    bundle_t old = self->bundle;
    trending_rank_t *old_rank = self->rank;
    self->bundle = fresh;
    self->rank = rank;
    pthread_rwlock_unlock (&self->rank_lock);
    trending_rank_destroy (&old_rank);
    bundle_free (&old);
    self->catalog_version = v;
    self->redis_stale = true;
    hr_info ("catalog version %lld loaded: %u products", (long long) v, hr_catalog_size (fresh.catalog));
}

/* ---- Redis rankings ---------------------------------------------------- */

/*  Replaces `key` by the first n items of `items` (atomically via RENAME). */
static int write_zset (trending_state_t *self, const char *key, const uint32_t *items, uint32_t n)
{
    char tmp[512];
    snprintf (tmp, sizeof tmp, "%s:tmp", key);
    redisReply *r = hr_redis_command (self->redis, "DEL %s", tmp);
    if (!r)
        return -1;
    freeReplyObject (r);
    if (n == 0) {
        r = hr_redis_command (self->redis, "DEL %s", key);
        if (r)
            freeReplyObject (r);
        return r ? 0 : -1;
    }
    size_t argc = 2 + 2 * (size_t) n;
    const char **argv = malloc (argc * sizeof *argv);
    size_t *lens = malloc (argc * sizeof *lens);
    char (*scores)[32] = malloc ((size_t) n * sizeof *scores);
    if (!argv || !lens || !scores) {
        free (argv);
        free (lens);
        free (scores);
        return -1;
    }
    argv[0] = "ZADD";
    lens[0] = 4;
    argv[1] = tmp;
    lens[1] = strlen (tmp);
    for (uint32_t i = 0; i < n; i++) {
        const hr_product_t *p = hr_catalog_at (self->bundle.catalog, items[i]);
        lens[2 + 2 * i] = (size_t) snprintf (scores[i], sizeof scores[i], "%.9g",
                                             trending_rank_score (self->rank, items[i]));
        argv[2 + 2 * i] = scores[i];
        argv[3 + 2 * i] = p->id;
        lens[3 + 2 * i] = 10;
    }
    r = hr_redis_argv (self->redis, (int) argc, argv, lens);
    int rc = r && r->type != REDIS_REPLY_ERROR ? 0 : -1;
    if (r)
        freeReplyObject (r);
    free (argv);
    free (lens);
    free (scores);
    if (rc == 0) {
        r = hr_redis_command (self->redis, "RENAME %s %s", tmp, key);
        rc = r && r->type != REDIS_REPLY_ERROR ? 0 : -1;
        if (r)
            freeReplyObject (r);
    }
    return rc;
}

static void write_redis (trending_state_t *self, int64_t now)
{
    if (!self->redis_url || !self->redis_stale || now - self->last_redis_ms < REDIS_WRITE_MS
        || !self->params.redis_top)
        return;
    if (!self->redis)
        self->redis = hr_redis_new (self->redis_url, self->params.redis_timeout_ms);
    if (!self->redis)
        return;
    self->last_redis_ms = now;
    /*  rank and bundle change only on this thread: no lock needed.       */
    uint32_t n, ncat, per_cat = self->params.redis_top / 5 ? self->params.redis_top / 5 : 1;
    const uint32_t *g = trending_rank_global (self->rank, &n);
    if (write_zset (self, TRENDING_KEY_GLOBAL, g, n < self->params.redis_top ? n : self->params.redis_top))
        return;
    const uint16_t *cats = trending_rank_categories (self->rank, &ncat);
    for (uint32_t c = 0; c < ncat; c++) {
        char key[512];
        snprintf (key, sizeof key, "%s%s", TRENDING_KEY_CAT_PREFIX,
                  hr_catalog_main_name (self->bundle.catalog, cats[c]));
        const uint32_t *items = trending_rank_category (self->rank, cats[c], &n);
        if (write_zset (self, key, items, n < per_cat ? n : per_cat))
            return;
    }
    redisReply *r = hr_redis_command (self->redis, "SET %s %lld", TRENDING_KEY_UPDATED, (long long) now);
    if (r)
        freeReplyObject (r);
    self->redis_stale = false;
}

/* ---- tick -------------------------------------------------------------- */

void trending_tick (void *state)
{
    trending_state_t *self = state;
    int64_t now = hr_now_ms ();
    maybe_reload_catalog (self, now);
    if (self->database_url && now - self->last_model_poll_ms >= MODEL_POLL_MS) {
        self->last_model_poll_ms = now;
        if (connect_pg (self)) {
            if (!self->redis && self->redis_url)
                self->redis = hr_redis_new (self->redis_url, self->params.redis_timeout_ms);
            int64_t v = hr_model_current (self->pg, self->redis, TRENDING_STRATEGY);
            /*  `train trending` published: reconcile now (same computation). */
            if (v > 0 && v != self->model_version) {
                bool first = self->model_version == 0 && self->last_reconcile_ms > 0
                             && now - self->last_reconcile_ms < 60000;
                self->model_version = v;
                if (!first)
                    reconcile_with (self, self->bundle.catalog);
            }
        }
    }
    if (self->database_url && now - self->last_reconcile_ms >= (int64_t) self->params.reconcile_s * 1000)
        reconcile_with (self, self->bundle.catalog);
    trending_state_refresh (self, false);
    write_redis (self, hr_now_ms ());
}

/* ---- lifecycle --------------------------------------------------------- */

trending_state_t *trending_state_new (const trending_serve_params_t *params, hr_catalog_t *catalog)
{
    trending_state_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->params = *params;
    self->database_url = params->database_url ? strdup (params->database_url) : NULL;
    self->redis_url = params->redis_url ? strdup (params->redis_url) : NULL;
    self->params.database_url = self->database_url;
    self->params.redis_url = self->redis_url;
    pthread_mutex_init (&self->clicks_lock, NULL);
    pthread_rwlock_init (&self->rank_lock, NULL);
    self->events_total = hr_counter ("hr_trending_events_total", "clicks applied to the trending sums", NULL);
    self->reconciles = hr_counter ("hr_trending_reconciles_total", "reconciliations from PostgreSQL", NULL);
    self->reconcile_errors = hr_counter ("hr_trending_reconcile_errors_total",
                                         "failed reconciliations", NULL);
    self->clicks = decay_new (params->decay_rate, hr_now_ms ());
    if (!self->clicks) {
        trending_state_destroy (&self);
        return NULL;
    }
    bool owned = catalog == NULL;
    if (owned) {
        if (!connect_pg (self)) {
            hr_error ("trending: PostgreSQL unreachable: cannot load the catalog");
            trending_state_destroy (&self);
            return NULL;
        }
        self->catalog_version = hr_catalog_version_pg (self->pg);
        catalog = hr_catalog_load (self->pg);
        if (!catalog) {
            trending_state_destroy (&self);
            return NULL;
        }
        self->last_catalog_check_ms = hr_now_ms ();
    }
    if (make_bundle (self, catalog, owned, &self->bundle)) {
        trending_state_destroy (&self);
        return NULL;
    }
    self->clicks_catalog = self->bundle.catalog;
    /*  Stream first, then the database: clicks committed meanwhile are in
        the log and are added by reconcile_with.                           */
    if (self->redis_url) {
        if (pthread_create (&self->event_thread, NULL, event_loop, self) == 0)
            self->event_running = true;
        else
            hr_warn ("trending: cannot start the event thread: no real-time updates");
    }
    if (self->database_url)
        reconcile_with (self, self->bundle.catalog);
    trending_state_refresh (self, true);
    return self;
}

void trending_state_destroy (trending_state_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    trending_state_t *self = *self_p;
    atomic_store (&self->stop, true);
    if (self->event_running)
        pthread_join (self->event_thread, NULL);
    trending_rank_destroy (&self->rank);
    bundle_free (&self->bundle);
    decay_destroy (&self->clicks);
    free (self->log);
    hr_pg_destroy (&self->pg);
    hr_redis_destroy (&self->redis);
    pthread_mutex_destroy (&self->clicks_lock);
    pthread_rwlock_destroy (&self->rank_lock);
    free (self->database_url);
    free (self->redis_url);
    free (self);
    *self_p = NULL;
}

/* ---- requests ---------------------------------------------------------- */

static void put_items (hr_writer_t *w, const hr_catalog_t *cat, const trending_rank_t *rank,
                       const uint32_t *items, uint32_t n, uint8_t strategy, const char *source)
{
    size_t begin = hr_scored_list_begin (w);
    size_t slen = source ? strlen (source) : 0;
    for (uint32_t i = 0; i < n; i++)
        hr_put_scored_item (w, hr_catalog_at (cat, items[i])->id,
                            trending_rank_score (rank, items[i]), strategy, source, slen);
    hr_scored_list_end (w, begin, n);
}

static int do_trending (trending_state_t *self, hr_reader_t *args, hr_writer_t *reply, hr_call_t *call)
{
    uint32_t limit = hr_get_u32 (args);
    if (!hr_reader_done (args))
        return hr_service_error (call, HR_BAD_REQUEST, "trending: expected u32 limit");
    if (limit > TRENDING_MAX_LIMIT)
        limit = TRENDING_MAX_LIMIT;
    pthread_rwlock_rdlock (&self->rank_lock);
    uint32_t n;
    const uint32_t *g = trending_rank_global (self->rank, &n);
    put_items (reply, self->bundle.catalog, self->rank, g, n < limit ? n : limit, HR_STRAT_TRENDING, NULL);
    pthread_rwlock_unlock (&self->rank_lock);
    return HR_OK;
}

static int do_home (trending_state_t *self, hr_reader_t *args, hr_writer_t *reply, hr_call_t *call)
{
    uint32_t limit = hr_get_u32 (args);
    uint64_t seed = hr_get_u64 (args);
    uint32_t nev = hr_get_count (args, 1 + 4 + 8);
    if (!hr_reader_ok (args))
        return hr_service_error (call, HR_BAD_REQUEST, "home: expected u32 limit, u64 seed, history");
    if (limit > TRENDING_HOME_MAX_LIMIT)
        limit = TRENDING_HOME_MAX_LIMIT;
    const char *clicked[MAX_HISTORY];
    uint32_t nclicked = 0;
    for (uint32_t i = 0; i < nev; i++) {
        uint8_t type = hr_get_u8 (args);
        size_t vlen;
        const char *v = hr_get_str (args, &vlen);
        (void) hr_get_i64 (args);
        if (hr_reader_ok (args) && type == HR_EVENT_CLICK && nclicked < MAX_HISTORY
            && hr_valid_product_id (v, vlen))
            clicked[nclicked++] = v;
    }
    if (!hr_reader_done (args))
        return hr_service_error (call, HR_BAD_REQUEST, "home: malformed history");
    uint32_t *picks = malloc (((size_t) limit + 1) * sizeof *picks);
    uint32_t *hist_idx = malloc (((size_t) nclicked + 1) * sizeof *hist_idx);
    uint16_t *hist_cat = malloc (((size_t) nclicked + 1) * sizeof *hist_cat);
    if (!picks || !hist_idx || !hist_cat) {
        free (picks);
        free (hist_idx);
        free (hist_cat);
        return hr_service_error (call, HR_INTERNAL, "home: out of memory");
    }
    pthread_rwlock_rdlock (&self->rank_lock);
    const hr_catalog_t *cat = self->bundle.catalog;
    const trending_rank_t *rank = self->rank;
    uint32_t nh = 0, n;
    for (uint32_t i = 0; i < nclicked; i++) {
        int64_t idx = hr_catalog_find (cat, clicked[i]);
        if (idx >= 0) {
            hist_idx[nh] = (uint32_t) idx;
            hist_cat[nh++] = hr_catalog_at (cat, (uint32_t) idx)->main_cat;
        }
    }
    /*  trending  */
    const uint32_t *g = trending_rank_global (rank, &n);
    put_items (reply, cat, rank, g, n < limit ? n : limit, HR_STRAT_TRENDING, NULL);
    /*  best_value: its own score (discount × quality)  */
    const float *values;
    const uint32_t *best = trending_static_best_value (self->bundle.st, &n, &values);
    n = n < limit ? n : limit;
    size_t begin = hr_scored_list_begin (reply);
    for (uint32_t i = 0; i < n; i++)
        hr_put_scored_item (reply, hr_catalog_at (cat, best[i])->id, values[i],
                            HR_STRAT_BEST_VALUE, NULL, 0);
    hr_scored_list_end (reply, begin, n);
    /*  top_categories  */
    uint32_t ncat;
    const uint16_t *cats = trending_rank_categories (rank, &ncat);
    uint32_t k = ncat < self->params.model.top_categories ? ncat : self->params.model.top_categories;
    hr_put_u32 (reply, k);
    for (uint32_t c = 0; c < k; c++) {
        const char *name = hr_catalog_main_name (cat, cats[c]);
        hr_put_cstr (reply, name);
        const uint32_t *items = trending_rank_category (rank, cats[c], &n);
        put_items (reply, cat, rank, items, n < limit ? n : limit, HR_STRAT_TRENDING, name);
    }
    /*  diverse_picks: score by pick order (the draw is the ranking)  */
    uint32_t np = trending_diverse (rank, self->bundle.st, hist_cat, nh, hist_idx, nh, limit, seed, picks);
    begin = hr_scored_list_begin (reply);
    for (uint32_t i = 0; i < np; i++) {
        const hr_product_t *p = hr_catalog_at (cat, picks[i]);
        hr_put_scored_item (reply, p->id, 1.0f - (float) i / (float) (np + 1), HR_STRAT_DIVERSE,
                            p->main_category, strlen (p->main_category));
    }
    hr_scored_list_end (reply, begin, np);
    pthread_rwlock_unlock (&self->rank_lock);
    free (picks);
    free (hist_idx);
    free (hist_cat);
    return reply->oom ? hr_service_error (call, HR_INTERNAL, "home: out of memory") : HR_OK;
}

int trending_handle (void *state, const char *method, size_t method_len,
                     hr_reader_t *args, hr_writer_t *reply, hr_call_t *call)
{
    trending_state_t *self = state;
    if (method_len == 4 && !memcmp (method, "home", 4))
        return do_home (self, args, reply, call);
    if (method_len == 8 && !memcmp (method, "trending", 8))
        return do_trending (self, args, reply, call);
    return hr_service_error (call, HR_BAD_REQUEST, "trending: unknown method '%.*s'",
                             (int) (method_len > 64 ? 64 : method_len), method);
}

/* ---- the service definition ------------------------------------------- */

static void *trending_init (hr_config_t *cfg)
{
    double mean = hr_config_double (cfg, "HR_TRENDING_BAYES_MEAN");
    trending_serve_params_t p = {
        .database_url = hr_config_database_url (cfg),
        .redis_url = hr_config_str (cfg, "REDIS_URL"),
        .pg_timeout_ms = (int) hr_config_int (cfg, "HR_PG_STATEMENT_TIMEOUT_MS"),
        .redis_timeout_ms = (int) hr_config_int (cfg, "HR_REDIS_TIMEOUT_MS"),
        .decay_rate = hr_config_double (cfg, "TRENDING_DECAY_RATE"),
        .model = {
            .prior_weight = hr_config_double (cfg, "HR_TRENDING_PRIOR_WEIGHT"),
            .bayes_strength = hr_config_double (cfg, "HR_TRENDING_BAYES_STRENGTH"),
            .bayes_mean = mean > 0 ? mean : NAN,
            .top_categories = (uint32_t) hr_config_int (cfg, "HR_TRENDING_TOP_CATEGORIES"),
            .diverse_pool = (uint32_t) hr_config_int (cfg, "HR_TRENDING_DIVERSE_POOL"),
        },
        .window_days = (uint32_t) hr_config_int (cfg, "HR_TRENDING_WINDOW_DAYS"),
        .reconcile_s = (uint32_t) hr_config_int (cfg, "HR_TRENDING_RECONCILE_S"),
        .redis_top = (uint32_t) hr_config_int (cfg, "HR_TRENDING_REDIS_TOP"),
    };
    return trending_state_new (&p, NULL);
}

static void trending_fini (void *state)
{
    trending_state_t *self = state;
    trending_state_destroy (&self);
}

const hr_service_def_t trending_service_def = {
    .name = TRENDING_SERVICE,
    .config = trending_config,
    .init = trending_init,
    .handle = trending_handle,
    .tick = trending_tick,
    .tick_ms = TRENDING_REFRESH_MS,
    .fini = trending_fini,
    .ready = NULL,
};
