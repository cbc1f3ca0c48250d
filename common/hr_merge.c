/*  hr_merge — the hybrid merge (see hr_merge.h for the contract).

    Per source: scores are divided by the source's maximum so that every
    source spans (0,1] whatever its scale (cosine, lift, decayed counts...),
    then multiplied by its weight.  A product counts once per source (its
    best item there), contributions add up across sources.  Items without a
    usable score (NaN, infinite, <= 0) and sources with a weight <= 0 add
    nothing: a disabled source must not leak items into the result.

    One open-addressing table keyed by product id holds the accumulators;
    it is the only allocation, sized from the inputs.                      */
#include "hr_merge.h"
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const hr_scored_t *best_item;   /* the item of the largest contribution */
    double sum;
    float parts[HR_MERGE_MAX_SOURCES];
    int best_source;
    bool used;
} slot_t;

static uint64_t
hash_id (const char *id)
{
    uint64_t h = 1469598103934665603ULL;     /* FNV-1a over the 10 id bytes */
    for (int i = 0; i < HR_PRODUCT_ID_LEN; i++) {
        h ^= (unsigned char) id[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static bool
is_excluded (const char *id, const char *const *exclude, uint32_t nexclude)
{
    for (uint32_t i = 0; i < nexclude; i++)
        if (exclude[i] && memcmp (exclude[i], id, HR_PRODUCT_ID_LEN) == 0)
            return true;
    return false;
}

static slot_t *
find_slot (slot_t *table, size_t mask, const char *id)
{
    size_t at = (size_t) hash_id (id) & mask;
    while (table[at].used && memcmp (table[at].best_item->id, id, HR_PRODUCT_ID_LEN) != 0)
        at = (at + 1) & mask;
    return &table[at];
}

static double
source_max (const hr_merge_source_t *s)
{
    double max = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        double v = s->items[i].score;
        if (isfinite (v) && v > max)
            max = v;
    }
    return max;
}

static int
by_score_then_id (const void *a, const void *b)
{
    const hr_merged_t *x = a, *y = b;
    if (x->item.score > y->item.score)
        return -1;
    if (x->item.score < y->item.score)
        return 1;
    return memcmp (x->item.id, y->item.id, HR_PRODUCT_ID_LEN);
}

static int
by_sum_then_id (const void *a, const void *b)
{
    const slot_t *x = *(slot_t *const *) a, *y = *(slot_t *const *) b;
    if (x->sum > y->sum)
        return -1;
    if (x->sum < y->sum)
        return 1;
    return memcmp (x->best_item->id, y->best_item->id, HR_PRODUCT_ID_LEN);
}

int
hr_merge (const hr_merge_source_t *src, int nsrc,
          const char *const *exclude, uint32_t nexclude,
          uint32_t limit, hr_merged_t *out)
{
    if (nsrc < 0 || nsrc > HR_MERGE_MAX_SOURCES || (nsrc > 0 && !src)
        || (limit > 0 && !out) || (nexclude > 0 && !exclude))
        return -1;
    size_t total = 0;
    for (int s = 0; s < nsrc; s++) {
        if (src[s].n > 0 && !src[s].items)
            return -1;
        total += src[s].n;
    }
    if (limit == 0 || total == 0)
        return 0;

    size_t cap = 16;
    while (cap < total * 2)
        cap <<= 1;
    slot_t *table = calloc (cap, sizeof *table);
    slot_t **used = malloc (total * sizeof *used);
    if (!table || !used) {
        free (table);
        free (used);
        return -1;
    }
    size_t nused = 0;
    for (int s = 0; s < nsrc; s++) {
        double max = source_max (&src[s]);
        if (!(src[s].weight > 0) || !(max > 0))
            continue;
        for (uint32_t i = 0; i < src[s].n; i++) {
            const hr_scored_t *item = &src[s].items[i];
            double v = item->score;
            if (!isfinite (v) || v <= 0 || is_excluded (item->id, exclude, nexclude))
                continue;
            float part = (float) (v / max * src[s].weight);
            slot_t *slot = find_slot (table, cap - 1, item->id);
            if (!slot->used) {
                slot->used = true;
                slot->best_item = item;
                slot->best_source = s;
                used[nused++] = slot;
            }
            if (part <= slot->parts[s])
                continue;               /* a duplicate within one source counts once */
            slot->sum += part - slot->parts[s];
            slot->parts[s] = part;
            if (part > slot->parts[slot->best_source]
                || (s == slot->best_source && slot->best_item != item)) {
                slot->best_source = s;
                slot->best_item = item;
            }
        }
    }
    /*  Order on the double sums first so the cut at `limit` does not depend
        on float rounding; then re-sort the (short) output on its floats.    */
    qsort (used, nused, sizeof *used, by_sum_then_id);
    uint32_t n = nused < limit ? (uint32_t) nused : limit;
    for (uint32_t i = 0; i < n; i++) {
        slot_t *slot = used[i];
        out[i].item = *slot->best_item;
        out[i].item.score = (float) slot->sum;
        memcpy (out[i].parts, slot->parts, sizeof out[i].parts);
        out[i].best_source = slot->best_source;
    }
    qsort (out, n, sizeof *out, by_score_then_id);
    free (table);
    free (used);
    return (int) n;
}
