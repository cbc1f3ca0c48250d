/*  The standalone broker as an option next to the gateways' own brokers
    (issue 21, docs/scaling.md): three gateways, the first two with their
    embedded brokers, the third using hybridrec-broker
    (HR_GATEWAY_EMBED_BROKER=0); two replicas of every service registered
    with all three brokers.  Under load through the three gateways the
    standalone broker is SIGKILLed: requests through the first two see no
    error and they keep their workers; the third answers degraded or 503
    while its broker is gone and serves again once it is restarted (and
    nothing else is).                                                      */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "chaos_check.h"

#define GW1 8165
#define GATEWAYS 3
#define METRICS 9530
#define SERVICES 5
static const char *services[SERVICES] = { "interactions-svc", "content-svc", "trending-svc",
                                          "rules-svc", "collab-svc" };
static const char *names[SERVICES] = { "interactions", "content", "trending", "rules", "collab" };
#define WAIT_MS 30000           /* a bound on each wait, not a benchmark */

static void
wait_all_workers (const int *ports, int nports, const int *want)
{
    for (int g = 0; g < nports; g++)
        for (int i = 0; i < SERVICES; i++)
            ck_assert_msg (chaos_rig_wait_workers (ports[g], names[i], want[i], WAIT_MS) == 0,
                           "gateway %d: %s has %d workers, not %d", ports[g], names[i],
                           chaos_rig_workers (ports[g], names[i]), want[i]);
}

START_TEST (test_kill_standalone_broker)
{
    chaos_rig_config_t config = { .name = "meshsa", .pg_port = 55459, .redis_port = 56409,
                                  .gw_port = GW1, .broker_port = 5665, .metrics_base = METRICS,
                                  .mesh_gateways = GATEWAYS, .standalone_broker = true };
    chaos_rig = chaos_rig_new (&config);
    ck_assert_msg (chaos_rig != NULL, "the stack did not start");
    for (int k = 2; k <= GATEWAYS; k++)
        ck_assert_int_eq (chaos_rig_gateway (chaos_rig, k), 0);
    int ports[GATEWAYS], one[SERVICES], two[SERVICES];
    for (int g = 0; g < GATEWAYS; g++)
        ports[g] = GW1 + g;
    const char *threads = getenv ("HR_WORKER_THREADS"), *ithreads = getenv ("HR_INTERACTIONS_THREADS");
    for (int i = 0; i < SERVICES; i++) {
        one[i] = i == 0 ? (ithreads ? atoi (ithreads) : 64) : (threads ? atoi (threads) : 2);
        two[i] = 2 * one[i];
    }
    wait_all_workers (ports, GATEWAYS, one);
    for (int i = 0; i < SERVICES; i++)
        ck_assert_int_eq (chaos_rig_replica (chaos_rig, services[i], 2), 0);
    wait_all_workers (ports, GATEWAYS, two);

    chaos_load = chaos_load_new (ports, GATEWAYS, 6, "meshsa");
    ck_assert_ptr_nonnull (chaos_load);
    ck_assert_int_eq (chaos_load_start (chaos_load), 0);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 150, WAIT_MS) == 0, "no steady load");
    for (int g = 0; g < GATEWAYS; g++)
        ck_assert_msg (chaos_load_wait_port (chaos_load, ports[g], WAIT_MS) == 0,
                       "gateway %d serves nothing", ports[g]);
    int pid_gw[GATEWAYS];
    const char *gw_names[GATEWAYS] = { "hybridrec-gateway", "hybridrec-gateway2", "hybridrec-gateway3" };
    for (int g = 0; g < GATEWAYS; g++)
        pid_gw[g] = chaos_rig_pid (chaos_rig, gw_names[g]);
    int pids[SERVICES][2];
    for (int i = 0; i < SERVICES; i++) {
        char replica[64];
        snprintf (replica, sizeof replica, "%s.2", services[i]);
        pids[i][0] = chaos_rig_pid (chaos_rig, services[i]);
        pids[i][1] = chaos_rig_pid (chaos_rig, replica);
    }

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
