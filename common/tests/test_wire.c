/*  hr_wire: round trips, and buffers a hostile or broken peer could send. */
#include "hr_status.h"
#include "hr_wire.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

START_TEST (test_scalars_round_trip)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_u8 (&w, 0xAB);
    hr_put_u32 (&w, 0xDEADBEEF);
    hr_put_u64 (&w, 0x0102030405060708ULL);
    hr_put_i64 (&w, -42);
    hr_put_f32 (&w, 1.5f);
    hr_put_f64 (&w, -2.25);
    hr_put_cstr (&w, "héllo");
    hr_put_str (&w, NULL, 0);
    ck_assert (!w.oom);
    ck_assert_uint_eq (w.len, 1 + 4 + 8 + 8 + 4 + 8 + 4 + 6 + 4);
    //  little-endian on the wire, whatever the host
    ck_assert_uint_eq (w.data[1], 0xEF);
    ck_assert_uint_eq (w.data[4], 0xDE);

    hr_reader_t r;
    hr_reader_init (&r, w.data, w.len);
    ck_assert_uint_eq (hr_get_u8 (&r), 0xAB);
    ck_assert_uint_eq (hr_get_u32 (&r), 0xDEADBEEF);
    ck_assert (hr_get_u64 (&r) == 0x0102030405060708ULL);
    ck_assert_int_eq (hr_get_i64 (&r), -42);
    ck_assert (hr_get_f32 (&r) == 1.5f);
    ck_assert (hr_get_f64 (&r) == -2.25);
    size_t n;
    const char *s = hr_get_str (&r, &n);
    ck_assert_uint_eq (n, 6);
    ck_assert (memcmp (s, "héllo", 6) == 0);
    char empty[4] = "xx";
    ck_assert_int_eq (hr_get_str_copy (&r, empty, sizeof empty), 0);
    ck_assert_str_eq (empty, "");
    ck_assert (hr_reader_done (&r));
    hr_writer_free (&w);
    ck_assert_ptr_null (w.data);
}
END_TEST

START_TEST (test_writer_grows_and_resets)
{
    hr_writer_t w;
    hr_writer_init (&w);
    for (uint32_t i = 0; i < 100000; i++)
        hr_put_u32 (&w, i);
    ck_assert (!w.oom);
    ck_assert_uint_eq (w.len, 400000);
    hr_reader_t r;
    hr_reader_init (&r, w.data, w.len);
    for (uint32_t i = 0; i < 100000; i++)
        ck_assert_uint_eq (hr_get_u32 (&r), i);
    ck_assert (hr_reader_done (&r));
    unsigned char *buf = w.data;
    hr_writer_reset (&w);
    ck_assert_uint_eq (w.len, 0);
    ck_assert_ptr_eq (w.data, buf);
    hr_writer_free (&w);
}
END_TEST

START_TEST (test_truncated_reads_latch)
{
    unsigned char three[3] = { 1, 2, 3 };
    hr_reader_t r;
    hr_reader_init (&r, three, sizeof three);
    ck_assert_uint_eq (hr_get_u32 (&r), 0);
    ck_assert (!hr_reader_ok (&r));
    //  latched: even a read that would fit now fails
    ck_assert_uint_eq (hr_get_u8 (&r), 0);
    ck_assert (!hr_reader_ok (&r));

    //  a string whose length runs past the end
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_u32 (&w, 100);
    hr_put_bytes (&w, "abc", 3);
    hr_reader_init (&r, w.data, w.len);
    size_t n = 99;
    ck_assert_ptr_null (hr_get_str (&r, &n));
    ck_assert_uint_eq (n, 0);
    ck_assert (!hr_reader_ok (&r));

    //  a string that does not fit the destination
    hr_writer_reset (&w);
    hr_put_cstr (&w, "0123456789");
    hr_reader_init (&r, w.data, w.len);
    char small[10];
    ck_assert_int_eq (hr_get_str_copy (&r, small, sizeof small), -1);
    ck_assert_str_eq (small, "");
    ck_assert (!hr_reader_ok (&r));

    //  an empty or NULL buffer
    hr_reader_init (&r, NULL, 0);
    ck_assert (hr_reader_done (&r));
    hr_get_u8 (&r);
    ck_assert (!hr_reader_ok (&r));
    hr_writer_free (&w);
}
END_TEST

START_TEST (test_hostile_count)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_u32 (&w, 0xFFFFFFFF);        //  "four billion items follow"
    hr_put_bytes (&w, "0123456789abcdefghij", 20);
    hr_reader_t r;
    hr_reader_init (&r, w.data, w.len);
    ck_assert_uint_eq (hr_get_count (&r, 8), 0);
    ck_assert (!hr_reader_ok (&r));

    //  exactly enough bytes is fine; one item more is not
    hr_reader_init (&r, w.data, w.len);
    hr_writer_t w2;
    hr_writer_init (&w2);
    hr_put_u32 (&w2, 5);
    hr_put_bytes (&w2, "0123456789abcdefghij", 20);
    hr_reader_init (&r, w2.data, w2.len);
    ck_assert_uint_eq (hr_get_count (&r, 4), 5);
    ck_assert (hr_reader_ok (&r));
    hr_reader_init (&r, w2.data, w2.len);
    ck_assert_uint_eq (hr_get_count (&r, 5), 0);
    ck_assert (!hr_reader_ok (&r));

    //  hostile count in a scored list: nothing allocated, -1
    hr_reader_init (&r, w.data, w.len);
    hr_scored_t *items = (hr_scored_t *) 0x1;
    uint32_t n = 7;
    ck_assert_int_eq (hr_get_scored_list (&r, &items, &n), -1);
    ck_assert_ptr_null (items);
    ck_assert_uint_eq (n, 0);
    hr_writer_free (&w);
    hr_writer_free (&w2);
}
END_TEST

START_TEST (test_scored_list_round_trip)
{
    hr_scored_t in[3] = {
        { "B000000001", 0.9f, HR_STRAT_CONTENT, "" },
        { "B000000002", 0.5f, HR_STRAT_SEARCH, "wireless mouse" },
        { "1234567890", -1.0f, HR_STRAT_RULES, "B000000001" },
    };
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_u8 (&w, 7);                   //  something before the list
    hr_put_scored_list (&w, in, 3);
    size_t begin = hr_scored_list_begin (&w);   //  then one built on the fly
    hr_put_scored_item (&w, "B00000000X", 2.0f, HR_STRAT_TRENDING, "q", 1);
    hr_put_scored_item (&w, "B00000000Y", 1.0f, HR_STRAT_POPULAR, NULL, 0);
    hr_scored_list_end (&w, begin, 2);
    ck_assert (!w.oom);

    hr_reader_t r;
    hr_reader_init (&r, w.data, w.len);
    ck_assert_uint_eq (hr_get_u8 (&r), 7);
    hr_scored_t *out;
    uint32_t n;
    ck_assert_int_eq (hr_get_scored_list (&r, &out, &n), 0);
    ck_assert_uint_eq (n, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_str_eq (out[i].id, in[i].id);
        ck_assert (out[i].score == in[i].score);
        ck_assert_uint_eq (out[i].strategy, in[i].strategy);
        ck_assert_str_eq (out[i].source, in[i].source);
    }
    free (out);
    ck_assert_int_eq (hr_get_scored_list (&r, &out, &n), 0);
    ck_assert_uint_eq (n, 2);
    ck_assert_str_eq (out[0].id, "B00000000X");
    ck_assert_str_eq (out[0].source, "q");
    ck_assert_str_eq (out[1].source, "");
    ck_assert_uint_eq (out[1].strategy, HR_STRAT_POPULAR);
    free (out);
    ck_assert (hr_reader_done (&r));

    //  an empty list: nothing allocated, OK
    hr_writer_reset (&w);
    hr_put_scored_list (&w, NULL, 0);
    hr_reader_init (&r, w.data, w.len);
    ck_assert_int_eq (hr_get_scored_list (&r, &out, &n), 0);
    ck_assert_uint_eq (n, 0);
    ck_assert_ptr_null (out);
    hr_writer_free (&w);
}
END_TEST

/*  The item as written before it took one reservation: field by field
    (id padded with NULs, f32, u8, str source cut to 255 bytes on a UTF-8
    boundary).  hr_put_scored_item must write the same bytes.              */
static void
s_old_scored_item (hr_writer_t *w, const char *id10, float score, uint8_t strategy,
                   const char *source, size_t source_len)
{
    char id[HR_PRODUCT_ID_LEN] = { 0 };
    memcpy (id, id10, strnlen (id10, HR_PRODUCT_ID_LEN));
    hr_put_bytes (w, id, HR_PRODUCT_ID_LEN);
    hr_put_f32 (w, score);
    hr_put_u8 (w, strategy);
    if (!source)
        source_len = 0;
    if (source_len > HR_SOURCE_MAX - 1) {
        source_len = HR_SOURCE_MAX - 1;
        while (source_len > 0 && ((unsigned char) source[source_len] & 0xC0) == 0x80)
            source_len--;
    }
    hr_put_str (w, source, source_len);
}

START_TEST (test_scored_item_bytes_unchanged)
{
    char longsrc[400], utf8[400];
    memset (longsrc, 'q', sizeof longsrc);
    for (size_t i = 0; i + 1 < sizeof utf8; i += 2) {     /* "é" x 200: cut at 254, not 255 */
        utf8[i] = (char) 0xC3;
        utf8[i + 1] = (char) 0xA9;
    }
    const struct {
        const char *id;
        float score;
        uint8_t strategy;
        const char *source;
        size_t len;
    } items[] = {
        { "B000000001", 0.9f, HR_STRAT_CONTENT, "", 0 },
        { "B000000002", -1.5f, HR_STRAT_SEARCH, "wireless mouse", 14 },
        { "B0000", 1e30f, HR_STRAT_TRENDING, NULL, 7 },                    /* short id, NULL source */
        { "1234567890X", 0.0f, HR_STRAT_RULES, "B000000001", 10 },         /* only 10 bytes of id */
        { "B000000003", -0.0f, HR_STRAT_DIVERSE, longsrc, sizeof longsrc },
        { "B000000004", NAN, HR_STRAT_BEST_VALUE, utf8, sizeof utf8 },
        { "B000000005", 2.0f, HR_STRAT_POPULAR, longsrc, 255 },
        { "B000000006", 3.0f, HR_STRAT_POPULAR, longsrc, 256 },
    };
    const size_t nitems = sizeof items / sizeof *items;
    //  from several starting lengths, so the one reservation grows the
    //  buffer at every point of an item
    for (size_t lead = 0; lead < 300; lead += 7) {
        hr_writer_t a, b;
        hr_writer_init (&a);
        hr_writer_init (&b);
        for (size_t i = 0; i < lead; i++) {
            hr_put_u8 (&a, (uint8_t) i);
            hr_put_u8 (&b, (uint8_t) i);
        }
        for (int round = 0; round < 20; round++)
            for (size_t i = 0; i < nitems; i++) {
                hr_put_scored_item (&a, items[i].id, items[i].score, items[i].strategy,
                                    items[i].source, items[i].len);
                s_old_scored_item (&b, items[i].id, items[i].score, items[i].strategy,
                                   items[i].source, items[i].len);
            }
        ck_assert (!a.oom && !b.oom);
        ck_assert_uint_eq (a.len, b.len);
        ck_assert (memcmp (a.data, b.data, a.len) == 0);
        hr_writer_free (&a);
        hr_writer_free (&b);
    }
    //  hr_put_scored_items: the bytes of one hr_put_scored_item per item,
    //  for every source above, from several starting lengths
    const char *ids[] = { "B000000001", "B0000", "1234567890X", "", "B000000009" };
    const float scores[] = { 0.9f, -1.5f, NAN, -0.0f, 1e30f };
    for (size_t lead = 0; lead < 300; lead += 13)
        for (size_t i = 0; i < nitems; i++)
            for (uint32_t n = 0; n <= 5; n++) {
                hr_writer_t a, b;
                hr_writer_init (&a);
                hr_writer_init (&b);
                for (size_t j = 0; j < lead; j++) {
                    hr_put_u8 (&a, (uint8_t) j);
                    hr_put_u8 (&b, (uint8_t) j);
                }
                hr_put_scored_items (&a, ids, scores, n, items[i].strategy, items[i].source,
                                     items[i].len);
                for (uint32_t k = 0; k < n; k++)
                    hr_put_scored_item (&b, ids[k], scores[k], items[i].strategy,
                                        items[i].source, items[i].len);
                ck_assert (!a.oom && !b.oom);
                ck_assert_uint_eq (a.len, b.len);
                ck_assert (a.len == 0 || memcmp (a.data, b.data, a.len) == 0);
                hr_writer_free (&a);
                hr_writer_free (&b);
            }
    //  the known bytes of one item
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_scored_item (&w, "B0000", 1.0f, HR_STRAT_TRENDING, "ab", 2);
    static const unsigned char want[] = {
        'B', '0', '0', '0', '0', 0, 0, 0, 0, 0, 0x00, 0x00, 0x80, 0x3f, HR_STRAT_TRENDING,
        2, 0, 0, 0, 'a', 'b',
    };
    ck_assert_uint_eq (w.len, sizeof want);
    ck_assert (memcmp (w.data, want, sizeof want) == 0);
    //  after an allocation failure nothing more is written
    w.oom = true;
    size_t len = w.len;
    hr_put_scored_item (&w, "B000000001", 1.0f, HR_STRAT_TRENDING, "ab", 2);
    ck_assert_uint_eq (w.len, len);
    hr_put_scored_items (&w, ids, scores, 5, HR_STRAT_TRENDING, "ab", 2);
    ck_assert_uint_eq (w.len, len);
    hr_writer_free (&w);
}
END_TEST

START_TEST (test_scored_list_rejects_bad_items)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_reader_t r;
    hr_scored_t *out;
    uint32_t n;

    //  lower-case id
    hr_put_u32 (&w, 1);
    hr_put_scored_item (&w, "b000000001", 1.0f, 1, "", 0);
    hr_reader_init (&r, w.data, w.len);
    ck_assert_int_eq (hr_get_scored_list (&r, &out, &n), -1);
    ck_assert_ptr_null (out);
    ck_assert (!hr_reader_ok (&r));

    //  a short id is padded with NULs by the writer and refused by the reader
    hr_writer_reset (&w);
    hr_put_u32 (&w, 1);
    hr_put_scored_item (&w, "B0001", 1.0f, 1, "", 0);
    ck_assert_uint_eq (w.len, 4 + 10 + 4 + 1 + 4);
    hr_reader_init (&r, w.data, w.len);
    ck_assert_int_eq (hr_get_scored_list (&r, &out, &n), -1);

    //  NaN score
    hr_writer_reset (&w);
    hr_put_u32 (&w, 1);
    hr_put_scored_item (&w, "B000000001", NAN, 1, "", 0);
    hr_reader_init (&r, w.data, w.len);
    ck_assert_int_eq (hr_get_scored_list (&r, &out, &n), -1);

    //  second item truncated: the first one must not leak
    hr_writer_reset (&w);
    hr_put_u32 (&w, 2);
    hr_put_scored_item (&w, "B000000001", 1.0f, 1, "abc", 3);
    hr_put_scored_item (&w, "B000000002", 1.0f, 1, "abcdefghijklmnopqrstuvwxyz", 26);
    for (size_t cut = 4; cut < w.len; cut++) {
        hr_reader_init (&r, w.data, cut);
        out = NULL;
        ck_assert_int_eq (hr_get_scored_list (&r, &out, &n), -1);
        ck_assert_ptr_null (out);
    }
    hr_reader_init (&r, w.data, w.len);
    ck_assert_int_eq (hr_get_scored_list (&r, &out, &n), 0);
    ck_assert_uint_eq (n, 2);
    free (out);

    //  a source over HR_SOURCE_MAX from a hostile peer is refused...
    hr_writer_reset (&w);
    hr_put_u32 (&w, 1);
    hr_put_bytes (&w, "B000000001", 10);
    hr_put_f32 (&w, 1.0f);
    hr_put_u8 (&w, 1);
    char big[400];
    memset (big, 'a', sizeof big);
    hr_put_str (&w, big, sizeof big);
    hr_reader_init (&r, w.data, w.len);
    ck_assert_int_eq (hr_get_scored_list (&r, &out, &n), -1);
    //  ...and our own writer truncates it (on a UTF-8 boundary)
    hr_writer_reset (&w);
    hr_put_u32 (&w, 1);
    for (size_t i = 0; i + 1 < sizeof big; i += 2)
        memcpy (big + i, "\xC3\xA9", 2);         //  é é é ...
    hr_put_scored_item (&w, "B000000001", 1.0f, 1, big, sizeof big);
    hr_reader_init (&r, w.data, w.len);
    ck_assert_int_eq (hr_get_scored_list (&r, &out, &n), 0);
    ck_assert_uint_eq (strlen (out[0].source), 254);
    free (out);
    hr_writer_free (&w);
}
END_TEST

/*  The in-place id reader accepts exactly what hr_get_scored_list accepts,
    and names the same ids in order: each malformed list of the test above,
    every truncation of a good one, and a count over the caller's room.    */
static void
s_ids_agree (const void *data, size_t len, uint32_t cap)
{
    hr_reader_t r1, r2;
    hr_reader_init (&r1, data, len);
    hr_reader_init (&r2, data, len);
    hr_scored_t *items = NULL;
    uint32_t n1 = 0, n2 = 99;
    const char *ids[8];
    int full = hr_get_scored_list (&r1, &items, &n1);
    int in_place = hr_get_scored_ids (&r2, ids, cap, &n2);
    if (full == 0 && n1 > cap)
        ck_assert_int_eq (in_place, -1);
    else {
        ck_assert_int_eq (in_place, full);
        ck_assert_int_eq (hr_reader_ok (&r2), hr_reader_ok (&r1));
    }
    if (in_place == 0) {
        ck_assert_uint_eq (n2, n1);
        ck_assert (r2.p == r1.p);
        for (uint32_t i = 0; i < n2; i++)
            ck_assert_int_eq (memcmp (ids[i], items[i].id, HR_PRODUCT_ID_LEN), 0);
    }
    else
        ck_assert_uint_eq (n2, 0);
    free (items);
}

START_TEST (test_scored_ids_as_scored_list)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_u32 (&w, 3);
    hr_put_scored_item (&w, "B000000001", 1.0f, 1, "abc", 3);
    hr_put_scored_item (&w, "B000000002", 0.5f, 2, "", 0);
    hr_put_scored_item (&w, "B000000003", 0.25f, 5, "red shoes", 9);
    for (size_t cut = 0; cut <= w.len; cut++)
        s_ids_agree (w.data, cut, 8);
    s_ids_agree (w.data, w.len, 3);
    s_ids_agree (w.data, w.len, 2);                     /* more items than room: -1 */
    const char *bad[] = { "b000000001", "B0001", NULL };
    for (int i = 0; i < 3; i++) {
        hr_writer_reset (&w);
        hr_put_u32 (&w, 2);
        hr_put_scored_item (&w, "B000000009", 1.0f, 1, "", 0);
        if (bad[i])
            hr_put_scored_item (&w, bad[i], 1.0f, 1, "", 0);
        else
            hr_put_scored_item (&w, "B000000001", NAN, 1, "", 0);
        s_ids_agree (w.data, w.len, 8);
    }
    hr_writer_reset (&w);
    hr_put_u32 (&w, 1);
    hr_put_bytes (&w, "B000000001", 10);
    hr_put_f32 (&w, 1.0f);
    hr_put_u8 (&w, 1);
    char big[HR_SOURCE_MAX];
    memset (big, 'a', sizeof big);
    hr_put_str (&w, big, sizeof big);                   /* one byte over the limit */
    s_ids_agree (w.data, w.len, 8);
    hr_writer_reset (&w);
    hr_put_u32 (&w, 0xFFFFFFFF);
    hr_put_bytes (&w, "0123456789abcdefghij", 20);
    s_ids_agree (w.data, w.len, 8);
    hr_writer_free (&w);
}
END_TEST

START_TEST (test_names)
{
    ck_assert_str_eq (hr_strategy_name (HR_STRAT_CONTENT), "content");
    ck_assert_str_eq (hr_strategy_name (HR_STRAT_BEST_VALUE), "best_value");
    ck_assert_str_eq (hr_strategy_name (99), "unknown");
    ck_assert_str_eq (hr_strategy_name (-1), "unknown");
    ck_assert_str_eq (hr_status_name (HR_OK), "ok");
    ck_assert_str_eq (hr_status_name (HR_EXPIRED), "expired");
    ck_assert_str_eq (hr_status_name (6), "unknown");
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_wire");
    TCase *tc = tcase_create ("core");
    tcase_add_test (tc, test_scalars_round_trip);
    tcase_add_test (tc, test_writer_grows_and_resets);
    tcase_add_test (tc, test_truncated_reads_latch);
    tcase_add_test (tc, test_hostile_count);
    tcase_add_test (tc, test_scored_list_round_trip);
    tcase_add_test (tc, test_scored_item_bytes_unchanged);
    tcase_add_test (tc, test_scored_list_rejects_bad_items);
    tcase_add_test (tc, test_scored_ids_as_scored_list);
    tcase_add_test (tc, test_names);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
