/*  collab_live — see live.h.  */
#include "live.h"
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
s_clicked (const collab_click_t *clicks, uint32_t n, const char *id, size_t len)
{
    for (uint32_t i = 0; i < n; i++)
        if (clicks[i].len == len && memcmp (clicks[i].p, id, len) == 0)
            return true;
    return false;
}

void
collab_named_add (collab_named_t *list, uint32_t *n, uint32_t cap, const char *id, float v)
{
    for (uint32_t i = 0; i < *n; i++)
        if (strcmp (list[i].id, id) == 0) {
            list[i].score += v;
            return;
        }
    if (*n < cap) {
        snprintf (list[*n].id, sizeof list[*n].id, "%s", id);
        list[(*n)++].score = v;
    }
}

static int
s_named_desc (const void *a, const void *b)
{
    const collab_named_t *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp (x->id, y->id);
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
    const collab_click_t *distinct[COLLAB_LIVE_HIST];
    uint32_t nd = 0;
    for (uint32_t i = 0; i < nclicks && nd < COLLAB_LIVE_HIST && nd < p->hist_max; i++)
        if (!s_clicked (clicks, i, clicks[i].p, clicks[i].len))
            distinct[nd++] = &clicks[i];
    double wsum = 0;
    for (uint32_t k = 0; k < nd; k++)
        wsum += pow (k + 1.0, -p->hist_pow);
    for (uint32_t k = 0; k < nd; k++) {
        collab_overlay_nb_t nb[COLLAB_OVERLAY_ROW];
        float norm;
        uint32_t nn = collab_live_row (ov, m, distinct[k]->p, distinct[k]->len, nb, &norm);
        float w = (float) ((1.0 - p->sknn_weight) * pow (k + 1.0, -p->hist_pow) / wsum) * norm;
        for (uint32_t e = 0; e < nn; e++) {
            size_t len = strlen (nb[e].id);
            if (s_clicked (clicks, nclicks, nb[e].id, len))
                continue;
            int64_t idx = m ? collab_ids_find (m->ids, nb[e].id, len) : -1;
            if (idx >= 0)
                extra[(*nextra)++] = (collab_rec_t) { (uint32_t) idx, w * nb[e].weight };
            else
                collab_named_add (cold, ncold, COLLAB_LIVE_MAX, nb[e].id, w * nb[e].weight);
        }
    }
    collab_named_sort (cold, *ncold);
}
