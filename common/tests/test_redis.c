/*  hr_redis against a real Redis: commands, pipelining, reconnect, down.    */
#include "hr_redis.h"
#include "hr_test.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static hr_redis_t *
s_connect (void)
{
    hr_redis_t *r = hr_redis_new (test_redis_url (), 1000);
    ck_assert_ptr_nonnull (r);
    return r;
}

START_TEST (test_url_parsing)
{
    const char *bad[] = { "http://127.0.0.1:6379", "redis://", "redis://host:99999",
                          "redis://host:12/x", "redis://host:12/1/2", "redis://pw@host:1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hr_redis_t *r = hr_redis_new (bad[i], 100);
        ck_assert_msg (r == NULL, "accepted %s", bad[i]);
    }
    const char *good[] = { "redis://127.0.0.1:6379", "redis://localhost", "redis://:secret@h:1/3",
                           "redis://127.0.0.1:6379/" };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        hr_redis_t *r = hr_redis_new (good[i], 100);
        ck_assert_msg (r != NULL, "rejected %s", good[i]);
        hr_redis_destroy (&r);
        ck_assert_ptr_null (r);
    }
}
END_TEST

START_TEST (test_commands_and_errors)
{
    hr_redis_t *r = s_connect ();
    const char *key = test_unique ("hr:test:redis:");
    redisReply *rep = hr_redis_command (r, "SET %s %b EX 60", key, "a\0b", (size_t) 3);
    ck_assert_ptr_nonnull (rep);
    ck_assert_int_eq (rep->type, REDIS_REPLY_STATUS);
    freeReplyObject (rep);
    const char *argv[] = { "GET", key };
    size_t lens[] = { 3, strlen (key) };
    rep = hr_redis_argv (r, 2, argv, lens);
    ck_assert_ptr_nonnull (rep);
    ck_assert_int_eq (rep->type, REDIS_REPLY_STRING);
    ck_assert_int_eq (rep->len, 3);
    ck_assert_mem_eq (rep->str, "a\0b", 3);
    freeReplyObject (rep);
    //  Error replies are returned, and the connection stays usable
    rep = hr_redis_command (r, "INCR %s", key);
    ck_assert_ptr_nonnull (rep);
    ck_assert_int_eq (rep->type, REDIS_REPLY_ERROR);
    freeReplyObject (rep);
    rep = hr_redis_command (r, "DEL %s", key);
    ck_assert_ptr_nonnull (rep);
    ck_assert_int_eq (rep->integer, 1);
    freeReplyObject (rep);
    hr_redis_destroy (&r);
}
END_TEST

START_TEST (test_selects_the_database)
{
    hr_redis_t *r = s_connect ();
    redisReply *rep = hr_redis_command (r, "CLIENT INFO");
    //  Redis < 6.2 has no CLIENT INFO; CLIENT LIST of our own id then
    if (rep && rep->type == REDIS_REPLY_ERROR) {
        freeReplyObject (rep);
        rep = hr_redis_command (r, "CLIENT LIST");
    }
    ck_assert_ptr_nonnull (rep);
    ck_assert_int_eq (rep->type, REDIS_REPLY_STRING);
    const char *hostpart = test_redis_url () + strlen ("redis://");
    const char *slash = strchr (hostpart, '/');
    int want = slash ? atoi (slash + 1) : 0;
    char needle[32];
    snprintf (needle, sizeof needle, " db=%d ", want);
    ck_assert_msg (strstr (rep->str, needle), "%s not in %s", needle, rep->str);
    freeReplyObject (rep);
    hr_redis_destroy (&r);
}
END_TEST

START_TEST (test_pipeline)
{
    hr_redis_t *r = s_connect ();
    const char *key = test_unique ("hr:test:pipe:");
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq (hr_redis_append (r, "RPUSH %s %d", key, i), 0);
    ck_assert_int_eq (hr_redis_append (r, "EXPIRE %s 60", key), 0);
    for (int i = 0; i < 10; i++) {
        redisReply *rep;
        ck_assert_int_eq (hr_redis_get_reply (r, &rep), 0);
        ck_assert_int_eq (rep->type, REDIS_REPLY_INTEGER);
        ck_assert_int_eq (rep->integer, i + 1);
        freeReplyObject (rep);
    }
    redisReply *rep;
    ck_assert_int_eq (hr_redis_get_reply (r, &rep), 0);
    freeReplyObject (rep);
    rep = hr_redis_command (r, "DEL %s", key);
    ck_assert_ptr_nonnull (rep);
    freeReplyObject (rep);
    hr_redis_destroy (&r);
}
END_TEST

START_TEST (test_resp_matches_hiredis_and_pipelines)
{
    //  The bytes are hiredis's own formatting of the same arguments
    hr_strbuf_t buf = { 0 };
    ck_assert_int_eq (hr_resp_command (&buf, 4), 0);
    ck_assert_int_eq (hr_resp_arg (&buf, "LPUSH", 5), 0);
    ck_assert_int_eq (hr_resp_arg (&buf, "k\r\n", 3), 0);
    ck_assert_int_eq (hr_resp_arg (&buf, "", 0), 0);
    ck_assert_int_eq (hr_resp_arg_int (&buf, -1234567890123LL), 0);
    const char *argv[] = { "LPUSH", "k\r\n", "", "-1234567890123" };
    size_t lens[] = { 5, 3, 0, 14 };
    char *want;
    long long wlen = redisFormatCommandArgv (&want, 4, argv, lens);
    ck_assert_int_eq ((long long) buf.len, wlen);
    ck_assert (memcmp (buf.buf, want, buf.len) == 0);
    redisFreeCommand (want);
    buf.len = 0;
    ck_assert_int_eq (hr_resp_arg_int (&buf, 0), 0);
    ck_assert_int_eq (hr_resp_arg_int (&buf, INT64_MIN), 0);
    ck_assert_str_eq (buf.buf, "$1\r\n0\r\n$20\r\n-9223372036854775808\r\n");

    //  Several commands in one buffer, queued at once, answered in order
    hr_redis_t *r = s_connect ();
    const char *key = test_unique ("hr:test:resp:");
    buf.len = 0;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq (hr_resp_command (&buf, 2), 0);
        ck_assert_int_eq (hr_resp_arg (&buf, "INCR", 4), 0);
        ck_assert_int_eq (hr_resp_arg (&buf, key, strlen (key)), 0);
    }
    ck_assert_int_eq (hr_resp_command (&buf, 3), 0);
    ck_assert_int_eq (hr_resp_arg (&buf, "EXPIRE", 6), 0);
    ck_assert_int_eq (hr_resp_arg (&buf, key, strlen (key)), 0);
    ck_assert_int_eq (hr_resp_arg_int (&buf, 60), 0);
    ck_assert_int_eq (hr_redis_append_resp (r, buf.buf, buf.len), 0);
    for (int i = 0; i < 4; i++) {
        redisReply *rep;
        ck_assert_int_eq (hr_redis_get_reply (r, &rep), 0);
        ck_assert_int_eq (rep->type, REDIS_REPLY_INTEGER);
        ck_assert_int_eq (rep->integer, i < 3 ? i + 1 : 1);
        freeReplyObject (rep);
    }
    hr_strbuf_free (&buf);
    hr_redis_destroy (&r);
}
END_TEST

START_TEST (test_reconnect_after_client_kill)
{
    hr_redis_t *r = s_connect ();
    redisReply *rep = hr_redis_command (r, "CLIENT ID");
    ck_assert_ptr_nonnull (rep);
    long long id = rep->integer;
    freeReplyObject (rep);

    hr_redis_t *admin = s_connect ();
    char idtext[32];
    snprintf (idtext, sizeof idtext, "%lld", id);
    rep = hr_redis_command (admin, "CLIENT KILL ID %s", idtext);
    ck_assert_ptr_nonnull (rep);
    ck_assert_int_eq (rep->integer, 1);
    freeReplyObject (rep);
    hr_redis_destroy (&admin);

    rep = hr_redis_command (r, "CLIENT ID");
    ck_assert_ptr_nonnull (rep);
    ck_assert_int_eq (rep->type, REDIS_REPLY_INTEGER);
    ck_assert_int_ne (rep->integer, id);
    freeReplyObject (rep);
    hr_redis_destroy (&r);
}
END_TEST

START_TEST (test_down_returns_null_fast)
{
    hr_redis_t *r = hr_redis_new ("redis://127.0.0.1:1/0", 500);
    ck_assert_ptr_nonnull (r);
    long long t0 = test_mono_ms ();
    for (int i = 0; i < 200; i++) {
        ck_assert_ptr_null (hr_redis_command (r, "PING"));
        ck_assert_int_eq (hr_redis_append (r, "PING"), -1);
    }
    redisReply *rep = (redisReply *) 1;
    ck_assert_int_eq (hr_redis_get_reply (r, &rep), -1);
    ck_assert_ptr_null (rep);
    //  Generous bound: 200 calls each paying a connect would be far slower
    //  on a filtered port; this guards against hanging, not a benchmark.
    ck_assert_int_lt (test_mono_ms () - t0, 5000);
    hr_redis_destroy (&r);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_redis");
    TCase *tc = tcase_create ("redis");
    tcase_set_timeout (tc, 30);
    tcase_add_test (tc, test_url_parsing);
    tcase_add_test (tc, test_commands_and_errors);
    tcase_add_test (tc, test_selects_the_database);
    tcase_add_test (tc, test_pipeline);
    tcase_add_test (tc, test_resp_matches_hiredis_and_pipelines);
    tcase_add_test (tc, test_reconnect_after_client_kill);
    tcase_add_test (tc, test_down_returns_null_fast);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
