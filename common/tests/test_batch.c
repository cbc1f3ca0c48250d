/*  hr_batch: requests and replies round-trip; hostile counts, truncated
    items and out-of-range statuses are refused, never read past the end. */
#include "hr_batch.h"
#include "hr_status.h"
#include <check.h>
#include <string.h>

START_TEST (test_round_trip)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_batch_writer_t bw;
    hr_batch_request_begin (&bw, &w);
    hr_batch_request_add (&bw, 7, "abc", 3);
    hr_batch_request_add (&bw, 1ull << 60, "", 0);
    hr_batch_end (&bw);
    ck_assert (!w.oom);

    hr_reader_t r;
    hr_reader_init (&r, w.data, w.len);
    size_t mlen;
    const char *method = hr_get_str (&r, &mlen);
    ck_assert_uint_eq (mlen, strlen (HR_BATCH_METHOD));
    ck_assert (memcmp (method, HR_BATCH_METHOD, mlen) == 0);
    ck_assert_uint_eq (hr_batch_count (&r), 2);
    uint64_t id;
    const void *body;
    size_t len;
    ck_assert_int_eq (hr_batch_next_request (&r, &id, &body, &len), 0);
    ck_assert_uint_eq (id, 7);
    ck_assert_uint_eq (len, 3);
    ck_assert (memcmp (body, "abc", 3) == 0);
    ck_assert_int_eq (hr_batch_next_request (&r, &id, &body, &len), 0);
    ck_assert_uint_eq (id, 1ull << 60);
    ck_assert_uint_eq (len, 0);
    ck_assert (hr_reader_done (&r));

    hr_writer_reset (&w);
    hr_batch_reply_begin (&bw, &w);
    hr_batch_reply_add (&bw, 9, HR_NOT_FOUND, "gone", 4);
    hr_batch_end (&bw);
    hr_reader_init (&r, w.data, w.len);
    ck_assert_uint_eq (hr_batch_count (&r), 1);
    uint8_t status;
    ck_assert_int_eq (hr_batch_next_reply (&r, &id, &status, &body, &len), 0);
    ck_assert_uint_eq (id, 9);
    ck_assert_int_eq (status, HR_NOT_FOUND);
    ck_assert_uint_eq (len, 4);
    ck_assert (hr_reader_done (&r));
    hr_writer_free (&w);
}
END_TEST

START_TEST (test_hostile)
{
    hr_reader_t r;
    /*  count 0, count above HR_BATCH_MAX, count the bytes cannot hold      */
    const uint8_t zero[] = { 0, 0, 0, 0 };
    const uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff };
    const uint8_t short_[] = { 3, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0 };
    hr_reader_init (&r, zero, sizeof zero);
    ck_assert_uint_eq (hr_batch_count (&r), 0);
    ck_assert (!hr_reader_ok (&r));
    hr_reader_init (&r, huge, sizeof huge);
    ck_assert_uint_eq (hr_batch_count (&r), 0);
    hr_reader_init (&r, short_, sizeof short_);
    ck_assert_uint_eq (hr_batch_count (&r), 0);

    /*  an item whose body length runs past the end                         */
    const uint8_t past[] = { 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 99, 0, 0, 0, 'x' };
    hr_reader_init (&r, past, sizeof past);
    ck_assert_uint_eq (hr_batch_count (&r), 1);
    uint64_t id;
    const void *body;
    size_t len;
    ck_assert_int_eq (hr_batch_next_request (&r, &id, &body, &len), -1);

    /*  a reply item with a status no service sends                         */
    const uint8_t status_bad[] = { 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 200, 0, 0, 0, 0 };
    hr_reader_init (&r, status_bad, sizeof status_bad);
    ck_assert_uint_eq (hr_batch_count (&r), 1);
    uint8_t status;
    ck_assert_int_eq (hr_batch_next_reply (&r, &id, &status, &body, &len), -1);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("batch");
    TCase *tc = tcase_create ("batch");
    tcase_add_test (tc, test_round_trip);
    tcase_add_test (tc, test_hostile);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
