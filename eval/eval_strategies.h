/*  The strategies `hybridrec eval` compares, as eval_strategy_t.
    Each constructor fills *st and returns 0, or -1 on OOM.                 */
#ifndef EVAL_STRATEGIES_H
#define EVAL_STRATEGIES_H
#include "eval.h"
#include "collab-svc/model.h"
#include "collab-svc/score.h"
#include "hr_merge_model.h"
#include "merge_ltr.h"

/*  Most clicked items of the training log (static).                        */
int eval_popularity (eval_strategy_t *st, const collab_model_t *model);

/*  Time-decayed popularity from trending-svc/decay.h (forward decay, the
    same code trending-svc serves), seeded with the training log and
    updated online with every replayed event; rate = TRENDING_DECAY_RATE
    (weight kept per hour).                                                 */
int eval_trending (eval_strategy_t *st, const collab_log_t *train, double rate);
/*  The same with event-type weights (hr_event_weight): every train event
    counts train_weight, every replayed test event observe_weight.        */
int eval_trending_weighted (eval_strategy_t *st, const collab_log_t *train, double rate,
                            double train_weight, double observe_weight);

/*  collab-svc's own scorer (what the service serves).  `params` is copied. */
int eval_collab (eval_strategy_t *st, const collab_model_t *model,
                 const collab_score_params_t *params);

/*  collab's scorer plus the live overlay (live.h, overlay.h), fed online
    with every replayed click: what incremental updates between retrains
    add.  The model is copied.  */
int eval_collab_live (eval_strategy_t *st, const collab_model_t *model,
                      const collab_score_params_t *params);
/*  collab-svc's for_user second list as served (collab-svc/seqrules.h: the
    model's rule rows plus the overlay's live rules), "seqrules_live".     */
int eval_seqrules_live (eval_strategy_t *st, const collab_model_t *model);

/*  content-svc's for_user (its clicked list) over a content model built in
    process from catalog_csv (content-svc's product CSV format); product
    ids are mapped to dense indices through `ids` (borrowed; products it
    does not know are dropped).  0 / -1 with the reason in err.            */
int eval_content (eval_strategy_t *st, const char *catalog_csv, const collab_ids_t *ids,
                  char *err, size_t errlen);

/*  Association rules mined with FP-Growth (rules-svc/fpgrowth.h) on the
    training sessions as baskets; a history matches a rule when it holds the
    whole antecedent; consequents score max(lift x confidence).             */
typedef struct {
    double min_support, min_confidence;
    uint32_t max_len;
    /*  max_itemsets > 0: mined as `train rules` does (rules-svc/mine_adapt.h's
        mine_adapt: long baskets capped at basket_cap, then the minimum
        count raised until the itemsets fit); 0: plain FP-Growth.           */
    uint32_t min_count_floor, basket_cap;
    size_t max_itemsets;
} eval_rules_params_t;
int eval_rules (eval_strategy_t *st, const collab_log_t *train, uint32_t n_items,
                       const eval_rules_params_t *params, char *err, size_t errlen);

/*  Sequential rules (eval_seqrules.c; SR of Ludewig & Jannach 2018): in
    each training session (repeats collapsed) a click b at distance
    d <= window after a click a adds 1 / d to the rule a -> b; a row keeps
    its `keep` best consequents.  A history scores
        score(b) = sum_k (k + 1)^-hist_pow x count(h_k -> b) / total(h_k)
    over its newest `hist` distinct items h_k (k = 0 newest).  online: the
    replayed clicks add their rules too (at most live_max, 0 = 2^20).    */
typedef struct {
    uint32_t window, keep, hist;
    float hist_pow;
    bool online;
    uint32_t live_max;
} eval_seqrules_params_t;
void eval_seqrules_params_default (eval_seqrules_params_t *p);
int eval_seqrules (eval_strategy_t *st, const collab_log_t *train, uint32_t n_items,
                   const eval_seqrules_params_t *params);

/*  The hybrid: every source asked for `depth` items, merged with hr_merge
    (common/hr_merge.h, what the gateway serves) with the given weights.
    The sources are borrowed (they stay in the evaluation's list).          */
int eval_hybrid (eval_strategy_t *st, eval_strategy_t *const *sources,
                 const double *weights, uint32_t nsrc, uint32_t depth, const char *note);

/*  The learned hybrid: the sources merged by rank with a fitted merge model
    (hr_merge_model.h; names[s] is source s's name in it, signal_weights[s]
    its signal's weight).  Takes *model (set to NULL) on success.  0 / -1.  */
int eval_hybrid_learned (eval_strategy_t *st, eval_strategy_t *const *sources, const char *const *names,
                         const double *signal_weights, uint32_t nsrc, hr_merge_model_t **model,
                         uint32_t depth, const char *note);

/*  Item features for the learning-to-rank hybrid (merge_ltr_extra_fn):
    seeded with a log's clicks, updated with every observed click; at the
    time set by _set_now: log (1 + trending score) (trending-svc's decay at
    `rate`), log (1 + clicks so far), log (1 + hours since the item's last
    click; 10^4 when never), log (1 + short-term trend) (decay 0.5 per
    hour).                                                                  */
#define EVAL_ITEM_FEATURES 4
typedef struct eval_item_stats eval_item_stats_t;
eval_item_stats_t *eval_item_stats_new (const collab_log_t *log, double rate);
void eval_item_stats_destroy (eval_item_stats_t **self_p);
int eval_item_stats_observe (eval_item_stats_t *self, uint32_t item, int64_t ts_ms);
void eval_item_stats_set_now (eval_item_stats_t *self, int64_t now_ms);
void eval_item_stats_features (void *ctx, uint32_t item, float *out);

/*  The learning-to-rank hybrid: the sources' lists (`depth` each) ranked by
    fitted rankers (merge_ltr.h), ltr[0] under protocol (a) (history kept),
    ltr[1] under (b); a protocol without a ranker gets empty lists; a NULL
    source answers empty lists (a ranker's source the run lacks).  With
    stats (taken, may be NULL when the rankers use no item features) the
    candidates get its features, and it observes every replayed click.
    Takes the rankers and stats (set to NULL) on success.  0 / -1.          */
int eval_hybrid_ltr (eval_strategy_t *st, eval_strategy_t *const *sources, uint32_t nsrc,
                     merge_ltr_t **ltr, eval_item_stats_t **stats, uint32_t depth,
                     const char *note);

#endif
