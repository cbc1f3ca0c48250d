/*  hr_diverse — the draw behind /home's diverse picks, in one place.

    "Diversity is ensured by randomly sampling items from underrepresented
    categories" (the original design).  Up to `limit` items drawn from the
    categories the user clicked least: each category with candidates
    weighs 1 / (1 + the user's clicks in it), halved after each pick from
    it; each pick is a random one of the category's first `pool`
    candidates (best first) that is neither excluded nor picked already;
    a category with nothing left drops out.  Deterministic for a seed:
    trending-svc (which ranks the candidates) draws with it for its `home`
    and `home_picks` answers, and the gateway draws with it from the
    candidates trending sent (`diverse_pools`, gw_diverse.h), so both give
    the same picks for the same seed, history and ranking.

    Items are indices (a catalog's, in both callers); categories are dense
    indices (hr_product_t.main_cat) into `cats`.                           */
#ifndef HR_DIVERSE_H
#define HR_DIVERSE_H
#include <stdbool.h>
#include <stdint.h>
#include "hr_catalog.h"
#include "hr_proto.h"

/*  One category's candidates, best first.  */
typedef struct {
    const uint32_t *items;
    uint32_t n;
} hr_diverse_cat_t;

/*  clicked_cats: the category of each clicked item (with repeats; values
    >= ncats are ignored).  Writes at most `limit` items to out[]; returns
    how many (0 when a scratch allocation fails, with more than 256
    categories).                                                           */
uint32_t hr_diverse_draw (const hr_diverse_cat_t *cats, uint32_t ncats, uint32_t pool,
                          const uint16_t *clicked_cats, uint32_t nclicked,
                          const uint32_t *exclude, uint32_t nexclude,
                          uint32_t limit, uint64_t seed, uint32_t *out);

/*  A history event as the draw counts it: a click on a product of `cat`.
    Then true, with its catalog index and main category in *idx, *main_cat. */
bool hr_diverse_clicked (const hr_catalog_t *cat, const hr_proto_event_t *ev, uint32_t *idx,
                         uint16_t *main_cat);

/*  The score of the i-th of n picks (the draw is the ranking).            */
static inline float
hr_diverse_score (uint32_t i, uint32_t n)
{
    return 1.0f - (float) i / (float) (n + 1);
}

#endif
