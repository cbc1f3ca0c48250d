/*  collab_model — what collab-svc learns from click sessions, and the one
    data structure the scorer reads.  Immutable once built: replicas share
    one model across worker threads and swap whole models on a new version.

    Two views of the same sessions:

    1. Item-to-item neighbours ("sequence-aware co-occurrence").  Inside a
       session (consecutive repeats collapsed) every ordered pair of
       positions p < q at distance d = q - p <= window adds
         fwd / d^dist_pow   to  a=s[p] -> b=s[q]   (what comes after a)
         bwd / d^dist_pow   to  b=s[q] -> a=s[p]   (what came before b)
       The row of a is damped by popularity (count(b)^pop_damp, IDF-like:
       a hub item co-occurs with everything), weighted by the session's age
       (half-life `halflife_days`: tastes and stock move), and normalised to sum 1, so it
       reads as "where do sessions go from a", and only the best
       `neighbours` entries are kept.

    2. Session neighbourhood (session-kNN).  The most recent `max_sessions`
       training sessions (collapsed), and per item the `sample` most recent
       sessions containing it: the candidates a live session is compared
       with at request time.

    3. Sequential rules (seqrules.h): per item its best forward rules
       a -> b (1/d per occurrence at distance d <= 10, consequents best
       first) and their total, the second list of for_user.

    Layout: compressed rows (CSR).  Sessions are numbered most recent first. */
#ifndef COLLAB_MODEL_H
#define COLLAB_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include "ids.h"
#include "log.h"

typedef struct {
    uint32_t window;            /* max distance between co-counted positions */
    float fwd, bwd;             /* weight of a -> later b, of b -> earlier a */
    float dist_pow;             /* weight / distance^dist_pow */
    float pop_damp;             /* divide by count(b)^pop_damp */
    float halflife_days;        /* a session's pairs weigh 2^-(age/halflife); 0 = off */
    uint32_t neighbours;        /* kept per item */
    uint32_t max_sessions;      /* sessions kept for session-kNN */
    uint32_t sample;            /* recent sessions per item for session-kNN */
    uint32_t threads;           /* training threads */
} collab_train_params_t;

void collab_train_params_default (collab_train_params_t *p);

typedef struct {
    collab_train_params_t params;
    collab_ids_t *ids;          /* owned */
    uint32_t n_items;
    float *pop;                 /* clicks per item in the training log */
    /* item -> neighbours, best first */
    uint32_t *nb_start;         /* n_items + 1 */
    uint32_t *nb_item;
    float *nb_score;
    /* session-kNN */
    uint32_t n_sessions;
    uint32_t *ss_start;         /* n_sessions + 1 */
    uint32_t *ss_item;
    int64_t *ss_time;           /* last event of the session (ms) */
    uint32_t *inv_start;        /* n_items + 1 */
    uint32_t *inv_sess;         /* most recent first */
    /* sequential rules (seqrules.h): item -> consequents, best first */
    uint32_t *sr_start;         /* n_items + 1 */
    uint32_t *sr_item;
    float *sr_count;
    float *sr_total;            /* n_items: a row's kept count */
    uint64_t n_train_events;
    int64_t trained_until_ms;   /* newest event seen */
} collab_model_t;

/*  Trains on `log` whose item indices come from `ids` (the model takes
    ownership of `ids` on success; on failure the caller keeps it).  NULL on
    OOM.                                                                   */
collab_model_t *collab_model_train (const collab_log_t *log, collab_ids_t *ids,
                                    const collab_train_params_t *params);
void collab_model_destroy (collab_model_t **self_p);

/*  Serialisation for hr_model_store: a self-describing little-endian blob
    ("HRCOLLB2", sizes, arrays; an "HRCOLLB1" blob, from before the
    sequential rules, loads with empty rule rows).  collab_model_save returns a malloc'd blob.
    collab_model_load checks every size and index against the blob's length
    and the model's own counts: a corrupt blob is an error, never a crash.  */
void *collab_model_save (const collab_model_t *self, size_t *len);
collab_model_t *collab_model_load (const void *blob, size_t len, char *err, size_t errlen);

/*  Approximate heap bytes held by the model.                               */
size_t collab_model_bytes (const collab_model_t *self);

#endif
