/*  hr_idmap: ids get dense indexes in the order first added, survive the
    table's growth, and ids that share a hash slot stay apart.              */
#include <check.h>
#include "hr_test.h"
#include <stdio.h>
#include <string.h>
#include "hr_idmap.h"

static void
s_id (char id[11], unsigned n)
{
    snprintf (id, 11, "B%09u", n);
}

START_TEST (test_dense_indexes_in_order)
{
    hr_idmap_t *map = hr_idmap_new (0);
    ck_assert_ptr_nonnull (map);
    ck_assert_int_eq (hr_idmap_find (map, "B000000001"), -1);
    bool added = false;
    ck_assert_int_eq (hr_idmap_add (map, "B000000001", &added), 0);
    ck_assert (added);
    ck_assert_int_eq (hr_idmap_add (map, "A000000002", &added), 1);
    ck_assert (added);
    //  Again: the first index, not a new one
    ck_assert_int_eq (hr_idmap_add (map, "B000000001", &added), 0);
    ck_assert (!added);
    ck_assert_int_eq (hr_idmap_add (map, "A000000002", NULL), 1);
    ck_assert_uint_eq (hr_idmap_size (map), 2);
    ck_assert_int_eq (hr_idmap_find (map, "A000000002"), 1);
    ck_assert_int_eq (hr_idmap_find (map, "A000000003"), -1);
    hr_idmap_destroy (&map);
    ck_assert_ptr_null (map);
    hr_idmap_destroy (&map);
}
END_TEST

START_TEST (test_ten_bytes_only)
{
    hr_idmap_t *map = hr_idmap_new (4);
    //  The eleventh byte is not part of the id
    ck_assert_int_eq (hr_idmap_add (map, "B000000001xyz", NULL), 0);
    ck_assert_int_eq (hr_idmap_find (map, "B000000001"), 0);
    ck_assert_int_eq (hr_idmap_find (map, "B000000001abc"), 0);
    hr_idmap_destroy (&map);
}
END_TEST

START_TEST (test_grows_and_keeps_every_id)
{
    hr_idmap_t *map = hr_idmap_new (1);
    char id[11];
    for (unsigned i = 0; i < 50000; i++) {
        s_id (id, i * 7919u);
        ck_assert_int_eq (hr_idmap_add (map, id, NULL), i);
    }
    ck_assert_uint_eq (hr_idmap_size (map), 50000);
    for (unsigned i = 0; i < 50000; i++) {
        s_id (id, i * 7919u);
        ck_assert_int_eq (hr_idmap_find (map, id), i);
        s_id (id, i * 7919u + 1);
        ck_assert_int_eq (hr_idmap_find (map, id), -1);
    }
    hr_idmap_destroy (&map);
}
END_TEST

int
main (void)
{
    return test_run ("hr_idmap", 30, (const TTest *const[]) {
        test_dense_indexes_in_order, test_ten_bytes_only, test_grows_and_keeps_every_id, NULL });
}
