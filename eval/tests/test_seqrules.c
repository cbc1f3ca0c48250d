/*  seqrules (eval_seqrules.c) on small constructed logs: every expected
    score is computed here from the rule it states (a -> b at distance d
    weighs 1 / d, a row is normalised by its total, the k-th newest
    distinct history item weighs (k + 1)^-hist_pow).
    - Order: after 1 comes 2 (distance 1) before 3 (distance 2), and
      nothing comes after the last item (rules only point forwards).
    - Consecutive repeats collapse: 1 1 2 counts 1 -> 2 at distance 1 and
      never 1 -> 1.
    - The history's items mix by recency; excluded under protocol (b).
    - `keep` trims a row to its best consequents.
    - Online: replayed clicks add rules, per session even when sessions
      interleave; off, they add nothing.                                  */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include "eval_strategies.h"

#define N_ITEMS 12

/*  A log of sessions given as item lists ended by -1 (time = position).  */
static collab_log_t *
s_log (const int *items)
{
    collab_rows_t *rows = collab_rows_new ();
    ck_assert_ptr_nonnull (rows);
    uint64_t session = 1;
    int64_t t = 0;
    for (const int *p = items; *p != -2; p++) {
        if (*p == -1) {
            session++;
            continue;
        }
        ck_assert_int_eq (collab_rows_add (rows, session, t++, (uint32_t) *p), 0);
    }
    collab_log_t *log = collab_rows_build (rows, 1);
    collab_rows_destroy (&rows);
    ck_assert_ptr_nonnull (log);
    return log;
}

static eval_strategy_t
s_strategy (const int *items, uint32_t hist, bool online, uint32_t keep)
{
    collab_log_t *log = s_log (items);
    eval_seqrules_params_t p;
    eval_seqrules_params_default (&p);
    p.hist = hist;
    p.online = online;
    p.keep = keep;
    eval_strategy_t st;
    ck_assert_int_eq (eval_seqrules (&st, log, N_ITEMS, &p), 0);
    collab_log_destroy (&log);
    return st;
}

static float
s_score_of (const collab_rec_t *out, uint32_t n, uint32_t item)
{
    for (uint32_t i = 0; i < n; i++)
        if (out[i].item == item)
            return out[i].score;
    return 0;
}

static bool
s_listed (const collab_rec_t *out, uint32_t n, uint32_t item)
{
    for (uint32_t i = 0; i < n; i++)
        if (out[i].item == item)
            return true;
    return false;
}

START_TEST (test_order_and_direction)
{
    /* 1 2 3 twice, 1 1 2 once (repeat collapsed) */
    const int log[] = { 1, 2, 3, -1, 1, 2, 3, -1, 1, 1, 2, -2 };
    eval_strategy_t st = s_strategy (log, 1, false, 200);
    collab_rec_t out[10];
    uint32_t h1[] = { 1 };
    uint32_t n = st.recommend (st.state, h1, 1, 0, true, out, 10);
    ck_assert_uint_eq (n, 2);
    ck_assert_uint_eq (out[0].item, 2);
    ck_assert_uint_eq (out[1].item, 3);
    /* 1 -> 2: three times at distance 1; 1 -> 3: twice at distance 2 */
    double c12 = 3 * 1.0, c13 = 2 * 0.5, total = c12 + c13;
    ck_assert_double_eq_tol (out[0].score, c12 / total, 1e-6);
    ck_assert_double_eq_tol (out[1].score, c13 / total, 1e-6);
    ck_assert (!s_listed (out, n, 1));         /* no 1 -> 1 from the repeat */
    uint32_t h3[] = { 3 };
    ck_assert_uint_eq (st.recommend (st.state, h3, 1, 0, false, out, 10), 0);
    eval_strategy_free (&st);
}
END_TEST

START_TEST (test_history_mix_and_exclusion)
{
    /* 1 -> 2, 2 -> 4 (and 1 -> 4 at distance 2); 5 -> 2 */
    const int log[] = { 1, 2, 4, -1, 5, 2, -2 };
    eval_strategy_t st = s_strategy (log, 5, false, 200);
    eval_seqrules_params_t p;
    eval_seqrules_params_default (&p);
    collab_rec_t out[10];
    uint32_t hist[] = { 2, 1 };                 /* 2 newest */
    uint32_t n = st.recommend (st.state, hist, 2, 0, false, out, 10);
    /* 2's row: {4: 1}; 1's row: {2: 1, 4: 0.5}, weighted 2^-hist_pow */
    double w1 = pow (2.0, -p.hist_pow);
    ck_assert_double_eq_tol (s_score_of (out, n, 4), 1.0 + w1 * 0.5 / 1.5, 1e-6);
    ck_assert_double_eq_tol (s_score_of (out, n, 2), w1 * 1.0 / 1.5, 1e-6);
    ck_assert_uint_eq (out[0].item, 4);
    n = st.recommend (st.state, hist, 2, 0, true, out, 10);
    ck_assert_uint_eq (n, 1);                   /* 2 is in the history */
    ck_assert_uint_eq (out[0].item, 4);
    eval_strategy_free (&st);
}
END_TEST

START_TEST (test_keep_trims_a_row)
{
    const int log[] = { 1, 2, -1, 1, 2, -1, 1, 3, -2 };
    eval_strategy_t st = s_strategy (log, 1, false, 1);
    collab_rec_t out[10];
    uint32_t hist[] = { 1 };
    ck_assert_uint_eq (st.recommend (st.state, hist, 1, 0, true, out, 10), 1);
    ck_assert_uint_eq (out[0].item, 2);
    ck_assert_double_eq_tol (out[0].score, 1.0, 1e-6);     /* the kept row's total */
    eval_strategy_free (&st);
}
END_TEST

START_TEST (test_online_rules)
{
    const int log[] = { 1, 2, -2 };
    collab_rec_t out[10];
    uint32_t h7[] = { 7 };
    for (int online = 0; online <= 1; online++) {
        eval_strategy_t st = s_strategy (log, 1, online, 200);
        ck_assert_uint_eq (st.recommend (st.state, h7, 1, 0, true, out, 10), 0);
        /* sessions 0 and 1 interleave: 7 (s0), 8 (s1), 9 (s0) */
        st.observe (st.state, 0, 7, 100);
        st.observe (st.state, 1, 8, 110);
        st.observe (st.state, 0, 9, 120);
        uint32_t n = st.recommend (st.state, h7, 1, 0, true, out, 10);
        if (online) {
            ck_assert_uint_eq (n, 1);
            ck_assert_uint_eq (out[0].item, 9);
        }
        else
            ck_assert_uint_eq (n, 0);
        eval_strategy_free (&st);
    }
}
END_TEST

START_TEST (test_online_pools_with_trained)
{
    /* trained: 1 -> 2 once; replayed: 1 -> 3 twice: 3 overtakes 2 */
    const int log[] = { 1, 2, -2 };
    eval_strategy_t st = s_strategy (log, 1, true, 200);
    st.observe (st.state, 0, 1, 100);
    st.observe (st.state, 0, 3, 110);
    st.observe (st.state, 1, 1, 120);
    st.observe (st.state, 1, 3, 130);
    collab_rec_t out[10];
    uint32_t hist[] = { 1 };
    uint32_t n = st.recommend (st.state, hist, 1, 0, true, out, 10);
    ck_assert_uint_eq (n, 2);
    ck_assert_uint_eq (out[0].item, 3);
    ck_assert_double_eq_tol (out[0].score, 2.0 / 3.0, 1e-6);
    ck_assert_double_eq_tol (out[1].score, 1.0 / 3.0, 1e-6);
    eval_strategy_free (&st);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("seqrules");
    TCase *tc = tcase_create ("core");
    tcase_add_test (tc, test_order_and_direction);
    tcase_add_test (tc, test_history_mix_and_exclusion);
    tcase_add_test (tc, test_keep_trims_a_row);
    tcase_add_test (tc, test_online_rules);
    tcase_add_test (tc, test_online_pools_with_trained);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
