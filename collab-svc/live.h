/*  collab_live — the overlay's deltas (overlay.h) turned into scores for a
    live history: shared by the service's for_user and the evaluation's
    "collab+live" strategy, so what is measured is what is served.

    For the newest min(hist_max, COLLAB_LIVE_HIST) distinct clicks h_k,
    every overlay neighbour j of h_k not in the history gets
        (1 - sknn_weight) * w_k * delta(h_k, j) / (mass(h_k) + pop(h_k))
    with w_k the scorer's history weights ((k+1)^-hist_pow, normalised),
    mass = the row's live total and pop = h_k's training clicks (0 for a
    cold item): a few live clicks nudge a well-known item's trained row
    and make up the whole row of a cold one.                               */
#ifndef COLLAB_LIVE_H
#define COLLAB_LIVE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"
#include "overlay.h"
#include "score.h"

#define COLLAB_LIVE_HIST 10
#define COLLAB_LIVE_MAX (COLLAB_LIVE_HIST * COLLAB_OVERLAY_ROW)

typedef struct {
    const char *p;              /* not NUL-terminated */
    size_t len;
} collab_click_t;

/*  An item by id (cold items have no index).                               */
typedef struct {
    char id[COLLAB_ID_MAX + 1];
    float score;
} collab_named_t;

/*  The history as a set: "was j clicked" without scanning it.  Clicks are
    inserted in order by collab_click_set_next (true when no earlier click
    equals the next one: the distinct clicks, newest first);
    collab_click_set_has inserts the rest and looks an id up.  `stack`:
    COLLAB_CLICK_SLOTS_STACK slots of the caller's (enough for
    COLLAB_HISTORY_MAX clicks at <= 50 % load; a longer history allocates,
    or scans when it cannot).                                              */
#define COLLAB_CLICK_SLOTS_STACK 2048
typedef struct {
    const collab_click_t *clicks;
    uint32_t n, inserted;       /* clicks[0..inserted) are in the table */
    uint32_t mask;
    uint32_t *slot;             /* click index + 1; 0 = empty; NULL = scan */
    uint32_t *heap;             /* slot when the stack buffer is too small */
} collab_click_set_t;

void collab_click_set_init (collab_click_set_t *self, const collab_click_t *clicks, uint32_t n,
                            uint32_t *stack);
void collab_click_set_fini (collab_click_set_t *self);
bool collab_click_set_next (collab_click_set_t *self);
bool collab_click_set_has (collab_click_set_t *self, const char *id, size_t len);

/*  clicks: newest first (duplicates allowed).  m may be NULL (no model:
    everything is cold).  Fills extra (model items, may repeat: scores add
    up in collab_scorer_recommend_extra) and cold (unknown items, each once,
    best first); both hold up to COLLAB_LIVE_MAX.                          */
void collab_live_deltas (collab_overlay_t *ov, const collab_model_t *m,
                         const collab_score_params_t *p,
                         const collab_click_t *clicks, uint32_t nclicks,
                         collab_rec_t *extra, uint32_t *nextra,
                         collab_named_t *cold, uint32_t *ncold);

/*  The overlay row of `id` and the factor normalising it (see above).     */
uint32_t collab_live_row (collab_overlay_t *ov, const collab_model_t *m, const char *id,
                          size_t len, collab_overlay_nb_t *nb, float *norm);

/*  A list of named items with a hash index on the id, so adding is O(1)
    and string compares never happen on the request path: ids are stored
    zero-padded to COLLAB_ID_MAX bytes, hashed with hr_product_id_hash and
    compared as fixed-size blocks.  Lives on the caller's stack (no
    allocation); cap <= COLLAB_NAMED_CAP.                                  */
#define COLLAB_NAMED_CAP 512
typedef struct {
    collab_named_t *list;
    uint32_t n, cap;
    uint16_t slot[2 * COLLAB_NAMED_CAP];    /* index + 1; 0 = empty */
} collab_named_set_t;

void collab_named_set_init (collab_named_set_t *self, collab_named_t *list, uint32_t cap);
/*  Adds v to `id` (NUL-terminated, at most COLLAB_ID_MAX bytes used): kept
    once, silently dropped when the list is full.                          */
void collab_named_set_add (collab_named_set_t *self, const char *id, float v);
/*  Sorts best first (ties by id; ids as written by collab_named_set_add). */
void collab_named_sort (collab_named_t *list, uint32_t n);

#endif
