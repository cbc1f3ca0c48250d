/*  trending_model — scores, rankings, best value, diversity.               */
#include "model.h"
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

trending_params_t trending_params_default (void)
{
    return (trending_params_t) {
        .prior_weight = 1.0, .bayes_strength = 100.0, .bayes_mean = NAN,
        .top_categories = 5, .diverse_pool = 50,
    };
}

double trending_bayes_quality (double rating, int64_t reviews, double mean, double strength)
{
    if (isnan (rating) || reviews <= 0)
        return mean;
    double v = (double) reviews;
    return (v * rating + strength * mean) / (v + strength);
}

/* -------------------------------------------------------------------------
   Per catalog                                                              */

typedef struct { float score; uint32_t idx; } scored_idx_t;

struct trending_static {
    const hr_catalog_t *catalog;
    trending_params_t params;
    uint32_t n;
    double mean;
    double *quality, *prior;
    uint32_t *group;            /* same normalised name -> same group */
    uint32_t *best;
    float *best_value;
    uint32_t nbest;
    /*  Every item by its prior alone (the score of an item nobody clicked),
        s_cmp_scored order: a refresh sorts only the clicked items and merges
        them into this.                                                     */
    scored_idx_t *by_prior;
};

/*  Descending score, then ascending index (deterministic).                */
static int s_cmp_scored (const void *a, const void *b)
{
    const scored_idx_t *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/*  "  USB  Cable " and "usb cable" are one listing.                       */
static char *s_normalise_name (const char *s)
{
    size_t n = s ? strlen (s) : 0, k = 0;
    char *out = malloc (n + 1);
    if (!out)
        return NULL;
    bool space = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) s[i];
        if (isspace (c)) {
            space = k > 0;
            continue;
        }
        if (space)
            out[k++] = ' ';
        space = false;
        out[k++] = (char) tolower (c);
    }
    out[k] = '\0';
    return out;
}

typedef struct { const char *name; uint32_t idx; } named_idx_t;

static int s_cmp_named (const void *a, const void *b)
{
    const named_idx_t *x = a, *y = b;
    int c = strcmp (x->name, y->name);
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int s_assign_groups (trending_static_t *self)
{
    named_idx_t *names = calloc (self->n ? self->n : 1, sizeof *names);
    if (!names)
        return -1;
    int rc = 0;
    for (uint32_t i = 0; i < self->n && !rc; i++) {
        names[i].idx = i;
        names[i].name = s_normalise_name (hr_catalog_at (self->catalog, i)->name);
        rc = names[i].name ? 0 : -1;
    }
    if (!rc) {
        qsort (names, self->n, sizeof *names, s_cmp_named);
        uint32_t g = 0;
        for (uint32_t i = 0; i < self->n; i++) {
            if (i && strcmp (names[i].name, names[i - 1].name))
                g++;
            self->group[names[i].idx] = g;
        }
    }
    for (uint32_t i = 0; i < self->n; i++)
        free ((char *) names[i].name);
    free (names);
    return rc;
}

/*  Keeps the first listing of each name group, in place; returns the count. */
static uint32_t s_dedup_groups (const uint32_t *group, uint32_t ngroups_hint,
                              scored_idx_t *v, uint32_t n)
{
    uint8_t *seen = calloc (ngroups_hint ? ngroups_hint : 1, 1);
    if (!seen)
        return n;               /* out of memory: duplicates beat no answer */
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t g = group[v[i].idx];
        if (seen[g])
            continue;
        seen[g] = 1;
        v[k++] = v[i];
    }
    free (seen);
    return k;
}

void trending_static_destroy (trending_static_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    trending_static_t *self = *self_p;
    free (self->quality);
    free (self->prior);
    free (self->group);
    free (self->best);
    free (self->best_value);
    free (self->by_prior);
    free (self);
    *self_p = NULL;
}

trending_static_t *trending_static_new (const hr_catalog_t *catalog, const trending_params_t *params)
{
    trending_static_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->catalog = catalog;
    self->params = *params;
    self->n = hr_catalog_size (catalog);
    size_t n1 = self->n ? self->n : 1;
    self->quality = malloc (n1 * sizeof *self->quality);
    self->prior = malloc (n1 * sizeof *self->prior);
    self->group = malloc (n1 * sizeof *self->group);
    self->by_prior = malloc (n1 * sizeof *self->by_prior);
    scored_idx_t *v = malloc (n1 * sizeof *v);
    if (!self->quality || !self->prior || !self->group || !self->by_prior || !v
        || s_assign_groups (self)) {
        free (v);
        trending_static_destroy (&self);
        return NULL;
    }
    /*  C: the catalog's mean rating over rated items, unless configured.   */
    double sum = 0, max_reviews = 0;
    uint32_t rated = 0;
    for (uint32_t i = 0; i < self->n; i++) {
        const hr_product_t *p = hr_catalog_at (catalog, i);
        if (!isnan (p->rating) && p->reviews > 0) {
            sum += p->rating;
            rated++;
        }
        if (p->reviews > max_reviews)
            max_reviews = (double) p->reviews;
    }
    self->mean = !isnan (params->bayes_mean) ? params->bayes_mean : rated ? sum / rated : 3.0;
    double log_max = log1p (max_reviews);
    uint32_t nb = 0;
    for (uint32_t i = 0; i < self->n; i++) {
        const hr_product_t *p = hr_catalog_at (catalog, i);
        double q = trending_bayes_quality (p->rating, p->reviews, self->mean, params->bayes_strength);
        self->quality[i] = q;
        self->prior[i] = log_max > 0 && p->reviews > 0
            ? params->prior_weight * log1p ((double) p->reviews) / log_max * fmax (q, 0.0) / 5.0
            : 0.0;
        if (p->reviews > 0 && !isnan (p->rating) && !isnan (p->discount_ratio)
            && p->discount_ratio > 0)
            v[nb++] = (scored_idx_t) { (float) (p->discount_ratio * q), i };
        /*  the score trending_rank_build gives an item without clicks     */
        self->by_prior[i] = (scored_idx_t) { (float) (0.0 + self->prior[i]), i };
    }
    qsort (self->by_prior, self->n, sizeof *self->by_prior, s_cmp_scored);
    qsort (v, nb, sizeof *v, s_cmp_scored);
    nb = s_dedup_groups (self->group, self->n, v, nb);
    self->best = malloc ((nb ? nb : 1) * sizeof *self->best);
    self->best_value = malloc ((nb ? nb : 1) * sizeof *self->best_value);
    if (!self->best || !self->best_value) {
        free (v);
        trending_static_destroy (&self);
        return NULL;
    }
    for (uint32_t i = 0; i < nb; i++) {
        self->best[i] = v[i].idx;
        self->best_value[i] = v[i].score;
    }
    self->nbest = nb;
    free (v);
    return self;
}

const hr_catalog_t *trending_static_catalog (const trending_static_t *self) { return self->catalog; }
double trending_static_mean (const trending_static_t *self) { return self->mean; }

double trending_static_quality (const trending_static_t *self, uint32_t idx)
{
    return idx < self->n ? self->quality[idx] : NAN;
}

double trending_static_prior (const trending_static_t *self, uint32_t idx)
{
    return idx < self->n ? self->prior[idx] : 0.0;
}

const uint32_t *trending_static_best_value (const trending_static_t *self, uint32_t *n,
                                            const float **values)
{
    *n = self->nbest;
    if (values)
        *values = self->best_value;
    return self->best;
}

/* -------------------------------------------------------------------------
   Per refresh                                                              */

struct trending_rank {
    int64_t built_ms;
    uint32_t n, nglobal, ncats;
    float *score;               /* per catalog index */
    uint32_t *global;           /* deduplicated, descending */
    uint32_t *cat_off;          /* ncats + 1 offsets into cat_items */
    uint32_t *cat_items;
    uint16_t *cat_order;        /* non-empty categories by popularity */
    uint32_t ncat_order;
};

void trending_rank_destroy (trending_rank_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    trending_rank_t *self = *self_p;
    free (self->score);
    free (self->global);
    free (self->cat_off);
    free (self->cat_items);
    free (self->cat_order);
    free (self);
    *self_p = NULL;
}

/*  v[] = every item by score, s_cmp_scored order, as a full sort would
    give it, but only the clicked items are sorted (k log k): the others
    score their prior, already in order in st->by_prior, and the two runs
    are merged.  self->score[] gets every item's score.                    */
static void s_rank_all (trending_rank_t *self, const trending_static_t *st,
                        const trending_decay_t *clicks, int64_t now_ms, scored_idx_t *v)
{
    double f = clicks ? trending_decay_factor (clicks, now_ms) : 0.0;
    uint32_t nclicked = 0;
    for (uint32_t i = 0; i < st->n; i++) {
        double raw = clicks ? trending_decay_raw (clicks, i) : 0.0;
        double s = raw * f + st->prior[i];
        self->score[i] = (float) s;
        if (raw != 0.0)         /* clicked ones first, at the front of v */
            v[nclicked++] = (scored_idx_t) { (float) s, i };
    }
    qsort (v, nclicked, sizeof *v, s_cmp_scored);
    /*  Merge from the back: the clicked run is v[0, nclicked), the output
        v[0, n); writing at k >= a + 1 never overwrites an unread clicked
        item.                                                             */
    uint32_t k = st->n, a = nclicked, b = st->n;
    while (k > 0) {
        while (b > 0 && clicks && trending_decay_raw (clicks, st->by_prior[b - 1].idx) != 0.0)
            b--;                /* clicked: its place comes from the clicked run */
        scored_idx_t unclicked = b > 0 ? st->by_prior[b - 1] : (scored_idx_t) { 0.0f, 0 };
        if (a > 0 && (b == 0 || s_cmp_scored (&v[a - 1], &unclicked) > 0))
            v[--k] = v[--a];
        else {
            v[--k] = unclicked;
            b--;
        }
    }
}

trending_rank_t *trending_rank_build (const trending_static_t *st, const trending_decay_t *clicks,
                                      int64_t now_ms)
{
    trending_rank_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->built_ms = now_ms;
    self->n = st->n;
    self->ncats = hr_catalog_main_count (st->catalog);
    size_t n1 = st->n ? st->n : 1;
    scored_idx_t *v = malloc (n1 * sizeof *v);
    scored_idx_t *cats = calloc (self->ncats ? self->ncats : 1, sizeof *cats);
    self->score = malloc (n1 * sizeof *self->score);
    self->global = malloc (n1 * sizeof *self->global);
    self->cat_items = malloc (n1 * sizeof *self->cat_items);
    self->cat_off = calloc ((size_t) self->ncats + 1, sizeof *self->cat_off);
    self->cat_order = malloc ((self->ncats ? self->ncats : 1) * sizeof *self->cat_order);
    if (!v || !cats || !self->score || !self->global || !self->cat_items || !self->cat_off
        || !self->cat_order) {
        free (v);
        free (cats);
        trending_rank_destroy (&self);
        return NULL;
    }
    s_rank_all (self, st, clicks, now_ms, v);
    uint32_t ng = s_dedup_groups (st->group, st->n, v, st->n);
    self->nglobal = ng;
    for (uint32_t i = 0; i < ng; i++)
        self->global[i] = v[i].idx;

    /*  Per category: a stable counting sort of the global order.          */
    for (uint32_t c = 0; c < self->ncats; c++)
        cats[c] = (scored_idx_t) { 0.0f, c };
    for (uint32_t i = 0; i < ng; i++) {
        uint16_t c = hr_catalog_at (st->catalog, v[i].idx)->main_cat;
        self->cat_off[c + 1]++;
        cats[c].score += v[i].score;
    }
    for (uint32_t c = 0; c < self->ncats; c++)
        self->cat_off[c + 1] += self->cat_off[c];
    uint32_t *pos = malloc ((self->ncats ? self->ncats : 1) * sizeof *pos);
    if (!pos) {
        free (v);
        free (cats);
        trending_rank_destroy (&self);
        return NULL;
    }
    memcpy (pos, self->cat_off, self->ncats * sizeof *pos);
    for (uint32_t i = 0; i < ng; i++) {
        uint16_t c = hr_catalog_at (st->catalog, v[i].idx)->main_cat;
        self->cat_items[pos[c]++] = v[i].idx;
    }
    free (pos);
    qsort (cats, self->ncats, sizeof *cats, s_cmp_scored);
    for (uint32_t c = 0; c < self->ncats; c++)
        if (self->cat_off[cats[c].idx + 1] > self->cat_off[cats[c].idx])
            self->cat_order[self->ncat_order++] = (uint16_t) cats[c].idx;
    free (v);
    free (cats);
    return self;
}

int64_t trending_rank_built_ms (const trending_rank_t *self) { return self->built_ms; }

float trending_rank_score (const trending_rank_t *self, uint32_t idx)
{
    return idx < self->n ? self->score[idx] : 0.0f;
}

const uint32_t *trending_rank_global (const trending_rank_t *self, uint32_t *n)
{
    *n = self->nglobal;
    return self->global;
}

const uint32_t *trending_rank_category (const trending_rank_t *self, uint16_t main_cat, uint32_t *n)
{
    if (main_cat >= self->ncats) {
        *n = 0;
        return NULL;
    }
    *n = self->cat_off[main_cat + 1] - self->cat_off[main_cat];
    return self->cat_items + self->cat_off[main_cat];
}

const uint16_t *trending_rank_categories (const trending_rank_t *self, uint32_t *n)
{
    *n = self->ncat_order;
    return self->cat_order;
}

/* -------------------------------------------------------------------------
   Diversity                                                                */

uint32_t trending_diverse (const trending_rank_t *rank, const trending_static_t *st,
                           const uint16_t *clicked_cats, uint32_t nclicked,
                           const uint32_t *exclude, uint32_t nexclude,
                           uint32_t limit, uint64_t seed, uint32_t *out)
{
    uint32_t ncats = rank->ncats;
    if (!ncats || !limit)
        return 0;
    hr_diverse_cat_t *cats = malloc (ncats * sizeof *cats);
    if (!cats)
        return 0;
    trending_diverse_cats (rank, cats);
    uint32_t n = hr_diverse_draw (cats, ncats, trending_diverse_pool (st), clicked_cats, nclicked,
                                  exclude, nexclude, limit, seed, out);
    free (cats);
    return n;
}

void trending_diverse_cats (const trending_rank_t *rank, hr_diverse_cat_t *cats)
{
    for (uint32_t c = 0; c < rank->ncats; c++)
        cats[c] = (hr_diverse_cat_t) { rank->cat_items + rank->cat_off[c],
                                       rank->cat_off[c + 1] - rank->cat_off[c] };
}

uint32_t trending_diverse_pool (const trending_static_t *st)
{
    return st->params.diverse_pool ? st->params.diverse_pool : 1;
}

uint32_t trending_rank_ncats (const trending_rank_t *rank)
{
    return rank->ncats;
}
