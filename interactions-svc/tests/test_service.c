/*  interactions-svc over ZeroMQ, in-process: a real broker, the real
    service state, the real PostgreSQL and Redis.                           */
#include "test_env.h"
#include "cache.h"
#include "hr_batch.h"
#include "hr_service.h"
#include "serve.h"

typedef struct {
    hr_broker_t *broker;
    inter_server_t *server;
    hr_service_t *service;
    hr_client_t *client;
} stack_t;

static stack_t s_main;          // PostgreSQL and Redis both up
static hr_pg_t *s_pg;
static hr_redis_t *s_redis;

static void
s_stack_start (stack_t *st, const char *database_url, const char *redis_url)
{
    st->broker = hr_broker_new ("tcp://127.0.0.1:*");
    ck_assert_ptr_nonnull (st->broker);
    inter_settings_t settings;
    inter_settings_defaults (&settings, database_url, redis_url);
    settings.statement_timeout_ms = 5000;
    st->server = inter_server_new (&settings);
    ck_assert_ptr_nonnull (st->server);
    st->service = hr_service_new (&inter_service_def, st->server,
                                  hr_broker_endpoint (st->broker), 4);
    ck_assert_ptr_nonnull (st->service);
    st->client = hr_client_new (hr_broker_endpoint (st->broker));
    ck_assert_ptr_nonnull (st->client);
    test_wait_workers (st->client, HR_SERVICE_INTERACTIONS, 4);
}

static void
s_stack_stop (stack_t *st)
{
    hr_client_destroy (&st->client);
    hr_service_destroy (&st->service);
    inter_server_destroy (&st->server);
    hr_broker_destroy (&st->broker);
}

static void
s_user (char *buf, size_t cap, const char *name)
{
    snprintf (buf, cap, "%s%s", name, t_tag);
}

static void
s_del_cache (const char *user)
{
    redisReply *r = hr_redis_command (s_redis, "DEL " INTER_CACHE_KEY_PREFIX "%s", user);
    ck_assert_ptr_nonnull (r);
    freeReplyObject (r);
}

static long
s_llen (const char *user)
{
    redisReply *r = hr_redis_command (s_redis, "LLEN " INTER_CACHE_KEY_PREFIX "%s", user);
    ck_assert_ptr_nonnull (r);
    long n = (long) r->integer;
    freeReplyObject (r);
    return n;
}

START_TEST (test_round_trip_newest_first)
{
    char user[64];
    s_user (user, sizeof user, "rt");
    int64_t before = hr_now_ms ();
    ck_assert_int_eq (t_record (s_main.client, user, 1, "ABCD1234XY", NULL, 0), HR_OK);
    ck_assert_int_eq (t_record (s_main.client, user, 2, "  red shoes ", NULL, 0), HR_OK);
    ck_assert_int_eq (t_record (s_main.client, user, 1, "ZZZZ9999AA", NULL, 0), HR_OK);

    //  Acknowledged means committed: the rows are there already
    ck_assert_int_eq (t_sql_long (s_pg, "SELECT count(*) FROM interactions WHERE user_id = $1",
                                  user, NULL), 3);
    hr_event_t ev[10];
    uint32_t n;
    ck_assert_int_eq (t_history (s_main.client, user, 30, 10, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 3);
    ck_assert_str_eq (ev[0].value, "ZZZZ9999AA");
    ck_assert_int_eq (ev[0].type, 1);
    ck_assert_str_eq (ev[1].value, "red shoes");       // trimmed
    ck_assert_int_eq (ev[1].type, 2);
    ck_assert_str_eq (ev[2].value, "ABCD1234XY");
    ck_assert_int_ge (ev[2].ts_ms, before);
    ck_assert_int_le (ev[0].ts_ms, hr_now_ms ());
    ck_assert_int_ge (ev[0].ts_ms, ev[1].ts_ms);
    ck_assert_int_ge (ev[1].ts_ms, ev[2].ts_ms);
    //  limit
    ck_assert_int_eq (t_history (s_main.client, user, 30, 2, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 2);
    ck_assert_str_eq (ev[1].value, "red shoes");
    //  the same answer from PostgreSQL (days > 30 never uses the cache)
    ck_assert_int_eq (t_history (s_main.client, user, 365, 10, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 3);
    ck_assert_str_eq (ev[0].value, "ZZZZ9999AA");
    ck_assert_str_eq (ev[2].value, "ABCD1234XY");
    //  unknown users have an empty history
    ck_assert_int_eq (t_history (s_main.client, "nobodyAtAll1", 30, 10, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 0);
}
END_TEST

/*  A batch (what the gateway sends at load): its records are committed
    together, an invalid one is refused alone, a history call in the same
    batch is answered, and every item carries its own id and status.       */
START_TEST (test_batch_of_records)
{
    char user[64], other[64];
    s_user (user, sizeof user, "batch");
    s_user (other, sizeof other, "batchb");
    enum { N = 40 };
    hr_writer_t inner[N + 2];
    for (int i = 0; i < N; i++) {
        char pid[16];
        snprintf (pid, sizeof pid, "B%09d", i);
        hr_writer_init (&inner[i]);
        hr_proto_record_put (&inner[i], &(hr_proto_record_t) { i % 2 ? user : other, strlen (i % 2 ? user : other), HR_EVENT_CLICK, pid, strlen (pid) });
    }
    hr_writer_init (&inner[N]);
    hr_proto_record_put (&inner[N], &(hr_proto_record_t) { user, strlen (user), HR_EVENT_CLICK, "not-an-id", strlen ("not-an-id") });
    hr_writer_init (&inner[N + 1]);
    hr_proto_history_req_put (&inner[N + 1], &(hr_proto_history_req_t) { user, strlen (user), 30, 10 });

    hr_writer_t w;
    hr_writer_init (&w);
    hr_batch_writer_t bw;
    hr_batch_request_begin (&bw, &w);
    for (int i = 0; i < N + 2; i++)
        hr_batch_request_add (&bw, 500 + (uint64_t) i, inner[i].data, inner[i].len);
    hr_batch_end (&bw);
    void *body = NULL;
    size_t len = 0;
    ck_assert_int_eq (hr_client_call (s_main.client, HR_SERVICE_INTERACTIONS, w.data, w.len, 10000,
                                      &body, &len), HR_OK);
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    ck_assert_uint_eq (hr_batch_count (&r), N + 2);
    for (int i = 0; i < N + 2; i++) {
        uint64_t id;
        uint8_t status;
        const void *item;
        size_t item_len;
        ck_assert_int_eq (hr_batch_next_reply (&r, &id, &status, &item, &item_len), 0);
        ck_assert_uint_eq (id, 500 + (uint64_t) i);
        ck_assert_int_eq (status, i < N ? HR_OK : i == N ? HR_BAD_REQUEST : HR_OK);
        if (i == N + 1) {       /* the history call: a well-formed reply */
            hr_event_t ev[10];
            uint32_t n;
            ck_assert_int_eq (hr_proto_history_copy (item, item_len, ev, 10, &n), 0);
            ck_assert_uint_le (n, 10);
        }
    }
    ck_assert (hr_reader_done (&r));
    free (body);
    hr_writer_free (&w);
    for (int i = 0; i < N + 2; i++)
        hr_writer_free (&inner[i]);

    //  Acknowledged means committed, each exactly once
    ck_assert_int_eq (t_sql_long (s_pg, "SELECT count(*) FROM interactions WHERE user_id = $1",
                                  user, NULL), N / 2);
    ck_assert_int_eq (t_sql_long (s_pg, "SELECT count(*) FROM interactions WHERE user_id = $1",
                                  other, NULL), N / 2);
    hr_event_t ev[10];
    uint32_t n;
    ck_assert_int_eq (t_history (s_main.client, user, 30, 10, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 10);
    ck_assert_str_eq (ev[0].value, "B000000039");      // the last one of the batch first
}
END_TEST

/*  A batch of history reads (what the gateway sends at load; the cached
    ones share one Redis round trip): each item answers byte for byte what
    the same read alone answers — cached lists, a list just deleted (a
    miss: refilled), a window past the cache (PostgreSQL), an unknown user,
    a limit — and the invalid ones are refused alone, in place.  On a
    stack whose Redis is down the same batch answers from PostgreSQL.     */
static void
s_batch_of_histories (hr_client_t *client, const char *const *users, int nusers, bool redis)
{
    enum { N = 12 };
    struct { int user; uint32_t days, limit; int status; } q[N] = {
        { 0, 30, 10, HR_OK }, { 1, 30, 10, HR_OK }, { 2, 30, 10, HR_OK }, { 0, 30, 2, HR_OK },
        { 1, 365, 10, HR_OK }, { 3, 30, 10, HR_OK }, { -1, 30, 10, HR_BAD_REQUEST },
        { 2, 30, 0, HR_BAD_REQUEST }, { 2, 0, 10, HR_BAD_REQUEST }, { 1, 30, 1, HR_OK },
        { 0, 30, 50, HR_OK }, { 2, 7, 10, HR_OK },
    };
    ck_assert_int_eq (nusers, 4);
    if (redis)
        s_del_cache (users[1]);         /* its first read misses and refills */
    hr_writer_t inner[N + 1], w, one;
    hr_writer_init (&w);
    hr_writer_init (&one);
    hr_batch_writer_t bw;
    hr_batch_request_begin (&bw, &w);
    for (int i = 0; i < N; i++) {
        const char *u = q[i].user < 0 ? "not valid!" : users[q[i].user];
        hr_writer_init (&inner[i]);
        hr_proto_history_req_put (&inner[i], &(hr_proto_history_req_t) { u, strlen (u), q[i].days, q[i].limit });
        hr_batch_request_add (&bw, 900 + (uint64_t) i, inner[i].data, inner[i].len);
    }
    hr_writer_init (&inner[N]);         /* malformed: a user and nothing else */
    hr_put_cstr (&inner[N], HR_M_HISTORY);
    hr_put_cstr (&inner[N], users[0]);
    hr_batch_request_add (&bw, 900 + N, inner[N].data, inner[N].len);
    hr_batch_end (&bw);
    void *body = NULL;
    size_t len = 0;
    ck_assert_int_eq (hr_client_call (client, HR_SERVICE_INTERACTIONS, w.data, w.len, 10000, &body, &len),
                      HR_OK);
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    ck_assert_uint_eq (hr_batch_count (&r), N + 1);
    for (int i = 0; i <= N; i++) {
        uint64_t id;
        uint8_t status;
        const void *item;
        size_t item_len;
        ck_assert_int_eq (hr_batch_next_reply (&r, &id, &status, &item, &item_len), 0);
        ck_assert_uint_eq (id, 900 + (uint64_t) i);
        ck_assert_int_eq (status, i < N ? q[i].status : HR_BAD_REQUEST);
        if (i == N || status != HR_OK)
            continue;
        /*  the same read alone  */
        void *alone = NULL;
        size_t alone_len = 0;
        ck_assert_int_eq (hr_client_call (client, HR_SERVICE_INTERACTIONS, inner[i].data, inner[i].len, 10000,
                                          &alone, &alone_len), HR_OK);
        ck_assert_uint_eq (item_len, alone_len);
        ck_assert_msg (!memcmp (item, alone, alone_len), "item %d differs from the same read alone", i);
        free (alone);
    }
    ck_assert (hr_reader_done (&r));
    free (body);
    for (int i = 0; i <= N; i++)
        hr_writer_free (&inner[i]);
    hr_writer_free (&w);
    hr_writer_free (&one);
}

START_TEST (test_batch_of_histories)
{
    char u[4][64];
    const char *users[4] = { u[0], u[1], u[2], u[3] };
    s_user (u[0], sizeof u[0], "bha");
    s_user (u[1], sizeof u[1], "bhb");
    s_user (u[2], sizeof u[2], "bhc");
    s_user (u[3], sizeof u[3], "bhnobody");
    for (int i = 0; i < 9; i++) {
        char pid[16];
        snprintf (pid, sizeof pid, "H%09d", i);
        ck_assert_int_eq (t_record (s_main.client, users[i % 3], 1, pid, NULL, 0), HR_OK);
    }
    ck_assert_int_eq (t_record (s_main.client, users[2], 2, "a query", NULL, 0), HR_OK);
    s_batch_of_histories (s_main.client, users, 4, true);
    /*  Redis down: the same batch from PostgreSQL  */
    stack_t st = { 0 };
    s_stack_start (&st, test_database_url (), "redis://127.0.0.1:1/0");
    s_batch_of_histories (st.client, users, 4, false);
    s_stack_stop (&st);
}
END_TEST

START_TEST (test_days_filtering)
{
    char user[64];
    s_user (user, sizeof user, "days");
    //  Old events straight into PostgreSQL, as an import would
    const char *sql = "INSERT INTO interactions (user_id, event_type, product_id, ts)"
                      " VALUES ($1, 1, $2, now() - interval '10 days'),"
                      "        ($1, 1, 'OLDD000040', now() - interval '40 days')";
    hr_pg_exec_simple (s_pg, "SELECT interactions_ensure_partitions(current_date - 41, current_date)");
    const char *params[] = { user, "OLDD000010" };
    PGresult *res = hr_pg_exec (s_pg, sql, 2, params);
    ck_assert_ptr_nonnull (res);
    PQclear (res);
    ck_assert_int_eq (t_record (s_main.client, user, 1, "NEWW000000", NULL, 0), HR_OK);

    hr_event_t ev[10];
    uint32_t n;
    ck_assert_int_eq (t_history (s_main.client, user, 7, 10, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 1);
    ck_assert_str_eq (ev[0].value, "NEWW000000");
    ck_assert_int_eq (t_history (s_main.client, user, 30, 10, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 2);
    ck_assert_str_eq (ev[1].value, "OLDD000010");
    ck_assert_int_eq (t_history (s_main.client, user, 60, 10, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 3);
    ck_assert_str_eq (ev[2].value, "OLDD000040");
    //  again, now that the cache was refilled: the same answers
    ck_assert_int_eq (t_history (s_main.client, user, 7, 10, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 1);
    ck_assert_int_eq (t_history (s_main.client, user, 30, 10, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 2);
    ck_assert_int_eq (t_history (s_main.client, user, 1, 10, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 1);
}
END_TEST

START_TEST (test_user_ids_are_case_sensitive)
{
    char upper[64], lower[64];
    s_user (upper, sizeof upper, "Bob1");
    s_user (lower, sizeof lower, "bob1");
    ck_assert_int_eq (t_record (s_main.client, upper, 1, "UPPER00001", NULL, 0), HR_OK);
    ck_assert_int_eq (t_record (s_main.client, lower, 1, "LOWER00001", NULL, 0), HR_OK);
    ck_assert_int_eq (t_record (s_main.client, lower, 1, "LOWER00002", NULL, 0), HR_OK);
    hr_event_t ev[10];
    uint32_t n;
    ck_assert_int_eq (t_history (s_main.client, upper, 30, 10, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 1);
    ck_assert_str_eq (ev[0].value, "UPPER00001");
    ck_assert_int_eq (t_history (s_main.client, lower, 365, 10, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 2);
    ck_assert_str_eq (ev[0].value, "LOWER00002");
}
END_TEST

START_TEST (test_validation)
{
    char msg[256];
    struct { const char *user; uint8_t type; const char *value; const char *expect; } bad[] = {
        { "bad_user", 1, "ABCD1234XY", "user_id" },
        { "", 1, "ABCD1234XY", "user_id" },
        { "okuser", 1, "abcd1234xy", "product_id" },
        { "okuser", 1, "", "product_id" },
        { "okuser", 2, "   ", "query" },
        { "okuser", 2, "\xc3\x28", "UTF-8" },
        { "okuser", 7, "x", "type" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq (t_record (s_main.client, bad[i].user, bad[i].type, bad[i].value,
                                    msg, sizeof msg), HR_BAD_REQUEST);
        ck_assert_msg (strstr (msg, bad[i].expect), "case %zu: '%s'", i, msg);
    }
    ck_assert_int_eq (t_sql_long (s_pg, "SELECT count(*) FROM interactions WHERE user_id = 'okuser'",
                                  NULL, NULL), 0);
    hr_event_t ev[2];
    uint32_t n;
    ck_assert_int_eq (t_history (s_main.client, "okuser", 0, 10, ev, 2, &n), HR_BAD_REQUEST);
    ck_assert_int_eq (t_history (s_main.client, "okuser", 366, 10, ev, 2, &n), HR_BAD_REQUEST);
    ck_assert_int_eq (t_history (s_main.client, "okuser", 30, 0, ev, 2, &n), HR_BAD_REQUEST);
    ck_assert_int_eq (t_history (s_main.client, "okuser", 30, 100000, ev, 2, &n), HR_BAD_REQUEST);
    ck_assert_int_eq (t_history (s_main.client, "ok-user", 30, 10, ev, 2, &n), HR_BAD_REQUEST);

    //  Malformed bodies: truncated, trailing bytes, unknown method
    hr_writer_t w;
    hr_writer_init (&w);
    hr_proto_record_put (&w, &(hr_proto_record_t) { "okuser", strlen ("okuser"), HR_EVENT_CLICK, "ABCD1234XY", strlen ("ABCD1234XY") });
    ck_assert_int_eq (t_call_raw (s_main.client, w.data, w.len - 2), HR_BAD_REQUEST);
    hr_put_u32 (&w, 5);
    ck_assert_int_eq (t_call_raw (s_main.client, w.data, w.len), HR_BAD_REQUEST);
    hr_writer_reset (&w);
    hr_put_cstr (&w, "drop_everything");
    ck_assert_int_eq (t_call_raw (s_main.client, w.data, w.len), HR_BAD_REQUEST);
    hr_writer_reset (&w);
    hr_put_u32 (&w, 0xffffffffu);       // a method length far past the end
    ck_assert_int_eq (t_call_raw (s_main.client, w.data, w.len), HR_BAD_REQUEST);
    hr_writer_free (&w);
    //  and the service still works
    ck_assert_int_eq (t_history (s_main.client, "okuser", 30, 10, ev, 2, &n), HR_OK);
}
END_TEST

START_TEST (test_redis_flushed_still_correct)
{
    char user[64];
    s_user (user, sizeof user, "flush");
    ck_assert_int_eq (t_record (s_main.client, user, 1, "FLUSH00001", NULL, 0), HR_OK);
    ck_assert_int_eq (t_record (s_main.client, user, 1, "FLUSH00002", NULL, 0), HR_OK);
    ck_assert_int_eq (s_llen (user), 2);
    hr_event_t ev[10];
    uint32_t n;
    s_del_cache (user);
    ck_assert_int_eq (t_history (s_main.client, user, 30, 10, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 2);
    ck_assert_str_eq (ev[0].value, "FLUSH00002");
    ck_assert_int_eq (s_llen (user), 3);        // refilled: 2 events + the marker

    //  Flushed, then one event written through: the list holds only that
    //  one, and must not be mistaken for the whole history
    s_del_cache (user);
    ck_assert_int_eq (t_record (s_main.client, user, 2, "after flush", NULL, 0), HR_OK);
    ck_assert_int_eq (s_llen (user), 1);
    ck_assert_int_eq (t_history (s_main.client, user, 30, 10, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 3);
    ck_assert_str_eq (ev[0].value, "after flush");
    ck_assert_str_eq (ev[2].value, "FLUSH00001");
    //  but it answers a request it can cover (limit 1) by itself
    s_del_cache (user);
    ck_assert_int_eq (t_record (s_main.client, user, 1, "FLUSH00003", NULL, 0), HR_OK);
    ck_assert_int_eq (t_history (s_main.client, user, 30, 1, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 1);
    ck_assert_str_eq (ev[0].value, "FLUSH00003");
    ck_assert_int_eq (s_llen (user), 1);        // served from the list: no refill
    ck_assert_int_eq (t_history (s_main.client, user, 30, 10, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 4);
}
END_TEST

START_TEST (test_cache_is_bounded)
{
    char user[64];
    s_user (user, sizeof user, "bound");
    //  more events than the list keeps, written concurrently in batches
    char value[16];
    for (int i = 0; i < 210; i++) {
        snprintf (value, sizeof value, "B%09d", i);
        ck_assert_int_eq (t_record (s_main.client, user, 1, value, NULL, 0), HR_OK);
    }
    ck_assert_int_eq (s_llen (user), 200);
    hr_event_t ev[300];
    uint32_t n;
    ck_assert_int_eq (t_history (s_main.client, user, 30, 200, ev, 300, &n), HR_OK);
    ck_assert_int_eq (n, 200);
    ck_assert_str_eq (ev[0].value, "B000000209");
    ck_assert_str_eq (ev[199].value, "B000000010");
    ck_assert_int_eq (t_history (s_main.client, user, 30, 250, ev, 300, &n), HR_OK);
    ck_assert_int_eq (n, 210);
    ck_assert_str_eq (ev[209].value, "B000000000");
}
END_TEST

START_TEST (test_redis_down)
{
    stack_t st = { 0 };
    s_stack_start (&st, test_database_url (), "redis://127.0.0.1:1/0");
    char user[64];
    s_user (user, sizeof user, "noredis");
    ck_assert_int_eq (t_record (st.client, user, 1, "NORED00001", NULL, 0), HR_OK);
    ck_assert_int_eq (t_record (st.client, user, 2, "still works", NULL, 0), HR_OK);
    hr_event_t ev[10];
    uint32_t n;
    ck_assert_int_eq (t_history (st.client, user, 30, 10, ev, 10, &n), HR_OK);
    ck_assert_int_eq (n, 2);
    ck_assert_str_eq (ev[0].value, "still works");
    ck_assert_int_eq (t_sql_long (s_pg, "SELECT count(*) FROM interactions WHERE user_id = $1",
                                  user, NULL), 2);
    s_stack_stop (&st);
}
END_TEST

START_TEST (test_postgresql_down_is_unavailable)
{
    stack_t st = { 0 };
    s_stack_start (&st, "postgresql://hybridrec@127.0.0.1:1/nowhere", test_redis_url ());
    char user[64], msg[128];
    s_user (user, sizeof user, "nopg");
    ck_assert_int_eq (t_record (st.client, user, 1, "NOPG000001", msg, sizeof msg), HR_UNAVAILABLE);
    ck_assert_ptr_nonnull (strstr (msg, "unavailable"));
    hr_event_t ev[10];
    uint32_t n;
    ck_assert_int_eq (t_history (st.client, user, 365, 10, ev, 10, &n), HR_UNAVAILABLE);
    //  a miss in the cache needs PostgreSQL too
    ck_assert_int_eq (t_history (st.client, user, 30, 10, ev, 10, &n), HR_UNAVAILABLE);
    //  validation still answers first
    ck_assert_int_eq (t_record (st.client, "bad_user", 1, "NOPG000001", NULL, 0), HR_BAD_REQUEST);
    s_stack_stop (&st);
    ck_assert_int_eq (t_sql_long (s_pg, "SELECT count(*) FROM interactions WHERE user_id = $1",
                                  user, NULL), 0);
}
END_TEST

static void
s_setup (void)
{
    t_make_tag ();
    s_pg = test_pg_migrated ();
    s_redis = hr_redis_new (test_redis_url (), 1000);
    s_stack_start (&s_main, test_database_url (), test_redis_url ());
}

static void
s_teardown (void)
{
    s_stack_stop (&s_main);
    hr_redis_destroy (&s_redis);
    hr_pg_destroy (&s_pg);
}

int
main (void)
{
    Suite *s = suite_create ("interactions_service");
    TCase *tc = tcase_create ("service");
    tcase_set_timeout (tc, 60);
    tcase_add_unchecked_fixture (tc, s_setup, s_teardown);
    tcase_add_test (tc, test_round_trip_newest_first);
    tcase_add_test (tc, test_batch_of_records);
    tcase_add_test (tc, test_batch_of_histories);
    tcase_add_test (tc, test_days_filtering);
    tcase_add_test (tc, test_user_ids_are_case_sensitive);
    tcase_add_test (tc, test_validation);
    tcase_add_test (tc, test_redis_flushed_still_correct);
    tcase_add_test (tc, test_cache_is_bounded);
    tcase_add_test (tc, test_redis_down);
    tcase_add_test (tc, test_postgresql_down_is_unavailable);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
