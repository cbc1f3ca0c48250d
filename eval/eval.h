/*  eval — the offline evaluation harness behind `hybridrec eval`.

    Replays a test log in time order.  For every event after the first of
    its session, each strategy predicts the next item from the session's
    history before it (newest first), under two protocols:
      (a) all next clicks: the target counts even when it is a re-click;
      (b) new items only: targets already in the history are skipped and
          the strategy ranks only items not in the history (what /home can
          show, since it hides what the user just clicked).
    After the predictions for an event, every strategy `observe`s it (for
    online strategies such as trending).                                   */
#ifndef EVAL_H
#define EVAL_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "eval_metrics.h"
#include "collab-svc/log.h"

typedef struct {
    const char *name;
    void *state;
    uint32_t (*recommend) (void *state, const uint32_t *hist, uint32_t n, int64_t now_ms,
                           bool exclude_history, collab_rec_t *out, uint32_t k);
    /* the replayed click (session = the test log's session index) */
    void (*observe) (void *state, uint32_t session, uint32_t item, int64_t ts_ms);   /* may be NULL */
    void (*destroy) (void *state);                                   /* may be NULL */
    const char *note;                                                /* shown in the table */
    bool hidden;        /* only feeds the hybrid: observed, not scored or shown */
} eval_strategy_t;

void eval_strategy_free (eval_strategy_t *st);

typedef struct {
    eval_metrics_t all_clicks;    /* protocol (a) */
    eval_metrics_t new_items;     /* protocol (b) */
} eval_result_t;

/*  results: one per strategy (initialised here; free with
    eval_results_free).  progress: stderr progress lines when true.
    0 / -1 (OOM).                                                           */
int eval_run (const collab_log_t *test, uint32_t n_items,
                     eval_strategy_t *strategies, uint32_t ns,
                     const uint32_t *ks, uint32_t nk,
                     eval_result_t *results, bool progress);
void eval_results_free (eval_result_t *results, uint32_t ns);

/*  The markdown table: one row per strategy and protocol.                  */
void eval_print (FILE *out, eval_strategy_t *strategies, uint32_t ns,
                        eval_result_t *results);

#endif
