/*  collab_overlay — what the event stream taught since the model was
    trained: co-count deltas added on top of the trained neighbour rows
    until the next retrain covers those events.

    Per user, the last `window` distinct-consecutive clicks of the current
    live session (a gap of `session_gap_ms` starts a new one).  When the
    user clicks j after i at distance d (1 = the previous click), the same
    pairs training counts are added, with training's weights:
        i -> j  += fwd / d^dist_pow        j -> i  += bwd / d^dist_pow
    Rows are keyed by product id, so items the trained model never saw
    (cold items) get neighbours too.

    Bounded memory: at most max_users users and max_items rows (each row
    keeps its COLLAB_OVERLAY_ROW heaviest-so-far entries; a full row
    replaces its lightest entry).  Users and rows are evicted least
    recently updated first.  Thread-safe: one writer (the event thread)
    and any number of readers (request handlers) under a rwlock; readers
    get copies, never pointers into the overlay.                          */
#ifndef COLLAB_OVERLAY_H
#define COLLAB_OVERLAY_H
#include <stddef.h>
#include <stdint.h>
#include "hr_events.h"
#include "ids.h"

#define COLLAB_OVERLAY_ROW 32
#define COLLAB_OVERLAY_WINDOW_MAX 16

typedef struct {
    uint32_t max_users, max_items;
    uint32_t window;            /* clicks remembered per user, <= WINDOW_MAX */
    int64_t session_gap_ms;
    float fwd, bwd, dist_pow;
} collab_overlay_params_t;

void collab_overlay_params_default (collab_overlay_params_t *p);

typedef struct {
    char id[COLLAB_ID_MAX + 1];
    float weight;               /* raw co-count weight */
    float seq;                  /* sequential-rule count: sum of 1/d over forward pairs (seqrules.h) */
} collab_overlay_nb_t;

typedef struct {
    uint64_t events;            /* clicks applied since creation */
    uint32_t users, items;      /* tracked now */
    uint32_t entries;           /* row entries now */
} collab_overlay_stats_t;

typedef struct collab_overlay collab_overlay_t;

collab_overlay_t *collab_overlay_new (const collab_overlay_params_t *p);
void collab_overlay_destroy (collab_overlay_t **self_p);

/*  Applies a batch of events in order (searches and events whose value is
    not a product id are skipped; an HR_EVENT_ERASE wipes the user's
    window).  Returns how many clicks were applied.                        */
uint32_t collab_overlay_apply (collab_overlay_t *self, const hr_event_t *ev, uint32_t n);

/*  Forgets every row (a new model covers those events); keeps the users'
    windows so the next click still pairs with the ones before it.  The
    pair weights may change with the new model's training parameters.      */
void collab_overlay_clear_rows (collab_overlay_t *self, float fwd, float bwd, float dist_pow);

/*  Copies the row of `id` (at most cap entries, heaviest first) and its
    total weight into *mass; returns the entry count (0 = no row).          */
uint32_t collab_overlay_row (collab_overlay_t *self, const char *id, size_t len,
                             collab_overlay_nb_t *out, uint32_t cap, float *mass);
/*  The same, and the row's sequential-rule total (the sum of its entries'
    `seq`, evicted entries included) into *seq_mass.                       */
uint32_t collab_overlay_row_seq (collab_overlay_t *self, const char *id, size_t len,
                                 collab_overlay_nb_t *out, uint32_t cap, float *mass,
                                 float *seq_mass);

void collab_overlay_stats (collab_overlay_t *self, collab_overlay_stats_t *out);

#endif
