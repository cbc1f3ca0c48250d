/*  hr_clock: the three units read one clock, in order, and agree with
    CLOCK_MONOTONIC itself.                                                 */
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

int
main (void)
{
    Suite *s = suite_create ("hr_clock");
    TCase *tc = tcase_create ("clock");
    tcase_add_test (tc, test_units_agree_and_never_go_back);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
