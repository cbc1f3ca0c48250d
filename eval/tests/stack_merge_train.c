/*  `hybridrec train merge` against the test stack: with too little data
    (MERGE_MIN_PREDICTIONS above anything the stack holds) it exits 0 and
    publishes nothing, so the rank merge keeps serving; --help and a bad
    option answer as every command does.                                   */
#include <check.h>
#include <stdlib.h>
#include "hr_cli.h"
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
    tcase_add_test (tc, test_usage);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
