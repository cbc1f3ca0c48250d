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

/*  find_many answers as find does, for lists shorter and longer than its
    look-ahead, present and absent ids mixed, repeats included.            */
START_TEST (test_find_many_as_find)
{
    hr_idmap_t *map = hr_idmap_new (16);
    static char ids[3000][11];
    for (unsigned i = 0; i < 2000; i++) {
        s_id (ids[i], i * 104729u);
        ck_assert_int_ge (hr_idmap_add (map, ids[i], NULL), 0);
    }
    for (unsigned i = 2000; i < 3000; i++)
        s_id (ids[i], (i % 7 == 0) ? (i - 2000) * 104729u : i * 104729u + 3);
    const char *list[3000];
    int64_t out[3001];
    for (unsigned i = 0; i < 3000; i++)
        list[(i * 1237u) % 3000] = ids[i];              /* shuffled */
    const uint32_t sizes[] = { 0, 1, 7, 8, 9, 16, 17, 33, 3000 };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        memset (out, 0x55, sizeof out);
        hr_idmap_find_many (map, list, sizes[k], out);
        unsigned absent = 0;
        for (uint32_t i = 0; i < sizes[k]; i++) {
            ck_assert_int_eq (out[i], hr_idmap_find (map, list[i]));
            absent += out[i] < 0;
        }
        if (sizes[k] == 3000)
            ck_assert_uint_gt (absent, 0);
        ck_assert_int_eq (out[sizes[k]], 0x5555555555555555ll);    /* nothing past n */
    }
    hr_idmap_destroy (&map);
}
END_TEST

int
main (void)
{
    return test_run ("hr_idmap", 30, (const TTest *const[]) {
        test_dense_indexes_in_order, test_ten_bytes_only, test_grows_and_keeps_every_id,
        test_find_many_as_find, NULL });
}
