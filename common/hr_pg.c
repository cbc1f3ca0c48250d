/*  hr_pg — a PostgreSQL connection that survives server restarts.

    Before sending, a non-blocking PQconsumeInput notices a connection the
    server already closed (pg_terminate_backend, restart: the server says
    FATAL and hangs up), so the common case reconnects *before* the
    statement goes out and the caller never sees the failure.  A statement
    that was sent and then lost its connection is never retried: it may
    have run.                                                              */
#include "hr_pg.h"
#include "hr_log.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hr_clock.h"

#define HR_PG_BACKOFF_FIRST_MS 50
#define HR_PG_BACKOFF_MAX_MS 2000
/*  Bounds one connection attempt even when the URL sets no timeout.      */
#define HR_PG_CONNECT_TIMEOUT_S "5"

struct hr_pg {
    char *url;
    PGconn *conn;
    int statement_timeout_ms;
    bool tx_open;               /* a transaction was open after the last command */
    bool last_conn_error;
    bool doomed;                /* the server announced it is closing us */
    char err[512];
};

static void
s_sleep_ms (int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
    while (nanosleep (&ts, &ts) == -1 && errno == EINTR)
        ;
}

static void
s_set_error (hr_pg_t *self, const char *msg, bool conn_error)
{
    snprintf (self->err, sizeof self->err, "%s", msg ? msg : "unknown error");
    //  libpq messages end in a newline; logs are one line each
    size_t n = strlen (self->err);
    while (n > 0 && (self->err[n - 1] == '\n' || self->err[n - 1] == '\r'))
        self->err[--n] = 0;
    self->last_conn_error = conn_error;
}

//  Server notices (NOTICE: relation exists, ...) go to the structured log
//  instead of raw stderr.  A FATAL one arriving while idle is the server
//  saying goodbye (pg_terminate_backend, shutdown): the connection is gone
//  even if its EOF has not arrived yet.
static void
s_notice (void *arg, const PGresult *res)
{
    hr_pg_t *self = arg;
    const char *severity = PQresultErrorField (res, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (severity && (strcmp (severity, "FATAL") == 0 || strcmp (severity, "PANIC") == 0))
        self->doomed = true;
    const char *message = PQresultErrorMessage (res);
    char line[512];
    snprintf (line, sizeof line, "%.*s", (int) strcspn (message, "\n"), message);
    hr_log_kv (HR_LOG_DEBUG, NULL, "postgresql notice", "notice", line, NULL);
}

//  Settings every fresh session needs.  0 / -1.
static int
s_session_setup (hr_pg_t *self)
{
    PQsetNoticeReceiver (self->conn, s_notice, self);
    self->doomed = false;
    char value[32];
    snprintf (value, sizeof value, "%d", self->statement_timeout_ms);
    const char *params[] = { value };
    PGresult *res = PQexecParams (self->conn, "SELECT set_config('statement_timeout', $1, false)",
                                  1, NULL, params, NULL, NULL, 0);
    int rc = PQresultStatus (res) == PGRES_TUPLES_OK ? 0 : -1;
    if (rc)
        s_set_error (self, PQerrorMessage (self->conn), PQstatus (self->conn) == CONNECTION_BAD);
    PQclear (res);
    self->tx_open = false;
    return rc;
}

static PGconn *
s_connect_once (const char *url)
{
    //  Left to right: the URL's own connect_timeout wins over our default
    const char *keys[] = { "connect_timeout", "dbname", NULL };
    const char *vals[] = { HR_PG_CONNECT_TIMEOUT_S, url, NULL };
    return PQconnectdbParams (keys, vals, 1);
}

hr_pg_t *
hr_pg_new (const char *url, int statement_timeout_ms, int connect_wait_ms)
{
    assert (url);
    hr_pg_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->url = strdup (url);
    self->statement_timeout_ms = statement_timeout_ms < 0 ? 0 : statement_timeout_ms;
    if (!self->url) {
        free (self);
        return NULL;
    }
    int64_t deadline = hr_mono_ms () + (connect_wait_ms > 0 ? connect_wait_ms : 0);
    int backoff = HR_PG_BACKOFF_FIRST_MS;
    int attempts = 0;
    while (true) {
        attempts++;
        self->conn = s_connect_once (url);
        if (self->conn && PQstatus (self->conn) == CONNECTION_OK && s_session_setup (self) == 0)
            return self;
        s_set_error (self, self->conn ? PQerrorMessage (self->conn) : "out of memory", true);
        PQfinish (self->conn);
        self->conn = NULL;
        int64_t left = deadline - hr_mono_ms ();
        if (left <= 0)
            break;
        s_sleep_ms (backoff < left ? backoff : (int) left);
        backoff = backoff * 2 > HR_PG_BACKOFF_MAX_MS ? HR_PG_BACKOFF_MAX_MS : backoff * 2;
    }
    char tries[16];
    snprintf (tries, sizeof tries, "%d", attempts);
    hr_log_kv (HR_LOG_ERROR, NULL, "postgresql unreachable", "error", self->err,
               "attempts", tries, NULL);
    free (self->url);
    free (self);
    return NULL;
}

void
hr_pg_destroy (hr_pg_t **self_p)
{
    assert (self_p);
    hr_pg_t *self = *self_p;
    if (!self)
        return;
    PQfinish (self->conn);
    free (self->url);
    free (self);
    *self_p = NULL;
}

//  Reconnects a broken connection (one attempt).  0 / -1.
static int
s_reconnect (hr_pg_t *self)
{
    if (self->conn)
        PQreset (self->conn);
    else
        self->conn = s_connect_once (self->url);
    if (self->conn && PQstatus (self->conn) == CONNECTION_OK && s_session_setup (self) == 0) {
        hr_log (HR_LOG_INFO, "postgresql reconnected");
        return 0;
    }
    s_set_error (self, self->conn ? PQerrorMessage (self->conn) : "out of memory", true);
    return -1;
}

//  Notices a connection the server has closed without us asking.
static bool
s_conn_alive (hr_pg_t *self)
{
    PGconn *conn = self->conn;
    if (!conn || self->doomed || PQstatus (conn) != CONNECTION_OK)
        return false;
    if (PQconsumeInput (conn) == 0)
        return false;
    //  Asynchronous notifications (NOTIFY) are not ours to keep
    PGnotify *note;
    while ((note = PQnotifies (conn)))
        PQfreemem (note);
    return !self->doomed && PQstatus (conn) == CONNECTION_OK;
}

PGconn *
hr_pg_conn (hr_pg_t *self)
{
    assert (self);
    if (s_conn_alive (self))
        return self->conn;
    if (s_reconnect (self) == 0)
        return self->conn;
    return NULL;
}

//  Sends a statement; on a connection that is broken before anything was
//  sent, reconnects once and sends again (unless a transaction was open:
//  its earlier statements are gone, so this one must fail too).
static int
s_send (hr_pg_t *self, const char *sql, int nparams, const char *const *values,
        const int *lengths, const int *formats, int result_format, bool simple)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        bool alive = s_conn_alive (self);
        if (!alive) {
            bool lost_tx = self->tx_open;
            if (s_reconnect (self) != 0)
                return -1;
            if (lost_tx) {
                s_set_error (self, "connection lost inside a transaction", true);
                return -1;
            }
        }
        int sent = simple ? PQsendQuery (self->conn, sql)
                          : PQsendQueryParams (self->conn, sql, nparams, NULL, values, lengths,
                                               formats, result_format);
        if (sent)
            return 0;
        s_set_error (self, PQerrorMessage (self->conn), PQstatus (self->conn) == CONNECTION_BAD);
        if (PQstatus (self->conn) != CONNECTION_BAD)
            return -1;          // a real error (e.g. bad parameters): no retry
    }
    return -1;
}

//  Collects every result; keeps the last good one, or the first error.
static PGresult *
s_collect (hr_pg_t *self)
{
    PGresult *keep = NULL;
    PGresult *res;
    bool failed = false;
    while ((res = PQgetResult (self->conn))) {
        ExecStatusType st = PQresultStatus (res);
        if (failed) {
            PQclear (res);
            continue;
        }
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
            PQclear (keep);
            keep = res;
        }
        else if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
            //  A COPY through hr_pg_exec is a programmer error; end it cleanly
            PQclear (res);
            if (st == PGRES_COPY_IN)
                PQputCopyEnd (self->conn, "COPY needs hr_pg_copy_begin");
            else {
                char *buf;
                while (PQgetCopyData (self->conn, &buf, 0) > 0)
                    PQfreemem (buf);
            }
            s_set_error (self, "COPY is not supported by hr_pg_exec", false);
            failed = true;
        }
        else {
            s_set_error (self, PQresultErrorMessage (res), PQstatus (self->conn) == CONNECTION_BAD);
            PQclear (res);
            failed = true;
        }
    }
    if (PQstatus (self->conn) == CONNECTION_BAD && !failed) {
        s_set_error (self, PQerrorMessage (self->conn), true);
        failed = true;
    }
    PGTransactionStatusType ts = PQtransactionStatus (self->conn);
    self->tx_open = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
    if (failed) {
        PQclear (keep);
        return NULL;
    }
    self->last_conn_error = false;
    return keep;
}

static PGresult *
s_run (hr_pg_t *self, const char *sql, int nparams, const char *const *values,
       const int *lengths, const int *formats, int result_format, bool simple)
{
    assert (self);
    assert (sql);
    if (s_send (self, sql, nparams, values, lengths, formats, result_format, simple) != 0) {
        hr_log_kv (HR_LOG_WARN, NULL, "postgresql statement not sent", "error", self->err, NULL);
        return NULL;
    }
    PGresult *res = s_collect (self);
    if (!res) {
        //  Keeping the SQL short in logs: the first line says which statement
        char head[96];
        snprintf (head, sizeof head, "%.*s", (int) strcspn (sql, "\n"), sql);
        hr_log_kv (HR_LOG_WARN, NULL, "postgresql statement failed", "error", self->err,
                   "sql", head, "connection_lost", self->last_conn_error ? "true" : "false", NULL);
    }
    return res;
}

PGresult *
hr_pg_exec (hr_pg_t *self, const char *sql, int nparams, const char *const *params)
{
    return s_run (self, sql, nparams, params, NULL, NULL, 0, false);
}

PGresult *
hr_pg_exec_ex (hr_pg_t *self, const char *sql, int nparams, const char *const *values,
               const int *lengths, const int *formats, int result_format)
{
    return s_run (self, sql, nparams, values, lengths, formats, result_format, false);
}

int
hr_pg_exec_simple (hr_pg_t *self, const char *sql)
{
    PGresult *res = s_run (self, sql, 0, NULL, NULL, NULL, 0, true);
    if (!res)
        return -1;
    PQclear (res);
    return 0;
}

const char *
hr_pg_error (hr_pg_t *self)
{
    assert (self);
    return self->err;
}

bool
hr_pg_last_was_connection_error (hr_pg_t *self)
{
    assert (self);
    return self->last_conn_error;
}

int
hr_pg_copy_begin (hr_pg_t *self, const char *copy_sql)
{
    assert (self);
    if (s_send (self, copy_sql, 0, NULL, NULL, NULL, 0, true) != 0)
        return -1;
    PGresult *res = PQgetResult (self->conn);
    ExecStatusType st = PQresultStatus (res);
    if (st == PGRES_COPY_IN) {
        PQclear (res);
        return 0;
    }
    s_set_error (self, res ? PQresultErrorMessage (res) : PQerrorMessage (self->conn),
                 PQstatus (self->conn) == CONNECTION_BAD);
    PQclear (res);
    while ((res = PQgetResult (self->conn)))
        PQclear (res);
    PGTransactionStatusType ts = PQtransactionStatus (self->conn);
    self->tx_open = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
    hr_log_kv (HR_LOG_WARN, NULL, "postgresql COPY failed to start", "error", self->err, NULL);
    return -1;
}

int
hr_pg_copy_put (hr_pg_t *self, const char *buf, size_t len)
{
    assert (self);
    //  libpq takes an int length; feed very large buffers in slices
    while (len > 0) {
        int n = len > (1u << 30) ? (1 << 30) : (int) len;
        if (PQputCopyData (self->conn, buf, n) != 1) {
            s_set_error (self, PQerrorMessage (self->conn), PQstatus (self->conn) == CONNECTION_BAD);
            return -1;
        }
        buf += n;
        len -= (size_t) n;
    }
    return 0;
}

int
hr_pg_copy_end (hr_pg_t *self, const char *abort_reason)
{
    assert (self);
    if (PQputCopyEnd (self->conn, abort_reason) != 1) {
        s_set_error (self, PQerrorMessage (self->conn), PQstatus (self->conn) == CONNECTION_BAD);
        return -1;
    }
    PGresult *res = s_collect (self);
    if (!res) {
        if (!abort_reason)
            hr_log_kv (HR_LOG_WARN, NULL, "postgresql COPY failed", "error", self->err, NULL);
        return -1;
    }
    PQclear (res);
    return abort_reason ? -1 : 0;
}
