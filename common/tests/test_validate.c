/*  hr_validate: the spec's input rules, as a table of edge cases.          */
#include "hr_validate.h"

#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define S(lit) lit, sizeof (lit) - 1

START_TEST (test_user_ids)
{
    ck_assert (hr_valid_user_id (S ("Bob1")));
    ck_assert (hr_valid_user_id (S ("bob1")));       //  a different user, also valid
    ck_assert (hr_valid_user_id (S ("a")));
    char id[52];
    memset (id, 'x', sizeof id);
    ck_assert (hr_valid_user_id (id, 50));
    ck_assert (!hr_valid_user_id (id, 51));
    ck_assert (!hr_valid_user_id (S ("")));
    ck_assert (!hr_valid_user_id (NULL, 0));
    ck_assert (!hr_valid_user_id (S ("bob 1")));
    ck_assert (!hr_valid_user_id (S ("bob-1")));
    ck_assert (!hr_valid_user_id (S ("bob_1")));
    ck_assert (!hr_valid_user_id (S ("b\xC3\xB6" "b")));   //  non-ASCII letter
    ck_assert (!hr_valid_user_id ("bob\0x", 5));        //  embedded NUL
}
END_TEST

START_TEST (test_product_ids)
{
    ck_assert (hr_valid_product_id (S ("B000000001")));
    ck_assert (hr_valid_product_id (S ("0123456789")));
    ck_assert (!hr_valid_product_id (S ("b000000001")));   //  lower case
    ck_assert (!hr_valid_product_id (S ("B00000001")));    //  9
    ck_assert (!hr_valid_product_id (S ("B0000000011")));  //  11
    ck_assert (!hr_valid_product_id (S ("B00000000-")));
    ck_assert (!hr_valid_product_id (NULL, 10));
}
END_TEST

START_TEST (test_utf8)
{
    ck_assert (hr_utf8_valid (S ("")));
    ck_assert (hr_utf8_valid (S ("plain")));
    ck_assert (hr_utf8_valid (S ("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80")));
    ck_assert (!hr_utf8_valid (S ("\xC3")));               //  truncated
    ck_assert (!hr_utf8_valid (S ("\xC0\xAF")));           //  overlong '/'
    ck_assert (!hr_utf8_valid (S ("\xE0\x80\xAF")));       //  overlong
    ck_assert (!hr_utf8_valid (S ("\xED\xA0\x80")));       //  surrogate
    ck_assert (!hr_utf8_valid (S ("\xF4\x90\x80\x80")));   //  > U+10FFFF
    ck_assert (!hr_utf8_valid (S ("\xFF")));
    ck_assert (!hr_utf8_valid (S ("ab\x80")));             //  stray continuation
}
END_TEST

START_TEST (test_query_normalize)
{
    const char *out;
    size_t len;
    ck_assert_int_eq (hr_query_normalize (S ("  wireless mouse \t\n"), &out, &len), HR_QUERY_OK);
    ck_assert_uint_eq (len, 14);
    ck_assert (memcmp (out, "wireless mouse", 14) == 0);

    //  Unicode spaces: NBSP, EN QUAD, HAIR SPACE, IDEOGRAPHIC SPACE
    ck_assert_int_eq (hr_query_normalize (S ("\xC2\xA0\xE2\x80\x80mouse\xE2\x80\x8A\xE3\x80\x80"),
                                          &out, &len), HR_QUERY_OK);
    ck_assert_uint_eq (len, 5);
    ck_assert (memcmp (out, "mouse", 5) == 0);
    //  inner spaces stay; a non-space multibyte char at the end stays
    ck_assert_int_eq (hr_query_normalize (S (" caf\xC3\xA9 \xC3\xA9 "), &out, &len), HR_QUERY_OK);
    ck_assert_uint_eq (len, 8);

    ck_assert_int_eq (hr_query_normalize (S (""), &out, &len), HR_QUERY_EMPTY);
    ck_assert_int_eq (hr_query_normalize (S ("   \t\r\n"), &out, &len), HR_QUERY_EMPTY);
    ck_assert_int_eq (hr_query_normalize (S ("\xE3\x80\x80\xC2\xA0"), &out, &len), HR_QUERY_EMPTY);
    ck_assert_int_eq (hr_query_normalize (NULL, 0, &out, &len), HR_QUERY_EMPTY);
    ck_assert_int_eq (hr_query_normalize (S ("mouse\xFF"), &out, &len), HR_QUERY_BAD_UTF8);
    ck_assert_int_eq (hr_query_normalize (S ("\xC3"), &out, &len), HR_QUERY_BAD_UTF8);

    //  255 bytes OK, 256 too long; counted after trimming, in bytes
    char q[300];
    memset (q, 'a', sizeof q);
    ck_assert_int_eq (hr_query_normalize (q, 255, &out, &len), HR_QUERY_OK);
    ck_assert_uint_eq (len, 255);
    ck_assert_int_eq (hr_query_normalize (q, 256, &out, &len), HR_QUERY_TOO_LONG);
    q[0] = ' ';
    q[256] = ' ';
    ck_assert_int_eq (hr_query_normalize (q, 257, &out, &len), HR_QUERY_OK);
    ck_assert_uint_eq (len, 255);
    //  128 two-byte characters = 256 bytes: too long though only 128 chars
    for (int i = 0; i < 128; i++)
        memcpy (q + 2 * i, "\xC3\xA9", 2);
    ck_assert_int_eq (hr_query_normalize (q, 256, &out, &len), HR_QUERY_TOO_LONG);
    ck_assert_int_eq (hr_query_normalize (q, 254, &out, &len), HR_QUERY_OK);
}
END_TEST

START_TEST (test_parse_limit)
{
    long v = 0;
    ck_assert_int_eq (hr_parse_limit (NULL, 0, 10, 1, 50, &v), 0);
    ck_assert_int_eq (v, 10);
    ck_assert_int_eq (hr_parse_limit (S ("5"), 10, 1, 50, &v), 0);
    ck_assert_int_eq (v, 5);
    ck_assert_int_eq (hr_parse_limit (S ("+7"), 10, 1, 50, &v), 0);
    ck_assert_int_eq (v, 7);
    ck_assert_int_eq (hr_parse_limit (S ("500"), 10, 1, 50, &v), 0);
    ck_assert_int_eq (v, 50);
    ck_assert_int_eq (hr_parse_limit (S ("0"), 10, 1, 50, &v), 0);
    ck_assert_int_eq (v, 1);
    ck_assert_int_eq (hr_parse_limit (S ("-3"), 10, 1, 50, &v), 0);
    ck_assert_int_eq (v, 1);
    ck_assert_int_eq (hr_parse_limit (S ("99999999999999999999999999"), 10, 1, 50, &v), 0);
    ck_assert_int_eq (v, 50);
    ck_assert_int_eq (hr_parse_limit (S ("-99999999999999999999999999"), 10, 1, 50, &v), 0);
    ck_assert_int_eq (v, 1);
    v = 123;
    ck_assert_int_eq (hr_parse_limit (S ("abc"), 10, 1, 50, &v), -1);
    ck_assert_int_eq (hr_parse_limit (S ("1.5"), 10, 1, 50, &v), -1);
    ck_assert_int_eq (hr_parse_limit (S (""), 10, 1, 50, &v), -1);
    ck_assert_int_eq (hr_parse_limit (S ("+"), 10, 1, 50, &v), -1);
    ck_assert_int_eq (hr_parse_limit (S (" 5"), 10, 1, 50, &v), -1);
    ck_assert_int_eq (hr_parse_limit (S ("5 "), 10, 1, 50, &v), -1);
    ck_assert_int_eq (hr_parse_limit (S ("5x"), 10, 1, 50, &v), -1);
    ck_assert_int_eq (hr_parse_limit ("5\0" "0", 3, 10, 1, 50, &v), -1);
    ck_assert_int_eq (v, 123);      //  untouched on error
    //  the length bounds the parse: "12" of "123"
    ck_assert_int_eq (hr_parse_limit ("123", 2, 10, 1, 50, &v), 0);
    ck_assert_int_eq (v, 12);
}
END_TEST

START_TEST (test_parse_int_range)
{
    long v = 0;
    ck_assert_int_eq (hr_parse_int_range (S ("1"), 1, 365, &v), 0);
    ck_assert_int_eq (v, 1);
    ck_assert_int_eq (hr_parse_int_range (S ("365"), 1, 365, &v), 0);
    ck_assert_int_eq (v, 365);
    ck_assert_int_eq (hr_parse_int_range (S ("366"), 1, 365, &v), -1);
    ck_assert_int_eq (hr_parse_int_range (S ("0"), 1, 365, &v), -1);
    ck_assert_int_eq (hr_parse_int_range (S ("-5"), -10, 10, &v), 0);
    ck_assert_int_eq (v, -5);
    ck_assert_int_eq (hr_parse_int_range (S ("9223372036854775807"), 0, LONG_MAX, &v), 0);
    ck_assert_int_eq (v, LONG_MAX);
    ck_assert_int_eq (hr_parse_int_range (S ("-9223372036854775808"), LONG_MIN, 0, &v), 0);
    ck_assert (v == LONG_MIN);
    ck_assert_int_eq (hr_parse_int_range (S ("9223372036854775808"), 0, LONG_MAX, &v), -1);
    ck_assert_int_eq (hr_parse_int_range (S ("1e3"), 1, 10000, &v), -1);
    ck_assert_int_eq (hr_parse_int_range (S (""), 1, 10, &v), -1);
    ck_assert_int_eq (hr_parse_int_range (NULL, 0, 1, 10, &v), -1);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_validate");
    TCase *tc = tcase_create ("core");
    tcase_add_test (tc, test_user_ids);
    tcase_add_test (tc, test_product_ids);
    tcase_add_test (tc, test_utf8);
    tcase_add_test (tc, test_query_normalize);
    tcase_add_test (tc, test_parse_limit);
    tcase_add_test (tc, test_parse_int_range);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
