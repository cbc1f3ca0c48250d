/*  interactions — room for one batch (batch.h).                          */
#include "batch.h"
#include <stdlib.h>

int
inter_batch_init (inter_batch_t *self, int n)
{
    size_t un = (size_t) (n > 0 ? n : 1);
    size_t at_reads = un * sizeof *self->events;
    size_t at_ints = at_reads + un * sizeof *self->reads;
    size_t at_users = at_ints + 4 * un * sizeof (int);
    char *mem = malloc (at_users + un * sizeof *self->users);
    if (!mem)
        return -1;
    self->mem = mem;
    self->events = (hr_event_t *) mem;
    self->reads = (inter_history_req_t *) (mem + at_reads);
    int *ints = (int *) (mem + at_ints);
    self->item = ints;
    self->status = ints + un;
    self->read_item = ints + 2 * un;
    self->read_rc = ints + 3 * un;
    self->users = (char (*)[HR_USER_ID_MAX + 1]) (mem + at_users);
    return 0;
}

void
inter_batch_free (inter_batch_t *self)
{
    free (self->mem);
    self->mem = NULL;
}
