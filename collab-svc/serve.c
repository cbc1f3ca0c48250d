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
#include "hr_proto.h"
#include "hr_swap.h"
#include "live.h"
#include "params.h"
#include "protocol.h"
#include "seqrules.h"
#include "stream.h"
#include "loaded.h"
#include <assert.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


struct collab_serve {
    hr_swap_t *swap;                /* collab_loaded_t */
    hr_model_source_t *source;      /* tick thread only */
    collab_score_params_t params;
    char *redis_url;
    hr_gauge_t *g_version, *g_items;
    hr_counter_t *c_swaps, *c_load_errors;
    /* live deltas from the event stream (see overlay.h) */
    collab_overlay_t *overlay;
    collab_stream_t *stream;        /* feeds the overlay from hr_events */
};

static void *s_decode (void *arg, const void *blob, size_t len, int64_t version);

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
    self->params = *params;
    self->params.fill_popular = false;     /* scores must stay > 0 for hr_merge */
    self->redis_url = redis_url ? strdup (redis_url) : NULL;
    self->overlay = collab_overlay_new (overlay);
    self->swap = hr_swap_new (collab_loaded_free);
    self->source = hr_model_source_new (HR_MODEL_COLLAB, database_url, redis_url, s_decode, self);
    if ((redis_url && !self->redis_url) || !self->overlay || !self->swap || !self->source) {
        collab_serve_destroy (&self);
        return NULL;
    }
    self->g_version = hr_gauge ("collab_model_version", "published collab model in use", NULL);
    self->g_items = hr_gauge ("collab_model_items", "items known to the collab model", NULL);
    self->c_swaps = hr_counter ("collab_model_swaps_total", "collab models loaded", NULL);
    self->c_load_errors = hr_counter ("collab_model_load_errors_total", "failed model loads", NULL);
    self->stream = collab_stream_new (self->overlay, self->redis_url);
    if (!self->stream) {
        collab_serve_destroy (&self);
        return NULL;
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
    collab_stream_destroy (&self->stream);      /* stops its thread first */
    collab_overlay_destroy (&self->overlay);
    hr_swap_destroy (&self->swap);
    hr_model_source_destroy (&self->source);
    free (self->redis_url);
    free (self);
    *self_p = NULL;
}

/*  After a swap: the new model was trained on (at least) what the overlay
    learnt.  */
static void
s_installed (collab_serve_t *self)
{
    hr_snapshot_t *snap = hr_swap_acquire (self->swap);
    const collab_loaded_t *l = hr_snapshot_data (snap);
    if (l) {
        const collab_model_t *model = l->model;
        collab_overlay_clear_rows (self->overlay, model->params.fwd, model->params.bwd,
                                   model->params.dist_pow);
        hr_gauge_set (self->g_version, (double) hr_snapshot_version (snap));
        hr_gauge_set (self->g_items, model->n_items);
        hr_counter_inc (self->c_swaps);
    }
    hr_snapshot_release (&snap);
}

int
collab_serve_install (collab_serve_t *self, collab_model_t *model, int64_t version)
{
    collab_loaded_t *l = collab_loaded_new (model);
    if (!l || hr_swap_install (self->swap, l, version) != 0)
        return -1;              /* (hr_swap_install freed l and the model) */
    s_installed (self);
    return 0;
}

int64_t
collab_serve_version (collab_serve_t *self)
{
    return hr_swap_version (self->swap);
}

/*  --- requests -------------------------------------------------------------- */

/*  Writes the merge of two best-first lists (trained recs, cold items), at
    most limit items, only product ids with a positive score.               */
static void
s_put_merged (hr_writer_t *reply, const collab_model_t *m, const collab_rec_t *recs, uint32_t nrecs,
              const collab_named_t *cold, uint32_t ncold, uint32_t limit, uint8_t strategy,
              const char *source, size_t source_len)
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
        hr_put_scored_item (reply, id, score, strategy, source, source_len);
        written++;
    }
    hr_scored_list_end (reply, begin, written);
}

/*  One request's view of the current model: the scorer it uses (NULL when
    there is no model yet, or no memory for a scorer).                      */
typedef struct {
    hr_snapshot_t *snap;
    collab_loaded_t *loaded;
    collab_scorer_t *scorer;
    const collab_model_t *model;
} use_t;

static void
s_use_begin (collab_serve_t *self, use_t *u)
{
    u->snap = hr_swap_acquire (self->swap);
    u->loaded = hr_snapshot_data (u->snap);
    u->scorer = u->loaded ? collab_loaded_take (u->loaded) : NULL;
    u->model = u->scorer ? u->loaded->model : NULL;
}

static void
s_use_end (use_t *u)
{
    if (u->loaded)
        collab_loaded_give (u->loaded, u->scorer);
    hr_snapshot_release (&u->snap);
}

static int
s_for_user (void *state, const void *model, const hr_proto_req_t *r, hr_writer_t *reply,
            hr_call_t *call)
{
    collab_serve_t *self = state;
    const use_t *u = model;
    const hr_proto_for_user_t req = r->for_user;
    (void) call;
    const collab_model_t *m = u->model;
    uint32_t hist[COLLAB_HISTORY_MAX];
    collab_click_t clicks[COLLAB_HISTORY_MAX];
    uint32_t nh = 0, nclicks = 0;
    hr_proto_history_iter_t it;
    hr_proto_history_iter (&req.history, &it);
    hr_proto_event_t ev;
    while (nclicks < COLLAB_HISTORY_MAX && hr_proto_history_next (&it, &ev)) {
        if (!hr_event_is_product (ev.type))
            continue;
        clicks[nclicks++] = (collab_click_t) { ev.value, ev.len };
        int64_t idx = m ? collab_ids_find (m->ids, ev.value, ev.len) : -1;
        if (idx >= 0)
            hist[nh++] = (uint32_t) idx;
    }
    uint32_t limit = req.limit < HR_COLLAB_LIMIT_MAX ? req.limit : HR_COLLAB_LIMIT_MAX;

    /* what the event stream taught since the model was trained */
    collab_rec_t extra[COLLAB_LIVE_MAX];
    collab_named_t cold[COLLAB_LIVE_MAX];
    uint32_t nextra = 0, ncold = 0;
    if (limit > 0)
        collab_live_deltas (self->overlay, m, &self->params, clicks, nclicks, extra, &nextra,
                            cold, &ncold);

    collab_rec_t recs[HR_COLLAB_LIMIT_MAX];
    uint32_t got = 0;
    if (u->scorer && (nh > 0 || nextra > 0) && limit > 0)
        got = collab_scorer_recommend_extra (u->scorer, &self->params, hist, nh, hr_now_ms (),
                                             true, extra, nextra, recs, limit);
    const char *newest = nclicks ? clicks[0].p : NULL;
    size_t newest_len = nclicks ? clicks[0].len : 0;
    s_put_merged (reply, m, recs, got, cold, ncold, limit, HR_STRAT_COLLAB, newest, newest_len);

    /* the second list: sequential rules (seqrules.h) */
    collab_seqrules_query_t q;
    got = 0;
    q.ncold = 0;
    if (limit > 0) {
        collab_seqrules_query (self->overlay, m, clicks, nclicks, &q);
        if (u->scorer)
            got = collab_scorer_seqrules (u->scorer, hist, nh, q.row, q.w, q.nrow, q.extra,
                                          q.nextra, recs, limit);
    }
    s_put_merged (reply, m, recs, got, q.cold, q.ncold, limit, HR_STRAT_SEQRULES, newest, newest_len);
    return HR_OK;
}

static int
s_similar (void *state, const void *model, const hr_proto_req_t *r, hr_writer_t *reply,
           hr_call_t *call)
{
    collab_serve_t *self = state;
    const use_t *u = model;
    (void) call;
    const char *id = r->product.id;
    size_t len = r->product.id_len;
    uint32_t limit = r->product.limit < HR_COLLAB_LIMIT_MAX ? r->product.limit : HR_COLLAB_LIMIT_MAX;
    const collab_model_t *m = u->model;
    /* the trained row (its first HR_COLLAB_LIMIT_MAX entries) plus the live
       deltas, ranked together by id */
    collab_named_t cand[HR_COLLAB_LIMIT_MAX + COLLAB_OVERLAY_ROW];
    collab_named_set_t cand_set;
    collab_named_set_init (&cand_set, cand, HR_COLLAB_LIMIT_MAX + COLLAB_OVERLAY_ROW);
    int64_t idx = m ? collab_ids_find (m->ids, id, len) : -1;
    if (idx >= 0) {
        collab_rec_t recs[HR_COLLAB_LIMIT_MAX];
        uint32_t got = collab_scorer_similar (u->scorer, (uint32_t) idx, recs, HR_COLLAB_LIMIT_MAX);
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
    s_put_merged (reply, m, NULL, 0, cand, nc, limit, HR_STRAT_COLLAB, id, len);
    return HR_OK;
}

static const hr_method_t s_methods[] = {
    { HR_M_FOR_USER, HR_REQ_FOR_USER, s_for_user },
    { HR_M_SIMILAR, HR_REQ_PRODUCT, s_similar },
    { NULL, HR_REQ_RAW, NULL },
};

int
collab_serve_handle (void *state, const char *method, size_t method_len,
                     hr_reader_t *args, hr_writer_t *reply, hr_call_t *call)
{
    collab_serve_t *self = state;
    use_t u;
    s_use_begin (self, &u);
    int rc = hr_service_dispatch (HR_SERVICE_COLLAB, s_methods, self, &u, method, method_len,
                                  args, reply, call);
    s_use_end (&u);
    return rc;
}

uint32_t
collab_serve_apply_events (collab_serve_t *self, const hr_event_t *ev, uint32_t n)
{
    return collab_stream_apply (self->stream, ev, n);
}

void
collab_serve_overlay_stats (collab_serve_t *self, collab_overlay_stats_t *out)
{
    collab_overlay_stats (self->overlay, out);
}

/*  --- hot swap ---------------------------------------------------------------- */

static void *
s_decode (void *arg, const void *blob, size_t len, int64_t version)
{
    collab_serve_t *self = arg;
    char err[256];
    collab_model_t *m = collab_model_load (blob, len, err, sizeof err);
    collab_loaded_t *l = m ? collab_loaded_new (m) : NULL;
    if (!l) {
        hr_counter_inc (self->c_load_errors);
        hr_error ("collab: model version %" PRId64 " rejected: %s", version, m ? "out of memory" : err);
        collab_model_destroy (&m);
        return NULL;
    }
    char vs[32], items[32], sessions[32];
    snprintf (vs, sizeof vs, "%" PRId64, version);
    snprintf (items, sizeof items, "%u", m->n_items);
    snprintf (sessions, sizeof sessions, "%u", m->n_sessions);
    hr_log_kv (HR_LOG_INFO, NULL, "collab model loaded", "version", vs, "items", items,
               "sessions", sessions, NULL);
    return l;
}

int
collab_serve_poll (collab_serve_t *self)
{
    int rc = hr_swap_poll (self->swap, hr_model_source_swap (self->source));
    if (rc == 1)
        s_installed (self);
    return rc;
}

void
collab_serve_tick (void *state)
{
    collab_serve_poll (state);
}

/*  --- the service definition ------------------------------------------------ */


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

HR_SERVICE_DEFINE (collab_service_def, collab_serve_t, collab_serve_destroy,
                   .name = HR_SERVICE_COLLAB, .config = collab_config, .init = s_init,
                   .handle = collab_serve_handle, .tick = collab_serve_tick, .tick_ms = 1000);
/*  (no .ready: empty answers without a model are valid)                   */
