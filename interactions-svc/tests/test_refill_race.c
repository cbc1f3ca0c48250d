/*  Issue 17 item 8: a history refill racing with the committer's push must
    never leave an event twice in the cached list (or in an answer).  The
    real committer and history reader, the real PostgreSQL and Redis.       */
#include "test_env.h"
#include <pthread.h>
#include <stdatomic.h>
#include "cache.h"
#include "committer.h"
#include "event.h"
#include "history.h"

#define CACHE_LEN 100

static hr_redis_t *s_redis;
static inter_history_t *s_history;

static void
s_user (char *buf, size_t cap, const char *name)
{
    snprintf (buf, cap, "%s%s", name, t_tag);
}

static void
s_del_cache (const char *user)
{
    redisReply *r = hr_redis_command (s_redis, "DEL " INTER_CACHE_KEY_PREFIX "%s", user);
    ck_assert_ptr_nonnull (r);
    freeReplyObject (r);
}

//  The history answer (days 30, limit CACHE_LEN): how many events; fails
//  the test on a value seen twice (every event of these tests is unique).
static uint32_t
s_read_unique (const char *user)
{
    hr_writer_t w;
    hr_writer_init (&w);
    ck_assert_int_eq (inter_history_reply (s_history, user, 30, CACHE_LEN, &w), 0);
    static __thread hr_event_t ev[CACHE_LEN];
    uint32_t n = 0;
    ck_assert_int_eq (hr_proto_history_copy (w.data, w.len, ev, CACHE_LEN, &n), 0);
    hr_writer_free (&w);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = i + 1; j < n; j++)
            ck_assert_msg (strcmp (ev[i].value, ev[j].value) != 0,
                           "%s appears twice in the history of %s", ev[i].value, user);
    return n;
}

//  The cached list's events (marker excluded); fails on a duplicate.
static long
s_cached_unique (const char *user)
{
    redisReply *r = hr_redis_command (s_redis, "LRANGE " INTER_CACHE_KEY_PREFIX "%s 0 -1", user);
    ck_assert_ptr_nonnull (r);
    ck_assert_int_eq (r->type, REDIS_REPLY_ARRAY);
    long n = 0;
    for (size_t i = 0; i < r->elements; i++) {
        const redisReply *e = r->element[i];
        if (inter_event_is_complete_marker (e->str, e->len))
            continue;
        n++;
        for (size_t j = i + 1; j < r->elements; j++)
            ck_assert_msg (!(e->len == r->element[j]->len
                            && memcmp (e->str, r->element[j]->str, e->len) == 0),
                           "%.*s cached twice for %s", (int) e->len, e->str, user);
    }
    freeReplyObject (r);
    return n;
}

static inter_committer_t *
s_committer (void (*hook) (void *, hr_event_t *const *, int))
{
    inter_committer_config_t config = { .after_commit = hook };
    inter_settings_defaults (&config.settings, test_database_url (), test_redis_url ());
    config.settings.statement_timeout_ms = 5000;
    config.settings.redis_timeout_ms = 1000;
    config.settings.cache_len = CACHE_LEN;
    config.settings.batch_max = 64;
    config.settings.committers = 1;
    inter_committer_t *c = inter_committer_new (&config);
    ck_assert_ptr_nonnull (c);
    return c;
}

static void
s_event (hr_event_t *ev, const char *user, int i)
{
    char pid[16], err[128];
    snprintf (pid, sizeof pid, "R%09d", i);
    ck_assert_int_eq (inter_event_make (ev, user, strlen (user), HR_EVENT_CLICK, pid,
                                        strlen (pid), err, sizeof err), 0);
}

//  Between the COMMIT and the push: the list is gone (evicted, say) and a
//  read refills it from PostgreSQL, which already has the event.  On the
//  committer thread: no assertions here (the test checks afterwards).
static void
s_refill_now (void *arg, hr_event_t *const *events, int n)
{
    (void) arg;
    for (int i = 0; i < n; i++) {
        redisReply *r = hr_redis_command (s_redis, "DEL " INTER_CACHE_KEY_PREFIX "%s",
                                          events[i]->user_id);
        if (r)
            freeReplyObject (r);
        hr_writer_t w;
        hr_writer_init (&w);
        inter_history_reply (s_history, events[i]->user_id, 30, CACHE_LEN, &w);
        hr_writer_free (&w);
    }
}

START_TEST (test_refill_between_commit_and_push)
{
    char user[64];
    s_user (user, sizeof user, "fence");
    inter_committer_t *c = s_committer (s_refill_now);
    for (int i = 0; i < 5; i++) {
        hr_event_t ev;
        s_event (&ev, user, i);
        ck_assert_int_eq (inter_committer_submit (c, &ev), 0);
        //  each event once, in the list and in the answer
        ck_assert_int_le (s_cached_unique (user), i + 1);
        ck_assert_int_eq (s_read_unique (user), (uint32_t) i + 1);
        ck_assert_int_eq (s_cached_unique (user), i + 1);
    }
    inter_committer_destroy (&c);
}
END_TEST

typedef struct {
    inter_committer_t *committer;
    const char *user;
    int events;
    atomic_bool done;
} writer_t;

static void *
s_writer (void *arg)
{
    writer_t *w = arg;
    for (int i = 0; i < w->events; i++) {
        hr_event_t ev;
        s_event (&ev, w->user, 1000 + i);
        if (inter_committer_submit (w->committer, &ev) != 0)
            break;
    }
    atomic_store (&w->done, true);
    return NULL;
}

//  Free-running: one thread records, this one evicts and reads (refills)
//  as fast as it can; no answer and no cached list ever holds an event twice.
START_TEST (test_refills_hammered_with_pushes)
{
    char user[64];
    s_user (user, sizeof user, "hammer");
    inter_committer_t *c = s_committer (NULL);
    writer_t w = { .committer = c, .user = user, .events = 80 };
    pthread_t thread;
    ck_assert_int_eq (pthread_create (&thread, NULL, s_writer, &w), 0);
    long reads = 0;
    while (!atomic_load (&w.done)) {
        s_del_cache (user);
        s_read_unique (user);
        s_read_unique (user);
        s_cached_unique (user);
        reads++;
    }
    pthread_join (thread, NULL);
    ck_assert_int_eq (s_read_unique (user), (uint32_t) w.events);
    ck_assert_int_le (s_cached_unique (user), w.events);
    ck_assert_int_gt (reads, 0);
    inter_committer_destroy (&c);
}
END_TEST

static void
s_setup (void)
{
    t_make_tag ();
    hr_pg_t *pg = test_pg_migrated ();
    hr_pg_destroy (&pg);
    s_redis = hr_redis_new (test_redis_url (), 2000);
    ck_assert_ptr_nonnull (s_redis);
    s_history = inter_history_new (test_database_url (), test_redis_url (), 5000, 1000,
                                   CACHE_LEN, 4);
    ck_assert_ptr_nonnull (s_history);
}

static void
s_teardown (void)
{
    inter_history_destroy (&s_history);
    hr_redis_destroy (&s_redis);
}

int
main (void)
{
    Suite *s = suite_create ("interactions_refill_race");
    TCase *tc = tcase_create ("refill");
    tcase_set_timeout (tc, 120);
    tcase_add_unchecked_fixture (tc, s_setup, s_teardown);
    tcase_add_test (tc, test_refill_between_commit_and_push);
    tcase_add_test (tc, test_refills_hammered_with_pushes);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
