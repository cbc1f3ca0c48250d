/*  hr_merge: normalisation, weights, de-duplication, exclusion, order, cut. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hr_merge.h"

static hr_scored_t
item (const char *id, float score, uint8_t strategy, const char *source)
{
    hr_scored_t it;
    memset (&it, 0, sizeof it);
    memcpy (it.id, id, HR_PRODUCT_ID_LEN);
    it.score = score;
    it.strategy = strategy;
    snprintf (it.source, sizeof it.source, "%s", source);
    return it;
}

START_TEST (test_normalises_each_source_by_its_maximum)
{
    hr_scored_t a[] = { item ("AAAAAAAAAA", 10, HR_STRAT_CONTENT, "P1"),
                        item ("BBBBBBBBBB", 5, HR_STRAT_CONTENT, "P1") };
    hr_scored_t b[] = { item ("CCCCCCCCCC", 0.01f, HR_STRAT_SEARCH, "shoes") };
    hr_merge_source_t src[] = { { a, 2, 0.5, "clicked", NULL, 0 }, { b, 1, 0.4, "search", NULL, 0 } };
    hr_merged_t out[8];
    int n = hr_merge (src, 2, NULL, 0, 8, out);
    ck_assert_int_eq (n, 3);
    ck_assert_str_eq (out[0].item.id, "AAAAAAAAAA");
    ck_assert_float_eq_tol (out[0].item.score, 0.5, 1e-6);
    ck_assert_str_eq (out[1].item.id, "CCCCCCCCCC");       /* 0.01 is its source's max */
    ck_assert_float_eq_tol (out[1].item.score, 0.4, 1e-6);
    ck_assert_int_eq (out[1].best_source, 1);
    ck_assert_str_eq (out[1].item.source, "shoes");
    ck_assert_str_eq (out[2].item.id, "BBBBBBBBBB");
    ck_assert_float_eq_tol (out[2].item.score, 0.25, 1e-6);
}
END_TEST

START_TEST (test_sums_across_sources_and_keeps_largest_contribution)
{
    hr_scored_t a[] = { item ("AAAAAAAAAA", 1, HR_STRAT_CONTENT, "P1"),
                        item ("XXXXXXXXXX", 0.5f, HR_STRAT_CONTENT, "P1") };
    hr_scored_t b[] = { item ("XXXXXXXXXX", 2, HR_STRAT_COLLAB, "P2") };
    hr_merge_source_t src[] = { { a, 2, 0.2, "clicked", NULL, 0 }, { b, 1, 0.3, "clicked", NULL, 0 } };
    hr_merged_t out[4];
    int n = hr_merge (src, 2, NULL, 0, 4, out);
    ck_assert_int_eq (n, 2);
    ck_assert_str_eq (out[0].item.id, "XXXXXXXXXX");
    ck_assert_float_eq_tol (out[0].item.score, 0.1 + 0.3, 1e-6);
    ck_assert_float_eq_tol (out[0].parts[0], 0.1, 1e-6);
    ck_assert_float_eq_tol (out[0].parts[1], 0.3, 1e-6);
    ck_assert_int_eq (out[0].best_source, 1);
    ck_assert_int_eq (out[0].item.strategy, HR_STRAT_COLLAB);
    ck_assert_str_eq (out[0].item.source, "P2");
    ck_assert_float_eq_tol (out[1].parts[1], 0, 1e-9);
}
END_TEST

START_TEST (test_excludes_clicked_items)
{
    hr_scored_t a[] = { item ("AAAAAAAAAA", 3, 1, ""), item ("BBBBBBBBBB", 2, 1, ""),
                        item ("CCCCCCCCCC", 1, 1, "") };
    const char *exclude[] = { "AAAAAAAAAA", "CCCCCCCCCCextra-bytes-ignored" };
    hr_merge_source_t src[] = { { a, 3, 1.0, "clicked", NULL, 0 } };
    hr_merged_t out[4];
    int n = hr_merge (src, 1, exclude, 2, 4, out);
    ck_assert_int_eq (n, 1);
    ck_assert_str_eq (out[0].item.id, "BBBBBBBBBB");
    /*  Normalised by the source maximum before exclusion: 2/3.  */
    ck_assert_float_eq_tol (out[0].item.score, 2.0 / 3.0, 1e-6);
}
END_TEST

START_TEST (test_ties_break_on_lower_id_and_limit_cuts)
{
    hr_scored_t a[] = { item ("ZZZZZZZZZ1", 1, 1, ""), item ("AAAAAAAAA2", 1, 1, ""),
                        item ("MMMMMMMMM3", 1, 1, ""), item ("BBBBBBBBB4", 0.5f, 1, "") };
    hr_merge_source_t src[] = { { a, 4, 1.0, "clicked", NULL, 0 } };
    hr_merged_t out[2];
    int n = hr_merge (src, 1, NULL, 0, 2, out);
    ck_assert_int_eq (n, 2);
    ck_assert_str_eq (out[0].item.id, "AAAAAAAAA2");
    ck_assert_str_eq (out[1].item.id, "MMMMMMMMM3");
}
END_TEST

START_TEST (test_duplicates_within_a_source_count_once)
{
    hr_scored_t a[] = { item ("AAAAAAAAAA", 2, 1, "first"), item ("AAAAAAAAAA", 1, 1, "second"),
                        item ("AAAAAAAAAA", 2, 1, "third") };
    hr_merge_source_t src[] = { { a, 3, 0.5, "clicked", NULL, 0 } };
    hr_merged_t out[4];
    ck_assert_int_eq (hr_merge (src, 1, NULL, 0, 4, out), 1);
    ck_assert_float_eq_tol (out[0].item.score, 0.5, 1e-6);
    ck_assert_str_eq (out[0].item.source, "first");
}
END_TEST

START_TEST (test_unusable_scores_and_disabled_sources_add_nothing)
{
    hr_scored_t a[] = { item ("AAAAAAAAAA", NAN, 1, ""), item ("BBBBBBBBBB", -1, 1, ""),
                        item ("CCCCCCCCCC", 0, 1, ""), item ("DDDDDDDDDD", 4, 1, "") };
    hr_scored_t b[] = { item ("EEEEEEEEEE", 9, 1, "") };
    hr_merge_source_t src[] = { { a, 4, 1.0, "clicked", NULL, 0 }, { b, 1, 0.0, "diverse", NULL, 0 } };
    hr_merged_t out[8];
    int n = hr_merge (src, 2, NULL, 0, 8, out);
    ck_assert_int_eq (n, 1);
    ck_assert_str_eq (out[0].item.id, "DDDDDDDDDD");
    ck_assert_float_eq_tol (out[0].item.score, 1.0, 1e-6);
}
END_TEST

START_TEST (test_bad_arguments_and_empty_input)
{
    hr_merge_source_t src[HR_MERGE_MAX_SOURCES + 1];
    memset (src, 0, sizeof src);
    hr_merged_t out[1];
    ck_assert_int_eq (hr_merge (src, HR_MERGE_MAX_SOURCES + 1, NULL, 0, 1, out), -1);
    ck_assert_int_eq (hr_merge (NULL, 1, NULL, 0, 1, out), -1);
    ck_assert_int_eq (hr_merge (src, -1, NULL, 0, 1, out), -1);
    ck_assert_int_eq (hr_merge (src, HR_MERGE_MAX_SOURCES, NULL, 0, 1, out), 0);
    ck_assert_int_eq (hr_merge (NULL, 0, NULL, 0, 0, NULL), 0);
    src[0].n = 3;       /* a count without items */
    ck_assert_int_eq (hr_merge (src, 1, NULL, 0, 1, out), -1);
}
END_TEST

START_TEST (test_many_items_all_distinct)
{
    enum { N = 5000 };
    hr_scored_t *a = calloc (N, sizeof *a);
    hr_merged_t *out = calloc (N, sizeof *out);
    ck_assert_ptr_nonnull (a);
    for (int i = 0; i < N; i++) {
        char id[16];    /* i < N fits 9 digits; room for the compiler's worst case */
        snprintf (id, sizeof id, "P%09d", i);
        a[i] = item (id, (float) (i + 1), 1, "");
    }
    hr_merge_source_t src[] = { { a, N, 1.0, "clicked", NULL, 0 } };
    ck_assert_int_eq (hr_merge (src, 1, NULL, 0, N, out), N);
    ck_assert_str_eq (out[0].item.id, "P000004999");
    ck_assert_str_eq (out[N - 1].item.id, "P000000000");
    for (int i = 1; i < N; i++)
        ck_assert (out[i - 1].item.score >= out[i].item.score);
    free (a);
    free (out);
}
END_TEST

/*  Issue 15: a source whose every score ties (content on item names that
    carry no meaning) filled /home, because max-normalisation made each of
    its items 1.0.  By rank, a tie takes the worst rank of its group.      */
START_TEST (test_by_rank_a_flat_source_does_not_win)
{
    hr_scored_t flat[30], ranked[30];
    char id[24];
    for (int i = 0; i < 30; i++) {
        snprintf (id, sizeof id, "F%09d", i);
        flat[i] = item (id, 0.5f, HR_STRAT_CONTENT, "");
        snprintf (id, sizeof id, "R%09d", i);
        ranked[i] = item (id, (float) (100 - i), HR_STRAT_COLLAB, "");
    }
    hr_merge_source_t src[] = { { flat, 30, 0.2, "clicked", NULL, 0 }, { ranked, 30, 0.2, "clicked", NULL, 0 } };
    hr_merged_t out[20];
    /*  By max (the old merge) every flat item is 1.0 x 0.2 and ties collab's top.  */
    ck_assert_int_eq (hr_merge (src, 2, NULL, 0, 20, out), 20);
    int flat_in_top = 0;
    for (int i = 0; i < 20; i++)
        flat_in_top += out[i].item.id[0] == 'F';
    ck_assert_int_ge (flat_in_top, 19);
    /*  By rank: the flat list ranks 30th everywhere, below collab's top 20.  */
    ck_assert_int_eq (hr_merge_ex (src, 2, NULL, 0, 20, HR_MERGE_BY_RANK, out), 20);
    for (int i = 0; i < 20; i++) {
        ck_assert_msg (out[i].item.id[0] == 'R', "position %d is %.10s", i, out[i].item.id);
        ck_assert_float_eq_tol (out[i].item.score, 0.2 / (i + 1 + HR_MERGE_RANK_OFFSET), 1e-6);
    }
}
END_TEST

START_TEST (test_by_rank_excluded_items_are_not_ranked_and_parts_add)
{
    hr_scored_t a[] = { item ("AAAAAAAAAA", 9, HR_STRAT_COLLAB, ""), item ("BBBBBBBBBB", 5, HR_STRAT_COLLAB, ""),
                        item ("CCCCCCCCCC", NAN, HR_STRAT_COLLAB, "") };
    hr_scored_t b[] = { item ("BBBBBBBBBB", 0.001f, HR_STRAT_RULES, "") };
    hr_merge_source_t src[] = { { a, 3, 1.0, "clicked", NULL, 0 }, { b, 1, 0.5, "clicked", NULL, 0 } };
    const char *exclude[] = { "AAAAAAAAAA" };
    hr_merged_t out[4];
    ck_assert_int_eq (hr_merge_ex (src, 2, exclude, 1, 4, HR_MERGE_BY_RANK, out), 1);
    ck_assert_str_eq (out[0].item.id, "BBBBBBBBBB");                 /* rank 1 once A is out */
    ck_assert_float_eq_tol (out[0].parts[0], 1.0 / (1 + HR_MERGE_RANK_OFFSET), 1e-6);
    ck_assert_float_eq_tol (out[0].parts[1], 0.5 / (1 + HR_MERGE_RANK_OFFSET), 1e-6);
    ck_assert_float_eq_tol (out[0].item.score, 1.5 / (1 + HR_MERGE_RANK_OFFSET), 1e-6);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_merge");
    TCase *tc = tcase_create ("merge");
    tcase_add_test (tc, test_normalises_each_source_by_its_maximum);
    tcase_add_test (tc, test_sums_across_sources_and_keeps_largest_contribution);
    tcase_add_test (tc, test_excludes_clicked_items);
    tcase_add_test (tc, test_ties_break_on_lower_id_and_limit_cuts);
    tcase_add_test (tc, test_duplicates_within_a_source_count_once);
    tcase_add_test (tc, test_unusable_scores_and_disabled_sources_add_nothing);
    tcase_add_test (tc, test_bad_arguments_and_empty_input);
    tcase_add_test (tc, test_many_items_all_distinct);
    tcase_add_test (tc, test_by_rank_a_flat_source_does_not_win);
    tcase_add_test (tc, test_by_rank_excluded_items_are_not_ranked_and_parts_add);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
