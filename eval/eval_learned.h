/*  eval_learned — the learned merge of /home as an evaluated strategy
    ("hybrid_learned"), fitted on validation data only.

    The newest `holdout` of the train sessions (by their last click) are
    held out; collab with its live overlay, rules and trending are trained
    on the older train sessions; the held-out sessions are replayed under
    protocol (b) (merge_fit.h, as `hybridrec train merge` replays the
    shop's logs) and the calibration and sub-weights fitted on all of them.
    The test then merges the sources trained on the whole train with that
    model (eval_hybrid_learned), as the gateway does with a published one.
    The test is never seen by the fit.  No content source: these logs have
    no item text.  Sources, in this order: collab (clicked), rules
    (clicked), trending (standing in for the diverse picks).               */
#ifndef EVAL_LEARNED_H
#define EVAL_LEARNED_H
#include <stddef.h>
#include "eval_strategies.h"
#include "hr_merge_model.h"
#include "collab-svc/ids.h"
#include "collab-svc/params.h"

#define EVAL_LEARNED_SOURCES 3
extern const char *const eval_learned_names[EVAL_LEARNED_SOURCES];
extern const double eval_learned_signal_weights[EVAL_LEARNED_SOURCES];

/*  The fitted model, or NULL (too little data, out of memory); a line on
    the fit (validation figures, sub-weights) in summary.                  */
hr_merge_model_t *eval_learned_fit (const collab_log_t *train, const collab_ids_t *ids,
                                    const collab_train_params_t *tp, const collab_score_params_t *sp,
                                    const eval_rules_params_t *rp, double trending_rate,
                                    double holdout, uint32_t depth, char *summary, size_t cap);

#endif
