/*  hr_variant: sizes and colours of one product share a key; other
    products, other categories and keyless names do not.  The catalog counts
    the products that are a variant of another.                              */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "hr_catalog.h"
#include "hr_variant.h"

START_TEST (test_sizes_of_one_product_share_a_key)
{
    const char *baby = "toys & baby products";
    uint64_t m = hr_variant_key ("Huggies Complete Comfort Wonder Pants, Medium (7-12kg) Size Count 100", baby);
    ck_assert_uint_ne (m, 0);
    ck_assert_uint_eq (m, hr_variant_key ("Huggies Complete Comfort Wonder Pants Extra Large (XL) Size", baby));
    ck_assert_uint_eq (m, hr_variant_key ("HUGGIES complete  comfort wonder PANTS,Large (L)", "Toys & Baby Products"));
    /*  another main category, another product line, a shorter name */
    ck_assert_uint_ne (m, hr_variant_key ("Huggies Complete Comfort Wonder Pants, Medium", "beauty"));
    ck_assert_uint_ne (m, hr_variant_key ("Huggies Wonder Pants, Medium", baby));
    ck_assert_uint_ne (m, hr_variant_key ("Huggies Complete Comfort Wonder", baby));
    /*  apostrophes, stop words and one-letter words do not count; digits do */
    ck_assert_uint_eq (hr_variant_key ("Men's T-Shirt of Cotton", "x"), hr_variant_key ("mens shirt cotton", "x"));
    ck_assert_uint_ne (hr_variant_key ("Product 1", "x"), hr_variant_key ("Product 2", "x"));
    ck_assert_uint_eq (hr_variant_key ("", "x"), 0);
    ck_assert_uint_eq (hr_variant_key ("-- & --", "x"), 0);
    ck_assert_uint_eq (hr_variant_key (NULL, "x"), 0);
    ck_assert_uint_ne (hr_variant_key ("Lamp", NULL), 0);
}
END_TEST

START_TEST (test_catalog_counts_variants)
{
    static const char *const names[] = { "Red Lamp Shade Large Size", "Red Lamp Shade Large Size Small",
                                         "Red lamp shade large size, XL", "Blue Lamp", "" , "" };
    hr_catalog_t *c = hr_catalog_new ();
    for (int i = 0; i < 6; i++) {
        hr_product_t p = { .name = names[i], .main_category = "Home", .sub_category = "Lamps" };
        char id[16];
        snprintf (id, sizeof id, "V%09d", i);
        memcpy (p.id, id, 11);
        ck_assert_int_eq (hr_catalog_add (c, &p), 0);
    }
    hr_catalog_freeze (c);
    ck_assert_uint_eq (hr_catalog_variants (c), 2);     /* two of the red lamps; keyless never */
    ck_assert_uint_eq (hr_catalog_at (c, 0)->variant, hr_catalog_at (c, 2)->variant);
    ck_assert_uint_eq (hr_catalog_at (c, 4)->variant, 0);
    hr_catalog_destroy (&c);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_variant");
    TCase *tc = tcase_create ("variant");
    tcase_add_test (tc, test_sizes_of_one_product_share_a_key);
    tcase_add_test (tc, test_catalog_counts_variants);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
