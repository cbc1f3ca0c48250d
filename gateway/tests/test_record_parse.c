/*  The POST body check: the plain fast path (gw_record_parse_plain) against
    jansson's (gw_record_parse).  Whatever the fast path accepts, jansson's
    path accepts with the same fields; what it declines, jansson's path
    decides (and words the refusal), so every answer stays the same.        */
#include <check.h>
#include <string.h>
#include "gw_interactions.h"
#include "hr_proto.h"

//  Both paths on body; returns whether the fast one took it.
static bool
s_both (const char *body)
{
    gw_record_t fast, slow;
    gw_reject_t why;
    bool took = gw_record_parse_plain (body, strlen (body), &fast);
    json_t *json = gw_record_parse (body, strlen (body), &slow, &why);
    if (took) {
        ck_assert_ptr_nonnull (json);
        ck_assert_uint_eq (fast.ulen, slow.ulen);
        ck_assert (memcmp (fast.user, slow.user, slow.ulen) == 0);
        ck_assert_uint_eq (fast.type, slow.type);
        ck_assert_uint_eq (fast.vlen, slow.vlen);
        ck_assert (memcmp (fast.value, slow.value, slow.vlen) == 0);
    }
    json_decref (json);
    return took;
}

START_TEST (test_plain_bodies_take_the_fast_path)
{
    ck_assert (s_both ("{\"user_id\":\"bob1\",\"event_type\":\"product_click\",\"product_id\":\"B08CF3D7QR\"}"));
    ck_assert (s_both (" {\n \"event_type\" : \"search_query\" ,\t\"query\": \"  red shoes \", \"user_id\":\"Bob\" } \r\n"));
    ck_assert (s_both ("{\"user_id\":\"bob\",\"event_type\":\"product_click\",\"product_id\":\"B08CF3D7QR\",\"extra\":\"x\",\"query\":\"q\"}"));
    //  the trimmed query points into the body
    gw_record_t ev;
    const char *body = "{\"user_id\":\"u\",\"event_type\":\"search_query\",\"query\":\"  red shoes \"}";
    ck_assert (gw_record_parse_plain (body, strlen (body), &ev));
    ck_assert_uint_eq (ev.type, HR_EVENT_SEARCH);
    ck_assert_uint_eq (ev.vlen, 9);
    ck_assert (memcmp (ev.value, "red shoes", 9) == 0);
}
END_TEST

START_TEST (test_anything_else_is_left_to_jansson)
{
    const char *const declined[] = {
        "",
        "{}",
        "[]",
        "{\"user_id\":\"bob\",\"event_type\":\"product_click\",\"product_id\":\"B08CF3D7Q\\u0052\"}",
        "{\"user_id\":\"bob\",\"event_type\":\"search_query\",\"query\":\"caf\xc3\xa9\"}",
        "{\"user_id\":\"bob\",\"user_id\":\"eve\",\"event_type\":\"product_click\",\"product_id\":\"B08CF3D7QR\"}",
        "{\"user_id\":\"bob\",\"event_type\":\"product_click\",\"product_id\":\"B08CF3D7QR\",\"n\":1}",
        "{\"user_id\":\"bob\",\"event_type\":\"product_click\",\"product_id\":null}",
        "{\"user_id\":\"bob\",\"event_type\":\"product_click\",\"product_id\":\"B08CF3D7QR\"} x",
        "{\"user_id\":\"bob\",\"event_type\":\"product_click\",\"product_id\":\"B08CF3D7QR\"",
        "{\"user_id\":\"bob\",\"event_type\":\"product_click\",\"product_id\":\"b08cf3d7qr\"}",
        "{\"user_id\":\"bo b\",\"event_type\":\"product_click\",\"product_id\":\"B08CF3D7QR\"}",
        "{\"user_id\":\"bob\",\"event_type\":\"view\",\"product_id\":\"B08CF3D7QR\"}",
        "{\"user_id\":\"bob\",\"event_type\":\"search_query\",\"query\":\"   \"}",
        "{\"user_id\":\"bob\",\"event_type\":\"search_query\"}",
        "{\"user_id\":\"bob\",\"event_type\":\"search_query\",\"query\":\"a\tb\"}",
        "{\"user_id\":\"bob\",\"event_type\":\"product_click\",\"product_id\":\"B08CF3D7QR\",}",
        "\xef\xbb\xbf{\"user_id\":\"bob\",\"event_type\":\"product_click\",\"product_id\":\"B08CF3D7QR\"}",
    };
    for (size_t i = 0; i < sizeof declined / sizeof declined[0]; i++)
        ck_assert_msg (!s_both (declined[i]), "taken: %s", declined[i]);
    gw_record_t ev;
    ck_assert (!gw_record_parse_plain (NULL, 0, &ev));
    //  a body cut anywhere is never taken
    const char *whole = "{\"user_id\":\"bob\",\"event_type\":\"product_click\",\"product_id\":\"B08CF3D7QR\"}";
    for (size_t n = 0; n < strlen (whole); n++)
        ck_assert (!gw_record_parse_plain (whole, n, &ev));
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("gateway_record_parse");
    TCase *tc = tcase_create ("record_parse");
    tcase_add_test (tc, test_plain_bodies_take_the_fast_path);
    tcase_add_test (tc, test_anything_else_is_left_to_jansson);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
