/*  The evaluation harness on tiny inputs with hand-computed values.       */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include "eval.h"
#include "eval_metrics.h"
#include "eval_strategies.h"
#include "collab-svc/log.h"

START_TEST (metrics_by_hand)
{
    eval_metrics_t m;
    ck_assert_int_eq (eval_metrics_init (&m, (uint32_t[]) { 1, 3 }, 2, 10), 0);
    collab_rec_t list[3] = { { 5, 3 }, { 6, 2 }, { 7, 1 } };
    ck_assert_int_eq (eval_metrics_add (&m, list, 3, 6, 1000), 0);   /* rank 2 */
    ck_assert_int_eq (eval_metrics_add (&m, list, 3, 9, 3000), 0);   /* miss */
    ck_assert_int_eq (eval_metrics_add (&m, list, 3, 5, 2000), 0);   /* rank 1 */
    /* HR@1 = 1/3; HR@3 = 2/3; MRR@3 = (1/2 + 1)/3 = 0.5;
       NDCG@3 = (1/log2(3) + 1)/3 = 0.543643; coverage@1 = {5}/10, @3 = 3/10 */
    ck_assert_double_eq_tol (eval_metrics_hr (&m, 0), 1 / 3.0, 1e-9);
    ck_assert_double_eq_tol (eval_metrics_mrr (&m, 0), 1 / 3.0, 1e-9);
    ck_assert_double_eq_tol (eval_metrics_hr (&m, 1), 2 / 3.0, 1e-9);
    ck_assert_double_eq_tol (eval_metrics_mrr (&m, 1), 0.5, 1e-9);
    ck_assert_double_eq_tol (eval_metrics_ndcg (&m, 1), (1 / log2 (3.0) + 1) / 3, 1e-9);
    ck_assert_double_eq_tol (eval_metrics_coverage (&m, 0), 0.1, 1e-9);
    ck_assert_double_eq_tol (eval_metrics_coverage (&m, 1), 0.3, 1e-9);
    ck_assert_double_eq_tol (eval_metrics_latency_mean_us (&m), 2.0, 1e-9);
    ck_assert_double_eq_tol (eval_metrics_latency_us (&m, 0.99), 3.0, 1e-9);
    eval_metrics_free (&m);
    ck_assert_int_eq (eval_metrics_init (&m, (uint32_t[]) { 3, 3 }, 2, 10), -1);
}
END_TEST

/*  "Repeat the last click": perfect on re-clicks, useless on new items.   */
static uint32_t
s_last (void *state, const uint32_t *hist, uint32_t n, int64_t now_ms, bool exclude_history,
        collab_rec_t *out, uint32_t k)
{
    (void) now_ms;
    int *observed = state;
    (void) observed;
    if (exclude_history || n == 0 || k == 0)
        return 0;
    out[0] = (collab_rec_t) { hist[0], 1 };
    return 1;
}

static void
s_observe (void *state, uint32_t session, uint32_t item, int64_t ts_ms)
{
    (void) ts_ms;
    /* the click's own session: items 1, 2 are in the first, 3, 4 in the second */
    ck_assert_uint_eq (session, item <= 2 ? 0 : 1);
    (*(int *) state)++;
}

START_TEST (replay_protocols_by_hand)
{
    /* session 1: 1 1 2   session 2: 3 4 3 */
    collab_rows_t *rows = collab_rows_new ();
    collab_rows_add (rows, 1, 10, 1);
    collab_rows_add (rows, 1, 20, 1);
    collab_rows_add (rows, 1, 30, 2);
    collab_rows_add (rows, 2, 15, 3);
    collab_rows_add (rows, 2, 25, 4);
    collab_rows_add (rows, 2, 35, 3);
    collab_log_t *test = collab_rows_build (rows, 1);
    int observed = 0;
    eval_strategy_t st = { .name = "last", .state = &observed, .recommend = s_last,
                          .observe = s_observe };
    eval_result_t res;
    ck_assert_int_eq (eval_run (test, 5, &st, 1, (uint32_t[]) { 1, 20 }, 2, &res, false), 0);
    /* (a): 4 predictions; hits: 1->1 (rank 1); 1,1->2 miss; 3->4 miss; 4,3->3 miss */
    ck_assert_uint_eq (res.all_clicks.n, 4);
    ck_assert_double_eq_tol (eval_metrics_hr (&res.all_clicks, 0), 0.25, 1e-9);
    ck_assert_double_eq_tol (eval_metrics_mrr (&res.all_clicks, 1), 0.25, 1e-9);
    /* (b): re-click targets (1 after 1, 3 after 4,3) are skipped: 2 predictions */
    ck_assert_uint_eq (res.new_items.n, 2);
    ck_assert_double_eq_tol (eval_metrics_hr (&res.new_items, 1), 0.0, 1e-9);
    ck_assert_int_eq (observed, 6);              /* every event observed once */
    eval_results_free (&res, 1);
    collab_log_destroy (&test);
    collab_rows_destroy (&rows);
}
END_TEST

START_TEST (temporal_split)
{
    collab_rows_t *rows = collab_rows_new ();
    collab_rows_add (rows, 1, 100, 0);
    collab_rows_add (rows, 1, 200, 1);
    collab_rows_add (rows, 2, 250, 1);
    collab_rows_add (rows, 2, 400, 7);           /* item 7 unknown to training */
    collab_rows_add (rows, 2, 500, 0);
    collab_log_t *all = collab_rows_build (rows, 1), *before, *after;
    ck_assert_int_eq (collab_log_split (all, 300, &before, &after), 0);
    ck_assert_uint_eq (before->n_sessions, 1);   /* a session goes by its last click */
    ck_assert_uint_eq (after->n_sessions, 1);
    collab_log_t *known = collab_log_known (after, 2, 2);
    ck_assert_uint_eq (known->n_events, 2);      /* 1, 0 */
    collab_log_destroy (&known);
    collab_log_destroy (&before);
    collab_log_destroy (&after);
    collab_log_destroy (&all);
    collab_rows_destroy (&rows);
}
END_TEST

/*  Event-type weights: every train event counts train_weight, every
    replayed event observe_weight.  Item 0 has 2 train events, item 1 one.
    Train events as purchases (3), one replayed click of 1 (1): 0 leads,
    6 to 4.  Replayed purchases (3): two of item 1 put it first, 9 to 6.   */
START_TEST (trending_weighted_by_type)
{
    collab_rows_t *rows = collab_rows_new ();
    collab_rows_add (rows, 1, 1000, 0);
    collab_rows_add (rows, 1, 1000, 1);
    collab_rows_add (rows, 2, 1000, 0);
    collab_log_t *train = collab_rows_build (rows, 1);
    eval_strategy_t st;
    collab_rec_t out[2];
    /* rate 1: no decay, the sums are the weights */
    ck_assert_int_eq (eval_trending_weighted (&st, train, 1.0, 3.0, 1.0), 0);
    st.observe (st.state, 0, 1, 1000);
    ck_assert_uint_eq (st.recommend (st.state, NULL, 0, 1000, false, out, 2), 2);
    ck_assert_uint_eq (out[0].item, 0);
    ck_assert_double_eq_tol (out[0].score, 6.0, 1e-6);
    ck_assert_double_eq_tol (out[1].score, 4.0, 1e-6);
    eval_strategy_free (&st);
    ck_assert_int_eq (eval_trending_weighted (&st, train, 1.0, 3.0, 3.0), 0);
    st.observe (st.state, 0, 1, 1000);
    st.observe (st.state, 0, 1, 1000);
    ck_assert_uint_eq (st.recommend (st.state, NULL, 0, 1000, false, out, 2), 2);
    ck_assert_uint_eq (out[0].item, 1);
    ck_assert_double_eq_tol (out[0].score, 9.0, 1e-6);
    eval_strategy_free (&st);
    collab_log_destroy (&train);
    collab_rows_destroy (&rows);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("eval");
    TCase *tc = tcase_create ("eval");
    tcase_add_test (tc, metrics_by_hand);
    tcase_add_test (tc, replay_protocols_by_hand);
    tcase_add_test (tc, temporal_split);
    tcase_add_test (tc, trending_weighted_by_type);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
