/*  fuzz_util — what every fuzz target shares: a quiet logger, and a
    NUL-terminated copy of the input (libFuzzer's buffer is not terminated,
    and several APIs under test take C strings).                           */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hr_log.h"

/*  Findings are reported by abort(), which libFuzzer and the regression
    runner both treat as a crash (asserts may be compiled out).            */
#define FUZZ_CHECK(cond) \
    do { if (!(cond)) { fprintf (stderr, "%s:%d: invariant failed: %s\n", \
                                 __FILE__, __LINE__, #cond); abort (); } } while (0)

static inline void
fuzz_quiet_logs (void)
{
    static int done;
    if (!done) {
        hr_log_init ("fuzz", HR_LOG_ERROR);
        done = 1;
    }
}


/*  A malloc'd, NUL-terminated copy (so ASan sees reads past the end).      */
static inline char *
fuzz_cstr (const uint8_t *data, size_t size)
{
    char *s = malloc (size + 1);
    if (!s)
        abort ();
    memcpy (s, data, size);
    s[size] = '\0';
    return s;
}

#endif
