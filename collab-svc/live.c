/*  collab_live — see live.h.  */
#include "live.h"
#include "hr_validate.h"
#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

_Static_assert (COLLAB_ID_MAX == 10, "hr_product_id_hash hashes 10 bytes");

/*  --- the history as a set (live.h) ---------------------------------------- */

void
collab_click_set_init (collab_click_set_t *self, const collab_click_t *clicks, uint32_t n,
                       uint32_t *stack)
{
    uint32_t nslots = 16;
    while (nslots < 2ull * n && nslots < (1u << 30))
        nslots <<= 1;
    *self = (collab_click_set_t) { clicks, n, 0, nslots - 1, stack, NULL };
    if (nslots > COLLAB_CLICK_SLOTS_STACK)
        self->slot = self->heap = malloc (nslots * sizeof *self->slot);
    if (self->slot)
        memset (self->slot, 0, nslots * sizeof *self->slot);
}

void
collab_click_set_fini (collab_click_set_t *self)
{
    free (self->heap);
}

/*  Index of the first click equal to (id, len) among the inserted ones, or
    the slot where it would go (*found false).                             */
static uint32_t
s_click_probe (const collab_click_set_t *self, const char *id, size_t len, bool *found)
{
    uint32_t at = collab_id_hash (id, len) & self->mask;
    for (; self->slot[at]; at = (at + 1) & self->mask) {
        const collab_click_t *c = &self->clicks[self->slot[at] - 1];
        if (c->len == len && memcmp (c->p, id, len) == 0) {
            *found = true;
            return at;
        }
    }
    *found = false;
    return at;
}

bool
collab_click_set_next (collab_click_set_t *self)
{
    uint32_t i = self->inserted++;
    const collab_click_t *c = &self->clicks[i];
    if (!self->slot) {          /* no memory for a big table: scan */
        for (uint32_t q = 0; q < i; q++)
            if (self->clicks[q].len == c->len && memcmp (self->clicks[q].p, c->p, c->len) == 0)
                return false;
        return true;
    }
    bool found;
    uint32_t at = s_click_probe (self, c->p, c->len, &found);
    if (!found)
        self->slot[at] = i + 1;
    return !found;
}

bool
collab_click_set_has (collab_click_set_t *self, const char *id, size_t len)
{
    while (self->inserted < self->n)
        collab_click_set_next (self);
    if (!self->slot) {
        for (uint32_t q = 0; q < self->n; q++)
            if (self->clicks[q].len == len && memcmp (self->clicks[q].p, id, len) == 0)
                return true;
        return false;
    }
    bool found;
    s_click_probe (self, id, len, &found);
    return found;
}

/*  --- named items ---------------------------------------------------------- */

void
collab_named_set_init (collab_named_set_t *self, collab_named_t *list, uint32_t cap)
{
    assert (cap <= COLLAB_NAMED_CAP);
    self->list = list;
    self->n = 0;
    self->cap = cap;
    memset (self->slot, 0, sizeof self->slot);
}

void
collab_named_set_add (collab_named_set_t *self, const char *id, float v)
{
    char key[COLLAB_ID_MAX + 1] = { 0 };     /* zero-padded: fixed-size compares */
    memcpy (key, id, strnlen (id, COLLAB_ID_MAX));
    const uint32_t mask = 2 * COLLAB_NAMED_CAP - 1;
    uint32_t at = hr_product_id_hash (key) & mask;
    for (; self->slot[at]; at = (at + 1) & mask) {
        collab_named_t *e = &self->list[self->slot[at] - 1];
        if (memcmp (e->id, key, COLLAB_ID_MAX) == 0) {
            e->score += v;
            return;
        }
    }
    if (self->n < self->cap) {
        memcpy (self->list[self->n].id, key, sizeof key);
        self->list[self->n].score = v;
        self->slot[at] = (uint16_t) ++self->n;
    }
}

static int
s_named_desc (const void *a, const void *b)
{
    const collab_named_t *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    /* zero-padded ids: the same order as strcmp */
    return memcmp (x->id, y->id, COLLAB_ID_MAX);
}

void
collab_named_sort (collab_named_t *list, uint32_t n)
{
    qsort (list, n, sizeof *list, s_named_desc);
}

uint32_t
collab_live_row (collab_overlay_t *ov, const collab_model_t *m, const char *id, size_t len,
                 collab_overlay_nb_t *nb, float *norm)
{
    float mass;
    uint32_t n = collab_overlay_row (ov, id, len, nb, COLLAB_OVERLAY_ROW, &mass);
    *norm = 0;
    if (n == 0)
        return 0;
    int64_t idx = m ? collab_ids_find (m->ids, id, len) : -1;
    double denom = mass + (idx >= 0 ? m->pop[idx] : 0.0);
    *norm = denom > 0 ? (float) (1.0 / denom) : 0.0f;
    return n;
}

void
collab_live_deltas (collab_overlay_t *ov, const collab_model_t *m, const collab_score_params_t *p,
                    const collab_click_t *clicks, uint32_t nclicks,
                    collab_rec_t *extra, uint32_t *nextra, collab_named_t *cold, uint32_t *ncold)
{
    *nextra = *ncold = 0;
    uint32_t stack_slots[COLLAB_CLICK_SLOTS_STACK];
    collab_click_set_t seen;
    collab_click_set_init (&seen, clicks, nclicks, stack_slots);
    const collab_click_t *distinct[COLLAB_LIVE_HIST];
    uint32_t nd = 0;
    for (uint32_t i = 0; i < nclicks && nd < COLLAB_LIVE_HIST && nd < p->hist_max; i++)
        if (collab_click_set_next (&seen))
            distinct[nd++] = &clicks[i];
    collab_named_set_t cold_set;
    collab_named_set_init (&cold_set, cold, COLLAB_LIVE_MAX);
    double wsum = 0;
    for (uint32_t k = 0; k < nd; k++)
        wsum += pow (k + 1.0, -p->hist_pow);
    for (uint32_t k = 0; k < nd; k++) {
        collab_overlay_nb_t nb[COLLAB_OVERLAY_ROW];
        float norm;
        uint32_t nn = collab_live_row (ov, m, distinct[k]->p, distinct[k]->len, nb, &norm);
        float w = (float) ((1.0 - p->sknn_weight) * pow (k + 1.0, -p->hist_pow) / wsum) * norm;
        for (uint32_t e = 0; e < nn; e++) {
            size_t len = strnlen (nb[e].id, COLLAB_ID_MAX);
            if (collab_click_set_has (&seen, nb[e].id, len))
                continue;
            int64_t idx = m ? collab_ids_find (m->ids, nb[e].id, len) : -1;
            if (idx >= 0)
                extra[(*nextra)++] = (collab_rec_t) { (uint32_t) idx, w * nb[e].weight };
            else
                collab_named_set_add (&cold_set, nb[e].id, w * nb[e].weight);
        }
    }
    collab_click_set_fini (&seen);
    *ncold = cold_set.n;
    collab_named_sort (cold, *ncold);
}
