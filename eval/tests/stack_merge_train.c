/*  `hybridrec train merge` against the test stack: with too little data
    (MERGE_MIN_PREDICTIONS above anything the stack holds) it exits 0 and
    publishes nothing, so the rank merge keeps serving; on a log whose next
    items collab knows it publishes a model no worse than the rank merge,
    and the next run compares with that model; --help and a bad option
    answer as every command does.                                          */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hr_cli.h"
#include "hr_merge_model.h"
#include "hr_model_store.h"
#include "hr_test.h"

START_TEST (test_too_little_data_publishes_nothing)
{
    hr_pg_t *pg = hr_pg_new (test_database_url (), 30000, 5000);
    ck_assert_ptr_nonnull (pg);
    ck_assert_int_ge (hr_migrate (pg), 0);
    int64_t before = hr_model_current (pg, NULL, HR_MODEL_MERGE);
    ck_assert_int_ge (before, 0);
    setenv ("MERGE_MIN_PREDICTIONS", "100000000", 1);
    char *argv[] = { "merge", NULL };
    ck_assert_int_eq (merge_cli_train (1, argv), 0);
    ck_assert_int_eq (hr_model_current (pg, NULL, HR_MODEL_MERGE), before);
    unsetenv ("MERGE_MIN_PREDICTIONS");
    hr_pg_destroy (&pg);
}
END_TEST

/*  Sessions newer than anything else in the stack's log (so they are the
    held-out tail): session i walks a cycle of 30 products from i % 30.    */
static void
s_insert_walks (hr_pg_t *pg, int sessions, int len)
{
    for (int i = 0; i < sessions; i++) {
        char user[32];
        snprintf (user, sizeof user, "mergewalk%d", i);
        for (int k = 0; k < len; k++) {
            char product[16], secs[16];
            snprintf (product, sizeof product, "MW%08d", (i + k) % 30);
            /*  an hour ahead, sessions a minute apart, clicks 5 s apart  */
            snprintf (secs, sizeof secs, "%d", 3600 + i * 60 + k * 5);
            const char *params[] = { user, product, secs };
            PGresult *r = hr_pg_exec (pg,
                "INSERT INTO interactions (user_id, event_type, product_id, ts)"
                " VALUES ($1, 1, $2, now() + make_interval(secs => $3::int))", 3, params);
            ck_assert_msg (r != NULL, "insert: %s", hr_pg_error (pg));
            PQclear (r);
        }
    }
}

/*  The newest merge version stored: a publish takes the next one, whatever
    is current (another suite may have rolled the merge back, and the test
    stack's database lives on between runs of one build).                 */
static int64_t
s_newest (hr_pg_t *pg)
{
    const char *params[] = { HR_MODEL_MERGE };
    PGresult *r = hr_pg_exec (pg, "SELECT coalesce(max(version), 0) FROM model_versions"
                                  " WHERE strategy = $1", 1, params);
    ck_assert_msg (r != NULL, "max(version): %s", hr_pg_error (pg));
    int64_t v = atoll (PQgetvalue (r, 0, 0));
    PQclear (r);
    return v;
}

START_TEST (test_publishes_when_not_worse)
{
    hr_pg_t *pg = hr_pg_new (test_database_url (), 30000, 5000);
    ck_assert_ptr_nonnull (pg);
    ck_assert_int_ge (hr_migrate (pg), 0);
    s_insert_walks (pg, 600, 6);
    int64_t before = s_newest (pg);
    ck_assert_int_ge (before, 0);
    setenv ("MERGE_MIN_PREDICTIONS", "100", 1);
    char *argv[] = { "merge", NULL };
    ck_assert_int_eq (merge_cli_train (1, argv), 0);
    int64_t first = hr_model_current (pg, NULL, HR_MODEL_MERGE);
    ck_assert_int_eq (first, before + 1);
    ck_assert_int_eq (s_newest (pg), first);
    char *info = hr_model_info_json (pg, HR_MODEL_MERGE);
    ck_assert_ptr_nonnull (info);
    ck_assert_ptr_nonnull (strstr (info, "\"hr20\":"));
    free (info);
    /*  the published blob is a model  */
    void *blob = NULL;
    size_t len = 0;
    ck_assert_int_eq (hr_model_fetch (pg, NULL, HR_MODEL_MERGE, first, &blob, &len), 0);
    char err[160];
    hr_merge_model_t *m = hr_merge_model_decode (blob, len, err, sizeof err);
    ck_assert_msg (m != NULL, "%s", err);
    ck_assert_int_ge (hr_merge_model_find (m, "collab"), 0);
    hr_merge_model_destroy (&m);
    free (blob);
    /*  the same data again: compared with the model just published (not the
        rank merge), equal is not worse  */
    ck_assert_int_eq (merge_cli_train (1, argv), 0);
    int64_t second = hr_model_current (pg, NULL, HR_MODEL_MERGE);
    info = hr_model_info_json (pg, HR_MODEL_MERGE);
    /*  on failure, what the first fit measured  */
    ck_assert_msg (second == first + 1, "version %lld after %lld; first fit: %s",
                   (long long) second, (long long) first, info ? info : "(none)");
    ck_assert_msg (strstr (info, "\"served\": \"merge\"") || strstr (info, "\"served\":\"merge\""), "%s", info);
    free (info);
    unsetenv ("MERGE_MIN_PREDICTIONS");
    PGresult *r = hr_pg_exec (pg, "DELETE FROM interactions WHERE user_id LIKE 'mergewalk%'", 0, NULL);
    ck_assert_ptr_nonnull (r);
    PQclear (r);
    hr_pg_destroy (&pg);
}
END_TEST

START_TEST (test_usage)
{
    char *help[] = { "merge", "--help", NULL };
    ck_assert_int_eq (merge_cli_train (2, help), 0);
    char *bad[] = { "merge", "--nope", NULL };
    ck_assert_int_eq (merge_cli_train (2, bad), 2);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("train merge");
    TCase *tc = tcase_create ("stack");
    tcase_set_timeout (tc, 120);
    tcase_add_test (tc, test_too_little_data_publishes_nothing);
    tcase_add_test (tc, test_publishes_when_not_worse);
    tcase_add_test (tc, test_usage);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
