/*  End-to-end: /home's personal lists kept by the gateway (issue 16,
    gateway/api/gw_home_cache.h) never outlive what they were computed
    from: after a click the next /home asks the services again at once
    (x-cache: miss) and then serves the new history's lists from the
    cache; after a new model version the cached lists stop within seconds
    and the new version's are cached.  The cache's time to live is set far
    above every wait here: only the invalidation can end a cached answer.
    Every wait is on a condition, bounded at 60 s; the delays are printed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "e2e_stack.h"
#include "hr_test.h"          /* test_run */

static char s_user[64];

/*  GET /home for `user` (explain=true: each item names its source): the
    status; the x-cache header in cache ("" when none); the body when
    asked (caller json_decref()s).  */
static int
home (const char *user, char *cache, size_t cap, json_t **body)
{
    char target[160];
    snprintf (target, sizeof target, "/recommendations/home?user_id=%s&explain=true", user);
    return e2e_get_cached (target, cache, cap, body);
}

static bool
home_is (const char *user, const char *want)
{
    char cache[16];
    return home (user, cache, sizeof cache, NULL) == 200 && !strcmp (cache, want);
}

static long long
wait_home (const char *user, const char *want, const char *what)
{
    long long start = e2e_now_ms ();
    while (!home_is (user, want)) {
        ck_assert_msg (e2e_now_ms () - start < 60000, "waited 60 s for %s", what);
        usleep (20000);
    }
    return e2e_now_ms () - start;
}

START_TEST (test_stack_starts)
{
    ck_assert_int_eq (e2e_stack_start (), 0);
}
END_TEST

START_TEST (test_click_asks_again_at_once)
{
    snprintf (s_user, sizeof s_user, "homecache%d", (int) getpid ());
    char cache[16];
    json_t *j = NULL;
    ck_assert_int_eq (home (s_user, cache, sizeof cache, &j), 200);
    ck_assert_str_eq (cache, "");           /* no history: nothing personal to cache */
    json_decref (j);
    /*  /home reads the last 50 events and asks for more items the more
        events there are: with 50 already, a click changes only the
        history's bytes, not the count asked (nor the number of events).  */
    for (int i = 0; i < 50; i++)
        e2e_click (s_user, e2e_some_product (i % 5));
    long long ms = wait_home (s_user, "hit", "a /home whose personal lists come from the cache");
    printf ("home cache: personal lists served from the cache after %lld ms\n", ms);
    ck_assert_int_eq (home (s_user, cache, sizeof cache, &j), 200);
    ck_assert_str_eq (cache, "hit");
    ck_assert_uint_gt (json_array_size (json_object_get (j, "personalized")), 0);
    json_decref (j);

    const char *pid = e2e_some_product (5);
    e2e_click (s_user, pid);
    ck_assert_int_eq (home (s_user, cache, sizeof cache, &j), 200);    /* at once: no wait */
    ck_assert_str_eq (cache, "miss");
    json_t *p = json_object_get (j, "personalized");
    ck_assert_uint_gt (json_array_size (p), 0);
    ck_assert (!e2e_has_id (p, pid));
    json_decref (j);
    ms = wait_home (s_user, "hit", "the new history's lists cached");
    printf ("home cache: the new history's lists cached after %lld ms\n", ms);
}
END_TEST

START_TEST (test_new_model_version_is_served)
{
    ck_assert (s_user[0]);
    wait_home (s_user, "hit", "a cached /home");
    ck_assert_int_eq (e2e_cli ("train rules"), 0);        /* a new rules model version */
    long long t0 = e2e_now_ms ();
    long long ms = wait_home (s_user, "miss", "the cached lists dropped for the new model version");
    printf ("home cache: a new rules model version stopped the cached lists after %lld ms\n", ms);
    wait_home (s_user, "hit", "the new version's lists cached again");
    printf ("home cache: cached again under the new version %lld ms after publishing\n", e2e_now_ms () - t0);
}
END_TEST

int
main (void)
{
    /*  Far above every wait: a cached answer ends only by invalidation.   */
    setenv ("HR_GATEWAY_CACHE_TTL_MS", "3600000", 1);
    int rc = test_run ("e2e_home_cache", 300, (const TTest *const[]) {
        test_stack_starts, test_click_asks_again_at_once, test_new_model_version_is_served, NULL });
    e2e_stack_stop ();
    return rc;
}
