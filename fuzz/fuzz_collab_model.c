/*  fuzz_collab_model — the "collab" model blob's decoder (collab_model_load:
    what collab-svc loads from the model store), and the scorer over what
    it accepts.
    Invariants: a decoded model's offsets and indices are in range (every
    row of every list is walked: neighbours, sessions, sequential rules);
    for_user's two lists (the scorer, the sequential rules) and `similar`
    answer only known items with positive scores, best first; the model
    re-encodes to a blob that decodes and re-encodes to the same bytes
    (ids are stored NUL-padded, so bytes after an id's NUL are not kept). */
#include <math.h>
#include "fuzz_util.h"
#include "collab-svc/collab.h"

/*  sorted: the list is ranked by the scorer (a neighbour row is answered
    in its stored order).  */
static void
s_check_list (const collab_model_t *m, const collab_rec_t *out, uint32_t n, uint32_t k, bool positive,
              bool sorted)
{
    FUZZ_CHECK (n <= k);
    for (uint32_t i = 0; i < n; i++) {
        FUZZ_CHECK (out[i].item < m->n_items);
        FUZZ_CHECK (!positive || out[i].score > 0);
        FUZZ_CHECK (!sorted || i == 0 || !(out[i].score > out[i - 1].score));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet_logs ();
    char err[160];
    collab_model_t *m = collab_model_load (data, size, err, sizeof err);
    if (!m)
        return 0;
    for (uint32_t i = 0; i < m->n_items; i++) {
        for (uint32_t e = m->nb_start[i]; e < m->nb_start[i + 1]; e++)
            FUZZ_CHECK (m->nb_item[e] < m->n_items);
        for (uint32_t e = m->sr_start[i]; e < m->sr_start[i + 1]; e++)
            FUZZ_CHECK (m->sr_item[e] < m->n_items && m->sr_count[e] > 0 && isfinite (m->sr_count[e]));
        FUZZ_CHECK (m->sr_total[i] >= 0 && isfinite (m->sr_total[i]));
    }
    collab_scorer_t *sc = collab_scorer_new (m);
    if (sc && m->n_items > 0) {
        collab_score_params_t p;
        collab_score_params_default (&p);
        p.fill_popular = false;
        uint32_t hist[3] = { 0, m->n_items - 1, m->n_items / 2 };
        collab_rec_t out[16];
        uint32_t n = collab_scorer_recommend (sc, &p, hist, 3, 0, true, out, 16);
        s_check_list (m, out, n, 16, false, true);
        collab_click_t clicks[3];
        for (int i = 0; i < 3; i++)
            clicks[i] = (collab_click_t) { collab_ids_at (m->ids, hist[i]),
                                           strlen (collab_ids_at (m->ids, hist[i])) };
        collab_seqrules_query_t q;
        collab_seqrules_query (NULL, m, clicks, 3, &q);
        FUZZ_CHECK (q.nrow <= COLLAB_SR_HIST && q.nextra == 0 && q.ncold == 0);
        n = collab_scorer_seqrules (sc, hist, 3, q.row, q.w, q.nrow, q.extra, q.nextra, out, 16);
        s_check_list (m, out, n, 16, true, true);
        for (uint32_t i = 0; i < n; i++)
            FUZZ_CHECK (out[i].item != hist[0] && out[i].item != hist[1] && out[i].item != hist[2]);
        n = collab_scorer_similar (sc, hist[0], out, 16);
        s_check_list (m, out, n, 16, false, false);
    }
    collab_scorer_destroy (&sc);
    size_t len = 0, len2 = 0;
    void *blob = collab_model_save (m, &len);
    FUZZ_CHECK (blob);
    collab_model_t *again = collab_model_load (blob, len, err, sizeof err);
    FUZZ_CHECK (again && again->n_items == m->n_items);
    void *blob2 = collab_model_save (again, &len2);
    FUZZ_CHECK (blob2 && len2 == len && memcmp (blob, blob2, len) == 0);
    free (blob);
    free (blob2);
    collab_model_destroy (&again);
    collab_model_destroy (&m);
    return 0;
}
