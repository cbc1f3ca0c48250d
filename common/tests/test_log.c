/*  hr_log: every line is one valid JSON object, whatever the input bytes.  */
#include "hr_log.h"

#include <check.h>
#include <jansson.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

//  stderr goes to a temporary file between capture_begin and capture_end,
//  which returns everything written (malloc'd).
static FILE *s_capture;
static int s_saved_stderr = -1;

static void
capture_begin (void)
{
    s_capture = tmpfile ();
    ck_assert_ptr_nonnull (s_capture);
    fflush (stderr);
    s_saved_stderr = dup (STDERR_FILENO);
    ck_assert_int_ge (dup2 (fileno (s_capture), STDERR_FILENO), 0);
}

static char *
capture_end (void)
{
    fflush (stderr);
    dup2 (s_saved_stderr, STDERR_FILENO);
    close (s_saved_stderr);
    fseek (s_capture, 0, SEEK_END);
    long size = ftell (s_capture);
    rewind (s_capture);
    char *text = malloc ((size_t) size + 1);
    ck_assert_uint_eq (fread (text, 1, (size_t) size, s_capture), (size_t) size);
    text[size] = 0;
    fclose (s_capture);
    return text;
}

//  Parses one line (which must end in a newline) as a JSON object.
static json_t *
parse_line (const char *line, size_t len)
{
    ck_assert_msg (len > 0 && line[len - 1] == '\n', "line does not end in a newline");
    json_error_t error;
    json_t *obj = json_loadb (line, len - 1, 0, &error);
    ck_assert_msg (obj, "not JSON (%s): %.*s", error.text, (int) len, line);
    ck_assert (json_is_object (obj));
    return obj;
}

static json_t *
parse_single (const char *text)
{
    const char *nl = strchr (text, '\n');
    ck_assert_ptr_nonnull (nl);
    ck_assert_msg (nl[1] == 0, "more than one line: %s", text);
    return parse_line (text, strlen (text));
}

START_TEST (test_basic_line)
{
    hr_log_init ("content", HR_LOG_INFO);
    capture_begin ();
    hr_info ("model %s loaded in %d ms", "v3", 42);
    char *text = capture_end ();
    json_t *obj = parse_single (text);
    ck_assert_str_eq (json_string_value (json_object_get (obj, "level")), "info");
    ck_assert_str_eq (json_string_value (json_object_get (obj, "service")), "content");
    ck_assert_str_eq (json_string_value (json_object_get (obj, "msg")), "model v3 loaded in 42 ms");
    const char *ts = json_string_value (json_object_get (obj, "ts"));
    ck_assert_ptr_nonnull (ts);
    regex_t re;
    ck_assert_int_eq (regcomp (&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$",
                               REG_EXTENDED | REG_NOSUB), 0);
    ck_assert_msg (regexec (&re, ts, 0, NULL, 0) == 0, "bad timestamp %s", ts);
    regfree (&re);
    json_decref (obj);
    free (text);
}
END_TEST

START_TEST (test_levels)
{
    hr_log_init ("svc", HR_LOG_WARN);
    capture_begin ();
    hr_debug ("hidden");
    hr_info ("hidden");
    hr_warn ("shown");
    hr_error ("shown too");
    hr_log_kv (HR_LOG_INFO, NULL, "hidden", NULL);
    char *text = capture_end ();
    ck_assert_ptr_null (strstr (text, "hidden"));
    ck_assert_ptr_nonnull (strstr (text, "\"level\":\"warn\""));
    ck_assert_ptr_nonnull (strstr (text, "\"level\":\"error\""));
    free (text);
    ck_assert_int_eq (hr_log_level_parse ("debug"), HR_LOG_DEBUG);
    ck_assert_int_eq (hr_log_level_parse ("info"), HR_LOG_INFO);
    ck_assert_int_eq (hr_log_level_parse ("warn"), HR_LOG_WARN);
    ck_assert_int_eq (hr_log_level_parse ("error"), HR_LOG_ERROR);
    ck_assert_int_eq (hr_log_level_parse ("INFO"), -1);
    ck_assert_int_eq (hr_log_level_parse (""), -1);
    ck_assert_int_eq (hr_log_level_parse (NULL), -1);
}
END_TEST

START_TEST (test_kv_fields_and_hostile_values)
{
    hr_log_init ("gw \"quoted\"", HR_LOG_DEBUG);
    const char *nasty = "a\"b\\c\nd\te\x01\x1f\x7f/\xC3\xA9";
    capture_begin ();
    hr_log_kv (HR_LOG_DEBUG, "req-1", "loaded", "version", "3", "nasty", nasty,
               "bad_utf8", "x\xFF\xC3y", "nothing", NULL, NULL);
    char *text = capture_end ();
    json_t *obj = parse_single (text);
    ck_assert_str_eq (json_string_value (json_object_get (obj, "service")), "gw \"quoted\"");
    ck_assert_str_eq (json_string_value (json_object_get (obj, "level")), "debug");
    ck_assert_str_eq (json_string_value (json_object_get (obj, "msg")), "loaded");
    ck_assert_str_eq (json_string_value (json_object_get (obj, "request_id")), "req-1");
    ck_assert_str_eq (json_string_value (json_object_get (obj, "version")), "3");
    ck_assert_str_eq (json_string_value (json_object_get (obj, "nasty")), nasty);
    //  each invalid byte became U+FFFD
    ck_assert_str_eq (json_string_value (json_object_get (obj, "bad_utf8")),
                      "x\xEF\xBF\xBD\xEF\xBF\xBDy");
    ck_assert (json_is_null (json_object_get (obj, "nothing")));
    json_decref (obj);
    free (text);

    //  no request id: no field
    capture_begin ();
    hr_log_kv (HR_LOG_INFO, NULL, "plain", NULL);
    text = capture_end ();
    obj = parse_single (text);
    ck_assert_ptr_null (json_object_get (obj, "request_id"));
    json_decref (obj);
    free (text);
}
END_TEST

START_TEST (test_long_message)
{
    hr_log_init ("svc", HR_LOG_INFO);
    size_t n = 200000;
    char *big = malloc (n + 1);
    for (size_t i = 0; i < n; i++)
        big[i] = (char) ("ab\"\n\x02"[i % 5]);
    big[n] = 0;
    capture_begin ();
    hr_info ("%s", big);
    hr_log_kv (HR_LOG_INFO, NULL, "kv", "big", big, NULL);
    char *text = capture_end ();
    char *second = strchr (text, '\n') + 1;
    json_t *obj = parse_line (text, (size_t) (second - text));
    ck_assert_str_eq (json_string_value (json_object_get (obj, "msg")), big);
    json_decref (obj);
    obj = parse_single (second);
    ck_assert_str_eq (json_string_value (json_object_get (obj, "big")), big);
    json_decref (obj);
    free (text);
    free (big);
}
END_TEST

START_TEST (test_json_escape)
{
    char buf[64];
    ck_assert_int_eq (hr_json_escape (buf, sizeof buf, "a\"b", 3), 4);
    ck_assert_str_eq (buf, "a\\\"b");
    ck_assert_int_eq (hr_json_escape (buf, sizeof buf, "\x01\n", 2), 8);
    ck_assert_str_eq (buf, "\\u0001\\n");
    //  the length counts, not a NUL: embedded NULs are escaped
    ck_assert_int_eq (hr_json_escape (buf, sizeof buf, "a\0b", 3), 8);
    ck_assert_str_eq (buf, "a\\u0000b");
    //  truncated sequence at the end
    ck_assert_int_eq (hr_json_escape (buf, sizeof buf, "\xE2\x82", 2), 6);
    ck_assert_str_eq (buf, "\xEF\xBF\xBD\xEF\xBF\xBD");
    //  too small: -1, exactly enough (with the NUL): OK
    ck_assert_int_eq (hr_json_escape (buf, 4, "abcd", 4), -1);
    ck_assert_int_eq (hr_json_escape (buf, 5, "abcd", 4), 4);
    ck_assert_int_eq (hr_json_escape (buf, 6, "\x01", 1), -1);
    ck_assert_int_eq (hr_json_escape (buf, 0, "", 0), -1);
    ck_assert_int_eq (hr_json_escape (buf, 1, "", 0), 0);

    //  random bytes always give a JSON string jansson accepts
    srand (42);
    char in[64], out[64 * 6 + 3];
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t) (rand () % 64);
        for (size_t i = 0; i < len; i++)
            in[i] = (char) (rand () % 4 ? rand () % 256 : 0xC0 + rand () % 0x35);
        out[0] = '"';
        int w = hr_json_escape (out + 1, sizeof out - 2, in, len);
        ck_assert_int_ge (w, 0);
        out[w + 1] = '"';
        json_error_t error;
        json_t *v = json_loadb (out, (size_t) w + 2, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
        ck_assert_msg (v && json_is_string (v), "round %d: %s", round, error.text);
        json_decref (v);
    }
}
END_TEST

static void *
s_logger (void *arg)
{
    long id = (long) arg;
    for (int i = 0; i < 300; i++)
        hr_log_kv (HR_LOG_INFO, NULL, "from a thread", "thread", id % 2 ? "odd" : "even",
                   "padding", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                   NULL);
    return NULL;
}

START_TEST (test_threads_never_interleave)
{
    hr_log_init ("svc", HR_LOG_INFO);
    capture_begin ();
    pthread_t threads[8];
    for (long t = 0; t < 8; t++)
        pthread_create (&threads[t], NULL, s_logger, (void *) t);
    for (int t = 0; t < 8; t++)
        pthread_join (threads[t], NULL);
    char *text = capture_end ();
    int lines = 0;
    for (char *line = text; *line;) {
        char *nl = strchr (line, '\n');
        ck_assert_ptr_nonnull (nl);
        json_t *obj = parse_line (line, (size_t) (nl - line + 1));
        ck_assert_str_eq (json_string_value (json_object_get (obj, "msg")), "from a thread");
        json_decref (obj);
        lines++;
        line = nl + 1;
    }
    ck_assert_int_eq (lines, 8 * 300);
    free (text);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_log");
    TCase *tc = tcase_create ("core");
    tcase_set_timeout (tc, 30);
    tcase_add_test (tc, test_basic_line);
    tcase_add_test (tc, test_levels);
    tcase_add_test (tc, test_kv_fields_and_hostile_values);
    tcase_add_test (tc, test_long_message);
    tcase_add_test (tc, test_json_escape);
    tcase_add_test (tc, test_threads_never_interleave);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
