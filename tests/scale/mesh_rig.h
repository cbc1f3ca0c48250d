/*  The set-up both topology tests share (test_mesh.c, test_mesh_standalone.c):
    three gateways, two replicas of every service registered with every
    broker, a steady load through all three gateways.  Included by one test
    file each; uses the chaos_rig / chaos_load globals of chaos_check.h.   */
#ifndef MESH_RIG_H
#define MESH_RIG_H
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include "chaos_check.h"

#define GATEWAYS 3
#define SERVICES 5
#define WAIT_MS 30000           /* a bound on each wait, not a benchmark */
static const char *services[SERVICES] = { "interactions-svc", "content-svc", "trending-svc",
                                          "rules-svc", "collab-svc" };
static const char *names[SERVICES] = { "interactions", "content", "trending", "rules", "collab" };

/*  Every gateway in `ports` sees `want[i]` workers of every service.      */
static void
wait_all_workers (const int *ports, int nports, const int *want)
{
    for (int g = 0; g < nports; g++)
        for (int i = 0; i < SERVICES; i++)
            ck_assert_msg (chaos_rig_wait_workers (ports[g], names[i], want[i], WAIT_MS) == 0,
                           "gateway %d: %s has %d workers, not %d", ports[g], names[i],
                           chaos_rig_workers (ports[g], names[i]), want[i]);
}

/*  Starts the rig of `config` with GATEWAYS gateways on config->gw_port
    onwards, waits for one replica of each service on every broker, adds
    the second replicas and waits for them, then loads every gateway until
    each serves.  `ports` gets the gateways' ports, `two` the worker counts
    with both replicas; `pids` each replica's pid.                         */
static void
mesh_up (const chaos_rig_config_t *config, int ports[GATEWAYS], int two[SERVICES],
         int pids[SERVICES][2])
{
    chaos_rig = chaos_rig_new (config);
    ck_assert_msg (chaos_rig != NULL, "the stack did not start");
    for (int k = 2; k <= GATEWAYS; k++)
        ck_assert_int_eq (chaos_rig_gateway (chaos_rig, k), 0);
    int one[SERVICES];
    for (int g = 0; g < GATEWAYS; g++)
        ports[g] = config->gw_port + g;
    /*  Worker threads per replica, as suite.sh starts them.               */
    const char *threads = getenv ("HR_WORKER_THREADS"), *ithreads = getenv ("HR_INTERACTIONS_THREADS");
    for (int i = 0; i < SERVICES; i++) {
        one[i] = i == 0 ? (ithreads ? atoi (ithreads) : 64) : (threads ? atoi (threads) : 2);
        two[i] = 2 * one[i];
    }
    /*  One replica each: every gateway's broker has all of its workers.   */
    wait_all_workers (ports, GATEWAYS, one);
    for (int i = 0; i < SERVICES; i++)
        ck_assert_int_eq (chaos_rig_replica (chaos_rig, services[i], 2), 0);
    wait_all_workers (ports, GATEWAYS, two);

    chaos_load = chaos_load_new (ports, GATEWAYS, 6, config->name);
    ck_assert_ptr_nonnull (chaos_load);
    ck_assert_int_eq (chaos_load_start (chaos_load), 0);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 150, WAIT_MS) == 0, "no steady load");
    for (int g = 0; g < GATEWAYS; g++)
        ck_assert_msg (chaos_load_wait_port (chaos_load, ports[g], WAIT_MS) == 0,
                       "gateway %d serves nothing", ports[g]);
    for (int i = 0; i < SERVICES; i++) {
        char replica[64];
        snprintf (replica, sizeof replica, "%s.2", services[i]);
        pids[i][0] = chaos_rig_pid (chaos_rig, services[i]);
        pids[i][1] = chaos_rig_pid (chaos_rig, replica);
    }
}
#endif
