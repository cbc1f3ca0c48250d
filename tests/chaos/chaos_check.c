/*  chaos_check — the common verdict of the resilience tests.               */
#include "chaos_check.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

chaos_rig_t *chaos_rig;
chaos_load_t *chaos_load;

static void
teardown (void)
{
    if (chaos_load) {
        chaos_load_stop (chaos_load);
        chaos_load_report (chaos_load, "at the failure");
    }
    if (chaos_rig) {
        char dead[1024];
        if (chaos_rig_dead (chaos_rig, dead, sizeof dead) > 0)
            fprintf (stderr, "dead processes: %s\n", dead);
        static char reports[8192];
        if (chaos_rig_sanitizer_reports (chaos_rig, reports, sizeof reports) > 0)
            fprintf (stderr, "sanitizer reports:\n%s", reports);
    }
    chaos_load_destroy (&chaos_load);
    chaos_rig_destroy (&chaos_rig);
}

void
chaos_check_finish (const char *title)
{
    chaos_rig_t *rig = chaos_rig;
    chaos_load_t *load = chaos_load;
    static char msg[16384];
    chaos_load_stop (load);
    chaos_load_report (load, title);
    long violations = chaos_load_violations (load);
    long total = chaos_load_total (load), acked = chaos_load_acked (load);
    long reads = 0, late = chaos_load_late_503 (load, &reads);
    long bad = chaos_load_verify (load, chaos_rig_database_url (rig), msg, sizeof msg);
    char dead[1024];
    int ndead = chaos_rig_dead (rig, dead, sizeof dead);
    chaos_rig_stop_processes (rig);
    static char reports[8192];
    int nreports = chaos_rig_sanitizer_reports (rig, reports, sizeof reports);
    if (nreports)
        fprintf (stderr, "sanitizer reports:\n%s", reports);
    static char log[8192];
    snprintf (log, sizeof log, "%s", chaos_load_violation_log (load));
    chaos_load_destroy (&chaos_load);
    chaos_rig_destroy (&chaos_rig);

    ck_assert_msg (total > 200, "%s: only %ld requests completed", title, total);
    ck_assert_msg (acked > 20, "%s: only %ld interactions acknowledged", title, acked);
    ck_assert_msg (violations == 0, "%s: %ld wrong or late answers, first:\n%.1500s", title, violations, log);
    ck_assert_msg (late <= 3 || late * 100 <= reads,
                   "%s: %ld of %ld reads answered 503 (no service in time) outside any outage", title, late, reads);
    ck_assert_msg (bad == 0, "%s: %ld acknowledged interactions not stored exactly once: %.1500s", title, bad, msg);
    ck_assert_msg (ndead == 0, "%s: processes died: %s", title, dead);
    ck_assert_msg (nreports == 0, "%s: sanitizer reports in the logs:\n%.1500s", title, reports);
}

int
chaos_check_run (const char *suite_name, const TTest *test, int timeout_s)
{
    Suite *s = suite_create (suite_name);
    TCase *tc = tcase_create (suite_name);
    tcase_set_timeout (tc, timeout_s);
    tcase_add_checked_fixture (tc, NULL, teardown);
    tcase_add_test (tc, test);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    /*  Real processes and threads: no fork per test.  */
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
