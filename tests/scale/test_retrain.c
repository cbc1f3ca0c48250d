/*  Schedules (issue 8): the daily/hourly jobs run under load against two
    replicas of every service — `hybridrec train content` (the full build,
    LSA included), `train collab`, `train rules`, `train trending` — and
    every replica picks the new model versions up without a restart
    (same pids) and without a failed request.                              */
#include <check.h>
#include <stdio.h>
#include <unistd.h>
#include "chaos_check.h"

#define GW 8150
#define METRICS 9350
#define CONTENT 1
#define RULES 3
#define COLLAB 4

static int
wait_metric (int port, const char *name, double want, int timeout_ms)
{
    long long until = chaos_now_ms () + timeout_ms;
    do {
        if (chaos_rig_metric (port, name) >= want)
            return 0;
        usleep (200 * 1000);
    } while (chaos_now_ms () < until);
    return -1;
}

START_TEST (test_retrain_under_load)
{
    chaos_rig_config_t config = { .name = "retrain", .pg_port = 55455, .redis_port = 56405,
                                  .gw_port = GW, .broker_port = 5650, .metrics_base = METRICS };
    chaos_rig = chaos_rig_new (&config);
    ck_assert_msg (chaos_rig != NULL, "the stack did not start");
    const char *services[] = { "interactions-svc", "content-svc", "trending-svc", "rules-svc", "collab-svc" };
    int content_workers = 2 * chaos_rig_workers (GW, "content");
    ck_assert_int_gt (content_workers, 0);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq (chaos_rig_replica (chaos_rig, services[i], 2), 0);
    ck_assert_msg (chaos_rig_wait_workers (GW, "content", content_workers, 30000) == 0,
                   "the second content replica did not register");
    /*  Replica 2 started with the current models.  */
    for (int r = 0; r < 2; r++) {
        ck_assert_msg (wait_metric (METRICS + 10 * r + CONTENT, "hr_content_model_version", 1, 30000) == 0,
                       "content replica %d serves no model", r + 1);
        ck_assert_msg (wait_metric (METRICS + 10 * r + COLLAB, "collab_model_version", 1, 30000) == 0,
                       "collab replica %d serves no model", r + 1);
    }
    double content_v = chaos_rig_metric (METRICS + CONTENT, "hr_content_model_version");
    double collab_v = chaos_rig_metric (METRICS + COLLAB, "collab_model_version");
    double rules_loads[2];
    int pids[5][2];
    for (int i = 0; i < 5; i++) {
        char name[64];
        snprintf (name, sizeof name, "%s.2", services[i]);
        pids[i][0] = chaos_rig_pid (chaos_rig, services[i]);
        pids[i][1] = chaos_rig_pid (chaos_rig, name);
    }
    for (int r = 0; r < 2; r++)
        rules_loads[r] = chaos_rig_metric (METRICS + 10 * r + RULES, "hr_rules_model_loads_total");

    int port = GW;
    chaos_load = chaos_load_new (&port, 1, 4, "scretrain");
    ck_assert_ptr_nonnull (chaos_load);
    ck_assert_int_eq (chaos_load_start (chaos_load), 0);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 150, 30000) == 0, "no steady load");
    sleep (1);

    /*  The jobs, as the CronJobs run them.  The clicks the load has just
        posted give collab, rules and trending something to learn.  */
    chaos_load_note (chaos_load, "retraining: content (full), collab, rules, trending");
    char cmd[1024];
    snprintf (cmd, sizeof cmd, "%s/hybridrec train content >/dev/null && %s/hybridrec train collab >/dev/null"
              " && %s/hybridrec train rules >/dev/null && %s/hybridrec train trending >/dev/null",
              chaos_rig_bin_dir (chaos_rig), chaos_rig_bin_dir (chaos_rig), chaos_rig_bin_dir (chaos_rig),
              chaos_rig_bin_dir (chaos_rig));
    ck_assert_int_eq (chaos_rig_sh (chaos_rig, cmd), 0);
    chaos_load_note (chaos_load, "retrained");

    for (int r = 0; r < 2; r++) {
        ck_assert_msg (wait_metric (METRICS + 10 * r + CONTENT, "hr_content_model_version", content_v + 1, 30000) == 0,
                       "content replica %d still serves version %.0f", r + 1,
                       chaos_rig_metric (METRICS + 10 * r + CONTENT, "hr_content_model_version"));
        ck_assert_msg (wait_metric (METRICS + 10 * r + COLLAB, "collab_model_version", collab_v + 1, 30000) == 0,
                       "collab replica %d still serves version %.0f", r + 1,
                       chaos_rig_metric (METRICS + 10 * r + COLLAB, "collab_model_version"));
        ck_assert_msg (wait_metric (METRICS + 10 * r + RULES, "hr_rules_model_loads_total", rules_loads[r] + 1, 30000) == 0,
                       "rules replica %d did not load the new rules", r + 1);
    }
    chaos_load_note (chaos_load, "every replica swapped");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_PRODUCT, true, 10000) == 0, "/product not whole after the swap");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_SEARCH, true, 10000) == 0, "/search not whole after the swap");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_HOME_HISTORY, true, 10000) == 0, "/home not whole after the swap");
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 200, 30000) == 0, "no load after the swap");
    /*  No replica was restarted to get there.  */
    for (int i = 0; i < 5; i++) {
        char name[64];
        snprintf (name, sizeof name, "%s.2", services[i]);
        ck_assert_int_eq (chaos_rig_pid (chaos_rig, services[i]), pids[i][0]);
        ck_assert_int_eq (chaos_rig_pid (chaos_rig, name), pids[i][1]);
    }
    ck_assert_int_eq (chaos_rig_workers (GW, "content"), content_workers);
    chaos_check_finish ("retrain");
}
END_TEST

int
main (void)
{
    return chaos_check_run ("scale_retrain", test_retrain_under_load, 240);
}
