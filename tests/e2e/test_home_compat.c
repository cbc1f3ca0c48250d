/*  End-to-end: /home in front of a trending-svc that does not know
    home_picks (a rolling upgrade that rolled the gateway first;
    gateway/api/gw_home_picks.h).  The real trending-svc is restarted with
    HR_TRENDING_DISABLE_METHODS=home_picks (the test/compatibility knob:
    it then answers home_picks "unknown method" as an older one does); the
    gateway falls back to `home` and every page carries the trending
    sections byte for byte as with home_picks; each such page is counted
    in hr_gateway_home_picks_fallbacks_total.  Restarted without the knob
    (the upgrade), trending's home_picks is used again after the re-probe,
    with the same sections.  No click is made: the ranking stays the same
    throughout.  Every wait is on a condition, bounded at 60 s.
    The gateway runs with HR_GATEWAY_DIVERSE_LOCAL_MS=0: every page asks
    trending (a loop drawing the picks itself asks it about once a second,
    gw_diverse.h, and a whole page would not show that trending answered). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "e2e_stack.h"
#include "hr_test.h"          /* test_run */

#define PAGES 20

static char *s_sections;      /* the sections with home_picks (the reference) */

/*  The sample value of `series` in the /metrics of the listener on `port`
    (0 when absent).                                                       */
static double
metric_at (int port, const char *series)
{
    hr_http_response_t res;
    ck_assert_int_eq (hr_http_get ("127.0.0.1", port, "/metrics", &res), 0);
    ck_assert_int_eq (res.status, 200);
    double v = 0;
    for (const char *p = res.body; p && *p; p = strchr (p, '\n'), p = p ? p + 1 : NULL)
        if (!strncmp (p, series, strlen (series)) && p[strlen (series)] == ' ')
            v = atof (p + strlen (series) + 1);
    hr_http_response_free (&res);
    return v;
}

static double
fallbacks (void)
{
    return metric_at (e2e_port (), "hr_gateway_home_picks_fallbacks_total");
}

/*  trending-svc's answers to home_picks with `status` (its metrics
    listener: HR_METRICS_BASE + 2, the e2e stack's base is port + 10).     */
static double
trending_home_picks (const char *status)
{
    char series[160];
    snprintf (series, sizeof series,
              "hr_requests_total{service=\"trending\",method=\"home_picks\",status=\"%s\"}", status);
    return metric_at (e2e_port () + 12, series);
}

/*  Waits until trending-svc has counted a home_picks answer with `status`
    (it counts a request once its reply is sent).                          */
static void
wait_trending_home_picks (const char *status)
{
    long long start = e2e_now_ms ();
    while (!(trending_home_picks (status) > 0)) {
        ck_assert_msg (e2e_now_ms () - start < 60000, "waited 60 s for a home_picks answer %s", status);
        usleep (20000);
    }
}

/*  GET /home of a user without history: the non-personal sections as
    sent (,"trending":..,"best_value":..,"top_categories":{..}), malloc'd;
    NULL when the page is not whole (not 200, or something degraded).     */
static char *
sections (void)
{
    hr_http_response_t res = e2e_request ("GET", "/recommendations/home?user_id=e2ecompat", NULL, NULL);
    char *out = NULL;
    static const char head[] = "{\"personalized\":[]";
    const char *tail = res.body ? strstr (res.body, ",\"diverse_picks\":") : NULL;
    if (res.status == 200 && !strncmp (res.body, head, sizeof head - 1) && tail
        && !strstr (tail, "\"degraded\"")) {
        const char *from = res.body + sizeof head - 1;
        out = strndup (from, (size_t) (tail - from));
    }
    hr_http_response_free (&res);
    return out;
}

static bool
sections_are_reference (void)
{
    char *s = sections ();
    bool same = s && !strcmp (s, s_sections);
    free (s);
    return same;
}

/*  Restarts trending-svc, with `disable` as HR_TRENDING_DISABLE_METHODS
    (NULL: without it), and waits for a whole /home with the reference
    sections.  */
static void
restart_trending (const char *disable)
{
    ck_assert_int_eq (e2e_suite ("kill", "trending-svc"), 0);
    if (disable)
        setenv ("HR_TRENDING_DISABLE_METHODS", disable, 1);
    int rc = e2e_suite ("restart", "trending-svc");
    unsetenv ("HR_TRENDING_DISABLE_METHODS");
    ck_assert_int_eq (rc, 0);
    long long start = e2e_now_ms ();
    while (!sections_are_reference ()) {
        ck_assert_msg (e2e_now_ms () - start < 60000, "waited 60 s for a whole /home after the restart");
        usleep (20000);
    }
    printf ("home compat: whole /home %lld ms after restarting trending-svc%s%s\n", e2e_now_ms () - start,
            disable ? " with HR_TRENDING_DISABLE_METHODS=" : "", disable ? disable : "");
}

START_TEST (test_stack_starts)
{
    ck_assert_int_eq (e2e_stack_start (), 0);
}
END_TEST

START_TEST (test_home_picks_reference)
{
    long long start = e2e_now_ms ();
    while (!(s_sections = sections ())) {
        ck_assert_msg (e2e_now_ms () - start < 60000, "waited 60 s for a whole /home");
        usleep (20000);
    }
    ck_assert_msg (strstr (s_sections, ",\"trending\":[{") && strstr (s_sections, ",\"best_value\":[{"),
                   "no trending sections: %.200s", s_sections);
    ck_assert (sections_are_reference ());
    ck_assert (fallbacks () == 0);
    wait_trending_home_picks ("ok");
}
END_TEST

START_TEST (test_older_trending_falls_back_to_home)
{
    ck_assert_ptr_nonnull (s_sections);
    restart_trending ("home_picks");
    /*  The real service refuses home_picks as one without it does ...    */
    wait_trending_home_picks ("bad_request");
    ck_assert (trending_home_picks ("ok") == 0);
    /*  ... and every page still carries the sections, each counted once
        (the first of a loop after a failed home_picks, the next ones
        asking `home` straight away).                                      */
    double before = fallbacks ();
    ck_assert (before > 0);
    for (int i = 0; i < PAGES; i++)
        ck_assert_msg (sections_are_reference (), "page %d: not whole, or other sections", i);
    ck_assert_msg (fallbacks () == before + PAGES, "fallbacks %g -> %g over %d pages", before, fallbacks (), PAGES);
    printf ("home compat: %d pages through home, fallbacks %g -> %g; home_picks refused %g times\n", PAGES, before,
            fallbacks (), trending_home_picks ("bad_request"));
}
END_TEST

START_TEST (test_upgraded_trending_is_used_again)
{
    ck_assert_ptr_nonnull (s_sections);
    restart_trending (NULL);
    /*  Each loop asks home_picks again at its re-probe (after
        GW_HOME_PICKS_REPROBE_PAGES pages or _MS): then pages stop falling
        back.  Waits for PAGES pages in a row without a fallback.          */
    long long start = e2e_now_ms ();
    int quiet = 0;
    while (quiet < PAGES) {
        ck_assert_msg (e2e_now_ms () - start < 60000, "waited 60 s for home_picks to be used again");
        double before = fallbacks ();
        ck_assert (sections_are_reference ());
        quiet = fallbacks () == before ? quiet + 1 : 0;
    }
    printf ("home compat: home_picks used again %lld ms after the restart\n", e2e_now_ms () - start);
    wait_trending_home_picks ("ok");
    ck_assert (trending_home_picks ("bad_request") == 0);
}
END_TEST

int
main (void)
{
    setenv ("HR_GATEWAY_DIVERSE_LOCAL_MS", "0", 1);
    int rc = test_run ("e2e_home_compat", 300, (const TTest *const[]) {
        test_stack_starts, test_home_picks_reference, test_older_trending_falls_back_to_home,
        test_upgraded_trending_is_used_again, NULL });
    e2e_stack_stop ();
    free (s_sections);
    return rc;
}
