/*  hr_config: defaults, errors that name the variable, bounds, --help.     */
#include "hr_config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static const hr_config_var_t s_local[] = {
    { "T_RATIO", HR_CFG_DOUBLE, "0.5", "a ratio", 0, 1 },
    { "T_FLAG", HR_CFG_BOOL, "false", "a flag", 0, 0 },
    { "T_ANY", HR_CFG_INT, "-7", "unbounded", 0, 0 },
    { "T_NEEDED", HR_CFG_STR, NULL, "must be given", 0, 0 },
    //  a service re-declaring a common variable: the first one wins
    { "HR_WORKER_THREADS", HR_CFG_INT, "9", "duplicate", 1, 9 },
    { NULL, 0, NULL, NULL, 0, 0 },
};
static const hr_config_var_t *const s_tables[] = { hr_config_common, s_local, NULL };

static hr_config_t *
s_config (void)
{
    hr_config_t *cfg = hr_config_new ("test-svc", s_tables);
    ck_assert_ptr_nonnull (cfg);
    ck_assert_int_eq (hr_config_set (cfg, "T_NEEDED", "here"), 0);
    return cfg;
}

START_TEST (test_defaults)
{
    hr_config_t *cfg = s_config ();
    char err[256];
    ck_assert_int_eq (hr_config_load (cfg, err, sizeof err), 0);
    ck_assert_str_eq (hr_config_str (cfg, "DATABASE_URL"),
                      "postgresql://hybridrec@127.0.0.1:55432/hybridrec");
    ck_assert_str_eq (hr_config_str (cfg, "REDIS_URL"), "redis://127.0.0.1:56379/0");
    ck_assert_str_eq (hr_config_str (cfg, "HR_BROKER_ENDPOINT"), "tcp://127.0.0.1:5555");
    ck_assert_str_eq (hr_config_str (cfg, "HR_LOG_LEVEL"), "info");
    ck_assert_int_eq (hr_config_int (cfg, "HR_METRICS_PORT"), 0);
    ck_assert_int_eq (hr_config_int (cfg, "HR_WORKER_THREADS"), 2);
    ck_assert_int_eq (hr_config_int (cfg, "HR_PG_STATEMENT_TIMEOUT_MS"), 2000);
    ck_assert_int_eq (hr_config_int (cfg, "HR_PG_CONNECT_WAIT_MS"), 30000);
    ck_assert_int_eq (hr_config_int (cfg, "HR_REDIS_TIMEOUT_MS"), 200);
    ck_assert_double_eq (hr_config_double (cfg, "T_RATIO"), 0.5);
    ck_assert (!hr_config_bool (cfg, "T_FLAG"));
    ck_assert_int_eq (hr_config_int (cfg, "T_ANY"), -7);
    ck_assert_str_eq (hr_config_str (cfg, "T_NEEDED"), "here");
    hr_config_destroy (&cfg);
    ck_assert_ptr_null (cfg);
}
END_TEST

START_TEST (test_environment_and_overrides)
{
    setenv ("HR_WORKER_THREADS", "64", 1);
    setenv ("HR_METRICS_PORT", "65535", 1);
    setenv ("T_RATIO", "1", 1);
    setenv ("HR_LOG_LEVEL", "debug", 1);
    setenv ("REDIS_URL", "", 1);          //  empty = unset: the default
    hr_config_t *cfg = s_config ();
    char err[256];
    ck_assert_int_eq (hr_config_load (cfg, err, sizeof err), 0);
    ck_assert_int_eq (hr_config_int (cfg, "HR_WORKER_THREADS"), 64);
    ck_assert_int_eq (hr_config_int (cfg, "HR_METRICS_PORT"), 65535);
    ck_assert_double_eq (hr_config_double (cfg, "T_RATIO"), 1.0);
    ck_assert_str_eq (hr_config_str (cfg, "HR_LOG_LEVEL"), "debug");
    ck_assert_str_eq (hr_config_str (cfg, "REDIS_URL"), "redis://127.0.0.1:56379/0");
    //  an override beats the environment, from the next load on
    ck_assert_int_eq (hr_config_set (cfg, "HR_WORKER_THREADS", "3"), 0);
    ck_assert_int_eq (hr_config_int (cfg, "HR_WORKER_THREADS"), 64);
    ck_assert_int_eq (hr_config_load (cfg, err, sizeof err), 0);
    ck_assert_int_eq (hr_config_int (cfg, "HR_WORKER_THREADS"), 3);
    ck_assert_int_eq (hr_config_set (cfg, "NO_SUCH_VARIABLE", "1"), -1);
    hr_config_destroy (&cfg);
}
END_TEST

//  Loads with NAME=value in the environment; returns the error text ("" on
//  success).
static const char *
s_load_with (const char *name, const char *value)
{
    static char err[256];
    setenv (name, value, 1);
    hr_config_t *cfg = s_config ();
    int rc = hr_config_load (cfg, err, sizeof err);
    hr_config_destroy (&cfg);
    unsetenv (name);
    ck_assert_int_eq (rc, err[0] ? -1 : 0);
    return err;
}

START_TEST (test_errors_name_the_variable)
{
    ck_assert_str_eq (s_load_with ("HR_WORKER_THREADS", "abc"),
                      "HR_WORKER_THREADS: must be an integer in 1..512 (got 'abc')");
    ck_assert_str_eq (s_load_with ("HR_WORKER_THREADS", "0"),
                      "HR_WORKER_THREADS: must be an integer in 1..512 (got '0')");
    ck_assert_str_eq (s_load_with ("HR_WORKER_THREADS", "513"),
                      "HR_WORKER_THREADS: must be an integer in 1..512 (got '513')");
    ck_assert_str_eq (s_load_with ("HR_WORKER_THREADS", "1"), "");
    ck_assert_str_eq (s_load_with ("HR_WORKER_THREADS", " 4"),
                      "HR_WORKER_THREADS: must be an integer in 1..512 (got ' 4')");
    ck_assert_str_eq (s_load_with ("HR_WORKER_THREADS", "4x"),
                      "HR_WORKER_THREADS: must be an integer in 1..512 (got '4x')");
    ck_assert_str_eq (s_load_with ("HR_METRICS_PORT", "65536"),
                      "HR_METRICS_PORT: must be an integer in 0..65535 (got '65536')");
    ck_assert_str_eq (s_load_with ("HR_METRICS_PORT", "-1"),
                      "HR_METRICS_PORT: must be an integer in 0..65535 (got '-1')");
    ck_assert_str_eq (s_load_with ("HR_REDIS_TIMEOUT_MS", "99999999999999999999"),
                      "HR_REDIS_TIMEOUT_MS: must be an integer in 1..60000 "
                      "(got '99999999999999999999')");
    ck_assert_str_eq (s_load_with ("T_ANY", "1.5"), "T_ANY: must be an integer (got '1.5')");
    ck_assert_str_eq (s_load_with ("T_RATIO", "1.01"),
                      "T_RATIO: must be a number in 0..1 (got '1.01')");
    ck_assert_str_eq (s_load_with ("T_RATIO", "nan"),
                      "T_RATIO: must be a number in 0..1 (got 'nan')");
    ck_assert_str_eq (s_load_with ("T_FLAG", "maybe"),
                      "T_FLAG: must be a boolean (1/0/true/false/yes/no/on/off) (got 'maybe')");
    ck_assert_str_eq (s_load_with ("HR_LOG_LEVEL", "verbose"),
                      "HR_LOG_LEVEL: must be one of debug|info|warn|error (got 'verbose')");
    ck_assert_str_eq (s_load_with ("DATABASE_URL", "mysql://x/y"),
                      "DATABASE_URL: must be a postgresql:// URL (got 'mysql://x/y')");
    ck_assert_str_eq (s_load_with ("REDIS_URL", "127.0.0.1:6379"),
                      "REDIS_URL: must be a redis:// URL (got '127.0.0.1:6379')");

    //  a required variable nobody set
    hr_config_t *cfg = hr_config_new ("test-svc", s_tables);
    char err[256];
    ck_assert_int_eq (hr_config_load (cfg, err, sizeof err), -1);
    ck_assert_str_eq (err, "T_NEEDED: is required (must be given)");
    //  a tiny error buffer is truncated, never overrun
    char tiny[8];
    ck_assert_int_eq (hr_config_load (cfg, tiny, sizeof tiny), -1);
    ck_assert_str_eq (tiny, "T_NEEDE");
    hr_config_destroy (&cfg);

    //  the commands' form: reports, destroys, leaves NULL; or loads
    cfg = hr_config_new ("test-svc", s_tables);
    ck_assert_int_eq (hr_config_load_or_report (&cfg, "test-svc"), -1);
    ck_assert_ptr_null (cfg);
    ck_assert_int_eq (hr_config_load_or_report (&cfg, "test-svc"), -1);    /* NULL in */
    cfg = s_config ();
    ck_assert_int_eq (hr_config_load_or_report (&cfg, "test-svc"), 0);
    ck_assert_ptr_nonnull (cfg);
    ck_assert_str_eq (hr_config_str (cfg, "T_NEEDED"), "here");
    hr_config_destroy (&cfg);
}
END_TEST

START_TEST (test_bools)
{
    const char *yes[] = { "1", "true", "TRUE", "yes", "on", "On" };
    const char *no[] = { "0", "false", "no", "off", "OFF" };
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        hr_config_t *cfg = s_config ();
        hr_config_set (cfg, "T_FLAG", yes[i]);
        ck_assert_int_eq (hr_config_load (cfg, NULL, 0), 0);
        ck_assert_msg (hr_config_bool (cfg, "T_FLAG"), "%s", yes[i]);
        hr_config_destroy (&cfg);
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        hr_config_t *cfg = s_config ();
        hr_config_set (cfg, "T_FLAG", no[i]);
        ck_assert_int_eq (hr_config_load (cfg, NULL, 0), 0);
        ck_assert_msg (!hr_config_bool (cfg, "T_FLAG"), "%s", no[i]);
        hr_config_destroy (&cfg);
    }
}
END_TEST

START_TEST (test_database_url)
{
    hr_config_t *cfg = s_config ();
    hr_config_set (cfg, "DATABASE_URL", "postgresql+asyncpg://u:p@db:5432/shop");
    ck_assert_int_eq (hr_config_load (cfg, NULL, 0), 0);
    const char *url = hr_config_database_url (cfg);
    ck_assert_str_eq (url, "postgresql://u:p@db:5432/shop");
    ck_assert_ptr_eq (hr_config_database_url (cfg), url);   //  stable
    //  the raw value is still what was given
    ck_assert_str_eq (hr_config_str (cfg, "DATABASE_URL"), "postgresql+asyncpg://u:p@db:5432/shop");
    hr_config_set (cfg, "DATABASE_URL", "postgres://h/d?sslmode=disable&x=a+b");
    ck_assert_int_eq (hr_config_load (cfg, NULL, 0), 0);
    ck_assert_str_eq (hr_config_database_url (cfg), "postgres://h/d?sslmode=disable&x=a+b");
    hr_config_destroy (&cfg);
}
END_TEST

START_TEST (test_help)
{
    hr_config_t *cfg = s_config ();
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    hr_config_print_help (cfg, out);
    fclose (out);
    ck_assert_ptr_nonnull (strstr (text, "test-svc"));
    //  every variable once, on its own line, with its default and help,
    //  and the DEFAULT column starts at the same place on every line
    const char *names[] = { "DATABASE_URL", "HR_WORKER_THREADS", "HR_REDIS_TIMEOUT_MS",
                            "T_RATIO", "T_NEEDED", "NAME" };
    const char *defaults[] = { "postgresql://hybridrec@127.0.0.1:55432/hybridrec", "2", "200",
                               "0.5", "(required)", "DEFAULT" };
    long column = -1;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char key[64];
        snprintf (key, sizeof key, "\n  %s ", names[i]);
        const char *line = strstr (text, key);
        ck_assert_msg (line, "no line for %s", names[i]);
        ck_assert_ptr_null (strstr (line + 1, key));
        line += 1;
        const char *eol = strchr (line, '\n');
        const char *def = strstr (line, defaults[i]);
        ck_assert_msg (def && def < eol, "default of %s", names[i]);
        if (column < 0)
            column = def - line;
        ck_assert_int_eq (def - line, column);
    }
    ck_assert_ptr_nonnull (strstr (text, "worker threads (interactions-svc: 64 or more, so group commit has events to batch) [1..512]"));
    ck_assert_ptr_null (strstr (text, "duplicate"));
    free (text);
    hr_config_destroy (&cfg);
}
END_TEST

/*  hr_config_list_next: items trimmed, empty ones skipped, the end false. */
START_TEST (test_list_next)
{
    const char *list = " a, ,bc ,, d e ,", *item;
    size_t len;
    const char *want[] = { "a", "bc", "d e" };
    for (int k = 0; k < 3; k++) {
        ck_assert (hr_config_list_next (&list, &item, &len));
        ck_assert_uint_eq (len, strlen (want[k]));
        ck_assert (memcmp (item, want[k], len) == 0);
    }
    ck_assert (!hr_config_list_next (&list, &item, &len));
    const char *none = NULL, *blank = " , ";
    ck_assert (!hr_config_list_next (&none, &item, &len));
    ck_assert (!hr_config_list_next (&blank, &item, &len));
}
END_TEST

int
main (void)
{
    //  CTest sets DATABASE_URL and friends: the tests want a clean slate
    for (const hr_config_var_t *v = hr_config_common; v->name; v++)
        unsetenv (v->name);
    Suite *s = suite_create ("hr_config");
    TCase *tc = tcase_create ("core");
    tcase_add_test (tc, test_defaults);
    tcase_add_test (tc, test_environment_and_overrides);
    tcase_add_test (tc, test_errors_name_the_variable);
    tcase_add_test (tc, test_bools);
    tcase_add_test (tc, test_database_url);
    tcase_add_test (tc, test_help);
    tcase_add_test (tc, test_list_next);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    //  tests change the environment: each runs in its own process
    srunner_set_fork_status (sr, CK_FORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
