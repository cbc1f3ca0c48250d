/*  hr_merge_model — the learned merge of /home's personalized list
    (`hybridrec train merge`, docs/merge.md): per source, a calibration
    (the hit rate of each rank bucket: how likely an item of that rank is
    the user's next new item, fitted on the shop's own logged sessions) and
    a sub-weight within its signal.

    hr_merge_model_apply turns it into hr_merge sources: an item of rank r
    (ties at their worst rank, hr_merge_ranks) is worth
        signal weight x sub-weight x p[bucket (r)]
    so every source speaks the same unit whatever its scores' scale, and a
    flat list (all ranked last) is worth what its last bucket earned.

    Published as the "merge" model (hr_model_store); the blob is
        "HRMM" u32 format(1) u32 buckets(12) u32 n,
        n x (str name, f64 weight, 12 x f64 p)
    and decoding rejects anything else (names [a-z_]{1,31}, weights finite
    in [0, 1000], p in [0, 1], 1..HR_MERGE_MAX_SOURCES distinct sources). */
#ifndef HR_MERGE_MODEL_H
#define HR_MERGE_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include "hr_merge.h"

/*  /home's personalized sources, in the gateway's order, with the signal
    each belongs to: the names a merge model's sources carry (the gateway
    merges them, `hybridrec train merge` fits them).                       */
typedef enum {
    HR_HOME_CONTENT_CLICKED, HR_HOME_COLLAB, HR_HOME_RULES, HR_HOME_CONTENT_SEARCH,
    HR_HOME_DIVERSE, HR_HOME_SEQRULES, HR_HOME_SOURCES
} hr_home_source_t;
extern const char *const hr_home_source_names[HR_HOME_SOURCES];
extern const char *const hr_home_source_signals[HR_HOME_SOURCES];

/*  Rank buckets: 1, 2, 3, 4-5, 6-8, 9-13, 14-21, 22-34, 35-55, 56-100,
    101-200, > 200.                                                        */
#define HR_MERGE_MODEL_BUCKETS 12
/*  Length of a source's rank table (ranks beyond take its last entry).    */
#define HR_MERGE_MODEL_RANKS 201
#define HR_MERGE_MODEL_NAME_MAX 31

typedef struct hr_merge_model hr_merge_model_t;

hr_merge_model_t *hr_merge_model_new (void);
void hr_merge_model_destroy (hr_merge_model_t **self_p);

/*  The bucket of a 1-based rank (rank 0 counts as 1); the first rank of a
    bucket.  */
int hr_merge_model_bucket (uint32_t rank);
uint32_t hr_merge_model_bucket_first (int bucket);

/*  Adds (or replaces) a source.  -1 when the name, the weight or a p is out
    of the ranges above, or the model is full.                             */
int hr_merge_model_set (hr_merge_model_t *self, const char *name, double weight,
                        const double p[HR_MERGE_MODEL_BUCKETS]);
int hr_merge_model_count (const hr_merge_model_t *self);
/*  The index of a source, -1 when not in the model.                       */
int hr_merge_model_find (const hr_merge_model_t *self, const char *name);
const char *hr_merge_model_name (const hr_merge_model_t *self, int i);
double hr_merge_model_weight (const hr_merge_model_t *self, int i);
double hr_merge_model_p (const hr_merge_model_t *self, int i, int bucket);

/*  Calibrates sources for hr_merge_ex (HR_MERGE_BY_RANK): src[i] (named
    names[i]) gets the rank table of its source and its weight multiplied
    by the sub-weight.  A source the model does not name gets the mean
    calibration of the model's sources and sub-weight 1.  The tables live
    in the model (valid while it is).                                      */
void hr_merge_model_apply (const hr_merge_model_t *self, const char *const *names,
                           hr_merge_source_t *src, int nsrc);

/*  The blob (malloc'd, *len set), NULL on out of memory.                  */
void *hr_merge_model_encode (const hr_merge_model_t *self, size_t *len);
/*  NULL with the reason in err when the blob is not a model.              */
hr_merge_model_t *hr_merge_model_decode (const void *blob, size_t len, char *err, size_t errlen);

#endif
