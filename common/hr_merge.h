/*  hr_merge — the hybrid merge, shared by the gateway (serving) and
    `hybridrec eval` (offline), so what is evaluated is what is served.

    Each source is a scored list with a weight.  Scores are normalised per
    source (divided by the source's maximum, so every source spans (0,1]),
    multiplied by the weight and summed per product id.  Items in `exclude`
    (what the user just clicked) are dropped; the result is sorted by score
    descending (ties: lower id first, so output is deterministic) and cut to
    `limit`.  The item keeps the strategy/source of its largest contribution;
    `parts[i]` is the weighted contribution of source i (for explain=true). */
#ifndef HR_MERGE_H
#define HR_MERGE_H
#include <stdint.h>
#include "hr_wire.h"

#define HR_MERGE_MAX_SOURCES 8

typedef struct {
    const hr_scored_t *items;
    uint32_t n;
    double weight;
    const char *signal;          /* "clicked", "search", "diverse" ... (for explanations) */
    /*  HR_MERGE_BY_RANK with a calibration (hr_merge_model.h): item of rank
        r (1-based, ties at their worst rank) is worth weight x
        rank_value[min (r, nrank_value) - 1]; NULL: weight / (r + 1).      */
    const float *rank_value;
    uint32_t nrank_value;
} hr_merge_source_t;

typedef struct {
    hr_scored_t item;            /* score = merged score */
    float parts[HR_MERGE_MAX_SOURCES];
    int best_source;             /* index of the largest contribution */
} hr_merged_t;

/*  How a source's scores become comparable values:
      HR_MERGE_BY_MAX   score / the source's maximum (the original merge;
                        a flat list turns every item into 1.0);
      HR_MERGE_BY_RANK  weight / (rank + HR_MERGE_RANK_OFFSET), ties taking
                        the worst rank of their group (tie-proof: a flat list
                        counts as its own bottom).  Excluded and unusable
                        items are not ranked.                               */
typedef enum { HR_MERGE_BY_MAX, HR_MERGE_BY_RANK } hr_merge_mode_t;
#define HR_MERGE_RANK_OFFSET 1.0

/*  rank[i]: the rank of item i of `s` as the rank merge counts it (1-based
    among the usable, not excluded items; a tie takes the worst rank of its
    group), 0 for an unusable or excluded item.  order: scratch of s->n.
    Returns how many items are ranked.                                     */
uint32_t hr_merge_ranks (const hr_merge_source_t *s, const char *const *exclude,
                         uint32_t nexclude, uint32_t *rank, uint32_t *order);

/*  out has room for `limit` items; returns the number written, -1 on bad
    arguments (nsrc > HR_MERGE_MAX_SOURCES).  exclude: array of 10-byte ids
    (not NUL-terminated needed), may be NULL.  */
int hr_merge (const hr_merge_source_t *src, int nsrc,
              const char *const *exclude, uint32_t nexclude,
              uint32_t limit, hr_merged_t *out);
/*  The same with a choice of mode (hr_merge = HR_MERGE_BY_MAX).           */
int hr_merge_ex (const hr_merge_source_t *src, int nsrc,
                 const char *const *exclude, uint32_t nexclude,
                 uint32_t limit, hr_merge_mode_t mode, hr_merged_t *out);

#endif
