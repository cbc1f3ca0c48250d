/*  collab-svc serving — see serve.h and protocol.h.

    Models are reference-counted: a request holds the model it started with,
    so a swap never pulls a model from under a running request.  Scorers
    (the per-request scratch) live in a pool and are rebuilt lazily for a
    new model.                                                              */
#include "serve.h"
#include "hr_client.h"
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_model_store.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "params.h"
#include "protocol.h"
#include <assert.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
};

static void
s_unref_locked (model_ref_t *ref)
{
    if (ref && --ref->refs == 0) {
        collab_model_destroy (&ref->model);
        free (ref);
    }
}

collab_serve_t *
collab_serve_new (const char *database_url, const char *redis_url, const collab_score_params_t *params)
{
    collab_serve_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init (&self->lock, NULL);
    self->params = *params;
    self->params.fill_popular = false;     /* scores must stay > 0 for hr_merge */
    self->database_url = database_url ? strdup (database_url) : NULL;
    self->redis_url = redis_url ? strdup (redis_url) : NULL;
    self->g_version = hr_gauge ("collab_model_version", "published collab model in use", NULL);
    self->g_items = hr_gauge ("collab_model_items", "items known to the collab model", NULL);
    self->c_swaps = hr_counter ("collab_model_swaps_total", "collab models loaded", NULL);
    self->c_load_errors = hr_counter ("collab_model_load_errors_total", "failed model loads", NULL);
    return self;
}

void
collab_serve_destroy (collab_serve_t **self_p)
{
    assert (self_p);
    collab_serve_t *self = *self_p;
    if (!self)
        return;
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

static void
s_put_list (hr_writer_t *reply, const collab_model_t *m, const collab_rec_t *recs, uint32_t n,
            const char *source, size_t source_len)
{
    size_t begin = hr_scored_list_begin (reply);
    uint32_t written = 0;
    for (uint32_t i = 0; i < n; i++) {
        const char *id = collab_ids_at (m->ids, recs[i].item);
        if (strlen (id) != HR_PRODUCT_ID_LEN || !(recs[i].score > 0))
            continue;           /* only product ids go on the wire */
        hr_put_scored_item (reply, id, recs[i].score, HR_STRAT_COLLAB, source, source_len);
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
    uint32_t nh = 0;
    const char *newest = NULL;
    size_t newest_len = 0;
    slot_t *slot = s_acquire (self);
    const collab_model_t *m = slot ? collab_scorer_model (slot->scorer) : NULL;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t type = hr_get_u8 (args);
        size_t len;
        const char *value = hr_get_str (args, &len);
        (void) hr_get_i64 (args);
        if (!hr_reader_ok (args))
            break;
        if (type != 1 || !m || nh == COLLAB_HISTORY_MAX)
            continue;
        if (!newest) {
            newest = value;
            newest_len = len;
        }
        int64_t idx = collab_ids_find (m->ids, value, len);
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
    collab_rec_t recs[COLLAB_LIMIT_MAX];
    uint32_t got = 0;
    if (slot && nh > 0 && limit > 0)
        got = collab_scorer_recommend (slot->scorer, &self->params, hist, nh, hr_now_ms (),
                                       true, recs, limit);
    if (m)
        s_put_list (reply, m, recs, got, newest, newest_len);
    else
        hr_put_u32 (reply, 0);
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
    if (!slot) {
        hr_put_u32 (reply, 0);
        return HR_OK;
    }
    const collab_model_t *m = collab_scorer_model (slot->scorer);
    collab_rec_t recs[COLLAB_LIMIT_MAX];
    uint32_t got = 0;
    int64_t idx = collab_ids_find (m->ids, id, len);
    if (idx >= 0)
        got = collab_scorer_similar (slot->scorer, (uint32_t) idx, recs, limit);
    s_put_list (reply, m, recs, got, id, len);
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
    collab_serve_t *self = collab_serve_new (hr_config_database_url (cfg),
                                             hr_config_str (cfg, "REDIS_URL"), &sp);
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
