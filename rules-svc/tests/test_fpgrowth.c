/*  FP-Growth: exact counts on arules' Groceries, measures against a direct
    count, every itemset against brute force on random data, edge cases.  */
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "basket_file.h"
#include "fpgrowth.h"
#include "item_dict.h"

/* ---- the Groceries data (skipped when ../shared/data is absent) ------- */

static rules_fpg_baskets_t *groceries;
static rules_item_dict_t *groceries_dict;

static const char *shared_data (char *buf, size_t cap, const char *rel)
{
    const char *dir = getenv ("HR_SHARED_DATA");
    if (dir)
        snprintf (buf, cap, "%s/%s", dir, rel);
    else
        snprintf (buf, cap, "%s/../shared/data/%s",
                  getenv ("HR_SOURCE_DIR") ? getenv ("HR_SOURCE_DIR") : ".", rel);
    return buf;
}

static bool load_groceries (void)
{
    if (groceries)
        return true;
    char path[4096];
    FILE *f = fopen (shared_data (path, sizeof path, "groceries/groceries.csv"), "r");
    if (!f) {
        printf ("SKIP: %s not found (shared data absent)\n", path);
        return false;
    }
    groceries = rules_fpg_baskets_new ();
    groceries_dict = rules_item_dict_new ();
    char err[256];
    int rc = rules_basket_file_read (f, groceries_dict, groceries, err, sizeof err);
    fclose (f);
    ck_assert_msg (rc == 0, "%s", err);
    return true;
}

static rules_fpg_result_t *mine (const rules_fpg_baskets_t *b, double s, double c, uint32_t maxlen)
{
    rules_fpg_params_t p = rules_fpg_params_default ();
    p.min_support = s;
    p.min_confidence = c;
    p.max_len = maxlen;
    char err[256] = "";
    rules_fpg_result_t *r = rules_fpg_mine (b, &p, err, sizeof err);
    ck_assert_msg (r != NULL, "fpg_mine: %s", err);
    return r;
}

START_TEST (groceries_shape)
{
    if (!load_groceries ())
        return;
    ck_assert_uint_eq (rules_fpg_baskets_count (groceries), 9835);
    ck_assert_uint_eq (rules_item_dict_size (groceries_dict), 169);
    ck_assert_uint_eq (rules_fpg_baskets_items (groceries), 43367);
    ck_assert_uint_eq (rules_fpg_min_count (9835, 0.001, 1), 10);
    ck_assert_uint_eq (rules_fpg_min_count (9835, 0.006, 1), 60);
    ck_assert_uint_eq (rules_fpg_min_count (9835, 0.01, 1), 99);
    ck_assert_uint_eq (rules_fpg_min_count (25900, 0.01, 1), 259);   /* float noise: 259.00000000000006 */
}
END_TEST

START_TEST (groceries_itemsets)
{
    if (!load_groceries ())
        return;
    static const struct { double s; size_t total, by_len[5]; } want[] = {
        { 0.05, 31, { 0, 28, 3, 0, 0 } },
        { 0.02, 122, { 0, 59, 61, 2, 0 } },
        { 0.01, 333, { 0, 88, 213, 32, 0 } },
        { 0.006, 747, { 0 } },
        { 0.005, 1001, { 0, 120, 605, 264, 12 } },
        { 0.001, 13492, { 0 } },
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        rules_fpg_result_t *r = mine (groceries, want[i].s, 2.0, 10);
        ck_assert_msg (rules_fpg_result_itemset_count (r) == want[i].total,
                       "support %g: %zu itemsets, want %zu", want[i].s,
                       rules_fpg_result_itemset_count (r), want[i].total);
        for (uint32_t k = 1; k < 5; k++)
            if (want[i].by_len[1])
                ck_assert_uint_eq (rules_fpg_result_itemset_count_len (r, k), want[i].by_len[k]);
        ck_assert_uint_eq (rules_fpg_result_rule_count (r), 0);   /* confidence > 1: itemsets only */
        rules_fpg_result_destroy (&r);
        ck_assert_ptr_null (r);
    }
}
END_TEST

START_TEST (groceries_rules)
{
    if (!load_groceries ())
        return;
    static const struct { double s, c; uint32_t minlen; size_t rules; } want[] = {
        { 0.001, 0.6, 1, 2918 },
        { 0.001, 0.8, 1, 410 },
        { 0.01, 0.5, 1, 15 },
        { 0.006, 0.25, 2, 463 },
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        rules_fpg_result_t *r = mine (groceries, want[i].s, want[i].c, 10);
        ck_assert_msg (rules_fpg_result_rule_count (r) == want[i].rules,
                       "support %g conf %g: %zu rules, want %zu", want[i].s, want[i].c,
                       rules_fpg_result_rule_count (r), want[i].rules);
        rules_fpg_result_destroy (&r);
    }
}
END_TEST

/*  Every measure of every rule against a direct scan of the baskets.      */
static uint32_t count_containing (const rules_fpg_baskets_t *b, const uint32_t *set, uint32_t k)
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < rules_fpg_baskets_count (b); i++) {
        uint32_t n;
        const uint32_t *items = rules_fpg_baskets_at (b, i, &n);
        uint32_t hit = 0;
        for (uint32_t a = 0; a < k; a++)
            for (uint32_t q = 0; q < n; q++)
                if (items[q] == set[a]) {
                    hit++;
                    break;
                }
        c += hit == k;
    }
    return c;
}

#define CLOSE(a, b) (fabs ((a) - (b)) <= 1e-12 * fmax (1.0, fabs (b)))

START_TEST (groceries_measures)
{
    if (!load_groceries ())
        return;
    rules_fpg_result_t *r = mine (groceries, 0.005, 0.3, 10);
    ck_assert_uint_gt (rules_fpg_result_rule_count (r), 50);
    double n = 9835, prev = INFINITY;
    for (size_t i = 0; i < rules_fpg_result_rule_count (r); i++) {
        const rules_fpg_rule_t *rule = rules_fpg_result_rule (r, i);
        uint32_t set[16];
        memcpy (set, rule->antecedent, rule->antecedent_len * sizeof *set);
        uint32_t cx = count_containing (groceries, set, rule->antecedent_len);
        set[rule->antecedent_len] = rule->consequent;
        uint32_t cz = count_containing (groceries, set, rule->antecedent_len + 1);
        uint32_t cy = count_containing (groceries, &rule->consequent, 1);
        ck_assert_uint_eq (rule->count, cz);
        double conf = (double) cz / cx, sy = cy / n;
        ck_assert (CLOSE (rule->support, cz / n));
        ck_assert (CLOSE (rule->confidence, conf));
        ck_assert (CLOSE (rule->lift, conf / sy));
        ck_assert (CLOSE (rule->leverage, cz / n - (cx / n) * sy));
        ck_assert (CLOSE (rule->conviction, (1 - sy) / (1 - conf)));
        ck_assert (rule->confidence >= 0.3);
        double key = rule->lift * rule->confidence;
        ck_assert_msg (key <= prev, "rules not sorted by lift x confidence at %zu", i);
        prev = key;
        for (uint32_t a = 1; a < rule->antecedent_len; a++)
            ck_assert_uint_lt (rule->antecedent[a - 1], rule->antecedent[a]);
    }
    rules_fpg_result_destroy (&r);
}
END_TEST

/* ---- brute force on random data --------------------------------------- */

START_TEST (random_against_brute_force)
{
    enum { ITEMS = 12, BASKETS = 400 };
    uint32_t masks[BASKETS];
    srand (12345);
    rules_fpg_baskets_t *b = rules_fpg_baskets_new ();
    for (int i = 0; i < BASKETS; i++) {
        uint32_t items[ITEMS + 4], n = 0, mask = 0;
        for (uint32_t it = 0; it < ITEMS; it++)
            /*  skewed: low ids frequent; ids are sparse (it * 1000 + 7)    */
            if (rand () % 100 < (int) (60 - it * 4)) {
                items[n++] = it * 1000 + 7;
                mask |= 1u << it;
            }
        if (n && rand () % 5 == 0)
            items[n++] = items[0];                /* a duplicate */
        masks[i] = mask;
        ck_assert_int_eq (rules_fpg_baskets_add (b, items, n), 0);
    }
    for (uint32_t maxlen = 2; maxlen <= 13; maxlen += 11) {
        rules_fpg_result_t *r = mine (b, 0.02, 2.0, maxlen);
        uint32_t minc = rules_fpg_result_min_count (r);
        ck_assert_uint_eq (minc, 8);
        size_t expect = 0;
        static uint32_t count[1u << ITEMS];
        memset (count, 0, sizeof count);
        for (uint32_t s = 1; s < (1u << ITEMS); s++) {
            if ((uint32_t) __builtin_popcount (s) > maxlen)
                continue;
            for (int i = 0; i < BASKETS; i++)
                count[s] += (masks[i] & s) == s;
            expect += count[s] >= minc;
        }
        ck_assert_uint_eq (rules_fpg_result_itemset_count (r), expect);
        for (size_t i = 0; i < rules_fpg_result_itemset_count (r); i++) {
            uint32_t len, c, s = 0;
            const uint32_t *items = rules_fpg_result_itemset (r, i, &len, &c);
            for (uint32_t k = 0; k < len; k++)
                s |= 1u << ((items[k] - 7) / 1000);
            ck_assert_uint_eq (c, count[s]);
        }
        rules_fpg_result_destroy (&r);
    }
    rules_fpg_baskets_destroy (&b);
    ck_assert_ptr_null (b);
}
END_TEST

/* ---- edge cases ------------------------------------------------------- */

START_TEST (empty_baskets_count_in_n)
{
    rules_fpg_baskets_t *b = rules_fpg_baskets_new ();
    uint32_t ab[] = { 1, 2 };
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq (rules_fpg_baskets_add (b, ab, 2), 0);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq (rules_fpg_baskets_add (b, NULL, 0), 0);
    ck_assert_uint_eq (rules_fpg_baskets_count (b), 5);
    rules_fpg_result_t *r = mine (b, 0.4, 0.5, 10);        /* 2 of 5 */
    ck_assert_uint_eq (rules_fpg_result_itemset_count (r), 3);
    ck_assert_uint_eq (rules_fpg_result_rule_count (r), 2);
    const rules_fpg_rule_t *rule = rules_fpg_result_rule (r, 0);
    ck_assert (CLOSE (rule->support, 0.4));
    ck_assert (CLOSE (rule->lift, 2.5));             /* 1 / 0.4 */
    rules_fpg_result_destroy (&r);
    r = mine (b, 0.41, 0.5, 10);                     /* 3 of 5: nothing */
    ck_assert_uint_eq (rules_fpg_result_itemset_count (r), 0);
    ck_assert_uint_eq (rules_fpg_result_rule_count (r), 0);
    rules_fpg_result_destroy (&r);
    rules_fpg_baskets_destroy (&b);

    b = rules_fpg_baskets_new ();                          /* no baskets at all */
    r = mine (b, 0.1, 0.1, 10);
    ck_assert_uint_eq (rules_fpg_result_baskets (r), 0);
    ck_assert_uint_eq (rules_fpg_result_itemset_count (r), 0);
    rules_fpg_result_destroy (&r);
    rules_fpg_baskets_destroy (&b);
}
END_TEST

START_TEST (duplicates_count_once)
{
    rules_fpg_baskets_t *b = rules_fpg_baskets_new ();
    uint32_t dup[] = { 5, 5, 5, 9, 5 };
    ck_assert_int_eq (rules_fpg_baskets_add (b, dup, 5), 0);
    uint32_t n;
    const uint32_t *items = rules_fpg_baskets_at (b, 0, &n);
    ck_assert_uint_eq (n, 2);
    ck_assert_uint_eq (items[0], 5);
    ck_assert_uint_eq (items[1], 9);
    rules_fpg_result_t *r = mine (b, 1.0, 1.0, 10);
    ck_assert_uint_eq (rules_fpg_result_itemset_count (r), 3);
    for (size_t i = 0; i < rules_fpg_result_itemset_count (r); i++) {
        uint32_t len, c;
        rules_fpg_result_itemset (r, i, &len, &c);
        ck_assert_uint_eq (c, 1);                    /* not 4 */
    }
    rules_fpg_result_destroy (&r);
    rules_fpg_baskets_destroy (&b);
}
END_TEST

START_TEST (one_item_baskets_make_no_rules)
{
    rules_fpg_baskets_t *b = rules_fpg_baskets_new ();
    for (uint32_t i = 0; i < 30; i++) {
        uint32_t it = i % 3;
        ck_assert_int_eq (rules_fpg_baskets_add (b, &it, 1), 0);
    }
    rules_fpg_result_t *r = mine (b, 0.1, 0.0, 10);
    ck_assert_uint_eq (rules_fpg_result_itemset_count (r), 3);
    ck_assert_uint_eq (rules_fpg_result_itemset_count_len (r, 1), 3);
    ck_assert_uint_eq (rules_fpg_result_itemset_count_len (r, 2), 0);
    ck_assert_uint_eq (rules_fpg_result_max_len (r), 1);
    ck_assert_uint_eq (rules_fpg_result_rule_count (r), 0);
    rules_fpg_result_destroy (&r);
    rules_fpg_baskets_destroy (&b);
}
END_TEST

START_TEST (identical_baskets)
{
    rules_fpg_baskets_t *b = rules_fpg_baskets_new ();
    uint32_t items[] = { 40, 10, 30, 20 };
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq (rules_fpg_baskets_add (b, items, 4), 0);
    rules_fpg_result_t *r = mine (b, 1.0, 1.0, 0);
    ck_assert_uint_eq (rules_fpg_result_itemset_count (r), 15);      /* 2^4 - 1 */
    ck_assert_uint_eq (rules_fpg_result_itemset_count_len (r, 4), 1);
    /*  Every (itemset of >= 2, consequent) pair: 6*2 + 4*3 + 1*4 = 28      */
    ck_assert_uint_eq (rules_fpg_result_rule_count (r), 28);
    for (size_t i = 0; i < rules_fpg_result_rule_count (r); i++) {
        const rules_fpg_rule_t *rule = rules_fpg_result_rule (r, i);
        ck_assert (rule->confidence == 1.0 && rule->lift == 1.0 && rule->leverage == 0.0);
        ck_assert (isinf (rule->conviction));
        ck_assert_uint_eq (rule->count, 10);
    }
    rules_fpg_result_destroy (&r);
    r = mine (b, 1.0, 1.0, 2);
    ck_assert_uint_eq (rules_fpg_result_itemset_count (r), 10);      /* 4 + 6 */
    ck_assert_uint_eq (rules_fpg_result_rule_count (r), 12);
    rules_fpg_result_destroy (&r);

    /*  25 identical items with no length limit = 2^25 itemsets: the guard
        stops it with an error instead of eating the machine.              */
    rules_fpg_baskets_t *big = rules_fpg_baskets_new ();
    uint32_t many[25];
    for (uint32_t i = 0; i < 25; i++)
        many[i] = i;
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq (rules_fpg_baskets_add (big, many, 25), 0);
    rules_fpg_params_t p = rules_fpg_params_default ();
    p.min_support = 0.5;
    p.max_len = 0;
    p.max_itemsets = 100000;
    char err[128] = "";
    ck_assert_ptr_null (rules_fpg_mine (big, &p, err, sizeof err));
    ck_assert_ptr_nonnull (strstr (err, "too many"));
    rules_fpg_baskets_destroy (&big);
    rules_fpg_baskets_destroy (&b);
}
END_TEST

START_TEST (bad_parameters)
{
    rules_fpg_baskets_t *b = rules_fpg_baskets_new ();
    rules_fpg_params_t p = rules_fpg_params_default ();
    char err[128] = "";
    p.min_support = 1.5;
    ck_assert_ptr_null (rules_fpg_mine (b, &p, err, sizeof err));
    ck_assert_ptr_nonnull (strstr (err, "min_support"));
    p.min_support = NAN;
    ck_assert_ptr_null (rules_fpg_mine (b, &p, err, sizeof err));
    p.min_support = 0.1;
    p.min_confidence = -1;
    ck_assert_ptr_null (rules_fpg_mine (b, &p, err, sizeof err));
    ck_assert_ptr_nonnull (strstr (err, "min_confidence"));
    rules_fpg_baskets_destroy (&b);
    rules_fpg_baskets_destroy (&b);                       /* NULL-safe */
}
END_TEST

START_TEST (basket_file_format)
{
    const char text[] = "milk,bread,,milk\r\n\nbread ,eggs,\n";
    FILE *f = fmemopen ((void *) text, sizeof text - 1, "r");
    rules_item_dict_t *d = rules_item_dict_new ();
    rules_fpg_baskets_t *b = rules_fpg_baskets_new ();
    char err[128];
    ck_assert_int_eq (rules_basket_file_read (f, d, b, err, sizeof err), 0);
    fclose (f);
    ck_assert_uint_eq (rules_fpg_baskets_count (b), 3);                 /* blank line = empty basket */
    ck_assert_uint_eq (rules_item_dict_size (d), 4);                    /* "bread " != "bread" */
    uint32_t n;
    rules_fpg_baskets_at (b, 0, &n);
    ck_assert_uint_eq (n, 2);
    rules_fpg_baskets_at (b, 1, &n);
    ck_assert_uint_eq (n, 0);
    ck_assert_uint_eq (rules_item_dict_find (d, "bread ", 6), 2);
    ck_assert_str_eq (rules_item_dict_name (d, 3, NULL), "eggs");
    ck_assert_uint_eq (rules_item_dict_find (d, "ham", 3), RULES_ITEM_DICT_NONE);

    const char bad[] = "a,b\nc\0d\n";
    f = fmemopen ((void *) bad, sizeof bad - 1, "r");
    ck_assert_int_eq (rules_basket_file_read (f, d, b, err, sizeof err), -1);
    ck_assert_ptr_nonnull (strstr (err, "line 2"));
    fclose (f);
    rules_fpg_baskets_destroy (&b);
    rules_item_dict_destroy (&d);
}
END_TEST

START_TEST (dict_grows)
{
    rules_item_dict_t *d = rules_item_dict_new ();
    char name[32];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf (name, sizeof name, "item-%d", i);
        ck_assert_uint_eq (rules_item_dict_intern (d, name, (size_t) n), (uint32_t) i);
    }
    for (int i = 0; i < 100000; i += 997) {
        int n = snprintf (name, sizeof name, "item-%d", i);
        ck_assert_uint_eq (rules_item_dict_intern (d, name, (size_t) n), (uint32_t) i);
        ck_assert_str_eq (rules_item_dict_name (d, (uint32_t) i, NULL), name);
    }
    rules_item_dict_destroy (&d);
    ck_assert_ptr_null (d);
}
END_TEST

int main (void)
{
    Suite *s = suite_create ("fpgrowth");
    TCase *tc = tcase_create ("core");
    tcase_set_timeout (tc, 120);
    tcase_add_test (tc, groceries_shape);
    tcase_add_test (tc, groceries_itemsets);
    tcase_add_test (tc, groceries_rules);
    tcase_add_test (tc, groceries_measures);
    tcase_add_test (tc, random_against_brute_force);
    tcase_add_test (tc, empty_baskets_count_in_n);
    tcase_add_test (tc, duplicates_count_once);
    tcase_add_test (tc, one_item_baskets_make_no_rules);
    tcase_add_test (tc, identical_baskets);
    tcase_add_test (tc, bad_parameters);
    tcase_add_test (tc, basket_file_format);
    tcase_add_test (tc, dict_grows);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    if (groceries) {
        rules_fpg_baskets_destroy (&groceries);
        rules_item_dict_destroy (&groceries_dict);
    }
    return failed ? 1 : 0;
}
