/*  Least privilege and secrets on the data stores (docs/security.md):
    - the hybridrec_app role (db/migrations/007_roles.sql) can do what the
      services do and nothing else; needs a superuser on the same server
      (`postgres`, trust auth in the test stack) to create login roles, and
      SKIPs that part without one;
    - DATABASE_URL parameters (sslmode, application_name) reach libpq;
    - REDIS_URL's password is sent with AUTH (a Redis started here with
      --requirepass on a free port).                                       */
#include "hr_migrate.h"
#include "hr_config.h"
#include "hr_log.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "hr_test.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

extern char **environ;

/* ------------------------------------------------------------ helpers */

typedef struct {
    char host[128], port[16], dbname[128];
} pg_target_t;

static void
pg_target (pg_target_t *t)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse (test_database_url (), &err);
    ck_assert_msg (opts, "DATABASE_URL does not parse: %s", err ? err : "?");
    snprintf (t->host, sizeof t->host, "127.0.0.1");
    snprintf (t->port, sizeof t->port, "5432");
    snprintf (t->dbname, sizeof t->dbname, "hybridrec");
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val)
            continue;
        if (strcmp (o->keyword, "host") == 0)
            snprintf (t->host, sizeof t->host, "%s", o->val);
        else if (strcmp (o->keyword, "port") == 0)
            snprintf (t->port, sizeof t->port, "%s", o->val);
        else if (strcmp (o->keyword, "dbname") == 0)
            snprintf (t->dbname, sizeof t->dbname, "%s", o->val);
    }
    PQconninfoFree (opts);
}

static PGconn *
connect_as (const pg_target_t *t, const char *user)
{
    const char *keys[] = { "host", "port", "dbname", "user", "connect_timeout", NULL };
    const char *vals[] = { t->host, t->port, t->dbname, user, "5", NULL };
    return PQconnectdbParams (keys, vals, 0);
}

/*  Runs sql; returns the SQLSTATE ("00000" on success) in a static buffer. */
static const char *
sqlstate (PGconn *conn, const char *sql)
{
    static char state[8];
    PGresult *res = PQexec (conn, sql);
    ExecStatusType st = PQresultStatus (res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        snprintf (state, sizeof state, "00000");
    else {
        const char *s = PQresultErrorField (res, PG_DIAG_SQLSTATE);
        snprintf (state, sizeof state, "%s", s ? s : "?????");
    }
    PQclear (res);
    return state;
}

static void
exec_ok (PGconn *conn, const char *sql)
{
    PGresult *res = PQexec (conn, sql);
    ExecStatusType st = PQresultStatus (res);
    ck_assert_msg (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
                   PQresultErrorMessage (res));
    PQclear (res);
}

static char *
value (PGconn *conn, const char *sql)
{
    PGresult *res = PQexec (conn, sql);
    ck_assert_msg (PQresultStatus (res) == PGRES_TUPLES_OK && PQntuples (res) == 1, "%s: %s",
                   sql, PQresultErrorMessage (res));
    char *v = strdup (PQgetvalue (res, 0, 0));
    PQclear (res);
    return v;
}

/* ------------------------------------------------------ least privilege */

#define INSUFFICIENT_PRIVILEGE "42501"

START_TEST (test_app_role)
{
    pg_target_t t;
    pg_target (&t);
    hr_pg_t *owner_pg = hr_pg_new (test_database_url (), 5000, 10000);
    ck_assert_ptr_nonnull (owner_pg);
    ck_assert_int_ge (hr_migrate (owner_pg), 0);    /* 007 applies without CREATEROLE */
    PGconn *owner = hr_pg_conn (owner_pg);

    PGconn *super = connect_as (&t, "postgres");
    if (PQstatus (super) != CONNECTION_OK) {
        printf ("SKIP: test_app_role needs a superuser 'postgres' on %s:%s (%s)\n", t.host,
                t.port, PQerrorMessage (super));
        PQfinish (super);
        hr_pg_destroy (&owner_pg);
        return;
    }
    /*  What an administrator does once per cluster (docs/security.md).    */
    char login[64], sql[512];
    snprintf (login, sizeof login, "hr_test_app_%ld", (long) getpid ());
    const char *created = sqlstate (super, "CREATE ROLE hybridrec_app NOLOGIN");
    ck_assert_msg (strcmp (created, "00000") == 0 || strcmp (created, "42710") == 0,
                   "CREATE ROLE hybridrec_app: %s", created);    /* 42710: exists */
    snprintf (sql, sizeof sql, "CREATE ROLE %s LOGIN IN ROLE hybridrec_app", login);
    exec_ok (super, sql);
    exec_ok (owner, "SELECT hybridrec_app_grants()");    /* the owner grants */

    char product[16], user[32];
    snprintf (product, sizeof product, "ZSEC%06ld", (long) getpid () % 1000000);
    snprintf (user, sizeof user, "sec-test-%ld", (long) getpid ());
    snprintf (sql, sizeof sql,
              "INSERT INTO products (id, name, main_category, sub_category)"
              " VALUES ('%s', 'Security test', 'tests', 'tests') ON CONFLICT DO NOTHING",
              product);
    exec_ok (owner, sql);

    PGconn *app = connect_as (&t, login);
    ck_assert_msg (PQstatus (app) == CONNECTION_OK, "%s", PQerrorMessage (app));
    char *who = value (app, "SELECT current_user");
    ck_assert_str_eq (who, login);
    free (who);

    /*  What the services do.  */
    snprintf (sql, sizeof sql, "SELECT count(*) FROM products WHERE id = '%s'", product);
    char *n = value (app, sql);
    ck_assert_str_eq (n, "1");
    free (n);
    exec_ok (app, "SELECT value FROM meta WHERE key = 'catalog_version'");
    exec_ok (app, "SELECT strategy, version FROM model_versions LIMIT 1");
    exec_ok (app, "SELECT strategy FROM model_blobs LIMIT 1");
    /*  Partition upkeep runs with the owner's rights; retention 0 keeps all */
    exec_ok (app, "SELECT interactions_maintain(2, 0)");
    snprintf (sql, sizeof sql,
              "INSERT INTO interactions (user_id, event_type, product_id, ts)"
              " VALUES ('%s', 1, '%s', now()), ('%s', 1, '%s', now() + interval '1 day')",
              user, product, user, product);
    exec_ok (app, sql);
    snprintf (sql, sizeof sql,
              "SELECT count(*) FROM interactions WHERE user_id = '%s'"
              " AND tableoid::regclass::text <> 'interactions_default'", user);
    n = value (app, sql);    /* landed in partitions created after the grants */
    ck_assert_str_eq (n, "2");
    free (n);

    /*  What they must not do.  */
    snprintf (sql, sizeof sql, "UPDATE products SET name = 'x' WHERE id = '%s'", product);
    ck_assert_str_eq (sqlstate (app, sql), INSUFFICIENT_PRIVILEGE);
    ck_assert_str_eq (sqlstate (app, "DROP TABLE products"), INSUFFICIENT_PRIVILEGE);
    ck_assert_str_eq (sqlstate (app, "DELETE FROM products"), INSUFFICIENT_PRIVILEGE);
    ck_assert_str_eq (sqlstate (app, "INSERT INTO products (id, name, main_category,"
                                     " sub_category) VALUES ('ZZZZZZZZZZ', 'x', 'x', 'x')"),
                      INSUFFICIENT_PRIVILEGE);
    ck_assert_str_eq (sqlstate (app, "DELETE FROM interactions"), INSUFFICIENT_PRIVILEGE);
    ck_assert_str_eq (sqlstate (app, "UPDATE interactions SET user_id = 'x'"),
                      INSUFFICIENT_PRIVILEGE);
    ck_assert_str_eq (sqlstate (app, "TRUNCATE interactions"), INSUFFICIENT_PRIVILEGE);
    ck_assert_str_eq (sqlstate (app, "DROP TABLE interactions_default"),
                      INSUFFICIENT_PRIVILEGE);
    ck_assert_str_eq (sqlstate (app, "INSERT INTO model_versions (strategy, version)"
                                     " VALUES ('x', 1)"),
                      INSUFFICIENT_PRIVILEGE);
    ck_assert_str_eq (sqlstate (app, "UPDATE meta SET value = '0'"), INSUFFICIENT_PRIVILEGE);
    ck_assert_str_eq (sqlstate (app, "CREATE TABLE hr_sec_intruder (x int)"),
                      INSUFFICIENT_PRIVILEGE);
    ck_assert_str_eq (sqlstate (app, "SELECT hybridrec_app_grants()"), INSUFFICIENT_PRIVILEGE);
    PQfinish (app);

    snprintf (sql, sizeof sql, "DELETE FROM interactions WHERE user_id = '%s'", user);
    exec_ok (owner, sql);
    snprintf (sql, sizeof sql, "DELETE FROM products WHERE id = '%s'", product);
    exec_ok (owner, sql);
    snprintf (sql, sizeof sql, "DROP ROLE %s", login);
    exec_ok (super, sql);
    PQfinish (super);
    hr_pg_destroy (&owner_pg);
}
END_TEST

/* ------------------------------------------------- DATABASE_URL params */

static void
url_with (char *out, size_t cap, const char *params)
{
    const char *url = test_database_url ();
    snprintf (out, cap, "%s%s%s", url, strchr (url, '?') ? "&" : "?", params);
}

START_TEST (test_database_url_parameters)
{
    char url[1024];
    url_with (url, sizeof url, "sslmode=disable&application_name=hr_sec_x");
    hr_pg_t *pg = hr_pg_new (url, 5000, 5000);
    ck_assert_ptr_nonnull (pg);
    PGresult *res = hr_pg_exec (pg, "SELECT current_setting('application_name'),"
                                    " coalesce((SELECT ssl FROM pg_stat_ssl"
                                    "           WHERE pid = pg_backend_pid()), false)", 0, NULL);
    ck_assert_ptr_nonnull (res);
    ck_assert_str_eq (PQgetvalue (res, 0, 0), "hr_sec_x");
    ck_assert_str_eq (PQgetvalue (res, 0, 1), "f");
    PQclear (res);
    hr_pg_destroy (&pg);

    /*  sslmode=require is enforced by libpq: the test server has no TLS,
        so the connection must fail rather than fall back to plain text.  */
    PGconn *probe = PQconnectdb (test_database_url ());
    res = PQexec (probe, "SHOW ssl");
    bool server_tls = PQresultStatus (res) == PGRES_TUPLES_OK
                      && strcmp (PQgetvalue (res, 0, 0), "on") == 0;
    PQclear (res);
    PQfinish (probe);
    url_with (url, sizeof url, "sslmode=require");
    pg = hr_pg_new (url, 5000, 0);
    if (server_tls)
        ck_assert_ptr_nonnull (pg);
    else
        ck_assert_ptr_null (pg);
    hr_pg_destroy (&pg);

    /*  The original design's driver prefix keeps its parameters.        */
    static const hr_config_var_t none[] = { { NULL, 0, NULL, NULL, 0, 0 } };
    const hr_config_var_t *const tables[] = { hr_config_common, none, NULL };
    hr_config_t *cfg = hr_config_new ("test_security", tables);
    hr_config_set (cfg, "DATABASE_URL",
                   "postgresql+asyncpg://app:s3cret@db:5432/hybridrec?sslmode=verify-full");
    char err[256];
    ck_assert_int_eq (hr_config_load (cfg, err, sizeof err), 0);
    ck_assert_str_eq (hr_config_database_url (cfg),
                      "postgresql://app:s3cret@db:5432/hybridrec?sslmode=verify-full");
    hr_config_destroy (&cfg);
}
END_TEST

/* ------------------------------------------------------ Redis password */

static int
free_port (void)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge (fd, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
    a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    ck_assert_int_eq (bind (fd, (struct sockaddr *) &a, sizeof a), 0);
    socklen_t len = sizeof a;
    ck_assert_int_eq (getsockname (fd, (struct sockaddr *) &a, &len), 0);
    close (fd);
    return ntohs (a.sin_port);
}

START_TEST (test_redis_password)
{
    if (access ("/usr/bin/redis-server", X_OK) != 0) {
        printf ("SKIP: test_redis_password needs /usr/bin/redis-server\n");
        return;
    }
    char dir[] = "/tmp/hr_sec_redis_XXXXXX";
    ck_assert_ptr_nonnull (mkdtemp (dir));
    char port[16];
    snprintf (port, sizeof port, "%d", free_port ());
    char *argv[] = { "redis-server", "--port", port, "--bind", "127.0.0.1", "--dir", dir,
                     "--requirepass", "t0p-s3cret", "--save", "", "--appendonly", "no",
                     "--loglevel", "warning", NULL };
    pid_t pid;
    posix_spawn_file_actions_t quiet;    /* its banner is noise in test logs */
    posix_spawn_file_actions_init (&quiet);
    posix_spawn_file_actions_addopen (&quiet, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen (&quiet, 2, "/dev/null", O_WRONLY, 0);
    ck_assert_int_eq (posix_spawn (&pid, "/usr/bin/redis-server", &quiet, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy (&quiet);

    char url[256];
    snprintf (url, sizeof url, "redis://:t0p-s3cret@127.0.0.1:%s/3", port);
    hr_redis_t *r = hr_redis_new (url, 200);
    ck_assert_ptr_nonnull (r);
    redisReply *reply = NULL;
    long long until = test_mono_ms () + 5000;
    while (!reply && test_mono_ms () < until) {
        reply = hr_redis_command (r, "PING");
        if (!reply)
            test_sleep_ms (50);
    }
    ck_assert_ptr_nonnull (reply);
    ck_assert_int_eq (reply->type, REDIS_REPLY_STATUS);    /* PONG: AUTH worked */
    freeReplyObject (reply);
    reply = hr_redis_command (r, "SET hr_sec_key in-db-3");
    ck_assert (reply && reply->type == REDIS_REPLY_STATUS);
    freeReplyObject (reply);

    /*  Redis 6 ACL form: the user part is accepted (AUTH uses the password
        of the default user).  The key is in db 3, so SELECT ran after AUTH.*/
    snprintf (url, sizeof url, "redis://default:t0p-s3cret@127.0.0.1:%s/3", port);
    hr_redis_t *acl = hr_redis_new (url, 200);
    reply = hr_redis_command (acl, "GET hr_sec_key");
    ck_assert (reply && reply->type == REDIS_REPLY_STRING);
    ck_assert_str_eq (reply->str, "in-db-3");
    freeReplyObject (reply);
    hr_redis_destroy (&acl);

    /*  Without the password: every command is refused (NOAUTH).          */
    snprintf (url, sizeof url, "redis://127.0.0.1:%s/0", port);
    hr_redis_t *anon = hr_redis_new (url, 200);
    reply = hr_redis_command (anon, "GET hr_sec_key");
    ck_assert (reply && reply->type == REDIS_REPLY_ERROR);
    ck_assert_msg (strstr (reply->str, "NOAUTH"), "%s", reply->str);
    freeReplyObject (reply);
    hr_redis_destroy (&anon);

    /*  A wrong password: the connection is refused (callers degrade).    */
    snprintf (url, sizeof url, "redis://:wrong@127.0.0.1:%s/0", port);
    hr_redis_t *wrong = hr_redis_new (url, 200);
    ck_assert_ptr_null (hr_redis_command (wrong, "PING"));
    hr_redis_destroy (&wrong);

    hr_redis_destroy (&r);
    kill (pid, SIGTERM);
    int status;
    waitpid (pid, &status, 0);
    char cmd[128];
    snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq (system (cmd), 0);
}
END_TEST

int
main (void)
{
    hr_log_init ("test_security", HR_LOG_ERROR);
    Suite *s = suite_create ("security");
    TCase *tc = tcase_create ("stores");
    tcase_set_timeout (tc, 60);
    tcase_add_test (tc, test_app_role);
    tcase_add_test (tc, test_database_url_parameters);
    tcase_add_test (tc, test_redis_password);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed == 0 ? 0 : 1;
}
