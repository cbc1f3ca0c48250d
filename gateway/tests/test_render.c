/*  gw_render — the one renderer: plain, explained and scored (admin) items. */
#include <check.h>
#include <jansson.h>
#include <string.h>
#include "gw_fanout.h"
#include "gw_render.h"
#include "gw_filter.h"
#include "hr_wire.h"

static h2o_mem_pool_t pool;
static hr_catalog_t *cat;

static void
setup (void)
{
    h2o_mem_init_pool (&pool);
    cat = hr_catalog_new ();
    const char *ids[] = { "A000000001", "A000000002", "A000000003" };
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf (name, sizeof name, "Item %d", i + 1);
        hr_product_t p = { .name = name, .main_category = "Electronics", .sub_category = "Audio",
                           .image = "https://img/x.jpg", .link = "https://x", .rating = 4.0,
                           .reviews = 10, .price = 10.0, .original_price = 20.0,
                           .discount_ratio = 0.5,
                           .status = i == 1 ? HR_PRODUCT_OUT_OF_STOCK : HR_PRODUCT_IN_STOCK };
        memcpy (p.id, ids[i], 11);
        ck_assert_int_eq (hr_catalog_add (cat, &p), 0);
    }
    hr_catalog_freeze (cat);
}

static void
teardown (void)
{
    hr_catalog_destroy (&cat);
    h2o_mem_clear_pool (&pool);
}

/*  Renders the list in `style` and parses the array.  */
static json_t *
render (gw_item_style_t style, uint32_t limit, uint32_t *shown)
{
    hr_scored_t items[4] = {
        { .id = "A000000001", .score = 0.5f, .strategy = HR_STRAT_RULES, .source = "A000000003+ZZZZZZZZZZ" },
        { .id = "A000000002", .score = 0.4f, .strategy = HR_STRAT_CONTENT, .source = "" },
        { .id = "NOTTHERE00", .score = 0.3f, .strategy = HR_STRAT_CONTENT, .source = "" },
        { .id = "A000000003", .score = 0.2f, .strategy = HR_STRAT_SEARCH, .source = "red shoes" },
    };
    gw_list_t list = { items, 4 };
    gw_buf_t b;
    gw_buf_init (&b, &pool, 64);
    *shown = gw_render_items (&b, cat, &list, limit, style);
    json_error_t err;
    json_t *arr = json_loadb (b.data, b.len, 0, &err);
    ck_assert_msg (json_is_array (arr), "%.*s: %s", (int) b.len, b.data, err.text);
    ck_assert_uint_eq (json_array_size (arr), *shown);
    return arr;
}

START_TEST (test_plain_skips_missing_and_unlisted)
{
    uint32_t shown;
    json_t *arr = render (GW_ITEM_PLAIN, 10, &shown);
    ck_assert_uint_eq (shown, 2);
    ck_assert_str_eq (json_string_value (json_object_get (json_array_get (arr, 1), "id")), "A000000003");
    ck_assert_ptr_null (json_object_get (json_array_get (arr, 0), "explain"));
    json_decref (arr);
    arr = render (GW_ITEM_PLAIN, 1, &shown);
    ck_assert_uint_eq (shown, 1);
    json_decref (arr);
}
END_TEST

START_TEST (test_explain_names_strategy_source_score)
{
    uint32_t shown;
    json_t *arr = render (GW_ITEM_EXPLAIN, 10, &shown);
    ck_assert_uint_eq (shown, 2);
    json_t *ex = json_object_get (json_array_get (arr, 1), "explain");
    ck_assert_str_eq (json_string_value (json_object_get (ex, "strategy")), "search");
    ck_assert_str_eq (json_string_value (json_object_get (ex, "source")), "red shoes");
    ck_assert (json_real_value (json_object_get (ex, "score")) > 0.19);
    json_decref (arr);
}
END_TEST

START_TEST (test_scored_shows_unlisted_and_names_source_items)
{
    uint32_t shown;
    json_t *arr = render (GW_ITEM_SCORED, 10, &shown);
    ck_assert_uint_eq (shown, 3);           /* the admin views show out-of-stock items too */
    json_t *first = json_array_get (arr, 0);
    ck_assert_str_eq (json_string_value (json_object_get (first, "strategy")), "rules");
    ck_assert_str_eq (json_string_value (json_object_get (first, "source")), "A000000003+ZZZZZZZZZZ");
    json_t *src = json_object_get (first, "source_items");
    ck_assert_uint_eq (json_array_size (src), 1);       /* the unknown id is left out */
    ck_assert_str_eq (json_string_value (json_object_get (json_array_get (src, 0), "name")), "Item 3");
    ck_assert_ptr_null (json_object_get (json_array_get (arr, 2), "source_items"));    /* a query */
    ck_assert_str_eq (json_string_value (json_object_get (json_array_get (arr, 1), "id")), "A000000002");
    json_decref (arr);
}
END_TEST

/*  A search page read as ids (gw_decode_one_list_ids, gw_filter_ids,
    gw_render_at) gives the bytes the general path gives (gw_decode_one_list,
    gw_filter_list, gw_render_list): missing and unlisted products dropped,
    variants collapsed to the first, the limit applied after both; lists
    longer than the look-ahead.                                            */
START_TEST (test_ids_path_same_bytes)
{
    hr_catalog_t *c = hr_catalog_new ();
    for (int i = 0; i < 60; i++) {
        char name[64], id[11];
        /*  groups of three sizes of one product: variants of one another */
        snprintf (name, sizeof name, "Brand%d Comfort Wonder Pants Model, Size %d", i / 3, i % 3);
        snprintf (id, sizeof id, "C%09u", (unsigned) i % 100u);
        hr_product_t p = { .name = name, .main_category = "Baby", .sub_category = "Diapers",
                           .price = 1.0, .original_price = 2.0, .discount_ratio = 0.5,
                           .status = i % 11 == 5 ? HR_PRODUCT_OUT_OF_STOCK : HR_PRODUCT_IN_STOCK };
        memcpy (p.id, id, 11);
        ck_assert_int_eq (hr_catalog_add (c, &p), 0);
    }
    hr_catalog_freeze (c);
    ck_assert_uint_gt (hr_catalog_variants (c), 0);
    ck_assert_uint_gt (hr_catalog_unlisted (c), 0);
    hr_writer_t w;
    hr_writer_init (&w);
    size_t begin = hr_scored_list_begin (&w);
    uint32_t n = 0;
    for (int k = 0; k < 90; k++, n++) {
        char id[11];
        int i = (k * 37) % 70;                          /* 60..69: not in the catalog */
        snprintf (id, sizeof id, "C%09u", (unsigned) i % 100u);
        hr_put_scored_item (&w, id, 1.0f / (float) (k + 1), HR_STRAT_SEARCH, "pants", 5);
    }
    hr_scored_list_end (&w, begin, n);
    const uint32_t limits[] = { 1, 5, 17, 2000 };
    for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
        gw_list_t list;
        ck_assert_int_eq (gw_decode_one_list (&pool, w.data, w.len, &list), 0);
        gw_filter_list (NULL, c, &list);
        gw_buf_t a, b;
        gw_buf_init (&a, &pool, 64);
        uint32_t shown_a = gw_render_list (&a, c, &list, limits[l]);
        const char **ids;
        uint32_t m;
        ck_assert_int_eq (gw_decode_one_list_ids (&pool, w.data, w.len, &ids, &m), 0);
        ck_assert_uint_eq (m, n);
        uint32_t *idx = h2o_mem_alloc_pool (&pool, m * sizeof *idx);
        m = gw_filter_ids (NULL, c, &pool, ids, m, idx);
        gw_buf_init (&b, &pool, 64);
        uint32_t shown_b = gw_render_at (&b, c, idx, m, limits[l]);
        ck_assert_uint_gt (shown_a, 0);
        ck_assert_uint_eq (shown_b, shown_a);
        ck_assert_uint_eq (b.len, a.len);
        ck_assert_int_eq (memcmp (a.data, b.data, a.len), 0);
        if (limits[l] == 2000)
            ck_assert_uint_le (shown_a, 60 / 3);        /* one per variant group */
    }
    ck_assert_int_eq (gw_decode_one_list_ids (&pool, w.data, w.len - 1, &(const char **) { NULL },
                                              &n), -1);
    hr_writer_free (&w);
    hr_catalog_destroy (&c);
}
END_TEST

START_TEST (test_degraded)
{
    gw_buf_t b;
    gw_buf_init (&b, &pool, 16);
    gw_render_degraded (&b, 0);
    ck_assert_uint_eq (b.len, 0);
    gw_render_degraded (&b, (1u << GW_SVC_CONTENT) | (1u << GW_SVC_RULES));
    ck_assert (memmem (b.data, b.len, "\"content\"", 9) && memmem (b.data, b.len, "\"rules\"", 7));
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("gateway_render");
    TCase *tc = tcase_create ("render");
    tcase_add_checked_fixture (tc, setup, teardown);
    tcase_add_test (tc, test_plain_skips_missing_and_unlisted);
    tcase_add_test (tc, test_explain_names_strategy_source_score);
    tcase_add_test (tc, test_scored_shows_unlisted_and_names_source_items);
    tcase_add_test (tc, test_degraded);
    tcase_add_test (tc, test_ids_path_same_bytes);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
