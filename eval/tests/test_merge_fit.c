/*  merge_fit on a synthetic replay whose answer is known: a "good" source
    has the next item at rank 1 in 4 predictions of 5, a "noise" source
    never has it (and wins the rank merge's ties by its ids).  The fitted
    calibration says so, the fitted merge finds the item, the rank merge
    does not; a part without predictions fits nothing.                     */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hr_merge_model.h"
#include "merge_fit.h"

#define PREDICTIONS 400
#define LEN 10

static void
s_id (char *out, char kind, uint32_t a, uint32_t b)
{
    char tmp[32];
    snprintf (tmp, sizeof tmp, "%c%05u%04u", kind, a % 100000, b % 10000);
    memcpy (out, tmp, HR_PRODUCT_ID_LEN);
}

static merge_replay_t *
s_replay (uint32_t predictions, uint32_t sessions_mod)
{
    const merge_fit_source_t src[] = {
        { "good", "clicked", 0.5, 0.4 },
        { "noise", "clicked", 0.5, 0.4 },
        { "other", "diverse", 0.1, 1 },
    };
    merge_replay_t *r = merge_replay_new (src, 3);
    ck_assert_ptr_nonnull (r);
    for (uint32_t i = 0; i < predictions; i++) {
        merge_fit_item_t good[LEN], noise[LEN], other[LEN];
        for (uint32_t j = 0; j < LEN; j++) {
            s_id (good[j].id, 'G', i, j);
            good[j].score = (float) (LEN - j);
            s_id (noise[j].id, 'N', i, j);
            noise[j].score = 100.0f - (float) j;
            s_id (other[j].id, 'O', i, j);
            other[j].score = (float) (LEN - j);
        }
        char target[HR_PRODUCT_ID_LEN];
        s_id (target, 'T', i, 0);
        if (i % 5 != 0)
            memcpy (good[0].id, target, HR_PRODUCT_ID_LEN);
        char hist_id[HR_PRODUCT_ID_LEN];
        s_id (hist_id, 'H', i, 0);
        const char *hist[] = { hist_id };
        const merge_fit_item_t *lists[] = { good, noise, other };
        const uint32_t n[] = { LEN, LEN, LEN };
        ck_assert_int_eq (merge_replay_add (r, (i / 2) * sessions_mod, target, hist, 1, lists, n), 0);
    }
    return r;
}

START_TEST (test_fit_finds_the_known_answer)
{
    merge_replay_t *r = s_replay (PREDICTIONS, 1);
    ck_assert_uint_eq (merge_replay_count (r, MERGE_FIT_ALL), PREDICTIONS);
    ck_assert_uint_eq (merge_replay_count (r, MERGE_FIT_EVEN), PREDICTIONS / 2);
    ck_assert_uint_eq (merge_replay_count (r, MERGE_FIT_ODD), PREDICTIONS / 2);

    merge_fit_score_t rank, learned;
    ck_assert_int_eq (merge_replay_score (r, NULL, MERGE_FIT_ODD, 1, &rank), 0);
    ck_assert_uint_eq (rank.n, PREDICTIONS / 2);
    ck_assert_double_eq (rank.hr, 0);           /* noise's rank 1 ties and wins on its id */
    ck_assert_int_eq (merge_replay_score (r, NULL, MERGE_FIT_ODD, 2, &rank), 0);
    ck_assert_double_eq_tol (rank.hr, 0.8, 1e-9);   /* second place */
    ck_assert_double_eq_tol (rank.mrr, 0.4, 1e-9);

    hr_merge_model_t *m = merge_replay_fit (r, MERGE_FIT_EVEN, 1);
    ck_assert_ptr_nonnull (m);
    int good = hr_merge_model_find (m, "good"), noise = hr_merge_model_find (m, "noise");
    ck_assert_int_ge (good, 0);
    ck_assert_int_ge (noise, 0);
    ck_assert_double_gt (hr_merge_model_p (m, good, 0), 0.7);        /* 0.8 observed, smoothed */
    ck_assert_double_lt (hr_merge_model_p (m, good, 0), 0.8 + 1e-9);
    ck_assert_double_lt (hr_merge_model_p (m, noise, 0), 0.05);
    for (int b = 1; b < HR_MERGE_MODEL_BUCKETS; b++)                  /* non-increasing */
        ck_assert_double_le (hr_merge_model_p (m, good, b), hr_merge_model_p (m, good, b - 1));
    ck_assert_int_eq (merge_replay_score (r, m, MERGE_FIT_ODD, 1, &learned), 0);
    ck_assert_double_eq_tol (learned.hr, 0.8, 1e-9);
    ck_assert_double_eq_tol (learned.mrr, 0.8, 1e-9);
    hr_merge_model_destroy (&m);
    merge_replay_destroy (&r);
    ck_assert_ptr_null (r);
}
END_TEST

/*  The history is excluded from the lists: an item of the history at rank
    1 is not counted (and not served).  */
START_TEST (test_history_is_excluded)
{
    const merge_fit_source_t src[] = { { "only", "clicked", 1, 1 } };
    merge_replay_t *r = merge_replay_new (src, 1);
    for (uint32_t i = 0; i < 40; i++) {
        merge_fit_item_t l[2];
        s_id (l[0].id, 'H', i, 0);              /* the history's item first */
        l[0].score = 2;
        s_id (l[1].id, 'T', i, 0);
        l[1].score = 1;
        char target[HR_PRODUCT_ID_LEN], hist_id[HR_PRODUCT_ID_LEN];
        s_id (target, 'T', i, 0);
        s_id (hist_id, 'H', i, 0);
        const char *hist[] = { hist_id };
        const merge_fit_item_t *lists[] = { l };
        const uint32_t n[] = { 2 };
        ck_assert_int_eq (merge_replay_add (r, i, target, hist, 1, lists, n), 0);
    }
    hr_merge_model_t *m = merge_replay_fit (r, MERGE_FIT_ALL, 1);
    ck_assert_ptr_nonnull (m);
    ck_assert_double_eq_tol (hr_merge_model_p (m, 0, 0), 1.0, 1e-9);   /* the target is rank 1 */
    merge_fit_score_t sc;
    ck_assert_int_eq (merge_replay_score (r, m, MERGE_FIT_ALL, 1, &sc), 0);
    ck_assert_double_eq (sc.hr, 1.0);
    hr_merge_model_destroy (&m);
    merge_replay_destroy (&r);
}
END_TEST

START_TEST (test_no_predictions_fit_nothing)
{
    merge_replay_t *r = s_replay (0, 1);
    ck_assert_uint_eq (merge_replay_count (r, MERGE_FIT_ALL), 0);
    ck_assert_ptr_null (merge_replay_fit (r, MERGE_FIT_ALL, 20));
    merge_replay_destroy (&r);
    /*  every session even: the odd half is empty  */
    r = s_replay (20, 2);
    ck_assert_uint_eq (merge_replay_count (r, MERGE_FIT_ODD), 0);
    ck_assert_ptr_null (merge_replay_fit (r, MERGE_FIT_ODD, 20));
    merge_fit_score_t sc;
    ck_assert_int_eq (merge_replay_score (r, NULL, MERGE_FIT_ODD, 20, &sc), 0);
    ck_assert_uint_eq (sc.n, 0);
    ck_assert_double_eq (sc.hr, 0);
    merge_replay_destroy (&r);
    ck_assert_ptr_null (merge_replay_new (NULL, 0));
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("merge_fit");
    TCase *tc = tcase_create ("core");
    tcase_set_timeout (tc, 120);
    tcase_add_test (tc, test_fit_finds_the_known_answer);
    tcase_add_test (tc, test_history_is_excluded);
    tcase_add_test (tc, test_no_predictions_fit_nothing);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
