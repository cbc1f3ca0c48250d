/*  `hybridrec eval` end to end on a tiny log: arguments, exit status.     */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hr_cli.h"

static char s_train[64], s_test[64];

static void
s_write (char *path, size_t cap, const char *text)
{
    snprintf (path, cap, "/tmp/eval_cli_XXXXXX");
    int fd = mkstemp (path);
    ck_assert_int_ge (fd, 0);
    ck_assert_int_eq ((int) write (fd, text, strlen (text)), (int) strlen (text));
    close (fd);
}

static void
s_setup (void)
{
    s_write (s_train, sizeof s_train, "SessionId\tItemId\tTime\n"
             "1\t11\t100\n1\t12\t101\n1\t13\t102\n2\t11\t200\n2\t12\t201\n"
             "3\t12\t300\n3\t13\t301\n4\t11\t400\n4\t13\t401\n");
    s_write (s_test, sizeof s_test, "SessionId\tItemId\tTime\n"
             "5\t11\t500\n5\t12\t501\n5\t13\t502\n");
}

static void
s_teardown (void)
{
    unlink (s_train);
    unlink (s_test);
}

static const char *s_train_type, *s_test_type;   /* --train-type, --test-type */

static int
s_eval (const char *weights1, const char *weights2)
{
    char *argv[20];
    int argc = 0;
    argv[argc++] = "eval";
    argv[argc++] = "--dataset";
    argv[argc++] = "yoochoose";
    argv[argc++] = "--train";
    argv[argc++] = s_train;
    argv[argc++] = "--test";
    argv[argc++] = s_test;
    argv[argc++] = "--strategies";
    argv[argc++] = "collab,hybrid";
    argv[argc++] = "--weights";
    argv[argc++] = (char *) weights1;
    if (weights2) {
        argv[argc++] = "--weights";
        argv[argc++] = (char *) weights2;
    }
    if (s_train_type) {
        argv[argc++] = "--train-type";
        argv[argc++] = (char *) s_train_type;
    }
    if (s_test_type) {
        argv[argc++] = "--test-type";
        argv[argc++] = (char *) s_test_type;
    }
    argv[argc] = NULL;
    fflush (stdout);
    return eval_cli_run (argc, argv);
}

START_TEST (runs_on_a_tiny_log)
{
    ck_assert_int_eq (s_eval ("collab=1", NULL), 0);
    ck_assert_int_eq (s_eval ("collab=1,nosuch=2", NULL), 2);
}
END_TEST

//  Issue 19: the event types of the train and test events (weights as
//  served); a search or an unknown type is refused.
START_TEST (event_types)
{
    s_train_type = "purchase";
    s_test_type = "add_to_cart";
    ck_assert_int_eq (s_eval ("collab=1,trending=1", NULL), 0);
    s_test_type = "search_query";
    ck_assert_int_eq (s_eval ("collab=1", NULL), 2);
    s_test_type = "click";
    s_train_type = "teleport";
    ck_assert_int_eq (s_eval ("collab=1", NULL), 2);
    s_train_type = s_test_type = NULL;
}
END_TEST

//  Issue 17 item 10: the --weights lists were concatenated into a 1 KiB
//  buffer; a first list of 1022+ bytes made the second strncat overflow it.
START_TEST (long_weights_lists)
{
    char *w = malloc (4096);
    ck_assert_ptr_nonnull (w);
    strcpy (w, "collab=1.");
    memset (w + 9, '0', 3000);
    w[3009] = '\0';
    ck_assert_int_eq (s_eval (w, "collab=0.5"), 0);
    ck_assert_int_eq (s_eval (w, w), 0);
    free (w);
}
END_TEST

/*  Issue 15: the learned hybrids (the calibrated merge and the
    learning-to-rank stage) with a content source built from --catalog,
    fitted on the newest tenth of a generated log; a catalog that cannot be
    read fails the run.                                                    */
static void
s_write_big (char *train, char *test, char *catalog, size_t cap)
{
    size_t tcap = 1 << 16;
    char *t = malloc (tcap), *u = malloc (tcap), *c = malloc (tcap);
    ck_assert (t && u && c);
    size_t tn = (size_t) snprintf (t, tcap, "SessionId\tItemId\tTime\n");
    size_t un = (size_t) snprintf (u, tcap, "SessionId\tItemId\tTime\n");
    for (int s = 0; s < 400; s++) {
        int a = s % 20;
        char *buf = s < 360 ? t : u;
        size_t *n = s < 360 ? &tn : &un;
        for (int k = 0; k < 4; k++)
            *n += (size_t) snprintf (buf + *n, tcap - *n, "%d\tP%09d\t%d\n", s + 1,
                                     (a + k * (1 + s % 3)) % 24, 1000 + s * 100 + k);
    }
    size_t cn = (size_t) snprintf (c, tcap, "id,name,main_category,sub_category,image,link,"
                                   "ratings,no_of_ratings,discount_price,actual_price,discount_ratio\n");
    static const char *const words[] = { "red", "blue", "green", "mug", "lamp", "shirt" };
    for (int i = 0; i < 24; i++)
        cn += (size_t) snprintf (c + cn, tcap - cn, "P%09d,%s %s cotton %d,Home,Kitchen,,,,,1,1,\n",
                                 i, words[i % 6], words[(i / 6) % 6], i % 4);
    s_write (train, cap, t);
    s_write (test, cap, u);
    s_write (catalog, cap, c);
    free (t);
    free (u);
    free (c);
}

START_TEST (learned_hybrids_with_a_catalog)
{
    char train[64], test[64], catalog[64];
    s_write_big (train, test, catalog, sizeof train);
    char *argv[] = { "eval", "--dataset", "yoochoose", "--train", train, "--test", test,
                     "--catalog", catalog, "--strategies",
                     "collab_live,content,hybrid_learned,hybrid_ltr", NULL };
    fflush (stdout);
    ck_assert_int_eq (eval_cli_run (11, argv), 0);
    argv[8] = "/nonexistent/catalog.csv";
    ck_assert_int_eq (eval_cli_run (11, argv), 1);
    unlink (train);
    unlink (test);
    unlink (catalog);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("eval_cli");
    TCase *tc = tcase_create ("cli");
    tcase_add_checked_fixture (tc, s_setup, s_teardown);
    tcase_set_timeout (tc, 600);
    tcase_add_test (tc, runs_on_a_tiny_log);
    tcase_add_test (tc, long_weights_lists);
    tcase_add_test (tc, event_types);
    tcase_add_test (tc, learned_hybrids_with_a_catalog);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
