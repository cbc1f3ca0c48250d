/*  hr_csv: RFC 4180 plus what real exports contain.                         */
#include "hr_csv.h"

#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static hr_csv_t *s_csv;
static FILE *s_file;

//  A reader over `text` (exactly len bytes).
static hr_csv_t *
open_text (const char *text, size_t len, char sep, size_t max_record)
{
    s_file = tmpfile ();
    ck_assert_ptr_nonnull (s_file);
    ck_assert_uint_eq (fwrite (text, 1, len, s_file), len);
    rewind (s_file);
    s_csv = hr_csv_new (s_file, sep, max_record);
    ck_assert_ptr_nonnull (s_csv);
    return s_csv;
}
#define OPEN(lit, sep, max) open_text (lit, sizeof (lit) - 1, sep, max)

static void
teardown (void)
{
    hr_csv_destroy (&s_csv);
    if (s_file)
        fclose (s_file);
    s_file = NULL;
}

static void
expect_record (hr_csv_t *csv, long line, int nfields, ...)
{
    hr_csv_record_t rec;
    int rc = hr_csv_read (csv, &rec);
    ck_assert_msg (rc == 1, "expected a record at line %ld, got %d (%s)", line, rc,
                   hr_csv_error (csv));
    ck_assert_int_eq (rec.line, line);
    ck_assert_int_eq (rec.nfields, nfields);
    va_list ap;
    va_start (ap, nfields);
    for (int i = 0; i < nfields; i++) {
        const char *want = va_arg (ap, const char *);
        ck_assert_uint_eq (rec.len[i], strlen (want));
        ck_assert_str_eq (rec.field[i], want);
    }
    va_end (ap);
}

static void
expect_end (hr_csv_t *csv)
{
    hr_csv_record_t rec;
    ck_assert_int_eq (hr_csv_read (csv, &rec), 0);
    ck_assert_int_eq (hr_csv_read (csv, &rec), 0);     //  and stays there
}

START_TEST (test_plain_and_quoted)
{
    hr_csv_t *csv = OPEN ("id,title,price\n"
                          "B000000001,\"Mouse, wireless\",19.99\n"
                          "B000000002,\"The \"\"Best\"\" Cable\",5\n"
                          "B000000003,,\n"
                          "B000000004,\"\",\"\"\n", ',', 0);
    expect_record (csv, 1, 3, "id", "title", "price");
    expect_record (csv, 2, 3, "B000000001", "Mouse, wireless", "19.99");
    expect_record (csv, 3, 3, "B000000002", "The \"Best\" Cable", "5");
    expect_record (csv, 4, 3, "B000000003", "", "");
    expect_record (csv, 5, 3, "B000000004", "", "");
    expect_end (csv);
}
END_TEST

START_TEST (test_embedded_newlines_crlf_bom)
{
    static const char text[] = "\xEF\xBB\xBFid,desc\r\n"
                               "A,\"line one\r\nline two\nline three\"\r\n"
                               "\r\n"                //  a blank line: skipped
                               "B,after\r\n"
                               "C,last without newline";
    hr_csv_t *csv = OPEN (text, ',', 0);
    expect_record (csv, 1, 2, "id", "desc");        //  BOM gone from "id"
    expect_record (csv, 2, 2, "A", "line one\r\nline two\nline three");
    expect_record (csv, 6, 2, "B", "after");
    expect_record (csv, 7, 2, "C", "last without newline");
    expect_end (csv);
    ck_assert_int_eq (hr_csv_offset (csv), (long) sizeof text - 1);
}
END_TEST

START_TEST (test_lenient_quotes)
{
    //  a quote inside an unquoted field stays (12" vinyl); text after a
    //  closing quote is appended, as Python's csv does
    hr_csv_t *csv = OPEN ("12\" vinyl,ab\"c\"\n"
                          "\"quoted\"tail,x\n", ',', 0);
    expect_record (csv, 1, 2, "12\" vinyl", "ab\"c\"");
    expect_record (csv, 2, 2, "quotedtail", "x");
    expect_end (csv);
}
END_TEST

START_TEST (test_separators)
{
    hr_csv_t *csv = OPEN ("a;\"b;c\";d\n", ';', 0);
    expect_record (csv, 1, 3, "a", "b;c", "d");
    expect_end (csv);
    teardown ();
    csv = OPEN ("a\tb,c\t\"x\ty\"\n", '\t', 0);
    expect_record (csv, 1, 3, "a", "b,c", "x\ty");
    expect_end (csv);
}
END_TEST

START_TEST (test_overlong_record_then_continue)
{
    char text[400];
    size_t n = 0;
    n += (size_t) sprintf (text + n, "ok,1\n");
    text[n++] = 'x';
    for (int i = 0; i < 200; i++)
        text[n++] = 'y';
    n += (size_t) sprintf (text + n, ",z\nok,2\n");
    hr_csv_t *csv = open_text (text, n, ',', 64);
    expect_record (csv, 1, 2, "ok", "1");
    hr_csv_record_t rec;
    ck_assert_int_eq (hr_csv_read (csv, &rec), -1);
    ck_assert_str_eq (hr_csv_error (csv), "line 2: record longer than 64 bytes");
    expect_record (csv, 3, 2, "ok", "2");
    expect_end (csv);
}
END_TEST

START_TEST (test_runaway_quote_is_bounded)
{
    //  an unclosed quote would swallow the file: max_record stops it, and
    //  reading resumes at the next physical line after the limit
    hr_csv_t *csv = OPEN ("a,\"never closed\n"
                          "b,1\nc,2\nd,3\ne,4\n", ',', 20);
    hr_csv_record_t rec;
    ck_assert_int_eq (hr_csv_read (csv, &rec), -1);
    ck_assert_ptr_nonnull (strstr (hr_csv_error (csv), "line 1: record longer than 20"));
    expect_record (csv, 4, 2, "d", "3");
    expect_record (csv, 5, 2, "e", "4");
    expect_end (csv);
    teardown ();

    //  unclosed at end of file: an error, then the end
    csv = OPEN ("a,b\n\"open,x\n", ',', 0);
    expect_record (csv, 1, 2, "a", "b");
    ck_assert_int_eq (hr_csv_read (csv, &rec), -1);
    ck_assert_str_eq (hr_csv_error (csv), "line 2: quoted field not closed before end of file");
    expect_end (csv);
}
END_TEST

START_TEST (test_too_many_fields)
{
    char text[512];
    size_t n = 0;
    for (int i = 0; i < HR_CSV_MAX_FIELDS + 1; i++)
        n += (size_t) sprintf (text + n, "%s%d", i ? "," : "", i);
    n += (size_t) sprintf (text + n, "\nnext,\"row\"\n");
    hr_csv_t *csv = open_text (text, n, ',', 0);
    hr_csv_record_t rec;
    ck_assert_int_eq (hr_csv_read (csv, &rec), -1);
    ck_assert_str_eq (hr_csv_error (csv), "line 1: more than 64 fields");
    expect_record (csv, 2, 2, "next", "row");
    expect_end (csv);
    teardown ();

    //  exactly 64 is fine
    n = 0;
    for (int i = 0; i < HR_CSV_MAX_FIELDS; i++)
        n += (size_t) sprintf (text + n, "%s%d", i ? "," : "", i);
    csv = open_text (text, n, ',', 0);
    ck_assert_int_eq (hr_csv_read (csv, &rec), 1);
    ck_assert_int_eq (rec.nfields, 64);
    ck_assert_str_eq (rec.field[63], "63");
    expect_end (csv);
}
END_TEST

START_TEST (test_empty_and_binary)
{
    hr_csv_t *csv = OPEN ("", ',', 0);
    expect_end (csv);
    teardown ();
    csv = OPEN ("\n\r\n\n", ',', 0);
    expect_end (csv);
    teardown ();
    //  NUL bytes and high bytes pass through; lengths tell the truth
    csv = OPEN ("a\0b,\xFF\n", ',', 0);
    hr_csv_record_t rec;
    ck_assert_int_eq (hr_csv_read (csv, &rec), 1);
    ck_assert_uint_eq (rec.len[0], 3);
    ck_assert (memcmp (rec.field[0], "a\0b", 4) == 0);
    ck_assert_str_eq (rec.field[1], "\xFF");
    expect_end (csv);
    teardown ();

    //  random bytes never crash or hang, and every record is bounded
    srand (7);
    char junk[20000];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = "ab,\"\n\r;\t\0\xEF"[rand () % 11];
    csv = open_text (junk, sizeof junk, ',', 100);
    int rc, records = 0;
    while ((rc = hr_csv_read (csv, &rec)) != 0) {
        if (rc == 1) {
            size_t total = 0;
            for (int i = 0; i < rec.nfields; i++)
                total += rec.len[i];
            ck_assert_uint_le (total, 100);
        }
        ck_assert_int_lt (++records, 20000);
    }
    ck_assert_int_eq (hr_csv_offset (csv), (long) sizeof junk);
}
END_TEST

START_TEST (test_large_file_across_chunks)
{
    //  records straddle the reader's internal chunk boundaries
    FILE *f = tmpfile ();
    for (int i = 0; i < 50000; i++)
        fprintf (f, "B%09d,\"title, number %d\nsecond line\",%d.5\r\n", i, i, i);
    rewind (f);
    s_file = f;
    s_csv = hr_csv_new (f, ',', 0);
    hr_csv_record_t rec;
    char want[64];
    for (int i = 0; i < 50000; i++) {
        ck_assert_int_eq (hr_csv_read (s_csv, &rec), 1);
        ck_assert_int_eq (rec.nfields, 3);
        ck_assert_int_eq (rec.line, 2L * i + 1);
        snprintf (want, sizeof want, "title, number %d\nsecond line", i);
        ck_assert_str_eq (rec.field[1], want);
    }
    expect_end (s_csv);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_csv");
    TCase *tc = tcase_create ("core");
    tcase_set_timeout (tc, 30);
    tcase_add_checked_fixture (tc, NULL, teardown);
    tcase_add_test (tc, test_plain_and_quoted);
    tcase_add_test (tc, test_embedded_newlines_crlf_bom);
    tcase_add_test (tc, test_lenient_quotes);
    tcase_add_test (tc, test_separators);
    tcase_add_test (tc, test_overlong_record_then_continue);
    tcase_add_test (tc, test_runaway_quote_is_bounded);
    tcase_add_test (tc, test_too_many_fields);
    tcase_add_test (tc, test_empty_and_binary);
    tcase_add_test (tc, test_large_file_across_chunks);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
