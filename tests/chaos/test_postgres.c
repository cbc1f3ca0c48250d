/*  Chaos: PostgreSQL restarts under load (pg_ctl restart -m fast), then is
    down for a few seconds.  While it cannot commit, a POST answers 503 —
    never 200 for an event that is then lost; reads answer 200 (degraded at
    worst: histories live in PostgreSQL); everything recovers on its own.  */
#include <check.h>
#include <unistd.h>
#include "chaos_check.h"

static void
expect_recovery (chaos_load_t *load, const char *after)
{
    ck_assert_msg (chaos_load_wait (load, CHAOS_POST, true, 30000) == 0,
                   "no interaction acknowledged within 30 s after %s", after);
    ck_assert_msg (chaos_load_wait (load, CHAOS_HOME_HISTORY, true, 30000) == 0,
                   "/home with history still degraded 30 s after %s", after);
    ck_assert_msg (chaos_load_wait (load, CHAOS_PRODUCT, true, 30000) == 0,
                   "/product still degraded 30 s after %s", after);
    ck_assert_msg (chaos_load_wait (load, CHAOS_SEARCH, true, 30000) == 0,
                   "/search still degraded 30 s after %s", after);
}

START_TEST (test_postgres_restart)
{
    chaos_rig_config_t config = { .name = "pg", .pg_port = 55451, .redis_port = 56401,
                                  .gw_port = 8110, .broker_port = 5610, .metrics_base = 9230 };
    chaos_rig = chaos_rig_new (&config);
    ck_assert_msg (chaos_rig != NULL, "the stack did not start");
    int port = config.gw_port;
    chaos_load = chaos_load_new (&port, 1, 4, "chpg");
    ck_assert_ptr_nonnull (chaos_load);
    ck_assert_int_eq (chaos_load_start (chaos_load), 0);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 150, 30000) == 0, "no steady load");
    sleep (2);

    /*  A fast restart: connections are cut, commits in flight fail.      */
    chaos_load_allow (chaos_load, CHAOS_ALLOW_POST_503);
    ck_assert_int_eq (chaos_rig_pg_restart (chaos_rig), 0);
    expect_recovery (chaos_load, "the restart");
    chaos_load_allow (chaos_load, 0);
    sleep (2);

    /*  A longer outage: every write in it must be refused, none acked.   */
    chaos_load_allow (chaos_load, CHAOS_ALLOW_POST_503);
    ck_assert_int_eq (chaos_rig_pg_stop (chaos_rig), 0);
    long acked = chaos_load_acked (chaos_load);
    sleep (4);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 100, 20000) == 0,
                   "the load stalled with PostgreSQL down");
    /*  (An event acked in the first instant of the stop may have committed
        just before it; more than a handful cannot have.)  */
    ck_assert_msg (chaos_load_acked (chaos_load) - acked <= 4,
                   "%ld interactions acknowledged while PostgreSQL was down",
                   chaos_load_acked (chaos_load) - acked);
    ck_assert_int_eq (chaos_rig_pg_start (chaos_rig), 0);
    expect_recovery (chaos_load, "PostgreSQL came back");
    chaos_load_allow (chaos_load, 0);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 150, 30000) == 0, "no load after recovery");
    sleep (2);
    chaos_check_finish ("postgres");
}
END_TEST

int
main (void)
{
    return chaos_check_run ("chaos_postgres", test_postgres_restart, 240);
}
