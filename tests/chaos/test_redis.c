/*  Chaos: Redis is SIGKILLed under load and comes back.  Redis is only a
    cache: reads answer 200 (degraded at worst), writes keep committing to
    PostgreSQL (no 503), and everything is clean again once Redis is back.  */
#include <check.h>
#include <unistd.h>
#include "chaos_check.h"

START_TEST (test_redis_sigkill_and_restart)
{
    chaos_rig_config_t config = { .name = "redis", .pg_port = 55450, .redis_port = 56400,
                                  .gw_port = 8100, .broker_port = 5600, .metrics_base = 9200 };
    chaos_rig = chaos_rig_new (&config);
    ck_assert_msg (chaos_rig != NULL, "the stack did not start");
    int port = config.gw_port;
    chaos_load = chaos_load_new (&port, 1, 4, "chredis");
    ck_assert_ptr_nonnull (chaos_load);
    ck_assert_int_eq (chaos_load_start (chaos_load), 0);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 150, 30000) == 0, "no steady load");
    sleep (2);

    ck_assert_int_eq (chaos_rig_redis_kill (chaos_rig), 0);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 300, 30000) == 0, "the load stalled with Redis down");
    sleep (4);                  /* past Redis timeouts and reconnect attempts */
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_POST, true, 10000) == 0,
                   "no interaction acknowledged while Redis was down");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_HOME_HISTORY, false, 10000) == 0,
                   "no /home with history answered while Redis was down");

    ck_assert_int_eq (chaos_rig_redis_start (chaos_rig), 0);
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_HOME_HISTORY, true, 30000) == 0,
                   "/home with history still degraded 30 s after Redis came back");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_HOME_NEW, true, 30000) == 0, "/home still degraded");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_PRODUCT, true, 30000) == 0, "/product still degraded");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_SEARCH, true, 30000) == 0, "/search still degraded");
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 150, 30000) == 0, "no load after recovery");
    sleep (2);
    chaos_check_finish ("redis");
}
END_TEST

int
main (void)
{
    return chaos_check_run ("chaos_redis", test_redis_sigkill_and_restart, 240);
}
