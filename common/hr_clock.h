/*  hr_clock — the monotonic clock, for durations, deadlines and rates (it
    never jumps; timestamps of events use the wall clock, hr_now_ms in
    hr_client.h).                                                          */
#ifndef HR_CLOCK_H
#define HR_CLOCK_H
#include <stdint.h>
#include <time.h>

/*  Now on CLOCK_MONOTONIC, in nanoseconds, milliseconds or seconds.       */
uint64_t hr_mono_ns (void);
int64_t hr_mono_ms (void);
double hr_mono_s (void);
/*  The time ms milliseconds from now on clock (CLOCK_MONOTONIC for a
    condition variable set to it, CLOCK_REALTIME for a default one): the
    deadline of a pthread_cond_timedwait.                                  */
void hr_clock_after (clockid_t clock, int64_t ms, struct timespec *ts);

#endif
