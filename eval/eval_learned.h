/*  eval_learned — the learned merge of /home as an evaluated strategy
    ("hybrid_learned"), fitted on validation data only.

    The newest `holdout` of the train sessions (by their last click) are
    held out; collab with its live overlay, rules and trending are trained
    on the older train sessions; the held-out sessions, cut into visits
    (eval_learned_params_t: idle gaps over 30 min; `hybridrec train merge`
    replays whole sessions), are replayed under protocol (b) (merge_fit.h)
    and the calibration and sub-weights fitted on all of them; with more
    than one fold, older tails are replayed too.
    The test then merges the sources trained on the whole train with that
    model (eval_hybrid_learned), as the gateway does with a published one.
    The test is never seen by the fit.  Sources, in this order: collab (clicked), rules
    (clicked), trending (standing in for the diverse picks), content's
    clicked list (when the run has a catalog: `content`, borrowed, may be
    NULL; built from the catalog alone, so nothing of the log leaks),
    sequential rules (`seqrules`, trained on the older sessions with qp;
    qp NULL: no such source).                                              */
#ifndef EVAL_LEARNED_H
#define EVAL_LEARNED_H
#include <stddef.h>
#include "eval_strategies.h"
#include "hr_merge_model.h"
#include "merge_ltr.h"
#include "collab-svc/ids.h"
#include "collab-svc/params.h"

#define EVAL_LEARNED_SOURCES 5

/*  How the fit replays the train's tail.  */
typedef struct {
    double holdout;             /* share of the sessions held out (0.1) */
    uint32_t folds;             /* tails replayed (1): fold f holds out the newest `holdout` of
                                   the sessions fold f - 1 trained its sources on */
    int64_t visit_gap_ms;       /* held-out sessions cut into visits at idle gaps over this
                                   (30 min; 0: not cut) */
    uint32_t depth;             /* candidates asked of each source (100) */
    bool guard;                 /* the ranker may let its best source lead (s_guard) */
    bool time_cut;              /* hold out the newest `holdout` of the clicks (each session's
                                   older part stays in the sources' train; visits replayed in
                                   time order) instead of the newest sessions */
} eval_learned_params_t;

void eval_learned_params_default (eval_learned_params_t *p);
extern const char *const eval_learned_names[EVAL_LEARNED_SOURCES];
extern const double eval_learned_signal_weights[EVAL_LEARNED_SOURCES];

/*  The fitted model, or NULL (too little data, out of memory); a line on
    the fit (validation figures, sub-weights) in summary.  With ltr (two
    entries) the same replay also fits the learning-to-rank stage
    (merge_ltr.h): ltr[0] for protocol (a), ltr[1] for (b), each checked
    first (fitted on the even held-out sessions, scored on the odd ones:
    ltr_summary), then fitted on all.  ltr[i] may come back NULL.  With
    item_features the candidates also carry eval_item_stats' features
    (seeded with the sessions before the held-out ones).                   */
hr_merge_model_t *eval_learned_fit (const collab_log_t *train, const collab_ids_t *ids,
                                    const collab_train_params_t *tp, const collab_score_params_t *sp,
                                    const eval_rules_params_t *rp, eval_strategy_t *content,
                                    const eval_seqrules_params_t *qp, double trending_rate,
                                    const eval_learned_params_t *fp, char *summary, size_t cap,
                                    merge_ltr_t **ltr, const merge_ltr_params_t *lp,
                                    bool item_features, char *ltr_summary, size_t ltr_cap);

#endif
