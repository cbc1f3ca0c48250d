/*  chaos_check — the verdict every resilience test ends with (Check
    assertions): no violation under load, every acknowledged interaction
    in PostgreSQL exactly once, every process alive, no sanitizer report.  */
#ifndef CHAOS_CHECK_H
#define CHAOS_CHECK_H
#include <check.h>
#include "chaos_load.h"
#include "chaos_rig.h"

/*  The test's rig and load.  A failed assertion jumps out of the test (no
    fork), so chaos_check_run's teardown reports and destroys whatever is
    left: no process or database outlives a failed test.  */
extern chaos_rig_t *chaos_rig;
extern chaos_load_t *chaos_load;

/*  Stops the load, verifies, stops the processes, checks their logs.
    Destroys both.  */
void chaos_check_finish (const char *title);
/*  Runs a Check suite of one test case in no-fork mode; the exit code.    */
int chaos_check_run (const char *suite_name, const TTest *test, int timeout_s);

#endif
