/*  The "rules" strategy of the evaluation (see eval_strategies.h).  The
    rules are indexed under their smallest antecedent item, so a history
    visits only rules that can match.                                      */
#include "eval_strategies.h"
#include "fpgrowth.h"
#include <stdlib.h>
#include <string.h>

typedef struct {
    fpg_result_t *rules;
    uint32_t n_items;
    uint32_t *by_first_start;   /* item -> rule indices (CSR) */
    uint32_t *by_first;
    uint8_t *in_hist;           /* scratch */
    double *score;
    uint32_t *touched;
} rules_t;

static uint32_t
s_rules_recommend (void *state, const uint32_t *hist, uint32_t n, int64_t now_ms,
                   bool exclude_history, collab_rec_t *out, uint32_t k)
{
    (void) now_ms;
    rules_t *self = state;
    for (uint32_t i = 0; i < n; i++)
        if (hist[i] < self->n_items)
            self->in_hist[hist[i]] = 1;
    uint32_t nt = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t h = hist[i];
        if (h >= self->n_items || self->in_hist[h] != 1)
            continue;
        self->in_hist[h] = 2;                  /* visit each item's rules once */
        for (uint32_t r = self->by_first_start[h]; r < self->by_first_start[h + 1]; r++) {
            const fpg_rule_t *rule = fpg_result_rule (self->rules, self->by_first[r]);
            bool match = true;
            for (uint32_t a = 1; a < rule->antecedent_len && match; a++)
                match = self->in_hist[rule->antecedent[a]] != 0;
            uint32_t c = rule->consequent;
            if (!match || (exclude_history && self->in_hist[c]))
                continue;
            double v = rule->lift * rule->confidence;
            if (self->score[c] == 0)
                self->touched[nt++] = c;
            if (v > self->score[c])
                self->score[c] = v;
        }
    }
    uint32_t nout = 0;
    for (uint32_t t = 0; t < nt; t++) {
        uint32_t c = self->touched[t];
        float v = (float) self->score[c];
        self->score[c] = 0;
        if (nout == k && v <= out[k - 1].score)
            continue;
        uint32_t at = nout < k ? nout++ : k - 1;
        while (at > 0 && (out[at - 1].score < v || (out[at - 1].score == v && out[at - 1].item > c))) {
            out[at] = out[at - 1];
            at--;
        }
        out[at] = (collab_rec_t) { c, v };
    }
    for (uint32_t i = 0; i < n; i++)
        if (hist[i] < self->n_items)
            self->in_hist[hist[i]] = 0;
    return nout;
}

static void
s_rules_destroy (void *state)
{
    rules_t *self = state;
    fpg_result_destroy (&self->rules);
    free (self->by_first_start);
    free (self->by_first);
    free (self->in_hist);
    free (self->score);
    free (self->touched);
    free (self);
}

int
collab_eval_rules (collab_eval_strategy_t *st, const collab_log_t *train, uint32_t n_items,
                   const collab_eval_rules_params_t *params, char *err, size_t errlen)
{
    rules_t *self = calloc (1, sizeof *self);
    fpg_baskets_t *baskets = fpg_baskets_new ();
    if (!self || !baskets)
        goto oom;
    self->n_items = n_items;
    for (uint32_t s = 0; s < train->n_sessions; s++)
        if (fpg_baskets_add (baskets, train->item + train->start[s], collab_log_len (train, s)))
            goto oom;
    fpg_params_t fp = fpg_params_default ();
    fp.min_support = params->min_support;
    fp.min_confidence = params->min_confidence;
    fp.max_len = params->max_len;
    self->rules = fpg_mine (baskets, &fp, err, errlen);
    fpg_baskets_destroy (&baskets);
    if (!self->rules) {
        s_rules_destroy (self);
        return -1;
    }
    size_t nr = fpg_result_rule_count (self->rules);
    self->by_first_start = calloc (n_items + 2, sizeof *self->by_first_start);
    self->by_first = malloc ((nr + 1) * sizeof *self->by_first);
    self->in_hist = calloc (n_items + 1, 1);
    self->score = calloc (n_items + 1, sizeof *self->score);
    self->touched = malloc ((n_items + 1) * sizeof *self->touched);
    if (!self->by_first_start || !self->by_first || !self->in_hist || !self->score || !self->touched)
        goto oom;
    for (size_t r = 0; r < nr; r++)
        self->by_first_start[fpg_result_rule (self->rules, r)->antecedent[0] + 1]++;
    for (uint32_t i = 0; i < n_items; i++)
        self->by_first_start[i + 1] += self->by_first_start[i];
    uint32_t *fill = calloc (n_items + 1, sizeof *fill);
    if (!fill)
        goto oom;
    for (size_t r = 0; r < nr; r++) {
        uint32_t a = fpg_result_rule (self->rules, r)->antecedent[0];
        self->by_first[self->by_first_start[a] + fill[a]++] = (uint32_t) r;
    }
    free (fill);
    *st = (collab_eval_strategy_t) { .name = "rules", .state = self,
                                     .recommend = s_rules_recommend,
                                     .destroy = s_rules_destroy,
                                     .note = "FP-Growth on train sessions" };
    return 0;
oom:
    snprintf (err, errlen, "rules: out of memory");
    fpg_baskets_destroy (&baskets);
    if (self)
        s_rules_destroy (self);
    return -1;
}
