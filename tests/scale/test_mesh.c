/*  No single broker (issue 21, docs/scaling.md): three gateways, each with
    its embedded broker, and two replicas of every service, each replica
    registered with all three brokers.  Under load through the three
    gateways one gateway is SIGKILLed: requests through the other two see
    no error (the dead one's threads get no answer, counted "gone"), the
    survivors keep their workers and keep serving; restarting the killed
    gateway, and nothing else, brings it back into use: the replicas
    register with its new broker by themselves.                           */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mesh_rig.h"

#define GW1 8160
#define KILLED 2                /* hybridrec-gateway2, on GW1 + 1 */
#define METRICS 9470

/*  An external load (bench/mesh_shared_load.sh: the shared bench against the
    two surviving gateways) when HR_MESH_EXTERNAL_LOAD names a command: it
    runs in the background from before the kill until after the restart;
    it writes READY into its output once it measures, and its exit status
    (0: no 5xx and no socket error on the survivors) ends the output.     */
#define EXTERNAL_OUT "mesh-external-load.out"

static bool
s_file_has (const char *path, const char *text)
{
    FILE *f = fopen (path, "r");
    if (!f)
        return false;
    char line[1024];
    bool found = false;
    while (!found && fgets (line, sizeof line, f))
        found = strstr (line, text) != NULL;
    fclose (f);
    return found;
}

static bool
s_wait_file_has (const char *path, const char *text, int timeout_ms)
{
    long long until = chaos_now_ms () + timeout_ms;
    while (!s_file_has (path, text)) {
        if (chaos_now_ms () > until)
            return false;
        usleep (100 * 1000);
    }
    return true;
}

static void
s_external_load_start (void)
{
    const char *cmd = getenv ("HR_MESH_EXTERNAL_LOAD");
    if (!cmd || !*cmd)
        return;
    char sh[2048];
    snprintf (sh, sizeof sh, "rm -f %s; ( %s; echo \"external-load-rc=$?\" ) >%s 2>&1 &",
              EXTERNAL_OUT, cmd, EXTERNAL_OUT);
    ck_assert_int_eq (chaos_rig_sh (chaos_rig, sh), 0);
    ck_assert_msg (s_wait_file_has (EXTERNAL_OUT, "READY", 300000),
                   "the external load never started measuring (see %s)", EXTERNAL_OUT);
}

static void
s_external_load_finish (void)
{
    const char *cmd = getenv ("HR_MESH_EXTERNAL_LOAD");
    if (!cmd || !*cmd)
        return;
    ck_assert_msg (s_wait_file_has (EXTERNAL_OUT, "external-load-rc=", 300000),
                   "the external load did not end (see %s)", EXTERNAL_OUT);
    ck_assert_msg (s_file_has (EXTERNAL_OUT, "external-load-rc=0"),
                   "the external load saw errors on the surviving gateways (see %s)", EXTERNAL_OUT);
}

START_TEST (test_kill_one_gateway)
{
    chaos_rig_config_t config = { .name = "mesh", .pg_port = 55458, .redis_port = 56408,
                                  .gw_port = GW1, .broker_port = 5660, .metrics_base = METRICS,
                                  .mesh_gateways = GATEWAYS };
    int ports[GATEWAYS], two[SERVICES], pids[SERVICES][2];
    mesh_up (&config, ports, two, pids);
    /*  Both replicas of each strategy service take work (waited for: a
        gateway's event loop asks trending about once a second while it
        draws /home's picks itself, gateway/api/gw_diverse.h).             */
    for (int i = 1; i < SERVICES; i++)
        for (int r = 0; r < 2; r++) {
            long long until = chaos_now_ms () + WAIT_MS;
            while (!(chaos_rig_metric (METRICS + 10 * r + i, "hr_request_seconds_count") > 0)) {
                ck_assert_msg (chaos_now_ms () < until, "replica %d of %s served nothing in %d ms", r + 1,
                               names[i], WAIT_MS);
                usleep (100 * 1000);
            }
        }
    int others[] = { GW1, GW1 + 2 };
    int pid_gw1 = chaos_rig_pid (chaos_rig, "hybridrec-gateway");
    int pid_gw3 = chaos_rig_pid (chaos_rig, "hybridrec-gateway3");

    s_external_load_start ();
    chaos_load_note (chaos_load, "SIGKILL hybridrec-gateway2");
    chaos_load_port_down (chaos_load, GW1 + KILLED - 1);
    ck_assert_int_eq (chaos_rig_kill (chaos_rig, "hybridrec-gateway2"), 0);
    /*  Past the replicas' liveness window for the dead broker (3 beats of
        1 s), under load: the survivors keep serving whole answers.        */
    sleep (4);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 300, WAIT_MS) == 0,
                   "the load stalled with one gateway dead");
    for (int g = 0; g < 2; g++) {
        ck_assert_msg (chaos_load_wait_port (chaos_load, others[g], WAIT_MS) == 0,
                       "gateway %d stopped serving", others[g]);
        int status;
        json_decref (chaos_rig_readyz (others[g], &status));
        ck_assert_msg (status == 200, "gateway %d /readyz says %d", others[g], status);
    }
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_HOME_HISTORY, true, WAIT_MS) == 0,
                   "/home with history not whole with one gateway dead");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_POST, true, WAIT_MS) == 0,
                   "no interaction acknowledged with one gateway dead");
    /*  No replica left the surviving brokers.                             */
    for (int g = 0; g < 2; g++)
        for (int i = 0; i < SERVICES; i++)
            ck_assert_msg (chaos_rig_workers (others[g], names[i]) == two[i],
                           "gateway %d lost %s workers: %d, not %d", others[g], names[i],
                           chaos_rig_workers (others[g], names[i]), two[i]);
    fprintf (stderr, "requests to the dead gateway: %ld\n", chaos_load_gone (chaos_load));

    chaos_load_note (chaos_load, "restart hybridrec-gateway2 (only)");
    ck_assert_int_eq (chaos_rig_restart (chaos_rig, "hybridrec-gateway2"), 0);
    ck_assert_msg (chaos_rig_wait_ready (GW1 + 1, WAIT_MS) == 0, "the restarted gateway is not ready");
    int all[] = { GW1 + 1 };
    wait_all_workers (all, 1, two);
    chaos_load_note (chaos_load, "every replica registered with the new broker");
    chaos_load_port_down (chaos_load, 0);
    ck_assert_msg (chaos_load_wait_port (chaos_load, GW1 + 1, WAIT_MS) == 0,
                   "the restarted gateway serves nothing");
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 300, WAIT_MS) == 0, "no load after the restart");
    /*  Nothing else was restarted.                                        */
    ck_assert_int_eq (chaos_rig_pid (chaos_rig, "hybridrec-gateway"), pid_gw1);
    ck_assert_int_eq (chaos_rig_pid (chaos_rig, "hybridrec-gateway3"), pid_gw3);
    for (int i = 0; i < SERVICES; i++) {
        char replica[64];
        snprintf (replica, sizeof replica, "%s.2", services[i]);
        ck_assert_int_eq (chaos_rig_pid (chaos_rig, services[i]), pids[i][0]);
        ck_assert_int_eq (chaos_rig_pid (chaos_rig, replica), pids[i][1]);
    }
    s_external_load_finish ();
    chaos_check_finish ("mesh");
}
END_TEST

int
main (void)
{
    return chaos_check_run ("scale_mesh", test_kill_one_gateway, 300);
}
