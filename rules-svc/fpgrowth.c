/*  fpgrowth — FP-Growth (Han, Pei & Yin 2000) over uint32 item ids.

    Items are renumbered by descending frequency ("ranks", 0 = most
    frequent) so every basket becomes a path of ascending ranks in one
    prefix tree.  Mining walks the header table from the least frequent
    rank up: the nodes of rank r give the conditional pattern base of r,
    which is folded into a smaller conditional tree (only ranks < r) and
    mined recursively.  Trees are arrays of nodes (no per-node malloc) and
    each recursion depth reuses its own tree, so mining allocates only
    while the buffers still grow.                                            */
#include "fpgrowth.h"
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char rules_fpg_err_budget[] = "too many frequent itemsets (raise min_support or lower max_len)";

/* -------------------------------------------------------------------------
   Baskets (CSR)                                                           */

struct rules_fpg_baskets {
    uint32_t *items;
    uint64_t nitems, items_cap;
    uint64_t *offsets;          /* n + 1 entries */
    uint32_t n, offsets_cap;
    uint32_t *scratch;
    size_t scratch_cap;
};

static int s_cmp_u32 (const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return (x > y) - (x < y);
}

rules_fpg_baskets_t *rules_fpg_baskets_new (void)
{
    rules_fpg_baskets_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->offsets = calloc (1, sizeof *self->offsets);
    if (!self->offsets) {
        free (self);
        return NULL;
    }
    self->offsets_cap = 1;
    return self;
}

void rules_fpg_baskets_destroy (rules_fpg_baskets_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rules_fpg_baskets_t *self = *self_p;
    free (self->items);
    free (self->offsets);
    free (self->scratch);
    free (self);
    *self_p = NULL;
}

static int s_grow (void **p, uint64_t *cap, uint64_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    uint64_t ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    if (ncap > SIZE_MAX / elem)
        return -1;
    void *np = realloc (*p, ncap * elem);
    if (!np)
        return -1;
    *p = np;
    *cap = ncap;
    return 0;
}

int rules_fpg_baskets_add (rules_fpg_baskets_t *self, const uint32_t *items, size_t n)
{
    if (self->n == UINT32_MAX)
        return -1;
    if (n > self->scratch_cap) {
        uint32_t *s = realloc (self->scratch, n * sizeof *s);
        if (!s)
            return -1;
        self->scratch = s;
        self->scratch_cap = n;
    }
    size_t m = 0;
    if (n) {
        memcpy (self->scratch, items, n * sizeof *items);
        qsort (self->scratch, n, sizeof *self->scratch, s_cmp_u32);
        for (size_t i = 0; i < n; i++)
            if (m == 0 || self->scratch[m - 1] != self->scratch[i])
                self->scratch[m++] = self->scratch[i];
    }
    uint64_t ocap = self->offsets_cap;
    if (s_grow ((void **) &self->offsets, &ocap, (uint64_t) self->n + 2, sizeof *self->offsets))
        return -1;
    self->offsets_cap = (uint32_t) (ocap > UINT32_MAX ? UINT32_MAX : ocap);
    if (s_grow ((void **) &self->items, &self->items_cap, self->nitems + m, sizeof *self->items))
        return -1;
    if (m)
        memcpy (self->items + self->nitems, self->scratch, m * sizeof *self->items);
    self->nitems += m;
    self->n++;
    self->offsets[self->n] = self->nitems;
    return 0;
}

uint32_t rules_fpg_baskets_count (const rules_fpg_baskets_t *self) { return self->n; }
uint64_t rules_fpg_baskets_items (const rules_fpg_baskets_t *self) { return self->nitems; }

const uint32_t *rules_fpg_baskets_at (const rules_fpg_baskets_t *self, uint32_t i, uint32_t *n)
{
    if (i >= self->n) {
        *n = 0;
        return NULL;
    }
    *n = (uint32_t) (self->offsets[i + 1] - self->offsets[i]);
    return self->items + self->offsets[i];
}

/* -------------------------------------------------------------------------
   Parameters                                                              */

rules_fpg_params_t rules_fpg_params_default (void)
{
    return (rules_fpg_params_t) {
        .min_support = 0.01, .min_confidence = 0.5, .max_len = 10,
        .min_count_floor = 1, .max_itemsets = 20000000,
    };
}

uint32_t rules_fpg_min_count (uint32_t n_baskets, double min_support, uint32_t min_count_floor)
{
    uint64_t c = 1;
    if (n_baskets > 0 && min_support > 0) {
        /*  Start from ceil() and correct by the very comparison arules makes,
            so float noise in s × N (0.01 × 25900 = 259.00000000000006) can
            never move the threshold.  */
        double x = ceil (min_support * (double) n_baskets);
        c = x < 1 ? 1 : x > (double) n_baskets + 1 ? (uint64_t) n_baskets + 1 : (uint64_t) x;
        while (c > 1 && (double) (c - 1) / n_baskets >= min_support)
            c--;
        while (c <= n_baskets && (double) c / n_baskets < min_support)
            c++;
    }
    if (c < min_count_floor)
        c = min_count_floor;
    return c > UINT32_MAX ? UINT32_MAX : (uint32_t) c;
}

/* -------------------------------------------------------------------------
   A small open-addressing map uint32 -> uint32                             */

typedef struct {
    uint32_t *keys, *vals;
    uint8_t *used;
    size_t cap, n;
} u32map_t;

static inline size_t s_hash_u32 (uint32_t k)
{
    uint64_t h = (uint64_t) k * 0x9E3779B97F4A7C15ull;
    return (size_t) (h >> 32);
}

static int s_u32map_init (u32map_t *m, size_t expect)
{
    m->cap = 64;
    while (m->cap < expect * 2)
        m->cap *= 2;
    m->n = 0;
    m->keys = malloc (m->cap * sizeof *m->keys);
    m->vals = malloc (m->cap * sizeof *m->vals);
    m->used = calloc (m->cap, 1);
    return m->keys && m->vals && m->used ? 0 : -1;
}

static void s_u32map_free (u32map_t *m)
{
    free (m->keys);
    free (m->vals);
    free (m->used);
    memset (m, 0, sizeof *m);
}

/*  Slot of key (inserting it with value 0 when absent); NULL on OOM.       */
static uint32_t *s_u32map_slot (u32map_t *m, uint32_t key)
{
    if ((m->n + 1) * 2 > m->cap) {
        u32map_t big;
        if (s_u32map_init (&big, m->cap)) {
            s_u32map_free (&big);
            return NULL;
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->used[i]) {
                size_t j = s_hash_u32 (m->keys[i]) & (big.cap - 1);
                while (big.used[j])
                    j = (j + 1) & (big.cap - 1);
                big.used[j] = 1;
                big.keys[j] = m->keys[i];
                big.vals[j] = m->vals[i];
                big.n++;
            }
        s_u32map_free (m);
        *m = big;
    }
    size_t j = s_hash_u32 (key) & (m->cap - 1);
    while (m->used[j]) {
        if (m->keys[j] == key)
            return &m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    m->used[j] = 1;
    m->keys[j] = key;
    m->vals[j] = 0;
    m->n++;
    return &m->vals[j];
}

static const uint32_t *s_u32map_get (const u32map_t *m, uint32_t key)
{
    size_t j = s_hash_u32 (key) & (m->cap - 1);
    while (m->used[j]) {
        if (m->keys[j] == key)
            return &m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

/* -------------------------------------------------------------------------
   FP-tree: node 0 is the root; 0 doubles as "none" in child/sibling/link
   because the root is never anyone's child or link.                        */

typedef struct {
    uint32_t *item, *count, *parent, *child, *sibling, *link;
    uint64_t n, cap;
    uint32_t *head;             /* per rank: first node of that rank */
    uint32_t *hcount;           /* per rank: support in this tree    */
    uint32_t nranks;            /* ranks [0, nranks) may occur        */
} tree_t;

static int s_tree_init (tree_t *t, uint32_t total_ranks)
{
    memset (t, 0, sizeof *t);
    t->head = calloc (total_ranks ? total_ranks : 1, sizeof *t->head);
    t->hcount = calloc (total_ranks ? total_ranks : 1, sizeof *t->hcount);
    return t->head && t->hcount ? 0 : -1;
}

static void s_tree_free (tree_t *t)
{
    free (t->item); free (t->count); free (t->parent);
    free (t->child); free (t->sibling); free (t->link);
    free (t->head); free (t->hcount);
    memset (t, 0, sizeof *t);
}

static int s_tree_reserve (tree_t *t, uint64_t need)
{
    if (need <= t->cap)
        return 0;
    uint64_t ncap = t->cap ? t->cap * 2 : 1024;
    while (ncap < need)
        ncap *= 2;
    if (ncap > UINT32_MAX)
        return -1;
    uint32_t **arrays[] = { &t->item, &t->count, &t->parent, &t->child, &t->sibling, &t->link };
    for (size_t a = 0; a < sizeof arrays / sizeof *arrays; a++) {
        uint32_t *p = realloc (*arrays[a], ncap * sizeof (uint32_t));
        if (!p)
            return -1;
        *arrays[a] = p;
    }
    t->cap = ncap;
    return 0;
}

/*  Empties the tree for ranks [0, nranks).  */
static int s_tree_reset (tree_t *t, uint32_t nranks)
{
    if (s_tree_reserve (t, 1))
        return -1;
    t->n = 1;
    t->item[0] = UINT32_MAX;
    t->count[0] = 0;
    t->parent[0] = t->child[0] = t->sibling[0] = t->link[0] = 0;
    memset (t->head, 0, nranks * sizeof *t->head);
    memset (t->hcount, 0, nranks * sizeof *t->hcount);
    t->nranks = nranks;
    return 0;
}

/*  Inserts a path of ascending ranks carrying `count`.  */
static int s_tree_insert (tree_t *t, const uint32_t *path, uint32_t len, uint32_t count)
{
    if (s_tree_reserve (t, t->n + len))
        return -1;
    uint32_t cur = 0;
    for (uint32_t i = 0; i < len; i++) {
        uint32_t r = path[i];
        uint32_t ch = t->child[cur];
        while (ch && t->item[ch] != r)
            ch = t->sibling[ch];
        if (!ch) {
            ch = (uint32_t) t->n++;
            t->item[ch] = r;
            t->count[ch] = 0;
            t->parent[ch] = cur;
            t->child[ch] = 0;
            t->sibling[ch] = t->child[cur];
            t->child[cur] = ch;
            t->link[ch] = t->head[r];
            t->head[r] = ch;
        }
        t->count[ch] += count;
        t->hcount[r] += count;
        cur = ch;
    }
    return 0;
}

/* -------------------------------------------------------------------------
   Result                                                                   */

typedef struct {
    uint64_t offset;            /* into items */
    uint32_t len, count;
} itemset_t;

struct rules_fpg_result {
    uint32_t n_baskets, min_count, longest;
    itemset_t *sets;
    uint64_t nsets, sets_cap;
    uint32_t *items;            /* itemset items: ranks while mining, ids after */
    uint64_t nitems, items_cap;
    size_t *by_len;             /* by_len[k] = itemsets with k items */
    rules_fpg_rule_t *rules;
    uint64_t nrules, rules_cap;
    uint32_t *rule_items;       /* antecedents */
    uint64_t nrule_items, rule_items_cap;
};

void rules_fpg_result_destroy (rules_fpg_result_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rules_fpg_result_t *self = *self_p;
    free (self->sets);
    free (self->items);
    free (self->by_len);
    free (self->rules);
    free (self->rule_items);
    free (self);
    *self_p = NULL;
}

uint32_t rules_fpg_result_baskets (const rules_fpg_result_t *self) { return self->n_baskets; }
uint32_t rules_fpg_result_min_count (const rules_fpg_result_t *self) { return self->min_count; }
size_t rules_fpg_result_itemset_count (const rules_fpg_result_t *self) { return self->nsets; }
uint32_t rules_fpg_result_max_len (const rules_fpg_result_t *self) { return self->longest; }
size_t rules_fpg_result_rule_count (const rules_fpg_result_t *self) { return self->nrules; }

size_t rules_fpg_result_itemset_count_len (const rules_fpg_result_t *self, uint32_t len)
{
    return len >= 1 && len <= self->longest ? self->by_len[len] : 0;
}

const uint32_t *rules_fpg_result_itemset (const rules_fpg_result_t *self, size_t i,
                                    uint32_t *len, uint32_t *count)
{
    if (i >= self->nsets) {
        *len = 0;
        *count = 0;
        return NULL;
    }
    *len = self->sets[i].len;
    *count = self->sets[i].count;
    return self->items + self->sets[i].offset;
}

const rules_fpg_rule_t *rules_fpg_result_rule (const rules_fpg_result_t *self, size_t i)
{
    return i < self->nrules ? &self->rules[i] : NULL;
}

/* -------------------------------------------------------------------------
   Mining                                                                   */

typedef struct {
    const rules_fpg_params_t *params;
    uint32_t min_count, max_len, nranks;
    tree_t *levels;             /* levels[d]: the tree mined at depth d   */
    uint32_t nlevels;
    uint32_t **cond;            /* per depth: conditional counts by rank  */
    uint32_t *prefix;           /* ranks of the current prefix, descending */
    uint32_t *path;             /* scratch for one path                    */
    rules_fpg_result_t *res;
    const char *fail;           /* set on the first failure */
} miner_t;

static int s_emit (miner_t *m, uint32_t depth, uint32_t count)
{
    rules_fpg_result_t *r = m->res;
    if (m->params->max_itemsets && r->nsets >= m->params->max_itemsets) {
        m->fail = rules_fpg_err_budget;
        return -1;
    }
    uint32_t len = depth + 1;
    if (s_grow ((void **) &r->sets, &r->sets_cap, r->nsets + 1, sizeof *r->sets)
        || s_grow ((void **) &r->items, &r->items_cap, r->nitems + len, sizeof *r->items)) {
        m->fail = "out of memory";
        return -1;
    }
    /*  The prefix is descending; store ascending.  */
    for (uint32_t i = 0; i < len; i++)
        r->items[r->nitems + i] = m->prefix[depth - i];
    r->sets[r->nsets++] = (itemset_t) { .offset = r->nitems, .len = len, .count = count };
    r->nitems += len;
    if (len > r->longest)
        r->longest = len;
    return 0;
}

/*  Mines tree levels[depth]; prefix[0..depth) holds the items above it.    */
static int s_mine (miner_t *m, uint32_t depth)
{
    tree_t *t = &m->levels[depth];
    for (uint32_t r = t->nranks; r-- > 0;) {
        uint32_t support = t->hcount[r];
        if (support < m->min_count)
            continue;
        m->prefix[depth] = r;
        if (s_emit (m, depth, support))
            return -1;
        if (depth + 1 >= m->max_len || r == 0)
            continue;
        /*  Conditional pattern base of r: count the items on its paths.    */
        uint32_t *cc = m->cond[depth];
        memset (cc, 0, r * sizeof *cc);
        bool any = false;
        for (uint32_t x = t->head[r]; x; x = t->link[x])
            for (uint32_t p = t->parent[x]; p; p = t->parent[p])
                cc[t->item[p]] += t->count[x];
        for (uint32_t i = 0; i < r && !any; i++)
            any = cc[i] >= m->min_count;
        if (!any)
            continue;
        tree_t *ct = &m->levels[depth + 1];
        if (s_tree_reset (ct, r)) {
            m->fail = "out of memory";
            return -1;
        }
        for (uint32_t x = t->head[r]; x; x = t->link[x]) {
            uint32_t len = 0;
            for (uint32_t p = t->parent[x]; p; p = t->parent[p])
                if (cc[t->item[p]] >= m->min_count)
                    m->path[len++] = t->item[p];
            if (!len)
                continue;
            for (uint32_t i = 0; i < len / 2; i++) {
                uint32_t tmp = m->path[i];
                m->path[i] = m->path[len - 1 - i];
                m->path[len - 1 - i] = tmp;
            }
            if (s_tree_insert (ct, m->path, len, t->count[x])) {
                m->fail = "out of memory";
                return -1;
            }
        }
        if (s_mine (m, depth + 1))
            return -1;
    }
    return 0;
}

/* -------------------------------------------------------------------------
   Rules: every frequent itemset Z (|Z| >= 2) and y in Z gives X = Z \ {y};
   count(X) is found in a hash of the itemsets (every subset of a frequent
   itemset is frequent and no longer, so it is always there).               */

typedef struct {
    const rules_fpg_result_t *res;
    uint64_t *slots;            /* itemset index + 1; 0 = empty */
    size_t cap;
} setindex_t;

static uint64_t s_hash_items (const uint32_t *items, uint32_t len)
{
    uint64_t h = 1469598103934665603ull ^ len;
    for (uint32_t i = 0; i < len; i++) {
        h ^= items[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

static int s_setindex_build (setindex_t *ix, const rules_fpg_result_t *r)
{
    ix->res = r;
    ix->cap = 64;
    while (ix->cap < r->nsets * 2)
        ix->cap *= 2;
    ix->slots = calloc (ix->cap, sizeof *ix->slots);
    if (!ix->slots)
        return -1;
    for (uint64_t i = 0; i < r->nsets; i++) {
        const itemset_t *s = &r->sets[i];
        size_t j = s_hash_items (r->items + s->offset, s->len) & (ix->cap - 1);
        while (ix->slots[j])
            j = (j + 1) & (ix->cap - 1);
        ix->slots[j] = i + 1;
    }
    return 0;
}

static const itemset_t *s_setindex_find (const setindex_t *ix, const uint32_t *items, uint32_t len)
{
    size_t j = s_hash_items (items, len) & (ix->cap - 1);
    while (ix->slots[j]) {
        const itemset_t *s = &ix->res->sets[ix->slots[j] - 1];
        if (s->len == len && !memcmp (ix->res->items + s->offset, items, len * sizeof *items))
            return s;
        j = (j + 1) & (ix->cap - 1);
    }
    return NULL;
}

static int s_make_rules (rules_fpg_result_t *r, const rules_fpg_params_t *p,
                       const uint32_t *rank_count, const uint32_t *rank_id)
{
    if (p->min_confidence > 1.0)
        return 0;
    setindex_t ix;
    if (s_setindex_build (&ix, r))
        return -1;
    double n = r->n_baskets;
    uint32_t buf[64];
    uint32_t *x = r->longest <= 64 ? buf : malloc (r->longest * sizeof *x);
    int rc = x ? 0 : -1;
    for (uint64_t i = 0; i < r->nsets && !rc; i++) {
        itemset_t z = r->sets[i];
        if (z.len < 2)
            continue;
        for (uint32_t j = 0; j < z.len && !rc; j++) {
            const uint32_t *zi = r->items + z.offset;
            uint32_t k = 0;
            for (uint32_t q = 0; q < z.len; q++)
                if (q != j)
                    x[k++] = zi[q];
            const itemset_t *xs = s_setindex_find (&ix, x, k);
            if (!xs) {
                rc = -1;        /* impossible by the downward closure */
                break;
            }
            double conf = (double) z.count / xs->count;
            if (conf < p->min_confidence)
                continue;
            uint32_t y = zi[j];
            if (s_grow ((void **) &r->rules, &r->rules_cap, r->nrules + 1, sizeof *r->rules)
                || s_grow ((void **) &r->rule_items, &r->rule_items_cap,
                         r->nrule_items + k, sizeof *r->rule_items)) {
                rc = -1;
                break;
            }
            double supp = z.count / n, supp_x = xs->count / n, supp_y = rank_count[y] / n;
            for (uint32_t q = 0; q < k; q++)
                r->rule_items[r->nrule_items + q] = rank_id[x[q]];
            qsort (r->rule_items + r->nrule_items, k, sizeof (uint32_t), s_cmp_u32);
            r->rules[r->nrules++] = (rules_fpg_rule_t) {
                /*  antecedent is an offset until the pool stops moving     */
                .antecedent = (const uint32_t *) (uintptr_t) r->nrule_items,
                .antecedent_len = k,
                .consequent = rank_id[y],
                .count = z.count,
                .support = supp,
                .confidence = conf,
                .lift = conf / supp_y,
                .leverage = supp - supp_x * supp_y,
                .conviction = conf >= 1.0 ? INFINITY : (1.0 - supp_y) / (1.0 - conf),
            };
            r->nrule_items += k;
        }
    }
    if (x != buf)
        free (x);
    free (ix.slots);
    for (uint64_t i = 0; i < r->nrules; i++)
        r->rules[i].antecedent = r->rule_items + (uintptr_t) r->rules[i].antecedent;
    return rc;
}

static int s_cmp_rule (const void *a, const void *b)
{
    const rules_fpg_rule_t *x = a, *y = b;
    double sx = x->lift * x->confidence, sy = y->lift * y->confidence;
    if (sx != sy)
        return sx > sy ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    if (x->consequent != y->consequent)
        return x->consequent < y->consequent ? -1 : 1;
    uint32_t n = x->antecedent_len < y->antecedent_len ? x->antecedent_len : y->antecedent_len;
    for (uint32_t i = 0; i < n; i++)
        if (x->antecedent[i] != y->antecedent[i])
            return x->antecedent[i] < y->antecedent[i] ? -1 : 1;
    return (x->antecedent_len > y->antecedent_len) - (x->antecedent_len < y->antecedent_len);
}

typedef struct { uint32_t id, count; } item_freq_t;

static int s_cmp_freq (const void *a, const void *b)
{
    const item_freq_t *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static void s_set_err (char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf (err, errlen, "%s", msg);
}

/*  The frequent items, ranked by descending count (ties: id): rank -> id,
    rank -> count, and id -> rank.  */
typedef struct {
    uint32_t n;
    uint32_t *id, *count;
    u32map_t rank_of;
} ranks_t;

static void s_ranks_free (ranks_t *r)
{
    free (r->id);
    free (r->count);
    s_u32map_free (&r->rank_of);
}

/*  Steps 1 and 2: item frequencies, then the frequent ones ranked.  NULL or
    why it failed.  */
static const char *s_rank_items (const rules_fpg_baskets_t *b, uint32_t min_count, ranks_t *out)
{
    u32map_t freq = { 0 };
    item_freq_t *ranked = NULL;
    const char *fail = s_u32map_init (&freq, 1024) ? "out of memory" : NULL;
    for (uint64_t i = 0; i < b->nitems && !fail; i++) {
        uint32_t *c = s_u32map_slot (&freq, b->items[i]);
        if (!c)
            fail = "out of memory";
        else
            (*c)++;
    }
    if (!fail && !(ranked = malloc ((freq.n ? freq.n : 1) * sizeof *ranked)))
        fail = "out of memory";
    uint32_t n = 0;
    for (size_t i = 0; !fail && i < freq.cap; i++)
        if (freq.used[i] && freq.vals[i] >= min_count)
            ranked[n++] = (item_freq_t) { freq.keys[i], freq.vals[i] };
    if (!fail) {
        qsort (ranked, n, sizeof *ranked, s_cmp_freq);
        out->n = n;
        out->id = malloc ((n ? n : 1) * sizeof *out->id);
        out->count = malloc ((n ? n : 1) * sizeof *out->count);
        if (!out->id || !out->count || s_u32map_init (&out->rank_of, n))
            fail = "out of memory";
    }
    for (uint32_t r = 0; !fail && r < n; r++) {
        out->id[r] = ranked[r].id;
        out->count[r] = ranked[r].count;
        uint32_t *slot = s_u32map_slot (&out->rank_of, ranked[r].id);
        if (!slot)
            fail = "out of memory";
        else
            *slot = r;
    }
    free (ranked);
    s_u32map_free (&freq);
    return fail;
}

static void s_miner_free (miner_t *m)
{
    if (m->levels)
        for (uint32_t d = 0; d < m->nlevels; d++)
            s_tree_free (&m->levels[d]);
    if (m->cond)
        for (uint32_t d = 0; d < m->nlevels; d++)
            free (m->cond[d]);
    free (m->levels);
    free (m->cond);
    free (m->prefix);
    free (m->path);
}

/*  Step 3: the FP-tree, one level per possible itemset length; every basket
    inserted as its frequent items in rank order.  NULL or why it failed.   */
static const char *s_build_tree (miner_t *m, const rules_fpg_baskets_t *b, const ranks_t *ranks)
{
    uint32_t nranks = ranks->n;
    m->nlevels = (m->max_len < nranks ? m->max_len : nranks) + 1;
    m->levels = calloc (m->nlevels, sizeof *m->levels);
    m->cond = calloc (m->nlevels, sizeof *m->cond);
    m->prefix = calloc (m->nlevels, sizeof *m->prefix);
    m->path = malloc (nranks * sizeof *m->path);
    if (!m->levels || !m->cond || !m->prefix || !m->path)
        return "out of memory";
    for (uint32_t d = 0; d < m->nlevels; d++) {
        m->cond[d] = malloc (nranks * sizeof **m->cond);
        if (!m->cond[d] || s_tree_init (&m->levels[d], nranks))
            return "out of memory";
    }
    uint32_t *path = m->path;
    if (s_tree_reset (&m->levels[0], nranks) || s_tree_reserve (&m->levels[0], b->nitems / 4 + 1))
        return "out of memory";
    for (uint32_t i = 0; i < b->n; i++) {
        uint32_t len = 0;
        for (uint64_t k = b->offsets[i]; k < b->offsets[i + 1]; k++) {
            const uint32_t *r = s_u32map_get (&ranks->rank_of, b->items[k]);
            if (r)
                path[len++] = *r;
        }
        if (!len)
            continue;
        qsort (path, len, sizeof *path, s_cmp_u32);
        if (s_tree_insert (&m->levels[0], path, len, 1))
            return "out of memory";
    }
    return NULL;
}

/*  Step 5: itemset counts by length, the rules (best first), and itemsets
    from ranks back to item ids, sorted ascending.  NULL or why it failed. */
static const char *s_finish (rules_fpg_result_t *res, const rules_fpg_params_t *p, const ranks_t *ranks)
{
    res->by_len = calloc ((size_t) res->longest + 1, sizeof *res->by_len);
    if (!res->by_len)
        return "out of memory";
    for (uint64_t i = 0; i < res->nsets; i++)
        res->by_len[res->sets[i].len]++;
    if (s_make_rules (res, p, ranks->count, ranks->id))
        return "out of memory while building rules";
    if (res->nrules)
        qsort (res->rules, res->nrules, sizeof *res->rules, s_cmp_rule);
    for (uint64_t i = 0; i < res->nsets; i++) {
        uint32_t *it = res->items + res->sets[i].offset;
        for (uint32_t k = 0; k < res->sets[i].len; k++)
            it[k] = ranks->id[it[k]];
        qsort (it, res->sets[i].len, sizeof *it, s_cmp_u32);
    }
    return NULL;
}

rules_fpg_result_t *rules_fpg_mine (const rules_fpg_baskets_t *b, const rules_fpg_params_t *p, char *err, size_t errlen)
{
    if (!(p->min_support >= 0 && p->min_support <= 1)) {
        s_set_err (err, errlen, "min_support must be in [0, 1]");
        return NULL;
    }
    if (!(p->min_confidence >= 0)) {
        s_set_err (err, errlen, "min_confidence must be >= 0");
        return NULL;
    }
    rules_fpg_result_t *res = calloc (1, sizeof *res);
    if (!res) {
        s_set_err (err, errlen, "out of memory");
        return NULL;
    }
    res->n_baskets = b->n;
    res->min_count = rules_fpg_min_count (b->n, p->min_support, p->min_count_floor);
    ranks_t ranks = { 0 };
    miner_t m = { .params = p, .min_count = res->min_count, .res = res };
    m.max_len = p->max_len ? p->max_len : UINT32_MAX;
    const char *fail = s_rank_items (b, res->min_count, &ranks);
    m.nranks = ranks.n;
    if (!fail && ranks.n > 0 && !(fail = s_build_tree (&m, b, &ranks)) && s_mine (&m, 0))
        fail = m.fail ? m.fail : "mining failed";          /* 4. FP-Growth */
    if (!fail)
        fail = s_finish (res, p, &ranks);
    s_miner_free (&m);
    s_ranks_free (&ranks);
    if (fail) {
        s_set_err (err, errlen, fail);
        rules_fpg_result_destroy (&res);
    }
    return res;
}
