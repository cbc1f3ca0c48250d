/*  hr_migrate against a real PostgreSQL: applies once, then nothing.       */
#include "hr_migrate.h"
#include "hr_test.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static void
s_count (const char *name, void *arg)
{
    ck_assert_ptr_nonnull (name);
    (*(int *) arg)++;
}

START_TEST (test_idempotent)
{
    hr_pg_t *pg = hr_pg_new (test_database_url (), 60000, 5000);
    ck_assert_ptr_nonnull (pg);
    ck_assert_int_ge (hr_migrate_count (), 1);
    ck_assert_str_eq (hr_migrate_name (0), "001_core.sql");
    int first = hr_migrate (pg);
    ck_assert_int_ge (first, 0);
    int reported = 0;
    ck_assert_int_eq (hr_migrate_report (pg, s_count, &reported), 0);
    ck_assert_int_eq (reported, 0);

    //  Every embedded migration is recorded, and the core tables exist
    PGresult *res = hr_pg_exec (pg, "SELECT count(*) FROM schema_migrations", 0, NULL);
    ck_assert_ptr_nonnull (res);
    ck_assert_int_ge (atoi (PQgetvalue (res, 0, 0)), hr_migrate_count ());
    PQclear (res);
    res = hr_pg_exec (pg, "SELECT to_regclass('products') IS NOT NULL, to_regclass('model_blobs') IS NOT NULL,"
                          " (SELECT count(*) FROM meta WHERE key = 'catalog_version')", 0, NULL);
    ck_assert_ptr_nonnull (res);
    ck_assert_str_eq (PQgetvalue (res, 0, 0), "t");
    ck_assert_str_eq (PQgetvalue (res, 0, 1), "t");
    ck_assert_str_eq (PQgetvalue (res, 0, 2), "1");
    PQclear (res);
    //  The advisory lock was released: another session can take it at once
    res = hr_pg_exec (pg, "SELECT pg_try_advisory_lock(1752329575)", 0, NULL);
    ck_assert_ptr_nonnull (res);
    ck_assert_str_eq (PQgetvalue (res, 0, 0), "t");
    PQclear (res);
    hr_pg_destroy (&pg);
}
END_TEST

START_TEST (test_second_session_applies_nothing)
{
    //  A second session finds everything applied; nothing is recorded twice
    hr_pg_t *a = hr_pg_new (test_database_url (), 60000, 5000);
    hr_pg_t *b = hr_pg_new (test_database_url (), 60000, 5000);
    ck_assert_ptr_nonnull (a);
    ck_assert_ptr_nonnull (b);
    ck_assert_int_ge (hr_migrate (a), 0);
    ck_assert_int_eq (hr_migrate (b), 0);
    PGresult *res = hr_pg_exec (a, "SELECT count(*) = count(DISTINCT name) FROM schema_migrations", 0, NULL);
    ck_assert_ptr_nonnull (res);
    ck_assert_str_eq (PQgetvalue (res, 0, 0), "t");
    PQclear (res);
    hr_pg_destroy (&a);
    hr_pg_destroy (&b);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_migrate");
    TCase *tc = tcase_create ("migrate");
    tcase_set_timeout (tc, 60);
    tcase_add_test (tc, test_idempotent);
    tcase_add_test (tc, test_second_session_applies_nothing);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
