/*  trending_state — the live forward-decay sums and their rankings.

    Two kinds of immutable snapshot (hr_swap), so no reader ever holds a
    lock while answering and nothing is freed under a reader:
      bundle  a catalog version and its static data (priors, best value);
      ranked  one ranking, built from the click sums, holding a reference
              to the bundle it indexes.
    The click sums (written by the event thread, re-indexed when the
    catalog changes) hold a reference to the bundle they are indexed by.  */
#include "state.h"
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
#include "hr_proto.h"
#include "hr_redis.h"
#include "hr_swap.h"
#include "hr_validate.h"
#include "protocol.h"
#include "redis.h"
#include "train.h"

#define CATALOG_CHECK_MS 30000
#define MODEL_POLL_MS 2000
#define IDLE_REBUILD_MS 10000   /* priors are constant: re-rank as clicks decay */

typedef struct { char id[10]; float w; int64_t ts; } logged_click_t;

/*  A catalog version and what is derived from it alone.                  */
typedef struct {
    hr_catalog_t *catalog;
    bool owned;
    trending_static_t *st;
} bundle_t;

/*  One ranking and the bundle its indices refer to.                       */
typedef struct {
    hr_snapshot_t *bundle;      /* counted */
    trending_rank_t *rank;
    trending_memo_t *memo;      /* home replies' first part, per limit (memo.h) */
} ranked_t;

struct trending_state {
    trending_serve_params_t params;
    char *database_url, *redis_url;

    /*  clicks side: event thread + tick  */
    pthread_mutex_t clicks_lock;
    trending_decay_t *clicks;
    hr_snapshot_t *clicks_bundle;       /* bundle_t the sums are indexed by (counted) */
    bool logging;                       /* a reconciliation is running */
    logged_click_t *log;
    size_t nlog, log_cap;
    atomic_bool dirty;
    atomic_uint_fast64_t events;

    hr_swap_t *bundles;                 /* bundle_t: the newest catalog */
    hr_swap_t *ranks;                   /* ranked_t: what readers use */
    int64_t rank_generation;

    /*  tick thread only  */
    hr_pg_t *pg;
    trending_redis_t *redis_out;
    hr_catalog_source_t *catalog_source;    /* NULL: a catalog given by the caller */
    int64_t catalog_version, model_version;
    int64_t last_reconcile_ms, last_catalog_check_ms, last_model_poll_ms;
    int64_t last_build_ms;

    pthread_t event_thread;
    bool event_running;
    atomic_bool stop;
    hr_counter_t *events_total, *reconciles, *reconcile_errors;
};

static const bundle_t *
s_bundle (const hr_snapshot_t *snap)
{
    return hr_snapshot_data (snap);
}

static void
s_bundle_free (void *data)
{
    bundle_t *b = data;
    trending_static_destroy (&b->st);
    if (b->owned)
        hr_catalog_destroy (&b->catalog);
    free (b);
}

static void
s_ranked_free (void *data)
{
    ranked_t *r = data;
    trending_rank_destroy (&r->rank);
    trending_memo_destroy (&r->memo);
    hr_snapshot_release (&r->bundle);
    free (r);
}

/* ---- clicks ------------------------------------------------------------ */

static void
s_apply_click_locked (trending_state_t *self, const char *id10, int64_t ts, float w)
{
    const bundle_t *b = s_bundle (self->clicks_bundle);
    int64_t idx = b ? hr_catalog_find (b->catalog, id10) : -1;
    if (idx < 0)
        return;                 /* not in the catalog: nothing to rank */
    trending_decay_add_weight (self->clicks, (uint32_t) idx, ts, w);
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
        self->log[self->nlog].w = w;
        self->log[self->nlog++].ts = ts;
    }
}

static void
s_clicks_applied (trending_state_t *self, uint64_t n)
{
    atomic_store (&self->dirty, true);
    atomic_fetch_add (&self->events, n);
    hr_counter_add (self->events_total, n);
}

void
trending_state_click (trending_state_t *self, const char *id10, int64_t ts_ms)
{
    pthread_mutex_lock (&self->clicks_lock);
    s_apply_click_locked (self, id10, ts_ms, 1.0f);
    pthread_mutex_unlock (&self->clicks_lock);
    s_clicks_applied (self, 1);
}

uint64_t
trending_state_events (trending_state_t *self)
{
    return atomic_load (&self->events);
}

static void
s_nap (void)
{
    struct timespec ts = { 0, 200000000 };
    nanosleep (&ts, NULL);
}

static void *
s_event_loop (void *arg)
{
    trending_state_t *self = arg;
    hr_events_reader_t *reader = hr_events_reader_new (self->redis_url, "$");
    hr_event_t evs[256];
    while (!atomic_load (&self->stop)) {
        if (!reader) {
            s_nap ();
            reader = hr_events_reader_new (self->redis_url, "$");
            continue;
        }
        //  Trending may lag the stream by up to HR_EVENTS_GATHER_MS: one
        //  wake-up per window at load instead of one per event
        hr_events_reader_gather (reader, HR_EVENTS_GATHER_MS);
        int n = hr_events_read (reader, evs, 256, 200);
        if (n < 0)
            s_nap ();
        if (n <= 0)
            continue;
        int clicks = 0;
        pthread_mutex_lock (&self->clicks_lock);
        for (int i = 0; i < n; i++)
            if (hr_event_is_product (evs[i].type)
                && hr_valid_product_id (evs[i].value, strlen (evs[i].value))) {
                s_apply_click_locked (self, evs[i].value, evs[i].ts_ms, hr_event_weight (evs[i].type));
                clicks++;
            }
        pthread_mutex_unlock (&self->clicks_lock);
        if (clicks)
            s_clicks_applied (self, (uint64_t) clicks);
    }
    hr_events_reader_destroy (&reader);
    return NULL;
}

/* ---- rankings ---------------------------------------------------------- */

/*  A ranking from the current sums, over the bundle they are indexed by.  */
static int
s_rebuild (trending_state_t *self, int64_t now)
{
    ranked_t *r = calloc (1, sizeof *r);
    if (!r)
        return -1;
    r->memo = trending_memo_new ();     /* NULL: every call encodes */
    pthread_mutex_lock (&self->clicks_lock);
    r->bundle = hr_snapshot_ref (self->clicks_bundle);
    r->rank = trending_rank_build (s_bundle (r->bundle)->st, self->clicks, now);
    pthread_mutex_unlock (&self->clicks_lock);
    if (!r->rank) {
        s_ranked_free (r);
        return -1;
    }
    if (hr_swap_install (self->ranks, r, ++self->rank_generation) != 0)
        return -1;
    self->last_build_ms = now;
    trending_redis_stale (self->redis_out);
    return 0;
}

void
trending_state_refresh (trending_state_t *self, bool force)
{
    int64_t now = hr_now_ms ();
    bool dirty = atomic_exchange (&self->dirty, false);
    if (force || dirty || now - self->last_build_ms >= IDLE_REBUILD_MS)
        if (s_rebuild (self, now) != 0 && dirty)
            atomic_store (&self->dirty, true);      /* try again next tick */
}

double
trending_state_score (trending_state_t *self, const char *id10)
{
    hr_snapshot_t *snap = hr_swap_acquire (self->ranks);
    const ranked_t *r = hr_snapshot_data (snap);
    int64_t idx = r ? hr_catalog_find (s_bundle (r->bundle)->catalog, id10) : -1;
    double s = idx >= 0 ? trending_rank_score (r->rank, (uint32_t) idx) : 0.0;
    hr_snapshot_release (&snap);
    return s;
}

/* ---- reconciliation ---------------------------------------------------- */

static bool
s_connect_pg (trending_state_t *self)
{
    if (!self->database_url)
        return false;
    if (!self->pg)
        self->pg = hr_pg_new (self->database_url, self->params.pg_timeout_ms > 60000
                                                      ? self->params.pg_timeout_ms : 60000, 0);
    return self->pg != NULL;
}

/*  Installs fresh sums indexed by `bundle` (a reference is taken); the
    clicks logged meanwhile that `cut_ms` did not see are added.          */
static void
s_install_sums (trending_state_t *self, trending_decay_t **fresh, hr_snapshot_t *bundle, int64_t cut_ms)
{
    const hr_catalog_t *catalog = s_bundle (bundle)->catalog;
    pthread_mutex_lock (&self->clicks_lock);
    for (size_t i = 0; i < self->nlog; i++)
        if (self->log[i].ts > cut_ms) {
            int64_t idx = hr_catalog_find (catalog, self->log[i].id);
            if (idx >= 0)
                trending_decay_add_weight (*fresh, (uint32_t) idx, self->log[i].ts, self->log[i].w);
        }
    trending_decay_t *old = self->clicks;
    self->clicks = *fresh;
    *fresh = old;
    hr_snapshot_t *old_bundle = self->clicks_bundle;
    self->clicks_bundle = hr_snapshot_ref (bundle);
    pthread_mutex_unlock (&self->clicks_lock);
    hr_snapshot_release (&old_bundle);
    atomic_store (&self->dirty, true);
}

static void
s_logging (trending_state_t *self, bool on)
{
    pthread_mutex_lock (&self->clicks_lock);
    self->logging = on;
    self->nlog = 0;
    pthread_mutex_unlock (&self->clicks_lock);
}

/*  Replaces the click sums by the database's, indexed by `bundle`, plus
    the clicks the event thread applied meanwhile that the query did not
    see.  */
static int
s_reconcile_with (trending_state_t *self, hr_snapshot_t *bundle)
{
    if (!s_connect_pg (self))
        return -1;
    s_logging (self, true);
    int64_t t0 = hr_now_ms ();
    trending_snapshot_t snap;
    char err[256] = "out of memory";
    trending_decay_t *fresh = trending_decay_new (self->params.decay_rate, t0);
    int rc = fresh ? trending_snapshot_from_pg (self->pg, self->params.decay_rate,
                                                self->params.window_days, t0, &snap, err, sizeof err)
                   : -1;
    if (rc == 0) {
        const hr_catalog_t *catalog = s_bundle (bundle)->catalog;
        for (uint32_t i = 0; i < snap.n; i++) {
            int64_t idx = hr_catalog_find (catalog, snap.ids[i]);
            if (idx >= 0)
                trending_decay_set_raw (fresh, (uint32_t) idx, trending_decay_raw (fresh, (uint32_t) idx) + snap.raw[i]);
        }
        s_install_sums (self, &fresh, bundle, snap.cut_ms);
        char n[24], c[24];
        snprintf (n, sizeof n, "%u", snap.n);
        snprintf (c, sizeof c, "%llu", (unsigned long long) snap.clicks);
        hr_log_kv (HR_LOG_INFO, NULL, "trending reconciled from PostgreSQL", "products", n,
                   "clicks", c, NULL);
        trending_snapshot_free (&snap);
        hr_counter_inc (self->reconciles);
    }
    else {
        hr_counter_inc (self->reconcile_errors);
        hr_warn ("trending reconcile failed: %s", err);
    }
    s_logging (self, false);
    trending_decay_destroy (&fresh);
    self->last_reconcile_ms = hr_now_ms ();
    return rc;
}

/*  Without a database: the current sums moved to `bundle`'s indices.      */
static int
s_reindex (trending_state_t *self, hr_snapshot_t *bundle)
{
    trending_decay_t *fresh = trending_decay_new (self->params.decay_rate, hr_now_ms ());
    if (!fresh)
        return -1;
    const hr_catalog_t *to = s_bundle (bundle)->catalog;
    pthread_mutex_lock (&self->clicks_lock);
    const hr_catalog_t *from = s_bundle (self->clicks_bundle)->catalog;
    trending_decay_renormalise (fresh, trending_decay_t0 (self->clicks));
    for (uint32_t i = 0; i < hr_catalog_size (from) && i < trending_decay_size (self->clicks); i++) {
        int64_t idx = hr_catalog_find (to, hr_catalog_at (from, i)->id);
        if (idx >= 0)
            trending_decay_set_raw (fresh, (uint32_t) idx, trending_decay_raw (self->clicks, i));
    }
    pthread_mutex_unlock (&self->clicks_lock);
    s_install_sums (self, &fresh, bundle, INT64_MAX);
    trending_decay_destroy (&fresh);
    return 0;
}

int
trending_state_reconcile (trending_state_t *self)
{
    hr_snapshot_t *bundle = hr_swap_acquire (self->bundles);
    int rc = s_reconcile_with (self, bundle);
    hr_snapshot_release (&bundle);
    trending_state_refresh (self, true);
    return rc;
}

/*  A bundle over `catalog` (taken when owned), installed as the newest.   */
static int
s_bundle_install (trending_state_t *self, hr_catalog_t *catalog, bool owned, int64_t version)
{
    bundle_t *b = calloc (1, sizeof *b);
    trending_static_t *st = b ? trending_static_new (catalog, &self->params.model) : NULL;
    if (!st) {
        free (b);
        if (owned)
            hr_catalog_destroy (&catalog);
        return -1;
    }
    *b = (bundle_t) { catalog, owned, st };
    return hr_swap_install (self->bundles, b, version);
}

int
trending_state_set_catalog (trending_state_t *self, hr_catalog_t *catalog, int64_t version)
{
    if (s_bundle_install (self, catalog, true, version) != 0)
        return -1;
    hr_snapshot_t *bundle = hr_swap_acquire (self->bundles);
    int rc = self->database_url ? s_reconcile_with (self, bundle) : s_reindex (self, bundle);
    hr_snapshot_release (&bundle);
    if (rc != 0)
        return -1;
    self->catalog_version = version;
    /*  The sums already follow the new catalog; when the ranking cannot be
        built now (out of memory), readers keep the previous one (with its
        own catalog) and the next tick tries again.                        */
    if (s_rebuild (self, hr_now_ms ()) != 0)
        atomic_store (&self->dirty, true);
    hr_info ("catalog version %lld loaded: %u products", (long long) version, hr_catalog_size (catalog));
    return 0;
}

/*  A new catalog version: new static data, sums re-indexed, new rankings. */
static void
s_maybe_reload_catalog (trending_state_t *self, int64_t now)
{
    if (!self->catalog_source || now - self->last_catalog_check_ms < CATALOG_CHECK_MS)
        return;
    self->last_catalog_check_ms = now;
    const hr_swap_source_t *src = hr_catalog_source_swap (self->catalog_source);
    int64_t v = src->current (src->arg);
    if (v < 0 || v == self->catalog_version)
        return;
    hr_catalog_t *catalog = src->load (src->arg, v);
    if (catalog)
        trending_state_set_catalog (self, catalog, v);
}

/* ---- tick -------------------------------------------------------------- */

/*  `train trending` published: reconcile now (the same computation).      */
static void
s_poll_model (trending_state_t *self, int64_t now)
{
    if (!self->database_url || now - self->last_model_poll_ms < MODEL_POLL_MS || !s_connect_pg (self))
        return;
    self->last_model_poll_ms = now;
    int64_t v = hr_model_current (self->pg, trending_redis_conn (self->redis_out), HR_MODEL_TRENDING);
    if (v > 0 && v != self->model_version) {
        bool first = self->model_version == 0 && self->last_reconcile_ms > 0
                     && now - self->last_reconcile_ms < 60000;
        self->model_version = v;
        if (!first)
            trending_state_reconcile (self);
    }
}

void
trending_state_poll (trending_state_t *self)
{
    int64_t now = hr_now_ms ();
    s_maybe_reload_catalog (self, now);
    s_poll_model (self, now);
    if (self->database_url && now - self->last_reconcile_ms >= (int64_t) self->params.reconcile_s * 1000)
        trending_state_reconcile (self);
    trending_state_refresh (self, false);
    hr_snapshot_t *snap = hr_swap_acquire (self->ranks);
    const ranked_t *r = hr_snapshot_data (snap);
    if (r)
        trending_redis_write (self->redis_out, s_bundle (r->bundle)->catalog, r->rank, hr_now_ms ());
    hr_snapshot_release (&snap);
}

/* ---- lifecycle --------------------------------------------------------- */

static int
s_first_catalog (trending_state_t *self, hr_catalog_t *catalog)
{
    if (catalog)
        return s_bundle_install (self, catalog, false, 1);
    self->catalog_source = hr_catalog_source_new (self->database_url, 60000);
    const hr_swap_source_t *src = self->catalog_source ? hr_catalog_source_swap (self->catalog_source) : NULL;
    int64_t v = src ? src->current (src->arg) : -1;
    if (v < 0) {
        hr_error ("trending: PostgreSQL unreachable: cannot load the catalog");
        return -1;
    }
    if (!(catalog = src->load (src->arg, v)))
        return -1;
    self->catalog_version = v;
    self->last_catalog_check_ms = hr_now_ms ();
    return s_bundle_install (self, catalog, true, v);
}

trending_state_t *
trending_state_new (const trending_serve_params_t *params, hr_catalog_t *catalog)
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
    self->events_total = hr_counter ("hr_trending_events_total", "clicks applied to the trending sums", NULL);
    self->reconciles = hr_counter ("hr_trending_reconciles_total", "reconciliations from PostgreSQL", NULL);
    self->reconcile_errors = hr_counter ("hr_trending_reconcile_errors_total",
                                         "failed reconciliations", NULL);
    self->clicks = trending_decay_new (params->decay_rate, hr_now_ms ());
    self->bundles = hr_swap_new (s_bundle_free);
    self->ranks = hr_swap_new (s_ranked_free);
    self->redis_out = trending_redis_new (self->redis_url, params->redis_timeout_ms, params->redis_top);
    if (!self->clicks || !self->bundles || !self->ranks || !self->redis_out
        || (params->database_url && !self->database_url) || (params->redis_url && !self->redis_url)
        || s_first_catalog (self, catalog) != 0) {
        trending_state_destroy (&self);
        return NULL;
    }
    self->clicks_bundle = hr_swap_acquire (self->bundles);
    /*  Stream first, then the database: clicks committed meanwhile are in
        the log and are added by the reconciliation.                       */
    if (self->redis_url) {
        if (pthread_create (&self->event_thread, NULL, s_event_loop, self) == 0)
            self->event_running = true;
        else
            hr_warn ("trending: cannot start the event thread: no real-time updates");
    }
    if (self->database_url)
        s_reconcile_with (self, self->clicks_bundle);
    trending_state_refresh (self, true);
    return self;
}

void
trending_state_destroy (trending_state_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    trending_state_t *self = *self_p;
    atomic_store (&self->stop, true);
    if (self->event_running)
        pthread_join (self->event_thread, NULL);
    hr_swap_destroy (&self->ranks);
    hr_snapshot_release (&self->clicks_bundle);
    hr_swap_destroy (&self->bundles);
    trending_decay_destroy (&self->clicks);
    free (self->log);
    hr_pg_destroy (&self->pg);
    hr_catalog_source_destroy (&self->catalog_source);
    trending_redis_destroy (&self->redis_out);
    pthread_mutex_destroy (&self->clicks_lock);
    free (self->database_url);
    free (self->redis_url);
    free (self);
    *self_p = NULL;
}


hr_snapshot_t *
trending_state_take (void *state)
{
    trending_state_t *self = state;
    return hr_swap_acquire (self->ranks);
}

void
trending_view_of (const void *ranking, trending_view_t *view)
{
    const ranked_t *r = ranking;
    const bundle_t *b = s_bundle (r->bundle);
    *view = (trending_view_t) { b->catalog, b->st, r->rank, r->memo };
}

uint32_t
trending_state_top_categories (const trending_state_t *self)
{
    return self->params.model.top_categories;
}
