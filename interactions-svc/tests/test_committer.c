/*  The group-commit write path (committer.c): a finished commit wakes the
    threads whose events it holds, and each of them only after that commit
    (issue 16: no broadcast to every waiting thread).  Many threads submit
    single records and batches whose users fall on both committers; every
    acknowledged event must have been committed (the after-commit hook saw
    it before its submitter returned) and be in PostgreSQL.  The real
    committer, PostgreSQL and Redis.                                         */
#include "test_env.h"
#include <pthread.h>
#include <stdatomic.h>
#include "cache.h"
#include "committer.h"
#include "event.h"

#define THREADS 8
#define ROUNDS 20
#define BATCH 5
#define EVENTS_MAX (THREADS * ROUNDS * BATCH)

//  Values of the events the committers have COMMITted (from the hook).
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static char s_committed[EVENTS_MAX][sizeof ((hr_event_t *) 0)->value];
static int s_ncommitted;

static void
s_after_commit (void *arg, hr_event_t *const *events, int n)
{
    (void) arg;
    pthread_mutex_lock (&s_lock);
    for (int i = 0; i < n && s_ncommitted < EVENTS_MAX; i++)
        snprintf (s_committed[s_ncommitted++], sizeof s_committed[0], "%s", events[i]->value);
    pthread_mutex_unlock (&s_lock);
}

static bool
s_was_committed (const char *value)
{
    pthread_mutex_lock (&s_lock);
    bool found = false;
    for (int i = 0; i < s_ncommitted && !found; i++)
        found = strcmp (s_committed[i], value) == 0;
    pthread_mutex_unlock (&s_lock);
    return found;
}

typedef struct {
    inter_committer_t *committer;
    int id;
    atomic_int acked, early, failed;
} submitter_t;

//  Product ids unique per (thread, round, slot); users spread over both
//  committers (one user per slot).
static void
s_event (hr_event_t *ev, int id, int round, int slot)
{
    char user[64], pid[16], err[128];
    snprintf (user, sizeof user, "c%d%s", slot, t_tag);
    snprintf (pid, sizeof pid, "C%02d%03d%04d", id, round, slot);
    ck_assert_int_eq (inter_event_make (ev, user, strlen (user), HR_EVENT_CLICK, pid,
                                        strlen (pid), err, sizeof err), 0);
}

static void
s_settled (submitter_t *s, const hr_event_t *ev, int status)
{
    if (status != 0)
        atomic_fetch_add (&s->failed, 1);
    else if (!s_was_committed (ev->value))
        atomic_fetch_add (&s->early, 1);        /* acknowledged before its COMMIT */
    else
        atomic_fetch_add (&s->acked, 1);
}

static void *
s_submitter (void *arg)
{
    submitter_t *s = arg;
    for (int round = 0; round < ROUNDS; round++) {
        if (round % 2) {
            hr_event_t ev;
            s_event (&ev, s->id, round, s->id);
            s_settled (s, &ev, inter_committer_submit (s->committer, &ev));
            continue;
        }
        hr_event_t evs[BATCH];
        int status[BATCH];
        for (int k = 0; k < BATCH; k++)
            s_event (&evs[k], s->id, round, s->id * BATCH + k);
        if (inter_committer_submit_many (s->committer, evs, BATCH, status) != 0) {
            atomic_fetch_add (&s->failed, BATCH);
            continue;
        }
        for (int k = 0; k < BATCH; k++)
            s_settled (s, &evs[k], status[k]);
    }
    return NULL;
}

START_TEST (test_each_thread_woken_by_its_own_commit)
{
    inter_committer_config_t config = { .after_commit = s_after_commit };
    inter_settings_defaults (&config.settings, test_database_url (), test_redis_url ());
    config.settings.statement_timeout_ms = 5000;
    config.settings.redis_timeout_ms = 1000;
    config.settings.batch_max = 16;      /* several commits per shard at once */
    config.settings.committers = 2;
    inter_committer_t *c = inter_committer_new (&config);
    ck_assert_ptr_nonnull (c);
    submitter_t s[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        s[i] = (submitter_t) { .committer = c, .id = i };
        ck_assert_int_eq (pthread_create (&threads[i], NULL, s_submitter, &s[i]), 0);
    }
    int acked = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join (threads[i], NULL);
        ck_assert_int_eq (atomic_load (&s[i].early), 0);
        ck_assert_int_eq (atomic_load (&s[i].failed), 0);
        acked += atomic_load (&s[i].acked);
    }
    inter_committer_destroy (&c);
    int expected = THREADS * (ROUNDS / 2) * (BATCH + 1);
    ck_assert_int_eq (acked, expected);
    //  every acknowledged event is in PostgreSQL, once
    char like[64];
    snprintf (like, sizeof like, "c%%%s", t_tag);
    hr_pg_t *pg = test_pg_migrated ();
    ck_assert_int_eq (t_sql_long (pg, "SELECT count(DISTINCT product_id) FROM interactions "
                                      "WHERE user_id LIKE $1", like, NULL), expected);
    ck_assert_int_eq (t_sql_long (pg, "SELECT count(*) FROM interactions WHERE user_id LIKE $1",
                                  like, NULL), expected);
    hr_pg_destroy (&pg);
}
END_TEST

//  An empty batch waits for nothing; a batch settles every event.
START_TEST (test_empty_and_small_batches)
{
    inter_committer_config_t config = { 0 };
    inter_settings_defaults (&config.settings, test_database_url (), test_redis_url ());
    config.settings.committers = 2;
    inter_committer_t *c = inter_committer_new (&config);
    ck_assert_ptr_nonnull (c);
    hr_event_t evs[BATCH];
    int status[BATCH];
    for (int k = 0; k < BATCH; k++)
        s_event (&evs[k], 99, 0, k);
    ck_assert_int_eq (inter_committer_submit_many (c, evs, BATCH, status), 0);
    for (int k = 0; k < BATCH; k++)
        ck_assert_int_eq (status[k], 0);
    ck_assert_int_eq (inter_committer_submit_many (c, evs, 0, status), 0);
    inter_committer_destroy (&c);
}
END_TEST

//  What one batch leaves in Redis (issue 16: its commands are written in
//  RESP by hand): per event its element at the head of its user's list,
//  the list's TTL and trim, the fence back at 0, and one stream entry
//  with u/t/v/ts.  Two users, one with two events of the batch.
START_TEST (test_batch_written_through_exactly)
{
    inter_committer_config_t config = { 0 };
    inter_settings_defaults (&config.settings, test_database_url (), test_redis_url ());
    config.settings.cache_len = 3;
    inter_committer_t *c = inter_committer_new (&config);
    ck_assert_ptr_nonnull (c);
    hr_redis_t *redis = hr_redis_new (test_redis_url (), 2000);
    ck_assert_ptr_nonnull (redis);
    redisReply *r = hr_redis_command (redis, "XADD %s * u x t c v B000000000 ts 1",
                                      HR_EVENTS_STREAM);
    ck_assert_ptr_nonnull (r);
    char last_id[64];
    snprintf (last_id, sizeof last_id, "%s", r->str);
    freeReplyObject (r);
    char u1[64], u2[64], err[128];
    snprintf (u1, sizeof u1, "wa%s", t_tag);
    snprintf (u2, sizeof u2, "wb%s", t_tag);
    hr_event_t evs[5];
    const char *users[5] = { u1, u2, u1, u1, u1 };
    const char *values[5] = { "W000000001", "red  shoes|x", "W000000002", "W000000003", "W000000004" };
    for (int k = 0; k < 5; k++)
        ck_assert_int_eq (inter_event_make (&evs[k], users[k], strlen (users[k]),
                                            k == 1 ? HR_EVENT_SEARCH : HR_EVENT_CLICK, values[k],
                                            strlen (values[k]), err, sizeof err), 0);
    int status[5];
    ck_assert_int_eq (inter_committer_submit_many (c, evs, 5, status), 0);
    for (int k = 0; k < 5; k++)
        ck_assert_int_eq (status[k], 0);
    //  u1: newest first, trimmed to 3
    r = hr_redis_command (redis, "LRANGE " INTER_CACHE_KEY_PREFIX "%s 0 -1", u1);
    ck_assert_int_eq (r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq (r->elements, 3);
    for (int i = 0; i < 3; i++) {
        char want[INTER_CACHE_ELEM_MAX];
        inter_event_encode (&evs[4 - i], want, sizeof want);
        ck_assert_str_eq (r->element[i]->str, want);
    }
    freeReplyObject (r);
    r = hr_redis_command (redis, "LRANGE " INTER_CACHE_KEY_PREFIX "%s 0 -1", u2);
    ck_assert_uint_eq (r->elements, 1);
    char want[INTER_CACHE_ELEM_MAX];
    snprintf (want, sizeof want, "2|%lld|%s", (long long) evs[1].ts_ms, evs[1].value);
    ck_assert_str_eq (evs[1].value, "red  shoes|x");
    ck_assert_str_eq (r->element[0]->str, want);
    freeReplyObject (r);
    for (int k = 0; k < 2; k++) {
        r = hr_redis_command (redis, "TTL " INTER_CACHE_KEY_PREFIX "%s", users[k]);
        ck_assert (r->integer > INTER_CACHE_TTL_S - 100 && r->integer <= INTER_CACHE_TTL_S);
        freeReplyObject (r);
        r = hr_redis_command (redis, "GET " INTER_CACHE_FENCE_PREFIX "%s", users[k]);
        ck_assert_str_eq (r->str, "0");
        freeReplyObject (r);
        r = hr_redis_command (redis, "TTL " INTER_CACHE_FENCE_PREFIX "%s", users[k]);
        ck_assert (r->integer > 0);
        freeReplyObject (r);
    }
    //  the stream: our five entries after the marker, in commit order
    r = hr_redis_command (redis, "XRANGE %s (%s +", HR_EVENTS_STREAM, last_id);
    ck_assert_int_eq (r->type, REDIS_REPLY_ARRAY);
    int seen = 0;
    for (size_t i = 0; i < r->elements; i++) {
        const redisReply *f = r->element[i]->element[1];
        if (f->elements != 8 || (strcmp (f->element[1]->str, u1) != 0 && strcmp (f->element[1]->str, u2) != 0))
            continue;               /* another test's */
        const hr_event_t *ev = &evs[seen++];
        char ts[24];
        snprintf (ts, sizeof ts, "%lld", (long long) ev->ts_ms);
        ck_assert_str_eq (f->element[0]->str, "u");
        ck_assert_str_eq (f->element[1]->str, ev->user_id);
        ck_assert_str_eq (f->element[2]->str, "t");
        ck_assert_str_eq (f->element[3]->str, ev->type == HR_EVENT_SEARCH ? "s" : "c");
        ck_assert_str_eq (f->element[4]->str, "v");
        ck_assert_str_eq (f->element[5]->str, ev->value);
        ck_assert_str_eq (f->element[6]->str, "ts");
        ck_assert_str_eq (f->element[7]->str, ts);
    }
    ck_assert_int_eq (seen, 5);
    freeReplyObject (r);
    hr_redis_destroy (&redis);
    inter_committer_destroy (&c);
}
END_TEST

static void
s_setup (void)
{
    t_make_tag ();
    hr_pg_t *pg = test_pg_migrated ();
    hr_pg_destroy (&pg);
}

static void
s_teardown (void)
{
}

int
main (void)
{
    Suite *s = suite_create ("interactions_committer");
    TCase *tc = tcase_create ("committer");
    tcase_set_timeout (tc, 120);
    tcase_add_unchecked_fixture (tc, s_setup, s_teardown);
    tcase_add_test (tc, test_each_thread_woken_by_its_own_commit);
    tcase_add_test (tc, test_empty_and_small_batches);
    tcase_add_test (tc, test_batch_written_through_exactly);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
