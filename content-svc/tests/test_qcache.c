/*  qcache (qcache.h): a stored query's hits come back exactly, keyed by the
    query and the limit; a colliding or newer put replaces; over-large
    limits are not stored.  No servers needed.                              */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "qcache.h"

START_TEST (test_qcache_get_put)
{
    content_qcache_t *c = content_qcache_new ();
    ck_assert_ptr_nonnull (c);
    content_hit_t hits[3] = { { 7, 3.0f }, { 2, 2.5f }, { 9, 1.0f } }, out[CONTENT_QCACHE_MAX_HITS];
    ck_assert_int_eq (content_qcache_get (c, "usb cable", 9, 3, out), -1);
    content_qcache_put (c, "usb cable", 9, 3, hits, 3);
    ck_assert_int_eq (content_qcache_get (c, "usb cable", 9, 3, out), 3);
    ck_assert_int_eq (memcmp (out, hits, sizeof hits), 0);
    ck_assert_int_eq (content_qcache_get (c, "usb cable", 9, 4, out), -1);   /* another limit */
    ck_assert_int_eq (content_qcache_get (c, "usb cabl", 8, 3, out), -1);    /* another query */
    content_qcache_put (c, "usb cable", 9, 3, hits + 1, 2);                  /* replaced */
    ck_assert_int_eq (content_qcache_get (c, "usb cable", 9, 3, out), 2);
    ck_assert_uint_eq (out[0].doc, 2);
    content_qcache_put (c, "none", 4, 3, hits, 0);                           /* no hits is an answer */
    ck_assert_int_eq (content_qcache_get (c, "none", 4, 3, out), 0);
    content_qcache_put (c, "big", 3, CONTENT_QCACHE_MAX_HITS + 1, hits, 3);  /* not stored */
    ck_assert_int_eq (content_qcache_get (c, "big", 3, CONTENT_QCACHE_MAX_HITS + 1, out), -1);
    uint64_t h, l;
    content_qcache_stats (c, &h, &l);
    ck_assert_uint_eq (h, 3);
    ck_assert_uint_eq (l, 7);
    content_qcache_destroy (&c);
    ck_assert_ptr_null (c);
}
END_TEST

/*  Many queries: every one still stored answers its own hits (collisions
    replace, never mix).  */
START_TEST (test_qcache_many)
{
    content_qcache_t *c = content_qcache_new ();
    char q[32];
    for (uint32_t i = 0; i < 3 * CONTENT_QCACHE_SLOTS; i++) {
        snprintf (q, sizeof q, "query %u", i);
        content_hit_t h = { i, (float) i };
        content_qcache_put (c, q, strlen (q), 1, &h, 1);
    }
    uint32_t found = 0;
    for (uint32_t i = 0; i < 3 * CONTENT_QCACHE_SLOTS; i++) {
        snprintf (q, sizeof q, "query %u", i);
        content_hit_t out[1];
        int n = content_qcache_get (c, q, strlen (q), 1, out);
        if (n < 0)
            continue;
        ck_assert_int_eq (n, 1);
        ck_assert_uint_eq (out[0].doc, i);
        found++;
    }
    ck_assert_uint_gt (found, 0);
    ck_assert_uint_le (found, CONTENT_QCACHE_SLOTS);
    content_qcache_destroy (&c);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("content_qcache");
    TCase *tc = tcase_create ("qcache");
    tcase_add_test (tc, test_qcache_get_put);
    tcase_add_test (tc, test_qcache_many);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
