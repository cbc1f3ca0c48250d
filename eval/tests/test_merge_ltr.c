/*  merge_ltr on synthetic replays whose answer is known.
    - A "good" source always has the next item at rank 3 behind two decoys,
      a "noise" source never has it and a "flat" source ties all its items:
      the ranker fitted on the even sessions puts the item first on the odd
      ones (the rank merge's order would put it third at best), and the
      flat source's rank-1 bucket, never filled (a tie takes its worst
      rank), keeps weight 0.
    - Protocol (a): the next item is the newest history item, which every
      source ranks 10th: the ranker learns the history features.
    - merge_ltr_rank excludes the history under (b), merges an item listed
      by several sources into one candidate, and stops at k.
    - merge_ltr_source_score: a source alone, in its own order.
    - A lead source (merge_ltr_set_lead) heads the list, the ranker orders
      the rest.
    - The magnitude feature (log (1 + score) per source) tells a source's
      confident answers from its weak ones where ranks cannot.
    - The agreement feature (how many sources list an item in their top
      20) finds the item exactly two of four sources list, where a linear
      sum over the sources cannot (one listed by all four and ones listed
      by one at the same ranks).
    - No reachable prediction: nothing is fitted.
    - An item feature (merge_ltr_extra_fn) can decide among tied items.    */
#include <check.h>
#include <stdlib.h>
#include "hr_merge_model.h"
#include "merge_fit.h"
#include "merge_ltr.h"

#define PREDICTIONS 400
#define LEN 10

static merge_ltr_params_t
s_params (void)
{
    merge_ltr_params_t p;
    merge_ltr_params_default (&p);
    return p;
}

/*  Item ids: prediction i's items are i * 100 + j (no clash between
    predictions); the target is i * 100 + 99.  */
static merge_ltr_data_t *
s_known (uint32_t predictions)
{
    merge_ltr_data_t *d = merge_ltr_data_new (3, 0);
    ck_assert_ptr_nonnull (d);
    for (uint32_t i = 0; i < predictions; i++) {
        collab_rec_t good[LEN], noise[LEN], flat[LEN];
        for (uint32_t j = 0; j < LEN; j++) {
            good[j] = (collab_rec_t) { i * 100 + j, (float) (LEN - j) };
            noise[j] = (collab_rec_t) { i * 100 + 20 + j, 100.0f - (float) j };
            flat[j] = (collab_rec_t) { i * 100 + 40 + j, 1.0f };
        }
        uint32_t target = i * 100 + 99;
        good[2].item = target;
        uint32_t hist[] = { i * 100 + 60 };
        const collab_rec_t *lists[] = { good, noise, flat };
        const uint32_t n[] = { LEN, LEN, LEN };
        ck_assert_int_eq (merge_ltr_data_add (d, i / 2, target, hist, 1, true, lists, n, NULL, NULL), 0);
    }
    return d;
}

START_TEST (test_fit_finds_the_known_answer)
{
    merge_ltr_data_t *d = s_known (PREDICTIONS);
    uint32_t reach = 0;
    ck_assert_uint_eq (merge_ltr_data_count (d, MERGE_FIT_ALL, &reach), PREDICTIONS);
    ck_assert_uint_eq (reach, PREDICTIONS);
    ck_assert_uint_eq (merge_ltr_data_count (d, MERGE_FIT_ODD, NULL), PREDICTIONS / 2);
    merge_ltr_params_t p = s_params ();
    merge_ltr_t *m = merge_ltr_fit (d, MERGE_FIT_EVEN, &p);
    ck_assert_ptr_nonnull (m);
    double hr, mrr;
    ck_assert_int_eq (merge_ltr_score (m, d, MERGE_FIT_ODD, 1, &hr, &mrr), 0);
    ck_assert_double_eq (hr, 1);
    ck_assert_double_eq (mrr, 1);
    /*  good's rank-3 bucket outweighs its ranks 1 and 2 */
    ck_assert_double_gt (merge_ltr_bucket_weight (m, 0, hr_merge_model_bucket (3)),
                         merge_ltr_bucket_weight (m, 0, hr_merge_model_bucket (1)) + 1);
    /*  the flat source never has a rank 1: its ties all rank 10 */
    ck_assert_double_eq (merge_ltr_bucket_weight (m, 2, hr_merge_model_bucket (1)), 0);
    ck_assert_double_ne (merge_ltr_bucket_weight (m, 2, hr_merge_model_bucket (10)), 0);

    /*  serving: the same answer through merge_ltr_rank */
    collab_rec_t good[LEN], noise[LEN], flat[LEN], out[5];
    for (uint32_t j = 0; j < LEN; j++) {
        good[j] = (collab_rec_t) { 7000 + j, (float) (LEN - j) };
        noise[j] = (collab_rec_t) { 7020 + j, 100.0f - (float) j };
        flat[j] = (collab_rec_t) { 7040 + j, 1.0f };
    }
    const collab_rec_t *lists[] = { good, noise, flat };
    const uint32_t n[] = { LEN, LEN, LEN };
    merge_ltr_scratch_t *sc = merge_ltr_scratch_new ();
    ck_assert_ptr_nonnull (sc);
    ck_assert_uint_eq (merge_ltr_rank (m, sc, NULL, 0, true, lists, n, NULL, NULL, out, 5), 5);
    ck_assert_uint_eq (out[0].item, 7002);
    for (int i = 1; i < 5; i++)
        ck_assert_float_le (out[i].score, out[i - 1].score);
    merge_ltr_scratch_destroy (&sc);
    merge_ltr_destroy (&m);
    merge_ltr_data_destroy (&d);
}
END_TEST

/*  A source alone: "good" has the next item third, "noise" never.  */
START_TEST (test_source_score)
{
    merge_ltr_data_t *d = s_known (40);
    double hr, mrr;
    ck_assert_int_eq (merge_ltr_source_score (d, 0, MERGE_FIT_ALL, 3, &hr, &mrr), 0);
    ck_assert_double_eq (hr, 1);
    ck_assert_double_eq_tol (mrr, 1.0 / 3, 1e-12);
    ck_assert_int_eq (merge_ltr_source_score (d, 0, MERGE_FIT_ODD, 2, &hr, &mrr), 0);
    ck_assert_double_eq (hr, 0);
    ck_assert_int_eq (merge_ltr_source_score (d, 1, MERGE_FIT_ALL, 20, &hr, &mrr), 0);
    ck_assert_double_eq (hr, 0);
    ck_assert_int_eq (merge_ltr_source_score (d, 3, MERGE_FIT_ALL, 20, &hr, &mrr), -1);
    merge_ltr_data_destroy (&d);
}
END_TEST

/*  A lead source heads the list with its top items, the ranker orders
    the rest: with "noise" leading by 3, the known answer comes 4th.       */
START_TEST (test_lead_source)
{
    merge_ltr_data_t *d = s_known (PREDICTIONS);
    merge_ltr_params_t p = s_params ();
    merge_ltr_t *m = merge_ltr_fit (d, MERGE_FIT_ALL, &p);
    ck_assert_ptr_nonnull (m);
    uint32_t top = 9;
    ck_assert_int_eq (merge_ltr_lead (m, &top), -1);
    ck_assert_uint_eq (top, 0);
    ck_assert_int_eq (merge_ltr_set_lead (m, 3, 3), -1);
    ck_assert_int_eq (merge_ltr_set_lead (m, 1, 3), 0);
    ck_assert_int_eq (merge_ltr_lead (m, &top), 1);
    ck_assert_uint_eq (top, 3);
    double hr, mrr;
    ck_assert_int_eq (merge_ltr_score (m, d, MERGE_FIT_ALL, 3, &hr, &mrr), 0);
    ck_assert_double_eq (hr, 0);
    ck_assert_int_eq (merge_ltr_score (m, d, MERGE_FIT_ALL, 4, &hr, &mrr), 0);
    ck_assert_double_eq (hr, 1);
    ck_assert_double_eq_tol (mrr, 0.25, 1e-12);
    collab_rec_t good[LEN], noise[LEN], flat[LEN], out[5];
    for (uint32_t j = 0; j < LEN; j++) {
        good[j] = (collab_rec_t) { 7000 + j, (float) (LEN - j) };
        noise[j] = (collab_rec_t) { 7020 + j, 100.0f - (float) j };
        flat[j] = (collab_rec_t) { 7040 + j, 1.0f };
    }
    const collab_rec_t *lists[] = { good, noise, flat };
    const uint32_t n[] = { LEN, LEN, LEN };
    merge_ltr_scratch_t *sc = merge_ltr_scratch_new ();
    ck_assert_uint_eq (merge_ltr_rank (m, sc, NULL, 0, true, lists, n, NULL, NULL, out, 5), 5);
    ck_assert_uint_eq (out[0].item, 7020);
    ck_assert_uint_eq (out[1].item, 7021);
    ck_assert_uint_eq (out[2].item, 7022);
    ck_assert_uint_eq (out[3].item, 7002);
    /*  no lead: the ranker alone again */
    ck_assert_int_eq (merge_ltr_set_lead (m, 1, 0), 0);
    ck_assert_int_eq (merge_ltr_lead (m, NULL), -1);
    ck_assert_uint_eq (merge_ltr_rank (m, sc, NULL, 0, true, lists, n, NULL, NULL, out, 5), 5);
    ck_assert_uint_eq (out[0].item, 7002);
    merge_ltr_scratch_destroy (&sc);
    merge_ltr_destroy (&m);
    merge_ltr_data_destroy (&d);
}
END_TEST

/*  The magnitude feature: source A's top item is the next one when A's
    score is high (10), source B's when A's is low (0.1); ranks and ratios
    are alike in both cases, so only log (1 + score) tells them apart.    */
static merge_ltr_data_t *
s_magnitudes (uint32_t predictions)
{
    merge_ltr_data_t *d = merge_ltr_data_new (2, 0);
    ck_assert_ptr_nonnull (d);
    for (uint32_t i = 0; i < predictions; i++) {
        float top = i % 4 < 2 ? 10.0f : 0.1f;
        collab_rec_t a[LEN], b[LEN];
        for (uint32_t j = 0; j < LEN; j++) {
            a[j] = (collab_rec_t) { i * 100 + j, top * (float) (LEN - j) / LEN };
            b[j] = (collab_rec_t) { i * 100 + 50 + j, (float) (LEN - j) };
        }
        const collab_rec_t *lists[] = { a, b };
        const uint32_t n[] = { LEN, LEN };
        uint32_t target = top > 1 ? i * 100 : i * 100 + 50;
        ck_assert_int_eq (merge_ltr_data_add (d, i, target, NULL, 0, true, lists, n, NULL, NULL), 0);
    }
    return d;
}

/*  Fits on the even predictions of d with p; HR@1 on the odd ones.       */
static double
s_fit_hr1 (const merge_ltr_data_t *d, const merge_ltr_params_t *p)
{
    merge_ltr_t *m = merge_ltr_fit (d, MERGE_FIT_EVEN, p);
    ck_assert_ptr_nonnull (m);
    double hr, mrr;
    ck_assert_int_eq (merge_ltr_score (m, d, MERGE_FIT_ODD, 1, &hr, &mrr), 0);
    merge_ltr_destroy (&m);
    return hr;
}

START_TEST (test_magnitude_feature)
{
    merge_ltr_data_t *d = s_magnitudes (PREDICTIONS);
    merge_ltr_params_t p = s_params ();
    ck_assert (p.mag);
    ck_assert (p.agree);        /* with and without the agreement weights alike */
    p.mag = false;
    ck_assert_double_le (s_fit_hr1 (d, &p), 0.5);
    p.mag = true;
    ck_assert_double_eq (s_fit_hr1 (d, &p), 1);
    merge_ltr_data_destroy (&d);
}
END_TEST

/*  Four sources of 6 items: D listed by all, the target T by two (which
    two rotates), the rest by one; every item's place in a list is
    shuffled alike, so only the count of sources tells T apart.           */
#define AG_LEN 6
static merge_ltr_data_t *
s_agreement (uint32_t predictions)
{
    merge_ltr_data_t *d = merge_ltr_data_new (4, 0);
    ck_assert_ptr_nonnull (d);
    for (uint32_t i = 0; i < predictions; i++) {
        collab_rec_t l[4][AG_LEN];
        for (uint32_t s = 0; s < 4; s++) {
            bool has_t = s == i % 4 || s == (i + 1) % 4;
            uint32_t c = (i * 7 + s * 3) % AG_LEN;
            for (uint32_t j = 0; j < AG_LEN; j++) {
                uint32_t item = j == 0 ? i * 100 : j == 1 && has_t ? i * 100 + 1
                                                                    : i * 100 + 10 + s * 10 + j;
                uint32_t pos = (5 * j + c) % AG_LEN;
                l[s][pos] = (collab_rec_t) { item, (float) (AG_LEN - pos) };
            }
        }
        const collab_rec_t *lists[] = { l[0], l[1], l[2], l[3] };
        const uint32_t n[] = { AG_LEN, AG_LEN, AG_LEN, AG_LEN };
        ck_assert_int_eq (merge_ltr_data_add (d, i, i * 100 + 1, NULL, 0, true, lists, n, NULL, NULL), 0);
    }
    return d;
}

START_TEST (test_agreement_feature)
{
    merge_ltr_data_t *d = s_agreement (PREDICTIONS);
    merge_ltr_params_t p = s_params ();
    p.agree = false;
    ck_assert_double_le (s_fit_hr1 (d, &p), 0.5);
    p.agree = true;
    ck_assert_double_eq (s_fit_hr1 (d, &p), 1);
    merge_ltr_data_destroy (&d);
}
END_TEST

START_TEST (test_history_features_under_protocol_a)
{
    merge_ltr_data_t *d = merge_ltr_data_new (1, 0);
    ck_assert_ptr_nonnull (d);
    for (uint32_t i = 0; i < PREDICTIONS; i++) {
        collab_rec_t l[LEN];
        for (uint32_t j = 0; j < LEN; j++)
            l[j] = (collab_rec_t) { i * 100 + j, (float) (LEN - j) };
        uint32_t hist[] = { i * 100 + 9, i * 100 + 50 };   /* newest first: the 10th item */
        const collab_rec_t *lists[] = { l };
        const uint32_t n[] = { LEN };
        ck_assert_int_eq (merge_ltr_data_add (d, i, i * 100 + 9, hist, 2, false, lists, n, NULL, NULL), 0);
    }
    merge_ltr_params_t p = s_params ();
    ck_assert_double_eq (s_fit_hr1 (d, &p), 1);
    merge_ltr_data_destroy (&d);
}
END_TEST

START_TEST (test_rank_excludes_merges_and_stops_at_k)
{
    merge_ltr_data_t *d = s_known (40);
    merge_ltr_params_t p = s_params ();
    merge_ltr_t *m = merge_ltr_fit (d, MERGE_FIT_ALL, &p);
    ck_assert_ptr_nonnull (m);
    collab_rec_t a[] = { { 1, 3 }, { 2, 2 }, { 3, 1 } };
    collab_rec_t b[] = { { 3, 5 }, { 4, 4 } };
    collab_rec_t c[] = { { 2, 1 } };
    const collab_rec_t *lists[] = { a, b, c };
    const uint32_t n[] = { 3, 2, 1 };
    uint32_t hist[] = { 1 };
    collab_rec_t out[10];
    merge_ltr_scratch_t *sc = merge_ltr_scratch_new ();
    ck_assert_uint_eq (merge_ltr_rank (m, sc, hist, 1, true, lists, n, NULL, NULL, out, 10), 3);
    for (int i = 0; i < 3; i++)
        ck_assert_uint_ne (out[i].item, 1);
    ck_assert_uint_eq (merge_ltr_rank (m, sc, hist, 1, false, lists, n, NULL, NULL, out, 10), 4);
    ck_assert_uint_eq (merge_ltr_rank (m, sc, hist, 1, false, lists, n, NULL, NULL, out, 2), 2);
    merge_ltr_scratch_destroy (&sc);
    merge_ltr_destroy (&m);
    merge_ltr_data_destroy (&d);
}
END_TEST

START_TEST (test_unreachable_fits_nothing)
{
    merge_ltr_data_t *d = merge_ltr_data_new (1, 0);
    collab_rec_t l[] = { { 1, 1 }, { 2, 0.5f } };
    const collab_rec_t *lists[] = { l };
    const uint32_t n[] = { 2 };
    ck_assert_int_eq (merge_ltr_data_add (d, 0, 9, NULL, 0, true, lists, n, NULL, NULL), 0);
    uint32_t reach = 7;
    ck_assert_uint_eq (merge_ltr_data_count (d, MERGE_FIT_ALL, &reach), 1);
    ck_assert_uint_eq (reach, 0);
    merge_ltr_params_t p = s_params ();
    ck_assert_ptr_null (merge_ltr_fit (d, MERGE_FIT_ALL, &p));
    ck_assert_ptr_null (merge_ltr_data_new (0, 0));
    ck_assert_ptr_null (merge_ltr_data_new (1, MERGE_LTR_MAX_EXTRA + 1));
    ck_assert_ptr_null (merge_ltr_data_new (MERGE_LTR_MAX_SOURCES + 1, 0));
    merge_ltr_data_destroy (&d);
}
END_TEST

/*  An item feature decides: the next item is the one of the ten (all
    ranked alike by a flat source) whose feature is 1.                     */
static void
s_marked (void *ctx, uint32_t item, float *out)
{
    (void) ctx;
    out[0] = item % 100 == 7 ? 1.0f : 0.0f;
    out[1] = 0.5f;
}

START_TEST (test_item_features)
{
    merge_ltr_data_t *d = merge_ltr_data_new (1, 2);
    ck_assert_ptr_nonnull (d);
    for (uint32_t i = 0; i < PREDICTIONS; i++) {
        collab_rec_t l[LEN];
        for (uint32_t j = 0; j < LEN; j++)
            l[j] = (collab_rec_t) { i * 100 + j, 1.0f };
        const collab_rec_t *lists[] = { l };
        const uint32_t n[] = { LEN };
        ck_assert_int_eq (merge_ltr_data_add (d, i, i * 100 + 7, NULL, 0, true, lists, n,
                                              s_marked, NULL), 0);
    }
    merge_ltr_params_t p = s_params ();
    merge_ltr_t *m = merge_ltr_fit (d, MERGE_FIT_EVEN, &p);
    ck_assert_ptr_nonnull (m);
    double hr, mrr;
    ck_assert_int_eq (merge_ltr_score (m, d, MERGE_FIT_ODD, 1, &hr, &mrr), 0);
    ck_assert_double_eq (hr, 1);
    ck_assert_double_gt (merge_ltr_extra_weight (m, 0), 1);
    collab_rec_t l[LEN], out[1];
    for (uint32_t j = 0; j < LEN; j++)
        l[j] = (collab_rec_t) { 900 + j, 1.0f };
    const collab_rec_t *lists[] = { l };
    const uint32_t n[] = { LEN };
    merge_ltr_scratch_t *sc = merge_ltr_scratch_new ();
    ck_assert_uint_eq (merge_ltr_rank (m, sc, NULL, 0, true, lists, n, s_marked, NULL, out, 1), 1);
    ck_assert_uint_eq (out[0].item, 907);
    merge_ltr_scratch_destroy (&sc);
    merge_ltr_destroy (&m);
    merge_ltr_data_destroy (&d);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("merge_ltr");
    TCase *tc = tcase_create ("core");
    tcase_set_timeout (tc, 120);
    tcase_add_test (tc, test_fit_finds_the_known_answer);
    tcase_add_test (tc, test_source_score);
    tcase_add_test (tc, test_lead_source);
    tcase_add_test (tc, test_magnitude_feature);
    tcase_add_test (tc, test_agreement_feature);
    tcase_add_test (tc, test_history_features_under_protocol_a);
    tcase_add_test (tc, test_rank_excludes_merges_and_stops_at_k);
    tcase_add_test (tc, test_unreachable_fits_nothing);
    tcase_add_test (tc, test_item_features);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
