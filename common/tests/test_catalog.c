/*  hr_catalog: item JSON text, id index, category ids, loading from PG.     */
#include "hr_catalog.h"
#include "hr_migrate.h"
#include "hr_test.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

//  id = prefix + n zero-padded to 10 characters
static void
s_make_id (char id[11], const char *prefix, long n)
{
    char buf[32];
    snprintf (buf, sizeof buf, "%s%0*ld", prefix, (int) (10 - strlen (prefix)), n % 100000000L);
    memcpy (id, buf, 10);
    id[10] = 0;
}

//  A real row (first100-per-category/Air Conditioners.csv, line 2)
static hr_product_t
s_lloyd (void)
{
    hr_product_t p = {
        .id = "B0BRKXTSBT",
        .name = "Lloyd 1.5 Ton 3 Star Inverter Split Ac (5 In 1 Convertible, Copper, Anti-Viral + Pm 2.5 "
                "Filter, 2023 Model, White, Gls18I3...",
        .main_category = "appliances",
        .sub_category = "Air Conditioners",
        .image = "https://m.media-amazon.com/images/I/31UISB90sYL._AC_UL320_.jpg",
        .link = "https://www.amazon.in/Lloyd-Inverter-Convertible-Anti-Viral-GLS18I3FWAMC/dp/B0BRKXTSBT/",
        .rating = 4.2,
        .reviews = 2255,
        .price = 32999,
        .original_price = 58990,
        .discount_ratio = 0.4406,
    };
    return p;
}

START_TEST (test_item_json_exact)
{
    hr_catalog_t *cat = hr_catalog_new ();
    ck_assert_ptr_nonnull (cat);
    hr_product_t p = s_lloyd ();
    ck_assert_int_eq (hr_catalog_add (cat, &p), 0);

    hr_product_t q = {
        .id = "B0TEST0001",
        .name = "Say \"hi\" \\ back",
        .main_category = "men's shoes",
        .sub_category = "Casual Shoes",
        .image = NULL,
        .rating = NAN,
        .reviews = 0,
        .price = NAN,
        .original_price = 243.0,
        .discount_ratio = NAN,
    };
    ck_assert_int_eq (hr_catalog_add (cat, &q), 0);
    hr_product_t r = q;
    memcpy (r.id, "B0TEST0002", 11);
    r.name = "Fractions";
    r.price = 59.99;
    r.original_price = 99.99;
    r.rating = 4.5;
    r.reviews = 1500;
    r.discount_ratio = 0.4001;
    r.image = "img";
    ck_assert_int_eq (hr_catalog_add (cat, &r), 0);
    hr_catalog_freeze (cat);

    size_t len;
    const char *json = hr_catalog_json (cat, 0, &len);
    const char *want =
        "{\"id\":\"B0BRKXTSBT\",\"name\":\"Lloyd 1.5 Ton 3 Star Inverter Split Ac (5 In 1 Convertible, "
        "Copper, Anti-Viral + Pm 2.5 Filter, 2023 Model, White, Gls18I3...\",\"category\":\"appliances > "
        "Air Conditioners\",\"image\":\"https://m.media-amazon.com/images/I/31UISB90sYL._AC_UL320_.jpg\","
        "\"price\":32999,\"original_price\":58990,\"rating\":4.2,\"reviews\":2255,\"discount_ratio\":0.4406}";
    ck_assert_int_eq (len, strlen (want));
    ck_assert_str_eq (json, want);

    json = hr_catalog_json (cat, 1, &len);
    ck_assert_str_eq (json, "{\"id\":\"B0TEST0001\",\"name\":\"Say \\\"hi\\\" \\\\ back\","
                            "\"category\":\"men's shoes > Casual Shoes\",\"image\":null,\"price\":null,"
                            "\"original_price\":243,\"rating\":null,\"reviews\":0,\"discount_ratio\":null}");
    ck_assert_int_eq (len, strlen (json));
    json = hr_catalog_json (cat, 2, NULL);
    ck_assert_str_eq (json, "{\"id\":\"B0TEST0002\",\"name\":\"Fractions\",\"category\":\"men's shoes > "
                            "Casual Shoes\",\"image\":\"img\",\"price\":59.99,\"original_price\":99.99,"
                            "\"rating\":4.5,\"reviews\":1500,\"discount_ratio\":0.4001}");
    //  Strings were copied: the product points into the catalog
    ck_assert_ptr_ne (hr_catalog_at (cat, 0)->name, p.name);
    ck_assert_str_eq (hr_catalog_at (cat, 0)->name, p.name);
    hr_catalog_destroy (&cat);
    ck_assert_ptr_null (cat);
}
END_TEST

START_TEST (test_index_lookup)
{
    hr_catalog_t *cat = hr_catalog_new ();
    enum { N = 5000 };
    for (int i = 0; i < N; i++) {
        hr_product_t p = { .name = "n", .main_category = "m", .sub_category = "s",
                           .rating = NAN, .price = NAN, .original_price = NAN, .discount_ratio = NAN };
        s_make_id (p.id, "X", i * 7L);
        ck_assert_int_eq (hr_catalog_add (cat, &p), 0);
    }
    //  Duplicates and malformed ids are refused
    hr_product_t dup = { .id = "X000000007", .name = "n", .main_category = "m", .sub_category = "s" };
    ck_assert_int_eq (hr_catalog_add (cat, &dup), -1);
    hr_product_t lower = { .id = "x000000001", .name = "n", .main_category = "m", .sub_category = "s" };
    ck_assert_int_eq (hr_catalog_add (cat, &lower), -1);
    hr_product_t shortid = { .id = "ABC", .name = "n", .main_category = "m", .sub_category = "s" };
    ck_assert_int_eq (hr_catalog_add (cat, &shortid), -1);
    hr_product_t noname = { .id = "ABCDEFGHIJ", .main_category = "m", .sub_category = "s" };
    ck_assert_int_eq (hr_catalog_add (cat, &noname), -1);
    hr_catalog_freeze (cat);
    ck_assert_uint_eq (hr_catalog_size (cat), N);
    for (int i = 0; i < N; i++) {
        char id[11];
        s_make_id (id, "X", i * 7L);
        ck_assert_int_eq (hr_catalog_find (cat, id), i);
    }
    ck_assert_int_eq (hr_catalog_find (cat, "X000000001"), -1);
    //  Ten bytes, not a C string: the rest of the buffer is ignored
    ck_assert_int_eq (hr_catalog_find (cat, "X000000014ZZZ"), 2);
    hr_catalog_destroy (&cat);
}
END_TEST

START_TEST (test_category_ids_sorted_by_name)
{
    const char *subs[] = { "Zebra", "Apple", "Mango", "Apple", "Zebra" };
    const char *mains[] = { "toys", "food", "food", "food", "toys" };
    hr_catalog_t *cat = hr_catalog_new ();
    for (int i = 0; i < 5; i++) {
        hr_product_t p = { .name = "n", .main_category = mains[i], .sub_category = subs[i] };
        s_make_id (p.id, "C", i);
        ck_assert_int_eq (hr_catalog_add (cat, &p), 0);
    }
    hr_catalog_freeze (cat);
    ck_assert_uint_eq (hr_catalog_sub_count (cat), 3);
    ck_assert_uint_eq (hr_catalog_main_count (cat), 2);
    ck_assert_str_eq (hr_catalog_sub_name (cat, 0), "Apple");
    ck_assert_str_eq (hr_catalog_sub_name (cat, 1), "Mango");
    ck_assert_str_eq (hr_catalog_sub_name (cat, 2), "Zebra");
    ck_assert_str_eq (hr_catalog_main_name (cat, 0), "food");
    ck_assert_str_eq (hr_catalog_main_name (cat, 1), "toys");
    for (uint32_t i = 0; i < 5; i++) {
        const hr_product_t *p = hr_catalog_at (cat, i);
        ck_assert_str_eq (hr_catalog_sub_name (cat, p->sub_cat), subs[i]);
        ck_assert_str_eq (hr_catalog_main_name (cat, p->main_cat), mains[i]);
        ck_assert_str_eq (p->sub_category, subs[i]);
    }
    hr_catalog_destroy (&cat);
}
END_TEST

START_TEST (test_load_from_postgres)
{
    hr_pg_t *pg = hr_pg_new (test_database_url (), 30000, 5000);
    ck_assert_ptr_nonnull (pg);
    ck_assert_int_ge (hr_migrate (pg), 0);
    char id1[11], id2[11];
    s_make_id (id1, "TC", (long) getpid ());
    s_make_id (id2, "TD", (long) getpid ());
    const char *params[] = { id1, id2 };
    PGresult *res = hr_pg_exec (pg,
        "INSERT INTO products (id, name, main_category, sub_category, image, link, ratings,"
        " no_of_ratings, discount_price, actual_price, discount_ratio) VALUES"
        " ($1, 'Loaded \"one\"', 'appliances', 'Air Conditioners', 'i', 'l', 4.2, 2255, 32999, 58990, 0.4406),"
        " ($2, 'Loaded two', 'appliances', 'Air Conditioners', NULL, NULL, NULL, 0, NULL, NULL, NULL)"
        " ON CONFLICT (id) DO UPDATE SET name = excluded.name", 2, params);
    ck_assert_ptr_nonnull (res);
    PQclear (res);

    int64_t version = hr_catalog_version_pg (pg);
    ck_assert_int_ge (version, 0);
    hr_catalog_t *cat = hr_catalog_load (pg);
    ck_assert_ptr_nonnull (cat);
    int64_t i1 = hr_catalog_find (cat, id1), i2 = hr_catalog_find (cat, id2);
    ck_assert_int_ge (i1, 0);
    ck_assert_int_ge (i2, 0);
    char want[512];
    snprintf (want, sizeof want,
              "{\"id\":\"%s\",\"name\":\"Loaded \\\"one\\\"\",\"category\":\"appliances > Air Conditioners\","
              "\"image\":\"i\",\"price\":32999,\"original_price\":58990,\"rating\":4.2,\"reviews\":2255,"
              "\"discount_ratio\":0.4406}", id1);
    ck_assert_str_eq (hr_catalog_json (cat, (uint32_t) i1, NULL), want);
    const hr_product_t *p2 = hr_catalog_at (cat, (uint32_t) i2);
    ck_assert (isnan (p2->price) && isnan (p2->rating) && p2->image == NULL);
    hr_catalog_destroy (&cat);

    res = hr_pg_exec (pg, "DELETE FROM products WHERE id IN ($1, $2)", 2, params);
    ck_assert_ptr_nonnull (res);
    PQclear (res);
    hr_pg_destroy (&pg);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_catalog");
    TCase *tc = tcase_create ("catalog");
    tcase_set_timeout (tc, 30);
    tcase_add_test (tc, test_item_json_exact);
    tcase_add_test (tc, test_index_lookup);
    tcase_add_test (tc, test_category_ids_sorted_by_name);
    tcase_add_test (tc, test_load_from_postgres);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
