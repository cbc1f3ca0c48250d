/*  hr_dataset: the event-log reader shared by the importer and eval/.     */
#include "hr_dataset.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "hr_events.h"

static FILE *s_file;
static hr_dataset_t *s_ds;

static hr_dataset_t *
open_text (const char *text, hr_dataset_format_t fmt)
{
    s_file = tmpfile ();
    ck_assert_ptr_nonnull (s_file);
    ck_assert_uint_eq (fwrite (text, 1, strlen (text), s_file), strlen (text));
    rewind (s_file);
    s_ds = hr_dataset_new (s_file, fmt);
    ck_assert_ptr_nonnull (s_ds);
    return s_ds;
}

static void
teardown (void)
{
    hr_dataset_destroy (&s_ds);
    if (s_file)
        fclose (s_file);
    s_file = NULL;
}

START_TEST (test_parse_times)
{
    int64_t ms;
    ck_assert_int_eq (hr_dataset_parse_unix_seconds ("1396860669.277", &ms), 0);
    ck_assert_int_eq (ms, 1396860669277LL);
    ck_assert_int_eq (hr_dataset_parse_unix_seconds ("1396437466.94", &ms), 0);
    ck_assert_int_eq (ms, 1396437466940LL);
    ck_assert_int_eq (hr_dataset_parse_unix_seconds ("1396437466", &ms), 0);
    ck_assert_int_eq (ms, 1396437466000LL);
    ck_assert_int_eq (hr_dataset_parse_unix_seconds ("13964x", &ms), -1);
    ck_assert_int_eq (hr_dataset_parse_unix_seconds ("", &ms), -1);
    ck_assert_int_eq (hr_dataset_parse_unix_seconds ("-5", &ms), -1);
    ck_assert_int_eq (hr_dataset_parse_unix_seconds ("99999999999999999999", &ms), -1);

    ck_assert_int_eq (hr_dataset_parse_iso8601 ("2016-05-09", &ms), 0);
    ck_assert_int_eq (ms, 1462752000000LL);
    ck_assert_int_eq (hr_dataset_parse_iso8601 ("2014-04-07T08:51:09.277Z", &ms), 0);
    ck_assert_int_eq (ms, 1396860669277LL);
    ck_assert_int_eq (hr_dataset_parse_iso8601 ("2014-04-07 10:51:09+02:00", &ms), 0);
    ck_assert_int_eq (ms, 1396860669000LL);
    ck_assert_int_eq (hr_dataset_parse_iso8601 ("2014-02-30", &ms), -1);
    ck_assert_int_eq (hr_dataset_parse_iso8601 ("2014-04-07T25:00:00Z", &ms), -1);
    ck_assert_int_eq (hr_dataset_parse_iso8601 ("yesterday", &ms), -1);
    ck_assert_int_eq (hr_dataset_parse_timestamp ("1396860669", &ms), 0);
    ck_assert_int_eq (ms, 1396860669000LL);
    ck_assert_int_eq (hr_dataset_parse_timestamp ("2014-04-07T08:51:09Z", &ms), 0);
    ck_assert_int_eq (ms, 1396860669000LL);
}
END_TEST

START_TEST (test_days_from_civil)
{
    ck_assert_int_eq (hr_dataset_days_from_civil (1970, 1, 1), 0);
    ck_assert_int_eq (hr_dataset_days_from_civil (2016, 5, 9), 16930);
    ck_assert_int_eq (hr_dataset_days_from_civil (2000, 3, 1), 11017);
    ck_assert_int_eq (hr_dataset_days_from_civil (1969, 12, 31), -1);
}
END_TEST

START_TEST (test_yoochoose_rows)
{
    hr_dataset_t *ds = open_text ("SessionId\tItemId\tTime\n"
                                  "3\t214716935\t1396437466.94\n"
                                  "\n"
                                  "x3\t214716935\t1396437466\n"
                                  "4\t214832672\tyesterday\n"
                                  "4\t214832672\n"
                                  "5\t214832672\t1396438212.318\n", HR_DATASET_YOOCHOOSE);
    hr_dataset_row_t row;
    ck_assert_int_eq (hr_dataset_read (ds, &row), 1);
    ck_assert_uint_eq (row.session, 3);
    ck_assert_str_eq (row.user, "3");
    ck_assert_str_eq (row.value, "214716935");
    ck_assert_uint_eq (row.value_len, 9);
    ck_assert_uint_eq (row.type, HR_EVENT_CLICK);
    ck_assert_int_eq (row.ts_ms, 1396437466940LL);
    ck_assert_int_eq (row.line, 2);
    ck_assert_int_eq (hr_dataset_read (ds, &row), -1);
    ck_assert_str_eq (hr_dataset_error (ds), "SessionId is not a number");
    ck_assert_int_eq (hr_dataset_line (ds), 4);
    ck_assert_int_eq (hr_dataset_read (ds, &row), -1);
    ck_assert_str_eq (hr_dataset_error (ds), "Time is not Unix seconds");
    ck_assert_int_eq (hr_dataset_read (ds, &row), -1);
    ck_assert_ptr_nonnull (strstr (hr_dataset_error (ds), "expected 3"));
    ck_assert_int_eq (hr_dataset_read (ds, &row), 1);
    ck_assert_int_eq (row.ts_ms, 1396438212318LL);
    ck_assert_int_eq (row.line, 7);
    ck_assert_int_eq (hr_dataset_read (ds, &row), 0);
}
END_TEST

START_TEST (test_diginetica_rows)
{
    hr_dataset_t *ds = open_text ("session_id;user_id;item_id;timeframe;eventdate\r\n"
                                  "1;NA;81766;75848;2016-05-09\r\n"
                                  "1;NA;81766;75848;2016-02-30\r\n"
                                  "1;NA;81766;-5;2016-05-09\r\n"
                                  "1;NA;81766;604800000;2016-05-09\r\n", HR_DATASET_DIGINETICA);
    hr_dataset_row_t row;
    ck_assert_int_eq (hr_dataset_read (ds, &row), 1);
    ck_assert_uint_eq (row.session, 1);
    ck_assert_str_eq (row.value, "81766");
    ck_assert_int_eq (row.ts_ms, 1462752000000LL + 75848);
    ck_assert_int_eq (hr_dataset_read (ds, &row), -1);
    ck_assert_str_eq (hr_dataset_error (ds), "eventdate is not YYYY-MM-DD");
    ck_assert_int_eq (hr_dataset_read (ds, &row), -1);
    ck_assert_str_eq (hr_dataset_error (ds), "timeframe is not a millisecond offset");
    ck_assert_int_eq (hr_dataset_read (ds, &row), -1);
    ck_assert_int_eq (hr_dataset_read (ds, &row), 0);
}
END_TEST

START_TEST (test_csv_rows)
{
    hr_dataset_t *ds = open_text ("user_id,event_type,value,timestamp\n"
                                  "Bob1,search_query,\"red shoes, size 9\",1709287500123\n"
                                  "Bob1,1,B08CF3D7QR,2024-03-01T10:00:00Z\n"
                                  "Bob1,purchase,B08CF3D7QR,2024-03-01T10:00:00Z\n", HR_DATASET_CSV);
    hr_dataset_row_t row;
    ck_assert_int_eq (hr_dataset_read (ds, &row), 1);
    ck_assert_str_eq (row.user, "Bob1");
    ck_assert_uint_eq (row.type, HR_EVENT_SEARCH);
    ck_assert_str_eq (row.value, "red shoes, size 9");
    ck_assert_int_eq (row.ts_ms, 1709287500123LL);
    ck_assert_int_eq (hr_dataset_read (ds, &row), 1);
    ck_assert_uint_eq (row.type, HR_EVENT_CLICK);
    ck_assert_int_eq (row.ts_ms, 1709287200000LL);
    ck_assert_int_eq (hr_dataset_read (ds, &row), -1);
    ck_assert_ptr_nonnull (strstr (hr_dataset_error (ds), "event_type"));
    ck_assert_int_eq (hr_dataset_read (ds, &row), 0);
}
END_TEST

//  Only the first record may be the header; an empty file has no line.
START_TEST (test_header_and_empty)
{
    hr_dataset_t *ds = open_text ("", HR_DATASET_YOOCHOOSE);
    hr_dataset_row_t row;
    ck_assert_int_eq (hr_dataset_read (ds, &row), 0);
    ck_assert_int_eq (hr_dataset_line (ds), 0);
    teardown ();
    ds = open_text ("1\t2\t3\nSessionId\tItemId\tTime\n", HR_DATASET_YOOCHOOSE);
    ck_assert_int_eq (hr_dataset_read (ds, &row), 1);
    ck_assert_int_eq (hr_dataset_read (ds, &row), -1);
    hr_dataset_format_t fmt;
    ck_assert_int_eq (hr_dataset_format_parse ("diginetica", &fmt), 0);
    ck_assert_int_eq (fmt, HR_DATASET_DIGINETICA);
    ck_assert_int_eq (hr_dataset_format_parse ("parquet", &fmt), -1);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_dataset");
    TCase *tc = tcase_create ("dataset");
    tcase_add_checked_fixture (tc, NULL, teardown);
    tcase_add_test (tc, test_parse_times);
    tcase_add_test (tc, test_days_from_civil);
    tcase_add_test (tc, test_yoochoose_rows);
    tcase_add_test (tc, test_diginetica_rows);
    tcase_add_test (tc, test_csv_rows);
    tcase_add_test (tc, test_header_and_empty);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
