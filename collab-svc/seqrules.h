/*  collab_seqrules — sequential rules, the second list of collab-svc's
    for_user (SR of Ludewig & Jannach 2018, "Evaluation of session-based
    recommendation algorithms"; docs/merge.md "Sequential rules").

    Training: inside each session (consecutive repeats collapsed) a click b
    at distance d <= COLLAB_SR_WINDOW after a click a adds 1/d to the rule
    a -> b (forwards only: what sessions do next).  Each antecedent keeps
    its COLLAB_SR_KEEP best consequents; total(a) is their sum.

    Scoring: for the newest COLLAB_SR_HIST distinct clicks h_k (k = 0
    newest),
        score(b) = sum_k (k+1)^-1 (rule(h_k -> b) + live(h_k -> b))
                                  / (total(h_k) + live_total(h_k))
    where live counts the same rules from the event stream since the model
    was trained (the overlay's forward pairs, overlay.h): order alone,
    undamped, unlike collab's neighbours (both directions, popularity
    damping, session age) and its order-free session-kNN.  Items of the
    history are never answered.                                            */
#ifndef COLLAB_SEQRULES_H
#define COLLAB_SEQRULES_H
#include <stdint.h>
#include "live.h"
#include "log.h"
#include "overlay.h"

#define COLLAB_SR_WINDOW 10
#define COLLAB_SR_KEEP 200
#define COLLAB_SR_HIST 5
/*  Live rule entries one answer can draw on.                               */
#define COLLAB_SR_LIVE_MAX (COLLAB_SR_HIST * COLLAB_OVERLAY_ROW)

/*  The rule rows of `log` (item indices < n_items): start (n_items + 1
    offsets), item and count (the consequents, best first; ties: lower
    index first), total (n_items: each row's kept count).  All malloc'd
    (never NULL on success, even when empty).  0 / -1 (out of memory:
    nothing allocated).                                                    */
int collab_seqrules_train (const collab_log_t *log, uint32_t n_items, uint32_t window,
                           uint32_t keep, uint32_t **start, uint32_t **item, float **count,
                           float **total);

/*  One history's rule rows, ready for collab_scorer_seqrules: the trained
    rows to add (row[i], with weight w[i]: (k+1)^-1 over the pooled total)
    and the live entries (known items in extra, cold ones in cold, best
    first).  Clicks newest first, duplicates allowed; m may be NULL.       */
typedef struct {
    uint32_t row[COLLAB_SR_HIST];
    float w[COLLAB_SR_HIST];
    uint32_t nrow;
    collab_rec_t extra[COLLAB_SR_LIVE_MAX];
    uint32_t nextra;
    collab_named_t cold[COLLAB_SR_LIVE_MAX];
    uint32_t ncold;
} collab_seqrules_query_t;

void collab_seqrules_query (collab_overlay_t *ov, const collab_model_t *m,
                            const collab_click_t *clicks, uint32_t nclicks,
                            collab_seqrules_query_t *q);

#endif
