/*  The "rules" strategy of the evaluation (see eval_strategies.h): mined
    with rules-svc's FP-Growth, then encoded and decoded as the very
    rules_model blob rules-svc serves, and matched with its
    rules_model_for_user — so the evaluation scores what is served.

    rules_model speaks product ids; an item's product id here is its dense
    index as ten digits ("%010u"), which sorts like the index and maps back
    with one strtoul.  Like rules-svc's for_user, only the newest
    EVAL_RULES_HISTORY distinct clicks are matched (HR_RULES_HISTORY_ITEMS,
    default 20) and history items are never returned.                     */
#include "eval_strategies.h"
#include "rules-svc/fpgrowth.h"
#include "rules-svc/item_dict.h"
#include "rules-svc/mine_adapt.h"
#include "rules-svc/model.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVAL_RULES_HISTORY 20

typedef struct {
    rules_model_t *model;
    rules_hit_t *hits;          /* scratch */
    uint32_t hits_cap;
} rules_t;

static void
s_pid (uint32_t item, char out[HR_PRODUCT_ID_LEN + 1])
{
    snprintf (out, HR_PRODUCT_ID_LEN + 1, "%010u", item);
}

static uint32_t
s_rules_recommend (void *state, const uint32_t *hist, uint32_t n, int64_t now_ms,
                   bool exclude_history, collab_rec_t *out, uint32_t k)
{
    (void) now_ms;
    (void) exclude_history;     /* served rules never return history items */
    rules_t *self = state;
    char names[EVAL_RULES_HISTORY][HR_PRODUCT_ID_LEN + 1];
    const char *ids[EVAL_RULES_HISTORY];
    size_t nids = 0;
    for (uint32_t i = 0; i < n && nids < EVAL_RULES_HISTORY; i++) {
        bool dup = false;
        for (uint32_t j = 0; j < i && !dup; j++)
            dup = hist[j] == hist[i];
        if (!dup) {
            s_pid (hist[i], names[nids]);
            ids[nids] = names[nids];
            nids++;
        }
    }
    /* ask for extra hits: those in the older history get filtered out */
    uint32_t want = k + (n > nids ? n - (uint32_t) nids : 0);
    if (want > self->hits_cap) {
        rules_hit_t *h = realloc (self->hits, want * sizeof *h);
        if (!h)
            return 0;
        self->hits = h;
        self->hits_cap = want;
    }
    long got = rules_model_for_user (self->model, ids, nids, want, self->hits);
    uint32_t nout = 0;
    for (long i = 0; i < got && nout < k; i++) {
        char id[HR_PRODUCT_ID_LEN + 1];
        memcpy (id, rules_model_item_id (self->model, self->hits[i].item), HR_PRODUCT_ID_LEN);
        id[HR_PRODUCT_ID_LEN] = 0;
        uint32_t item = (uint32_t) strtoul (id, NULL, 10);
        bool in_hist = false;
        for (uint32_t j = 0; j < n && !in_hist; j++)
            in_hist = hist[j] == item;
        if (!in_hist)
            out[nout++] = (collab_rec_t) { item, self->hits[i].score };
    }
    return nout;
}

static void
s_rules_destroy (void *state)
{
    rules_t *self = state;
    rules_model_destroy (&self->model);
    free (self->hits);
    free (self);
}

int
eval_rules (eval_strategy_t *st, const collab_log_t *train, uint32_t n_items,
                   const eval_rules_params_t *params, char *err, size_t errlen)
{
    rules_t *self = calloc (1, sizeof *self);
    rules_fpg_baskets_t *baskets = rules_fpg_baskets_new ();
    rules_item_dict_t *dict = rules_item_dict_new ();
    rules_fpg_result_t *mined = NULL;
    hr_writer_t w;
    hr_writer_init (&w);
    if (!self || !baskets || !dict)
        goto oom;
    for (uint32_t s = 0; s < train->n_sessions; s++)
        if (rules_fpg_baskets_add (baskets, train->item + train->start[s], collab_log_len (train, s)))
            goto oom;
    for (uint32_t i = 0; i < n_items; i++) {
        char id[HR_PRODUCT_ID_LEN + 1];
        s_pid (i, id);
        if (rules_item_dict_intern (dict, id, HR_PRODUCT_ID_LEN) != i)
            goto oom;
    }
    rules_fpg_params_t fp = rules_fpg_params_default ();
    fp.min_support = params->min_support;
    fp.min_confidence = params->min_confidence;
    fp.max_len = params->max_len;
    if (params->max_itemsets > 0) {
        rules_mine_adapt_t adapt;
        fp.min_count_floor = params->min_count_floor ? params->min_count_floor : 1;
        fp.max_itemsets = params->max_itemsets;
        mined = rules_mine_adapt (baskets, &fp, params->basket_cap < 2 ? 2 : params->basket_cap,
                            &adapt, err, errlen);
    }
    else
        mined = rules_fpg_mine (baskets, &fp, err, errlen);
    if (!mined)
        goto fail;
    if (rules_model_encode (mined, dict, 0, &w) < 0 || w.oom)
        goto oom;
    self->model = rules_model_decode (w.data, w.len, err, errlen);
    if (!self->model)
        goto fail;
    rules_fpg_result_destroy (&mined);
    rules_fpg_baskets_destroy (&baskets);
    rules_item_dict_destroy (&dict);
    hr_writer_free (&w);
    *st = (eval_strategy_t) { .name = "rules", .state = self,
                              .recommend = s_rules_recommend,
                              .destroy = s_rules_destroy,
                              .note = "FP-Growth, rules-svc's rules_model matcher" };
    return 0;
oom:
    snprintf (err, errlen, "rules: out of memory");
fail:
    rules_fpg_result_destroy (&mined);
    rules_fpg_baskets_destroy (&baskets);
    rules_item_dict_destroy (&dict);
    hr_writer_free (&w);
    if (self)
        s_rules_destroy (self);
    return -1;
}
