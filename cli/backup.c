/*  hybridrec backup DIR / hybridrec restore DIR — what cannot be rebuilt:
    the catalog (products, meta), every interaction and every kept model
    version.  Redis is a cache: restore empties hybridrec's keys and the
    services refill them.

    A backup is one REPEATABLE READ snapshot: each table goes to
    DIR/<table>.copy in PostgreSQL's COPY text format (all columns, named in
    the manifest), then DIR/manifest.json (renamed into place last: a
    directory without it is not a backup).  Restore migrates the schema,
    then in one transaction empties those tables and loads the files,
    checking every row count against the manifest; nothing is half
    restored.                                                               */
#include "hr_cli.h"
#include "hr_config.h"
#include "hr_log.h"
#include "hr_migrate.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "hr_version.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BACKUP_FORMAT 1

/*  Parents before children (model_blobs references model_versions).
    Optional tables are skipped when the schema does not have them.        */
static const struct {
    const char *name;
    const char *order;      /* ORDER BY of the dump: diffs and tests read it */
    bool optional;
} s_tables[] = {
    { "meta", "key", false },
    { "products", "id", false },
    { "model_versions", "strategy, version", false },
    { "model_blobs", "strategy, version", false },
    { "interactions", "id", false },
    { "interactions_seed_migrated", "table_name", true },
    { NULL, NULL, false },
};

static void
s_help (const char *cmd, hr_config_t *cfg, FILE *out)
{
    if (!strcmp (cmd, "backup"))
        fprintf (out,
            "usage: hybridrec backup DIR\n\n"
            "Writes products, catalog metadata, every interaction and every kept model\n"
            "version to DIR (created; it must not hold a backup already), as one\n"
            "consistent snapshot taken while the services keep running.  Redis is a cache\n"
            "and is not backed up.  DIR/manifest.json lists tables, columns and row counts.\n\n");
    else
        fprintf (out,
            "usage: hybridrec restore DIR\n\n"
            "Loads a backup made by `hybridrec backup`: applies pending migrations, then in\n"
            "one transaction replaces products, catalog metadata, interactions and model\n"
            "versions with the backup's (row counts checked), bumps the catalog version and\n"
            "empties hybridrec's Redis keys (history, model and trending caches), which the\n"
            "services refill.  Run it as the schema owner.  Replicas pick the restored\n"
            "catalog and models up by themselves; restart them if a restored model has the\n"
            "same version number as the one they serve.\n\n");
    fprintf (out, "Exit status: 0 ok, 1 failure (nothing changed on a failed restore), 2 bad usage.\n\n"
                  "configuration (environment):\n");
    hr_config_print_help (cfg, out);
}

static hr_pg_t *
s_connect (hr_config_t *cfg)
{
    //  No statement timeout: a dump or load takes as long as the data does
    hr_pg_t *pg = hr_pg_new (hr_config_database_url (cfg), 0,
                             (int) hr_config_int (cfg, "HR_PG_CONNECT_WAIT_MS"));
    if (!pg)
        fprintf (stderr, "PostgreSQL unreachable\n");
    else if (hr_pg_exec_simple (pg, "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD';"
                                    " SET extra_float_digits = 3") != 0)
        hr_pg_destroy (&pg);
    return pg;
}

static bool
s_table_exists (hr_pg_t *pg, const char *table)
{
    const char *params[] = { table };
    PGresult *res = hr_pg_exec (pg, "SELECT to_regclass($1) IS NOT NULL", 1, params);
    bool yes = res && PQgetvalue (res, 0, 0)[0] == 't';
    if (res)
        PQclear (res);
    return yes;
}

//  "a", "b", ... : the names, quoted by libpq; malloc'd, NULL on error.
static char *
s_quoted_list (PGconn *conn, json_t *names)
{
    size_t cap = 64, len = 0;
    char *list = json_array_size (names) ? malloc (cap) : NULL;
    size_t i;
    json_t *n;
    json_array_foreach (names, i, n) {
        const char *name = json_string_value (n);
        char *q = list && name ? PQescapeIdentifier (conn, name, strlen (name)) : NULL;
        size_t need = len + (q ? strlen (q) : 0) + 3;
        char *grown = q && need > cap ? realloc (list, cap = need * 2) : list;
        if (!q || !grown) {     //  (a failed realloc left list as it was)
            PQfreemem (q);
            free (list);
            return NULL;
        }
        list = grown;
        len += (size_t) sprintf (list + len, "%s%s", i ? ", " : "", q);
        PQfreemem (q);
    }
    return list;
}

//  The table's columns: their names appended to `names`, quoted as a list.
static char *
s_columns (hr_pg_t *pg, const char *table, json_t *names)
{
    PGconn *conn = hr_pg_conn (pg);
    char *ident = conn ? PQescapeIdentifier (conn, table, strlen (table)) : NULL;
    if (!ident)
        return NULL;
    char sql[256];
    snprintf (sql, sizeof sql, "SELECT * FROM %s LIMIT 0", ident);
    PQfreemem (ident);
    PGresult *res = hr_pg_exec (pg, sql, 0, NULL);
    if (!res)
        return NULL;
    for (int i = 0; i < PQnfields (res); i++)
        json_array_append_new (names, json_string (PQfname (res, i)));
    PQclear (res);
    return s_quoted_list (conn, names);
}

static int
s_fsync_path (const char *path)
{
    int fd = open (path, O_RDONLY);
    if (fd < 0)
        return -1;
    int rc = fsync (fd);
    close (fd);
    return rc;
}

/*  COPY (SELECT cols FROM table ORDER BY ..) TO a file; rows or -1.       */
static int64_t
s_dump_table (hr_pg_t *pg, const char *table, const char *cols, const char *order,
              const char *path)
{
    FILE *out = fopen (path, "wx");
    if (!out) {
        fprintf (stderr, "%s: %s\n", path, strerror (errno));
        return -1;
    }
    PGconn *conn = hr_pg_conn (pg);
    size_t sql_len = strlen (cols) + strlen (table) + strlen (order) + 64;
    char *sql = malloc (sql_len);
    int64_t rows = -1;
    if (conn && sql) {
        snprintf (sql, sql_len, "COPY (SELECT %s FROM %s ORDER BY %s) TO STDOUT", cols, table, order);
        PGresult *res = PQexec (conn, sql);
        if (PQresultStatus (res) == PGRES_COPY_OUT) {
            rows = 0;
            char *buf;
            int n;
            while ((n = PQgetCopyData (conn, &buf, 0)) > 0) {
                bool ok = fwrite (buf, 1, (size_t) n, out) == (size_t) n;
                PQfreemem (buf);
                if (!ok)
                    rows = -1;
                else if (rows >= 0)
                    rows++;
            }
            PQclear (res);
            res = PQgetResult (conn);
            if (n != -1 || PQresultStatus (res) != PGRES_COMMAND_OK)
                rows = -1;
        }
        if (rows < 0)
            fprintf (stderr, "dump of %s failed: %s\n", table, PQerrorMessage (conn));
        PQclear (res);
        while ((res = PQgetResult (conn)))
            PQclear (res);
    }
    free (sql);
    if (fflush (out) != 0 || fsync (fileno (out)) != 0)
        rows = -1;
    if (fclose (out) != 0)
        rows = -1;
    return rows;
}

static json_t *
s_applied_migrations (hr_pg_t *pg)
{
    PGresult *res = hr_pg_exec (pg, "SELECT name FROM schema_migrations ORDER BY name", 0, NULL);
    if (!res)
        return NULL;
    json_t *list = json_array ();
    for (int i = 0; i < PQntuples (res); i++)
        json_array_append_new (list, json_string (PQgetvalue (res, i, 0)));
    PQclear (res);
    return list;
}

static int
s_backup (hr_pg_t *pg, const char *dir)
{
    char path[4096];
    if (mkdir (dir, 0700) != 0 && errno != EEXIST) {
        fprintf (stderr, "%s: %s\n", dir, strerror (errno));
        return 1;
    }
    snprintf (path, sizeof path, "%s/manifest.json", dir);
    if (access (path, F_OK) == 0) {
        fprintf (stderr, "%s already holds a backup: choose a new directory\n", dir);
        return 1;
    }
    if (hr_pg_exec_simple (pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") != 0)
        return 1;
    json_t *manifest = json_object ();
    json_t *tables = json_array ();
    json_object_set_new (manifest, "format", json_integer (BACKUP_FORMAT));
    json_object_set_new (manifest, "hybridrec_version", json_string (hr_version ()));
    json_object_set_new (manifest, "migrations", s_applied_migrations (pg));
    json_object_set_new (manifest, "tables", tables);
    int rc = json_is_array (json_object_get (manifest, "migrations")) ? 0 : 1;
    for (int i = 0; rc == 0 && s_tables[i].name; i++) {
        const char *t = s_tables[i].name;
        if (!s_table_exists (pg, t)) {
            if (!s_tables[i].optional) {
                fprintf (stderr, "table %s missing: run `hybridrec migrate` first\n", t);
                rc = 1;
            }
            continue;
        }
        json_t *entry = json_object (), *names = json_array ();
        char *cols = s_columns (pg, t, names);
        snprintf (path, sizeof path, "%s/%s.copy", dir, t);
        int64_t rows = cols ? s_dump_table (pg, t, cols, s_tables[i].order, path) : -1;
        free (cols);
        json_object_set_new (entry, "name", json_string (t));
        json_object_set_new (entry, "columns", names);
        json_object_set_new (entry, "rows", json_integer (rows));
        json_array_append_new (tables, entry);
        if (rows < 0)
            rc = 1;
        else
            printf ("%-28s %" PRId64 " rows\n", t, rows);
    }
    //  The days the interactions cover: restore creates their partitions
    PGresult *res = rc ? NULL : hr_pg_exec (pg, "SELECT (min(ts) AT TIME ZONE 'UTC')::date::text,"
                                                " (max(ts) AT TIME ZONE 'UTC')::date::text, now()::text"
                                                " FROM interactions", 0, NULL);
    if (res) {
        if (!PQgetisnull (res, 0, 0)) {
            json_object_set_new (manifest, "interactions_from", json_string (PQgetvalue (res, 0, 0)));
            json_object_set_new (manifest, "interactions_to", json_string (PQgetvalue (res, 0, 1)));
        }
        json_object_set_new (manifest, "snapshot_at", json_string (PQgetvalue (res, 0, 2)));
        PQclear (res);
    }
    else
        rc = 1;
    hr_pg_exec_simple (pg, "COMMIT");
    char tmp[4096];
    snprintf (tmp, sizeof tmp, "%s/manifest.json.tmp", dir);
    snprintf (path, sizeof path, "%s/manifest.json", dir);
    if (rc == 0 && (json_dump_file (manifest, tmp, JSON_INDENT (2)) != 0 || s_fsync_path (tmp) != 0
                    || rename (tmp, path) != 0 || s_fsync_path (dir) != 0)) {
        fprintf (stderr, "%s: cannot write the manifest: %s\n", path, strerror (errno));
        rc = 1;
    }
    json_decref (manifest);
    if (rc == 0)
        printf ("backup complete: %s\n", dir);
    else
        fprintf (stderr, "backup FAILED: %s is incomplete (no manifest.json)\n", dir);
    return rc;
}

/*  ---- restore ----------------------------------------------------------- */

static int64_t
s_load_table (hr_pg_t *pg, const char *table, json_t *columns, const char *path)
{
    PGconn *conn = hr_pg_conn (pg);
    FILE *in = fopen (path, "r");
    if (!in || !conn) {
        fprintf (stderr, "%s: %s\n", path, in ? "no connection" : strerror (errno));
        if (in)
            fclose (in);
        return -1;
    }
    //  COPY table ("a", "b", ...) FROM STDIN, names quoted by libpq
    char *ident = PQescapeIdentifier (conn, table, strlen (table));
    char *cols = s_quoted_list (conn, columns);
    size_t len = (ident ? strlen (ident) : 0) + (cols ? strlen (cols) : 0) + 32;
    char *sql = ident && cols ? malloc (len) : NULL;
    bool ok = sql != NULL;
    if (ok)
        snprintf (sql, len, "COPY %s (%s) FROM STDIN", ident, cols);
    PQfreemem (ident);
    free (cols);
    int64_t rows = -1;
    if (ok) {
        PGresult *res = PQexec (conn, sql);
        if (PQresultStatus (res) == PGRES_COPY_IN) {
            char buf[65536];
            size_t n;
            bool sent = true;
            while (sent && (n = fread (buf, 1, sizeof buf, in)) > 0)
                sent = PQputCopyData (conn, buf, (int) n) == 1;
            sent = sent && !ferror (in);
            PQputCopyEnd (conn, sent ? NULL : "restore: cannot read the backup file");
            PQclear (res);
            res = PQgetResult (conn);
            if (PQresultStatus (res) == PGRES_COMMAND_OK)
                rows = strtoll (PQcmdTuples (res), NULL, 10);
        }
        if (rows < 0)
            fprintf (stderr, "load of %s failed: %s\n", table, PQerrorMessage (conn));
        PQclear (res);
        while ((res = PQgetResult (conn)))
            PQclear (res);
    }
    free (sql);
    fclose (in);
    return rows;
}

static int
s_check_migrations (hr_pg_t *pg, json_t *manifest)
{
    json_t *have = s_applied_migrations (pg);
    json_t *want = json_object_get (manifest, "migrations");
    int rc = have && json_is_array (want) ? 0 : 1;
    size_t i, j;
    json_t *w, *h;
    json_array_foreach (want, i, w) {
        bool found = false;
        json_array_foreach (have, j, h)
            found = found || json_equal (w, h);
        if (!found) {
            fprintf (stderr, "the backup's schema has migration %s, which this hybridrec does not"
                             " know: restore with a version at least as new as %s\n",
                     json_string_value (w),
                     json_string_value (json_object_get (manifest, "hybridrec_version")));
            rc = 1;
        }
    }
    json_decref (have);
    return rc;
}

static int
s_restore_tables (hr_pg_t *pg, const char *dir, json_t *manifest)
{
    //  The catalog version must move forward, so every cache reloads
    int64_t before = 0;
    PGresult *res = hr_pg_exec (pg, "SELECT coalesce((SELECT value::bigint FROM meta"
                                    " WHERE key = 'catalog_version'), 0)", 0, NULL);
    if (!res)
        return 1;
    before = strtoll (PQgetvalue (res, 0, 0), NULL, 10);
    PQclear (res);
    json_t *tables = json_object_get (manifest, "tables");
    //  Empty every table of the backup at once (foreign keys between them)
    char truncate[1024] = "TRUNCATE";
    size_t i;
    json_t *t;
    json_array_foreach (tables, i, t) {
        const char *name = json_string_value (json_object_get (t, "name"));
        bool known = false;
        for (int k = 0; s_tables[k].name; k++)
            known = known || (name && !strcmp (name, s_tables[k].name));
        if (!known) {
            fprintf (stderr, "manifest names an unknown table\n");
            return 1;
        }
        size_t len = strlen (truncate);
        snprintf (truncate + len, sizeof truncate - len, "%s %s", i ? "," : "", name);
    }
    if (hr_pg_exec_simple (pg, truncate) != 0)
        return 1;
    const char *from = json_string_value (json_object_get (manifest, "interactions_from"));
    const char *to = json_string_value (json_object_get (manifest, "interactions_to"));
    if (from && to) {
        //  Daily partitions for the restored days (the DEFAULT one beyond)
        const char *days[] = { from, to };
        res = hr_pg_exec (pg, "SELECT interactions_ensure_partitions($1::date, $2::date)"
                              " WHERE $2::date - $1::date <= 4000", 2, days);
        if (!res)
            return 1;
        PQclear (res);
    }
    json_array_foreach (tables, i, t) {
        const char *name = json_string_value (json_object_get (t, "name"));
        char path[4096];
        snprintf (path, sizeof path, "%s/%s.copy", dir, name);
        int64_t want = json_integer_value (json_object_get (t, "rows"));
        int64_t rows = s_load_table (pg, name, json_object_get (t, "columns"), path);
        if (rows != want) {
            fprintf (stderr, "%s: %" PRId64 " rows loaded, the manifest says %" PRId64 "\n",
                     name, rows, want);
            return 1;
        }
        printf ("%-28s %" PRId64 " rows\n", name, rows);
    }
    char bump[24];
    snprintf (bump, sizeof bump, "%" PRId64, before);
    const char *params[] = { bump };
    res = hr_pg_exec (pg, "INSERT INTO meta (key, value) VALUES ('catalog_version', ($1::bigint + 1)::text)"
                          " ON CONFLICT (key) DO UPDATE SET value ="
                          " (greatest(meta.value::bigint, $1::bigint) + 1)::text", 1, params);
    if (!res)
        return 1;
    PQclear (res);
    res = hr_pg_exec (pg, "SELECT setval(pg_get_serial_sequence('interactions', 'id'),"
                          " greatest((SELECT max(id) FROM interactions), 1))", 0, NULL);
    if (!res)
        return 1;
    PQclear (res);
    return 0;
}

//  Redis is a cache of what was just replaced: drop hybridrec's keys.
static void
s_forget_caches (hr_config_t *cfg)
{
    hr_redis_t *redis = hr_redis_new (hr_config_str (cfg, "REDIS_URL"),
                                      (int) hr_config_int (cfg, "HR_REDIS_TIMEOUT_MS"));
    static const char *patterns[] = { "hr:hist:*", "hr:model:*", "hr:trending:*", NULL };
    long dropped = 0;
    bool failed = !redis;
    for (int p = 0; redis && patterns[p]; p++) {
        char cursor[32] = "0";
        do {
            redisReply *r = hr_redis_command (redis, "SCAN %s MATCH %s COUNT 1000", cursor, patterns[p]);
            if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
                failed = true;
                if (r)
                    freeReplyObject (r);
                break;
            }
            snprintf (cursor, sizeof cursor, "%s", r->element[0]->str);
            for (size_t i = 0; i < r->element[1]->elements; i++) {
                redisReply *d = hr_redis_command (redis, "UNLINK %s", r->element[1]->element[i]->str);
                dropped += d && d->type == REDIS_REPLY_INTEGER ? d->integer : 0;
                if (d)
                    freeReplyObject (d);
            }
            freeReplyObject (r);
        } while (strcmp (cursor, "0") != 0);
    }
    hr_redis_destroy (&redis);
    if (failed)
        fprintf (stderr, "warning: Redis caches not emptied (Redis unreachable): flush the hr:hist:*,"
                         " hr:model:* and hr:trending:* keys before serving\n");
    else
        printf ("redis: %ld cached keys dropped (rebuilt by the services)\n", dropped);
}

static int
s_restore (hr_config_t *cfg, hr_pg_t *pg, const char *dir)
{
    char path[4096];
    snprintf (path, sizeof path, "%s/manifest.json", dir);
    json_error_t err;
    json_t *manifest = json_load_file (path, 0, &err);
    if (!manifest || json_integer_value (json_object_get (manifest, "format")) != BACKUP_FORMAT
        || !json_is_array (json_object_get (manifest, "tables"))) {
        fprintf (stderr, "%s: not a hybridrec backup (%s)\n", path, manifest ? "unknown format" : err.text);
        json_decref (manifest);
        return 1;
    }
    int rc = hr_migrate (pg) < 0 ? 1 : s_check_migrations (pg, manifest);
    if (rc == 0 && hr_pg_exec_simple (pg, "BEGIN") == 0) {
        rc = s_restore_tables (pg, dir, manifest);
        if (rc != 0 || hr_pg_exec_simple (pg, "COMMIT") != 0) {
            hr_pg_exec_simple (pg, "ROLLBACK");
            rc = 1;
        }
    }
    else
        rc = 1;
    json_decref (manifest);
    if (rc != 0) {
        fprintf (stderr, "restore FAILED: the database is unchanged\n");
        return 1;
    }
    s_forget_caches (cfg);
    printf ("restore complete from %s\n", dir);
    return 0;
}

static int
s_run (const char *cmd, int argc, char **argv)
{
    const hr_config_var_t *tables[] = { hr_config_common, NULL };
    char who[64];
    snprintf (who, sizeof who, "hybridrec %s", cmd);
    hr_config_t *cfg = hr_config_new (who, tables);
    if (!cfg)
        return 1;
    bool help = argc == 2 && (!strcmp (argv[1], "--help") || !strcmp (argv[1], "-h"));
    if (help || argc != 2 || argv[1][0] == '-') {
        s_help (cmd, cfg, help ? stdout : stderr);
        hr_config_destroy (&cfg);
        return help ? 0 : 2;
    }
    if (hr_config_load_or_report (&cfg, who) != 0)
        return 2;
    int level = hr_log_level_parse (hr_config_str (cfg, "HR_LOG_LEVEL"));
    hr_log_init ("cli", level < 0 ? HR_LOG_INFO : (hr_log_level_t) level);
    hr_pg_t *pg = s_connect (cfg);
    int rc = !pg ? 1 : !strcmp (cmd, "backup") ? s_backup (pg, argv[1]) : s_restore (cfg, pg, argv[1]);
    hr_pg_destroy (&pg);
    hr_config_destroy (&cfg);
    return rc;
}

int
hr_cli_backup (int argc, char **argv)
{
    return s_run ("backup", argc, argv);
}

int
hr_cli_restore (int argc, char **argv)
{
    return s_run ("restore", argc, argv);
}
