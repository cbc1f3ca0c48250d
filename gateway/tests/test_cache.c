/*  gw_cache: hits and misses, generations (a version change drops every
    entry, an answer of an older generation is never stored), the age
    limit, the byte budget, and values staying valid while a request holds
    them after eviction.                                                    */
#include <check.h>
#include <string.h>
#include "gw_cache.h"
#include "hr_metrics.h"

static gw_cache_t *
cache (size_t bytes, int64_t age)
{
    gw_cache_t *c = gw_cache_new ("test", bytes, age);
    ck_assert_ptr_nonnull (c);
    return c;
}

static bool
get (gw_cache_t *c, h2o_mem_pool_t *pool, const char *key, uint64_t gen, char *out, size_t cap)
{
    h2o_iovec_t v;
    if (!gw_cache_get (c, pool, key, strlen (key), gen, &v))
        return false;
    ck_assert_uint_lt (v.len, cap);
    memcpy (out, v.base, v.len);
    out[v.len] = '\0';
    return true;
}

static void
put (gw_cache_t *c, const char *key, uint64_t gen, const char *value)
{
    gw_cache_put (c, key, strlen (key), gen, value, strlen (value));
}

START_TEST (test_hit_miss_and_replace)
{
    gw_cache_t *c = cache (1 << 20, 60000);
    h2o_mem_pool_t pool;
    h2o_mem_init_pool (&pool);
    char v[64];
    ck_assert (!get (c, &pool, "a", 1, v, sizeof v));
    put (c, "a", 1, "one");
    ck_assert (get (c, &pool, "a", 1, v, sizeof v));
    ck_assert_str_eq (v, "one");
    ck_assert (!get (c, &pool, "ab", 1, v, sizeof v));
    put (c, "a", 1, "uno");
    ck_assert (get (c, &pool, "a", 1, v, sizeof v));
    ck_assert_str_eq (v, "uno");
    ck_assert_uint_eq (gw_cache_count (c), 1);
    h2o_mem_clear_pool (&pool);
    gw_cache_destroy (&c);
    ck_assert_ptr_null (c);
}
END_TEST

START_TEST (test_generations)
{
    gw_cache_t *c = cache (1 << 20, 60000);
    h2o_mem_pool_t pool;
    h2o_mem_init_pool (&pool);
    char v[64];
    put (c, "a", 1, "old");
    put (c, "b", 1, "old");
    ck_assert (!get (c, &pool, "a", 2, v, sizeof v));     /* a new version: no old answer */
    put (c, "a", 2, "new");                               /* drops every gen-1 entry */
    ck_assert_uint_eq (gw_cache_count (c), 1);
    ck_assert (!get (c, &pool, "b", 1, v, sizeof v));
    ck_assert (get (c, &pool, "a", 2, v, sizeof v));
    ck_assert_str_eq (v, "new");
    put (c, "b", 1, "late");                              /* computed before the change */
    ck_assert_uint_eq (gw_cache_count (c), 1);
    ck_assert (!get (c, &pool, "b", 2, v, sizeof v));
    h2o_mem_clear_pool (&pool);
    gw_cache_destroy (&c);
}
END_TEST

START_TEST (test_age_limit)
{
    gw_cache_t *c = cache (1 << 20, 0);                   /* every entry is already too old */
    h2o_mem_pool_t pool;
    h2o_mem_init_pool (&pool);
    char v[64];
    put (c, "a", 1, "x");
    ck_assert (!get (c, &pool, "a", 1, v, sizeof v));
    ck_assert_uint_eq (gw_cache_count (c), 0);
    h2o_mem_clear_pool (&pool);
    gw_cache_destroy (&c);
}
END_TEST

/*  A lasting entry (depends on versions only) does not age out, but a new
    generation drops it like any other.  */
START_TEST (test_lasting_entries)
{
    gw_cache_t *c = cache (1 << 20, 0);                   /* every aging entry is already too old */
    h2o_mem_pool_t pool;
    h2o_mem_init_pool (&pool);
    char v[64];
    gw_cache_put_lasting (c, "a", 1, 1, "x", 1);
    put (c, "b", 1, "y");
    ck_assert (get (c, &pool, "a", 1, v, sizeof v));
    ck_assert_str_eq (v, "x");
    ck_assert (!get (c, &pool, "b", 1, v, sizeof v));
    ck_assert (!get (c, &pool, "a", 2, v, sizeof v));     /* another generation: a miss */
    put (c, "c", 2, "z");                                 /* the new generation drops it */
    ck_assert (!get (c, &pool, "a", 2, v, sizeof v));
    ck_assert_uint_eq (gw_cache_count (c), 1);
    h2o_mem_clear_pool (&pool);
    gw_cache_destroy (&c);
}
END_TEST

START_TEST (test_budget_and_held_values)
{
    gw_cache_t *c = cache (4096, 60000);
    h2o_mem_pool_t pool;
    h2o_mem_init_pool (&pool);
    char big[900];
    memset (big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    put (c, "k0", 1, big);
    h2o_iovec_t held;
    ck_assert (gw_cache_get (c, &pool, "k0", 2, 1, &held));
    char key[16];
    for (int i = 1; i < 20; i++) {                        /* far over the budget */
        snprintf (key, sizeof key, "k%d", i);
        put (c, key, 1, big);
    }
    ck_assert_uint_le (gw_cache_bytes (c), 4096);
    ck_assert_uint_gt (gw_cache_count (c), 0);
    char v[1024];
    ck_assert (!get (c, &pool, "k0", 1, v, sizeof v));    /* the oldest went first */
    ck_assert (get (c, &pool, "k19", 1, v, sizeof v));
    ck_assert_uint_eq (held.len, sizeof big - 1);         /* evicted, still ours (ASan) */
    ck_assert (held.base[0] == 'z' && held.base[held.len - 1] == 'z');
    put (c, "huge", 1, "");                               /* an empty value is fine */
    char huge[2048];                                      /* over a quarter: not kept */
    memset (huge, 'h', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    put (c, "huge2", 1, huge);
    ck_assert (!get (c, &pool, "huge2", 1, v, sizeof v));
    ck_assert (get (c, &pool, "huge", 1, v, sizeof v));
    ck_assert_str_eq (v, "");
    h2o_mem_clear_pool (&pool);
    gw_cache_destroy (&c);
}
END_TEST

START_TEST (test_off)
{
    gw_cache_t *c = cache (0, 60000);
    h2o_mem_pool_t pool;
    h2o_mem_init_pool (&pool);
    char v[64];
    put (c, "a", 1, "x");
    ck_assert (!get (c, &pool, "a", 1, v, sizeof v));
    h2o_mem_clear_pool (&pool);
    gw_cache_destroy (&c);
}
END_TEST

/*  A heap buffer of `n` bytes of `ch` (grown past its first block).  */
static void
heap_buf (gw_buf_t *b, h2o_mem_pool_t *pool, char ch, size_t n)
{
    gw_buf_init_heap (b, pool, 64);
    for (size_t i = 0; i < n; i++)
        gw_buf_putc (b, ch);
}

/*  gw_cache_put_buf keeps the buffer's own block: a get answers those very
    bytes, they outlive eviction and a version change while the request's
    pool holds them, and a buffer not kept (too large, older generation,
    cache off) is freed with its pool (ASan: no leak, no use after free).  */
START_TEST (test_put_buf)
{
    gw_cache_t *c = cache (4096, 60000), *off = cache (0, 60000);
    h2o_mem_pool_t pool, other;
    h2o_mem_init_pool (&pool);
    h2o_mem_init_pool (&other);
    gw_buf_t b, big, old, unkept;
    heap_buf (&b, &pool, 'b', 900);
    gw_cache_put_buf (c, "k", 1, 2, &b);
    ck_assert_ptr_null (*b.heap);                         /* the cache's now */
    h2o_iovec_t v;
    ck_assert (gw_cache_get (c, &other, "k", 1, 2, &v));
    ck_assert_ptr_eq (v.base, b.data);
    ck_assert_uint_eq (v.len, 900);
    heap_buf (&big, &pool, 'x', 2000);                    /* over a quarter: not kept */
    gw_cache_put_buf (c, "big", 3, 2, &big);
    ck_assert_ptr_nonnull (*big.heap);
    ck_assert (!gw_cache_get (c, &other, "big", 3, 2, &v));
    heap_buf (&old, &pool, 'o', 10);                      /* an older generation */
    gw_cache_put_buf (c, "old", 3, 1, &old);
    ck_assert (!gw_cache_get (c, &other, "old", 3, 1, &v));
    ck_assert (!gw_cache_get (c, &other, "old", 3, 2, &v));
    heap_buf (&unkept, &pool, 'u', 10);
    gw_cache_put_buf (off, "k", 1, 2, &unkept);
    ck_assert (!gw_cache_get (off, &other, "k", 1, 2, &v));
    gw_cache_put (c, "n", 1, 3, "new", 3);                /* a new version drops "k" */
    ck_assert (!gw_cache_get (c, &other, "k", 1, 3, &v));
    ck_assert_uint_eq (gw_cache_count (c), 1);
    ck_assert (b.data[0] == 'b' && b.data[899] == 'b');   /* still the request's */
    h2o_mem_clear_pool (&pool);
    h2o_mem_clear_pool (&other);
    gw_cache_destroy (&c);
    gw_cache_destroy (&off);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("gw_cache");
    TCase *tc = tcase_create ("core");
    tcase_add_test (tc, test_hit_miss_and_replace);
    tcase_add_test (tc, test_generations);
    tcase_add_test (tc, test_age_limit);
    tcase_add_test (tc, test_lasting_entries);
    tcase_add_test (tc, test_budget_and_held_values);
    tcase_add_test (tc, test_off);
    tcase_add_test (tc, test_put_buf);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    hr_metrics_reset ();
    return failed ? 1 : 0;
}
