/*  stream — collab-svc's live overlay fed from the event stream: a thread
    follows hr_events from "now" (older events are in the model or lost:
    the next retrain reads them from PostgreSQL; Redis down = retry) and
    applies every click to the overlay (overlay.h).                        */
#ifndef COLLAB_STREAM_H
#define COLLAB_STREAM_H
#include <stdint.h>
#include "hr_events.h"
#include "overlay.h"

typedef struct collab_stream collab_stream_t;

/*  Borrows the overlay (it must outlive the stream); redis_url NULL = no
    thread (tests feed events with collab_stream_apply).  NULL on OOM.     */
collab_stream_t *collab_stream_new (collab_overlay_t *overlay, const char *redis_url);
/*  Stops the thread (within one read's block time).                       */
void collab_stream_destroy (collab_stream_t **self_p);
/*  What the thread does with a batch; returns the clicks applied.         */
uint32_t collab_stream_apply (collab_stream_t *self, const hr_event_t *ev, uint32_t n);

#endif
