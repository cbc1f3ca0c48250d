/*  Chaos: one service is frozen with SIGSTOP (its connection stays open, it
    just stops answering) and thawed with SIGCONT, under load.  First a
    strategy service (content-svc): reads answer 200 within the deadline,
    listing it in "degraded", no 503.  Then interactions-svc: writes time
    out as 503 (a write the frozen service commits after SIGCONT is allowed,
    an acknowledged one that is lost is not).  Each recovers on its own.   */
#include <check.h>
#include <stdio.h>
#include <unistd.h>
#include "chaos_check.h"

static void
freeze (const char *service, int seconds)
{
    char note[128];
    snprintf (note, sizeof note, "SIGSTOP %s", service);
    chaos_load_note (chaos_load, note);
    ck_assert_int_eq (chaos_rig_signal (chaos_rig, service, "STOP"), 0);
    sleep ((unsigned) seconds);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 100, 20000) == 0,
                   "the load stalled with %s stopped", service);
    snprintf (note, sizeof note, "SIGCONT %s", service);
    chaos_load_note (chaos_load, note);
    ck_assert_int_eq (chaos_rig_signal (chaos_rig, service, "CONT"), 0);
}

START_TEST (test_sigstop_sigcont)
{
    chaos_rig_config_t config = { .name = "sigstop", .pg_port = 55453, .redis_port = 56403,
                                  .gw_port = 8130, .broker_port = 5630, .metrics_base = 9290 };
    chaos_rig = chaos_rig_new (&config);
    ck_assert_msg (chaos_rig != NULL, "the stack did not start");
    int port = config.gw_port;
    chaos_load = chaos_load_new (&port, 1, 4, "chstop");
    ck_assert_ptr_nonnull (chaos_load);
    ck_assert_int_eq (chaos_load_start (chaos_load), 0);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 150, 30000) == 0, "no steady load");
    sleep (2);

    /*  Past the broker's liveness window (3 s), so the broker gives up on
        the frozen replica too and must take it back after SIGCONT.  */
    freeze ("content-svc", 5);
    ck_assert_msg (chaos_rig_wait_ready (port, 30000) == 0, "/readyz not 200 30 s after SIGCONT");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_PRODUCT, true, 30000) == 0,
                   "/product still degraded 30 s after SIGCONT to content-svc");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_SEARCH, true, 30000) == 0,
                   "/search still degraded 30 s after SIGCONT to content-svc");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_HOME_HISTORY, true, 30000) == 0,
                   "/home still degraded 30 s after SIGCONT to content-svc");
    sleep (2);

    chaos_load_allow (chaos_load, CHAOS_ALLOW_POST_503);
    freeze ("interactions-svc", 5);
    ck_assert_msg (chaos_rig_wait_ready (port, 30000) == 0, "/readyz not 200 30 s after SIGCONT");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_POST, true, 30000) == 0,
                   "no interaction acknowledged 30 s after SIGCONT to interactions-svc");
    ck_assert_msg (chaos_load_wait (chaos_load, CHAOS_HOME_HISTORY, true, 30000) == 0,
                   "/home with history still degraded 30 s after SIGCONT to interactions-svc");
    chaos_load_allow (chaos_load, 0);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 150, 30000) == 0, "no load after recovery");
    sleep (2);
    chaos_check_finish ("sigstop");
}
END_TEST

int
main (void)
{
    return chaos_check_run ("chaos_sigstop", test_sigstop_sigcont, 240);
}
