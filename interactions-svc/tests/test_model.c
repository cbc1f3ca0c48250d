/*  interactions — pure logic: validation, the cached element form, the
    wire encoding, and the import row parsers.                              */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "event.h"
#include "import_parse.h"
#include "protocol.h"
#include "serve.h"
#include "store.h"

static int
s_make (hr_event_t *ev, const char *user, unsigned type, const char *value, char *err)
{
    return inter_event_make (ev, user, strlen (user), type, value, strlen (value), err, 128);
}

START_TEST (test_event_validation)
{
    hr_event_t ev;
    char err[128];
    ck_assert_int_eq (s_make (&ev, "Bob1", HR_EVENT_CLICK, "ABCD1234XY", err), 0);
    ck_assert_str_eq (ev.user_id, "Bob1");
    ck_assert_str_eq (ev.value, "ABCD1234XY");
    ck_assert_int_eq (s_make (&ev, "Bob1", HR_EVENT_SEARCH, "  red shoes \t", err), 0);
    ck_assert_str_eq (ev.value, "red shoes");

    ck_assert_int_eq (s_make (&ev, "bob_1", HR_EVENT_CLICK, "ABCD1234XY", err), -1);
    ck_assert_ptr_nonnull (strstr (err, "user_id"));
    ck_assert_int_eq (s_make (&ev, "", HR_EVENT_CLICK, "ABCD1234XY", err), -1);
    char longid[52];
    memset (longid, 'a', 51);
    longid[51] = '\0';
    ck_assert_int_eq (s_make (&ev, longid, HR_EVENT_CLICK, "ABCD1234XY", err), -1);
    ck_assert_int_eq (s_make (&ev, "u", HR_EVENT_CLICK, "abcd1234xy", err), -1);
    ck_assert_ptr_nonnull (strstr (err, "product_id"));
    ck_assert_int_eq (s_make (&ev, "u", HR_EVENT_CLICK, "", err), -1);
    ck_assert_ptr_nonnull (strstr (err, "required"));
    ck_assert_int_eq (s_make (&ev, "u", HR_EVENT_SEARCH, "   ", err), -1);
    ck_assert_int_eq (s_make (&ev, "u", HR_EVENT_SEARCH, "\xff\xfe", err), -1);
    ck_assert_ptr_nonnull (strstr (err, "UTF-8"));
    char longq[300];
    memset (longq, 'q', 256);
    longq[256] = '\0';
    ck_assert_int_eq (s_make (&ev, "u", HR_EVENT_SEARCH, longq, err), -1);
    longq[255] = '\0';
    ck_assert_int_eq (s_make (&ev, "u", HR_EVENT_SEARCH, longq, err), 0);
    ck_assert_int_eq (s_make (&ev, "u", 3, "x", err), -1);
    ck_assert_int_eq (s_make (&ev, "u", 0, "x", err), -1);
}
END_TEST

START_TEST (test_cache_element_round_trip)
{
    hr_event_t ev = { .user_id = "u", .type = HR_EVENT_SEARCH, .value = "a|b c", .ts_ms = 1764140000456 };
    char buf[INTER_CACHE_ELEM_MAX];
    size_t n = inter_event_encode (&ev, buf, sizeof buf);
    ck_assert_str_eq (buf, "2|1764140000456|a|b c");
    hr_event_t back;
    ck_assert_int_eq (inter_event_decode (buf, n, &back), 0);
    ck_assert_int_eq (back.type, HR_EVENT_SEARCH);
    ck_assert_str_eq (back.value, "a|b c");
    ck_assert_int_eq (back.ts_ms, 1764140000456);

    const char *bad[] = { "", "0|0|", "6|1|x", "9|1|x", "1|x|v", "1|12|", "1|12", "1||v" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_int_eq (inter_event_decode (bad[i], strlen (bad[i]), &back), -1);
    ck_assert (inter_event_is_complete_marker (INTER_CACHE_COMPLETE, strlen (INTER_CACHE_COMPLETE)));
    ck_assert (!inter_event_is_complete_marker (buf, n));
}
END_TEST

START_TEST (test_wire_round_trip)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_proto_record_put (&w, &(hr_proto_record_t) { "Bob1", strlen ("Bob1"), HR_EVENT_CLICK, "ABCD1234XY", strlen ("ABCD1234XY") });
    hr_reader_t r;
    hr_reader_init (&r, w.data, w.len);
    size_t mlen;
    const char *m = hr_get_str (&r, &mlen);
    ck_assert_int_eq ((int) mlen, 6);
    ck_assert (memcmp (m, "record", 6) == 0);
    hr_proto_record_t rec;
    ck_assert_int_eq (hr_proto_record_get (&r, &rec), 0);
    ck_assert_int_eq ((int) rec.user_id_len, 4);
    ck_assert_int_eq (rec.type, 1);
    ck_assert_int_eq ((int) rec.value_len, 10);

    //  Truncated and trailing garbage are both refused
    hr_reader_init (&r, w.data, w.len - 1);
    hr_get_str (&r, &mlen);
    ck_assert_int_eq (hr_proto_record_get (&r, &rec), -1);
    hr_put_u8 (&w, 7);
    hr_reader_init (&r, w.data, w.len);
    hr_get_str (&r, &mlen);
    ck_assert_int_eq (hr_proto_record_get (&r, &rec), -1);

    hr_writer_reset (&w);
    hr_event_t evs[2] = {
        { .type = 2, .value = "shoes", .ts_ms = 20 },
        { .type = 1, .value = "ABCD1234XY", .ts_ms = 10 },
    };
    hr_proto_history_put (&w, evs, 2);
    hr_event_t out[2];
    uint32_t n;
    ck_assert_int_eq (hr_proto_history_copy (w.data, w.len, out, 2, &n), 0);
    ck_assert_int_eq (n, 2);
    ck_assert_str_eq (out[0].value, "shoes");
    ck_assert_int_eq (out[1].ts_ms, 10);
    ck_assert_int_eq (hr_proto_history_copy (w.data, w.len, out, 1, &n), -1);
    ck_assert_int_eq (hr_proto_history_copy (w.data, w.len - 3, out, 2, &n), -1);
    hr_writer_free (&w);
}
END_TEST

/*  config.tsv is data: the bound it gives HR_INTERACTIONS_BATCH_MAX must
    be the buffer size the committer has (store.h).                        */
START_TEST (test_batch_max_bound)
{
    const hr_config_var_t *v = inter_config_vars;
    while (v->name && strcmp (v->name, "HR_INTERACTIONS_BATCH_MAX") != 0)
        v++;
    ck_assert_ptr_nonnull (v->name);
    ck_assert_int_eq (v->type, HR_CFG_INT);
    ck_assert_int_eq ((long) v->max, INTER_BATCH_MAX);
    ck_assert_int_le (atol (v->defval), INTER_BATCH_MAX);
}
END_TEST

/*  Issue 16: one committer by default (the largest batches, the least
    PostgreSQL CPU per POST), in the config table and in the settings the
    tests and tools start from.                                             */
START_TEST (test_one_committer_by_default)
{
    const hr_config_var_t *v = inter_config_vars;
    while (v->name && strcmp (v->name, "HR_INTERACTIONS_COMMITTERS") != 0)
        v++;
    ck_assert_ptr_nonnull (v->name);
    ck_assert_str_eq (v->defval, "1");
    inter_settings_t s;
    inter_settings_defaults (&s, "postgresql://x", "redis://x");
    ck_assert_int_eq (s.committers, 1);
}
END_TEST

START_TEST (test_foreign_item_ids)
{
    char id[11];
    ck_assert_int_eq (inter_foreign_item_id ('Y', "214536502", id), 0);
    ck_assert_str_eq (id, "Y214536502");
    ck_assert_int_eq (inter_foreign_item_id ('D', "81766", id), 0);
    ck_assert_str_eq (id, "D000081766");
    ck_assert_int_eq (inter_foreign_item_id ('D', "1234567890", id), -1);   // 10 digits do not fit
    ck_assert_int_eq (inter_foreign_item_id ('D', "12a", id), -1);
    ck_assert_int_eq (inter_foreign_item_id ('D', "", id), -1);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("interactions_model");
    TCase *tc = tcase_create ("model");
    tcase_add_test (tc, test_event_validation);
    tcase_add_test (tc, test_cache_element_round_trip);
    tcase_add_test (tc, test_wire_round_trip);
    tcase_add_test (tc, test_foreign_item_ids);
    tcase_add_test (tc, test_batch_max_bound);
    tcase_add_test (tc, test_one_committer_by_default);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
