/*  Units of access control and abuse limits, without a server: the
    constant-time comparison and Bearer parsing (gw_auth), the token buckets
    and their bounded table (gw_ratelimit), the batched access log
    (gw_accesslog).  Over HTTP they are tested in test_gateway.c.           */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gw_accesslog.h"
#include "gw_auth.h"
#include "gw_ratelimit.h"
#include "hr_log.h"

#define S(lit) lit, sizeof lit - 1

START_TEST (test_equal_is_correct)
{
    ck_assert (gw_auth_equal (S ("abc"), S ("abc")));
    ck_assert (gw_auth_equal ("", 0, "", 0));
    ck_assert (!gw_auth_equal (S ("abc"), S ("abd")));     /* last byte */
    ck_assert (!gw_auth_equal (S ("xbc"), S ("abc")));     /* first byte */
    ck_assert (!gw_auth_equal (S ("abc"), S ("abcd")));    /* a prefix */
    ck_assert (!gw_auth_equal (S ("abcd"), S ("abc")));
    ck_assert (!gw_auth_equal (S ("abc"), "", 0));
    /*  a NUL inside is a byte like any other  */
    ck_assert (!gw_auth_equal ("a\0b", 3, "a\0c", 3));
    ck_assert (gw_auth_equal ("a\0b", 3, "a\0b", 3));
    unsigned char x[256], y[256];
    for (int i = 0; i < 256; i++)
        x[i] = y[i] = (unsigned char) i;
    ck_assert (gw_auth_equal (x, sizeof x, y, sizeof y));
    y[128] ^= 0x80;                                         /* one bit */
    ck_assert (!gw_auth_equal (x, sizeof x, y, sizeof y));
}
END_TEST

START_TEST (test_bearer_values)
{
    gw_auth_t *off = gw_auth_new ("");
    ck_assert_ptr_nonnull (off);
    ck_assert_int_eq (gw_auth_count (off), 0);
    ck_assert_int_eq (gw_auth_check_value (off, NULL, 0), GW_AUTH_OK);
    gw_auth_destroy (&off);
    ck_assert_ptr_null (off);

    gw_auth_t *a = gw_auth_new (" k1 ,, secret-two,");
    ck_assert_int_eq (gw_auth_count (a), 2);
    ck_assert_int_eq (gw_auth_check_value (a, NULL, 0), GW_AUTH_MISSING);
    ck_assert_int_eq (gw_auth_check_value (a, S ("Basic azE6eA==")), GW_AUTH_MISSING);
    ck_assert_int_eq (gw_auth_check_value (a, S ("Bearer")), GW_AUTH_MISSING);
    ck_assert_int_eq (gw_auth_check_value (a, S ("Bearer   ")), GW_AUTH_MISSING);
    ck_assert_int_eq (gw_auth_check_value (a, S ("Bearer k1")), GW_AUTH_OK);
    ck_assert_int_eq (gw_auth_check_value (a, S ("bearer secret-two")), GW_AUTH_OK);
    ck_assert_int_eq (gw_auth_check_value (a, S ("BEARER  k1 ")), GW_AUTH_OK);
    ck_assert_int_eq (gw_auth_check_value (a, S ("Bearer k2")), GW_AUTH_WRONG);
    ck_assert_int_eq (gw_auth_check_value (a, S ("Bearer k")), GW_AUTH_WRONG);
    ck_assert_int_eq (gw_auth_check_value (a, S ("Bearer k1k1")), GW_AUTH_WRONG);
    ck_assert_int_eq (gw_auth_check_value (a, S ("Bearer secret-two,k1")), GW_AUTH_WRONG);
    char big[GW_AUTH_MAX_KEY + 32] = "Bearer ";
    memset (big + 7, 'k', GW_AUTH_MAX_KEY + 10);
    big[sizeof big - 1] = '\0';
    ck_assert_int_eq (gw_auth_check_value (a, big, strlen (big)), GW_AUTH_WRONG);
    gw_auth_destroy (&a);

    char toolong[GW_AUTH_MAX_KEY + 2];
    memset (toolong, 'x', sizeof toolong - 1);
    toolong[sizeof toolong - 1] = '\0';
    ck_assert_ptr_null (gw_auth_new (toolong));             /* refused, not truncated */

    /*  A template's placeholder (the shipped k8s secret had these) stops
        the gateway instead of protecting nothing.  */
    ck_assert_ptr_null (gw_auth_new ("change-me-key-1,change-me-key-2"));
    ck_assert_ptr_null (gw_auth_new ("4f1c9a0e7b2d58c3a6e1f0b9d7c2a5e8, CHANGEME"));
    ck_assert (gw_auth_is_placeholder (S ("x-Replace-Me-y")));
    ck_assert (gw_auth_is_placeholder (S ("placeholder")));
    ck_assert (!gw_auth_is_placeholder (S ("4f1c9a0e7b2d58c3a6e1f0b9d7c2a5e8")));
    ck_assert (!gw_auth_is_placeholder (S ("change")));
}
END_TEST

#define SEC 1000000000ull

START_TEST (test_bucket)
{
    gw_ratelimit_t *rl = gw_ratelimit_new (2.0, 3.0, 64);
    ck_assert_ptr_nonnull (rl);
    uint8_t a[16] = { 1 }, b[16] = { 2 };
    uint64_t t = 10 * SEC;
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq (gw_ratelimit_take (rl, a, t), 0);     /* the burst */
    ck_assert_int_eq (gw_ratelimit_take (rl, a, t), 1);         /* empty: 0.5 s -> Retry-After 1 */
    ck_assert_int_eq (gw_ratelimit_take (rl, b, t), 0);         /* another client is not affected */
    ck_assert_int_eq (gw_ratelimit_take (rl, a, t + SEC / 2), 0);   /* one token refilled */
    ck_assert_int_gt (gw_ratelimit_take (rl, a, t + SEC / 2), 0);
    /*  a long pause refills to the burst, not beyond  */
    t += 100 * SEC;
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq (gw_ratelimit_take (rl, a, t), 0);
    ck_assert_int_gt (gw_ratelimit_take (rl, a, t), 0);
    gw_ratelimit_destroy (&rl);
    ck_assert_ptr_null (rl);

    /*  slow rate: Retry-After is whole seconds, rounded up  */
    rl = gw_ratelimit_new (0.1, 1.0, 64);
    ck_assert_int_eq (gw_ratelimit_take (rl, a, SEC), 0);
    ck_assert_int_eq (gw_ratelimit_take (rl, a, SEC), 10);
    gw_ratelimit_destroy (&rl);
    ck_assert_ptr_null (gw_ratelimit_new (0, 1, 64));
    ck_assert_ptr_null (gw_ratelimit_new (1, 0.5, 64));
}
END_TEST

START_TEST (test_table_is_bounded)
{
    gw_ratelimit_t *rl = gw_ratelimit_new (1.0, 1.0, 64);
    uint8_t c[16] = { 0 };
    /*  Far more clients than slots: every one gets its first request (a
        forgotten client starts with a full bucket), memory stays fixed.  */
    for (uint32_t i = 0; i < 10000; i++) {
        memcpy (c, &i, sizeof i);
        ck_assert_int_eq (gw_ratelimit_take (rl, c, SEC + i), 0);
    }
    ck_assert_uint_ge (gw_ratelimit_evictions (rl), 10000 - 64);
    /*  the most recent client is still remembered (and still limited)  */
    uint32_t last = 9999;
    memcpy (c, &last, sizeof last);
    ck_assert_int_gt (gw_ratelimit_take (rl, c, SEC + 9999), 0);
    gw_ratelimit_destroy (&rl);
}
END_TEST

START_TEST (test_access_log_lines)
{
    int fds[2];
    ck_assert_int_eq (pipe (fds), 0);
    h2o_evloop_t *loop = h2o_evloop_create ();
    gw_accesslog_t *log = gw_accesslog_new (loop, fds[1], "gateway", GW_ACCESSLOG_FULL);
    ck_assert_ptr_nonnull (log);
    gw_accesslog_line (log, "rid-1", h2o_iovec_init (H2O_STRLIT ("GET")),
                       h2o_iovec_init (H2O_STRLIT ("/recommendations/search?query=\"x\"")), SIZE_MAX,
                       200, "search", 1234567, 42);
    gw_accesslog_line (log, "rid-2", h2o_iovec_init (H2O_STRLIT ("POST")),
                       h2o_iovec_init (H2O_STRLIT ("/api/v1/interactions/interactions")), SIZE_MAX,
                       429, "interactions_post", 7, 0);
    char buf[4096];
    ck_assert_int_eq (write (fds[1], "", 0), 0);
    gw_accesslog_flush (log);
    ssize_t n = read (fds[0], buf, sizeof buf - 1);
    ck_assert_int_gt (n, 0);
    buf[n] = '\0';
    char *second = strchr (buf, '\n');
    ck_assert_ptr_nonnull (second);
    *second++ = '\0';
    json_error_t err;
    json_t *j = json_loads (buf, 0, &err);
    ck_assert_msg (j != NULL, "not JSON: %s (%s)", buf, err.text);
    ck_assert_str_eq (json_string_value (json_object_get (j, "msg")), "access");
    ck_assert_str_eq (json_string_value (json_object_get (j, "level")), "info");
    ck_assert_str_eq (json_string_value (json_object_get (j, "service")), "gateway");
    ck_assert_str_eq (json_string_value (json_object_get (j, "request_id")), "rid-1");
    ck_assert_str_eq (json_string_value (json_object_get (j, "path")), "/recommendations/search?query=\"x\"");
    ck_assert_str_eq (json_string_value (json_object_get (j, "status")), "200");
    ck_assert_str_eq (json_string_value (json_object_get (j, "ms")), "1234.567");
    ck_assert_str_eq (json_string_value (json_object_get (j, "bytes")), "42");
    ck_assert_uint_eq (strlen (json_string_value (json_object_get (j, "ts"))), 24);
    json_decref (j);
    j = json_loads (second, JSON_DISABLE_EOF_CHECK, &err);
    ck_assert_ptr_nonnull (j);
    ck_assert_str_eq (json_string_value (json_object_get (j, "ms")), "0.007");
    ck_assert_str_eq (json_string_value (json_object_get (j, "status")), "429");
    json_decref (j);
    gw_accesslog_destroy (&log);
    ck_assert_ptr_null (log);
    h2o_evloop_destroy (loop);
    close (fds[0]);
    close (fds[1]);
}
END_TEST

/*  One line through a log of the given mode; returns its "path" (static). */
static const char *
logged_path (gw_accesslog_mode_t mode, const char *path, size_t personal_at)
{
    static char out[1024];
    int fds[2];
    ck_assert_int_eq (pipe (fds), 0);
    h2o_evloop_t *loop = h2o_evloop_create ();
    gw_accesslog_t *log = gw_accesslog_new (loop, fds[1], "gateway", mode);
    ck_assert_ptr_nonnull (log);
    gw_accesslog_line (log, "rid", h2o_iovec_init (H2O_STRLIT ("GET")),
                       h2o_iovec_init (path, strlen (path)), personal_at, 200, "home", 1, 1);
    gw_accesslog_destroy (&log);
    char buf[4096];
    ssize_t n = read (fds[0], buf, sizeof buf - 1);
    ck_assert_int_gt (n, 0);
    buf[n] = '\0';
    json_error_t err;
    json_t *j = json_loads (buf, JSON_DISABLE_EOF_CHECK, &err);
    ck_assert_msg (j != NULL, "not JSON: %s", buf);
    snprintf (out, sizeof out, "%s", json_string_value (json_object_get (j, "path")));
    json_decref (j);
    h2o_evloop_destroy (loop);
    close (fds[0]);
    close (fds[1]);
    return out;
}

/*  Issue 17, item 4: by default no user id or search term reaches the log. */
START_TEST (test_access_log_redacts_personal_data)
{
    ck_assert_int_eq (gw_accesslog_mode_parse ("redact"), GW_ACCESSLOG_REDACT);
    ck_assert_int_eq (gw_accesslog_mode_parse ("hash"), GW_ACCESSLOG_HASH);
    ck_assert_int_eq (gw_accesslog_mode_parse ("full"), GW_ACCESSLOG_FULL);
    ck_assert_int_eq (gw_accesslog_mode_parse ("yes"), -1);
    ck_assert_str_eq (logged_path (GW_ACCESSLOG_REDACT,
                                   "/recommendations/home?user_id=alice&response_limit=20&explain=true", SIZE_MAX),
                      "/recommendations/home?user_id=-&response_limit=20&explain=true");
    ck_assert_str_eq (logged_path (GW_ACCESSLOG_REDACT, "/recommendations/search?query=red+shoes&x&y=", SIZE_MAX),
                      "/recommendations/search?query=-&x&y=");
    const char *hist = "/api/v1/interactions/interactions/alice?days=7";
    ck_assert_str_eq (logged_path (GW_ACCESSLOG_REDACT, hist, 34), "/api/v1/interactions/interactions/-?days=7");
    ck_assert_str_eq (logged_path (GW_ACCESSLOG_FULL, hist, 34), hist);
    /*  hash: stable within the process, different users differ, no name  */
    char a[256], b[256];
    snprintf (a, sizeof a, "%s", logged_path (GW_ACCESSLOG_HASH, "/recommendations/home?user_id=alice", SIZE_MAX));
    snprintf (b, sizeof b, "%s", logged_path (GW_ACCESSLOG_HASH, "/recommendations/home?user_id=alice", SIZE_MAX));
    ck_assert_str_eq (a, b);
    ck_assert_ptr_null (strstr (a, "alice"));
    ck_assert_uint_eq (strlen (a), strlen ("/recommendations/home?user_id=h:") + 16);
    ck_assert_str_ne (a, logged_path (GW_ACCESSLOG_HASH, "/recommendations/home?user_id=bob", SIZE_MAX));
    ck_assert_ptr_null (strstr (logged_path (GW_ACCESSLOG_HASH, hist, 34), "alice"));
    /*  a long path is cut, never overrun  */
    char longpath[3000] = "/recommendations/search?query=";
    memset (longpath + strlen (longpath), 'q', 2000);
    strcat (longpath, "&response_limit=");
    memset (longpath + strlen (longpath), '9', 900);
    ck_assert_uint_le (strlen (logged_path (GW_ACCESSLOG_REDACT, longpath, SIZE_MAX)), 500);
    ck_assert_uint_eq (strlen (logged_path (GW_ACCESSLOG_FULL, longpath, SIZE_MAX)), 500);
}
END_TEST

int
main (void)
{
    hr_log_init ("test_limits", HR_LOG_WARN);
    Suite *s = suite_create ("limits");
    TCase *tc = tcase_create ("units");
    tcase_add_test (tc, test_equal_is_correct);
    tcase_add_test (tc, test_bearer_values);
    tcase_add_test (tc, test_bucket);
    tcase_add_test (tc, test_table_is_bounded);
    tcase_add_test (tc, test_access_log_lines);
    tcase_add_test (tc, test_access_log_redacts_personal_data);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
