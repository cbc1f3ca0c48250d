/*  migrate-seed-tables: the original design's per-user tables, created
    with its own DDL, imported into ours once.                             */
#include "test_env.h"
#include "seed.h"

static hr_pg_t *s_pg;

static void
s_exec (const char *sql)
{
    ck_assert_msg (hr_pg_exec_simple (s_pg, sql) == 0, "%s: %s", sql, hr_pg_error (s_pg));
}

START_TEST (test_legacy_tables_imported_once)
{
    //  A clean slate of legacy tables (names are what the old code made)
    s_exec ("DROP TABLE IF EXISTS bob1_interactions, alice_interactions, \"Weird-Name_interactions\","
            " notes_interactions");
    s_exec ("DELETE FROM interactions_seed_migrated");
    s_exec ("DELETE FROM interactions WHERE user_id IN ('bob1', 'alice')");
    //  The original DDL, with the user id pasted unquoted: Bob1 -> bob1
    s_exec ("CREATE TABLE IF NOT EXISTS Bob1_interactions (event_type TEXT NOT NULL,"
            " product_id VARCHAR(10), query TEXT, timestamp TIMESTAMP NOT NULL DEFAULT NOW())");
    s_exec ("CREATE TABLE IF NOT EXISTS alice_interactions (event_type TEXT NOT NULL,"
            " product_id VARCHAR(10), query TEXT, timestamp TIMESTAMP NOT NULL DEFAULT NOW())");
    //  not an importable user id / not the legacy layout: both left alone
    s_exec ("CREATE TABLE \"Weird-Name_interactions\" (event_type TEXT, product_id VARCHAR(10),"
            " query TEXT, timestamp TIMESTAMP)");
    s_exec ("CREATE TABLE notes_interactions (note text)");
    s_exec ("INSERT INTO Bob1_interactions (event_type, product_id, timestamp) VALUES"
            " ('product_click', 'B08CF3D7QR', '2024-03-01 10:00:00'),"
            " ('product_click', 'bad', '2024-03-01 10:01:00')");
    s_exec ("INSERT INTO Bob1_interactions (event_type, query, timestamp) VALUES"
            " ('search_query', '  red shoes ', '2024-03-01 10:02:00'),"
            " ('search_query', '   ', '2024-03-01 10:03:00'),"
            " ('purchase', NULL, '2024-03-01 10:04:00')");
    s_exec ("INSERT INTO alice_interactions (event_type, product_id) VALUES ('product_click', 'ABCD1234XY')");

    inter_seed_summary_t sum;
    ck_assert_int_eq (inter_seed_migrate (s_pg, stderr, &sum), 0);
    ck_assert_int_eq (sum.tables_found, 3);       // bob1, alice, Weird-Name
    ck_assert_int_eq (sum.tables_migrated, 2);
    ck_assert_int_eq (sum.tables_skipped, 1);
    ck_assert_int_eq (sum.rows_read, 6);
    ck_assert_int_eq (sum.rows_loaded, 3);

    //  lower-cased id; timestamp without time zone read as UTC; query trimmed
    PGresult *res = hr_pg_exec (s_pg,
        "SELECT event_type, coalesce(product_id, query),"
        "       to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
        "  FROM interactions WHERE user_id = 'bob1' ORDER BY ts", 0, NULL);
    ck_assert_ptr_nonnull (res);
    ck_assert_int_eq (PQntuples (res), 2);
    ck_assert_str_eq (PQgetvalue (res, 0, 1), "B08CF3D7QR");
    ck_assert_str_eq (PQgetvalue (res, 0, 2), "2024-03-01 10:00:00");
    ck_assert_str_eq (PQgetvalue (res, 1, 0), "2");
    ck_assert_str_eq (PQgetvalue (res, 1, 1), "red shoes");
    PQclear (res);
    ck_assert_int_eq (t_sql_long (s_pg, "SELECT count(*) FROM interactions WHERE user_id = 'Bob1'",
                                  NULL, NULL), 0);

    //  Idempotent: a second run skips both
    ck_assert_int_eq (inter_seed_migrate (s_pg, stderr, &sum), 0);
    ck_assert_int_eq (sum.tables_migrated, 0);
    ck_assert_int_eq (sum.tables_skipped, 3);
    ck_assert_int_eq (t_sql_long (s_pg, "SELECT count(*) FROM interactions"
                                        " WHERE user_id IN ('bob1', 'alice')", NULL, NULL), 3);
    s_exec ("DROP TABLE bob1_interactions, alice_interactions, \"Weird-Name_interactions\","
            " notes_interactions");
}
END_TEST

static void
s_setup (void)
{
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
    Suite *s = suite_create ("interactions_seed");
    TCase *tc = tcase_create ("seed");
    tcase_add_unchecked_fixture (tc, s_setup, s_teardown);
    tcase_add_test (tc, test_legacy_tables_imported_once);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
