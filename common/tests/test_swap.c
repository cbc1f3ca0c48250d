/*  hr_swap: a replaced snapshot lives until its last reader lets go; the
    poller installs exactly the versions its source announces.             */
#include "hr_swap.h"

#include <check.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

static atomic_int s_freed;

static void
s_free (void *data)
{
    atomic_fetch_add (&s_freed, 1);
    free (data);
}

static int *
s_int (int v)
{
    int *p = malloc (sizeof *p);
    *p = v;
    return p;
}

START_TEST (test_readers_keep_their_snapshot)
{
    atomic_store (&s_freed, 0);
    hr_swap_t *swap = hr_swap_new (s_free);
    ck_assert_ptr_null (hr_swap_acquire (swap));
    ck_assert_int_eq (hr_swap_version (swap), 0);
    ck_assert_int_eq (hr_swap_install (swap, s_int (1), 7), 0);
    hr_snapshot_t *a = hr_swap_acquire (swap);
    ck_assert_int_eq (*(int *) hr_snapshot_data (a), 1);
    ck_assert_int_eq (hr_snapshot_version (a), 7);
    hr_snapshot_t *a2 = hr_snapshot_ref (a);
    ck_assert_int_eq (hr_swap_install (swap, s_int (2), 8), 0);
    ck_assert_int_eq (atomic_load (&s_freed), 0);           /* still read */
    hr_snapshot_t *b = hr_swap_acquire (swap);
    ck_assert_int_eq (*(int *) hr_snapshot_data (b), 2);
    hr_snapshot_release (&a);
    ck_assert_ptr_null (a);
    ck_assert_int_eq (atomic_load (&s_freed), 0);
    hr_snapshot_release (&a2);
    ck_assert_int_eq (atomic_load (&s_freed), 1);           /* the last reader freed it */
    //  installing NULL: nothing to serve, the version is remembered
    ck_assert_int_eq (hr_swap_install (swap, NULL, 9), 0);
    ck_assert_ptr_null (hr_swap_acquire (swap));
    ck_assert_int_eq (hr_swap_version (swap), 9);
    ck_assert_int_eq (atomic_load (&s_freed), 1);
    hr_swap_destroy (&swap);
    ck_assert_ptr_null (swap);
    ck_assert_int_eq (atomic_load (&s_freed), 1);           /* b outlives the swap */
    hr_snapshot_release (&b);
    ck_assert_int_eq (atomic_load (&s_freed), 2);
}
END_TEST

typedef struct {
    atomic_long published;      /* -1: cannot tell */
    atomic_int loads;
    bool fail;
} source_t;

static int64_t
s_current (void *arg)
{
    return atomic_load (&((source_t *) arg)->published);
}

static void *
s_load (void *arg, int64_t version)
{
    source_t *src = arg;
    atomic_fetch_add (&src->loads, 1);
    return src->fail ? NULL : s_int ((int) version * 10);
}

START_TEST (test_poll)
{
    atomic_store (&s_freed, 0);
    source_t src = { .published = 0 };
    hr_swap_source_t source = { s_current, s_load, &src };
    hr_swap_t *swap = hr_swap_new (s_free);
    ck_assert_int_eq (hr_swap_poll (swap, &source), 0);     /* 0 = nothing published */
    ck_assert_int_eq (atomic_load (&src.loads), 0);
    atomic_store (&src.published, 3);
    ck_assert_int_eq (hr_swap_poll (swap, &source), 1);
    ck_assert_int_eq (hr_swap_poll (swap, &source), 0);
    ck_assert_int_eq (atomic_load (&src.loads), 1);
    hr_snapshot_t *s = hr_swap_acquire (swap);
    ck_assert_int_eq (*(int *) hr_snapshot_data (s), 30);
    hr_snapshot_release (&s);
    //  a failed load keeps the old snapshot, and is retried
    atomic_store (&src.published, 4);
    src.fail = true;
    ck_assert_int_eq (hr_swap_poll (swap, &source), -1);
    ck_assert_int_eq (hr_swap_version (swap), 3);
    src.fail = false;
    ck_assert_int_eq (hr_swap_poll (swap, &source), 1);
    ck_assert_int_eq (hr_swap_version (swap), 4);
    ck_assert_int_eq (atomic_load (&s_freed), 1);
    //  cannot tell: nothing happens
    atomic_store (&src.published, -1);
    ck_assert_int_eq (hr_swap_poll (swap, &source), -1);
    ck_assert_int_eq (hr_swap_version (swap), 4);
    //  invalidate: the same version is loaded again (once)
    atomic_store (&src.published, 4);
    int loads = atomic_load (&src.loads);
    hr_swap_invalidate (swap);
    ck_assert_int_eq (hr_swap_poll (swap, &source), 1);
    ck_assert_int_eq (hr_swap_poll (swap, &source), 0);
    ck_assert_int_eq (atomic_load (&src.loads), loads + 1);
    hr_swap_destroy (&swap);
    ck_assert_int_eq (atomic_load (&s_freed), 3);
}
END_TEST

START_TEST (test_polling_thread)
{
    source_t src = { .published = 5 };
    hr_swap_source_t source = { s_current, s_load, &src };
    hr_swap_t *swap = hr_swap_new (s_free);
    ck_assert_int_eq (hr_swap_start (swap, &source, 1), 0);
    while (hr_swap_version (swap) != 5) {
        struct timespec ts = { 0, 1000000 };
        nanosleep (&ts, NULL);
    }
    atomic_store (&src.published, 6);
    while (hr_swap_version (swap) != 6) {
        struct timespec ts = { 0, 1000000 };
        nanosleep (&ts, NULL);
    }
    hr_snapshot_t *s = hr_swap_acquire (swap);
    ck_assert_int_eq (*(int *) hr_snapshot_data (s), 60);
    hr_snapshot_release (&s);
    hr_swap_destroy (&swap);    /* stops the thread */
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_swap");
    TCase *tc = tcase_create ("core");
    tcase_add_test (tc, test_readers_keep_their_snapshot);
    tcase_add_test (tc, test_poll);
    tcase_add_test (tc, test_polling_thread);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
