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
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
