/*  hr_events: publish + read round trip, "$" start, malformed entries.
    The stream name is fixed and shared with anything else using this Redis
    db, so every test filters events by a user id unique to this run.       */
#include "hr_events.h"
#include "hr_test.h"

#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static hr_event_t
s_event (const char *user, uint8_t type, const char *value, int64_t ts)
{
    hr_event_t ev = { .type = type, .ts_ms = ts };
    snprintf (ev.user_id, sizeof ev.user_id, "%s", user);
    snprintf (ev.value, sizeof ev.value, "%s", value);
    return ev;
}

//  Reads until `want` events of `user` arrived (others' events skipped).
static int
s_read_user (hr_events_reader_t *reader, const char *user, hr_event_t *out, int want)
{
    int got = 0;
    for (int round = 0; round < 50 && got < want; round++) {
        hr_event_t batch[64];
        int n = hr_events_read (reader, batch, 64, 100);
        ck_assert_int_ge (n, 0);
        for (int i = 0; i < n && got < want; i++)
            if (strcmp (batch[i].user_id, user) == 0)
                out[got++] = batch[i];
    }
    return got;
}

START_TEST (test_round_trip_from_dollar)
{
    hr_redis_t *redis = hr_redis_new (test_redis_url (), 1000);
    const char *user = test_unique ("u");
    //  Published before the reader exists: not seen from "$"
    hr_event_t old = s_event (user, HR_EVENT_CLICK, "B0OLD00001", 1);
    ck_assert_int_eq (hr_events_publish (redis, &old), 0);

    hr_events_reader_t *reader = hr_events_reader_new (test_redis_url (), "$");
    ck_assert_ptr_nonnull (reader);
    hr_event_t none[4];
    ck_assert_int_ge (hr_events_read (reader, none, 4, 0), 0);   // resolves "$" now
    ck_assert_str_ne (hr_events_reader_last_id (reader), "$");

    //  Published between two reads: not lost
    hr_event_t sent[3] = {
        s_event (user, HR_EVENT_CLICK, "B07XYZ1234", 1700000000123LL),
        s_event (user, HR_EVENT_SEARCH, "wireless headphones \"bass\"", 1700000000456LL),
        s_event (user, HR_EVENT_CLICK, "B0ABCDEF12", 1700000000789LL),
    };
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq (hr_events_publish (redis, &sent[i]), 0);
    hr_event_t got[3];
    ck_assert_int_eq (s_read_user (reader, user, got, 3), 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_str_eq (got[i].user_id, sent[i].user_id);
        ck_assert_int_eq (got[i].type, sent[i].type);
        ck_assert_str_eq (got[i].value, sent[i].value);
        ck_assert_int_eq (got[i].ts_ms, sent[i].ts_ms);
    }
    //  Nothing more for us: a short block returns 0 (or only others' events)
    hr_event_t more[8];
    int n = hr_events_read (reader, more, 8, 50);
    ck_assert_int_ge (n, 0);
    for (int i = 0; i < n; i++)
        ck_assert_str_ne (more[i].user_id, user);

    //  A reader from "0" sees the old event too
    hr_events_reader_t *all = hr_events_reader_new (test_redis_url (), "0");
    hr_event_t first;
    ck_assert_int_eq (s_read_user (all, user, &first, 1), 1);
    ck_assert_str_eq (first.value, "B0OLD00001");
    hr_events_reader_destroy (&all);
    hr_events_reader_destroy (&reader);
    ck_assert_ptr_null (reader);
    hr_redis_destroy (&redis);
}
END_TEST

/*  Erasure: the user's entries go (and only theirs: the other user and a
    user whose id extends it stay), the marker arrives as HR_EVENT_ERASE.  */
START_TEST (test_erase_user)
{
    hr_redis_t *redis = hr_redis_new (test_redis_url (), 1000);
    char user[48], other[56];
    snprintf (user, sizeof user, "%s", test_unique ("er"));
    snprintf (other, sizeof other, "%sx", user);
    for (int i = 0; i < 3; i++) {
        hr_event_t e = s_event (user, HR_EVENT_CLICK, "B07XYZ1234", 1000 + i);
        ck_assert_int_eq (hr_events_publish (redis, &e), 0);
    }
    hr_event_t o = s_event (other, HR_EVENT_SEARCH, "kettle", 2000);
    ck_assert_int_eq (hr_events_publish (redis, &o), 0);
    hr_events_reader_t *reader = hr_events_reader_new (test_redis_url (), "$");
    hr_event_t none[4];
    ck_assert_int_ge (hr_events_read (reader, none, 4, 0), 0);
    ck_assert_int_eq (hr_events_erase_user (redis, user, 3000), 3);
    hr_event_t marker;
    ck_assert_int_eq (s_read_user (reader, user, &marker, 1), 1);
    ck_assert_int_eq (marker.type, HR_EVENT_ERASE);
    ck_assert_int_eq (marker.ts_ms, 3000);
    ck_assert_str_eq (marker.value, "");
    /* again: only the marker of the first pass is left to delete */
    ck_assert_int_eq (hr_events_erase_user (redis, user, 3001), 1);
    hr_events_reader_t *all = hr_events_reader_new (test_redis_url (), "0");
    hr_event_t got[4];
    ck_assert_int_eq (s_read_user (all, other, got, 1), 1);
    ck_assert_str_eq (got[0].value, "kettle");
    hr_events_reader_destroy (&all);
    hr_events_reader_destroy (&reader);
    hr_redis_t *down = hr_redis_new ("redis://127.0.0.1:1/0", 200);
    ck_assert_int_eq (hr_events_erase_user (down, user, 1), -1);
    hr_redis_destroy (&down);
    hr_redis_destroy (&redis);
}
END_TEST

START_TEST (test_malformed_entries_skipped)
{
    hr_redis_t *redis = hr_redis_new (test_redis_url (), 1000);
    const char *user = test_unique ("m");
    hr_events_reader_t *reader = hr_events_reader_new (test_redis_url (), "$");
    hr_event_t none[4];
    ck_assert_int_ge (hr_events_read (reader, none, 4, 0), 0);
    uint64_t malformed_before = hr_events_reader_malformed (reader);

    //  Written by hand, as a buggy or hostile producer would
    const char *bad[] = {
        "XADD " HR_EVENTS_STREAM " * u %s t q v B0AAAAAAAA ts 1",     // unknown type
        "XADD " HR_EVENTS_STREAM " * u %s t c ts 1",                  // no value
        "XADD " HR_EVENTS_STREAM " * u %s t c v B0AAAAAAAA ts soon",  // ts not a number
        "XADD " HR_EVENTS_STREAM " * u %s t c v B0AAAAAAAA ts 1 extra",  // odd field count refused by Redis
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        redisReply *r = hr_redis_command (redis, bad[i], user);
        ck_assert_ptr_nonnull (r);
        freeReplyObject (r);
    }
    redisReply *r = hr_redis_command (redis, "XADD %s * t c v B0AAAAAAAA ts 1", HR_EVENTS_STREAM);
    ck_assert_ptr_nonnull (r);      // no user at all
    freeReplyObject (r);
    hr_event_t good = s_event (user, HR_EVENT_SEARCH, "after the junk", 42);
    ck_assert_int_eq (hr_events_publish (redis, &good), 0);

    hr_event_t got;
    ck_assert_int_eq (s_read_user (reader, user, &got, 1), 1);
    ck_assert_str_eq (got.value, "after the junk");
    ck_assert_int_eq (got.type, HR_EVENT_SEARCH);
    ck_assert_uint_ge (hr_events_reader_malformed (reader) - malformed_before, 4);

    //  Bad events are refused at publish time
    hr_event_t empty = s_event (user, HR_EVENT_CLICK, "", 1);
    ck_assert_int_eq (hr_events_publish (redis, &empty), -1);
    hr_event_t badtype = s_event (user, 7, "B0AAAAAAAA", 1);
    ck_assert_int_eq (hr_events_publish (redis, &badtype), -1);
    hr_events_reader_destroy (&reader);
    hr_redis_destroy (&redis);
}
END_TEST

START_TEST (test_redis_down)
{
    hr_redis_t *down = hr_redis_new ("redis://127.0.0.1:1/0", 200);
    hr_event_t ev = s_event ("someone", HR_EVENT_CLICK, "B0AAAAAAAA", 1);
    ck_assert_int_eq (hr_events_publish (down, &ev), -1);
    ck_assert_int_eq (hr_events_publish (NULL, &ev), -1);
    hr_events_reader_t *reader = hr_events_reader_new ("redis://127.0.0.1:1/0", "$");
    ck_assert_ptr_nonnull (reader);
    hr_event_t out[4];
    ck_assert_int_eq (hr_events_read (reader, out, 4, 100), -1);
    ck_assert_int_eq (hr_events_read (reader, out, 4, 100), -1);
    ck_assert_ptr_null (hr_events_reader_new ("not a url", "$"));
    hr_events_reader_destroy (&reader);
    hr_redis_destroy (&down);
}
END_TEST

//  The gather window (issue 16): a full read never waits for the window;
//  a read with room waits it out and takes what came meanwhile; nothing is
//  lost, repeated or reordered while a publisher runs beside the reads.
typedef struct {
    const char *user;
    int n;
} publisher_t;

static void *
s_publish (void *arg)
{
    publisher_t *p = arg;
    hr_redis_t *redis = hr_redis_new (test_redis_url (), 1000);
    for (int i = 0; i < p->n; i++) {
        char value[16];
        snprintf (value, sizeof value, "G%09d", i);
        hr_event_t ev = s_event (p->user, HR_EVENT_CLICK, value, 1700000000000LL + i);
        if (hr_events_publish (redis, &ev) != 0)
            break;
    }
    hr_redis_destroy (&redis);
    return NULL;
}

START_TEST (test_gather_window)
{
    hr_redis_t *redis = hr_redis_new (test_redis_url (), 1000);
    const char *user = test_unique ("g");
    hr_events_reader_t *reader = hr_events_reader_new (test_redis_url (), "$");
    ck_assert_ptr_nonnull (reader);
    hr_event_t none[4];
    ck_assert_int_ge (hr_events_read (reader, none, 4, 0), 0);   // resolves "$" now
    //  A day's window: a read that fills `max` returns without waiting it
    //  out (the test's timeout would end the test otherwise)
    hr_events_reader_gather (reader, 86400000);
    for (int i = 0; i < 8; i++) {
        char value[16];
        snprintf (value, sizeof value, "F%09d", i);
        hr_event_t ev = s_event (user, HR_EVENT_CLICK, value, 1700000000000LL + i);
        ck_assert_int_eq (hr_events_publish (redis, &ev), 0);
    }
    hr_event_t got[8];
    int n = 0;
    while (n < 8) {
        int k = hr_events_read (reader, got + n, 8 - n, 1000);
        ck_assert_int_ge (k, 0);
        n += k;
    }
    for (int i = 0; i < 8; i++) {
        char value[16];
        snprintf (value, sizeof value, "F%09d", i);
        ck_assert_str_eq (got[i].value, value);
    }
    //  The real window, a publisher beside the reads: every event once, in order
    hr_events_reader_gather (reader, HR_EVENTS_GATHER_MS);
    publisher_t pub = { .user = user, .n = 300 };
    pthread_t thread;
    ck_assert_int_eq (pthread_create (&thread, NULL, s_publish, &pub), 0);
    int next = 0;
    while (next < pub.n) {
        hr_event_t batch[64];
        int k = hr_events_read (reader, batch, 64, 1000);
        ck_assert_int_ge (k, 0);
        for (int i = 0; i < k; i++) {
            if (strcmp (batch[i].user_id, user) != 0)
                continue;
            char value[16];
            snprintf (value, sizeof value, "G%09d", next++);
            ck_assert_str_eq (batch[i].value, value);
        }
    }
    pthread_join (thread, NULL);
    hr_events_reader_destroy (&reader);
    hr_redis_destroy (&redis);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_events");
    TCase *tc = tcase_create ("events");
    tcase_set_timeout (tc, 30);
    tcase_add_test (tc, test_round_trip_from_dollar);
    tcase_add_test (tc, test_malformed_entries_skipped);
    tcase_add_test (tc, test_erase_user);
    tcase_add_test (tc, test_redis_down);
    tcase_add_test (tc, test_gather_window);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
