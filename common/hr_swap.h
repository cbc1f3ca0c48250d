/*  hr_swap — hot-swapping an immutable snapshot (a model, a catalog, an
    index) under readers that run concurrently.

    The whole of it:

      hr_swap_t *swap = hr_swap_new (my_model_free);
      ...reader (any thread)...
      hr_snapshot_t *s = hr_swap_acquire (swap);       // NULL: none yet
      const my_model_t *m = hr_snapshot_data (s);
      ...answer from m, no lock held...
      hr_snapshot_release (&s);
      ...the polling thread (a service's tick)...
      hr_swap_poll (swap, &source);                    // loads a new version

    A snapshot is freed (with the free function given to hr_swap_new) when
    it has been replaced and its last reader released it — never under a
    running request.  Readers take a short mutex only to count themselves.

    A source says which version is published and builds the snapshot of a
    version; hr_swap_poll installs it when that version differs from the
    installed one.  hr_model_source (hr_model_store.h) is the source over a
    trained model in PostgreSQL/Redis; a catalog source is in hr_catalog.h.
    hr_swap_start polls on a thread of its own (the gateway has no tick).  */
#ifndef HR_SWAP_H
#define HR_SWAP_H
#include <stdint.h>

typedef struct hr_swap hr_swap_t;
typedef struct hr_snapshot hr_snapshot_t;
typedef void (*hr_swap_free_fn) (void *data);

/*  free_fn frees a snapshot's data (NULL: not freed).                     */
hr_swap_t *hr_swap_new (hr_swap_free_fn free_fn);
/*  Stops the polling thread; the current snapshot goes when its last
    reader releases it.                                                    */
void hr_swap_destroy (hr_swap_t **self_p);

/*  Installs `data` (taken; NULL = nothing to serve) as `version`.  0, or
    -1 on out of memory (data freed, the old snapshot stays).               */
int hr_swap_install (hr_swap_t *self, void *data, int64_t version);
/*  The installed version (0 before anything was installed).               */
int64_t hr_swap_version (hr_swap_t *self);

/*  A counted reference to the current snapshot; NULL when none (or the
    installed data is NULL).  Release every non-NULL one.                  */
hr_snapshot_t *hr_swap_acquire (hr_swap_t *self);
void *hr_snapshot_data (const hr_snapshot_t *snapshot);
int64_t hr_snapshot_version (const hr_snapshot_t *snapshot);
/*  Another reference to a snapshot already held (e.g. kept by the data
    built over it).  */
hr_snapshot_t *hr_snapshot_ref (hr_snapshot_t *snapshot);
void hr_snapshot_release (hr_snapshot_t **snapshot_p);

/*  Where new versions come from.  Both run on the polling thread only.    */
typedef struct {
    /*  The version to serve: >= 0, or -1 when it cannot be told now.      */
    int64_t (*current) (void *arg);
    /*  The snapshot data of `version`; NULL = failed (logged by load; the
        installed snapshot stays, the next poll tries again).              */
    void *(*load) (void *arg, int64_t version);
    void *arg;
} hr_swap_source_t;

/*  Installs the source's version when it differs from the installed one,
    or whatever it is after hr_swap_invalidate.  1 swapped, 0 nothing new,
    -1 error (the source could not tell or load).                          */
int hr_swap_poll (hr_swap_t *self, const hr_swap_source_t *source);
/*  The next poll reloads even an unchanged version (e.g. content-svc's
    index when the catalog under its model changed).                       */
void hr_swap_invalidate (hr_swap_t *self);
/*  Polls every every_ms on a thread of its own until hr_swap_destroy.
    `source` must outlive it.  0 / -1.                                    */
int hr_swap_start (hr_swap_t *self, const hr_swap_source_t *source, int every_ms);
/*  Wakes the hr_swap_start thread to poll now instead of at its next tick
    (a write through an API that changed the source).  A poke while a poll
    runs is kept: one more poll follows.  No-op without a thread.          */
void hr_swap_poke (hr_swap_t *self);

#endif
