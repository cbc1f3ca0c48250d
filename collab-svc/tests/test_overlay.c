/*  collab_overlay: the live co-count deltas, with weights computed by hand
    (window 10, fwd 1, bwd 0.5, weight / distance).                        */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "overlay.h"

static collab_overlay_t *
s_overlay (uint32_t max_users, uint32_t max_items)
{
    collab_overlay_params_t p;
    collab_overlay_params_default (&p);
    p.max_users = max_users;
    p.max_items = max_items;
    p.dist_pow = 1;
    collab_overlay_t *ov = collab_overlay_new (&p);
    ck_assert_ptr_nonnull (ov);
    return ov;
}

static uint32_t
s_click (collab_overlay_t *ov, const char *user, const char *item, int64_t ts)
{
    hr_event_t ev = { .type = HR_EVENT_CLICK, .ts_ms = ts };
    snprintf (ev.user_id, sizeof ev.user_id, "%s", user);
    snprintf (ev.value, sizeof ev.value, "%s", item);
    return collab_overlay_apply (ov, &ev, 1);
}

/*  The weight of a -> b (0 when absent) and the row's mass.  */
static float
s_weight (collab_overlay_t *ov, const char *a, const char *b, float *mass)
{
    collab_overlay_nb_t nb[COLLAB_OVERLAY_ROW];
    float m;
    uint32_t n = collab_overlay_row (ov, a, strlen (a), nb, COLLAB_OVERLAY_ROW, &m);
    if (mass)
        *mass = m;
    for (uint32_t i = 0; i < n; i++)
        if (strcmp (nb[i].id, b) == 0)
            return nb[i].weight;
    return 0;
}

START_TEST (pairs_by_hand)
{
    collab_overlay_t *ov = s_overlay (100, 100);
    const int64_t t0 = 1700000000000;
    ck_assert_uint_eq (s_click (ov, "u1", "ITEMAAAAAA", t0), 1);
    ck_assert_uint_eq (s_click (ov, "u1", "ITEMBBBBBB", t0 + 1), 1);
    ck_assert_uint_eq (s_click (ov, "u1", "ITEMBBBBBB", t0 + 2), 1);   /* repeat: no pair */
    ck_assert_uint_eq (s_click (ov, "u1", "ITEMCCCCCC", t0 + 3), 1);
    float mass;
    /* A: B 1 (d=1 fwd), C 0.5 (d=2 fwd) */
    ck_assert_float_eq_tol (s_weight (ov, "ITEMAAAAAA", "ITEMBBBBBB", &mass), 1.0f, 1e-6);
    ck_assert_float_eq_tol (s_weight (ov, "ITEMAAAAAA", "ITEMCCCCCC", NULL), 0.5f, 1e-6);
    ck_assert_float_eq_tol (mass, 1.5f, 1e-6);
    /* B: C 1, A 0.5 (bwd d=1) */
    ck_assert_float_eq_tol (s_weight (ov, "ITEMBBBBBB", "ITEMCCCCCC", NULL), 1.0f, 1e-6);
    ck_assert_float_eq_tol (s_weight (ov, "ITEMBBBBBB", "ITEMAAAAAA", NULL), 0.5f, 1e-6);
    /* C: B 0.5 (bwd d=1), A 0.25 (bwd d=2) */
    ck_assert_float_eq_tol (s_weight (ov, "ITEMCCCCCC", "ITEMBBBBBB", &mass), 0.5f, 1e-6);
    ck_assert_float_eq_tol (s_weight (ov, "ITEMCCCCCC", "ITEMAAAAAA", NULL), 0.25f, 1e-6);
    ck_assert_float_eq_tol (mass, 0.75f, 1e-6);
    /* rows come heaviest first */
    collab_overlay_nb_t nb[COLLAB_OVERLAY_ROW];
    ck_assert_uint_eq (collab_overlay_row (ov, "ITEMAAAAAA", 10, nb, 1, &mass), 1);
    ck_assert_str_eq (nb[0].id, "ITEMBBBBBB");
    /* 31 minutes later: a new live session, nothing pairs with C */
    ck_assert_uint_eq (s_click (ov, "u1", "ITEMDDDDDD", t0 + 31 * 60 * 1000), 1);
    ck_assert_float_eq (s_weight (ov, "ITEMDDDDDD", "ITEMCCCCCC", NULL), 0);
    /* searches, malformed product ids and user ids are skipped */
    hr_event_t bad[3] = { { .type = HR_EVENT_SEARCH, .ts_ms = t0 }, { .type = HR_EVENT_CLICK, .ts_ms = t0 },
                          { .type = HR_EVENT_CLICK, .ts_ms = t0 } };
    strcpy (bad[0].user_id, "u1"); strcpy (bad[0].value, "red shoes");
    strcpy (bad[1].user_id, "u1"); strcpy (bad[1].value, "short");
    strcpy (bad[2].user_id, "bad user"); strcpy (bad[2].value, "ITEMAAAAAA");
    ck_assert_uint_eq (collab_overlay_apply (ov, bad, 3), 0);
    collab_overlay_stats_t st;
    collab_overlay_stats (ov, &st);
    ck_assert_uint_eq (st.events, 5);
    ck_assert_uint_eq (st.users, 1);
    ck_assert_uint_eq (st.items, 3);
    ck_assert_uint_eq (st.entries, 6);
    /* a new model: rows go, the user's window stays (E pairs with D) */
    collab_overlay_clear_rows (ov, 1, 0.5f, 1);
    ck_assert_float_eq (s_weight (ov, "ITEMAAAAAA", "ITEMBBBBBB", NULL), 0);
    ck_assert_uint_eq (s_click (ov, "u1", "ITEMEEEEEE", t0 + 31 * 60 * 1000 + 5), 1);
    ck_assert_float_eq_tol (s_weight (ov, "ITEMDDDDDD", "ITEMEEEEEE", NULL), 1.0f, 1e-6);
    collab_overlay_stats (ov, &st);
    ck_assert_uint_eq (st.items, 2);
    ck_assert_uint_eq (st.entries, 2);
    collab_overlay_destroy (&ov);
    ck_assert_ptr_null (ov);
}
END_TEST

START_TEST (bounded_lru)
{
    collab_overlay_t *ov = s_overlay (2, 2);
    const int64_t t0 = 1700000000000;
    s_click (ov, "u1", "ITEMXXXXXX", t0);
    s_click (ov, "u1", "ITEMYYYYYY", t0 + 1);   /* rows X, Y */
    s_click (ov, "u2", "ITEMPPPPPP", t0 + 2);
    s_click (ov, "u2", "ITEMQQQQQQ", t0 + 3);   /* rows P, Q evict X then Y */
    collab_overlay_stats_t st;
    collab_overlay_stats (ov, &st);
    ck_assert_uint_eq (st.items, 2);
    ck_assert_uint_eq (st.entries, 2);
    ck_assert_float_eq (s_weight (ov, "ITEMXXXXXX", "ITEMYYYYYY", NULL), 0);
    ck_assert_float_eq_tol (s_weight (ov, "ITEMPPPPPP", "ITEMQQQQQQ", NULL), 1.0f, 1e-6);
    /* a third user evicts u1 (least recently seen): u1's next click pairs with nothing */
    s_click (ov, "u3", "ITEMZZZZZZ", t0 + 4);
    s_click (ov, "u1", "ITEMWWWWWW", t0 + 5);
    ck_assert_float_eq (s_weight (ov, "ITEMYYYYYY", "ITEMWWWWWW", NULL), 0);
    collab_overlay_stats (ov, &st);
    ck_assert_uint_eq (st.users, 2);
    /* a full row keeps its heaviest entries */
    collab_overlay_t *big = s_overlay (100, 100);
    char id[16];
    for (int i = 0; i < COLLAB_OVERLAY_ROW + 5; i++) {
        char user[16];
        snprintf (user, sizeof user, "r%d", i);
        snprintf (id, sizeof id, "NB%08d", i);
        s_click (big, user, "ITEMHUBHUB", t0);
        s_click (big, user, id, t0 + 1);
        if (i == 0) {                          /* NB0 is clicked twice: weight 2 */
            s_click (big, "again", "ITEMHUBHUB", t0);
            s_click (big, "again", id, t0 + 1);
        }
    }
    collab_overlay_nb_t nb[COLLAB_OVERLAY_ROW];
    float mass;
    ck_assert_uint_eq (collab_overlay_row (big, "ITEMHUBHUB", 10, nb, COLLAB_OVERLAY_ROW, &mass), COLLAB_OVERLAY_ROW);
    ck_assert_str_eq (nb[0].id, "NB00000000");
    ck_assert_float_eq_tol (nb[0].weight, 2.0f, 1e-6);
    ck_assert_float_eq_tol (mass, COLLAB_OVERLAY_ROW + 6, 1e-4);
    collab_overlay_destroy (&big);
    collab_overlay_destroy (&ov);
}
END_TEST

/*  An erase marker wipes the user's window: their next click pairs with
    nothing; other users keep theirs; a removed slot is recycled first and
    the table stays consistent when it is full.                            */
START_TEST (erase_forgets_user)
{
    collab_overlay_t *ov = s_overlay (2, 50);
    const int64_t t0 = 1700000000000;
    s_click (ov, "u1", "ITEMAAAAAA", t0);
    s_click (ov, "u2", "ITEMPPPPPP", t0 + 1);
    hr_event_t erase = { .type = HR_EVENT_ERASE, .ts_ms = t0 + 2 };
    snprintf (erase.user_id, sizeof erase.user_id, "u1");
    ck_assert_uint_eq (collab_overlay_apply (ov, &erase, 1), 0);
    ck_assert_uint_eq (collab_overlay_apply (ov, &erase, 1), 0);     /* twice: harmless */
    s_click (ov, "u1", "ITEMBBBBBB", t0 + 3);
    ck_assert_float_eq (s_weight (ov, "ITEMAAAAAA", "ITEMBBBBBB", NULL), 0);
    s_click (ov, "u2", "ITEMQQQQQQ", t0 + 4);                       /* u2 untouched */
    ck_assert_float_eq_tol (s_weight (ov, "ITEMPPPPPP", "ITEMQQQQQQ", NULL), 1.0f, 1e-6);
    /* full table (u1, u2): erase u2, then u3 takes u2's slot, u1 keeps its window */
    snprintf (erase.user_id, sizeof erase.user_id, "u2");
    collab_overlay_apply (ov, &erase, 1);
    s_click (ov, "u3", "ITEMZZZZZZ", t0 + 5);
    s_click (ov, "u1", "ITEMCCCCCC", t0 + 6);
    ck_assert_float_eq_tol (s_weight (ov, "ITEMBBBBBB", "ITEMCCCCCC", NULL), 1.0f, 1e-6);
    s_click (ov, "u2", "ITEMRRRRRR", t0 + 7);                       /* recycles u3 (LRU) */
    ck_assert_float_eq (s_weight (ov, "ITEMQQQQQQ", "ITEMRRRRRR", NULL), 0);
    collab_overlay_stats_t st;
    collab_overlay_stats (ov, &st);
    ck_assert_uint_eq (st.users, 2);
    collab_overlay_destroy (&ov);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("collab_overlay");
    TCase *tc = tcase_create ("overlay");
    tcase_add_test (tc, pairs_by_hand);
    tcase_add_test (tc, bounded_lru);
    tcase_add_test (tc, erase_forgets_user);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
