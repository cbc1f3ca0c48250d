/*  interactions — migrate-seed-tables (see seed.h).                        */
#include "seed.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "hr_log.h"
#include "hr_validate.h"
#include "store.h"

#define SUFFIX "_interactions"

//  Legacy tables: right name, right columns, not ours, not a partition.
static const char *const s_find_sql =
    "SELECT c.relname,"
    "       EXISTS (SELECT 1 FROM interactions_seed_migrated m WHERE m.table_name = c.relname)"
    "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
    "   AND c.relname LIKE '%\\_interactions' AND c.relname <> 'interactions'"
    "   AND (SELECT count(*) FROM pg_attribute a"
    "         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
    "           AND a.attname IN ('event_type', 'product_id', 'query', 'timestamp')) = 4"
    " ORDER BY c.relname";

static int
s_exec_ok (hr_pg_t *pg, const char *sql, int n, const char *const *params, PGresult **out)
{
    PGresult *res = hr_pg_exec (pg, sql, n, params);
    if (!res)
        return -1;
    if (out)
        *out = res;
    else
        PQclear (res);
    return 0;
}

//  Copies one table inside the caller's transaction.  0 / -1.
static int
s_copy_table (hr_pg_t *pg, const char *table, const char *user_id, long *read, long *loaded)
{
    PGconn *conn = hr_pg_conn (pg);
    if (!conn)
        return -1;
    char *ident = PQescapeIdentifier (conn, table, strlen (table));
    if (!ident)
        return -1;
    //  The identifier is escaped by libpq; everything else is a parameter
    char sql[1024];
    const char *params[] = { user_id };
    PGresult *res = NULL;
    int rc = -1;
    snprintf (sql, sizeof sql,
              "SELECT count(*), floor(extract(epoch FROM min(\"timestamp\" AT TIME ZONE 'UTC')) * 1000)::bigint,"
              "       floor(extract(epoch FROM max(\"timestamp\" AT TIME ZONE 'UTC')) * 1000)::bigint"
              "  FROM %s", ident);
    if (s_exec_ok (pg, sql, 0, NULL, &res) != 0)
        goto done;
    *read = atol (PQgetvalue (res, 0, 0));
    if (*read > 0 && !PQgetisnull (res, 0, 1)
    &&  inter_store_ensure_partitions (pg, atoll (PQgetvalue (res, 0, 1)),
                                       atoll (PQgetvalue (res, 0, 2))) != 0)
        goto done;
    PQclear (res);
    res = NULL;
    snprintf (sql, sizeof sql,
        "WITH src AS ("
        "  SELECT CASE WHEN event_type IN ('product_click', 'click') THEN 1"
        "              WHEN event_type IN ('search_query', 'search') THEN 2 END AS t,"
        "         product_id, btrim(query, E' \\t\\r\\n') AS q, \"timestamp\" AS ts"
        "    FROM %s WHERE \"timestamp\" IS NOT NULL)"
        " INSERT INTO interactions (user_id, event_type, product_id, query, ts)"
        " SELECT $1, t, CASE WHEN t = 1 THEN product_id END, CASE WHEN t = 2 THEN q END,"
        "        ts AT TIME ZONE 'UTC'"
        "   FROM src"
        "  WHERE (t = 1 AND product_id ~ '^[A-Z0-9]{10}$')"
        "     OR (t = 2 AND q <> '' AND octet_length(q) <= 255)", ident);
    res = hr_pg_exec (pg, sql, 1, params);
    if (!res)
        goto done;
    *loaded = atol (PQcmdTuples (res));
    rc = 0;
done:
    PQclear (res);
    PQfreemem (ident);
    return rc;
}

int
inter_seed_migrate (hr_pg_t *pg, FILE *report, inter_seed_summary_t *summary)
{
    assert (pg && summary);
    memset (summary, 0, sizeof *summary);
    PGresult *tables = NULL;
    if (s_exec_ok (pg, s_find_sql, 0, NULL, &tables) != 0)
        return -1;
    int rc = 0;
    summary->tables_found = PQntuples (tables);
    for (int i = 0; i < summary->tables_found && rc == 0; i++) {
        const char *table = PQgetvalue (tables, i, 0);
        if (strcmp (PQgetvalue (tables, i, 1), "t") == 0) {
            summary->tables_skipped++;
            if (report)
                fprintf (report, "%s: already migrated, skipped\n", table);
            continue;
        }
        size_t ulen = strlen (table) - strlen (SUFFIX);
        char user_id[HR_USER_ID_MAX + 1];
        if (ulen > HR_USER_ID_MAX || !hr_valid_user_id (table, ulen)) {
            summary->tables_skipped++;
            if (report)
                fprintf (report, "%s: '%.*s' is not a valid user id, skipped\n", table,
                         (int) ulen, table);
            continue;
        }
        memcpy (user_id, table, ulen);
        user_id[ulen] = '\0';
        long read = 0, loaded = 0;
        if (hr_pg_exec_simple (pg, "BEGIN") != 0) {
            rc = -1;
            break;
        }
        char nread[24], nloaded[24];
        int ok = s_copy_table (pg, table, user_id, &read, &loaded);
        if (ok == 0) {
            snprintf (nread, sizeof nread, "%ld", read);
            snprintf (nloaded, sizeof nloaded, "%ld", loaded);
            const char *params[] = { table, user_id, nread, nloaded };
            ok = s_exec_ok (pg, "INSERT INTO interactions_seed_migrated"
                                " (table_name, user_id, rows_read, rows_loaded)"
                                " VALUES ($1, $2, $3::bigint, $4::bigint)", 4, params, NULL);
        }
        if (ok != 0 || hr_pg_exec_simple (pg, "COMMIT") != 0) {
            hr_pg_exec_simple (pg, "ROLLBACK");
            if (report)
                fprintf (report, "%s: failed: %s\n", table, hr_pg_error (pg));
            rc = -1;
            break;
        }
        summary->tables_migrated++;
        summary->rows_read += read;
        summary->rows_loaded += loaded;
        if (report)
            fprintf (report, "%s -> user %s: %ld rows read, %ld loaded, %ld rejected\n",
                     table, user_id, read, loaded, read - loaded);
    }
    PQclear (tables);
    return rc;
}
