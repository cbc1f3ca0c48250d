/*  gw_params (query strings, path segments) and gw_breaker.               */
#include <check.h>
#include <string.h>
#include "gw_breaker.h"
#include "gw_params.h"
#include "hr_validate.h"

static h2o_mem_pool_t pool;
static void setup (void) { h2o_mem_init_pool (&pool); }
static void teardown (void) { h2o_mem_clear_pool (&pool); }

static const char *
get (const char *qs, const char *name)
{
    h2o_iovec_t v;
    if (!gw_query_get (&pool, qs, strlen (qs), name, &v))
        return NULL;
    return v.base;
}

START_TEST (test_query_get_decodes_and_last_wins)
{
    ck_assert_str_eq (get ("user_id=bob&response_limit=5", "user_id"), "bob");
    ck_assert_str_eq (get ("user_id=bob&response_limit=5", "response_limit"), "5");
    ck_assert_ptr_null (get ("user_id=bob", "response_limit"));
    ck_assert_ptr_null (get ("user_idx=bob", "user_id"));
    ck_assert_str_eq (get ("query=red+shoes%21", "query"), "red shoes!");
    ck_assert_str_eq (get ("a=1&a=2", "a"), "2");
    ck_assert_str_eq (get ("a=", "a"), "");
    ck_assert_str_eq (get ("a", "a"), "");
    ck_assert_str_eq (get ("a=%zz%4", "a"), "%zz%4");        /* malformed escapes kept */
    ck_assert_str_eq (get ("a=%E2%82%AC", "a"), "\xE2\x82\xAC");
    ck_assert_ptr_null (get ("", "a"));
    ck_assert_str_eq (get ("&&a=x&&", "a"), "x");
}
END_TEST

START_TEST (test_query_value_with_nul_keeps_length)
{
    h2o_iovec_t v;
    ck_assert (gw_query_get (&pool, "q=a%00b", 7, "q", &v));
    ck_assert_uint_eq (v.len, 3);
    ck_assert (!hr_valid_user_id (v.base, v.len));
}
END_TEST

START_TEST (test_path_segment)
{
    h2o_iovec_t seg;
    const char *p = "/recommendations/product/B08CF3D7QR";
    ck_assert (gw_path_segment (&pool, p, strlen (p), "/recommendations/product/", &seg));
    ck_assert_str_eq (seg.base, "B08CF3D7QR");
    p = "/recommendations/product/";
    ck_assert (!gw_path_segment (&pool, p, strlen (p), "/recommendations/product/", &seg));
    p = "/recommendations/product/A/B";
    ck_assert (!gw_path_segment (&pool, p, strlen (p), "/recommendations/product/", &seg));
    p = "/recommendations/product/a+b%41";
    ck_assert (gw_path_segment (&pool, p, strlen (p), "/recommendations/product/", &seg));
    ck_assert_str_eq (seg.base, "a+bA");                   /* '+' is literal in paths */
}
END_TEST

START_TEST (test_param_true)
{
    ck_assert (gw_param_true (h2o_iovec_init (H2O_STRLIT ("true"))));
    ck_assert (gw_param_true (h2o_iovec_init (H2O_STRLIT ("TRUE"))));
    ck_assert (gw_param_true (h2o_iovec_init (H2O_STRLIT ("1"))));
    ck_assert (!gw_param_true (h2o_iovec_init (H2O_STRLIT ("false"))));
    ck_assert (!gw_param_true (h2o_iovec_init (H2O_STRLIT ("truex"))));
}
END_TEST

/*  The validation rules the gateway relies on (hr_validate is common's;
    these pin the spec table as the gateway applies it).                   */
START_TEST (test_spec_validation_table)
{
    long v;
    ck_assert (hr_valid_user_id ("Bob1", 4));
    ck_assert (!hr_valid_user_id ("", 0));
    ck_assert (!hr_valid_user_id ("bob_1", 5));
    char fifty[51], fiftyone[52];
    memset (fifty, 'a', 50);
    memset (fiftyone, 'a', 51);
    ck_assert (hr_valid_user_id (fifty, 50));
    ck_assert (!hr_valid_user_id (fiftyone, 51));
    ck_assert (hr_valid_product_id ("B08CF3D7QR", 10));
    ck_assert (!hr_valid_product_id ("b08cf3d7qr", 10));
    ck_assert (!hr_valid_product_id ("B08CF3D7Q", 9));
    ck_assert_int_eq (hr_parse_limit (NULL, 0, 20, 1, 60, &v), 0);
    ck_assert_int_eq (v, 20);
    ck_assert_int_eq (hr_parse_limit ("500", 3, 20, 1, 60, &v), 0);
    ck_assert_int_eq (v, 60);
    ck_assert_int_eq (hr_parse_limit ("0", 1, 20, 1, 60, &v), 0);
    ck_assert_int_eq (v, 1);
    ck_assert_int_eq (hr_parse_limit ("-5", 2, 20, 1, 60, &v), 0);
    ck_assert_int_eq (v, 1);
    ck_assert_int_eq (hr_parse_limit ("abc", 3, 20, 1, 60, &v), -1);
    ck_assert_int_eq (hr_parse_limit ("", 0, 20, 1, 60, &v), -1);
    ck_assert_int_eq (hr_parse_limit ("5.5", 3, 20, 1, 60, &v), -1);
    ck_assert_int_eq (hr_parse_int_range ("365", 3, 1, 365, &v), 0);
    ck_assert_int_eq (hr_parse_int_range ("366", 3, 1, 365, &v), -1);
    ck_assert_int_eq (hr_parse_int_range ("0", 1, 1, 365, &v), -1);
    const char *out;
    size_t outlen;
    ck_assert_int_eq (hr_query_normalize ("  red shoes \t", 13, &out, &outlen), HR_QUERY_OK);
    ck_assert_uint_eq (outlen, 9);
    ck_assert_int_eq (hr_query_normalize ("   ", 3, &out, &outlen), HR_QUERY_EMPTY);
    ck_assert_int_eq (hr_query_normalize ("\xff", 1, &out, &outlen), HR_QUERY_BAD_UTF8);
    char q[300];
    memset (q, 'x', sizeof q);
    ck_assert_int_eq (hr_query_normalize (q, 256, &out, &outlen), HR_QUERY_TOO_LONG);
    ck_assert_int_eq (hr_query_normalize (q, 255, &out, &outlen), HR_QUERY_OK);
}
END_TEST

START_TEST (test_breaker_opens_cools_down_and_probes)
{
    gw_breaker_t b;
    gw_breaker_init (&b, 3, 1000);
    ck_assert (gw_breaker_allow (&b, 0));
    gw_breaker_on_timeout (&b, 0);
    gw_breaker_on_timeout (&b, 0);
    gw_breaker_on_reply (&b);                  /* a reply resets the count */
    gw_breaker_on_timeout (&b, 0);
    gw_breaker_on_timeout (&b, 0);
    ck_assert (gw_breaker_allow (&b, 0));
    gw_breaker_on_timeout (&b, 10);            /* third in a row: open */
    ck_assert_int_eq (b.state, GW_BREAKER_OPEN);
    ck_assert_uint_eq (b.opened, 1);
    ck_assert (!gw_breaker_allow (&b, 500));
    ck_assert (gw_breaker_allow (&b, 1010));   /* the probe */
    ck_assert (!gw_breaker_allow (&b, 1011));  /* only one */
    gw_breaker_on_timeout (&b, 1100);          /* probe failed: open again */
    ck_assert (!gw_breaker_allow (&b, 2000));
    ck_assert (gw_breaker_allow (&b, 2100));
    gw_breaker_on_reply (&b);
    ck_assert_int_eq (b.state, GW_BREAKER_CLOSED);
    ck_assert (gw_breaker_allow (&b, 2101));
}
END_TEST

/*  Only silence counts: a service that answered (even late) since a call
    went out is slow, not gone; a late answer closes an open circuit.      */
START_TEST (test_breaker_late_answers_are_not_silence)
{
    gw_breaker_t b;
    gw_breaker_init (&b, 2, 1000);
    ck_assert (gw_breaker_silent (&b, 100, 200));  /* never heard */
    gw_breaker_on_heard (&b, 150);                  /* a late answer */
    ck_assert (!gw_breaker_silent (&b, 100, 200)); /* sent at 100: heard since */
    ck_assert (!gw_breaker_silent (&b, 150, 200));
    ck_assert (gw_breaker_silent (&b, 151, 200));  /* sent after: silent so far */
    gw_breaker_on_heard (&b, 120);                  /* an older time never goes back */
    ck_assert (!gw_breaker_silent (&b, 150, 200));
    /*  With a silence window, an answer within it is enough.  */
    gw_breaker_set_silence (&b, 1);                 /* 1 ms */
    ck_assert (!gw_breaker_silent (&b, 151, 150 + 999999));
    ck_assert (gw_breaker_silent (&b, 151, 150 + 1000000));
    gw_breaker_set_silence (&b, 0);
    gw_breaker_on_timeout (&b, 0);
    gw_breaker_on_timeout (&b, 0);
    ck_assert_int_eq (b.state, GW_BREAKER_OPEN);
    gw_breaker_on_heard (&b, 200);                  /* alive after all */
    ck_assert_int_eq (b.state, GW_BREAKER_CLOSED);
    ck_assert (gw_breaker_allow (&b, 1));
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("gateway_params");
    TCase *tc = tcase_create ("params");
    tcase_add_checked_fixture (tc, setup, teardown);
    tcase_add_test (tc, test_query_get_decodes_and_last_wins);
    tcase_add_test (tc, test_query_value_with_nul_keeps_length);
    tcase_add_test (tc, test_path_segment);
    tcase_add_test (tc, test_param_true);
    tcase_add_test (tc, test_spec_validation_table);
    tcase_add_test (tc, test_breaker_opens_cools_down_and_probes);
    tcase_add_test (tc, test_breaker_late_answers_are_not_silence);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
