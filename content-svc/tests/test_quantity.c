/*  quantity: sizes read from names and queries, and the search that
    honours them (quantity.h, docs/search.md "Quantities").                */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "content.h"

static uint32_t
parse (const char *text, content_qty_t *q)
{
    return content_qty_parse (text, strlen (text), q, 8);
}

static const char *
fmt (content_qty_t q)
{
    static char b[48];
    content_qty_format (q, b, sizeof b);
    return b;
}

START_TEST (test_parse)
{
    content_qty_t q[8];
    ck_assert_uint_eq (parse ("Voltas 1.5 Ton 3 Star Inverter Split AC", q), 2);
    ck_assert_str_eq (fmt (q[0]), "1.5 ton");
    ck_assert_str_eq (fmt (q[1]), "3 star");
    /*  "2.0 Ton" is "2 ton"; joined, hyphenated, any case                 */
    ck_assert_uint_eq (parse ("2.0 Ton 5-Star AC, 128GB, 3L, 1000W", q), 5);
    ck_assert_str_eq (fmt (q[0]), "2 ton");
    ck_assert_uint_eq (q[0].milli, 2000);
    ck_assert_str_eq (fmt (q[1]), "5 star");
    ck_assert_str_eq (fmt (q[2]), "128 gb");
    ck_assert_str_eq (fmt (q[3]), "3 litre");
    ck_assert_str_eq (fmt (q[4]), "1000 watt");
    ck_assert_uint_eq (parse ("6.25 kgs", q), 1);
    ck_assert_str_eq (fmt (q[0]), "6.25 kg");
    /*  not sizes: "2 in 1", a model number, a version, "No.1", a number
        without a unit, a unit word without a number, "5 Stars" stays one */
    ck_assert_uint_eq (parse ("2 in 1 A12 v2.0 No.1 Pack of 2, Kg star 3 Doors", q), 0);
    ck_assert_uint_eq (parse ("HED-19TMF 1234567890 Ton", q), 0);
    ck_assert_uint_eq (parse ("", q), 0);
    /*  at most max                                                        */
    ck_assert_uint_eq (content_qty_parse ("1 kg 2 kg 3 kg", 14, q, 2), 2);
}
END_TEST

static const char *rows[][3] = {
    { "Voltas 1.5 Ton 3 Star Inverter Split AC (Copper)", "appliances", "Air Conditioners" },
    { "LG 1 Ton 5 Star Inverter Split AC (Copper)", "appliances", "Air Conditioners" },
    { "Daikin 2 Ton 3 Star Inverter Split AC (Copper)", "appliances", "Air Conditioners" },
    { "Carrier Inverter Split AC (White)", "appliances", "Air Conditioners" },
    { "Godrej 6 Kg Fully-Automatic Top Loading Washing Machine", "appliances", "Washing Machines" },
    { "IFB 7 Kg Fully-Automatic Front Loading Washing Machine", "appliances", "Washing Machines" },
    { "Whirlpool 7.5 Kg Semi-Automatic Top Loading Washing Machine", "appliances", "Washing Machines" },
};
#define NROWS (sizeof rows / sizeof *rows)

static hr_catalog_t *cat;
static content_search_t *idx;
static content_search_session_t *x;

static void
build (unsigned parts)
{
    cat = hr_catalog_new ();
    for (size_t i = 0; i < NROWS; i++) {
        hr_product_t p = { .name = rows[i][0], .main_category = rows[i][1],
                           .sub_category = rows[i][2], .rating = NAN, .price = NAN,
                           .original_price = NAN, .discount_ratio = NAN };
        snprintf (p.id, sizeof p.id, "Z%09zu", i);
        ck_assert_int_eq (hr_catalog_add (cat, &p), 0);
    }
    hr_catalog_freeze (cat);
    content_fields_t f = CONTENT_FIELDS_DEFAULT;
    content_search_opts_t o = CONTENT_SEARCH_OPTS_DEFAULT;
    o.parts = parts;
    idx = content_search_new (cat, content_docterms_build (cat, &f, 1, NULL, NULL), NULL, NULL, &o, 1);
    ck_assert_ptr_nonnull (idx);
    x = content_search_session_take (idx);
    ck_assert_ptr_nonnull (x);
}

static void
teardown (void)
{
    content_search_session_give (idx, &x);
    content_search_destroy (&idx);
    hr_catalog_destroy (&cat);
}

static const char *
top (const char *q)
{
    const content_hit_t *hits;
    uint32_t n = content_search_query (idx, x, q, strlen (q), 10, &hits);
    return n ? hr_catalog_at (cat, hits[0].doc)->name : "";
}

START_TEST (test_search_honours_sizes)
{
    build (CONTENT_PART_ALL);
    ck_assert_ptr_nonnull (strstr (top ("1.5 ton ac"), "1.5 Ton"));
    ck_assert_ptr_nonnull (strstr (top ("1 ton ac"), "LG 1 Ton"));
    ck_assert_ptr_nonnull (strstr (top ("2 ton split ac"), "2 Ton"));
    ck_assert_ptr_nonnull (strstr (top ("5 star ac"), "5 Star"));
    ck_assert_ptr_nonnull (strstr (top ("7 kg washing machine"), "IFB 7 Kg"));
    ck_assert_ptr_nonnull (strstr (top ("7.5 kg washing machine"), "7.5 Kg"));
    /*  a constraint, not a filter: the other ACs are still listed, after  */
    const content_hit_t *hits;
    uint32_t n = content_search_query (idx, x, "1.5 ton ac", 10, 10, &hits);
    ck_assert_uint_ge (n, 4);
    ck_assert_ptr_nonnull (strstr (hr_catalog_at (cat, hits[0].doc)->name, "1.5 Ton"));
    /*  explain names the size read and each result's verdict            */
    char *ex = content_search_explain (idx, x, "7 kg washing machine", 20);
    ck_assert_ptr_nonnull (strstr (ex, "\"quantities\":[\"7 kg\"]"));
    ck_assert_ptr_nonnull (strstr (ex, "\"quantity\":[\"stated\"]"));
    ck_assert_ptr_nonnull (strstr (ex, "\"quantity\":[\"other_size\"]"));
    free (ex);
    teardown ();
}
END_TEST

START_TEST (test_sizes_switched_off)
{
    /*  without the part the size is not read: its own ablation switch    */
    build (CONTENT_PART_ALL & ~CONTENT_PART_QUANTITY);
    char *ex = content_search_explain (idx, x, "7 kg washing machine", 20);
    ck_assert_ptr_nonnull (strstr (ex, "\"quantities\":[]"));
    free (ex);
    teardown ();
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("content_quantity");
    TCase *tc = tcase_create ("quantity");
    tcase_add_test (tc, test_parse);
    tcase_add_test (tc, test_search_honours_sizes);
    tcase_add_test (tc, test_sizes_switched_off);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
