/*  hr_merge — the hybrid merge (see hr_merge.h for the contract).

    Per source, each item gets a value: by rank (tie-proof, the default of
    serving) or by the source's maximum (scores divided by it so that every
    source spans (0,1] whatever its scale), multiplied by its weight.  A product counts once per source (its
    best item there), contributions add up across sources.  Items without a
    usable score (NaN, infinite, <= 0) and sources with a weight <= 0 add
    nothing: a disabled source must not leak items into the result.

    One open-addressing table keyed by product id indexes the accumulators
    (a dense array); both are sized from the inputs.                       */
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
} slot_t;

static uint64_t
s_hash_id (const char *id)
{
    uint64_t h = 1469598103934665603ULL;     /* FNV-1a over the 10 id bytes */
    for (int i = 0; i < HR_PRODUCT_ID_LEN; i++) {
        h ^= (unsigned char) id[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/*  The excluded ids: the array as given, and (hr_merge_ex, more than a
    few) an open-addressing set over it, so a /home's ~600 candidates are
    not each compared with every clicked product of the history.           */
typedef struct {
    const char *const *ids;
    uint32_t n;
    const char **set;           /* NULL: scan ids[] */
    size_t mask;
} excluded_t;

#define EXCLUDED_SET_MIN 8      /* fewer: the scan is as fast */

/*  0, or -1 when out of memory (then e->set stays NULL: scanned).  */
static int
s_excluded_init (excluded_t *e, const char *const *ids, uint32_t n, bool with_set)
{
    *e = (excluded_t) { ids, n, NULL, 0 };
    if (!with_set || n < EXCLUDED_SET_MIN)
        return 0;
    size_t cap = 16;
    while (cap < 2 * (size_t) n)
        cap <<= 1;
    e->set = calloc (cap, sizeof *e->set);
    if (!e->set)
        return -1;
    e->mask = cap - 1;
    for (uint32_t i = 0; i < n; i++) {
        if (!ids[i])
            continue;
        size_t at = (size_t) s_hash_id (ids[i]) & e->mask;
        while (e->set[at] && memcmp (e->set[at], ids[i], HR_PRODUCT_ID_LEN) != 0)
            at = (at + 1) & e->mask;
        e->set[at] = ids[i];
    }
    return 0;
}

static bool
s_is_excluded (const char *id, const excluded_t *e)
{
    if (e->set) {
        size_t at = (size_t) s_hash_id (id) & e->mask;
        for (; e->set[at]; at = (at + 1) & e->mask)
            if (memcmp (e->set[at], id, HR_PRODUCT_ID_LEN) == 0)
                return true;
        return false;
    }
    for (uint32_t i = 0; i < e->n; i++)
        if (e->ids[i] && memcmp (e->ids[i], id, HR_PRODUCT_ID_LEN) == 0)
            return true;
    return false;
}

/*  The accumulators live in a dense array (slots[0..nused), filled in
    order of first sight); the open-addressing table maps an id to its
    slot's index + 1, so only 4 bytes a table entry are cleared.           */
static uint32_t *
s_find_entry (uint32_t *table, size_t mask, const slot_t *slots, const char *id)
{
    size_t at = (size_t) s_hash_id (id) & mask;
    while (table[at] && memcmp (slots[table[at] - 1].best_item->id, id, HR_PRODUCT_ID_LEN) != 0)
        at = (at + 1) & mask;
    return &table[at];
}

static double
s_source_max (const hr_merge_source_t *s)
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
s_by_score_then_id (const void *a, const void *b)
{
    const hr_merged_t *x = a, *y = b;
    if (x->item.score > y->item.score)
        return -1;
    if (x->item.score < y->item.score)
        return 1;
    return memcmp (x->item.id, y->item.id, HR_PRODUCT_ID_LEN);
}

static int
s_by_sum_then_id (const void *a, const void *b)
{
    const slot_t *x = *(slot_t *const *) a, *y = *(slot_t *const *) b;
    if (x->sum > y->sum)
        return -1;
    if (x->sum < y->sum)
        return 1;
    return memcmp (x->best_item->id, y->best_item->id, HR_PRODUCT_ID_LEN);
}

static bool
s_slot_before (const slot_t *x, const slot_t *y)
{
    return s_by_sum_then_id (&x, &y) < 0;
}

/*  Sift-down in a heap whose root is its worst element.  */
static void
s_heap_sift (slot_t **h, size_t n, size_t i)
{
    slot_t *v = h[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && s_slot_before (h[c], h[c + 1]))
            c++;                            /* the worse child */
        if (!s_slot_before (v, h[c]))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = v;
}

/*  Moves the k best of a[0..n) to a[0..k), sorted best first: a /home
    merges ~500 candidates to keep ~40, so a bounded heap then a sort of
    the k instead of a sort of all.  The order (sum, then id: ids are
    unique among slots) is total, so the result is the full sort's head.   */
static void
s_top (slot_t **a, size_t n, size_t k)
{
    if (k < n) {
        for (size_t i = k / 2; i-- > 0;)
            s_heap_sift (a, k, i);
        for (size_t j = k; j < n; j++)
            if (s_slot_before (a[j], a[0])) {
                a[0] = a[j];
                s_heap_sift (a, k, 0);
            }
        n = k;
    }
    qsort (a, n, sizeof *a, s_by_sum_then_id);
}

/*  Orders indices by score, descending (qsort_r is not C17: a file-scope
    pointer would not be thread-safe, so a small insertion sort on the
    short candidate lists -- at most a few hundred -- instead).            */
static void
s_sort_by_score (const hr_scored_t *items, uint32_t *order, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        uint32_t x = order[i];
        uint32_t j = i;
        while (j > 0 && items[order[j - 1]].score < items[x].score) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
}

static uint32_t
s_ranks (const hr_merge_source_t *s, const excluded_t *excluded, uint32_t *rank, uint32_t *order)
{
    uint32_t m = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        double v = s->items[i].score;
        rank[i] = 0;
        if (isfinite (v) && v > 0 && !s_is_excluded (s->items[i].id, excluded))
            order[m++] = i;
    }
    s_sort_by_score (s->items, order, m);
    for (uint32_t k = 0; k < m;) {
        uint32_t end = k + 1;
        while (end < m && s->items[order[end]].score == s->items[order[k]].score)
            end++;
        for (; k < end; k++)
            rank[order[k]] = end;
    }
    return m;
}

uint32_t
hr_merge_ranks (const hr_merge_source_t *s, const char *const *exclude, uint32_t nexclude,
                uint32_t *rank, uint32_t *order)
{
    excluded_t e;
    s_excluded_init (&e, exclude, nexclude, false);
    return s_ranks (s, &e, rank, order);
}

/*  value[i]: the contribution of item i of the source (0 = none).
    BY_MAX: score / the source's maximum x weight.
    BY_RANK: weight / (rank + HR_MERGE_RANK_OFFSET), or weight x the
    source's rank_value table, the rank as hr_merge_ranks counts it (a tie
    takes the WORST rank of its group: a flat list ranks all its items
    last, so ties carry no more weight than the information they hold).
    0 when the source contributes, -1 when it has nothing usable.          */
static int
s_values (const hr_merge_source_t *s, const excluded_t *excluded,
          hr_merge_mode_t mode, double *value, uint32_t *rank, uint32_t *order)
{
    if (s_ranks (s, excluded, rank, order) == 0)
        return -1;
    double max = mode == HR_MERGE_BY_MAX ? s_source_max (s) : 0;
    for (uint32_t i = 0; i < s->n; i++) {
        uint32_t r = rank[i];
        if (r == 0)
            value[i] = 0;
        else if (mode == HR_MERGE_BY_MAX)
            value[i] = s->items[i].score / max * s->weight;
        else if (s->rank_value && s->nrank_value > 0)
            value[i] = s->weight * s->rank_value[(r < s->nrank_value ? r : s->nrank_value) - 1];
        else
            value[i] = s->weight / ((double) r + HR_MERGE_RANK_OFFSET);
    }
    return 0;
}

/*  Adds source number s (its items' values) to the table; returns the
    new count of used slots.                                               */
static size_t
s_add_source (uint32_t *table, size_t cap, slot_t *slots, slot_t **used, size_t nused,
              const hr_merge_source_t *src, int s, const double *value)
{
    for (uint32_t i = 0; i < src->n; i++) {
        const hr_scored_t *item = &src->items[i];
        if (!(value[i] > 0))
            continue;
        float part = (float) value[i];
        uint32_t *entry = s_find_entry (table, cap - 1, slots, item->id);
        slot_t *slot;
        if (*entry)
            slot = &slots[*entry - 1];
        else {
            *entry = (uint32_t) nused + 1;
            slot = &slots[nused];
            memset (slot, 0, sizeof *slot);
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
    return nused;
}

int
hr_merge_ex (const hr_merge_source_t *src, int nsrc,
             const char *const *exclude, uint32_t nexclude,
             uint32_t limit, hr_merge_mode_t mode, hr_merged_t *out)
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
    uint32_t *table = calloc (cap, sizeof *table);
    slot_t *slots = malloc (total * sizeof *slots);
    slot_t **used = malloc (total * sizeof *used);
    excluded_t excluded;
    if (!table || !slots || !used || s_excluded_init (&excluded, exclude, nexclude, true) != 0) {
        free (table);
        free (slots);
        free (used);
        return -1;
    }
    size_t nused = 0;
    size_t most = 0;
    for (int s = 0; s < nsrc; s++)
        most = src[s].n > most ? src[s].n : most;
    double *value = malloc ((most ? most : 1) * sizeof *value);
    uint32_t *order = malloc ((most ? most : 1) * sizeof *order);
    uint32_t *rank = malloc ((most ? most : 1) * sizeof *rank);
    if (!value || !order || !rank) {
        free (table);
        free (slots);
        free (excluded.set);
        free (used);
        free (value);
        free (order);
        free (rank);
        return -1;
    }
    for (int s = 0; s < nsrc; s++)
        if (src[s].weight > 0
            && s_values (&src[s], &excluded, mode, value, rank, order) == 0)
            nused = s_add_source (table, cap, slots, used, nused, &src[s], s, value);
    /*  Order on the double sums first so the cut at `limit` does not depend
        on float rounding; then re-sort the (short) output on its floats.    */
    s_top (used, nused, limit);
    uint32_t n = nused < limit ? (uint32_t) nused : limit;
    for (uint32_t i = 0; i < n; i++) {
        slot_t *slot = used[i];
        out[i].item = *slot->best_item;
        out[i].item.score = (float) slot->sum;
        memcpy (out[i].parts, slot->parts, sizeof out[i].parts);
        out[i].best_source = slot->best_source;
    }
    qsort (out, n, sizeof *out, s_by_score_then_id);
    free (table);
    free (slots);
    free (excluded.set);
    free (used);
    free (value);
    free (order);
    free (rank);
    return (int) n;
}

int
hr_merge (const hr_merge_source_t *src, int nsrc,
          const char *const *exclude, uint32_t nexclude,
          uint32_t limit, hr_merged_t *out)
{
    return hr_merge_ex (src, nsrc, exclude, nexclude, limit, HR_MERGE_BY_MAX, out);
}
