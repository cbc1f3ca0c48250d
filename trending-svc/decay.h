/*  decay — forward-decay popularity (Cormode, Shkapenyuk, Srivastava & Xu,
    "Forward Decay", ICDE 2009).

    The trending score of an item at time `now` is
        score(item, now) = Σ_events  rate ^ ((now - ts_event) / 1 h)
    i.e. every click loses (1 - rate) of its weight per hour of age
    (TRENDING_DECAY_RATE, 0.95 by default).  Forward decay stores, per item,
        raw(item) = Σ_events  rate ^ (-(ts_event - t0) / 1 h)
    relative to a landmark t0, so an event is one multiply-add (no sweep
    over all items, no recompute to stay fresh) and
        score(item, now) = raw(item) · rate ^ ((now - t0) / 1 h).
    Because the factor is common to all items, rankings by raw() never
    change as time passes.  Weights grow as events move past t0, so t0 is
    moved forward (renormalise: every raw × rate^((t0' - t0)/1 h)) before
    they could overflow; rankings and scores are unchanged by it.

    Items are dense uint32 ids (0 … n-1: catalog indices); the table grows
    to the largest id added (at most TRENDING_DECAY_MAX_ITEMS).  Not thread-safe:
    one writer, or lock around it.                                         */
#ifndef DECAY_H
#define DECAY_H
#include <stddef.h>
#include <stdint.h>

#define TRENDING_DECAY_HOUR_MS 3600000.0
#define TRENDING_DECAY_MAX_ITEMS (1u << 24)

typedef struct trending_decay trending_decay_t;

/*  rate in (0, 1] (1 = no decay); NULL for a rate out of range.           */
trending_decay_t *trending_decay_new (double rate, int64_t t0_ms);
void trending_decay_destroy (trending_decay_t **self_p);

/*  One event of weight 1 at ts_ms.  -1 when item >= TRENDING_DECAY_MAX_ITEMS or out
    of memory.  Renormalises by itself when ts is far past t0.             */
int trending_decay_add (trending_decay_t *self, uint32_t item, int64_t ts_ms);
/*  An event of weight w (w events at once; priors, snapshots).            */
int trending_decay_add_weight (trending_decay_t *self, uint32_t item, int64_t ts_ms, double w);

/*  Σ rate^((now - ts)/1 h) over the item's events (0 for unknown items).   */
double trending_decay_score (const trending_decay_t *self, uint32_t item, int64_t now_ms);
/*  rate^((now - t0)/1 h): score = raw × this factor.                       */
double trending_decay_factor (const trending_decay_t *self, int64_t now_ms);
/*  The forward sum relative to t0 (ranks identically to score).           */
double trending_decay_raw (const trending_decay_t *self, uint32_t item);
/*  Replaces an item's forward sum (loading a snapshot taken at this t0).   */
int trending_decay_set_raw (trending_decay_t *self, uint32_t item, double raw);

/*  Moves the landmark to t0_ms, rescaling every sum: scores unchanged.    */
void trending_decay_renormalise (trending_decay_t *self, int64_t t0_ms);
int64_t trending_decay_t0 (const trending_decay_t *self);
double trending_decay_rate (const trending_decay_t *self);
/*  1 + the largest item id stored (the table size).                       */
uint32_t trending_decay_size (const trending_decay_t *self);

/*  The k items with the highest score > 0, descending (ties: lower id
    first); items[] and scores[] (may be NULL) hold k entries.  Returns how
    many were written.  O(n log k).                                        */
size_t trending_decay_top (const trending_decay_t *self, int64_t now_ms, size_t k,
                  uint32_t *items, double *scores);
#endif
