/*  loaded — what collab-svc swaps in (hr_swap): a model and the scorers
    built for it (per-request scratch, pooled and reused), freed with it.  */
#ifndef COLLAB_LOADED_H
#define COLLAB_LOADED_H
#include "hr_pool.h"
#include "model.h"
#include "score.h"

typedef struct {
    collab_model_t *model;
    hr_pool_t *scorers;         /* collab_scorer_t of model */
} collab_loaded_t;

/*  Takes the model.  NULL on out of memory (the model is not freed).      */
collab_loaded_t *collab_loaded_new (collab_model_t *model);
/*  An hr_swap_free_fn: the model and every pooled scorer.                 */
void collab_loaded_free (void *loaded);
/*  A scorer of the model (pooled, or a new one); NULL on out of memory.   */
collab_scorer_t *collab_loaded_take (collab_loaded_t *l);
/*  Back to the pool (NULL: nothing).  */
void collab_loaded_give (collab_loaded_t *l, collab_scorer_t *scorer);

#endif
