/*  The standalone broker as an option next to the gateways' own brokers
    (issue 21, docs/scaling.md): three gateways, the first two with their
    embedded brokers, the third using hybridrec-broker
    (HR_GATEWAY_EMBED_BROKER=0); two replicas of every service registered
    with all three brokers.  Under load through the three gateways the
    standalone broker is SIGKILLed: requests through the first two see no
    error and they keep their workers; the third answers degraded or 503
    while its broker is gone and serves again once it is restarted (and
    nothing else is).                                                      */
#include <unistd.h>
#include "mesh_rig.h"

#define GW1 8165
#define METRICS 9530

START_TEST (test_kill_standalone_broker)
{
    chaos_rig_config_t config = { .name = "meshsa", .pg_port = 55459, .redis_port = 56409,
                                  .gw_port = GW1, .broker_port = 5665, .metrics_base = METRICS,
                                  .mesh_gateways = GATEWAYS, .standalone_broker = true };
    int ports[GATEWAYS], two[SERVICES], pids[SERVICES][2];
    mesh_up (&config, ports, two, pids);
    int pid_gw[GATEWAYS];
    const char *gw_names[GATEWAYS] = { "hybridrec-gateway", "hybridrec-gateway2", "hybridrec-gateway3" };
    for (int g = 0; g < GATEWAYS; g++)
        pid_gw[g] = chaos_rig_pid (chaos_rig, gw_names[g]);

    /*  The third gateway depends on the standalone broker: while it is
        gone, that gateway's answers are judged as for an outage (503 or
        no answer tolerated there only).                                   */
    chaos_load_note (chaos_load, "SIGKILL hybridrec-broker");
    chaos_load_port_down (chaos_load, GW1 + 2);
    ck_assert_int_eq (chaos_rig_kill (chaos_rig, "hybridrec-broker"), 0);
    sleep (4);                  /* past the liveness window (3 s) */
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 300, WAIT_MS) == 0,
                   "the load stalled with the standalone broker dead");
    int others[] = { GW1, GW1 + 1 };
    for (int g = 0; g < 2; g++) {
        ck_assert_msg (chaos_load_wait_port (chaos_load, others[g], WAIT_MS) == 0,
                       "gateway %d stopped serving", others[g]);
        int status;
        json_decref (chaos_rig_readyz (others[g], &status));
        ck_assert_msg (status == 200, "gateway %d /readyz says %d", others[g], status);
        for (int i = 0; i < SERVICES; i++)
            ck_assert_msg (chaos_rig_workers (others[g], names[i]) == two[i],
                           "gateway %d lost %s workers: %d, not %d", others[g], names[i],
                           chaos_rig_workers (others[g], names[i]), two[i]);
    }
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_HOME_HISTORY, true, WAIT_MS) == 0,
                   "/home with history not whole through the gateways with their own broker");
    int status;
    json_decref (chaos_rig_readyz (GW1 + 2, &status));
    ck_assert_msg (status == 503, "the gateway on the dead broker says /readyz %d", status);

    chaos_load_note (chaos_load, "restart hybridrec-broker (only)");
    ck_assert_int_eq (chaos_rig_restart (chaos_rig, "hybridrec-broker"), 0);
    ck_assert_msg (chaos_rig_wait_ready (GW1 + 2, WAIT_MS) == 0,
                   "the gateway on the restarted broker is not ready");
    int third[] = { GW1 + 2 };
    wait_all_workers (third, 1, two);
    ck_assert_msg (chaos_load_wait_port (chaos_load, GW1 + 2, WAIT_MS) == 0,
                   "the gateway on the restarted broker serves nothing");
    chaos_load_note (chaos_load, "the third gateway serves again");
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 300, WAIT_MS) == 0, "no load after the restart");
    for (int g = 0; g < GATEWAYS; g++)
        ck_assert_int_eq (chaos_rig_pid (chaos_rig, gw_names[g]), pid_gw[g]);
    for (int i = 0; i < SERVICES; i++) {
        char replica[64];
        snprintf (replica, sizeof replica, "%s.2", services[i]);
        ck_assert_int_eq (chaos_rig_pid (chaos_rig, services[i]), pids[i][0]);
        ck_assert_int_eq (chaos_rig_pid (chaos_rig, replica), pids[i][1]);
    }
    chaos_check_finish ("mesh_standalone");
}
END_TEST

int
main (void)
{
    return chaos_check_run ("scale_mesh_standalone", test_kill_standalone_broker, 300);
}
