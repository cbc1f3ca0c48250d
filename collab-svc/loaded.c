/*  loaded — a collab model and its scorers (see loaded.h).                */
#include "loaded.h"
#include <stdlib.h>

void
collab_loaded_free (void *data)
{
    collab_loaded_t *l = data;
    while (l->free_slots) {
        collab_slot_t *s = l->free_slots;
        l->free_slots = s->next;
        collab_scorer_destroy (&s->scorer);
        free (s);
    }
    pthread_mutex_destroy (&l->lock);
    collab_model_destroy (&l->model);
    free (l);
}

collab_loaded_t *
collab_loaded_new (collab_model_t *model)
{
    collab_loaded_t *l = calloc (1, sizeof *l);
    if (!l)
        return NULL;
    l->model = model;
    pthread_mutex_init (&l->lock, NULL);
    return l;
}

/*  A scorer of the snapshot's model (from its pool, or a new one); NULL
    on out of memory.  */
collab_slot_t *
collab_loaded_take (collab_loaded_t *l)
{
    pthread_mutex_lock (&l->lock);
    collab_slot_t *slot = l->free_slots;
    if (slot)
        l->free_slots = slot->next;
    pthread_mutex_unlock (&l->lock);
    if (slot)
        return slot;
    slot = calloc (1, sizeof *slot);
    if (slot && !(slot->scorer = collab_scorer_new (l->model))) {
        free (slot);
        slot = NULL;
    }
    return slot;
}

void
collab_loaded_give (collab_loaded_t *l, collab_slot_t *slot)
{
    if (!slot)
        return;
    pthread_mutex_lock (&l->lock);
    slot->next = l->free_slots;
    l->free_slots = slot;
    pthread_mutex_unlock (&l->lock);
}

