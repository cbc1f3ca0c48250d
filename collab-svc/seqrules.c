/*  collab_seqrules — see seqrules.h.  */
#include "seqrules.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t key;               /* a << 32 | b */
    float w;
} pair_t;

static int
s_cmp_pair (const void *x, const void *y)
{
    uint64_t a = ((const pair_t *) x)->key, b = ((const pair_t *) y)->key;
    return a < b ? -1 : a > b;
}

/*  Appends (a -> b, w).  0 / -1 (out of memory: *pairs freed).            */
static int
s_push (pair_t **pairs, size_t *used, size_t *cap, uint32_t a, uint32_t b, float w)
{
    if (*used == *cap) {
        pair_t *grown = realloc (*pairs, 2 * *cap * sizeof **pairs);
        if (!grown) {
            free (*pairs);
            *pairs = NULL;
            return -1;
        }
        *pairs = grown;
        *cap *= 2;
    }
    (*pairs)[(*used)++] = (pair_t) { (uint64_t) a << 32 | b, w };
    return 0;
}

/*  Every rule occurrence of the log as (a << 32 | b, 1 / d), summed by key
    and sorted; *n the distinct rules.  NULL on out of memory.             */
static pair_t *
s_count (const collab_log_t *log, uint32_t window, size_t *n)
{
    size_t cap = 1024, used = 0;
    pair_t *pairs = malloc (cap * sizeof *pairs);
    uint32_t *seq = malloc ((log->n_events + 1) * sizeof *seq);
    for (uint32_t s = 0; pairs && seq && s < log->n_sessions; s++) {
        uint32_t len = 0;
        for (uint32_t e = log->start[s]; e < log->start[s + 1]; e++)
            if (len == 0 || seq[len - 1] != log->item[e])
                seq[len++] = log->item[e];
        for (uint32_t q = 1; pairs && q < len; q++)
            for (uint32_t d = 1; d <= window && d <= q; d++)
                if (seq[q - d] != seq[q]
                    && s_push (&pairs, &used, &cap, seq[q - d], seq[q], 1.0f / (float) d) != 0)
                    break;
    }
    if (!seq) {
        free (pairs);
        pairs = NULL;
    }
    free (seq);
    if (!pairs)
        return NULL;
    qsort (pairs, used, sizeof *pairs, s_cmp_pair);
    size_t out = 0;
    for (size_t i = 0; i < used; i++) {
        if (out > 0 && pairs[out - 1].key == pairs[i].key)
            pairs[out - 1].w += pairs[i].w;
        else
            pairs[out++] = pairs[i];
    }
    *n = out;
    return pairs;
}

int
collab_seqrules_train (const collab_log_t *log, uint32_t n_items, uint32_t window,
                       uint32_t keep, uint32_t **start_p, uint32_t **item_p, float **count_p,
                       float **total_p)
{
    size_t n = 0;
    pair_t *pairs = s_count (log, window, &n);
    uint32_t *start = calloc ((size_t) n_items + 1, sizeof *start);
    float *total = calloc ((size_t) n_items + 1, sizeof *total);
    collab_rec_t *rec = malloc ((n ? n : 1) * sizeof *rec);
    uint32_t *item = NULL;
    float *count = NULL;
    if (!pairs || !start || !total || !rec)
        goto fail;
    uint32_t used = 0;
    size_t i = 0;
    for (uint32_t a = 0; a < n_items; a++) {
        start[a] = used;
        uint32_t first = used;
        for (; i < n && (uint32_t) (pairs[i].key >> 32) == a; i++)
            rec[used++] = (collab_rec_t) { (uint32_t) pairs[i].key, pairs[i].w };
        qsort (rec + first, used - first, sizeof *rec, collab_rec_cmp);
        if (used - first > keep)
            used = first + keep;
        for (uint32_t j = first; j < used; j++)
            total[a] += rec[j].score;
    }
    start[n_items] = used;
    item = malloc ((used ? used : 1) * sizeof *item);
    count = malloc ((used ? used : 1) * sizeof *count);
    if (!item || !count)
        goto fail;
    for (uint32_t j = 0; j < used; j++) {
        item[j] = rec[j].item;
        count[j] = rec[j].score;
    }
    free (pairs);
    free (rec);
    *start_p = start;
    *item_p = item;
    *count_p = count;
    *total_p = total;
    return 0;
fail:
    free (pairs);
    free (rec);
    free (start);
    free (total);
    free (item);
    free (count);
    return -1;
}

void
collab_seqrules_query (collab_overlay_t *ov, const collab_model_t *m,
                       const collab_click_t *clicks, uint32_t nclicks, collab_seqrules_query_t *q)
{
    q->nrow = q->nextra = q->ncold = 0;
    collab_named_set_t cold;
    collab_named_set_init (&cold, q->cold, COLLAB_SR_LIVE_MAX);
    uint32_t stack_slots[COLLAB_CLICK_SLOTS_STACK];
    collab_click_set_t seen;
    collab_click_set_init (&seen, clicks, nclicks, stack_slots);
    const collab_click_t *distinct[COLLAB_SR_HIST];
    uint32_t nd = 0;
    for (uint32_t i = 0; i < nclicks && nd < COLLAB_SR_HIST; i++)
        if (collab_click_set_next (&seen))
            distinct[nd++] = &clicks[i];
    for (uint32_t k = 0; k < nd; k++) {
        const collab_click_t *h = distinct[k];
        int64_t idx = m ? collab_ids_find (m->ids, h->p, h->len) : -1;
        collab_overlay_nb_t nb[COLLAB_OVERLAY_ROW];
        float mass, live_total = 0;
        uint32_t nn = ov ? collab_overlay_row_seq (ov, h->p, h->len, nb, COLLAB_OVERLAY_ROW, &mass,
                                                   &live_total)
                         : 0;
        double denom = (idx >= 0 && m->sr_total ? m->sr_total[idx] : 0.0) + live_total;
        if (!(denom > 0))
            continue;
        float w = (float) (1.0 / ((k + 1.0) * denom));
        if (idx >= 0 && m->sr_start && m->sr_start[idx] < m->sr_start[idx + 1]) {
            q->row[q->nrow] = (uint32_t) idx;
            q->w[q->nrow++] = w;
        }
        for (uint32_t e = 0; e < nn; e++) {
            if (!(nb[e].seq > 0))
                continue;
            size_t len = strnlen (nb[e].id, COLLAB_ID_MAX);
            if (collab_click_set_has (&seen, nb[e].id, len))
                continue;
            int64_t j = m ? collab_ids_find (m->ids, nb[e].id, len) : -1;
            if (j >= 0)
                q->extra[q->nextra++] = (collab_rec_t) { (uint32_t) j, w * nb[e].seq };
            else
                collab_named_set_add (&cold, nb[e].id, w * nb[e].seq);
        }
    }
    collab_click_set_fini (&seen);
    q->ncold = cold.n;
    collab_named_sort (q->cold, q->ncold);
}
