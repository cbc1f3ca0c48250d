/*  hr_strbuf: puts append and keep a NUL after the text, embedded NULs
    count, growth keeps what was put, JSON escaping matches hr_json_escape. */
#include <check.h>
#include "hr_test.h"
#include <string.h>
#include "hr_strbuf.h"

START_TEST (test_put_keeps_a_nul)
{
    hr_strbuf_t sb = { 0 };
    ck_assert_int_eq (hr_strbuf_puts (&sb, "ab"), 0);
    ck_assert_int_eq (hr_strbuf_put (&sb, "cdef", 2), 0);
    ck_assert_uint_eq (sb.len, 4);
    ck_assert_str_eq (sb.buf, "abcd");
    //  An embedded NUL is text too
    ck_assert_int_eq (hr_strbuf_put (&sb, "", 1), 0);
    ck_assert_int_eq (hr_strbuf_puts (&sb, "x"), 0);
    ck_assert_uint_eq (sb.len, 6);
    ck_assert_int_eq (memcmp (sb.buf, "abcd\0x", 7), 0);
    hr_strbuf_free (&sb);
    ck_assert_ptr_null (sb.buf);
    ck_assert_uint_eq (sb.len, 0);
}
END_TEST

START_TEST (test_grows)
{
    hr_strbuf_t sb = { 0 };
    char chunk[1000];
    memset (chunk, 'z', sizeof chunk);
    for (int i = 0; i < 300; i++)
        ck_assert_int_eq (hr_strbuf_put (&sb, chunk, sizeof chunk), 0);
    ck_assert_uint_eq (sb.len, 300000);
    ck_assert_uint_ge (sb.cap, 300001);
    ck_assert_int_eq (sb.buf[299999], 'z');
    ck_assert_int_eq (sb.buf[300000], 0);
    ck_assert_int_eq (hr_strbuf_reserve (&sb, (size_t) -1), -1);
    ck_assert_uint_eq (sb.len, 300000);
    hr_strbuf_free (&sb);
}
END_TEST

START_TEST (test_escaped)
{
    hr_strbuf_t sb = { 0 };
    ck_assert_int_eq (hr_strbuf_puts (&sb, "\""), 0);
    ck_assert_int_eq (hr_strbuf_put_escaped (&sb, "a\"b\\c\n\x01\xff"), 0);
    ck_assert_int_eq (hr_strbuf_puts (&sb, "\""), 0);
    ck_assert_str_eq (sb.buf, "\"a\\\"b\\\\c\\n\\u0001\xEF\xBF\xBD\"");
    ck_assert_uint_eq (sb.len, strlen (sb.buf));
    hr_strbuf_free (&sb);
}
END_TEST

int
main (void)
{
    return test_run ("hr_strbuf", 30, (const TTest *const[]) {
        test_put_keeps_a_nul, test_grows, test_escaped, NULL });
}
