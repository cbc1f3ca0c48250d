/*  hr_pg — a PostgreSQL connection that survives server restarts.

    Connects with retry and exponential back-off, sets statement_timeout,
    and on a broken connection reconnects once and retries the statement
    when that is safe (the statement failed to be sent).  Parameters only:
    never build SQL from input.  One hr_pg_t per thread.                    */
#ifndef HR_PG_H
#define HR_PG_H
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct hr_pg hr_pg_t;

/*  Connects at once, retrying for up to connect_wait_ms (0 = one try).
    NULL when the server stays unreachable (error logged).  */
hr_pg_t *hr_pg_new (const char *url, int statement_timeout_ms, int connect_wait_ms);
void hr_pg_destroy (hr_pg_t **self_p);

/*  The live connection, reconnecting if it was broken; NULL when the
    server is down (callers answer HR_UNAVAILABLE).  */
PGconn *hr_pg_conn (hr_pg_t *self);

/*  Runs a parameterised statement (text parameters, NULL = SQL NULL).
    Returns the result (PGRES_COMMAND_OK or PGRES_TUPLES_OK) or NULL with
    the error logged and available from hr_pg_error.  Caller PQclear()s.   */
PGresult *hr_pg_exec (hr_pg_t *self, const char *sql, int nparams, const char *const *params);
/*  Runs a plain statement list with no parameters (migrations, BEGIN).     */
int hr_pg_exec_simple (hr_pg_t *self, const char *sql);
const char *hr_pg_error (hr_pg_t *self);
/*  true when the last failure was a lost connection (-> HR_UNAVAILABLE).   */
bool hr_pg_last_was_connection_error (hr_pg_t *self);

/*  Extras (common-data): a statement with per-parameter lengths/formats
    (formats[i] = 1 sends binary, e.g. bytea blobs) and a result format
    (0 text, 1 binary).  Same retry rules and return as hr_pg_exec.          */
PGresult *hr_pg_exec_ex (hr_pg_t *self, const char *sql, int nparams,
                         const char *const *values, const int *lengths,
                         const int *formats, int result_format);

/*  Bulk load: hr_pg_copy_begin("COPY t (a,b) FROM STDIN"), hr_pg_copy_put
    any number of text-format chunks, then hr_pg_copy_end (NULL to commit
    the COPY, or a message to abort it).  Never retried: a COPY that lost
    its connection fails (hr_pg_last_was_connection_error tells).  0 / -1.   */
int hr_pg_copy_begin (hr_pg_t *self, const char *copy_sql);
int hr_pg_copy_put (hr_pg_t *self, const char *buf, size_t len);
int hr_pg_copy_end (hr_pg_t *self, const char *abort_reason);

#endif
