/*  Scale-out on one machine (issue 8): a standalone broker, two gateways
    and two replicas of every service.  Under load through both gateways,
    one replica of each strategy service is SIGKILLed: no request fails,
    the broker drops the dead replicas within the heartbeat window (3 beats
    of 1 s; the gateways' /readyz "services" counts halve), the survivors
    take all the work, and the killed replicas rejoin when restarted (the
    counts double again and they serve requests).                          */
#include <check.h>
#include <stdio.h>
#include <unistd.h>
#include "chaos_check.h"

#define GW1 8140
#define METRICS 9320
static const char *strategies[] = { "content", "trending", "rules", "collab" };
/*  Metrics port offsets, in suite.sh's order.  */
static const int offset[] = { 1, 2, 3, 4 };
#define NSTRATEGIES 4
/*  The broker drops a replica after 3 missed 1 s heartbeats; allow slack
    for a loaded machine.  A bound, not a benchmark.  */
#define DROP_BOUND_MS 10000

static double
served (int port)
{
    return chaos_rig_metric (port, "hr_request_seconds_count");
}

START_TEST (test_kill_one_replica_of_each)
{
    chaos_rig_config_t config = { .name = "replicas", .pg_port = 55454, .redis_port = 56404,
                                  .gw_port = GW1, .broker_port = 5640, .metrics_base = METRICS,
                                  .standalone_broker = true };
    chaos_rig = chaos_rig_new (&config);
    ck_assert_msg (chaos_rig != NULL, "the stack did not start");
    ck_assert_int_eq (chaos_rig_gateway2 (chaos_rig), 0);
    int one[NSTRATEGIES];
    for (int i = 0; i < NSTRATEGIES; i++) {
        one[i] = chaos_rig_workers (GW1, strategies[i]);
        ck_assert_msg (one[i] > 0, "no %s workers at start", strategies[i]);
    }
    const char *services[] = { "interactions-svc", "content-svc", "trending-svc", "rules-svc", "collab-svc" };
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq (chaos_rig_replica (chaos_rig, services[i], 2), 0);
    for (int i = 0; i < NSTRATEGIES; i++)
        for (int gw = GW1; gw <= GW1 + 1; gw++)
            ck_assert_msg (chaos_rig_wait_workers (gw, strategies[i], 2 * one[i], 30000) == 0,
                           "gateway %d: %s has %d workers, not %d, with two replicas", gw, strategies[i],
                           chaos_rig_workers (gw, strategies[i]), 2 * one[i]);

    int ports[] = { GW1, GW1 + 1 };
    chaos_load = chaos_load_new (ports, 2, 4, "screp");
    ck_assert_ptr_nonnull (chaos_load);
    ck_assert_int_eq (chaos_load_start (chaos_load), 0);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 150, 30000) == 0, "no steady load");
    /*  Both replicas take work (waited for, bounded: a gateway's event
        loop asks trending about once a second while it draws /home's
        picks itself, gateway/api/gw_diverse.h).                           */
    for (int i = 0; i < NSTRATEGIES; i++)
        for (int r = 0; r < 2; r++) {
            long long until = chaos_now_ms () + 30000;
            while (!(served (METRICS + 10 * r + offset[i]) > 0)) {
                ck_assert_msg (chaos_now_ms () < until, "replica %d of %s served nothing in 30 s", r + 1,
                               strategies[i]);
                usleep (100 * 1000);
            }
        }

    chaos_load_note (chaos_load, "SIGKILL replica 1 of content, trending, rules, collab");
    long long killed = chaos_now_ms ();
    for (int i = 0; i < NSTRATEGIES; i++)
        ck_assert_int_eq (chaos_rig_kill (chaos_rig, services[offset[i]]), 0);
    for (int i = 0; i < NSTRATEGIES; i++)
        for (int gw = GW1; gw <= GW1 + 1; gw++) {
            long long left = killed + DROP_BOUND_MS - chaos_now_ms ();
            ck_assert_msg (chaos_rig_wait_workers (gw, strategies[i], one[i], left > 0 ? (int) left : 1) == 0,
                           "gateway %d: %s still has %d workers %d ms after the kill", gw, strategies[i],
                           chaos_rig_workers (gw, strategies[i]), DROP_BOUND_MS);
        }
    fprintf (stderr, "dead replicas dropped after %lld ms\n", chaos_now_ms () - killed);
    chaos_load_note (chaos_load, "dead replicas dropped");
    /*  The survivors carry the work: whole answers, growing counts.  */
    double before[NSTRATEGIES];
    for (int i = 0; i < NSTRATEGIES; i++)
        before[i] = served (METRICS + 10 + offset[i]);
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_HOME_HISTORY, true, 10000) == 0, "/home not whole again");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_PRODUCT, true, 10000) == 0, "/product not whole again");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_SEARCH, true, 10000) == 0, "/search not whole again");
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 200, 30000) == 0, "no load on the survivors");
    /*  waited for, bounded: a gateway loop asks trending about once a
        second (HR_GATEWAY_DIVERSE_LOCAL_MS), so 200 requests may not    */
    for (int i = 0; i < NSTRATEGIES; i++) {
        long long until = chaos_now_ms () + 30000;
        while (!(served (METRICS + 10 + offset[i]) > before[i])) {
            ck_assert_msg (chaos_now_ms () < until, "the surviving %s replica took no work in 30 s",
                           strategies[i]);
            usleep (100 * 1000);
        }
    }

    chaos_load_note (chaos_load, "restart the killed replicas");
    for (int i = 0; i < NSTRATEGIES; i++)
        ck_assert_int_eq (chaos_rig_restart (chaos_rig, services[offset[i]]), 0);
    for (int i = 0; i < NSTRATEGIES; i++)
        for (int gw = GW1; gw <= GW1 + 1; gw++)
            ck_assert_msg (chaos_rig_wait_workers (gw, strategies[i], 2 * one[i], 30000) == 0,
                           "gateway %d: %s has %d workers 30 s after the restart, not %d", gw, strategies[i],
                           chaos_rig_workers (gw, strategies[i]), 2 * one[i]);
    chaos_load_note (chaos_load, "replicas rejoined");
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 300, 30000) == 0, "no load after the rejoin");
    for (int i = 0; i < NSTRATEGIES; i++) {
        long long until = chaos_now_ms () + 30000;
        while (!(served (METRICS + offset[i]) > 0)) {
            ck_assert_msg (chaos_now_ms () < until, "the restarted %s replica took no work in 30 s",
                           strategies[i]);
            usleep (100 * 1000);
        }
    }
    chaos_check_finish ("replicas");
}
END_TEST

int
main (void)
{
    return chaos_check_run ("scale_replicas", test_kill_one_replica_of_each, 240);
}
