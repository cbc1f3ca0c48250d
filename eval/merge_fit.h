/*  merge_fit — fitting the learned merge (hr_merge_model.h) on a replay of
    the shop's own logged sessions (`hybridrec train merge`, merge_train.c).

    The replay holds, per prediction (a click of a held-out session with a
    next new item), every source's candidate list as the source answered,
    the target and the history (what the merge excludes).  From it:
      - calibration: per source and rank bucket, the share of candidates
        that were the target (smoothed towards all sources' pooled rate of
        the bucket, then made non-increasing in the rank);
      - sub-weights: within a signal shared by several sources, a
        coordinate search over a small grid on HR@k (MRR@k breaks ties);
    and the score of any merge (the rank merge or a model) on the replay,
    through hr_merge itself: what is measured is what the gateway serves.
    Sessions are split in two halves (even / odd session number) so a model
    fitted on one is checked on the other.                                 */
#ifndef MERGE_FIT_H
#define MERGE_FIT_H
#include <stdint.h>
#include "hr_merge_model.h"

/*  An item of a candidate list: its product id (10 bytes, not terminated)
    and the source's score.  */
typedef struct {
    char id[HR_PRODUCT_ID_LEN];
    float score;
} merge_fit_item_t;

typedef struct {
    const char *name;           /* e.g. "collab" (hr_merge_model source name) */
    const char *signal;         /* e.g. "clicked": sub-weights are fitted within a signal */
    double signal_weight;       /* HR_WEIGHT_CLICKED ... */
    double rank_weight;         /* the rank merge's share within the signal */
} merge_fit_source_t;

enum { MERGE_FIT_ALL = -1, MERGE_FIT_EVEN = 0, MERGE_FIT_ODD = 1 };

typedef struct {
    uint32_t n;                 /* predictions scored */
    double hr, mrr;
} merge_fit_score_t;

typedef struct merge_replay merge_replay_t;

/*  nsrc <= HR_MERGE_MAX_SOURCES sources (copied, names too).  NULL on bad
    arguments or out of memory.  */
merge_replay_t *merge_replay_new (const merge_fit_source_t *sources, int nsrc);
void merge_replay_destroy (merge_replay_t **self_p);

/*  One prediction of session `session`: lists[s] holds n[s] items of source
    s (as answered; may be empty), hist the session's clicks before it.
    0 / -1 (out of memory).                                                */
int merge_replay_add (merge_replay_t *self, uint32_t session, const char *target,
                      const char *const *hist, uint32_t nhist,
                      const merge_fit_item_t *const *lists, const uint32_t *n);
/*  Predictions in a part (MERGE_FIT_ALL / _EVEN / _ODD).                  */
uint32_t merge_replay_count (const merge_replay_t *self, int part);

/*  HR@k and MRR@k of the merge on the part's predictions: `model` NULL is
    the rank merge (signal weight x rank weight, value 1 / (rank + 1)).
    0 / -1.  */
int merge_replay_score (merge_replay_t *self, const hr_merge_model_t *model, int part,
                        uint32_t k, merge_fit_score_t *out);

/*  Fits calibration and sub-weights on the part's predictions.  NULL on
    out of memory or a part without predictions.                           */
hr_merge_model_t *merge_replay_fit (merge_replay_t *self, int part, uint32_t k);

#endif
