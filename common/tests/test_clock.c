/*  hr_clock: the three units read one clock, in order, and agree with
    CLOCK_MONOTONIC itself; hr_clock_after is a deadline ms from now.      */
#include <check.h>
#include <time.h>
#include "hr_clock.h"

START_TEST (test_units_agree_and_never_go_back)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    int64_t before_ms = (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    int64_t ms = hr_mono_ms ();
    uint64_t ns = hr_mono_ns ();
    double s = hr_mono_s ();
    int64_t ms2 = hr_mono_ms ();
    ck_assert_int_ge (ms, before_ms);
    ck_assert_uint_ge (ns / 1000000, (uint64_t) ms);
    ck_assert (s * 1000.0 >= (double) (ns / 1000000) - 1.0);   /* double rounding */
    ck_assert (s * 1000.0 <= (double) ms2 + 1.0);
    ck_assert_int_ge (ms2, ms);
    uint64_t last = hr_mono_ns ();
    for (int i = 0; i < 10000; i++) {
        uint64_t now = hr_mono_ns ();
        ck_assert_uint_ge (now, last);
        last = now;
    }
}
END_TEST

static int64_t
s_ns (const struct timespec *ts)
{
    return (int64_t) ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/*  hr_clock_after: ms from a reading taken between two of the test's own,
    normalised (tv_nsec below a second), on the clock asked for.          */
START_TEST (test_after_is_ms_from_now)
{
    const clockid_t clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME };
    const int64_t delays[] = { 0, 1, 999, 1000, 1500, 61999 };
    for (int c = 0; c < 2; c++)
        for (int d = 0; d < 6; d++) {
            struct timespec before, after, at;
            clock_gettime (clocks[c], &before);
            hr_clock_after (clocks[c], delays[d], &at);
            clock_gettime (clocks[c], &after);
            ck_assert_int_ge (at.tv_nsec, 0);
            ck_assert_int_lt (at.tv_nsec, 1000000000L);
            ck_assert_int_ge (s_ns (&at), s_ns (&before) + delays[d] * 1000000);
            ck_assert_int_le (s_ns (&at), s_ns (&after) + delays[d] * 1000000);
        }
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_clock");
    TCase *tc = tcase_create ("clock");
    tcase_add_test (tc, test_units_agree_and_never_go_back);
    tcase_add_test (tc, test_after_is_ms_from_now);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
