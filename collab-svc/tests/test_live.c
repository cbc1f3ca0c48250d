/*  collab_live: the hashed named-item list and the live deltas for a
    history (long, repetitive, with a non-product click), by hand.         */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "live.h"

START_TEST (named_set_dedupes_caps_and_sorts)
{
    collab_named_t list[3];
    collab_named_set_t set;
    collab_named_set_init (&set, list, 3);
    collab_named_set_add (&set, "ABC", 1.0f);
    collab_named_set_add (&set, "AB", 1.0f);
    collab_named_set_add (&set, "B", 0.5f);
    collab_named_set_add (&set, "B", 0.5f);           /* the same id: scores add up */
    collab_named_set_add (&set, "ZZZZZZZZZZ", 9.0f);  /* full: dropped */
    collab_named_set_add (&set, "AB", 0.0f);
    ck_assert_uint_eq (set.n, 3);
    collab_named_sort (list, set.n);
    /* equal scores: ids in strcmp order, whatever their lengths */
    ck_assert_str_eq (list[0].id, "AB");
    ck_assert_str_eq (list[1].id, "ABC");
    ck_assert_str_eq (list[2].id, "B");
    ck_assert_float_eq (list[2].score, 1.0f);
}
END_TEST

static void
s_click (collab_overlay_t *ov, const char *user, const char *item, int64_t ts)
{
    hr_event_t ev = { .type = HR_EVENT_CLICK, .ts_ms = ts };
    snprintf (ev.user_id, sizeof ev.user_id, "%s", user);
    snprintf (ev.value, sizeof ev.value, "%s", item);
    ck_assert_uint_eq (collab_overlay_apply (ov, &ev, 1), 1);
}

START_TEST (deltas_skip_history_and_rank_cold_items)
{
    collab_overlay_params_t op;
    collab_overlay_params_default (&op);
    collab_overlay_t *ov = collab_overlay_new (&op);
    ck_assert_ptr_nonnull (ov);
    const int64_t t0 = 1700000000000;
    /* row A: X 1, Y 1, W 1 (mass 3); Y -> A 0.5 */
    s_click (ov, "u1", "ITEMAAAAAA", t0);
    s_click (ov, "u1", "ITEMXXXXXX", t0 + 1);
    s_click (ov, "u2", "ITEMAAAAAA", t0);
    s_click (ov, "u2", "ITEMYYYYYY", t0 + 1);
    s_click (ov, "u3", "ITEMAAAAAA", t0);
    s_click (ov, "u3", "ITEMWWWWWW", t0 + 1);

    /* newest first: A, "x" (no product id, still a distinct click), A x 2997,
       Y last: more clicks than the on-stack table holds */
    enum { N = 3000 };
    collab_click_t *clicks = malloc (N * sizeof *clicks);
    ck_assert_ptr_nonnull (clicks);
    for (int i = 0; i < N; i++)
        clicks[i] = (collab_click_t) { "ITEMAAAAAA", 10 };
    clicks[1] = (collab_click_t) { "x", 1 };
    clicks[N - 1] = (collab_click_t) { "ITEMYYYYYY", 10 };

    collab_score_params_t p;
    collab_score_params_default (&p);
    collab_rec_t extra[COLLAB_LIVE_MAX];
    collab_named_t cold[COLLAB_LIVE_MAX];
    uint32_t nextra = 99, ncold = 99;
    collab_live_deltas (ov, NULL, &p, clicks, N, extra, &nextra, cold, &ncold);
    /* distinct A (k=0), x (k=1), Y (k=2); Y's row holds only A (clicked);
       A's row: Y clicked, X and W tie at 0.7 * (1/wsum) * 1/3 */
    double wsum = 1.0 + 1.0 / 4 + 1.0 / 9;
    float want = (float) (0.7 / wsum / 3.0);
    ck_assert_uint_eq (nextra, 0);
    ck_assert_uint_eq (ncold, 2);
    ck_assert_str_eq (cold[0].id, "ITEMWWWWWW");
    ck_assert_str_eq (cold[1].id, "ITEMXXXXXX");
    ck_assert_float_eq_tol (cold[0].score, want, 1e-6);
    ck_assert_float_eq_tol (cold[1].score, want, 1e-6);

    /* a short history takes the on-stack table: the same answer for A, Y */
    collab_click_t two[] = { { "ITEMAAAAAA", 10 }, { "ITEMYYYYYY", 10 } };
    collab_live_deltas (ov, NULL, &p, two, 2, extra, &nextra, cold, &ncold);
    ck_assert_uint_eq (ncold, 2);
    ck_assert_float_eq_tol (cold[0].score, (float) (0.7 / 1.25 / 3.0), 1e-6);
    free (clicks);
    collab_overlay_destroy (&ov);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("collab_live");
    TCase *tc = tcase_create ("live");
    tcase_add_test (tc, named_set_dedupes_caps_and_sorts);
    tcase_add_test (tc, deltas_skip_history_and_rank_cold_items);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
