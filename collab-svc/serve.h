/*  collab-svc serving: the service definition (for hr_service_main) and
    its state — the current model, hot-swapped from hr_model_store by the
    tick, a pool of scorers (one per concurrent request), and the live
    overlay fed from the event stream by its own thread.                    */
#ifndef COLLAB_SERVE_H
#define COLLAB_SERVE_H
#include <stdint.h>
#include "hr_service.h"
#include "hr_events.h"
#include "model.h"
#include "overlay.h"
#include "score.h"

extern const hr_service_def_t collab_service_def;
extern const hr_config_var_t collab_config[];      /* config.tsv */

typedef struct collab_serve collab_serve_t;

/*  database_url/redis_url may be NULL (no store: tests install models with
    collab_serve_install).  With a redis_url, a thread follows the event
    stream (hr_events, from "$") into the live overlay (overlay.h): clicks
    between retrains change `similar` and `for_user` at once, and give
    cold items neighbours.  NULL on OOM.                                    */
collab_serve_t *collab_serve_new (const char *database_url, const char *redis_url,
                                  const collab_score_params_t *params);
collab_serve_t *collab_serve_new_ex (const char *database_url, const char *redis_url,
                                     const collab_score_params_t *params,
                                     const collab_overlay_params_t *overlay);
void collab_serve_destroy (collab_serve_t **self_p);

/*  Installs a model as `version` (takes ownership; the old one is freed
    when its last request ends) and clears the overlay's rows (the new
    model's training covers those events).  0 / -1.                        */
int collab_serve_install (collab_serve_t *self, collab_model_t *model, int64_t version);
int64_t collab_serve_version (collab_serve_t *self);

/*  What the tick does: loads a newer published version if there is one.
    1 = swapped, 0 = nothing new, -1 = error (logged; old model kept).     */
int collab_serve_poll (collab_serve_t *self);

/*  What the events thread does with a batch (also for tests and benches
    without Redis): returns the clicks applied.                             */
uint32_t collab_serve_apply_events (collab_serve_t *self, const hr_event_t *ev, uint32_t n);
void collab_serve_overlay_stats (collab_serve_t *self, collab_overlay_stats_t *out);

/*  The handle/tick of the definition, for hr_service_new in tests.         */
int collab_serve_handle (void *state, const char *method, size_t method_len,
                         hr_reader_t *args, hr_writer_t *reply, hr_call_t *call);
void collab_serve_tick (void *state);

#endif
