/*  Forward decay against the formula Σ rate^((now - ts)/1 h).             */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include "decay.h"

#define H 3600000LL
#define REL_CLOSE(a, b) (fabs ((a) - (b)) <= 1e-9 * fmax (fabs (a), fabs (b)))

static double formula (double rate, const int64_t *ts, int n, int64_t now)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += pow (rate, (double) (now - ts[i]) / (double) H);
    return s;
}

START_TEST (matches_formula)
{
    const int64_t t0 = 1700000000000LL;
    int64_t ts[] = { t0, t0 + 1234, t0 + 3 * H, t0 + 7 * H + 17, t0 - 5 * H };
    const double rates[] = { 0.95, 0.5, 0.999, 1.0 };
    for (size_t r = 0; r < sizeof rates / sizeof *rates; r++) {
        trending_decay_t *d = trending_decay_new (rates[r], t0);
        for (int i = 0; i < 5; i++)
            ck_assert_int_eq (trending_decay_add (d, 3, ts[i]), 0);
        const int64_t nows[] = { t0 + 8 * H, t0 + 48 * H + 999, t0 + 24 * 7 * H };
        for (int k = 0; k < 3; k++) {
            double want = formula (rates[r], ts, 5, nows[k]);
            double got = trending_decay_score (d, 3, nows[k]);
            ck_assert_msg (REL_CLOSE (got, want), "rate %g: %.17g vs %.17g", rates[r], got, want);
        }
        ck_assert (trending_decay_score (d, 2, t0) == 0.0);        /* never added */
        ck_assert (trending_decay_score (d, 99, t0) == 0.0);       /* beyond the table */
        trending_decay_destroy (&d);
        ck_assert_ptr_null (d);
    }
}
END_TEST

START_TEST (sinks_as_the_formula_says)
{
    /*  One click, then nobody: after h hours the score is exactly 0.95^h. */
    const int64_t t0 = 1000 * H;
    trending_decay_t *d = trending_decay_new (0.95, t0);
    trending_decay_add (d, 0, t0);
    for (int h = 0; h <= 24 * 30; h += 37)
        ck_assert (REL_CLOSE (trending_decay_score (d, 0, t0 + h * H), pow (0.95, h)));
    trending_decay_destroy (&d);
}
END_TEST

START_TEST (renormalise_keeps_scores_and_rankings)
{
    const int64_t t0 = 0;
    trending_decay_t *d = trending_decay_new (0.95, t0);
    srand (7);
    for (int i = 0; i < 5000; i++)
        trending_decay_add (d, (uint32_t) (rand () % 200), t0 + (int64_t) (rand () % (72 * H)));
    uint32_t before[50], after[50];
    double sb[50], sa[50], s10 = trending_decay_score (d, 10, 80 * H);
    ck_assert_uint_eq (trending_decay_top (d, 80 * H, 50, before, sb), 50);
    trending_decay_renormalise (d, 72 * H);
    ck_assert (trending_decay_t0 (d) == 72 * H);
    ck_assert_uint_eq (trending_decay_top (d, 80 * H, 50, after, sa), 50);
    for (int i = 0; i < 50; i++) {
        ck_assert_uint_eq (before[i], after[i]);
        ck_assert (REL_CLOSE (sb[i], sa[i]));
        if (i)
            ck_assert (sa[i] <= sa[i - 1]);
    }
    ck_assert (REL_CLOSE (trending_decay_score (d, 10, 80 * H), s10));
    trending_decay_destroy (&d);
}
END_TEST

START_TEST (automatic_renormalisation_never_overflows)
{
    /*  A year of hourly events at rate 0.5: 2^8760 would overflow a double
        without moving t0.  */
    trending_decay_t *d = trending_decay_new (0.5, 0);
    for (int64_t h = 0; h < 24 * 365; h++)
        ck_assert_int_eq (trending_decay_add (d, 1, h * H), 0);
    double s = trending_decay_score (d, 1, 24 * 365 * H - H);
    ck_assert (isfinite (s));
    ck_assert (REL_CLOSE (s, 2.0 - pow (0.5, 24 * 365 - 1)));     /* geometric series */
    ck_assert (trending_decay_t0 (d) > 0);
    trending_decay_destroy (&d);
}
END_TEST

START_TEST (top_k_order_and_ties)
{
    trending_decay_t *d = trending_decay_new (0.95, 0);
    /*  item 5: 3 clicks now; item 2: 3 clicks now (tie, lower id first);
        item 9: 4 clicks an hour ago (4 × 0.95 = 3.8 > 3); item 7: 1 click */
    for (int i = 0; i < 3; i++) {
        trending_decay_add (d, 5, H);
        trending_decay_add (d, 2, H);
    }
    for (int i = 0; i < 4; i++)
        trending_decay_add (d, 9, 0);
    trending_decay_add (d, 7, H);
    uint32_t items[10];
    double scores[10];
    size_t n = trending_decay_top (d, H, 10, items, scores);
    ck_assert_uint_eq (n, 4);
    ck_assert_uint_eq (items[0], 9);
    ck_assert_uint_eq (items[1], 2);
    ck_assert_uint_eq (items[2], 5);
    ck_assert_uint_eq (items[3], 7);
    ck_assert (REL_CLOSE (scores[0], 3.8));
    ck_assert_uint_eq (trending_decay_top (d, H, 2, items, NULL), 2);
    ck_assert_uint_eq (items[0], 9);
    ck_assert_uint_eq (items[1], 2);
    ck_assert_uint_eq (trending_decay_top (d, H, 0, items, NULL), 0);
    trending_decay_destroy (&d);
}
END_TEST

START_TEST (bad_input)
{
    ck_assert_ptr_null (trending_decay_new (0.0, 0));
    ck_assert_ptr_null (trending_decay_new (1.5, 0));
    ck_assert_ptr_null (trending_decay_new (NAN, 0));
    trending_decay_t *d = trending_decay_new (0.95, 0);
    ck_assert_int_eq (trending_decay_add (d, TRENDING_DECAY_MAX_ITEMS, 0), -1);
    ck_assert_int_eq (trending_decay_set_raw (d, 1, -1.0), -1);
    ck_assert_int_eq (trending_decay_set_raw (d, 1, NAN), -1);
    ck_assert_int_eq (trending_decay_set_raw (d, 1, 2.5), 0);
    ck_assert (trending_decay_raw (d, 1) == 2.5);
    ck_assert_uint_eq (trending_decay_size (d), 2);
    trending_decay_destroy (&d);
    trending_decay_destroy (&d);
}
END_TEST

int main (void)
{
    Suite *s = suite_create ("decay");
    TCase *tc = tcase_create ("core");
    tcase_add_test (tc, matches_formula);
    tcase_add_test (tc, sinks_as_the_formula_says);
    tcase_add_test (tc, renormalise_keeps_scores_and_rankings);
    tcase_add_test (tc, automatic_renormalisation_never_overflows);
    tcase_add_test (tc, top_k_order_and_ties);
    tcase_add_test (tc, bad_input);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
