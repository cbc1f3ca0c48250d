/*  trending-svc swapping catalogs while out of memory (issue 17 item 10):
    a new catalog arrives, the click sums move to it, and building the
    ranking over it fails.  Before hr_swap the catalog was then freed while
    the click sums still indexed by it (the next click read freed memory;
    ASan stops the test).  Now the sums hold their catalog: readers keep the
    previous ranking, clicks land in the new catalog, and the next refresh
    ranks it.
    The failure is injected by wrapping trending_rank_build at link time
    (-Wl,--wrap, CMakeLists.txt): no hook in the product code.             */
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hr_client.h"
#include "hr_log.h"
#include "serve.h"

static atomic_int s_fail_builds;

trending_rank_t *__real_trending_rank_build (const trending_static_t *st, const trending_decay_t *clicks,
                                             int64_t now_ms);
trending_rank_t *__wrap_trending_rank_build (const trending_static_t *st, const trending_decay_t *clicks,
                                             int64_t now_ms);

trending_rank_t *
__wrap_trending_rank_build (const trending_static_t *st, const trending_decay_t *clicks, int64_t now_ms)
{
    if (atomic_load (&s_fail_builds) > 0) {
        atomic_fetch_sub (&s_fail_builds, 1);
        return NULL;            /* as when malloc fails inside */
    }
    return __real_trending_rank_build (st, clicks, now_ms);
}

/*  Products SW00000000..SW0000000{n-1}, one category.                      */
static hr_catalog_t *
s_catalog (int n)
{
    hr_catalog_t *cat = hr_catalog_new ();
    for (int i = 0; i < n; i++) {
        hr_product_t p = { .name = "p", .main_category = "cat", .sub_category = "sub",
                           .image = "", .link = "", .rating = 4, .reviews = 10,
                           .price = 1, .original_price = 2, .discount_ratio = 0.5 };
        snprintf (p.id, sizeof p.id, "SW%08u", (unsigned) i % 100000000u);
        ck_assert_int_eq (hr_catalog_add (cat, &p), 0);
    }
    hr_catalog_freeze (cat);
    return cat;
}

START_TEST (catalog_swap_when_ranking_fails)
{
    hr_catalog_t *first = s_catalog (6);
    trending_serve_params_t p = { .decay_rate = 0.95, .model = trending_params_default () };
    trending_state_t *st = trending_state_new (&p, first);
    ck_assert_ptr_nonnull (st);
    int64_t now = hr_now_ms ();
    for (int i = 0; i < 3; i++)
        trending_state_click (st, "SW00000001", now);
    trending_state_refresh (st, true);
    double before = trending_state_score (st, "SW00000001");
    ck_assert (before > 0);

    /*  The new catalog adds SW00000006; its ranking cannot be built.      */
    atomic_store (&s_fail_builds, 1);
    ck_assert_int_eq (trending_state_set_catalog (st, s_catalog (7), 2), 0);
    ck_assert_int_eq (atomic_load (&s_fail_builds), 0);
    ck_assert (trending_state_score (st, "SW00000001") == before);     /* the old ranking */
    ck_assert (trending_state_score (st, "SW00000006") == 0);

    /*  Clicks after the failure go into the sums over the new catalog.    */
    trending_state_click (st, "SW00000006", now);
    trending_state_click (st, "SW00000001", now);
    trending_state_refresh (st, false);
    ck_assert (trending_state_score (st, "SW00000006") > 0);
    ck_assert (trending_state_score (st, "SW00000001") > before);     /* moved, not lost */

    /*  A failed refresh keeps the ranking and is retried.                  */
    trending_state_click (st, "SW00000006", now);
    atomic_store (&s_fail_builds, 1);
    double six = trending_state_score (st, "SW00000006");
    trending_state_refresh (st, false);
    ck_assert (trending_state_score (st, "SW00000006") == six);
    trending_state_refresh (st, false);
    ck_assert (trending_state_score (st, "SW00000006") > six);
    trending_state_destroy (&st);
    hr_catalog_destroy (&first);
}
END_TEST

int
main (void)
{
    hr_log_init ("trending-test", HR_LOG_WARN);
    Suite *s = suite_create ("trending_swap");
    TCase *tc = tcase_create ("core");
    tcase_add_test (tc, catalog_swap_when_ranking_fails);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
