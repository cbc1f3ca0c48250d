/*  `hybridrec capacity` against a private deployment (two gateways with
    their brokers, the mesh of docs/scaling.md; two content replicas, one of
    every other service) under a little load through both gateways (the
    chaos mix, two client threads): one row per gateway, per broker and per
    service replica, every number present and sane (the CPU in [0, this
    machine's cores], headroom in [0, capacity] and as computed from the
    CPU per request), per tier the sum of its processes, the tier that runs
    out first named; an unreachable target is reported as such, and
    nothing reachable at all is exit 1.  No timed assertions: the load only
    has to have made some requests before the window.                      */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "chaos_check.h"
#include "http_client.h"

#define GW 8196                 /* and GW + 1: the second gateway */
#define METRICS 9540            /* the second content replica: METRICS + 10 + 1 */
#define ROWS 10                 /* 2 gateways, 2 brokers, 6 service replicas */

static char s_cmd[4096];

//  Formats a shell command into s_cmd; a command that does not fit fails the test.
static void s_cmd_fmt (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
static void
s_cmd_fmt (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    int n = vsnprintf (s_cmd, sizeof s_cmd, fmt, ap);
    va_end (ap);
    ck_assert_msg (n >= 0 && (size_t) n < sizeof s_cmd, "command too long");
}

static const char *
s_env (const char *services)
{
    static char env[512];
    if (!services) {
        snprintf (env, sizeof env, "HR_CAPACITY_GATEWAYS=127.0.0.1:%d,127.0.0.1:%d "
                  "HR_CAPACITY_SERVICES=127.0.0.1:%d", GW, GW + 1, METRICS + 11);
        for (int i = 0; i < 5; i++)
            snprintf (env + strlen (env), sizeof env - strlen (env), ",127.0.0.1:%d", METRICS + i);
    }
    else
        snprintf (env, sizeof env, "HR_CAPACITY_GATEWAYS=%s HR_CAPACITY_SERVICES=%s", services, services);
    return env;
}

static json_t *
s_run_json (const char *file)
{
    s_cmd_fmt ("%s %s/hybridrec capacity --json --interval 2 >%s",
              s_env (NULL), chaos_rig_bin_dir (chaos_rig), file);
    ck_assert_int_eq (chaos_rig_sh (chaos_rig, s_cmd), 0);
    json_error_t err;
    json_t *doc = json_load_file (file, 0, &err);
    ck_assert_msg (doc != NULL, "capacity --json: %s", err.text);
    return doc;
}

static double
s_num (json_t *o, const char *key)
{
    json_t *v = json_object_get (o, key);
    ck_assert_msg (json_is_number (v), "%s missing or not a number", key);
    double x = json_number_value (v);
    ck_assert_msg (isfinite (x), "%s is not finite", key);
    return x;
}

START_TEST (test_capacity_live)
{
    chaos_rig_config_t config = { .name = "capacity", .pg_port = 55473, .redis_port = 56423,
                                  .gw_port = GW, .broker_port = 5696, .metrics_base = METRICS,
                                  .mesh_gateways = 2 };
    chaos_rig = chaos_rig_new (&config);
    ck_assert_msg (chaos_rig != NULL, "the stack did not start");
    ck_assert_int_eq (chaos_rig_gateway (chaos_rig, 2), 0);
    int one = chaos_rig_workers (GW, "content");
    ck_assert_int_gt (one, 0);
    ck_assert_int_eq (chaos_rig_replica (chaos_rig, "content-svc", 2), 0);
    int ports[2] = { GW, GW + 1 };
    for (int g = 0; g < 2; g++)
        ck_assert_msg (chaos_rig_wait_workers (ports[g], "content", 2 * one, 60000) == 0,
                       "the second content replica did not register with gateway %d", ports[g]);
    chaos_load = chaos_load_new (ports, 2, 2, "capacity");
    ck_assert_ptr_nonnull (chaos_load);
    ck_assert_int_eq (chaos_load_start (chaos_load), 0);
    ck_assert_msg (chaos_load_wait_requests (chaos_load, 40, 120000) == 0, "no load went through");

    char file[256];
    snprintf (file, sizeof file, "/tmp/hr-capacity-%d.json", (int) getpid ());
    json_t *doc = s_run_json (file);
    double cores = (double) sysconf (_SC_NPROCESSORS_ONLN);
    ck_assert_double_eq (s_num (doc, "interval_s"), 2);
    json_t *rows = json_object_get (doc, "processes");
    ck_assert_int_eq ((int) json_array_size (rows), ROWS);
    const char *want[] = { "gateway", "broker", "interactions", "content", "trending", "rules", "collab" };
    for (size_t w = 0; w < sizeof want / sizeof *want; w++) {
        bool seen = false;
        size_t i;
        json_t *r;
        json_array_foreach (rows, i, r) {
            if (strcmp (json_string_value (json_object_get (r, "role")), want[w]) != 0)
                continue;
            seen = true;
            double busy = s_num (r, "busy_cores"), rate = s_num (r, "rate_per_s");
            double each = s_num (r, "cpu_ms_each"), capacity = s_num (r, "capacity_per_s");
            double headroom = s_num (r, "headroom_per_s"), http = s_num (r, "headroom_http_per_s");
            s_num (r, "model_cpu_ms_each");
            double live_ms = s_num (r, "live_cpu_ms_each");
            ck_assert_msg (live_ms >= 0 && (rate > 0 || live_ms == 0), "%s: live %.4f ms each", want[w], live_ms);
            double util = s_num (r, "utilisation");
            ck_assert_msg (util >= 0 && util <= cores, "%s: utilisation %.3f", want[w], util);
            ck_assert_msg (busy >= 0 && busy <= cores, "%s: %.3f cores busy of %.0f", want[w], busy, cores);
            ck_assert_msg (rate >= 0, "%s: rate %.1f", want[w], rate);
            ck_assert_msg (each > 0 && capacity > 0, "%s: %.3f ms each, capacity %.1f/s", want[w], each, capacity);
            ck_assert_msg (headroom >= 0 && headroom <= capacity + 1e-6, "%s: headroom %.1f of capacity %.1f",
                           want[w], headroom, capacity);
            ck_assert_msg (http >= 0, "%s: HTTP headroom %.1f", want[w], http);
            const char *basis = json_string_value (json_object_get (r, "basis"));
            ck_assert_msg (basis && (!strcmp (basis, "live") || !strcmp (basis, "model")), "%s: basis", want[w]);
            if (!strcmp (want[w], "gateway") || !strcmp (want[w], "broker"))
                ck_assert_msg (rate > 0 && busy > 0, "%s: no traffic or no CPU seen under load (%.1f/s, %.4f cores)",
                               want[w], rate, busy);
            //  The arithmetic: CPU per request from the window when live,
            //  headroom = the cores left / the CPU per request
            if (rate > 0)
                ck_assert_msg (fabs (live_ms - 1000 * busy / rate) <= 1e-3 * live_ms + 1e-6,
                               "%s: %.4f ms each, %.4f cores at %.2f/s", want[w], live_ms, busy, rate);
            ck_assert_msg (fabs (each - (!strcmp (basis, "live") ? live_ms : s_num (r, "model_cpu_ms_each"))) <= 1e-6 * each,
                           "%s: %.4f ms each on the %s basis", want[w], each, basis);
            double allowed = !strcmp (want[w], "gateway") ? s_num (doc, "cores_per_gateway")
                           : !strcmp (want[w], "broker") ? s_num (doc, "broker_target") : s_num (doc, "cores_per_replica");
            double expect = busy < allowed ? 1000 * (allowed - busy) / each : 0;
            ck_assert_msg (fabs (headroom - expect) <= 1e-3 * (expect + 1), "%s: headroom %.2f, expected %.2f",
                           want[w], headroom, expect);
            ck_assert_msg (fabs (util - busy / allowed) <= 1e-6, "%s: utilisation %.4f of %.2f cores", want[w], util, allowed);
        }
        ck_assert_msg (seen, "no row for %s", want[w]);
    }
    //  Per tier: its processes, and the sum of their headroom
    json_t *tiers = json_object_get (doc, "tiers");
    size_t k;
    json_t *tier;
    json_array_foreach (tiers, k, tier) {
        const char *name = json_string_value (json_object_get (tier, "tier"));
        int want_n = !strcmp (name, "gateway") || !strcmp (name, "broker") || !strcmp (name, "content") ? 2 : 1;
        ck_assert_int_eq ((int) json_integer_value (json_object_get (tier, "processes")), want_n);
        double sum = 0;
        size_t i;
        json_t *r;
        json_array_foreach (rows, i, r)
            if (!strcmp (json_string_value (json_object_get (r, "role")), name))
                sum += s_num (r, "headroom_http_per_s");
        ck_assert_msg (fabs (s_num (tier, "headroom_http_per_s") - sum) <= 1e-3 * (sum + 1),
                       "%s: tier headroom %.2f, rows %.2f", name, s_num (tier, "headroom_http_per_s"), sum);
    }
    json_t *first = json_object_get (doc, "first_to_run_out");
    ck_assert_msg (json_is_object (first), "no first_to_run_out");
    ck_assert (s_num (first, "headroom_http_per_s") >= 0);
    ck_assert_int_eq ((int) json_array_size (json_object_get (doc, "unreachable")), 0);
    ck_assert_int_eq ((int) json_array_size (json_object_get (doc, "tiers")), 7);
    json_decref (doc);

    //  The table: one line per process and the verdict
    s_cmd_fmt ("%s %s/hybridrec capacity --interval 1 >%s.txt && "
              "grep -Eq '^127\\.0\\.0\\.1:%d +content +[0-9.]+ +[0-9.]+ +[0-9]+%% ' %s.txt && "
              "grep -q '^first to run out: ' %s.txt",
              s_env (NULL), chaos_rig_bin_dir (chaos_rig), file, METRICS + 1, file, file);
    ck_assert_int_eq (chaos_rig_sh (chaos_rig, s_cmd), 0);

    //  A target that does not answer is listed, the others still measured;
    //  none answering at all is a failure
    s_cmd_fmt ("HR_CAPACITY_GATEWAYS=127.0.0.1:%d HR_CAPACITY_SERVICES=127.0.0.1:1,127.0.0.1:%d "
              "%s/hybridrec capacity --json --interval 0.5 >%s && grep -q '\"unreachable\":\\[\"127.0.0.1:1\"\\]' %s",
              GW, METRICS + 1, chaos_rig_bin_dir (chaos_rig), file, file);
    ck_assert_int_eq (chaos_rig_sh (chaos_rig, s_cmd), 0);
    s_cmd_fmt ("%s %s/hybridrec capacity --interval 0.2 >/dev/null", s_env ("127.0.0.1:1"),
              chaos_rig_bin_dir (chaos_rig));
    ck_assert_int_ne (chaos_rig_sh (chaos_rig, s_cmd), 0);
    s_cmd_fmt ("rm -f %s %s.txt", file, file);
    chaos_rig_sh (chaos_rig, s_cmd);

    chaos_load_stop (chaos_load);
    chaos_load_destroy (&chaos_load);
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
    return chaos_check_run ("ops_capacity", test_capacity_live, 280);
}
