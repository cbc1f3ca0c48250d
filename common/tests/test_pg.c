/*  hr_pg against a real PostgreSQL: parameters, reconnects, timeouts, COPY. */
#include "hr_pg.h"
#include "hr_test.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static hr_pg_t *
s_connect (int statement_timeout_ms)
{
    hr_pg_t *pg = hr_pg_new (test_database_url (), statement_timeout_ms, 5000);
    ck_assert_ptr_nonnull (pg);
    return pg;
}

static long
s_backend_pid (hr_pg_t *pg)
{
    PGresult *res = hr_pg_exec (pg, "SELECT pg_backend_pid()", 0, NULL);
    ck_assert_ptr_nonnull (res);
    long pid = atol (PQgetvalue (res, 0, 0));
    PQclear (res);
    return pid;
}

//  Kills pid from another session and waits until it is really gone.
static void
s_terminate (long pid)
{
    hr_pg_t *admin = s_connect (5000);
    char text[32];
    snprintf (text, sizeof text, "%ld", pid);
    const char *params[] = { text };
    PGresult *res = hr_pg_exec (admin, "SELECT pg_terminate_backend($1::int)", 1, params);
    ck_assert_ptr_nonnull (res);
    ck_assert_str_eq (PQgetvalue (res, 0, 0), "t");
    PQclear (res);
    for (int i = 0; i < 100; i++) {
        res = hr_pg_exec (admin, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int", 1, params);
        ck_assert_ptr_nonnull (res);
        bool gone = strcmp (PQgetvalue (res, 0, 0), "0") == 0;
        PQclear (res);
        if (gone)
            break;
        test_sleep_ms (20);
    }
    hr_pg_destroy (&admin);
}

START_TEST (test_parameters_round_trip)
{
    hr_pg_t *pg = s_connect (5000);
    const char *params[] = { "Robert'); DROP TABLE students;--", NULL };
    PGresult *res = hr_pg_exec (pg, "SELECT $1::text, $2::text IS NULL", 2, params);
    ck_assert_ptr_nonnull (res);
    ck_assert_str_eq (PQgetvalue (res, 0, 0), params[0]);
    ck_assert_str_eq (PQgetvalue (res, 0, 1), "t");
    PQclear (res);

    //  Errors come back as NULL with a message, and are not connection errors
    res = hr_pg_exec (pg, "SELECT * FROM no_such_table_here", 0, NULL);
    ck_assert_ptr_null (res);
    ck_assert_ptr_nonnull (strstr (hr_pg_error (pg), "no_such_table_here"));
    ck_assert (!hr_pg_last_was_connection_error (pg));
    ck_assert_int_eq (hr_pg_exec_simple (pg, "SELECT 1; SELECT 2"), 0);
    hr_pg_destroy (&pg);
    ck_assert_ptr_null (pg);
}
END_TEST

START_TEST (test_binary_parameter)
{
    hr_pg_t *pg = s_connect (5000);
    const char blob[] = { 0, 1, 2, (char) 0xff, 0, 'x' };
    const char *values[] = { blob };
    int lengths[] = { sizeof blob };
    int formats[] = { 1 };
    PGresult *res = hr_pg_exec_ex (pg, "SELECT $1::bytea, length($1::bytea)", 1, values, lengths, formats, 1);
    ck_assert_ptr_nonnull (res);
    ck_assert_int_eq (PQgetlength (res, 0, 0), sizeof blob);
    ck_assert_mem_eq (PQgetvalue (res, 0, 0), blob, sizeof blob);
    PQclear (res);
    hr_pg_destroy (&pg);
}
END_TEST

START_TEST (test_reconnect_after_terminate)
{
    hr_pg_t *pg = s_connect (5000);
    long before = s_backend_pid (pg);
    s_terminate (before);
    //  The loss is noticed before sending, so this statement still succeeds
    long after = s_backend_pid (pg);
    ck_assert_int_ne (before, after);
    ck_assert (!hr_pg_last_was_connection_error (pg));
    ck_assert_ptr_nonnull (hr_pg_conn (pg));
    hr_pg_destroy (&pg);
}
END_TEST

START_TEST (test_connection_lost_inside_transaction_fails)
{
    hr_pg_t *pg = s_connect (5000);
    ck_assert_int_eq (hr_pg_exec_simple (pg, "BEGIN"), 0);
    s_terminate (s_backend_pid (pg));
    //  Retrying would silently run outside the lost transaction
    PGresult *res = hr_pg_exec (pg, "SELECT 1", 0, NULL);
    ck_assert_ptr_null (res);
    ck_assert (hr_pg_last_was_connection_error (pg));
    res = hr_pg_exec (pg, "SELECT 1", 0, NULL);
    ck_assert_ptr_nonnull (res);
    PQclear (res);
    hr_pg_destroy (&pg);
}
END_TEST

START_TEST (test_statement_timeout_fires)
{
    hr_pg_t *pg = s_connect (200);
    PGresult *res = hr_pg_exec (pg, "SELECT pg_sleep(5)", 0, NULL);
    ck_assert_ptr_null (res);
    ck_assert_msg (strstr (hr_pg_error (pg), "statement timeout"), "error: %s", hr_pg_error (pg));
    ck_assert (!hr_pg_last_was_connection_error (pg));
    //  ...and survives a reconnect
    s_terminate (s_backend_pid (pg));
    res = hr_pg_exec (pg, "SHOW statement_timeout", 0, NULL);
    ck_assert_ptr_nonnull (res);
    ck_assert_str_eq (PQgetvalue (res, 0, 0), "200ms");
    PQclear (res);
    hr_pg_destroy (&pg);
}
END_TEST

START_TEST (test_unreachable_server)
{
    long long t0 = test_mono_ms ();
    hr_pg_t *pg = hr_pg_new ("postgresql://hybridrec@127.0.0.1:1/nothing", 1000, 400);
    long long waited = test_mono_ms () - t0;
    ck_assert_ptr_null (pg);
    //  It kept retrying for the whole wait, not just once
    ck_assert_int_ge (waited, 350);
    pg = hr_pg_new ("postgresql://hybridrec@127.0.0.1:1/nothing", 1000, 0);
    ck_assert_ptr_null (pg);
}
END_TEST

START_TEST (test_copy_in)
{
    hr_pg_t *pg = s_connect (5000);
    ck_assert_int_eq (hr_pg_exec_simple (pg, "CREATE TEMP TABLE t_copy (a int, b text)"), 0);
    ck_assert_int_eq (hr_pg_copy_begin (pg, "COPY t_copy (a, b) FROM STDIN"), 0);
    const char *rows = "1\tone\n2\t\\N\n3\tthree, with comma\n";
    ck_assert_int_eq (hr_pg_copy_put (pg, rows, strlen (rows)), 0);
    ck_assert_int_eq (hr_pg_copy_end (pg, NULL), 0);
    PGresult *res = hr_pg_exec (pg, "SELECT count(*), count(b), max(b) FROM t_copy", 0, NULL);
    ck_assert_ptr_nonnull (res);
    ck_assert_str_eq (PQgetvalue (res, 0, 0), "3");
    ck_assert_str_eq (PQgetvalue (res, 0, 1), "2");
    ck_assert_str_eq (PQgetvalue (res, 0, 2), "three, with comma");
    PQclear (res);

    //  A bad row fails the COPY, and the connection stays usable
    ck_assert_int_eq (hr_pg_copy_begin (pg, "COPY t_copy (a, b) FROM STDIN"), 0);
    ck_assert_int_eq (hr_pg_copy_put (pg, "x\ty\n", 4), 0);
    ck_assert_int_eq (hr_pg_copy_end (pg, NULL), -1);
    ck_assert (!hr_pg_last_was_connection_error (pg));
    //  An aborted COPY loads nothing
    ck_assert_int_eq (hr_pg_copy_begin (pg, "COPY t_copy (a, b) FROM STDIN"), 0);
    ck_assert_int_eq (hr_pg_copy_put (pg, "4\tfour\n", 7), 0);
    ck_assert_int_eq (hr_pg_copy_end (pg, "changed my mind"), -1);
    res = hr_pg_exec (pg, "SELECT count(*) FROM t_copy", 0, NULL);
    ck_assert_ptr_nonnull (res);
    ck_assert_str_eq (PQgetvalue (res, 0, 0), "3");
    PQclear (res);
    //  COPY through hr_pg_exec is refused cleanly
    ck_assert_ptr_null (hr_pg_exec (pg, "COPY t_copy FROM STDIN", 0, NULL));
    res = hr_pg_exec (pg, "SELECT 1", 0, NULL);
    ck_assert_ptr_nonnull (res);
    PQclear (res);
    hr_pg_destroy (&pg);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_pg");
    TCase *tc = tcase_create ("pg");
    tcase_set_timeout (tc, 30);
    tcase_add_test (tc, test_parameters_round_trip);
    tcase_add_test (tc, test_binary_parameter);
    tcase_add_test (tc, test_reconnect_after_terminate);
    tcase_add_test (tc, test_connection_lost_inside_transaction_fails);
    tcase_add_test (tc, test_statement_timeout_fires);
    tcase_add_test (tc, test_unreachable_server);
    tcase_add_test (tc, test_copy_in);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
