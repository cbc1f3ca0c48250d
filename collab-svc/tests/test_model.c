/*  collab_model and collab_scorer on a log small enough to check by hand
    (see fixture.h).                                                        */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include "fixture.h"
#include "log.h"
#include "model.h"
#include "params.h"
#include "score.h"
#include "seqrules.h"

static const char *const NAMES[4] = { "A", "B", "C", "D" };

static void
s_check_row (const collab_model_t *m, uint32_t item, const uint32_t *want, const float *score, uint32_t n)
{
    ck_assert_uint_eq (m->nb_start[item + 1] - m->nb_start[item], n);
    for (uint32_t k = 0; k < n; k++) {
        ck_assert_uint_eq (m->nb_item[m->nb_start[item] + k], want[k]);
        ck_assert_float_eq_tol (m->nb_score[m->nb_start[item] + k], score[k], 1e-5);
    }
}

START_TEST (neighbours_by_hand)
{
    collab_model_t *m = fixture_model (NAMES);
    ck_assert_ptr_nonnull (m);
    ck_assert_uint_eq (m->n_items, 4);
    s_check_row (m, 0, (uint32_t[]) { 1, 2 }, (float[]) { 0.8f, 0.2f }, 2);
    s_check_row (m, 1, (uint32_t[]) { 0, 2, 3 }, (float[]) { 1 / 3.0f, 1 / 3.0f, 1 / 3.0f }, 3);
    s_check_row (m, 2, (uint32_t[]) { 1, 0 }, (float[]) { 2 / 3.0f, 1 / 3.0f }, 2);
    s_check_row (m, 3, (uint32_t[]) { 1 }, (float[]) { 1.0f }, 1);
    /* session store: most recent first (s3, s2, s1); B is in all three */
    ck_assert_uint_eq (m->n_sessions, 3);
    ck_assert_uint_eq (m->ss_item[m->ss_start[0]], 1);
    ck_assert_uint_eq (m->ss_item[m->ss_start[0] + 1], 3);
    ck_assert_uint_eq (m->inv_start[2] - m->inv_start[1], 3);
    ck_assert_uint_eq (m->inv_sess[m->inv_start[1]], 0);
    ck_assert_float_eq (m->pop[1], 3.0f);
    collab_model_destroy (&m);
    ck_assert_ptr_null (m);
}
END_TEST

START_TEST (consecutive_repeats_collapse)
{
    /* A A B: the re-click of A adds no A->A pair and B is at distance 1 */
    collab_ids_t *ids = collab_ids_new (2);
    collab_ids_intern (ids, "A", 1);
    collab_ids_intern (ids, "B", 1);
    collab_rows_t *rows = collab_rows_new ();
    collab_rows_add (rows, 7, 1, 0);
    collab_rows_add (rows, 7, 2, 0);
    collab_rows_add (rows, 7, 3, 1);
    collab_log_t *log = collab_rows_build (rows, 1);
    collab_train_params_t p;
    collab_train_params_default (&p);
    p.halflife_days = 0;
    collab_model_t *m = collab_model_train (log, ids, &p);
    ck_assert_uint_eq (m->nb_start[1] - m->nb_start[0], 1);
    ck_assert_uint_eq (m->nb_item[0], 1);
    ck_assert_float_eq (m->pop[0], 2.0f);      /* popularity counts every click */
    collab_model_destroy (&m);
    collab_log_destroy (&log);
    collab_rows_destroy (&rows);
}
END_TEST

START_TEST (scorer_by_hand)
{
    collab_model_t *m = fixture_model (NAMES);
    collab_scorer_t *sc = collab_scorer_new (m);
    collab_score_params_t p;
    collab_score_params_default (&p);
    p.sknn_weight = 0; p.hist_pow = 1; p.fill_popular = false;
    collab_rec_t out[10];
    /* history [A]: A's row */
    uint32_t n = collab_scorer_recommend (sc, &p, (uint32_t[]) { 0 }, 1, 0, true, out, 10);
    ck_assert_uint_eq (n, 2);
    ck_assert_uint_eq (out[0].item, 1);
    ck_assert_float_eq_tol (out[0].score, 0.8f, 1e-5);
    ck_assert_uint_eq (out[1].item, 2);
    /* history [B, A] (B newest): weights 2/3, 1/3.
       C = 2/3*1/3 + 1/3*0.2 = 0.28889;  D = 2/3*1/3 = 0.22222; A, B excluded */
    n = collab_scorer_recommend (sc, &p, (uint32_t[]) { 1, 0 }, 2, 0, true, out, 10);
    ck_assert_uint_eq (n, 2);
    ck_assert_uint_eq (out[0].item, 2);
    ck_assert_float_eq_tol (out[0].score, 0.288889f, 1e-5);
    ck_assert_uint_eq (out[1].item, 3);
    ck_assert_float_eq_tol (out[1].score, 0.222222f, 1e-5);
    /* re-click boost when the history is not excluded: B 1, A 0.5 lead */
    p.reclick = 1; p.reclick_decay = 0.5f;
    n = collab_scorer_recommend (sc, &p, (uint32_t[]) { 1, 0 }, 2, 0, false, out, 10);
    ck_assert_uint_eq (n, 4);
    ck_assert_uint_eq (out[0].item, 1);
    ck_assert_uint_eq (out[1].item, 0);
    ck_assert_uint_eq (out[2].item, 2);
    /* session-kNN alone, history [D]: only s3 (B D) holds D -> B */
    p.sknn_weight = 1;
    n = collab_scorer_recommend (sc, &p, (uint32_t[]) { 3 }, 1, 0, true, out, 10);
    ck_assert_uint_eq (n, 1);
    ck_assert_uint_eq (out[0].item, 1);
    ck_assert_float_eq_tol (out[0].score, 1.0f, 1e-5);
    /* unknown items only: nothing (no error) */
    n = collab_scorer_recommend (sc, &p, (uint32_t[]) { 99 }, 1, 0, true, out, 10);
    ck_assert_uint_eq (n, 0);
    /* similar: the row, never the item itself */
    n = collab_scorer_similar (sc, 2, out, 10);
    ck_assert_uint_eq (n, 2);
    ck_assert_uint_eq (out[0].item, 1);
    collab_scorer_destroy (&sc);
    collab_model_destroy (&m);
}
END_TEST

START_TEST (blob_round_trip_and_corruption)
{
    collab_model_t *m = fixture_model (NAMES);
    size_t len;
    unsigned char *blob = collab_model_save (m, &len);
    ck_assert_ptr_nonnull (blob);
    char err[256];
    collab_model_t *back = collab_model_load (blob, len, err, sizeof err);
    ck_assert_ptr_nonnull (back);
    ck_assert_uint_eq (back->n_items, 4);
    ck_assert_str_eq (collab_ids_at (back->ids, 3), "D");
    ck_assert_uint_eq (back->nb_start[4], m->nb_start[4]);
    ck_assert_int_eq (memcmp (back->nb_score, m->nb_score, m->nb_start[4] * 4), 0);
    collab_model_destroy (&back);
    /* every truncation is rejected */
    for (size_t cut = 0; cut < len; cut += 7)
        ck_assert_ptr_null (collab_model_load (blob, cut, err, sizeof err));
    /* an out-of-range neighbour index is rejected, not served */
    unsigned char *bad = malloc (len);
    memcpy (bad, blob, len);
    memcpy (bad, "HRCOLLB0", 8);
    ck_assert_ptr_null (collab_model_load (bad, len, err, sizeof err));
    ck_assert_ptr_nonnull (strstr (err, "magic"));
    memcpy (bad, blob, len);
    uint32_t huge = 0xffffffffu, sr = m->sr_start[4];
    size_t rules = 5 * 4 + (size_t) sr * 8 + 4 * 4;  /* sr_start, sr_item, sr_count, sr_total */
    memcpy (bad + len - rules - 4, &huge, 4);    /* last inv_sess entry */
    ck_assert_ptr_null (collab_model_load (bad, len, err, sizeof err));
    memcpy (bad, blob, len);
    memcpy (bad + len - 16 - sr * 8, &huge, 4);  /* first rule's consequent */
    ck_assert_ptr_null (collab_model_load (bad, len, err, sizeof err));
    memcpy (bad, blob, len);
    memcpy (bad + len - 4, &huge, 4);            /* D's rule total: NaN */
    ck_assert_ptr_null (collab_model_load (bad, len, err, sizeof err));
    /* a blob of the format before the rules ("HRCOLLB1": no rule count, no
       rule arrays) still loads, with empty rule rows */
    memcpy (bad, blob, len);
    memcpy (bad, "HRCOLLB1", 8);
    memmove (bad + 28, bad + 32, len - 32);      /* magic 8, five counts, then the rule count */
    back = collab_model_load (bad, len - 4 - rules, err, sizeof err);
    ck_assert_msg (back != NULL, "%s", err);
    ck_assert_uint_eq (back->sr_start[4], 0);
    ck_assert_uint_eq (back->nb_start[4], m->nb_start[4]);
    collab_model_destroy (&back);
    free (bad);
    free (blob);
    collab_model_destroy (&m);
}
END_TEST

/*  fixture.h's log (s1 = A B C, s2 = A B, s3 = B D) by hand: the rules
    A -> B 1 + 1, A -> C 1/2, B -> C 1, B -> D 1; totals A 2.5, B 2.      */
START_TEST (seqrules_by_hand)
{
    collab_model_t *m = fixture_model (NAMES);
    ck_assert_uint_eq (m->sr_start[1] - m->sr_start[0], 2);
    ck_assert_uint_eq (m->sr_item[0], 1);
    ck_assert_float_eq_tol (m->sr_count[0], 2.0f, 1e-6);
    ck_assert_uint_eq (m->sr_item[1], 2);
    ck_assert_float_eq_tol (m->sr_count[1], 0.5f, 1e-6);
    ck_assert_float_eq_tol (m->sr_total[0], 2.5f, 1e-6);
    ck_assert_uint_eq (m->sr_start[2] - m->sr_start[1], 2);
    ck_assert_uint_eq (m->sr_item[m->sr_start[1]], 2);      /* tie: lower index first */
    ck_assert_uint_eq (m->sr_item[m->sr_start[1] + 1], 3);
    ck_assert_uint_eq (m->sr_start[4] - m->sr_start[2], 0);  /* C and D lead nowhere */
    /* history B (newest), A: C = 1 x 1/2 + 1/2 x 0.5/2.5 = 0.6, D = 1 x 1/2 = 0.5 */
    collab_click_t clicks[] = { { "B", 1 }, { "A", 1 } };
    collab_seqrules_query_t q;
    collab_seqrules_query (NULL, m, clicks, 2, &q);
    ck_assert_uint_eq (q.nrow, 2);
    collab_scorer_t *sc = collab_scorer_new (m);
    uint32_t hist[] = { 1, 0 };
    collab_rec_t out[4];
    uint32_t n = collab_scorer_seqrules (sc, hist, 2, q.row, q.w, q.nrow, q.extra, q.nextra, out, 4);
    ck_assert_uint_eq (n, 2);
    ck_assert_uint_eq (out[0].item, 2);
    ck_assert_float_eq_tol (out[0].score, 0.6f, 1e-6);
    ck_assert_uint_eq (out[1].item, 3);
    ck_assert_float_eq_tol (out[1].score, 0.5f, 1e-6);
    /* history A alone: B 2/2.5, C 0.5/2.5; the limit keeps the best */
    collab_seqrules_query (NULL, m, clicks + 1, 1, &q);
    n = collab_scorer_seqrules (sc, hist + 1, 1, q.row, q.w, q.nrow, q.extra, q.nextra, out, 1);
    ck_assert_uint_eq (n, 1);
    ck_assert_uint_eq (out[0].item, 1);
    ck_assert_float_eq_tol (out[0].score, 0.8f, 1e-6);
    collab_scorer_destroy (&sc);
    collab_model_destroy (&m);
}
END_TEST

START_TEST (params_by_name)
{
    collab_train_params_t tp;
    collab_score_params_t sp;
    collab_train_params_default (&tp);
    collab_score_params_default (&sp);
    char err[128];
    ck_assert_int_eq (collab_params_apply ("window=3,sknn_weight=0.25,fill_popular=false", &tp, &sp, err, sizeof err), 0);
    ck_assert_uint_eq (tp.window, 3);
    ck_assert_float_eq (sp.sknn_weight, 0.25f);
    ck_assert (!sp.fill_popular);
    ck_assert_int_eq (collab_params_apply ("nope=1", &tp, &sp, err, sizeof err), -1);
    ck_assert_ptr_nonnull (strstr (err, "nope"));
    ck_assert_int_eq (collab_params_apply ("window=0", &tp, &sp, err, sizeof err), -1);
    ck_assert_int_eq (collab_params_apply ("window=2.5", &tp, &sp, err, sizeof err), -1);
    ck_assert_int_eq (collab_params_apply ("sknn_weight", &tp, &sp, err, sizeof err), -1);
}
END_TEST

START_TEST (dataset_reader_errors)
{
    char path[] = "/tmp/collab_test_XXXXXX";
    int fd = mkstemp (path);
    ck_assert_int_ge (fd, 0);
    FILE *f = fdopen (fd, "w");
    fprintf (f, "SessionId\tItemId\tTime\n1\t214536502\t1396860669.277\n1\t214536506\tnot-a-time\n");
    fclose (f);
    collab_ids_t *ids = collab_ids_new (4);
    char err[256];
    collab_log_t *log = collab_log_read (path, HR_DATASET_YOOCHOOSE, ids, err, sizeof err);
    ck_assert_ptr_null (log);
    ck_assert_ptr_nonnull (strstr (err, ":3: Time is not Unix seconds"));
    f = fopen (path, "w");
    fprintf (f, "SessionId\tItemId\tTime\n2\t9\t10.5\n1\t7\t3\n1\t8\t2\n");
    fclose (f);
    log = collab_log_read (path, HR_DATASET_YOOCHOOSE, ids, err, sizeof err);
    ck_assert_ptr_nonnull (log);
    ck_assert_uint_eq (log->n_sessions, 2);
    ck_assert_str_eq (collab_ids_at (ids, log->item[0]), "8");   /* sorted by time */
    ck_assert_int_eq (log->ts_ms[2], 10500);
    collab_log_destroy (&log);
    collab_ids_destroy (&ids);
    unlink (path);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("collab_model");
    TCase *tc = tcase_create ("model");
    tcase_add_test (tc, neighbours_by_hand);
    tcase_add_test (tc, consecutive_repeats_collapse);
    tcase_add_test (tc, scorer_by_hand);
    tcase_add_test (tc, blob_round_trip_and_corruption);
    tcase_add_test (tc, seqrules_by_hand);
    tcase_add_test (tc, params_by_name);
    tcase_add_test (tc, dataset_reader_errors);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
