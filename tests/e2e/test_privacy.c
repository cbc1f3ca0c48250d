/*  End-to-end: erasure (issue 19) — DELETE /api/v1/users/{user_id} leaves
    nothing of the user: no row in PostgreSQL, no cached history beyond the
    empty-list marker, no event stream entry but the erase marker, an empty
    history through the API and an unpersonalized /home.  The stores are
    read directly (libpq, hiredis) so "nothing left" is checked at the
    source, not only through the API.                                      */
#include <check.h>
#include <hiredis.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "e2e_stack.h"

static char s_user[48];

static void
setup (void)
{
    if (e2e_stack_start () != 0)
        ck_abort_msg ("the stack did not start");
    snprintf (s_user, sizeof s_user, "erasure%lld", e2e_now_ms ());
}

static long long
pg_rows (const char *user)
{
    PGconn *pg = PQconnectdb (getenv ("DATABASE_URL"));
    ck_assert_msg (PQstatus (pg) == CONNECTION_OK, "PostgreSQL: %s", PQerrorMessage (pg));
    const char *params[] = { user };
    PGresult *res = PQexecParams (pg, "SELECT count(*) FROM interactions WHERE user_id = $1", 1,
                                  NULL, params, NULL, NULL, 0);
    ck_assert_int_eq (PQresultStatus (res), PGRES_TUPLES_OK);
    long long n = atoll (PQgetvalue (res, 0, 0));
    PQclear (res);
    PQfinish (pg);
    return n;
}

static redisContext *
redis_connect (void)
{
    const char *url = getenv ("REDIS_URL");         /* redis://host:port[/db] */
    char host[64] = "127.0.0.1";
    int port = 6379;
    ck_assert (sscanf (url, "redis://%63[^:]:%d", host, &port) == 2);
    redisContext *c = redisConnect (host, port);
    ck_assert_msg (c && !c->err, "Redis: %s", c ? c->errstr : "no context");
    return c;
}

/*  Elements of hr:hist:{user} other than the empty-list marker "0|0|".   */
static size_t
cached_events (redisContext *c, const char *user)
{
    redisReply *r = redisCommand (c, "LRANGE hr:hist:%s 0 -1", user);
    ck_assert (r && r->type == REDIS_REPLY_ARRAY);
    size_t n = 0;
    for (size_t i = 0; i < r->elements; i++)
        if (strcmp (r->element[i]->str, "0|0|") != 0)
            n++;
    freeReplyObject (r);
    return n;
}

/*  The stream entries of the user: *events of any type but 'x' (erasure
    markers), *markers of type 'x'.  */
static void
stream_entries (redisContext *c, const char *user, int *events, int *markers)
{
    *events = *markers = 0;
    char start[80] = "-";
    for (;;) {
        redisReply *r = redisCommand (c, "XRANGE hr:events %s + COUNT 10000", start);
        ck_assert (r && r->type == REDIS_REPLY_ARRAY);
        for (size_t i = 0; i < r->elements; i++) {
            const redisReply *f = r->element[i]->element[1];
            bool mine = false;
            char type = 0;
            for (size_t k = 0; k + 1 < f->elements; k += 2) {
                if (!strcmp (f->element[k]->str, "u") && !strcmp (f->element[k + 1]->str, user))
                    mine = true;
                if (!strcmp (f->element[k]->str, "t"))
                    type = f->element[k + 1]->str[0];
            }
            if (mine)
                (type == 'x' ? (*markers)++ : (*events)++);
        }
        size_t n = r->elements;
        if (n)
            snprintf (start, sizeof start, "(%s", r->element[n - 1]->element[0]->str);
        freeReplyObject (r);
        if (n < 10000)
            break;
    }
}

static json_t *
history (const char *user)
{
    char target[128];
    snprintf (target, sizeof target, "/api/v1/interactions/interactions/%s", user);
    return e2e_expect (200, "GET", target, NULL);
}

static json_t *
home (const char *user)
{
    char target[128];
    snprintf (target, sizeof target, "/recommendations/home?user_id=%s", user);
    return e2e_expect (200, "GET", target, NULL);
}

START_TEST (test_erase_leaves_nothing)
{
    const char *u = s_user;
    for (int i = 0; i < 3; i++)
        e2e_click (u, e2e_some_product (i));
    char body[160];
    snprintf (body, sizeof body, "{\"user_id\":\"%s\",\"event_type\":\"search_query\",\"query\":\"wireless earbuds\"}", u);
    e2e_expect_status (200, "POST", "/api/v1/interactions/interactions", body);

    /* before: the user is everywhere */
    json_t *h = history (u);
    ck_assert_uint_eq (json_array_size (json_object_get (h, "interactions")), 4);
    json_decref (h);
    json_t *hm = home (u);
    ck_assert_uint_gt (json_array_size (json_object_get (hm, "personalized")), 0);
    json_decref (hm);
    ck_assert_int_eq (pg_rows (u), 4);
    redisContext *rc = redis_connect ();
    ck_assert_uint_eq (cached_events (rc, u), 4);
    int events, markers;
    stream_entries (rc, u, &events, &markers);
    ck_assert_int_eq (events, 4);
    ck_assert_int_eq (markers, 0);

    /* erase */
    char target[128];
    snprintf (target, sizeof target, "/api/v1/users/%s", u);
    json_t *j = e2e_expect (200, "DELETE", target, NULL);
    ck_assert_str_eq (json_string_value (json_object_get (j, "user_id")), u);
    ck_assert (json_is_true (json_object_get (j, "erased")));
    ck_assert_int_eq (json_integer_value (json_object_get (j, "events_deleted")), 4);
    ck_assert (json_is_true (json_object_get (j, "cached_history_deleted")));
    ck_assert_int_eq (json_integer_value (json_object_get (j, "stream_entries_deleted")), 4);
    json_decref (j);

    /* after: nothing left, at the source and through the API */
    ck_assert_int_eq (pg_rows (u), 0);
    ck_assert_uint_eq (cached_events (rc, u), 0);
    stream_entries (rc, u, &events, &markers);
    ck_assert_int_eq (events, 0);
    ck_assert_int_eq (markers, 1);          /* tells the live consumers to forget */
    h = history (u);
    ck_assert_uint_eq (json_array_size (json_object_get (h, "interactions")), 0);
    json_decref (h);
    char target365[160];
    snprintf (target365, sizeof target365, "/api/v1/interactions/interactions/%s?days=365", u);
    h = e2e_expect (200, "GET", target365, NULL);   /* the PostgreSQL path */
    ck_assert_uint_eq (json_array_size (json_object_get (h, "interactions")), 0);
    json_decref (h);
    hm = home (u);
    ck_assert_uint_eq (json_array_size (json_object_get (hm, "personalized")), 0);
    json_decref (hm);

    /* erasing again is harmless; the old marker goes with the new pass */
    j = e2e_expect (200, "DELETE", target, NULL);
    ck_assert_int_eq (json_integer_value (json_object_get (j, "events_deleted")), 0);
    json_decref (j);
    stream_entries (rc, u, &events, &markers);
    ck_assert_int_eq (events, 0);
    ck_assert_int_eq (markers, 1);

    /* a new event after the erasure is recorded normally */
    e2e_click (u, e2e_some_product (4));
    h = history (u);
    ck_assert_uint_eq (json_array_size (json_object_get (h, "interactions")), 1);
    json_decref (h);
    redisFree (rc);
}
END_TEST

START_TEST (test_erase_errors)
{
    e2e_expect_status (400, "DELETE", "/api/v1/users/not-valid!", NULL);
    e2e_expect_status (400, "DELETE", "/api/v1/users/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL);
    e2e_expect_status (405, "GET", "/api/v1/users/someone", NULL);
    /* another user's events survive an erasure */
    char other[64];
    snprintf (other, sizeof other, "keep%lld", e2e_now_ms ());
    e2e_click (other, e2e_some_product (5));
    char target[128];
    snprintf (target, sizeof target, "/api/v1/users/%sx", other);
    e2e_expect_status (200, "DELETE", target, NULL);
    ck_assert_int_eq (pg_rows (other), 1);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("e2e_privacy");
    TCase *tc = tcase_create ("erasure");
    tcase_set_timeout (tc, 300);
    tcase_add_unchecked_fixture (tc, setup, e2e_stack_stop);
    tcase_add_test (tc, test_erase_leaves_nothing);
    tcase_add_test (tc, test_erase_errors);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
