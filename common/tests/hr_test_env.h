/*  Shared by the common/ tests: where the stack is.  The CTest fixture sets
    DATABASE_URL / REDIS_URL; run by hand, export them yourself.            */
#ifndef HR_TEST_ENV_H
#define HR_TEST_ENV_H
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static inline const char *
test_database_url (void)
{
    const char *url = getenv ("DATABASE_URL");
    ck_assert_msg (url && *url, "DATABASE_URL is not set (the tests need PostgreSQL)");
    return url;
}

static inline const char *
test_redis_url (void)
{
    const char *url = getenv ("REDIS_URL");
    ck_assert_msg (url && *url, "REDIS_URL is not set (the tests need Redis)");
    return url;
}

static inline long long
test_mono_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void
test_sleep_ms (int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
    nanosleep (&ts, NULL);
}

//  A name unique to this process, so parallel runs never share keys.
static inline const char *
test_unique (const char *prefix)
{
    static char buf[8][64];
    static int next;
    char *b = buf[next++ % 8];
    snprintf (b, 64, "%s%ld%d", prefix, (long) getpid (), next);
    return b;
}

#endif
