/*  hr_array: grows from `first` by doubling, keeps what the array held,
    does nothing while there is room, refuses an impossible size.         */
#include <check.h>
#include "hr_test.h"
#include <stdint.h>
#include <stdlib.h>
#include "hr_array.h"

typedef struct {
    char id[10];
    uint32_t n;
} row_t;

START_TEST (test_grows_by_doubling)
{
    row_t *rows = NULL;
    size_t count = 0, cap = 0;
    for (uint32_t i = 0; i < 1000; i++) {
        size_t before = cap;
        ck_assert_int_eq (hr_array_grow (&rows, sizeof *rows, count, &cap, 16), 0);
        if (count < before)
            ck_assert_uint_eq (cap, before);        /* room: nothing done */
        else
            ck_assert_uint_eq (cap, before ? before * 2 : 16);
        rows[count].n = i;
        rows[count++].id[9] = (char) i;
    }
    ck_assert_uint_eq (cap, 1024);
    for (uint32_t i = 0; i < 1000; i++) {
        ck_assert_uint_eq (rows[i].n, i);
        ck_assert_int_eq (rows[i].id[9], (char) i);
    }
    free (rows);
}
END_TEST

START_TEST (test_too_large_changes_nothing)
{
    uint32_t *items = malloc (4 * sizeof *items);
    ck_assert_ptr_nonnull (items);
    items[3] = 7;
    size_t cap = SIZE_MAX / 2 + 1;
    ck_assert_int_eq (hr_array_grow (&items, sizeof *items, cap, &cap, 4), -1);
    ck_assert_uint_eq (cap, SIZE_MAX / 2 + 1);
    ck_assert_uint_eq (items[3], 7);
    free (items);
}
END_TEST

START_TEST (test_resize_keeps_the_prefix)
{
    uint64_t *ids = NULL;
    ck_assert_int_eq (hr_array_resize (&ids, sizeof *ids, 3), 0);
    ids[0] = 1, ids[1] = 2, ids[2] = 3;
    ck_assert_int_eq (hr_array_resize (&ids, sizeof *ids, 1000), 0);
    ck_assert_uint_eq (ids[2], 3);
    ids[999] = 9;
    ck_assert_int_eq (hr_array_resize (&ids, sizeof *ids, 2), 0);
    ck_assert_uint_eq (ids[1], 2);
    ck_assert_int_eq (hr_array_resize (&ids, sizeof *ids, SIZE_MAX / 4), -1);
    ck_assert_uint_eq (ids[0], 1);
    free (ids);
}
END_TEST

int
main (void)
{
    return test_run ("hr_array", 30, (const TTest *const[]) {
        test_grows_by_doubling, test_too_large_changes_nothing, test_resize_keeps_the_prefix, NULL });
}
