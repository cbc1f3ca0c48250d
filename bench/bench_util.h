/*  bench_util — the two helpers every benchmark program needs: a monotonic
    clock in seconds and a comparator for sorting latencies (percentiles).
    Header-only; benchmarks include it as "../bench_util.h".                */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H
#include <time.h>

static inline double
bench_now_s (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/*  qsort comparator for doubles, ascending.  */
static inline int
bench_cmp_double (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

#endif
