/*  collab-svc serving — see serve.h and protocol.h.

    Models are reference-counted: a request holds the model it started with,
    so a swap never pulls a model from under a running request.  Scorers
    (the per-request scratch) live in a pool and are rebuilt lazily for a
    new model.                                                              */
#include "serve.h"
#include "hr_client.h"
#include "hr_events.h"
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_model_store.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "live.h"
#include "params.h"
#include "protocol.h"
#include <assert.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*  Reads of the event stream block at most this long, so destroy() never
    waits longer for the events thread.                                     */
#define EVENTS_BLOCK_MS 200
#define EVENTS_BATCH 256

typedef struct {
    collab_model_t *model;
    int64_t version;
    int refs;                   /* under collab_serve.lock */
} model_ref_t;

typedef struct slot {
    collab_scorer_t *scorer;
    model_ref_t *ref;           /* the model the scorer was built for (counted) */
    struct slot *next;
} slot_t;

struct collab_serve {
    pthread_mutex_t lock;
    model_ref_t *current;       /* counted; NULL until a model is installed */
    slot_t *free_slots;
    collab_score_params_t params;
    char *database_url, *redis_url;
    hr_pg_t *pg;                /* tick thread only */
    hr_redis_t *redis;
    hr_gauge_t *g_version, *g_items;
    hr_counter_t *c_swaps, *c_load_errors;
    /* live deltas from the event stream (see overlay.h) */
    collab_overlay_t *overlay;
    pthread_t events_thread;
    bool events_running;
    atomic_bool stop;
    hr_counter_t *c_events;
    hr_gauge_t *g_ov_items, *g_ov_users, *g_ov_entries;
};

static void
s_unref_locked (model_ref_t *ref)
{
    if (ref && --ref->refs == 0) {
        collab_model_destroy (&ref->model);
        free (ref);
    }
}

static void *s_events_thread (void *arg);

collab_serve_t *
collab_serve_new (const char *database_url, const char *redis_url, const collab_score_params_t *params)
{
    collab_overlay_params_t op;
    collab_overlay_params_default (&op);
    return collab_serve_new_ex (database_url, redis_url, params, &op);
}

collab_serve_t *
collab_serve_new_ex (const char *database_url, const char *redis_url,
                     const collab_score_params_t *params, const collab_overlay_params_t *overlay)
{
    collab_serve_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init (&self->lock, NULL);
    atomic_init (&self->stop, false);
    self->params = *params;
    self->params.fill_popular = false;     /* scores must stay > 0 for hr_merge */
    self->database_url = database_url ? strdup (database_url) : NULL;
    self->redis_url = redis_url ? strdup (redis_url) : NULL;
    self->overlay = collab_overlay_new (overlay);
    if ((database_url && !self->database_url) || (redis_url && !self->redis_url) || !self->overlay) {
        collab_serve_destroy (&self);
        return NULL;
    }
    self->g_version = hr_gauge ("collab_model_version", "published collab model in use", NULL);
    self->g_items = hr_gauge ("collab_model_items", "items known to the collab model", NULL);
    self->c_swaps = hr_counter ("collab_model_swaps_total", "collab models loaded", NULL);
    self->c_load_errors = hr_counter ("collab_model_load_errors_total", "failed model loads", NULL);
    self->c_events = hr_counter ("collab_overlay_events_total",
                                 "clicks from the event stream applied to the live overlay", NULL);
    self->g_ov_items = hr_gauge ("collab_overlay_items", "items with live co-count deltas", NULL);
    self->g_ov_users = hr_gauge ("collab_overlay_users", "users whose live clicks are tracked", NULL);
    self->g_ov_entries = hr_gauge ("collab_overlay_entries", "live co-count deltas held", NULL);
    if (self->redis_url) {
        if (pthread_create (&self->events_thread, NULL, s_events_thread, self) == 0)
            self->events_running = true;
        else
            hr_warn ("collab: cannot start the events thread; no live updates between retrains");
    }
    return self;
}

void
collab_serve_destroy (collab_serve_t **self_p)
{
    assert (self_p);
    collab_serve_t *self = *self_p;
    if (!self)
        return;
    if (self->events_running) {
        atomic_store (&self->stop, true);
        pthread_join (self->events_thread, NULL);
    }
    collab_overlay_destroy (&self->overlay);
    pthread_mutex_lock (&self->lock);
    while (self->free_slots) {
        slot_t *s = self->free_slots;
        self->free_slots = s->next;
        collab_scorer_destroy (&s->scorer);
        s_unref_locked (s->ref);
        free (s);
    }
    s_unref_locked (self->current);
    self->current = NULL;
    pthread_mutex_unlock (&self->lock);
    pthread_mutex_destroy (&self->lock);
    hr_pg_destroy (&self->pg);
    hr_redis_destroy (&self->redis);
    free (self->database_url);
    free (self->redis_url);
    free (self);
    *self_p = NULL;
}

int
collab_serve_install (collab_serve_t *self, collab_model_t *model, int64_t version)
{
    model_ref_t *ref = calloc (1, sizeof *ref);
    if (!ref)
        return -1;
    *ref = (model_ref_t) { model, version, 1 };
    pthread_mutex_lock (&self->lock);
    model_ref_t *old = self->current;
    self->current = ref;
    /* idle scorers of older models go now; busy ones on their release */
    slot_t **pp = &self->free_slots;
    while (*pp) {
        slot_t *s = *pp;
        if (s->ref != ref) {
            *pp = s->next;
            collab_scorer_destroy (&s->scorer);
            s_unref_locked (s->ref);
            free (s);
        }
        else
            pp = &s->next;
    }
    s_unref_locked (old);
    pthread_mutex_unlock (&self->lock);
    /* the new model was trained on (at least) what the overlay learnt */
    collab_overlay_clear_rows (self->overlay, model->params.fwd, model->params.bwd,
                               model->params.dist_pow);
    hr_gauge_set (self->g_version, (double) version);
    hr_gauge_set (self->g_items, model->n_items);
    hr_counter_inc (self->c_swaps);
    return 0;
}

int64_t
collab_serve_version (collab_serve_t *self)
{
    pthread_mutex_lock (&self->lock);
    int64_t v = self->current ? self->current->version : 0;
    pthread_mutex_unlock (&self->lock);
    return v;
}

/*  A scorer for the current model, or NULL when there is no model yet.     */
static slot_t *
s_acquire (collab_serve_t *self)
{
    pthread_mutex_lock (&self->lock);
    model_ref_t *ref = self->current;
    if (!ref) {
        pthread_mutex_unlock (&self->lock);
        return NULL;
    }
    slot_t *slot = self->free_slots;
    if (slot)
        self->free_slots = slot->next;
    if (slot && slot->ref == ref) {
        pthread_mutex_unlock (&self->lock);
        return slot;
    }
    if (slot) {
        collab_scorer_destroy (&slot->scorer);
        s_unref_locked (slot->ref);
    }
    ref->refs++;
    pthread_mutex_unlock (&self->lock);
    if (!slot)
        slot = calloc (1, sizeof *slot);
    collab_scorer_t *scorer = slot ? collab_scorer_new (ref->model) : NULL;
    if (!scorer) {
        pthread_mutex_lock (&self->lock);
        s_unref_locked (ref);
        pthread_mutex_unlock (&self->lock);
        free (slot);
        return NULL;
    }
    slot->scorer = scorer;
    slot->ref = ref;
    return slot;
}

static void
s_release (collab_serve_t *self, slot_t *slot)
{
    pthread_mutex_lock (&self->lock);
    if (slot->ref == self->current) {
        slot->next = self->free_slots;
        self->free_slots = slot;
        slot = NULL;
    }
    else
        s_unref_locked (slot->ref);
    pthread_mutex_unlock (&self->lock);
    if (slot) {
        collab_scorer_destroy (&slot->scorer);
        free (slot);
    }
}

/*  --- requests -------------------------------------------------------------- */

/*  Writes the merge of two best-first lists (trained recs, cold items), at
    most limit items, only product ids with a positive score.               */
static void
s_put_merged (hr_writer_t *reply, const collab_model_t *m, const collab_rec_t *recs, uint32_t nrecs,
              const collab_named_t *cold, uint32_t ncold, uint32_t limit, const char *source, size_t source_len)
{
    size_t begin = hr_scored_list_begin (reply);
    uint32_t written = 0, i = 0, j = 0;
    while (written < limit && (i < nrecs || j < ncold)) {
        const char *id;
        float score;
        if (i < nrecs && (j >= ncold || recs[i].score >= cold[j].score)) {
            id = collab_ids_at (m->ids, recs[i].item);
            score = recs[i++].score;
        }
        else {
            id = cold[j].id;
            score = cold[j++].score;
        }
        if (strlen (id) != HR_PRODUCT_ID_LEN || !(score > 0))
            continue;           /* only product ids go on the wire */
        hr_put_scored_item (reply, id, score, HR_STRAT_COLLAB, source, source_len);
        written++;
    }
    hr_scored_list_end (reply, begin, written);
}

static int
s_for_user (collab_serve_t *self, hr_reader_t *args, hr_writer_t *reply, hr_call_t *call)
{
    uint32_t n = hr_get_count (args, 1 + 4 + 8);
    if (!hr_reader_ok (args))
        return hr_service_error (call, HR_BAD_REQUEST, "for_user: malformed history");
    uint32_t hist[COLLAB_HISTORY_MAX];
    collab_click_t clicks[COLLAB_HISTORY_MAX];
    uint32_t nh = 0, nclicks = 0;
    slot_t *slot = s_acquire (self);
    const collab_model_t *m = slot ? collab_scorer_model (slot->scorer) : NULL;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t type = hr_get_u8 (args);
        size_t len;
        const char *value = hr_get_str (args, &len);
        (void) hr_get_i64 (args);
        if (!hr_reader_ok (args))
            break;
        if (type != 1 || nclicks == COLLAB_HISTORY_MAX)
            continue;
        clicks[nclicks++] = (collab_click_t) { value, len };
        int64_t idx = m ? collab_ids_find (m->ids, value, len) : -1;
        if (idx >= 0)
            hist[nh++] = (uint32_t) idx;
    }
    uint32_t limit = hr_get_u32 (args);
    if (!hr_reader_done (args)) {
        if (slot)
            s_release (self, slot);
        return hr_service_error (call, HR_BAD_REQUEST, "for_user: expected history, u32 limit");
    }
    if (limit > COLLAB_LIMIT_MAX)
        limit = COLLAB_LIMIT_MAX;

    /* what the event stream taught since the model was trained */
    collab_rec_t extra[COLLAB_LIVE_MAX];
    collab_named_t cold[COLLAB_LIVE_MAX];
    uint32_t nextra = 0, ncold = 0;
    if (limit > 0)
        collab_live_deltas (self->overlay, m, &self->params, clicks, nclicks, extra, &nextra,
                            cold, &ncold);

    collab_rec_t recs[COLLAB_LIMIT_MAX];
    uint32_t got = 0;
    if (slot && (nh > 0 || nextra > 0) && limit > 0)
        got = collab_scorer_recommend_extra (slot->scorer, &self->params, hist, nh, hr_now_ms (),
                                             true, extra, nextra, recs, limit);
    const char *newest = nclicks ? clicks[0].p : NULL;
    s_put_merged (reply, m, recs, got, cold, ncold, limit, newest, nclicks ? clicks[0].len : 0);
    if (slot)
        s_release (self, slot);
    return HR_OK;
}

static int
s_similar (collab_serve_t *self, hr_reader_t *args, hr_writer_t *reply, hr_call_t *call)
{
    size_t len;
    const char *id = hr_get_str (args, &len);
    uint32_t limit = hr_get_u32 (args);
    if (!hr_reader_done (args))
        return hr_service_error (call, HR_BAD_REQUEST, "similar: expected str product_id, u32 limit");
    if (limit > COLLAB_LIMIT_MAX)
        limit = COLLAB_LIMIT_MAX;
    slot_t *slot = s_acquire (self);
    const collab_model_t *m = slot ? collab_scorer_model (slot->scorer) : NULL;
    /* the trained row (its first COLLAB_LIMIT_MAX entries) plus the live
       deltas, ranked together by id */
    collab_named_t cand[COLLAB_LIMIT_MAX + COLLAB_OVERLAY_ROW];
    collab_named_set_t cand_set;
    collab_named_set_init (&cand_set, cand, COLLAB_LIMIT_MAX + COLLAB_OVERLAY_ROW);
    int64_t idx = m ? collab_ids_find (m->ids, id, len) : -1;
    if (idx >= 0) {
        collab_rec_t recs[COLLAB_LIMIT_MAX];
        uint32_t got = collab_scorer_similar (slot->scorer, (uint32_t) idx, recs, COLLAB_LIMIT_MAX);
        for (uint32_t i = 0; i < got; i++)     /* a row's items are distinct */
            collab_named_set_add (&cand_set, collab_ids_at (m->ids, recs[i].item), recs[i].score);
    }
    collab_overlay_nb_t nb[COLLAB_OVERLAY_ROW];
    float norm = 0;
    uint32_t nn = collab_live_row (self->overlay, m, id, len, nb, &norm);
    for (uint32_t e = 0; e < nn; e++)
        collab_named_set_add (&cand_set, nb[e].id, norm * nb[e].weight);
    uint32_t nc = cand_set.n;
    collab_named_sort (cand, nc);
    s_put_merged (reply, m, NULL, 0, cand, nc, limit, id, len);
    if (slot)
        s_release (self, slot);
    return HR_OK;
}

int
collab_serve_handle (void *state, const char *method, size_t method_len,
                     hr_reader_t *args, hr_writer_t *reply, hr_call_t *call)
{
    collab_serve_t *self = state;
    if (method_len == strlen (COLLAB_METHOD_FOR_USER) && !memcmp (method, COLLAB_METHOD_FOR_USER, method_len))
        return s_for_user (self, args, reply, call);
    if (method_len == strlen (COLLAB_METHOD_SIMILAR) && !memcmp (method, COLLAB_METHOD_SIMILAR, method_len))
        return s_similar (self, args, reply, call);
    return hr_service_error (call, HR_BAD_REQUEST, "collab: unknown method '%.*s'",
                             (int) (method_len > 64 ? 64 : method_len), method);
}

/*  --- live updates from the event stream ---------------------------------- */

static void
s_nap_ms (int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
    nanosleep (&ts, NULL);
}

static void
s_overlay_metrics (collab_serve_t *self)
{
    collab_overlay_stats_t st;
    collab_overlay_stats (self->overlay, &st);
    hr_gauge_set (self->g_ov_items, st.items);
    hr_gauge_set (self->g_ov_users, st.users);
    hr_gauge_set (self->g_ov_entries, st.entries);
}

/*  Follows the stream from "now" (older events are in the model or lost:
    the next retrain reads them from PostgreSQL); Redis down = retry.       */
static void *
s_events_thread (void *arg)
{
    collab_serve_t *self = arg;
    hr_event_t *batch = malloc (EVENTS_BATCH * sizeof *batch);
    hr_events_reader_t *reader = NULL;
    while (batch && !atomic_load (&self->stop)) {
        if (!reader && !(reader = hr_events_reader_new (self->redis_url, "$"))) {
            s_nap_ms (EVENTS_BLOCK_MS);
            continue;
        }
        int n = hr_events_read (reader, batch, EVENTS_BATCH, EVENTS_BLOCK_MS);
        if (n > 0) {
            hr_counter_add (self->c_events, collab_overlay_apply (self->overlay, batch, (uint32_t) n));
            s_overlay_metrics (self);
        }
        else if (n < 0)
            s_nap_ms (EVENTS_BLOCK_MS);
    }
    hr_events_reader_destroy (&reader);
    free (batch);
    return NULL;
}

uint32_t
collab_serve_apply_events (collab_serve_t *self, const hr_event_t *ev, uint32_t n)
{
    uint32_t applied = collab_overlay_apply (self->overlay, ev, n);
    hr_counter_add (self->c_events, applied);
    s_overlay_metrics (self);
    return applied;
}

void
collab_serve_overlay_stats (collab_serve_t *self, collab_overlay_stats_t *out)
{
    collab_overlay_stats (self->overlay, out);
}

/*  --- hot swap ---------------------------------------------------------------- */

int
collab_serve_poll (collab_serve_t *self)
{
    if (!self->database_url)
        return 0;
    if (!self->pg && !(self->pg = hr_pg_new (self->database_url, 30000, 0)))
        return -1;
    if (!self->redis && self->redis_url)
        self->redis = hr_redis_new (self->redis_url, 200);
    int64_t v = hr_model_current (self->pg, self->redis, COLLAB_STRATEGY_NAME);
    if (v <= 0 || v == collab_serve_version (self))
        return v < 0 ? -1 : 0;
    void *blob = NULL;
    size_t len = 0;
    char err[256];
    if (hr_model_fetch (self->pg, self->redis, COLLAB_STRATEGY_NAME, v, &blob, &len)) {
        hr_counter_inc (self->c_load_errors);
        hr_warn ("collab: cannot fetch model version %" PRId64, v);
        return -1;
    }
    collab_model_t *m = collab_model_load (blob, len, err, sizeof err);
    free (blob);
    if (!m || collab_serve_install (self, m, v)) {
        hr_counter_inc (self->c_load_errors);
        hr_error ("collab: model version %" PRId64 " rejected: %s", v, m ? "out of memory" : err);
        collab_model_destroy (&m);
        return -1;
    }
    char vs[32], items[32], sessions[32];
    snprintf (vs, sizeof vs, "%" PRId64, v);
    snprintf (items, sizeof items, "%u", m->n_items);
    snprintf (sessions, sizeof sessions, "%u", m->n_sessions);
    hr_log_kv (HR_LOG_INFO, NULL, "collab model loaded", "version", vs, "items", items,
               "sessions", sessions, NULL);
    return 1;
}

void
collab_serve_tick (void *state)
{
    collab_serve_poll (state);
}

/*  --- the service definition ------------------------------------------------ */

static const hr_config_var_t s_config[] = {
    { "COLLAB_PARAMS", HR_CFG_STR, "",
      "collab scoring parameters name=value,... (see `hybridrec eval --help`)", 0, 0 },
    { "COLLAB_OVERLAY_USERS", HR_CFG_INT, "50000",
      "users whose live clicks update the model between retrains (LRU beyond)", 1, 10000000 },
    { "COLLAB_OVERLAY_ITEMS", HR_CFG_INT, "20000",
      "items with live co-count deltas between retrains (LRU beyond; ~0.5 KB each)", 1, 10000000 },
    { NULL, 0, NULL, NULL, 0, 0 },
};

static void *
s_init (hr_config_t *cfg)
{
    collab_train_params_t tp;
    collab_score_params_t sp;
    collab_train_params_default (&tp);
    collab_score_params_default (&sp);
    char err[256];
    if (collab_params_apply (hr_config_str (cfg, "COLLAB_PARAMS"), &tp, &sp, err, sizeof err)) {
        hr_error ("COLLAB_PARAMS: %s", err);
        return NULL;
    }
    collab_overlay_params_t op;
    collab_overlay_params_default (&op);
    op.max_users = (uint32_t) hr_config_int (cfg, "COLLAB_OVERLAY_USERS");
    op.max_items = (uint32_t) hr_config_int (cfg, "COLLAB_OVERLAY_ITEMS");
    op.window = tp.window < COLLAB_OVERLAY_WINDOW_MAX ? tp.window : COLLAB_OVERLAY_WINDOW_MAX;
    collab_serve_t *self = collab_serve_new_ex (hr_config_database_url (cfg),
                                                hr_config_str (cfg, "REDIS_URL"), &sp, &op);
    if (self && collab_serve_poll (self) == 0 && collab_serve_version (self) == 0)
        hr_warn ("collab: no model published yet (run `hybridrec train collab`); answering empty lists");
    return self;
}

static void
s_fini (void *state)
{
    collab_serve_t *self = state;
    collab_serve_destroy (&self);
}

static bool
s_ready (void *state)
{
    (void) state;
    return true;                /* empty answers without a model are valid */
}

const hr_service_def_t collab_service_def = {
    .name = COLLAB_SERVICE,
    .config = s_config,
    .init = s_init,
    .handle = collab_serve_handle,
    .tick = collab_serve_tick,
    .tick_ms = 1000,
    .fini = s_fini,
    .ready = s_ready,
};
