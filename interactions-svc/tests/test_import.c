/*  import-events on real rows (fixture copies of the shared data sets and
    the whole of them when present) and on malformed rows.                  */
#include "test_env.h"
#include <sys/stat.h>
#include "hr_cli.h"
#include "import.h"

static hr_pg_t *s_pg;

static void
s_fixture (char *buf, size_t cap, const char *name)
{
    const char *src = getenv ("HR_SOURCE_DIR");
    snprintf (buf, cap, "%s/interactions-svc/tests/fixtures/%s", src ? src : ".", name);
}

static void
s_prefix (char *buf, size_t cap, const char *what)
{
    snprintf (buf, cap, "%s%s", what, t_tag);
}

//  A text value from SQL (first row, first column) into buf.
static void
s_sql_text (const char *sql, const char *p1, char *buf, size_t cap)
{
    const char *params[] = { p1 };
    PGresult *res = hr_pg_exec (s_pg, sql, 1, params);
    ck_assert_ptr_nonnull (res);
    ck_assert_int_eq (PQntuples (res), 1);
    snprintf (buf, cap, "%s", PQgetvalue (res, 0, 0));
    PQclear (res);
}

//  true when the report has a JSON line for `line` whose reason starts with `reason`.
static bool
s_reported (const char *all, long line, const char *reason)
{
    char key[40];
    snprintf (key, sizeof key, "\"line\":\"%ld\"", line);
    const char *at = strstr (all, key);
    if (!at)
        return false;
    const char *eol = strchr (at, '\n');
    char want[200];
    snprintf (want, sizeof want, "\"reason\":\"%s", reason);
    const char *r = strstr (at, want);
    return r && (!eol || r < eol);
}

static void
s_read_all (FILE *f, char *all, size_t cap)
{
    rewind (f);
    size_t n = fread (all, 1, cap - 1, f);
    all[n] = '\0';
}

START_TEST (test_yoochoose_rows)
{
    char path[512], prefix[40], user[64], text[128];
    s_fixture (path, sizeof path, "yoochoose-head.tsv");
    s_prefix (prefix, sizeof prefix, "y");
    inter_import_options_t opts = { .format = HR_DATASET_YOOCHOOSE, .user_prefix = prefix };
    inter_import_summary_t sum;
    ck_assert_int_eq (inter_import_file (s_pg, path, &opts, &sum), 0);
    ck_assert_int_eq (sum.read, 7);
    ck_assert_int_eq (sum.loaded, 7);
    ck_assert_int_eq (sum.rejected, 0);
    //  session 3 -> user <prefix>3; item 214716935 -> Y214716935; exact time
    snprintf (user, sizeof user, "%s3", prefix);
    s_sql_text ("SELECT string_agg(product_id || '@' || to_char(ts AT TIME ZONE 'UTC',"
                " 'YYYY-MM-DD HH24:MI:SS.MS'), ',' ORDER BY ts) FROM interactions WHERE user_id = $1",
                user, text, sizeof text);
    ck_assert_str_eq (text, "Y214716935@2014-04-02 11:17:46.940,Y214832672@2014-04-02 11:30:12.318");
    //  historical days got their own partitions, not the DEFAULT one
    s_sql_text ("SELECT tableoid::regclass::text FROM interactions WHERE user_id = $1 LIMIT 1",
                user, text, sizeof text);
    ck_assert_str_eq (text, "interactions_p20140402");
}
END_TEST

START_TEST (test_diginetica_rows)
{
    char path[512], prefix[40], user[64], text[256];
    s_fixture (path, sizeof path, "diginetica-head.csv");
    s_prefix (prefix, sizeof prefix, "d");
    inter_import_options_t opts = { .format = HR_DATASET_DIGINETICA, .user_prefix = prefix };
    inter_import_summary_t sum;
    ck_assert_int_eq (inter_import_file (s_pg, path, &opts, &sum), 0);
    ck_assert_int_eq (sum.loaded, 7);
    ck_assert_int_eq (sum.rejected, 0);
    snprintf (user, sizeof user, "%s1", prefix);
    //  day + in-session offset: 2016-05-09 + 75848 ms is the first view
    s_sql_text ("SELECT product_id || '@' || to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS')"
                "  FROM interactions WHERE user_id = $1 ORDER BY ts LIMIT 1", user, text, sizeof text);
    ck_assert_str_eq (text, "D000009654@2016-05-09 00:01:15.848");
}
END_TEST

START_TEST (test_csv_rows_and_rejects)
{
    char path[512], map_path[512], prefix[40], user[64], text[256], err[256];
    s_fixture (path, sizeof path, "events.csv");
    s_fixture (map_path, sizeof map_path, "item-map.csv");
    s_prefix (prefix, sizeof prefix, "c");
    inter_item_map_t *map = inter_item_map_load (map_path, err, sizeof err);
    ck_assert_msg (map != NULL, "%s", err);
    ck_assert_int_eq ((int) inter_item_map_size (map), 2);
    FILE *report = tmpfile ();
    inter_import_options_t opts = {
        .format = HR_DATASET_CSV, .user_prefix = prefix, .item_map = map, .report = report,
    };
    inter_import_summary_t sum;
    ck_assert_int_eq (inter_import_file (s_pg, path, &opts, &sum), 0);
    ck_assert_int_eq (sum.read, 11);
    ck_assert_int_eq (sum.loaded, 5);
    ck_assert_int_eq (sum.rejected, 6);
    //  the report names each rejected line
    char all[4096];
    s_read_all (report, all, sizeof all);
    fclose (report);
    ck_assert_msg (s_reported (all, 7, "invalid user_id"), "%s", all);
    ck_assert_msg (s_reported (all, 8, "invalid product_id"), "%s", all);
    ck_assert_msg (s_reported (all, 9, "event_type"), "%s", all);
    ck_assert_msg (s_reported (all, 10, "query"), "%s", all);
    ck_assert_msg (s_reported (all, 11, "timestamp"), "%s", all);
    ck_assert_msg (s_reported (all, 12, "expected 4 fields"), "%s", all);
    ck_assert_msg (strstr (all, "{\"ts\":") == all, "JSON lines: %s", all);

    //  case kept; quoted comma and newline kept; mapped id used
    snprintf (user, sizeof user, "%sBob1", prefix);
    s_sql_text ("SELECT string_agg(coalesce(product_id, query), '|' ORDER BY ts)"
                "  FROM interactions WHERE user_id = $1", user, text, sizeof text);
    ck_assert_str_eq (text, "B08CF3D7QR|multi\nline query|red shoes, size 9|MAPPED0001");
    snprintf (user, sizeof user, "%sbob1", prefix);
    s_sql_text ("SELECT count(*)::text FROM interactions WHERE user_id = $1", user, text, sizeof text);
    ck_assert_str_eq (text, "1");
    inter_item_map_destroy (&map);
}
END_TEST

START_TEST (test_malformed_yoochoose_and_shift)
{
    char path[512], prefix[40], user[64], text[128];
    s_fixture (path, sizeof path, "yoochoose-bad.tsv");
    s_prefix (prefix, sizeof prefix, "b");
    inter_import_options_t opts = {
        .format = HR_DATASET_YOOCHOOSE, .user_prefix = prefix, .shift_to_now = true,
    };
    inter_import_summary_t sum;
    int64_t before = hr_now_ms ();
    ck_assert_int_eq (inter_import_file (s_pg, path, &opts, &sum), 0);
    ck_assert_int_eq (sum.read, 7);
    ck_assert_int_eq (sum.loaded, 2);
    ck_assert_int_eq (sum.rejected, 5);
    //  the newest event lands at "now", the spacing is kept
    ck_assert_int_ge (sum.max_ts_ms, before);
    ck_assert_int_le (sum.max_ts_ms, hr_now_ms ());
    ck_assert_int_eq (sum.max_ts_ms - sum.min_ts_ms, (1396438999000LL - 1396437466940LL));
    snprintf (user, sizeof user, "%s45", prefix);
    s_sql_text ("SELECT count(*)::text FROM interactions WHERE user_id = $1"
                " AND ts > now() - interval '1 minute'", user, text, sizeof text);
    ck_assert_str_eq (text, "1");
    //  --limit and --shift-ms
    s_prefix (prefix, sizeof prefix, "l");
    inter_import_options_t lim = {
        .format = HR_DATASET_YOOCHOOSE, .user_prefix = prefix, .limit = 1, .shift_ms = 1000,
    };
    ck_assert_int_eq (inter_import_file (s_pg, path, &lim, &sum), 0);
    ck_assert_int_eq (sum.read, 1);
    ck_assert_int_eq (sum.loaded, 1);
    ck_assert_int_eq (sum.min_ts_ms, 1396437467940LL);
}
END_TEST

START_TEST (test_cli_arguments)
{
    char *help[] = { "import-events", "--help", NULL };
    ck_assert_int_eq (interactions_cli_import_events (2, help), 0);
    char *nofmt[] = { "import-events", "x.csv", NULL };
    ck_assert_int_eq (interactions_cli_import_events (2, nofmt), 2);
    char *badfmt[] = { "import-events", "x.csv", "--format", "parquet", NULL };
    ck_assert_int_eq (interactions_cli_import_events (4, badfmt), 2);
    char *badlimit[] = { "import-events", "x.csv", "--format", "csv", "--limit", "ten", NULL };
    ck_assert_int_eq (interactions_cli_import_events (6, badlimit), 2);
    char *missing[] = { "import-events", "/nonexistent/file.csv", "--format", "csv", NULL };
    ck_assert_int_eq (interactions_cli_import_events (4, missing), 1);
    char path[512];
    s_fixture (path, sizeof path, "diginetica-head.csv");
    char prefix[40];
    s_prefix (prefix, sizeof prefix, "cli");
    char *ok[] = { "import-events", path, "--format", "diginetica", "--user-prefix", prefix, NULL };
    ck_assert_int_eq (interactions_cli_import_events (6, ok), 0);
}
END_TEST

//  A CSV of `rows` clicks on 2024-03-01 (one a second) by users
//  <prefix>0..99, with the given rows' timestamps replaced.
static void
s_write_clicks (const char *path, long rows, const long *bad_row, const char *const *bad_ts,
                int nbad)
{
    FILE *f = fopen (path, "w");
    ck_assert_ptr_nonnull (f);
    fputs ("user_id,event_type,value,timestamp\n", f);
    for (long r = 1; r <= rows; r++) {
        const char *ts = NULL;
        for (int b = 0; b < nbad; b++)
            if (bad_row[b] == r)
                ts = bad_ts[b];
        if (ts)
            fprintf (f, "u%ld,click,P%09ld,%s\n", r % 100, r % 1000, ts);
        else
            fprintf (f, "u%ld,click,P%09ld,%ld\n", r % 100, r % 1000, 1709251200L + r);
    }
    ck_assert_int_eq (fclose (f), 0);
}

static long
s_count_prefix (const char *prefix)
{
    char like[48];
    snprintf (like, sizeof like, "%s%%", prefix);
    return t_sql_long (s_pg, "SELECT count(*) FROM interactions WHERE user_id LIKE $1", like, NULL);
}

static void
s_forget_import (const char *prefix, const char *path)
{
    char like[48];
    snprintf (like, sizeof like, "%s%%", prefix);
    const char *p1[] = { like }, *p2[] = { path };
    PQclear (hr_pg_exec (s_pg, "DELETE FROM interactions WHERE user_id LIKE $1", 1, p1));
    PQclear (hr_pg_exec (s_pg, "DELETE FROM import_ledger WHERE file = $1", 1, p2));
}

//  Issue 17 item 7: Unix time 0, the year 0000 and junk in a later chunk
//  used to abort the import after the first chunk was committed, and the
//  re-run loaded that chunk again.  Now they are reported and skipped, and
//  a re-run (whole or after a partial run) never duplicates.
START_TEST (test_bad_rows_skipped_and_rerun_never_duplicates)
{
    char path[] = "/tmp/hr_import_XXXXXX", prefix[40];
    int fd = mkstemp (path);
    ck_assert_int_ge (fd, 0);
    close (fd);
    const long rows = 60000;
    const long bad_row[] = { 55000, 55001, 55002, 55003 };
    const char *const bad_ts[] = { "0", "0000-01-01", "junk", "2999-01-01T00:00:00Z" };
    s_write_clicks (path, rows, bad_row, bad_ts, 4);
    s_prefix (prefix, sizeof prefix, "r");
    FILE *report = tmpfile ();
    inter_import_options_t opts = { .format = HR_DATASET_CSV, .user_prefix = prefix, .report = report };
    inter_import_summary_t sum;

    //  a partial run first (as if it had stopped after its first rows)
    opts.limit = 30000;
    ck_assert_int_eq (inter_import_file (s_pg, path, &opts, &sum), 0);
    ck_assert_int_eq (sum.loaded, 30000);
    ck_assert_int_eq (s_count_prefix (prefix), 30000);

    //  the whole file: the rest loads, bad rows reported and skipped
    opts.limit = 0;
    ck_assert_int_eq (inter_import_file (s_pg, path, &opts, &sum), 0);
    ck_assert_int_eq (sum.read, rows);
    ck_assert_int_eq (sum.skipped, 30000);
    ck_assert_int_eq (sum.rejected, 4);
    ck_assert_int_eq (sum.loaded, rows - 30000 - 4);
    ck_assert_int_eq (s_count_prefix (prefix), rows - 4);
    char all[8192];
    s_read_all (report, all, sizeof all);
    ck_assert_msg (s_reported (all, 55001, "timestamp before 2000-01-01"), "%s", all);
    ck_assert_msg (s_reported (all, 55002, "timestamp before 2000-01-01"), "%s", all);
    ck_assert_msg (s_reported (all, 55003, "timestamp is neither"), "%s", all);
    ck_assert_msg (s_reported (all, 55004, "timestamp more than a day in the future"), "%s", all);
    ck_assert_msg (strstr (all, "import failed") == NULL, "%s", all);

    //  again: nothing new
    ck_assert_int_eq (inter_import_file (s_pg, path, &opts, &sum), 0);
    ck_assert_int_eq (sum.loaded, 0);
    ck_assert_int_eq (sum.skipped, rows);
    ck_assert_int_eq (s_count_prefix (prefix), rows - 4);

    //  the same file under another user prefix is another import
    char other[48];
    snprintf (other, sizeof other, "%sx", prefix);
    opts.user_prefix = other;
    ck_assert_int_eq (inter_import_file (s_pg, path, &opts, &sum), 0);
    ck_assert_int_eq (sum.loaded, rows - 4);
    fclose (report);
    s_forget_import (prefix, path);
    unlink (path);
}
END_TEST

//  A chunk whose events lie years apart (2001 and 2024) loads: partitions
//  are made for the days it has, not for every day between.
START_TEST (test_events_years_apart)
{
    char path[] = "/tmp/hr_import_XXXXXX", prefix[40];
    int fd = mkstemp (path);
    ck_assert_int_ge (fd, 0);
    close (fd);
    const long bad_row[] = { 2 };
    const char *const bad_ts[] = { "2001-02-03T04:05:06Z" };
    s_write_clicks (path, 3, bad_row, bad_ts, 1);
    s_prefix (prefix, sizeof prefix, "w");
    inter_import_options_t opts = { .format = HR_DATASET_CSV, .user_prefix = prefix };
    inter_import_summary_t sum;
    ck_assert_int_eq (inter_import_file (s_pg, path, &opts, &sum), 0);
    ck_assert_int_eq (sum.loaded, 3);
    ck_assert_int_eq (t_sql_long (s_pg, "SELECT count(*) FROM pg_class"
                                        " WHERE relname = 'interactions_p20010203'", NULL, NULL), 1);
    ck_assert_int_eq (t_sql_long (s_pg, "SELECT count(*) FROM pg_class"
                                        " WHERE relname = 'interactions_p20010204'", NULL, NULL), 0);
    s_forget_import (prefix, path);
    unlink (path);
}
END_TEST

//  The whole shared data sets: every row loads.
START_TEST (test_shared_data_sets)
{
    const char *data = getenv ("HR_SHARED_DATA");
    char path[3][512];
    snprintf (path[0], sizeof path[0], "%s/yoochoose-rsc15-100k/yoochoose-clicks-100k_train_full.txt", data ? data : "");
    snprintf (path[1], sizeof path[1], "%s/yoochoose-rsc15-100k/yoochoose-clicks-100k_test.txt", data ? data : "");
    snprintf (path[2], sizeof path[2], "%s/diginetica-sample/sample_train-item-views.csv", data ? data : "");
    struct stat st;
    if (!data || stat (path[0], &st) != 0 || stat (path[2], &st) != 0) {
        fprintf (stderr, "SKIP: shared data sets not found (HR_SHARED_DATA)\n");
        return;
    }
    char prefix[40];
    s_prefix (prefix, sizeof prefix, "full");
    const long expect[] = { 70278, 13568, 12391 };
    const hr_dataset_format_t fmt[] = { HR_DATASET_YOOCHOOSE, HR_DATASET_YOOCHOOSE, HR_DATASET_DIGINETICA };
    for (int i = 0; i < 3; i++) {
        inter_import_options_t opts = { .format = fmt[i], .user_prefix = prefix, .report = stderr };
        inter_import_summary_t sum;
        int64_t t0 = hr_now_ms ();
        ck_assert_int_eq (inter_import_file (s_pg, path[i], &opts, &sum), 0);
        fprintf (stderr, "%s: %ld loaded in %lld ms\n", path[i], sum.loaded,
                 (long long) (hr_now_ms () - t0));
        ck_assert_int_eq (sum.read, expect[i]);
        ck_assert_int_eq (sum.loaded, expect[i]);
        ck_assert_int_eq (sum.rejected, 0);
    }
    char like[48];
    snprintf (like, sizeof like, "%s%%", prefix);
    ck_assert_int_eq (t_sql_long (s_pg, "SELECT count(*) FROM interactions WHERE user_id LIKE $1",
                                  like, NULL), 70278 + 13568 + 12391);
    //  keep the shared database small
    for (int i = 0; i < 3; i++)
        s_forget_import (prefix, path[i]);
}
END_TEST

static void
s_setup (void)
{
    t_make_tag ();
    s_pg = test_pg_migrated ();
}

static void
s_teardown (void)
{
    hr_pg_destroy (&s_pg);
}

int
main (void)
{
    Suite *s = suite_create ("interactions_import");
    TCase *tc = tcase_create ("import");
    tcase_set_timeout (tc, 60);
    tcase_add_unchecked_fixture (tc, s_setup, s_teardown);
    tcase_add_test (tc, test_yoochoose_rows);
    tcase_add_test (tc, test_diginetica_rows);
    tcase_add_test (tc, test_csv_rows_and_rejects);
    tcase_add_test (tc, test_malformed_yoochoose_and_shift);
    tcase_add_test (tc, test_cli_arguments);
    tcase_add_test (tc, test_bad_rows_skipped_and_rerun_never_duplicates);
    tcase_add_test (tc, test_events_years_apart);
    tcase_add_test (tc, test_shared_data_sets);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
