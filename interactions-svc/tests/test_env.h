/*  interactions tests — what they share beyond tests/harness/hr_test.h
    (the stack, workers, calls): a run tag, SQL scalars, and record/history
    calls.  Header-only: each test binary is one translation unit.          */
#ifndef INTER_TEST_ENV_H
#define INTER_TEST_ENV_H
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "hr_test.h"
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_migrate.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "hr_status.h"
#include "hr_wire.h"
#include "protocol.h"

//  A prefix unique to this run, so runs never see each other's users.
static char t_tag[24];

__attribute__ ((unused)) static void
t_make_tag (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    snprintf (t_tag, sizeof t_tag, "t%x%lx", (unsigned) getpid () & 0xffff,
              (unsigned long) (ts.tv_nsec / 1000) & 0xfffff);
}

//  A scalar from SQL with up to 2 text parameters.
__attribute__ ((unused)) static long
t_sql_long (hr_pg_t *pg, const char *sql, const char *p1, const char *p2)
{
    const char *params[] = { p1, p2 };
    int n = p2 ? 2 : p1 ? 1 : 0;
    PGresult *res = hr_pg_exec (pg, sql, n, params);
    ck_assert_msg (res != NULL, "%s: %s", sql, hr_pg_error (pg));
    long v = PQntuples (res) > 0 && !PQgetisnull (res, 0, 0) ? atol (PQgetvalue (res, 0, 0)) : -1;
    PQclear (res);
    return v;
}

__attribute__ ((unused)) static int
t_record (hr_client_t *client, const char *user, uint8_t type, const char *value,
          char *msg, size_t msgcap)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_proto_record_put (&w, &(hr_proto_record_t) { user, strlen (user), type, value, strlen (value) });
    void *body = NULL;
    size_t len = 0;
    int st = hr_client_call (client, HR_SERVICE_INTERACTIONS, w.data, w.len, 10000, &body, &len);
    if (msg)
        snprintf (msg, msgcap, "%.*s", (int) len, body ? (char *) body : "");
    free (body);
    hr_writer_free (&w);
    return st;
}

//  history; returns the status, events in out (up to max).
__attribute__ ((unused)) static int
t_history (hr_client_t *client, const char *user, uint32_t days, uint32_t limit,
           hr_event_t *out, uint32_t max, uint32_t *n)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_proto_history_req_put (&w, &(hr_proto_history_req_t) { user, strlen (user), days, limit });
    void *body = NULL;
    size_t len = 0;
    int st = hr_client_call (client, HR_SERVICE_INTERACTIONS, w.data, w.len, 10000, &body, &len);
    *n = 0;
    if (st == 0)
        ck_assert_int_eq (hr_proto_history_copy (body, len, out, max, n), 0);
    free (body);
    hr_writer_free (&w);
    return st;
}

__attribute__ ((unused)) static int
t_call_raw (hr_client_t *client, const void *req, size_t len)
{
    void *body = NULL;
    size_t blen = 0;
    int st = hr_client_call (client, HR_SERVICE_INTERACTIONS, req, len, 10000, &body, &blen);
    free (body);
    return st;
}

#endif
