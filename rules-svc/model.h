/*  rules_model — the association rules rules-svc serves, as one immutable
    object decoded from a published model blob (hr_model_store).

    Items are product ids, stored sorted so a lookup is a binary search;
    rules are indexed by the first (smallest) item of their antecedent, and
    each index list is sorted by score = lift × confidence, so
      for_product(p)  = the rules {p} -> y, already in order, and
      for_user(H)     = every rule whose first antecedent item is in H and
                        whose other antecedent items are in H too — each
                        matching rule is met exactly once.

    Blob layout (hr_wire, little-endian), format 1:
      u32 magic 0x4C525248 ("HRRL"), u32 format = 1,
      u32 nitems, nitems × 10-byte product id (strictly ascending),
      u32 nrules, per rule: u8 alen (1..RULES_MAX_ANTECEDENT),
        alen × u32 item (strictly ascending), u32 consequent item,
        u32 count, f32 support, f32 confidence, f32 lift.                  */
#ifndef RULES_MODEL_H
#define RULES_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include "fpgrowth.h"
#include "hr_wire.h"
#include "item_dict.h"

#define RULES_MODEL_MAGIC 0x4C525248u
#define RULES_MODEL_FORMAT 1u
#define RULES_MAX_ANTECEDENT 16

/*  Writes the blob for the rules of `res` whose items (dict names) are
    valid product ids: the first max_rules (res is sorted by lift ×
    confidence; 0 = all).  Returns the number of rules written, -1 on OOM. */
long rules_model_encode (const rules_fpg_result_t *res, const rules_item_dict_t *dict,
                         size_t max_rules, hr_writer_t *w);

typedef struct rules_model rules_model_t;

/*  Validates everything; NULL with a reason in err for a malformed blob.   */
rules_model_t *rules_model_decode (const void *blob, size_t len, char *err, size_t errlen);
void rules_model_destroy (rules_model_t **self_p);
uint32_t rules_model_rule_count (const rules_model_t *self);
uint32_t rules_model_item_count (const rules_model_t *self);

/*  The item index of a 10-byte product id, or -1.                          */
int64_t rules_model_find (const rules_model_t *self, const char *id10);
/*  The 10 bytes of an item's product id (not NUL-terminated).             */
const char *rules_model_item_id (const rules_model_t *self, uint32_t item);

typedef struct {
    uint32_t item;              /* recommended item (consequent) */
    float score;                /* lift × confidence of the best rule */
    uint32_t rule;              /* that rule, for rules_model_antecedent */
} rules_hit_t;

/*  "Frequently viewed together": consequents of {product} -> y, best
    first.  Returns how many hits were written (<= limit).                 */
size_t rules_model_for_product (const rules_model_t *self, const char *id10,
                                size_t limit, rules_hit_t *out);
/*  Consequents of the rules whose antecedent ⊆ the given product ids
    (a user's recent clicks; unknown ids are ignored), each item once with
    its best rule, never one of the given ids; best first.  -1 on OOM.     */
long rules_model_for_user (const rules_model_t *self, const char *const *ids10, size_t nids,
                           size_t limit, rules_hit_t *out);
/*  The antecedent of a rule as product ids joined by '+' (the wire's
    `source`); returns its length (truncated to cap - 1).                  */
size_t rules_model_antecedent (const rules_model_t *self, uint32_t rule, char *buf, size_t cap);
#endif
