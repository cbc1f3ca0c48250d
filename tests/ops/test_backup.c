/*  Backup -> wipe -> restore under a real deployment: every interaction the
    gateway acknowledged before the backup is back exactly once (twice
    restored: still once), every model version is back as it was, and the
    restored stack serves again.                                            */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "chaos_check.h"

#define GW 8170

START_TEST (test_backup_wipe_restore)
{
    chaos_rig_config_t config = { .name = "backup", .pg_port = 55470, .redis_port = 56420,
                                  .gw_port = GW, .broker_port = 5670, .metrics_base = 9410 };
    chaos_rig = chaos_rig_new (&config);
    ck_assert_msg (chaos_rig != NULL, "the stack did not start");
    int port = GW;
    chaos_load = chaos_load_new (&port, 1, 4, "opsbk");
    ck_assert_ptr_nonnull (chaos_load);
    ck_assert_int_eq (chaos_load_start (chaos_load), 0);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 300, 60000) == 0, "no steady load");
    chaos_load_stop (chaos_load);
    ck_assert_int_gt (chaos_load_acked (chaos_load), 20);
    ck_assert_int_eq (chaos_load_violations (chaos_load), 0);

    char dir[256], cmd[2048];
    snprintf (dir, sizeof dir, "%s/../ops-backup-%d", chaos_rig_bin_dir (chaos_rig), (int) getpid ());
    const char *bin = chaos_rig_bin_dir (chaos_rig);
    //  A second model version of one strategy, rolled back to the first: the
    //  pin is part of what a backup keeps
    snprintf (cmd, sizeof cmd, "rm -rf %s && %s/hybridrec train rules >/dev/null"
              " && %s/hybridrec models rollback rules 1 >/dev/null"
              " && %s/hybridrec models list --json > %s.before && %s/hybridrec backup %s",
              dir, bin, bin, bin, dir, bin, dir);
    ck_assert_int_eq (chaos_rig_sh (chaos_rig, cmd), 0);
    //  A directory holding a backup is never overwritten
    snprintf (cmd, sizeof cmd, "%s/hybridrec backup %s 2>/dev/null", bin, dir);
    ck_assert_int_ne (chaos_rig_sh (chaos_rig, cmd), 0);

    //  Wipe: processes down, the whole schema gone
    chaos_rig_stop_processes (chaos_rig);
    snprintf (cmd, sizeof cmd, "psql -q \"$DATABASE_URL\" -c 'DROP SCHEMA public CASCADE' -c 'CREATE SCHEMA public'"
              " && ! %s/hybridrec models list --json 2>/dev/null | grep -q strategy", bin);
    ck_assert_int_eq (chaos_rig_sh (chaos_rig, cmd), 0);

    //  Restore twice: the second replaces the first, nothing doubles
    snprintf (cmd, sizeof cmd, "%s/hybridrec restore %s && %s/hybridrec restore %s >/dev/null"
              " && %s/hybridrec models list --json > %s.after && cmp %s.before %s.after",
              bin, dir, bin, dir, bin, dir, dir, dir);
    ck_assert_int_eq (chaos_rig_sh (chaos_rig, cmd), 0);
    static char msg[16384];
    long bad = chaos_load_verify (chaos_load, chaos_rig_database_url (chaos_rig), msg, sizeof msg);
    ck_assert_msg (bad == 0, "%ld acknowledged interactions not restored exactly once: %.1500s", bad, msg);
    //  New events after a restore get fresh ids (the sequence was moved on)
    snprintf (cmd, sizeof cmd, "psql -qtA \"$DATABASE_URL\" -c \"INSERT INTO interactions (user_id, event_type,"
              " product_id, ts) SELECT 'opsbk-new', 1, product_id, now() FROM interactions WHERE product_id"
              " IS NOT NULL LIMIT 1\" && test \"$(psql -qtA \"$DATABASE_URL\" -c 'SELECT count(*) = count(DISTINCT id)"
              " FROM interactions')\" = t && rm -rf %s %s.before %s.after", dir, dir, dir);
    ck_assert_int_eq (chaos_rig_sh (chaos_rig, cmd), 0);
    chaos_load_destroy (&chaos_load);
    static char reports[8192];
    int nreports = chaos_rig_sanitizer_reports (chaos_rig, reports, sizeof reports);
    ck_assert_msg (nreports == 0, "sanitizer reports:\n%.1500s", reports);
    chaos_rig_destroy (&chaos_rig);
}
END_TEST

int
main (void)
{
    return chaos_check_run ("ops_backup", test_backup_wipe_restore, 280);
}
