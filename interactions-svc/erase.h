/*  interactions — erasure of one user (DELETE /api/v1/users/{user_id}):
    everything this service holds about the user, in this order:
      1. PostgreSQL: every row of `interactions` (the source of truth);
      2. Redis: the cached history list, replaced by an empty complete one
         (cache.h: a refill racing with the erasure aborts);
      3. the event stream: the user's entries XDELed, then the erase marker
         that tells every live consumer (collab's overlay) to forget the
         user (hr_events_erase_user).
    A failed step fails the call (UNAVAILABLE); the client retries, and
    erasing again is harmless.  Erasures are rare: one connection pair and
    one erasure at a time.                                                  */
#ifndef INTER_ERASE_H
#define INTER_ERASE_H
#include "hr_proto.h"

typedef struct inter_eraser inter_eraser_t;

inter_eraser_t *inter_eraser_new (const char *database_url, const char *redis_url,
                                  int statement_timeout_ms, int redis_timeout_ms);
void inter_eraser_destroy (inter_eraser_t **self_p);

/*  user_id: validated, NUL-terminated.  0, or -1 when a store failed.      */
int inter_eraser_run (inter_eraser_t *self, const char *user_id, hr_proto_erase_reply_t *out);

#endif
