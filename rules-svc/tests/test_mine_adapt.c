/*  rules_mine_adapt: mining adapts to the itemset budget instead of failing
    (issue 17 item 15: wholesale baskets made `train rules` give up).      */
#include <check.h>
#include <stdbool.h>
#include <string.h>
#include "fpgrowth.h"
#include "mine_adapt.h"

static rules_fpg_params_t params (size_t budget)
{
    rules_fpg_params_t p = rules_fpg_params_default ();
    p.min_support = 0;
    p.min_count_floor = 2;
    p.min_confidence = 0.1;
    p.max_len = 4;
    p.max_itemsets = budget;
    return p;
}

/*  Two wholesale baskets sharing 40 items: C(40,1..4) = 101,270 itemsets.  */
START_TEST (long_baskets_are_capped)
{
    rules_fpg_baskets_t *b = rules_fpg_baskets_new ();
    uint32_t big[40];
    for (uint32_t i = 0; i < 40; i++)
        big[i] = i;
    ck_assert_int_eq (rules_fpg_baskets_add (b, big, 40), 0);
    ck_assert_int_eq (rules_fpg_baskets_add (b, big, 40), 0);
    for (uint32_t i = 0; i < 20; i++)
        ck_assert_int_eq (rules_fpg_baskets_add (b, (uint32_t[]) { 100, 101, 102 + i % 2 }, 3), 0);
    rules_fpg_params_t p = params (10000);
    char err[256] = "";
    rules_fpg_result_t *r = rules_fpg_mine (b, &p, err, sizeof err);
    ck_assert_ptr_null (r);                     /* what train rules hit before */
    ck_assert_str_eq (err, rules_fpg_err_budget);
    rules_mine_adapt_t a;
    r = rules_mine_adapt (b, &p, 10, &a, err, sizeof err);
    ck_assert_msg (r != NULL, "%s", err);
    ck_assert_uint_eq (a.basket_cap, 10);
    ck_assert_uint_eq (a.baskets_capped, 2);
    ck_assert_uint_eq (a.attempts, 2);
    ck_assert_uint_eq (a.min_count_floor, 2);   /* the support did not need to move */
    ck_assert_uint_le (rules_fpg_result_itemset_count (r), 10000);
    /*  the small baskets' rules survive: 100 -> 101 (confidence 1) */
    bool found = false;
    for (size_t i = 0; i < rules_fpg_result_rule_count (r); i++) {
        const rules_fpg_rule_t *rule = rules_fpg_result_rule (r, i);
        found |= rule->antecedent_len == 1 && rule->antecedent[0] == 100 && rule->consequent == 101;
    }
    ck_assert (found);
    rules_fpg_result_destroy (&r);
    rules_fpg_baskets_destroy (&b);
}
END_TEST

/*  Short identical baskets: capping cannot help, the support rises.        */
START_TEST (support_rises_when_capping_is_not_enough)
{
    rules_fpg_baskets_t *b = rules_fpg_baskets_new ();
    uint32_t items[12];
    for (uint32_t i = 0; i < 12; i++)
        items[i] = i;
    for (int k = 0; k < 30; k++)
        ck_assert_int_eq (rules_fpg_baskets_add (b, items, 12), 0);
    for (int k = 0; k < 40; k++)
        ck_assert_int_eq (rules_fpg_baskets_add (b, (uint32_t[]) { 50, 51 }, 2), 0);
    rules_fpg_params_t p = params (100);
    char err[256] = "";
    rules_mine_adapt_t a;
    rules_fpg_result_t *r = rules_mine_adapt (b, &p, 50, &a, err, sizeof err);
    ck_assert_msg (r != NULL, "%s", err);
    ck_assert_uint_eq (a.basket_cap, 0);        /* no basket was longer than 50 */
    ck_assert_uint_gt (a.attempts, 1);
    ck_assert_uint_gt (a.min_count_floor, 30);  /* the 12-item sets are out ... */
    ck_assert_uint_le (a.min_count_floor, 40);  /* ... the pair {50, 51} is not */
    ck_assert_uint_eq (rules_fpg_result_itemset_count (r), 3);
    rules_fpg_result_destroy (&r);
    rules_fpg_baskets_destroy (&b);
}
END_TEST

START_TEST (other_errors_pass_through)
{
    rules_fpg_baskets_t *b = rules_fpg_baskets_new ();
    ck_assert_int_eq (rules_fpg_baskets_add (b, (uint32_t[]) { 1, 2 }, 2), 0);
    rules_fpg_params_t p = params (100);
    p.min_support = 2;                          /* invalid */
    char err[256] = "";
    rules_mine_adapt_t a;
    ck_assert_ptr_null (rules_mine_adapt (b, &p, 50, &a, err, sizeof err));
    ck_assert_uint_eq (a.attempts, 1);
    ck_assert_ptr_nonnull (strstr (err, "min_support"));
    rules_fpg_baskets_destroy (&b);
}
END_TEST

int main (void)
{
    Suite *s = suite_create ("mine_adapt");
    TCase *tc = tcase_create ("core");
    tcase_add_test (tc, long_baskets_are_capped);
    tcase_add_test (tc, support_rises_when_capping_is_not_enough);
    tcase_add_test (tc, other_errors_pass_through);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
