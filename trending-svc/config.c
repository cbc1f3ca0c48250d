/*  The variables trending-svc and `hybridrec train trending` read.  */
#include "protocol.h"

const hr_config_var_t trending_config[] = {
    { "TRENDING_DECAY_RATE", HR_CFG_DOUBLE, "0.95",
      "weight a click keeps per hour of age (the original design's name)", 1e-6, 1 },
    { "HR_TRENDING_PRIOR_WEIGHT", HR_CFG_DOUBLE, "1.0",
      "largest cold-start prior, in fresh clicks (from rating and no_of_ratings)", 0, 1000 },
    { "HR_TRENDING_BAYES_STRENGTH", HR_CFG_DOUBLE, "100",
      "pseudo-reviews at the mean rating in the Bayesian average", 0, 1e9 },
    { "HR_TRENDING_BAYES_MEAN", HR_CFG_DOUBLE, "0",
      "prior mean rating of the Bayesian average (0 = the catalog's mean)", 0, 5 },
    { "HR_TRENDING_TOP_CATEGORIES", HR_CFG_INT, "5", "main categories in top_categories", 1, 100 },
    { "HR_TRENDING_DIVERSE_POOL", HR_CFG_INT, "50",
      "best items per category that diverse_picks draws from", 1, 10000 },
    { "HR_TRENDING_WINDOW_DAYS", HR_CFG_INT, "30", "days of clicks read when reconciling", 1, 3650 },
    { "HR_TRENDING_RECONCILE_S", HR_CFG_INT, "3600", "seconds between reconciliations from PostgreSQL", 10, 86400 },
    { "HR_TRENDING_REDIS_TOP", HR_CFG_INT, "500", "items in the hr:trending:global sorted set", 0, 100000 },
    { NULL, 0, NULL, NULL, 0, 0 },
};
