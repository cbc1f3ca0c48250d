/*  Chaos: the standalone broker (hybridrec-broker; the gateway runs with
    HR_GATEWAY_EMBED_BROKER=0) is SIGKILLed under load and restarted.
    While it is gone no service is reachable: reads answer 200 degraded or
    503 (nothing useful), writes 503 — none acknowledged and lost, none
    hanging.  After the restart the gateway and every service reconnect on
    their own and answers are whole again.                                  */
#include <check.h>
#include <unistd.h>
#include "chaos_check.h"

START_TEST (test_broker_sigkill_and_restart)
{
    chaos_rig_config_t config = { .name = "broker", .pg_port = 55452, .redis_port = 56402,
                                  .gw_port = 8120, .broker_port = 5620, .metrics_base = 9260,
                                  .standalone_broker = true };
    chaos_rig = chaos_rig_new (&config);
    ck_assert_msg (chaos_rig != NULL, "the stack did not start");
    int port = config.gw_port;
    chaos_load = chaos_load_new (&port, 1, 4, "chbroker");
    ck_assert_ptr_nonnull (chaos_load);
    ck_assert_int_eq (chaos_load_start (chaos_load), 0);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 150, 30000) == 0, "no steady load");
    sleep (2);

    chaos_load_allow (chaos_load, CHAOS_ALLOW_POST_503 | CHAOS_ALLOW_GET_503);
    ck_assert_int_eq (chaos_rig_kill (chaos_rig, "hybridrec-broker"), 0);
    sleep (4);                  /* past the heartbeat liveness window (3 s) */
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 100, 20000) == 0,
                   "the load stalled with the broker down");
    int status;
    json_decref (chaos_rig_readyz (port, &status));
    ck_assert_msg (status == 503, "/readyz says %d with the broker dead", status);

    ck_assert_int_eq (chaos_rig_restart (chaos_rig, "hybridrec-broker"), 0);
    ck_assert_msg (chaos_rig_wait_ready (port, 30000) == 0, "/readyz not 200 30 s after the broker restart");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_POST, true, 30000) == 0,
                   "no interaction acknowledged 30 s after the broker restart");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_HOME_HISTORY, true, 30000) == 0,
                   "/home with history still degraded 30 s after the broker restart");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_PRODUCT, true, 30000) == 0, "/product still degraded");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_SEARCH, true, 30000) == 0, "/search still degraded");
    chaos_load_allow (chaos_load, 0);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 150, 30000) == 0, "no load after recovery");
    sleep (2);
    chaos_check_finish ("broker");
}
END_TEST

int
main (void)
{
    return chaos_check_run ("chaos_broker", test_broker_sigkill_and_restart, 240);
}
