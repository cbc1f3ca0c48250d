/*  Durability: events are posted concurrently to the real interactions-svc
    binary while it is SIGKILLed and restarted; afterwards every event that
    was acknowledged is in PostgreSQL exactly once.  Every event carries a
    unique value, so each one can be found and counted.                    */
#include "test_env.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>

#define CLIENTS        6
#define PER_CLIENT     400
#define KILL_AFTER     500       /* acknowledged events before the SIGKILL */

static hr_broker_t *s_broker;
static char s_user[64];
static atomic_int s_acked_total;

typedef struct {
    int id;
    char (*acked)[32];
    int n_acked, n_failed;
} client_job_t;

static pid_t
s_spawn (void)
{
    const char *bindir = getenv ("HR_BINARY_DIR");
    char path[512];
    snprintf (path, sizeof path, "%s/bin/interactions-svc", bindir ? bindir : "build-inter");
    ck_assert_msg (access (path, X_OK) == 0, "%s not found (HR_BINARY_DIR)", path);
    pid_t pid = fork ();
    ck_assert_int_ge (pid, 0);
    if (pid == 0) {
        setenv ("HR_BROKER_ENDPOINT", hr_broker_endpoint (s_broker), 1);
        setenv ("DATABASE_URL", test_database_url (), 1);
        setenv ("REDIS_URL", test_redis_url (), 1);
        setenv ("HR_WORKER_THREADS", "8", 1);
        setenv ("HR_LOG_LEVEL", "warn", 1);
        setenv ("HR_METRICS_PORT", "0", 1);
        //  killed on purpose: its leak report would be noise
        setenv ("ASAN_OPTIONS", "detect_leaks=0", 1);
        execl (path, path, (char *) NULL);
        _exit (127);
    }
    return pid;
}

static void *
s_client (void *arg)
{
    client_job_t *job = arg;
    hr_client_t *client = hr_client_new (hr_broker_endpoint (s_broker));
    for (int i = 0; i < PER_CLIENT; i++) {
        char value[32];
        snprintf (value, sizeof value, "dur %d %d", job->id, i);
        int st = t_record (client, s_user, HR_EVENT_SEARCH, value, NULL, 0);
        if (st == HR_OK) {
            memcpy (job->acked[job->n_acked++], value, sizeof value);
            atomic_fetch_add (&s_acked_total, 1);
        }
        else {
            job->n_failed++;
            usleep (20000);         // no live replica: do not spin
        }
    }
    hr_client_destroy (&client);
    return NULL;
}

static int
s_cmp (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

START_TEST (test_acknowledged_events_survive_sigkill)
{
    hr_pg_t *pg = test_pg_migrated ();
    hr_client_t *probe = hr_client_new (hr_broker_endpoint (s_broker));
    pid_t pid = s_spawn ();
    test_wait_workers (probe, HR_SERVICE_INTERACTIONS, 8);

    client_job_t jobs[CLIENTS];
    pthread_t threads[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        jobs[i] = (client_job_t) { .id = i, .acked = calloc (PER_CLIENT, 32) };
        pthread_create (&threads[i], NULL, s_client, &jobs[i]);
    }
    while (atomic_load (&s_acked_total) < KILL_AFTER)
        usleep (1000);
    kill (pid, SIGKILL);
    int status;
    waitpid (pid, &status, 0);
    ck_assert (WIFSIGNALED (status));
    usleep (300 * 1000);
    pid = s_spawn ();
    for (int i = 0; i < CLIENTS; i++)
        pthread_join (threads[i], NULL);
    kill (pid, SIGTERM);
    waitpid (pid, &status, 0);
    ck_assert_msg (WIFEXITED (status) && WEXITSTATUS (status) == 0,
                   "graceful stop after SIGTERM (status %d)", status);

    //  Every value stored, sorted; then each acknowledged one looked up
    const char *params[] = { s_user };
    PGresult *res = hr_pg_exec (pg, "SELECT query FROM interactions WHERE user_id = $1", 1, params);
    ck_assert_ptr_nonnull (res);
    int rows = PQntuples (res);
    char **stored = calloc ((size_t) rows + 1, sizeof *stored);
    for (int i = 0; i < rows; i++)
        stored[i] = PQgetvalue (res, i, 0);
    qsort (stored, (size_t) rows, sizeof *stored, s_cmp);
    for (int i = 1; i < rows; i++)
        ck_assert_msg (strcmp (stored[i - 1], stored[i]) != 0, "'%s' stored twice", stored[i]);
    int acked = 0, failed = 0;
    for (int c = 0; c < CLIENTS; c++) {
        for (int i = 0; i < jobs[c].n_acked; i++) {
            const char *key = jobs[c].acked[i];
            ck_assert_msg (bsearch (&key, stored, (size_t) rows, sizeof *stored, s_cmp),
                           "acknowledged '%s' is missing", key);
        }
        acked += jobs[c].n_acked;
        failed += jobs[c].n_failed;
        free (jobs[c].acked);
    }
    fprintf (stderr, "durability: %d acknowledged, %d not (kill window), %d stored\n",
             acked, failed, rows);
    ck_assert_int_ge (acked, KILL_AFTER);
    ck_assert_int_ge (rows, acked);
    ck_assert_int_le (rows, CLIENTS * PER_CLIENT);
    //  the service came back and took events after the restart
    ck_assert_int_gt (acked, KILL_AFTER + CLIENTS);
    free (stored);
    PQclear (res);
    hr_client_destroy (&probe);
    hr_pg_destroy (&pg);
}
END_TEST

static void
s_setup (void)
{
    t_make_tag ();
    snprintf (s_user, sizeof s_user, "dur%s", t_tag);
    s_broker = hr_broker_new ("tcp://127.0.0.1:*");
}

static void
s_teardown (void)
{
    hr_broker_destroy (&s_broker);
}

int
main (void)
{
    Suite *s = suite_create ("interactions_durability");
    TCase *tc = tcase_create ("durability");
    tcase_set_timeout (tc, 120);
    tcase_add_unchecked_fixture (tc, s_setup, s_teardown);
    tcase_add_test (tc, test_acknowledged_events_survive_sigkill);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
