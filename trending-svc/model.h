/*  trending_model — what trending-svc ranks, built from the catalog and the
    forward-decay click sums (decay.h).  Pure: no I/O, no locks.

    Two layers with different lifetimes:
      trending_static_t  per catalog version: Bayesian quality, cold-start
                         priors, same-name groups, the best_value ranking;
      trending_rank_t    per refresh (after clicks arrive): every item's
                         score = decayed clicks + prior, the global ranking,
                         one ranking per main category, and the main
                         categories ordered by popularity.
    Both are immutable once built: readers share them, refreshes swap them.

    Scores.  trending(i) = Σ_clicks 0.95^(age h) + prior(i), where the prior
    (cold start: a new installation has no clicks) is
        prior(i) = prior_weight · log1p(reviews_i)/log1p(max reviews)
                                · quality(i)/5          ∈ [0, prior_weight]
    so one fresh click outweighs any prior when prior_weight <= 1.
    quality(i) is the Bayesian average rating
        (reviews_i · rating_i + m · C) / (reviews_i + m)
    (C = catalog mean rating unless configured, m = bayes_strength): a 5.0
    from 2 reviews stays near C, a 4.4 from 20,000 stays 4.4.
    best_value(i) = discount_ratio_i · quality(i), rated items with a known
    discount only.  Listings with the same name (case and spacing ignored)
    appear once in every list: the best-ranked one.                        */
#ifndef TRENDING_MODEL_H
#define TRENDING_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include "decay.h"
#include "hr_catalog.h"
#include "hr_diverse.h"

typedef struct {
    double prior_weight;        /* HR_TRENDING_PRIOR_WEIGHT (1.0) */
    double bayes_strength;      /* HR_TRENDING_BAYES_STRENGTH, m (100) */
    double bayes_mean;          /* HR_TRENDING_BAYES_MEAN, C; NAN = catalog mean */
    uint32_t top_categories;    /* HR_TRENDING_TOP_CATEGORIES (5) */
    uint32_t diverse_pool;      /* HR_TRENDING_DIVERSE_POOL: best items per category drawn from (50) */
} trending_params_t;

trending_params_t trending_params_default (void);

/*  The Bayesian average; rating NAN or reviews <= 0 give the mean.         */
double trending_bayes_quality (double rating, int64_t reviews, double mean, double strength);

typedef struct trending_static trending_static_t;

/*  Borrows the catalog (it must outlive the result).  NULL on OOM.        */
trending_static_t *trending_static_new (const hr_catalog_t *catalog, const trending_params_t *params);
void trending_static_destroy (trending_static_t **self_p);
const hr_catalog_t *trending_static_catalog (const trending_static_t *self);
double trending_static_mean (const trending_static_t *self);      /* C used */
double trending_static_quality (const trending_static_t *self, uint32_t idx);
double trending_static_prior (const trending_static_t *self, uint32_t idx);
/*  best_value ranking: *n items, descending; values via *values.          */
const uint32_t *trending_static_best_value (const trending_static_t *self, uint32_t *n,
                                            const float **values);

typedef struct trending_rank trending_rank_t;

/*  Scores at now_ms from the decay sums (catalog indices as item ids; may
    be NULL = no clicks) plus priors.  NULL on OOM.                        */
trending_rank_t *trending_rank_build (const trending_static_t *st, const trending_decay_t *clicks,
                                      int64_t now_ms);
void trending_rank_destroy (trending_rank_t **self_p);
int64_t trending_rank_built_ms (const trending_rank_t *self);
float trending_rank_score (const trending_rank_t *self, uint32_t idx);
/*  Global ranking (same-name listings collapsed), descending.             */
const uint32_t *trending_rank_global (const trending_rank_t *self, uint32_t *n);
/*  Ranking inside one main category.  */
const uint32_t *trending_rank_category (const trending_rank_t *self, uint16_t main_cat, uint32_t *n);
/*  Main categories by popularity (sum of their items' scores), descending. */
const uint16_t *trending_rank_categories (const trending_rank_t *self, uint32_t *n);

/*  diverse_picks: hr_diverse_draw (hr_diverse.h) over this ranking's
    categories, each category's diverse_pool best items.
    clicked_cats: main category of each clicked item (with repeats).
    Writes catalog indices to out[]; returns how many.                     */
uint32_t trending_diverse (const trending_rank_t *rank, const trending_static_t *st,
                           const uint16_t *clicked_cats, uint32_t nclicked,
                           const uint32_t *exclude, uint32_t nexclude,
                           uint32_t limit, uint64_t seed, uint32_t *out);
/*  The draw's candidates: cats[c] for every main category c of the
    catalog (trending_rank_ncats of them), best first (all of the
    category's ranked items: the draw takes the first diverse_pool).       */
uint32_t trending_rank_ncats (const trending_rank_t *rank);
/*  How many of a category's best items the draw picks from (>= 1).      */
uint32_t trending_diverse_pool (const trending_static_t *st);
void trending_diverse_cats (const trending_rank_t *rank, hr_diverse_cat_t *cats);
#endif
