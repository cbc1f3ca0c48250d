/*  fpgrowth — frequent itemsets and association rules (FP-Growth).

    A dependency-free library: baskets of uint32 item ids in, frequent
    itemsets and one-consequent rules out.  Used by rules-svc (training),
    `hybridrec mine-rules` and `hybridrec eval` (the "rules" strategy).

    Semantics follow R's arules (Hahsler et al.), so results can be checked
    against published numbers:
      - an itemset is frequent iff count / N >= min_support, i.e.
        count >= ceil(min_support × N), N = number of baskets INCLUDING
        empty ones; min_count_floor can raise that threshold;
      - itemsets have at most max_len items (arules' maxlen, default 10);
      - rules X -> {y} have exactly one consequent and a non-empty
        antecedent; X ∪ {y} is frequent; confidence = count(X∪y)/count(X)
        must be >= min_confidence.
    Measures of a rule (supports are fractions of N):
      support    = supp(X∪y)          confidence = supp(X∪y) / supp(X)
      lift       = conf / supp(y)     leverage   = supp(X∪y) - supp(X)·supp(y)
      conviction = (1 - supp(y)) / (1 - conf)   (INFINITY when conf == 1)

    Duplicate items inside a basket count once.  Item ids may be any uint32
    (they need not be dense).  Counts are uint32.

    Usage:
        rules_fpg_baskets_t *b = rules_fpg_baskets_new ();
        rules_fpg_baskets_add (b, (uint32_t[]){3, 7, 9}, 3);        // per basket
        rules_fpg_params_t p = rules_fpg_params_default ();
        p.min_support = 0.01; p.min_confidence = 0.5;
        char err[128];
        rules_fpg_result_t *r = rules_fpg_mine (b, &p, err, sizeof err); // NULL + err on failure
        for (size_t i = 0; i < rules_fpg_result_rule_count (r); i++) {
            const rules_fpg_rule_t *rule = rules_fpg_result_rule (r, i); ...
        }
        rules_fpg_result_destroy (&r); rules_fpg_baskets_destroy (&b);                  */
#ifndef FPGROWTH_H
#define FPGROWTH_H
#include <stddef.h>
#include <stdint.h>

/*  The transactions: a growing, compact (CSR) list of baskets.            */
typedef struct rules_fpg_baskets rules_fpg_baskets_t;

rules_fpg_baskets_t *rules_fpg_baskets_new (void);
void rules_fpg_baskets_destroy (rules_fpg_baskets_t **self_p);
/*  Appends one basket (n may be 0: an empty basket still counts in N).
    Duplicates within the basket are removed.  0, or -1 when out of memory
    or past UINT32_MAX baskets/items.  */
int rules_fpg_baskets_add (rules_fpg_baskets_t *self, const uint32_t *items, size_t n);
uint32_t rules_fpg_baskets_count (const rules_fpg_baskets_t *self);
/*  Item occurrences stored (after de-duplication).  */
uint64_t rules_fpg_baskets_items (const rules_fpg_baskets_t *self);
/*  Basket i: pointer to its items (sorted ascending, distinct) and count.   */
const uint32_t *rules_fpg_baskets_at (const rules_fpg_baskets_t *self, uint32_t i, uint32_t *n);

typedef struct {
    double min_support;         /* fraction of baskets, 0..1 */
    double min_confidence;      /* 0..1; > 1 mines itemsets only */
    uint32_t max_len;           /* longest itemset; 0 = unlimited */
    uint32_t min_count_floor;   /* absolute minimum count (≥ 1 always applies) */
    size_t max_itemsets;        /* give up beyond this many (explosion guard); 0 = unlimited */
} rules_fpg_params_t;

/*  min_support 0.01, min_confidence 0.5, max_len 10, min_count_floor 1,
    max_itemsets 20,000,000.  */
rules_fpg_params_t rules_fpg_params_default (void);

/*  The smallest count c with c / n_baskets >= min_support (exactly as
    arules compares), at least max(1, min_count_floor).  */
uint32_t rules_fpg_min_count (uint32_t n_baskets, double min_support, uint32_t min_count_floor);

typedef struct {
    const uint32_t *antecedent; /* sorted ascending (item ids) */
    uint32_t antecedent_len;    /* >= 1 */
    uint32_t consequent;
    uint32_t count;             /* baskets holding antecedent ∪ consequent */
    double support, confidence, lift, leverage, conviction;
} rules_fpg_rule_t;

typedef struct rules_fpg_result rules_fpg_result_t;

/*  Mines the baskets.  NULL with a message in err on invalid parameters,
    out of memory, or more than max_itemsets itemsets.  */
rules_fpg_result_t *rules_fpg_mine (const rules_fpg_baskets_t *baskets, const rules_fpg_params_t *params,
                        char *err, size_t errlen);
/*  The message of the max_itemsets failure (compare with strcmp).         */
extern const char rules_fpg_err_budget[];
void rules_fpg_result_destroy (rules_fpg_result_t **self_p);

uint32_t rules_fpg_result_baskets (const rules_fpg_result_t *self);      /* N */
uint32_t rules_fpg_result_min_count (const rules_fpg_result_t *self);
/*  Frequent itemsets (all sizes >= 1), in no particular order.            */
size_t rules_fpg_result_itemset_count (const rules_fpg_result_t *self);
/*  Itemsets with exactly `len` items (0 for len 0 or beyond the longest).  */
size_t rules_fpg_result_itemset_count_len (const rules_fpg_result_t *self, uint32_t len);
uint32_t rules_fpg_result_max_len (const rules_fpg_result_t *self);      /* longest found */
/*  Itemset i: items (sorted ascending item ids), *len set, *count set.     */
const uint32_t *rules_fpg_result_itemset (const rules_fpg_result_t *self, size_t i,
                                    uint32_t *len, uint32_t *count);
/*  Rules, sorted by lift × confidence descending (ties: count, then ids).  */
size_t rules_fpg_result_rule_count (const rules_fpg_result_t *self);
const rules_fpg_rule_t *rules_fpg_result_rule (const rules_fpg_result_t *self, size_t i);

#endif
