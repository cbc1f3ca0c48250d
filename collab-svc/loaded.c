/*  loaded — a collab model and its scorers (see loaded.h).                */
#include "loaded.h"
#include <stdlib.h>

static void *
s_scorer_new (void *model)
{
    return collab_scorer_new (model);
}

static void
s_scorer_free (void *scorer)
{
    collab_scorer_t *s = scorer;
    collab_scorer_destroy (&s);
}

void
collab_loaded_free (void *data)
{
    collab_loaded_t *l = data;
    hr_pool_destroy (&l->scorers);
    collab_model_destroy (&l->model);
    free (l);
}

collab_loaded_t *
collab_loaded_new (collab_model_t *model)
{
    collab_loaded_t *l = calloc (1, sizeof *l);
    if (l && !(l->scorers = hr_pool_new (s_scorer_new, s_scorer_free, model))) {
        free (l);
        l = NULL;
    }
    if (l)
        l->model = model;
    return l;
}

collab_scorer_t *
collab_loaded_take (collab_loaded_t *l)
{
    return hr_pool_take (l->scorers);
}

void
collab_loaded_give (collab_loaded_t *l, collab_scorer_t *scorer)
{
    hr_pool_give (l->scorers, scorer);
}
