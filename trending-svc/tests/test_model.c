/*  trending_model: Bayesian ordering, best value without duplicates, cold
    start priors, clicks beating priors, categories, diversity.            */
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decay.h"
#include "model.h"

#define H 3600000LL

/*  A small catalog: id, name, main, rating, reviews, price, original.    */
typedef struct { const char *id, *name, *main; double rating; int64_t reviews; double price, orig; } row_t;

static const row_t rows[] = {
    { "AAAAAAAAA0", "Fresh 5 star gadget", "electronics", 5.0, 2, 50, 100 },       /* 0 */
    { "AAAAAAAAA1", "Trusted workhorse", "electronics", 4.4, 20000, 50, 100 },    /* 1 */
    { "AAAAAAAAA2", "Cheap cable", "electronics", 3.9, 500, 10, 100 },            /* 2 */
    { "AAAAAAAAA3", "Cheap  CABLE ", "electronics", 3.9, 800, 10, 100 },          /* 3: same name as 2 */
    { "AAAAAAAAA4", "Running shoe", "sports", 4.2, 3000, 80, 100 },                /* 4 */
    { "AAAAAAAAA5", "Yoga mat", "sports", 4.6, 150, 90, 100 },                     /* 5 */
    { "AAAAAAAAA6", "Unrated thing", "home", NAN, 0, 1, 100 },                     /* 6 */
    { "AAAAAAAAA7", "Kettle", "home", 4.0, 40, 30, 40 },                           /* 7 */
    { "AAAAAAAAA8", "Lamp", "home", 4.1, 60, 20, 40 },                             /* 8 */
    { "AAAAAAAAA9", "Novel", "books", 4.8, 900, 5, 10 },                           /* 9 */
    { "AAAAAAAAB0", "Atlas", "books", 4.3, 10, 9, 10 },                            /* 10 */
};
#define NROWS (sizeof rows / sizeof *rows)

static hr_catalog_t *make_catalog (void)
{
    hr_catalog_t *c = hr_catalog_new ();
    for (size_t i = 0; i < NROWS; i++) {
        hr_product_t p = { 0 };
        memcpy (p.id, rows[i].id, 11);
        p.name = rows[i].name;
        p.main_category = rows[i].main;
        p.sub_category = "misc";
        p.image = "";
        p.link = "";
        p.rating = rows[i].rating;
        p.reviews = rows[i].reviews;
        p.price = rows[i].price;
        p.original_price = rows[i].orig;
        p.discount_ratio = 1.0 - rows[i].price / rows[i].orig;
        ck_assert_int_eq (hr_catalog_add (c, &p), 0);
    }
    hr_catalog_freeze (c);
    return c;
}

START_TEST (bayesian_average_ordering)
{
    /*  A 5.0 from 2 reviews must not beat a 4.4 from 20,000.              */
    double few = trending_bayes_quality (5.0, 2, 4.0, 100);
    double many = trending_bayes_quality (4.4, 20000, 4.0, 100);
    ck_assert (few < many);
    ck_assert (fabs (many - (20000 * 4.4 + 100 * 4.0) / 20100) < 1e-12);
    ck_assert (trending_bayes_quality (NAN, 10, 3.5, 100) == 3.5);
    ck_assert (trending_bayes_quality (4.9, 0, 3.5, 100) == 3.5);
    /*  Strength 0 is the plain rating.  */
    ck_assert (trending_bayes_quality (4.9, 3, 3.5, 0) == 4.9);
}
END_TEST

START_TEST (best_value_bayesian_and_unique)
{
    hr_catalog_t *c = make_catalog ();
    trending_params_t p = trending_params_default ();
    trending_static_t *st = trending_static_new (c, &p);
    ck_assert_ptr_nonnull (st);
    uint32_t n;
    const float *val;
    const uint32_t *best = trending_static_best_value (st, &n, &val);
    /*  Both electronics listings 0 and 1 have a 50 % discount: the 4.4 from
        20,000 reviews ranks above the 5.0 from 2.                         */
    int pos0 = -1, pos1 = -1, cables = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (best[i] == 0) pos0 = (int) i;
        if (best[i] == 1) pos1 = (int) i;
        if (best[i] == 2 || best[i] == 3) cables++;
        ck_assert (best[i] != 6);                       /* unrated: not a "value" */
        if (i)
            ck_assert (val[i] <= val[i - 1]);
    }
    ck_assert (pos0 >= 0 && pos1 >= 0 && pos1 < pos0);
    ck_assert_int_eq (cables, 1);                       /* same-name listings collapse */
    ck_assert_uint_eq (n, NROWS - 2);                   /* minus a cable, minus unrated */
    ck_assert_uint_eq (best[0], 2);                     /* 90 % off, quality ~3.9 */
    trending_static_destroy (&st);
    ck_assert_ptr_null (st);
    hr_catalog_destroy (&c);
}
END_TEST

START_TEST (cold_start_priors_then_clicks)
{
    hr_catalog_t *c = make_catalog ();
    trending_params_t p = trending_params_default ();
    trending_static_t *st = trending_static_new (c, &p);
    /*  No clicks: the 20,000-review item leads; every prior is <= 1.       */
    trending_rank_t *r = trending_rank_build (st, NULL, 0);
    uint32_t n;
    const uint32_t *g = trending_rank_global (r, &n);
    ck_assert_uint_eq (n, NROWS - 1);                   /* cables collapsed */
    ck_assert_uint_eq (g[0], 1);
    ck_assert (trending_rank_score (r, 1) <= 1.0f && trending_rank_score (r, 1) > 0.5f);
    ck_assert (trending_rank_score (r, 6) == 0.0f);
    trending_rank_destroy (&r);

    /*  Two fresh clicks on the unrated item put it on top; a day later the
        clicks have decayed to 2·0.95^24 = 0.58 and the prior leader is back. */
    trending_decay_t *d = trending_decay_new (0.95, 0);
    trending_decay_add (d, 6, 10 * H);
    trending_decay_add (d, 6, 10 * H);
    r = trending_rank_build (st, d, 10 * H);
    g = trending_rank_global (r, &n);
    ck_assert_uint_eq (g[0], 6);
    ck_assert (fabsf (trending_rank_score (r, 6) - 2.0f) < 1e-6f);
    uint32_t nc;
    const uint16_t *cats = trending_rank_categories (r, &nc);
    ck_assert_uint_eq (nc, 4);
    ck_assert_str_eq (hr_catalog_main_name (c, cats[0]), "home");
    const uint32_t *home = trending_rank_category (r, cats[0], &n);
    ck_assert_uint_eq (n, 3);
    ck_assert_uint_eq (home[0], 6);
    trending_rank_destroy (&r);
    r = trending_rank_build (st, d, 34 * H);
    g = trending_rank_global (r, &n);
    ck_assert_uint_eq (g[0], 1);
    ck_assert (fabs (trending_rank_score (r, 6) - 2 * pow (0.95, 24)) < 1e-6);
    trending_rank_destroy (&r);
    trending_decay_destroy (&d);
    trending_static_destroy (&st);
    hr_catalog_destroy (&c);
}
END_TEST

START_TEST (diverse_prefers_unclicked_categories)
{
    hr_catalog_t *c = make_catalog ();
    trending_params_t p = trending_params_default ();
    trending_static_t *st = trending_static_new (c, &p);
    trending_rank_t *r = trending_rank_build (st, NULL, 0);
    /*  The user clicked electronics 9 times: over many seeds, electronics
        must be picked first far less often than the others.               */
    uint16_t elec = hr_catalog_at (c, 0)->main_cat;
    uint16_t clicked[9];
    for (int i = 0; i < 9; i++)
        clicked[i] = elec;
    uint32_t exclude[] = { 1 };
    int first_elec = 0;
    for (uint64_t seed = 1; seed <= 400; seed++) {
        uint32_t out[4];
        uint32_t k = trending_diverse (r, st, clicked, 9, exclude, 1, 4, seed, out);
        ck_assert_uint_eq (k, 4);
        for (uint32_t i = 0; i < k; i++) {
            ck_assert_uint_ne (out[i], 1);               /* excluded */
            for (uint32_t j = 0; j < i; j++)
                ck_assert_uint_ne (out[i], out[j]);      /* no repeats */
        }
        first_elec += hr_catalog_at (c, out[0])->main_cat == elec;
    }
    /*  weight 1/10 vs 1 for each of 3 others: expected ~3 %.              */
    ck_assert_int_lt (first_elec, 40);

    uint32_t a[6], b[6], x[6];
    uint32_t na = trending_diverse (r, st, NULL, 0, NULL, 0, 6, 42, a);
    uint32_t nb = trending_diverse (r, st, NULL, 0, NULL, 0, 6, 42, b);
    ck_assert_uint_eq (na, nb);
    ck_assert (memcmp (a, b, na * sizeof *a) == 0);    /* same seed, same picks */
    bool differs = false;
    for (uint64_t seed = 43; seed < 60 && !differs; seed++) {
        uint32_t nx = trending_diverse (r, st, NULL, 0, NULL, 0, 6, seed, x);
        differs = nx != na || memcmp (a, x, na * sizeof *a) != 0;
    }
    ck_assert (differs);                                 /* randomised per request */
    /*  Asking for more than exist returns every distinct listing once.   */
    uint32_t all[64];
    ck_assert_uint_eq (trending_diverse (r, st, NULL, 0, NULL, 0, 64, 7, all), NROWS - 1);
    trending_rank_destroy (&r);
    trending_static_destroy (&st);
    hr_catalog_destroy (&c);
}
END_TEST

START_TEST (empty_catalog)
{
    /*  (not frozen: hr_catalog_freeze of an empty catalog trips UBSan in
        common/hr_catalog.c s_renumber, memcpy from NULL — reported)       */
    hr_catalog_t *c = hr_catalog_new ();
    trending_params_t p = trending_params_default ();
    trending_static_t *st = trending_static_new (c, &p);
    ck_assert_ptr_nonnull (st);
    trending_rank_t *r = trending_rank_build (st, NULL, 0);
    ck_assert_ptr_nonnull (r);
    uint32_t n, out[4];
    trending_rank_global (r, &n);
    ck_assert_uint_eq (n, 0);
    ck_assert_uint_eq (trending_diverse (r, st, NULL, 0, NULL, 0, 4, 1, out), 0);
    trending_rank_destroy (&r);
    trending_static_destroy (&st);
    hr_catalog_destroy (&c);
}
END_TEST

/*  Issue 16: a refresh sorts only the clicked items and merges them with
    the items ranked by prior alone.  On a random catalog (names repeated,
    unrated and review-less items: many equal scores) with random clicks,
    every ranking equals a full sort of the whole catalog by (score
    descending, index ascending), same-name listings collapsed to the first,
    per category in that order, categories by their summed score.          */
typedef struct { float score; uint32_t idx; } ref_t;

static int ref_cmp (const void *a, const void *b)
{
    const ref_t *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

#define RAND_ITEMS 3000
#define RAND_NAMES 2200
#define RAND_CATS 7

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rng (uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t) (rng_state % n);
}

static hr_catalog_t *random_catalog (uint32_t *name_of)
{
    static const char *const mains[RAND_CATS] = { "a", "b", "c", "d", "e", "f", "g" };
    hr_catalog_t *c = hr_catalog_new ();
    for (uint32_t i = 0; i < RAND_ITEMS; i++) {
        char id[11], name[32];
        snprintf (id, sizeof id, "R%09u", i);
        name_of[i] = rng (RAND_NAMES);
        snprintf (name, sizeof name, "thing %u", name_of[i]);
        hr_product_t p = { 0 };
        memcpy (p.id, id, 11);
        p.name = name;
        p.main_category = mains[rng (RAND_CATS)];
        p.sub_category = "misc";
        p.image = "";
        p.link = "";
        p.rating = rng (4) ? 1.0 + rng (9) * 0.5 : NAN;
        p.reviews = rng (3) ? (int64_t) rng (5) * 100 : 0;     /* few distinct: ties */
        p.price = 10;
        p.original_price = 20;
        p.discount_ratio = 0.5;
        ck_assert_int_eq (hr_catalog_add (c, &p), 0);
    }
    hr_catalog_freeze (c);
    return c;
}

static void check_full_sort (const hr_catalog_t *c, const trending_rank_t *r,
                             const uint32_t *name_of)
{
    static ref_t ref[RAND_ITEMS];
    static bool seen[RAND_NAMES];
    for (uint32_t i = 0; i < RAND_ITEMS; i++)
        ref[i] = (ref_t) { trending_rank_score (r, i), i };
    qsort (ref, RAND_ITEMS, sizeof *ref, ref_cmp);
    memset (seen, 0, sizeof seen);
    uint32_t k = 0;
    for (uint32_t i = 0; i < RAND_ITEMS; i++)
        if (!seen[name_of[ref[i].idx]]) {
            seen[name_of[ref[i].idx]] = true;
            ref[k++] = ref[i];
        }
    uint32_t n;
    const uint32_t *g = trending_rank_global (r, &n);
    ck_assert_uint_eq (n, k);
    for (uint32_t i = 0; i < k; i++)
        ck_assert_uint_eq (g[i], ref[i].idx);
    ref_t cats[RAND_CATS + 1] = { { 0 } };
    uint32_t ncats = hr_catalog_main_count (c);
    for (uint32_t m = 0; m < ncats; m++) {
        cats[m] = (ref_t) { 0.0f, m };
        const uint32_t *items = trending_rank_category (r, (uint16_t) m, &n);
        uint32_t j = 0;
        for (uint32_t i = 0; i < k; i++)
            if (hr_catalog_at (c, ref[i].idx)->main_cat == m) {
                ck_assert_uint_lt (j, n);
                ck_assert_uint_eq (items[j++], ref[i].idx);
                cats[m].score += ref[i].score;
            }
        ck_assert_uint_eq (j, n);
    }
    qsort (cats, ncats, sizeof *cats, ref_cmp);
    const uint16_t *order = trending_rank_categories (r, &n);
    ck_assert_uint_eq (n, ncats);
    for (uint32_t m = 0; m < ncats; m++)
        ck_assert_uint_eq (order[m], cats[m].idx);
}

START_TEST (ranking_is_a_full_sort)
{
    static uint32_t name_of[RAND_ITEMS];
    hr_catalog_t *c = random_catalog (name_of);
    ck_assert_uint_eq (hr_catalog_size (c), RAND_ITEMS);
    trending_params_t p = trending_params_default ();
    trending_static_t *st = trending_static_new (c, &p);
    trending_rank_t *r = trending_rank_build (st, NULL, 0);     /* nothing clicked */
    check_full_sort (c, r, name_of);
    trending_rank_destroy (&r);
    trending_decay_t *d = trending_decay_new (0.95, 0);
    for (int round = 0; round < 6; round++) {
        /*  more clicked items each round: a few, then most of the catalog;
            whole clicks at one time make equal sums                       */
        uint32_t clicks = 5u << (2 * round);
        for (uint32_t e = 0; e < clicks; e++)
            ck_assert_int_eq (trending_decay_add_weight (d, rng (RAND_ITEMS), round * H,
                                                         1.0 + rng (3)), 0);
        r = trending_rank_build (st, d, round * H);
        for (uint32_t i = 0; i < RAND_ITEMS; i++)
            ck_assert (trending_rank_score (r, i)
                       == (float) (trending_decay_raw (d, i) * trending_decay_factor (d, round * H)
                                   + trending_static_prior (st, i)));
        check_full_sort (c, r, name_of);
        trending_rank_destroy (&r);
    }
    trending_decay_destroy (&d);
    trending_static_destroy (&st);
    hr_catalog_destroy (&c);
}
END_TEST

int main (void)
{
    Suite *s = suite_create ("trending_model");
    TCase *tc = tcase_create ("core");
    tcase_add_test (tc, bayesian_average_ordering);
    tcase_add_test (tc, best_value_bayesian_and_unique);
    tcase_add_test (tc, cold_start_priors_then_clicks);
    tcase_add_test (tc, diverse_prefers_unclicked_categories);
    tcase_add_test (tc, empty_catalog);
    tcase_add_test (tc, ranking_is_a_full_sort);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
