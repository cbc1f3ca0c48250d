/*  The "collab_live" strategy of the evaluation (see eval_strategies.h):
    collab's scorer plus the live overlay, fed with every replayed test
    click as if it came from the event stream (user = session), through
    collab_live_deltas — the code for_user serves.  "seqrules_live" is
    for_user's second list the same way (collab_seqrules_query and the
    model's rule rows).

    The overlay speaks product ids: here an item's id is its dense index as
    ten digits, on a private copy of the model relabelled the same way.   */
#include "eval_strategies.h"
#include "collab-svc/live.h"
#include "collab-svc/overlay.h"
#include "collab-svc/seqrules.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    collab_model_t *model;      /* relabelled copy */
    collab_scorer_t *scorer;
    collab_overlay_t *overlay;
    collab_score_params_t params;
    char (*names)[COLLAB_ID_MAX + 1];   /* item -> "%010u" */
    collab_click_t *clicks;     /* scratch, n_items + 1 */
    uint32_t clicks_cap;
    collab_seqrules_query_t *seq;       /* seqrules_live: its scratch; NULL: collab_live */
} live_t;

static uint32_t
s_live_recommend (void *state, const uint32_t *hist, uint32_t n, int64_t now_ms,
                  bool exclude_history, collab_rec_t *out, uint32_t k)
{
    live_t *self = state;
    uint32_t nclicks = 0;
    for (uint32_t i = 0; i < n && nclicks < self->clicks_cap; i++)
        if (hist[i] < self->model->n_items)
            self->clicks[nclicks++] = (collab_click_t) { self->names[hist[i]], COLLAB_ID_MAX };
    if (self->seq) {            /* every test item is known here: no cold items */
        collab_seqrules_query (self->overlay, self->model, self->clicks, nclicks, self->seq);
        return collab_scorer_seqrules (self->scorer, hist, exclude_history ? n : 0, self->seq->row,
                                       self->seq->w, self->seq->nrow, self->seq->extra,
                                       self->seq->nextra, out, k);
    }
    collab_rec_t extra[COLLAB_LIVE_MAX];
    collab_named_t cold[COLLAB_LIVE_MAX];
    uint32_t nextra, ncold;
    collab_live_deltas (self->overlay, self->model, &self->params, self->clicks, nclicks,
                        extra, &nextra, cold, &ncold);
    /* every test item is known to the model here: no cold items */
    return collab_scorer_recommend_extra (self->scorer, &self->params, hist, n, now_ms,
                                          exclude_history, extra, nextra, out, k);
}

static void
s_live_observe (void *state, uint32_t session, uint32_t item, int64_t ts_ms)
{
    live_t *self = state;
    if (item >= self->model->n_items)
        return;
    hr_event_t ev = { .type = HR_EVENT_CLICK, .ts_ms = ts_ms };
    snprintf (ev.user_id, sizeof ev.user_id, "s%u", session);
    memcpy (ev.value, self->names[item], COLLAB_ID_MAX + 1);
    collab_overlay_apply (self->overlay, &ev, 1);
}

static void
s_live_destroy (void *state)
{
    live_t *self = state;
    collab_scorer_destroy (&self->scorer);
    collab_model_destroy (&self->model);
    collab_overlay_destroy (&self->overlay);
    free (self->names);
    free (self->clicks);
    free (self->seq);
    free (self);
}

static int
s_live_new (eval_strategy_t *st, const collab_model_t *model, const collab_score_params_t *params,
            bool seq)
{
    live_t *self = calloc (1, sizeof *self);
    if (!self)
        return -1;
    if (seq && !(self->seq = malloc (sizeof *self->seq))) {
        free (self);
        return -1;
    }
    self->params = *params;
    size_t len = 0;
    char err[128];
    void *blob = collab_model_save (model, &len);
    self->model = blob ? collab_model_load (blob, len, err, sizeof err) : NULL;
    free (blob);
    collab_ids_t *ids = collab_ids_new (model->n_items);
    self->names = malloc ((model->n_items + 1) * sizeof *self->names);
    self->clicks_cap = model->n_items + 1;
    self->clicks = malloc (self->clicks_cap * sizeof *self->clicks);
    collab_overlay_params_t op;
    collab_overlay_params_default (&op);
    op.fwd = model->params.fwd;
    op.bwd = model->params.bwd;
    op.dist_pow = model->params.dist_pow;
    op.window = model->params.window;
    self->overlay = collab_overlay_new (&op);
    if (!self->model || !ids || !self->names || !self->clicks || !self->overlay)
        goto fail;
    for (uint32_t i = 0; i < model->n_items; i++) {
        snprintf (self->names[i], sizeof self->names[i], "%010u", i);
        if (collab_ids_intern (ids, self->names[i], COLLAB_ID_MAX) != i)
            goto fail;
    }
    collab_ids_destroy (&self->model->ids);
    self->model->ids = ids;
    ids = NULL;
    self->scorer = collab_scorer_new (self->model);
    if (!self->scorer)
        goto fail;
    *st = (eval_strategy_t) { .name = seq ? "seqrules_live" : "collab_live", .state = self,
                              .recommend = s_live_recommend,
                              .observe = s_live_observe,
                              .destroy = s_live_destroy,
                              .note = seq ? "collab-svc's sequential rules + overlay fed by the replayed test clicks"
                                          : "collab + overlay fed by the replayed test clicks" };
    return 0;
fail:
    collab_ids_destroy (&ids);
    s_live_destroy (self);
    return -1;
}

int
eval_collab_live (eval_strategy_t *st, const collab_model_t *model,
                  const collab_score_params_t *params)
{
    return s_live_new (st, model, params, false);
}

int
eval_seqrules_live (eval_strategy_t *st, const collab_model_t *model)
{
    collab_score_params_t p;
    collab_score_params_default (&p);
    return s_live_new (st, model, &p, true);
}
