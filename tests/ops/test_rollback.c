/*  `hybridrec models rollback`: with two content replicas serving a newer
    version, rolling back makes /home serve the older model's answers within
    5 s (the bound), both replicas on it, same pids (no restart).

    The two versions differ visibly: version 1 keeps 60 neighbours per
    product, version 2 one, so a user who clicked one product gets several
    content-explained items in /home under version 1 and at most one under
    version 2.                                                              */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "chaos_check.h"
#include "http_client.h"

#define GW 8180
#define METRICS 9440
#define CONTENT 1
#define ROLLBACK_BOUND_MS 5000

static int
wait_metric (int port, const char *name, double want, int timeout_ms)
{
    long long until = chaos_now_ms () + timeout_ms;
    do {
        if (chaos_rig_metric (port, name) == want)
            return 0;
        usleep (100 * 1000);
    } while (chaos_now_ms () < until);
    return -1;
}

//  Personalized items of /home that content similarity put there; -1 on error.
static int
content_items (const char *user)
{
    hr_http_t *c = hr_http_new ("127.0.0.1", GW);
    char target[256];
    snprintf (target, sizeof target, "/recommendations/home?user_id=%s&explain=true", user);
    hr_http_response_t res;
    int n = -1;
    if (hr_http_request (c, "GET", target, NULL, NULL, 0, &res) == 0) {
        if (res.status == 200 && res.body && !strstr (res.body, "\"degraded\"")) {
            n = 0;
            for (const char *p = res.body; (p = strstr (p, "\"strategy\":\"content\"")); p++)
                n++;
        }
        hr_http_response_free (&res);
    }
    hr_http_destroy (&c);
    return n;
}

//  Every one of `rounds` consecutive answers satisfies lo <= n <= hi.
static bool
home_in (const char *user, int lo, int hi, int rounds)
{
    for (int i = 0; i < rounds; i++) {
        int n = content_items (user);
        if (n < lo || n > hi)
            return false;
    }
    return true;
}

START_TEST (test_rollback_reaches_every_replica)
{
    chaos_rig_config_t config = { .name = "rollback", .pg_port = 55471, .redis_port = 56421,
                                  .gw_port = GW, .broker_port = 5680, .metrics_base = METRICS };
    chaos_rig = chaos_rig_new (&config);
    ck_assert_msg (chaos_rig != NULL, "the stack did not start");
    const char *bin = chaos_rig_bin_dir (chaos_rig);
    int workers = chaos_rig_workers (GW, "content");
    ck_assert_int_gt (workers, 0);
    ck_assert_int_eq (chaos_rig_replica (chaos_rig, "content-svc", 2), 0);
    ck_assert_msg (chaos_rig_wait_workers (GW, "content", 2 * workers, 30000) == 0,
                   "the second content replica did not register");
    for (int r = 0; r < 2; r++)
        ck_assert_msg (wait_metric (METRICS + 10 * r + CONTENT, "hr_content_model_version", 1, 60000) == 0,
                       "content replica %d does not serve version 1", r + 1);
    int pids[2] = { chaos_rig_pid (chaos_rig, "content-svc"), chaos_rig_pid (chaos_rig, "content-svc.2") };

    //  One click, then /home under version 1
    const char *user = "opsrollback1";
    char cmd[1024];
    snprintf (cmd, sizeof cmd, "curl -fsS -o /dev/null -H 'Content-Type: application/json' -d "
              "\"{\\\"user_id\\\":\\\"%s\\\",\\\"event_type\\\":\\\"product_click\\\",\\\"product_id\\\":"
              "\\\"$(psql -qtA \"$DATABASE_URL\" -c 'SELECT id FROM products ORDER BY id LIMIT 1')\\\"}\""
              " http://127.0.0.1:%d/api/v1/interactions/interactions", user, GW);
    ck_assert_int_eq (chaos_rig_sh (chaos_rig, cmd), 0);
    int v1 = -1;
    for (int i = 0; i < 100 && v1 < 2; i++, usleep (100 * 1000))
        v1 = content_items (user);
    ck_assert_msg (v1 >= 2, "version 1: %d content items in /home, wanted several", v1);

    //  Version 2: one neighbour per product
    snprintf (cmd, sizeof cmd, "%s/hybridrec train content --k 1 --lsa-dim 0 >/dev/null", bin);
    ck_assert_int_eq (chaos_rig_sh (chaos_rig, cmd), 0);
    for (int r = 0; r < 2; r++)
        ck_assert_msg (wait_metric (METRICS + 10 * r + CONTENT, "hr_content_model_version", 2, 60000) == 0,
                       "content replica %d did not load version 2", r + 1);
    ck_assert_msg (home_in (user, 0, 1, 6), "version 2 still lists several content items");

    //  Roll back: both replicas and /home on version 1 within the bound
    long long t0 = chaos_now_ms ();
    snprintf (cmd, sizeof cmd, "%s/hybridrec models rollback content 1", bin);
    ck_assert_int_eq (chaos_rig_sh (chaos_rig, cmd), 0);
    bool back = false;
    while (!back && chaos_now_ms () - t0 < ROLLBACK_BOUND_MS) {
        back = chaos_rig_metric (METRICS + CONTENT, "hr_content_model_version") == 1
               && chaos_rig_metric (METRICS + 10 + CONTENT, "hr_content_model_version") == 1
               && home_in (user, 2, 1000, 6);
        if (!back)
            usleep (100 * 1000);
    }
    long long took = chaos_now_ms () - t0;
    fprintf (stderr, "rollback: /home back on version 1 after %lld ms\n", took);
    ck_assert_msg (back, "/home not on version 1 %d ms after the rollback", ROLLBACK_BOUND_MS);
    ck_assert_int_eq (chaos_rig_pid (chaos_rig, "content-svc"), pids[0]);
    ck_assert_int_eq (chaos_rig_pid (chaos_rig, "content-svc.2"), pids[1]);
    snprintf (cmd, sizeof cmd, "%s/hybridrec models list | grep -E '^content +1\\* .*\\(pinned\\)'", bin);
    ck_assert_int_eq (chaos_rig_sh (chaos_rig, cmd), 0);
    chaos_rig_stop_processes (chaos_rig);
    static char reports[8192];
    int nreports = chaos_rig_sanitizer_reports (chaos_rig, reports, sizeof reports);
    ck_assert_msg (nreports == 0, "sanitizer reports:\n%.1500s", reports);
    chaos_rig_destroy (&chaos_rig);
}
END_TEST

int
main (void)
{
    return chaos_check_run ("ops_rollback", test_rollback_reaches_every_replica, 280);
}
