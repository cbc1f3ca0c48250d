/*  rules_model (encode -> decode -> query, hostile blobs) and
    basket_builder (sessions, user-days).                                 */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "basket_builder.h"
#include "fpgrowth.h"
#include "item_dict.h"
#include "model.h"

/*  Products: A..E as 10-char ids; "bogus" is not a product id.            */
#define PA "AAAAAAAAAA"
#define PB "BBBBBBBBBB"
#define PC "CCCCCCCCCC"
#define PD "DDDDDDDDDD"
#define PE "EEEEEEEEEE"

static void add_basket (rules_fpg_baskets_t *b, rules_item_dict_t *d, const char *const *names, int n)
{
    uint32_t ids[8];
    for (int i = 0; i < n; i++)
        ids[i] = rules_item_dict_intern (d, names[i], strlen (names[i]));
    ck_assert_int_eq (rules_fpg_baskets_add (b, ids, (size_t) n), 0);
}

/*  A+B -> C strongly; A -> B; D alone; "bogus" co-occurs with A.          */
static void make_blob (hr_writer_t *w, size_t max_rules, long *kept)
{
    rules_fpg_baskets_t *b = rules_fpg_baskets_new ();
    rules_item_dict_t *d = rules_item_dict_new ();
    for (int i = 0; i < 6; i++)
        add_basket (b, d, (const char *[]) { PA, PB, PC }, 3);
    for (int i = 0; i < 3; i++)
        add_basket (b, d, (const char *[]) { PA, PB }, 2);
    for (int i = 0; i < 3; i++)
        add_basket (b, d, (const char *[]) { PA, "bogus" }, 2);
    for (int i = 0; i < 4; i++)
        add_basket (b, d, (const char *[]) { PD, PE }, 2);
    for (int i = 0; i < 4; i++)
        add_basket (b, d, (const char *[]) { PC }, 1);
    rules_fpg_params_t p = rules_fpg_params_default ();
    p.min_support = 0.1;
    p.min_confidence = 0.5;
    char err[128];
    rules_fpg_result_t *r = rules_fpg_mine (b, &p, err, sizeof err);
    ck_assert_ptr_nonnull (r);
    hr_writer_init (w);
    *kept = rules_model_encode (r, d, max_rules, w);
    rules_fpg_result_destroy (&r);
    rules_fpg_baskets_destroy (&b);
    rules_item_dict_destroy (&d);
}

START_TEST (roundtrip_and_queries)
{
    hr_writer_t w;
    long kept;
    make_blob (&w, 0, &kept);
    ck_assert_int_gt (kept, 4);
    char err[128];
    rules_model_t *m = rules_model_decode (w.data, w.len, err, sizeof err);
    ck_assert_msg (m != NULL, "%s", err);
    ck_assert_uint_eq (rules_model_rule_count (m), (uint32_t) kept);
    ck_assert_int_eq (rules_model_find (m, "bogus\0\0\0\0\0"), -1);   /* never a product */
    ck_assert_int_lt (rules_model_find (m, "ZZZZZZZZZZ"), 0);

    /*  for_product(A): B and C (A -> C conf 6/12, A -> B conf 9/12).     */
    rules_hit_t hits[16];
    size_t n = rules_model_for_product (m, PA, 16, hits);
    ck_assert_uint_eq (n, 2);
    ck_assert (hits[0].score >= hits[1].score);
    char src[64];
    ck_assert_uint_eq (rules_model_antecedent (m, hits[0].rule, src, sizeof src), 10);
    ck_assert_str_eq (src, PA);
    ck_assert_uint_eq (rules_model_for_product (m, PA, 1, hits), 1);
    ck_assert_uint_eq (rules_model_for_product (m, "QQQQQQQQQQ", 16, hits), 0);

    /*  for_user({A, B}): C via {A,B} -> C (conf 6/9, the best rule for C),
        never A or B themselves.                                           */
    const char *hist[] = { PA, PB, "QQQQQQQQQQ", PA };
    long k = rules_model_for_user (m, hist, 4, 16, hits);
    ck_assert_int_eq (k, 1);
    ck_assert (memcmp (rules_model_item_id (m, hits[0].item), PC, 10) == 0);
    rules_model_antecedent (m, hits[0].rule, src, sizeof src);
    ck_assert_str_eq (src, PA "+" PB);
    /*  for_user({D}): E.  limit 0: nothing.  */
    const char *hd[] = { PD };
    ck_assert_int_eq (rules_model_for_user (m, hd, 1, 16, hits), 1);
    ck_assert (memcmp (rules_model_item_id (m, hits[0].item), PE, 10) == 0);
    ck_assert_int_eq (rules_model_for_user (m, hd, 1, 0, hits), 0);
    ck_assert_int_eq (rules_model_for_user (m, NULL, 0, 16, hits), 0);
    /*  A tiny buffer truncates the source at an id boundary.  */
    ck_assert_uint_eq (rules_model_antecedent (m, hits[0].rule, src, 5), 0);
    rules_model_destroy (&m);
    ck_assert_ptr_null (m);

    /*  max_rules keeps the best ones only.  */
    hr_writer_free (&w);
    make_blob (&w, 2, &kept);
    ck_assert_int_eq (kept, 2);
    m = rules_model_decode (w.data, w.len, err, sizeof err);
    ck_assert_uint_eq (rules_model_rule_count (m), 2);
    rules_model_destroy (&m);
    hr_writer_free (&w);
}
END_TEST

START_TEST (hostile_blobs_are_rejected)
{
    hr_writer_t w;
    long kept;
    make_blob (&w, 0, &kept);
    char err[128];
    /*  Every truncation fails cleanly.  */
    for (size_t len = 0; len < w.len; len++) {
        rules_model_t *m = rules_model_decode (w.data, len, err, sizeof err);
        ck_assert_msg (m == NULL, "truncated at %zu accepted", len);
    }
    /*  Every single-byte corruption either fails or yields a valid model
        (never a crash, never an out-of-range index under ASan).          */
    unsigned char *copy = malloc (w.len + 1);
    for (size_t i = 0; i < w.len; i++) {
        memcpy (copy, w.data, w.len);
        copy[i] ^= 0xFF;
        rules_model_t *m = rules_model_decode (copy, w.len, err, sizeof err);
        if (m) {
            rules_hit_t hits[16];
            const char *h[] = { PA, PB, PC, PD };
            ck_assert_int_ge (rules_model_for_user (m, h, 4, 16, hits), 0);
            rules_model_destroy (&m);
        }
    }
    memcpy (copy, w.data, w.len);
    copy[w.len] = 0;
    ck_assert_ptr_null (rules_model_decode (copy, w.len + 1, err, sizeof err));
    ck_assert_ptr_nonnull (strstr (err, "trailing"));
    free (copy);
    hr_writer_free (&w);
}
END_TEST

START_TEST (sessions_and_days)
{
    const int64_t M = 60000, day = 86400000;
    struct { const char *u, *p; int64_t ts; } clicks[] = {
        { "alice", PA, 0 }, { "alice", PB, 10 * M }, { "alice", PA, 20 * M },  /* one session */
        { "alice", PC, 51 * M },                                               /* gap 31 min */
        { "alice", PD, day + 5 * M },                                          /* next day */
        { "bob", PA, 52 * M },                                                 /* other user */
    };
    for (int mode = 0; mode < 2; mode++) {
        rules_fpg_baskets_t *b = rules_fpg_baskets_new ();
        rules_item_dict_t *d = rules_item_dict_new ();
        rules_basket_builder_t *bb = rules_basket_builder_new ((rules_basket_mode_t) mode, 30 * M, b, d);
        for (size_t i = 0; i < sizeof clicks / sizeof *clicks; i++)
            ck_assert_int_eq (rules_basket_builder_add (bb, clicks[i].u, strlen (clicks[i].u),
                                                  clicks[i].p, 10, clicks[i].ts), 0);
        ck_assert_int_eq (rules_basket_builder_finish (bb), 0);
        uint32_t n;
        if (mode == RULES_BASKET_SESSION) {
            ck_assert_uint_eq (rules_fpg_baskets_count (b), 4);  /* {A,B} {C} {D} {A} */
            rules_fpg_baskets_at (b, 0, &n);
            ck_assert_uint_eq (n, 2);                      /* A once */
        }
        else {
            ck_assert_uint_eq (rules_fpg_baskets_count (b), 3);  /* {A,B,C} {D} {A} */
            rules_fpg_baskets_at (b, 0, &n);
            ck_assert_uint_eq (n, 3);
        }
        /*  Out-of-order rows are refused.  */
        ck_assert_int_eq (rules_basket_builder_add (bb, "carol", 5, PA, 10, 100), 0);
        ck_assert_int_eq (rules_basket_builder_add (bb, "carol", 5, PB, 10, 50), -1);
        rules_basket_builder_destroy (&bb);
        ck_assert_ptr_null (bb);
        rules_fpg_baskets_destroy (&b);
        rules_item_dict_destroy (&d);
    }
    ck_assert_int_eq (rules_basket_mode_parse ("session"), RULES_BASKET_SESSION);
    ck_assert_int_eq (rules_basket_mode_parse ("user-day"), RULES_BASKET_USER_DAY);
    ck_assert_int_eq (rules_basket_mode_parse ("weekly"), -1);
    ck_assert_int_eq (rules_basket_mode_parse (NULL), -1);
}
END_TEST

int main (void)
{
    Suite *s = suite_create ("rules_model");
    TCase *tc = tcase_create ("core");
    tcase_add_test (tc, roundtrip_and_queries);
    tcase_add_test (tc, hostile_blobs_are_rejected);
    tcase_add_test (tc, sessions_and_days);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
