/*  `hybridrec mine-rules` (rules_cli_mine): the Groceries counts through the
    CLI, the --out CSV, and bad arguments.  Runs the built bin/hybridrec as
    well when it exists.                                                   */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hr_cli.h"

static char groceries[4096];

static bool have_groceries (void)
{
    const char *dir = getenv ("HR_SHARED_DATA");
    snprintf (groceries, sizeof groceries, "%s/groceries/groceries.csv",
              dir ? dir : "../shared/data");
    if (access (groceries, R_OK) == 0)
        return true;
    printf ("SKIP: %s not found (shared data absent)\n", groceries);
    return false;
}

/*  Runs rules_cli_mine with stdout captured into *out (malloc'd).         */
static int run_mine (char **out, int argc, char **argv)
{
    fflush (stdout);
    FILE *tmp = tmpfile ();
    ck_assert_ptr_nonnull (tmp);
    int saved = dup (STDOUT_FILENO);
    dup2 (fileno (tmp), STDOUT_FILENO);
    int rc = rules_cli_mine (argc, argv);
    fflush (stdout);
    dup2 (saved, STDOUT_FILENO);
    close (saved);
    long len = ftell (tmp) >= 0 ? lseek (fileno (tmp), 0, SEEK_END) : 0;
    *out = calloc (1, (size_t) len + 1);
    pread (fileno (tmp), *out, (size_t) len, 0);
    fclose (tmp);
    return rc;
}

static long count_after (const char *text, const char *label)
{
    const char *p = strstr (text, label);
    ck_assert_msg (p != NULL, "no '%s' in output:\n%s", label, text);
    return strtol (p + strlen (label), NULL, 10);
}

START_TEST (groceries_counts_through_the_cli)
{
    if (!have_groceries ())
        return;
    static const struct { const char *s, *c; long itemsets, rules; } want[] = {
        { "0.001", "0.6", 13492, 2918 },
        { "0.01", "0.5", 333, 15 },
        { "0.02", "0.5", 122, -1 },
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        char *argv[] = { "mine-rules", "--baskets", groceries, "--min-support", (char *) want[i].s,
                         "--min-confidence", (char *) want[i].c, "--max-len", "10", NULL };
        char *out;
        ck_assert_int_eq (run_mine (&out, 9, argv), 0);
        ck_assert_int_eq (count_after (out, "baskets: "), 9835);
        ck_assert_int_eq (count_after (out, "frequent itemsets: "), want[i].itemsets);
        if (want[i].rules >= 0)
            ck_assert_int_eq (count_after (out, "rules: "), want[i].rules);
        free (out);
    }
}
END_TEST

START_TEST (writes_rules_csv)
{
    if (!have_groceries ())
        return;
    char path[] = "/tmp/hr_rules_csv_XXXXXX";
    int fd = mkstemp (path);
    ck_assert_int_ge (fd, 0);
    close (fd);
    char *argv[] = { "mine-rules", "--baskets", groceries, "--min-support", "0.001",
                     "--min-confidence", "0.8", "--out", path, NULL };
    char *out;
    ck_assert_int_eq (run_mine (&out, 9, argv), 0);
    ck_assert_int_eq (count_after (out, "rules: "), 410);
    free (out);
    FILE *f = fopen (path, "r");
    char line[1024];
    int lines = 0;
    bool saw_milk = false;
    ck_assert_ptr_nonnull (fgets (line, sizeof line, f));
    ck_assert_str_eq (line, "antecedent,consequent,count,support,confidence,lift,leverage,conviction\n");
    while (fgets (line, sizeof line, f)) {
        lines++;
        saw_milk |= strstr (line, ",whole milk,") != NULL;
    }
    fclose (f);
    unlink (path);
    ck_assert_int_eq (lines, 410);
    ck_assert (saw_milk);
}
END_TEST

START_TEST (bad_arguments)
{
    char *out;
    char *a1[] = { "mine-rules", "--min-support", "0.1", "--min-confidence", "0.5", NULL };
    ck_assert_int_eq (run_mine (&out, 5, a1), 2);                 /* no --baskets */
    free (out);
    char *a2[] = { "mine-rules", "--baskets", "/nonexistent", "--min-support", "abc",
                   "--min-confidence", "0.5", NULL };
    ck_assert_int_eq (run_mine (&out, 7, a2), 2);
    free (out);
    char *a3[] = { "mine-rules", "--baskets", "/nonexistent", "--min-support", "0.1",
                   "--min-confidence", "1.5", NULL };
    ck_assert_int_eq (run_mine (&out, 7, a3), 2);
    free (out);
    char *a4[] = { "mine-rules", "--baskets", "/nonexistent/file", "--min-support", "0.1",
                   "--min-confidence", "0.5", NULL };
    ck_assert_int_eq (run_mine (&out, 7, a4), 1);                 /* cannot open */
    free (out);
    char *a5[] = { "mine-rules", "--bogus", NULL };
    ck_assert_int_eq (run_mine (&out, 2, a5), 2);
    free (out);
    char *a6[] = { "mine-rules", "--baskets", NULL };
    ck_assert_int_eq (run_mine (&out, 2, a6), 2);                 /* missing value */
    free (out);
    char *a7[] = { "mine-rules", "--help", NULL };
    ck_assert_int_eq (run_mine (&out, 2, a7), 0);
    ck_assert_ptr_nonnull (strstr (out, "usage: hybridrec mine-rules"));
    free (out);
}
END_TEST

/*  The real binary, when the CLI has been built in this tree.             */
START_TEST (built_binary)
{
    if (!have_groceries ())
        return;
    const char *bin = getenv ("HR_BINARY_DIR");
    char exe[4096], cmd[9000];
    snprintf (exe, sizeof exe, "%s/bin/hybridrec", bin ? bin : ".");
    if (access (exe, X_OK) != 0) {
        printf ("SKIP: %s not built\n", exe);
        return;
    }
    snprintf (cmd, sizeof cmd, "'%s' mine-rules --baskets '%s' --min-support 0.001 --min-confidence 0.6",
              exe, groceries);
    FILE *p = popen (cmd, "r");
    char buf[8192] = "";
    size_t n = fread (buf, 1, sizeof buf - 1, p);
    buf[n] = '\0';
    ck_assert_int_eq (pclose (p), 0);
    ck_assert_int_eq (count_after (buf, "frequent itemsets: "), 13492);
    ck_assert_int_eq (count_after (buf, "rules: "), 2918);
}
END_TEST

int main (void)
{
    Suite *s = suite_create ("rules_cli");
    TCase *tc = tcase_create ("mine-rules");
    tcase_set_timeout (tc, 120);
    tcase_add_test (tc, groceries_counts_through_the_cli);
    tcase_add_test (tc, writes_rules_csv);
    tcase_add_test (tc, bad_arguments);
    tcase_add_test (tc, built_binary);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
