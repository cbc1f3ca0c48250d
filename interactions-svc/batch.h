/*  interactions — room for one `batch` message's records and history
    reads (serve.c's handle_batch), in one allocation sized by the batch.  */
#ifndef INTER_BATCH_H
#define INTER_BATCH_H
#include "history.h"
#include "hr_proto.h"
#include "hr_validate.h"

typedef struct {
    hr_event_t *events;
    int *item;                          /* the batch item of each event */
    int *status;
    inter_history_req_t *reads;
    char (*users)[HR_USER_ID_MAX + 1];
    int *read_item;                     /* the batch item of each read */
    int *read_rc;
    void *mem;                          /* the one allocation */
} inter_batch_t;

/*  Room for n items, sized by n, not HR_BATCH_MAX: at the maximum it is
    past glibc's trim threshold, and a chunk that size freed at the top of
    a thread's heap is given back to the kernel and faulted in again by the
    next batch.  0, or -1 when out of memory.                              */
int inter_batch_init (inter_batch_t *self, int n);
void inter_batch_free (inter_batch_t *self);

#endif
