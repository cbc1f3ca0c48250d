/*  The gateway's configuration: safe defaults and ranges that agree with
    the services (issue 17: the broker binds loopback unless told otherwise;
    a history limit interactions-svc would refuse is rejected at start).   */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gw_accesslog.h"
#include "gw_config.h"
#include "hr_log.h"

/*  Loads the gateway's variables with one override; 0 or -1 (rejected).   */
static int
load_with (const char *name, const char *value, gw_settings_t *out)
{
    const hr_config_var_t *const tables[] = { hr_config_common, gw_config_vars, hr_config_merge, NULL };
    hr_config_t *cfg = hr_config_new ("test_config", tables);
    ck_assert_ptr_nonnull (cfg);
    if (name)
        ck_assert_int_eq (hr_config_set (cfg, name, value), 0);
    char err[256];
    int rc = hr_config_load (cfg, err, sizeof err);
    if (rc == 0 && out) {
        gw_settings_from_config (cfg, out);
        /*  the strings live in cfg: keep what the test reads  */
        static char bind[256];
        snprintf (bind, sizeof bind, "%s", out->broker_bind);
        out->broker_bind = bind;
    }
    hr_config_destroy (&cfg);
    return rc;
}

START_TEST (test_broker_binds_loopback_by_default)
{
    unsetenv ("HR_BROKER_BIND");
    gw_settings_t s;
    gw_settings_defaults (&s);
    ck_assert_str_eq (s.broker_bind, "tcp://127.0.0.1:5555");
    ck_assert_int_eq (load_with (NULL, NULL, &s), 0);
    ck_assert_str_eq (s.broker_bind, "tcp://127.0.0.1:5555");
    ck_assert_int_eq (load_with ("HR_BROKER_BIND", "tcp://*:5555", &s), 0);
    ck_assert_str_eq (s.broker_bind, "tcp://*:5555");
}
END_TEST

START_TEST (test_history_limit_within_what_interactions_serves)
{
    unsetenv ("HR_GATEWAY_HISTORY_LIMIT");
    gw_settings_t s;
    ck_assert_int_eq (load_with ("HR_GATEWAY_HISTORY_LIMIT", "1000", &s), 0);
    ck_assert_int_eq (s.history_limit, 1000);
    ck_assert_int_eq (load_with ("HR_GATEWAY_HISTORY_LIMIT", "1001", NULL), -1);
    ck_assert_int_eq (load_with ("HR_GATEWAY_HISTORY_LIMIT", "100000", NULL), -1);
    ck_assert_int_eq (load_with ("HR_GATEWAY_HISTORY_LIMIT", "0", NULL), -1);
}
END_TEST

START_TEST (test_access_log_redacts_by_default)
{
    unsetenv ("HR_GATEWAY_ACCESS_LOG_PERSONAL");
    gw_settings_t s;
    ck_assert_int_eq (load_with (NULL, NULL, &s), 0);
    ck_assert_int_eq (s.access_log_personal, GW_ACCESSLOG_REDACT);
    ck_assert_int_eq (load_with ("HR_GATEWAY_ACCESS_LOG_PERSONAL", "full", &s), 0);
    ck_assert_int_eq (s.access_log_personal, GW_ACCESSLOG_FULL);
    ck_assert_int_eq (load_with ("HR_GATEWAY_ACCESS_LOG_PERSONAL", "nope", &s), 0);
    ck_assert_int_eq (s.access_log_personal, -1);       /* gw_server_new refuses it */
}
END_TEST

int
main (void)
{
    hr_log_init ("test_config", HR_LOG_ERROR);
    Suite *s = suite_create ("gateway_config");
    TCase *tc = tcase_create ("config");
    tcase_add_test (tc, test_broker_binds_loopback_by_default);
    tcase_add_test (tc, test_history_limit_within_what_interactions_serves);
    tcase_add_test (tc, test_access_log_redacts_by_default);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
