/*  hr_import on real rows (tests/data/amazon-raw-sample.csv: ten lines
    copied byte for byte from ../shared/data/amazon-in-products, CRLF) and on
    malformed ones; loading into PostgreSQL.                                */
#include "hr_import.h"
#include "hr_migrate.h"
#include "hr_test.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char s_fixture[1024];

static const char *
s_fixture_path (void)
{
    const char *src = getenv ("HR_SOURCE_DIR");
    snprintf (s_fixture, sizeof s_fixture, "%s/common/tests/data/amazon-raw-sample.csv",
              src ? src : ".");
    return s_fixture;
}

//  NAN-aware equality for expected values
#define ck_assert_num(got, want)                                                     \
    ck_assert_msg ((isnan (want) && isnan (got)) || (got) == (want),                 \
                   "%s = %.17g, want %.17g", #got, (double) (got), (double) (want))

typedef struct {
    const char *id, *name_start, *sub;
    double rating;
    int64_t reviews;
    double price, actual, ratio;
} expected_t;

START_TEST (test_real_rows)
{
    hr_import_t *imp = hr_import_new ();
    ck_assert_int_eq (hr_import_read_file (imp, s_fixture_path ()), 0);
    const hr_import_summary_t *s = hr_import_summary (imp);
    ck_assert_uint_eq (s->read, 10);
    ck_assert_uint_eq (s->rejected, 0);
    ck_assert_uint_eq (s->files, 1);
    ck_assert_uint_eq (hr_import_count (imp), 10);

    const expected_t want[10] = {
        { "B0BRKXTSBT", "Lloyd 1.5 Ton 3 Star Inverter Split Ac (5 In 1 Convertible, Copper,", "Air Conditioners",
          4.2, 2255, 32999, 58990, 0.4406 },
        //  "Get" rating, "FREE Delivery by Amazon" as the count, a doubled quote
        { "B0BV6FVKSP", "Hammer Ace 3.0 Bluetooth Calling Smart Watch with Largest 1.85\" IPS Display,",
          "All Electronics", NAN, 0, 1499, 4999, 0.7001 },
        //  empty rating and count
        { "B0BRKXY81Z", "Lloyd 1.5 Ton 3 Star Fixed Speed Window Ac", "Air Conditioners",
          NAN, 0, 27440, 47990, 0.4282 },
        //  empty discount price
        { "B07S851WX5", "Prestige Sandwich Maker PGMFD 01, Black", "All Appliances",
          4.2, 41493, NAN, 1299, NAN },
        //  plain-decimal prices (spreadsheet re-save)
        { "B07WMS7TWB", "Pigeon by Stovekraft Amaze Plus Electric Kettle (14289)", "All Appliances",
          3.9, 128941, 599, 1245, 0.5189 },
        //  unquoted name
        { "B01LWYDEQ7", "Pigeon Polypropylene Mini Handy", "All Appliances", 4.1, 274505, 199, 545, 0.6349 },
        //  "4" instead of "4.0", unquoted count
        { "B0BQ3MJ1TG", "LG 1.5 Ton 3 Star AI DUAL", "Air Conditioners", 4, 69, 37990, 68990, 0.4493 },
        //  both prices empty
        { "B09NS5B6TP", "LG 1.5 Ton 3 Star Hot & Cold", "Air Conditioners", 4.0, 265, NAN, NAN, NAN },
        { "B0BWTJ81N7", "YONEX Badminton Shoes Dual | Ideal for Badminton,Squash", "Badminton",
          NAN, 0, 3250, 5890, 0.4482 },
        { "B01N34VVGE", "Kingsway Dustproof Car Body Cover, Suitable", "All Car & Motorbike Products",
          3.6, 3177, NAN, NAN, NAN },
    };
    for (uint32_t i = 0; i < 10; i++) {
        const hr_import_row_t *r = hr_import_row (imp, i);
        const expected_t *w = &want[i];
        ck_assert_str_eq (r->id, w->id);
        ck_assert_msg (strncmp (r->name, w->name_start, strlen (w->name_start)) == 0, "name: %s", r->name);
        ck_assert_str_eq (r->sub_category, w->sub);
        ck_assert_num (r->rating, w->rating);
        ck_assert_int_eq (r->reviews, w->reviews);
        ck_assert_num (r->price, w->price);
        ck_assert_num (r->original_price, w->actual);
        ck_assert_num (r->discount_ratio, w->ratio);
        //  CRLF is not part of the last field; image and link are kept
        ck_assert_ptr_null (strchr (r->link, '\r'));
        ck_assert (strncmp (r->image, "https://m.media-amazon.com/", 27) == 0);
    }
    ck_assert_str_eq (hr_import_row (imp, 1)->main_category, "tv, audio & cameras");
    ck_assert_str_eq (hr_import_row (imp, 0)->name,
                      "Lloyd 1.5 Ton 3 Star Inverter Split Ac (5 In 1 Convertible, Copper, Anti-Viral + Pm 2.5 "
                      "Filter, 2023 Model, White, Gls18I3...");
    hr_import_destroy (&imp);
    ck_assert_ptr_null (imp);
}
END_TEST

START_TEST (test_parsing_rules)
{
    ck_assert_num (hr_import_parse_price ("\xe2\x82\xb9" "32,999"), 32999.0);
    ck_assert_num (hr_import_parse_price ("599.00"), 599.0);
    ck_assert_num (hr_import_parse_price ("\xe2\x82\xb9" "62,358.36"), 62358.36);
    ck_assert (isnan (hr_import_parse_price ("")));
    ck_assert (isnan (hr_import_parse_price ("\xe2\x82\xb9")));
    ck_assert (isnan (hr_import_parse_price ("1.2.3")));
    ck_assert_num (hr_import_parse_rating ("4"), 4.0);
    ck_assert_num (hr_import_parse_rating ("4.2"), 4.2);
    ck_assert (isnan (hr_import_parse_rating ("Get")));
    ck_assert (isnan (hr_import_parse_rating ("FREE")));
    ck_assert (isnan (hr_import_parse_rating ("")));
    ck_assert (isnan (hr_import_parse_rating ("7.5")));
    ck_assert_int_eq (hr_import_parse_count ("2,255"), 2255);
    ck_assert_int_eq (hr_import_parse_count ("69"), 69);
    ck_assert_int_eq (hr_import_parse_count (""), 0);
    ck_assert_int_eq (hr_import_parse_count ("FREE Delivery by Amazon"), 0);
    ck_assert_int_eq (hr_import_parse_count ("99999999999999999999999"), 0);

    char id[11];
    hr_import_derive_id ("x", "https://www.amazon.in/a/dp/b0brkxtsbt/ref=sr_1_4", id);
    ck_assert_str_eq (id, "B0BRKXTSBT");
    hr_import_derive_id ("x", "https://www.amazon.in/a/dp/B0BRKXTSBT?x=1", id);
    ck_assert_str_eq (id, "B0BRKXTSBT");
    //  No ASIN: FNV-1a-64 of name+link, first 10 hex digits, stable
    hr_import_derive_id ("a", "", id);
    ck_assert_str_eq (id, "AF63DC4C86");      // FNV-1a-64("a") = af63dc4c8601ec8c
    hr_import_derive_id ("Some product", "https://example.com/dp/SHORT", id);
    char again[11];
    hr_import_derive_id ("Some product", "https://example.com/dp/SHORT", again);
    ck_assert_str_eq (id, again);
    ck_assert_int_eq (strspn (id, "0123456789ABCDEF"), 10);
    hr_import_derive_id ("Some product", "https://example.com/dp/B0BRKXTSBTX", again);
    ck_assert_str_ne (again, "B0BRKXTSBT");   // eleven characters is not an ASIN
}
END_TEST

static hr_import_t *
s_import_text (const char *text, const char *name)
{
    FILE *in = fmemopen ((void *) text, strlen (text), "r");
    ck_assert_ptr_nonnull (in);
    hr_import_t *imp = hr_import_new ();
    ck_assert_int_eq (hr_import_read_stream (imp, in, name), 0);
    fclose (in);
    return imp;
}

START_TEST (test_malformed_rows)
{
    const char *raw =
        "name,main_category,sub_category,image,link,ratings,no_of_ratings,discount_price,actual_price\r\n"
        "Good one,appliances,Fans,img,https://www.amazon.in/x/dp/B0AAAAAAA1/,4.1,\"1,000\",\"\xe2\x82\xb9" "100\",\"\xe2\x82\xb9" "200\"\r\n"
        ",appliances,Fans,img,https://www.amazon.in/x/dp/B0AAAAAAA2/,4.1,10,1,2\r\n"          // line 3: no name
        "No category,,Fans,img,https://www.amazon.in/x/dp/B0AAAAAAA3/,4.1,10,1,2\r\n"         // line 4
        "Too few,appliances,Fans,img\r\n"                                                     // line 5
        "Bad bytes \xff\xfe,appliances,Fans,img,https://www.amazon.in/x/dp/B0AAAAAAA4/,,,,\r\n"  // line 6
        "Good one again,appliances,Fans,img2,https://www.amazon.in/x/dp/B0AAAAAAA1/,4.5,7,,\r\n" // line 7: same id
        "\"Never closed,appliances,Fans,img,link,,,,\r\n";                                     // line 8
    hr_import_t *imp = s_import_text (raw, "bad.csv");
    const hr_import_summary_t *s = hr_import_summary (imp);
    ck_assert_uint_eq (s->read, 7);
    ck_assert_uint_eq (s->rejected, 5);
    ck_assert_uint_eq (s->duplicates, 1);
    ck_assert_uint_eq (hr_import_count (imp), 1);
    ck_assert_int_eq (s->nrejects, 5);
    const struct { long line; const char *reason; } want[] = {
        { 3, "missing name" }, { 4, "no category" }, { 5, "expected 9 fields, got 4" },
        { 6, "invalid UTF-8 in name" }, { 8, "malformed CSV record" },
    };
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq (s->rejects[i].line, want[i].line);
        ck_assert_msg (strncmp (s->rejects[i].reason, want[i].reason, strlen (want[i].reason)) == 0,
                       "line %ld: %s", s->rejects[i].line, s->rejects[i].reason);
        ck_assert_str_eq (s->rejects[i].file, "bad.csv");
    }
    //  Last wins, in the first one's place
    const hr_import_row_t *r = hr_import_row (imp, 0);
    ck_assert_str_eq (r->id, "B0AAAAAAA1");
    ck_assert_str_eq (r->name, "Good one again");
    ck_assert_num (r->rating, 4.5);
    ck_assert (isnan (r->price));
    char *json = hr_import_summary_json (imp);
    ck_assert_ptr_nonnull (json);
    ck_assert_msg (strstr (json, "\"rejected\":5") && strstr (json, "{\"file\":\"bad.csv\",\"line\":3,"
                                                                    "\"reason\":\"missing name\"}"), "%s", json);
    free (json);
    hr_import_destroy (&imp);

    //  Spec format: ids are checked, discount_ratio is taken when given
    const char *spec =
        "id,name,main_category,sub_category,image,link,ratings,no_of_ratings,discount_price,actual_price,discount_ratio\n"
        "B0SPEC0001,Spec one,appliances,Fans,,,4.5,1500,59.99,99.99,0.4001\n"
        "b0spec0002,lower-case id,appliances,Fans,,,,,,,\n"
        "B0SPEC03,short id,appliances,Fans,,,,,,,\n"
        "B0SPEC0004,computed ratio,appliances,Fans,,,,,50,200,\n";
    imp = s_import_text (spec, "spec.csv");
    s = hr_import_summary (imp);
    ck_assert_uint_eq (s->read, 4);
    ck_assert_uint_eq (s->rejected, 2);
    ck_assert_int_eq (s->rejects[0].line, 3);
    ck_assert (strncmp (s->rejects[0].reason, "bad id", 6) == 0);
    ck_assert_int_eq (s->rejects[1].line, 4);
    ck_assert_uint_eq (hr_import_count (imp), 2);
    ck_assert_num (hr_import_row (imp, 0)->discount_ratio, 0.4001);
    ck_assert_num (hr_import_row (imp, 0)->price, 59.99);
    ck_assert_num (hr_import_row (imp, 1)->discount_ratio, 0.75);
    ck_assert_str_eq (hr_import_row (imp, 1)->image, "");
    hr_import_destroy (&imp);
}
END_TEST

START_TEST (test_unreadable_inputs)
{
    hr_import_t *imp = hr_import_new ();
    ck_assert_int_eq (hr_import_read_file (imp, "/nonexistent/catalog.csv"), -1);
    FILE *in = fmemopen ((void *) "a,b,c\n1,2,3\n", 12, "r");
    ck_assert_int_eq (hr_import_read_stream (imp, in, "wrong-header.csv"), -1);
    fclose (in);
    in = fmemopen ((void *) "", 0, "r");
    if (in) {       // glibc refuses a zero-size buffer on some versions
        ck_assert_int_eq (hr_import_read_stream (imp, in, "empty.csv"), -1);
        fclose (in);
    }
    ck_assert_uint_ge (hr_import_summary (imp)->files_failed, 2);
    hr_import_destroy (&imp);
}
END_TEST

START_TEST (test_spec_csv_round_trip)
{
    hr_import_t *imp = hr_import_new ();
    ck_assert_int_eq (hr_import_read_file (imp, s_fixture_path ()), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&buf, &len);
    ck_assert_int_eq (hr_import_write_spec_csv (imp, out), 0);
    fclose (out);
    hr_import_t *again = s_import_text (buf, "spec-out.csv");
    ck_assert_uint_eq (hr_import_count (again), hr_import_count (imp));
    ck_assert_uint_eq (hr_import_summary (again)->rejected, 0);
    for (uint32_t i = 0; i < hr_import_count (imp); i++) {
        const hr_import_row_t *a = hr_import_row (imp, i), *b = hr_import_row (again, i);
        ck_assert_str_eq (a->id, b->id);
        ck_assert_str_eq (a->name, b->name);
        ck_assert_str_eq (a->main_category, b->main_category);
        ck_assert_num (b->rating, a->rating);
        ck_assert_num (b->price, a->price);
        ck_assert_num (b->original_price, a->original_price);
        ck_assert_num (b->discount_ratio, a->discount_ratio);
        ck_assert_int_eq (a->reviews, b->reviews);
    }
    hr_import_destroy (&again);
    hr_import_destroy (&imp);
    free (buf);
}
END_TEST

START_TEST (test_load_into_postgres)
{
    hr_pg_t *pg = hr_pg_new (test_database_url (), 60000, 5000);
    ck_assert_ptr_nonnull (pg);
    ck_assert_int_ge (hr_migrate (pg), 0);
    //  Unique ids for this run, so parallel runs and the real catalog differ
    char spec[1024];
    long tag = (long) getpid () % 100000;
    snprintf (spec, sizeof spec,
              "id,name,main_category,sub_category,image,link,ratings,no_of_ratings,discount_price,actual_price,discount_ratio\n"
              "TI%05ldAAA,\"Tab\there, quote \"\" and \\\\ backslash\",appliances,Fans,img,,4.5,1500,59.99,99.99,\n"
              "TI%05ldBBB,Second,appliances,Fans,,,,,,,\n", tag, tag);
    hr_import_t *imp = s_import_text (spec, "load.csv");
    ck_assert_uint_eq (hr_import_count (imp), 2);
    int64_t before = -1;
    PGresult *res = hr_pg_exec (pg, "SELECT value::bigint FROM meta WHERE key = 'catalog_version'", 0, NULL);
    ck_assert_ptr_nonnull (res);
    before = strtoll (PQgetvalue (res, 0, 0), NULL, 10);
    PQclear (res);

    ck_assert_int_eq (hr_import_load (imp, pg), 0);
    ck_assert_uint_eq (hr_import_summary (imp)->loaded, 2);
    ck_assert_uint_eq (hr_import_summary (imp)->updated, 0);
    ck_assert_int_gt (hr_import_summary (imp)->catalog_version, before);
    hr_import_destroy (&imp);

    char id1[16], id2[16];
    snprintf (id1, sizeof id1, "TI%05ldAAA", tag);
    snprintf (id2, sizeof id2, "TI%05ldBBB", tag);
    const char *params[] = { id1, id2 };
    res = hr_pg_exec (pg, "SELECT name, ratings, no_of_ratings, discount_price, discount_ratio, link IS NULL"
                          " FROM products WHERE id = $1", 1, params);
    ck_assert_ptr_nonnull (res);
    ck_assert_int_eq (PQntuples (res), 1);
    ck_assert_str_eq (PQgetvalue (res, 0, 0), "Tab\there, quote \" and \\\\ backslash");
    ck_assert_str_eq (PQgetvalue (res, 0, 1), "4.5");
    ck_assert_str_eq (PQgetvalue (res, 0, 2), "1500");
    ck_assert_str_eq (PQgetvalue (res, 0, 3), "59.99");
    //  computed: 1 - 59.99/99.99 = 0.40004.. -> 0.4
    ck_assert_str_eq (PQgetvalue (res, 0, 4), "0.4");
    ck_assert_str_eq (PQgetvalue (res, 0, 5), "t");
    PQclear (res);

    //  Importing again updates instead of inserting
    imp = s_import_text (spec, "load.csv");
    ck_assert_int_eq (hr_import_load (imp, pg), 0);
    ck_assert_uint_eq (hr_import_summary (imp)->loaded, 0);
    ck_assert_uint_eq (hr_import_summary (imp)->updated, 2);
    hr_import_destroy (&imp);

    res = hr_pg_exec (pg, "DELETE FROM products WHERE id IN ($1, $2)", 2, params);
    ck_assert_ptr_nonnull (res);
    ck_assert_str_eq (PQcmdTuples (res), "2");
    PQclear (res);
    hr_pg_destroy (&pg);
}
END_TEST

START_TEST (test_real_fixture_loads)
{
    hr_pg_t *pg = hr_pg_new (test_database_url (), 60000, 5000);
    ck_assert_ptr_nonnull (pg);
    ck_assert_int_ge (hr_migrate (pg), 0);
    hr_import_t *imp = hr_import_new ();
    ck_assert_int_eq (hr_import_read_file (imp, s_fixture_path ()), 0);
    ck_assert_int_eq (hr_import_load (imp, pg), 0);
    ck_assert_uint_eq (hr_import_summary (imp)->loaded + hr_import_summary (imp)->updated, 10);
    hr_import_destroy (&imp);
    const char *params[] = { "B09NS5B6TP" };
    PGresult *res = hr_pg_exec (pg, "SELECT discount_price IS NULL, actual_price IS NULL, ratings,"
                                    " sub_category FROM products WHERE id = $1", 1, params);
    ck_assert_ptr_nonnull (res);
    ck_assert_str_eq (PQgetvalue (res, 0, 0), "t");
    ck_assert_str_eq (PQgetvalue (res, 0, 1), "t");
    ck_assert_str_eq (PQgetvalue (res, 0, 2), "4");
    ck_assert_str_eq (PQgetvalue (res, 0, 3), "Air Conditioners");
    PQclear (res);
    hr_pg_destroy (&pg);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_import");
    TCase *tc = tcase_create ("import");
    tcase_set_timeout (tc, 60);
    tcase_add_test (tc, test_real_rows);
    tcase_add_test (tc, test_parsing_rules);
    tcase_add_test (tc, test_malformed_rows);
    tcase_add_test (tc, test_unreadable_inputs);
    tcase_add_test (tc, test_spec_csv_round_trip);
    tcase_add_test (tc, test_load_into_postgres);
    tcase_add_test (tc, test_real_fixture_loads);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
