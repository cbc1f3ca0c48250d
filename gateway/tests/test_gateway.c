/*  The gateway in-process over real HTTP, with the real broker and small
    fake services (hr_worker) that answer fixed scored lists: routing,
    validation and status codes, shapes, merge/exclusion, degradation
    (a missing service, a late service), CORS.  The e2e tests run the same
    API against the real services.                                          */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hr_batch.h"
#include "gw_fanout.h"
#include "gw_merge.h"
#include "gw_server.h"
#include "hr_broker.h"
#include "http_client.h"
#include "hr_catalog.h"
#include "hr_client.h"
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_version.h"
#include "hr_status.h"
#include "hr_wire.h"
#include "hr_worker.h"

#define DEADLINE_MS 300

/* ------------------------------------------------------------ fake services */

typedef struct {
    const char *service;
    pthread_t tid;
    atomic_bool stop;
} fake_t;

static gw_server_t *server;
static char broker[256];
static int port;
/*  A second gateway on the same broker with access control and abuse
    limits on (the first has them off, as `make run` does).  */
static gw_server_t *guarded;
static int gport;
#define G_MAX_CONNECTIONS 6
#define G_REQ_TIMEOUT_MS 1000
static fake_t fakes[] = {
    { "interactions", 0, false }, { "interactions", 0, false }, { "content", 0, false },
    { "collab", 0, false }, { "rules", 0, false }, { "trending", 0, false },
};
#define N_FAKES (sizeof fakes / sizeof fakes[0])
#define RULES_FAKE 4

static pthread_mutex_t recorded_mutex = PTHREAD_MUTEX_INITIALIZER;
static char recorded[512];          /* last "user|type|value" recorded */

/*  A history of "holdme" blocks its fake worker while `held` is set, until
    the test clears it; `held_arrived` counts the ones that got there.    */
static pthread_mutex_t hold_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hold_cond = PTHREAD_COND_INITIALIZER;
static bool held;
static atomic_int held_arrived;
/*  The history of "slowpoke" waits while `slow` is set; `slow_done` counts
    the ones that went on (test_late_service_degrades_within_deadline).   */
static bool slow;
static atomic_int slow_done;
/*  for_user calls for the history of "steady" / "twin" (P000000003 first). */
static atomic_int steady_calls;
/*  trending `trending` calls (the list /search's fallback shows).         */
static atomic_int trending_calls;
/*  trending `home`/`home_picks` and `diverse_pools` calls; diverse_pools is
    answered only while pools_on is set (else "unknown method", as an older
    trending answers it: then every /home asks trending, gw_diverse.h).   */
static atomic_int home_calls, pools_calls;
static atomic_bool pools_on;
/*  collab's for_user answers one list, as a collab-svc older than its
    sequential rules does.  */
static atomic_bool collab_one_list;

static void
hold_here (void)
{
    pthread_mutex_lock (&hold_mutex);
    atomic_fetch_add (&held_arrived, 1);
    while (held)
        pthread_cond_wait (&hold_cond, &hold_mutex);
    pthread_mutex_unlock (&hold_mutex);
}

static void
hold_set (bool on)
{
    pthread_mutex_lock (&hold_mutex);
    held = on;
    pthread_cond_broadcast (&hold_cond);
    pthread_mutex_unlock (&hold_mutex);
}

static void
slow_here (void)
{
    pthread_mutex_lock (&hold_mutex);
    while (slow)
        pthread_cond_wait (&hold_cond, &hold_mutex);
    pthread_mutex_unlock (&hold_mutex);
    atomic_fetch_add (&slow_done, 1);
}

static void
slow_set (bool on)
{
    pthread_mutex_lock (&hold_mutex);
    slow = on;
    pthread_cond_broadcast (&hold_cond);
    pthread_mutex_unlock (&hold_mutex);
}

static void
list (hr_writer_t *w, const char *const *ids, int n, uint8_t strategy, const char *source)
{
    size_t at = hr_scored_list_begin (w);
    for (int i = 0; i < n; i++)
        hr_put_scored_item (w, ids[i], (float) (n - i), strategy, source, strlen (source));
    hr_scored_list_end (w, at, (uint32_t) n);
}
#define LIST(w, strategy, source, ...) do { \
        static const char *const ids_[] = { __VA_ARGS__ }; \
        list (w, ids_, (int) (sizeof ids_ / sizeof ids_[0]), strategy, source); } while (0)

static bool
is (const char *s, size_t n, const char *lit)
{
    return s && n == strlen (lit) && memcmp (s, lit, n) == 0;
}

/*  The value of the newest event of a history on the wire (the variants
    user "vera" clicked P000000043), or false.  */
static bool
clicked_first (hr_reader_t *r, const char *id)
{
    if (hr_get_u32 (r) == 0)
        return false;
    hr_get_u8 (r);
    size_t n;
    const char *v = hr_get_str (r, &n);
    return is (v, n, id);
}

/*  Every similarity service answers for P000000030 only after the
    deadline (but well within the grace).  */
static void
late_for_p30 (hr_reader_t *r)
{
    hr_reader_t again = *r;
    size_t plen;
    const char *pid = hr_get_str (&again, &plen);
    if (is (pid, plen, "P000000030"))
        usleep (DEADLINE_MS * 4 / 3 * 1000);
    if (is (pid, plen, "P000000028"))       /* test_alive_services_are_held_not_503 */
        hold_here ();
}

/*  trending's home reply (the reader after limit and seed).  */
static int
trending_home (hr_reader_t *r, hr_writer_t *w)
{
    hr_reader_t again = *r;
    if (clicked_first (&again, "P000000029"))
        usleep (DEADLINE_MS * 2 / 3 * 1000);
    again = *r;
    if (clicked_first (&again, "P000000027"))
        hold_here ();
    if (clicked_first (r, "P000000043")) {
        LIST (w, HR_STRAT_TRENDING, "", "P000000040", "P000000041", "P000000042", "P000000020",
              "P000000021", "P000000044", "P000000043");
        LIST (w, HR_STRAT_BEST_VALUE, "", "P000000041", "P000000040", "P000000022");
        hr_put_u32 (w, 1);
        hr_put_cstr (w, "Baby");
        LIST (w, HR_STRAT_POPULAR, "", "P000000042", "P000000040", "P000000043");
        LIST (w, HR_STRAT_DIVERSE, "", "P000000044", "P000000043", "P000000025");
        return HR_OK;
    }
    LIST (w, HR_STRAT_TRENDING, "", "P000000020", "P000000021");
    LIST (w, HR_STRAT_BEST_VALUE, "", "P000000022");
    hr_put_u32 (w, 2);
    hr_put_cstr (w, "Electronics");
    LIST (w, HR_STRAT_POPULAR, "", "P000000023");
    hr_put_cstr (w, "Fashion");
    LIST (w, HR_STRAT_POPULAR, "", "P000000024");
    LIST (w, HR_STRAT_DIVERSE, "", "P000000025");
    return HR_OK;
}

/*  home_picks as trending-svc answers it: the home reply's first part only
    when the gateway does not hold it (its fingerprint).                   */
static atomic_int picks_alone;
static int
trending_home_picks (hr_reader_t *r, hr_writer_t *w)
{
    uint64_t held = hr_get_u64 (r);
    hr_writer_t home;
    hr_writer_init (&home);
    int rc = trending_home (r, &home);
    size_t at = 0;
    if (hr_proto_home_split (home.data, home.len, &at) != 0)
        rc = HR_INTERNAL;
    uint64_t fingerprint = hr_proto_home_fingerprint (home.data, at);
    bool full = held != fingerprint;
    size_t mark = hr_proto_home_picks_begin (w);
    if (full)
        hr_put_bytes (w, home.data, at);
    else
        atomic_fetch_add (&picks_alone, 1);
    hr_proto_home_picks_mark (w, mark, full, fingerprint);
    hr_put_bytes (w, home.data + at, home.len - at);
    hr_writer_free (&home);
    return rc;
}

static int
answer (const char *service, hr_reader_t *r, hr_writer_t *w)
{
    size_t mlen;
    const char *method = hr_get_str (r, &mlen);
    if (is (method, mlen, HR_BATCH_METHOD)) {
        /*  the gateway sends a request's calls to one service as a batch
            (/search?explain=true: search and analyze)                      */
        uint32_t n = hr_batch_count (r);
        hr_batch_writer_t b;
        hr_batch_reply_begin (&b, w);
        hr_writer_t inner;
        hr_writer_init (&inner);
        for (uint32_t i = 0; i < n; i++) {
            uint64_t id;
            const void *body;
            size_t len;
            ck_assert_int_eq (hr_batch_next_request (r, &id, &body, &len), 0);
            hr_reader_t ir;
            hr_reader_init (&ir, body, len);
            hr_writer_reset (&inner);
            int st = answer (service, &ir, &inner);
            if (st == HR_OK)
                hr_batch_reply_add (&b, id, HR_OK, inner.data, inner.len);
            else
                hr_batch_reply_add (&b, id, (uint8_t) st, "nope", 4);
        }
        hr_batch_end (&b);
        hr_writer_free (&inner);
        return HR_OK;
    }
    if (!strcmp (service, "interactions") && is (method, mlen, "history")) {
        size_t ulen;
        const char *user = hr_get_str (r, &ulen);
        if (is (user, ulen, "slowpoke"))
            slow_here ();
        if (is (user, ulen, "holdme"))
            hold_here ();
        if (is (user, ulen, "vera")) {
            hr_put_u32 (w, 1);
            hr_put_u8 (w, 1);
            hr_put_cstr (w, "P000000043");
            hr_put_i64 (w, hr_now_ms ());
        }
        else if (is (user, ulen, "lonely")) {     /* nothing personal for it; trending held */
            hr_put_u32 (w, 1);
            hr_put_u8 (w, 1);
            hr_put_cstr (w, "P000000027");
            hr_put_i64 (w, hr_now_ms ());
        }
        else if (is (user, ulen, "tortoise")) {   /* trending takes 2/3 of the deadline for it */
            hr_put_u32 (w, 1);
            hr_put_u8 (w, 1);
            hr_put_cstr (w, "P000000029");
            hr_put_i64 (w, hr_now_ms ());
        }
        else if (is (user, ulen, "steady") || is (user, ulen, "twin") || is (user, ulen, "moved")) {
            /*  one history, the same bytes for steady and twin at every
                request; moved has one more click (gw_home_cache.h)        */
            bool more = is (user, ulen, "moved");
            hr_put_u32 (w, more ? 2 : 1);
            hr_put_u8 (w, 1);
            hr_put_cstr (w, "P000000003");
            hr_put_i64 (w, 1700000000000);
            if (more) {
                hr_put_u8 (w, 1);
                hr_put_cstr (w, "P000000004");
                hr_put_i64 (w, 1699999999000);
            }
        }
        else if (is (user, ulen, "alice")) {
            hr_put_u32 (w, 2);
            hr_put_u8 (w, 1);
            hr_put_cstr (w, "P000000001");
            hr_put_i64 (w, hr_now_ms ());
            hr_put_u8 (w, 2);
            hr_put_cstr (w, "shoes \"quoted\"");
            hr_put_i64 (w, 1700000000123);
        }
        else
            hr_put_u32 (w, 0);
        return HR_OK;
    }
    if (!strcmp (service, "interactions") && is (method, mlen, "record")) {
        size_t ulen, vlen;
        const char *user = hr_get_str (r, &ulen);
        uint8_t type = hr_get_u8 (r);
        const char *value = hr_get_str (r, &vlen);
        if (is (user, ulen, "dbdown"))
            return HR_UNAVAILABLE;
        pthread_mutex_lock (&recorded_mutex);
        snprintf (recorded, sizeof recorded, "%.*s|%d|%.*s", (int) ulen, user, type, (int) vlen, value);
        pthread_mutex_unlock (&recorded_mutex);
        return HR_OK;
    }
    if (!strcmp (service, "content") && is (method, mlen, "similar")) {
        late_for_p30 (r);
        size_t plen;
        const char *pid = hr_get_str (r, &plen);
        if (is (pid, plen, "P000000010"))
            LIST (w, HR_STRAT_CONTENT, "", "P000000002");
        else if (is (pid, plen, "P000000040"))
            LIST (w, HR_STRAT_CONTENT, "", "P000000041", "P000000043", "P000000042", "P000000044",
                  "P000000045", "P000000002");
        else
            LIST (w, HR_STRAT_CONTENT, "", "P000000002", "P000000003", "P000000004");
        return HR_OK;
    }
    if (!strcmp (service, "content") && is (method, mlen, "search")) {
        size_t qlen;
        const char *q = hr_get_str (r, &qlen);
        if (is (q, qlen, "nothing"))
            hr_put_u32 (w, 0);
        else if (is (q, qlen, "diapers"))
            LIST (w, HR_STRAT_SEARCH, "", "P000000040", "P000000041", "P000000043", "P000000044",
                  "P000000042", "P000000045", "P000000005");
        else
            LIST (w, HR_STRAT_SEARCH, "", "P000000005", "P000000006");
        return HR_OK;
    }
    if (!strcmp (service, "content") && is (method, mlen, "analyze")) {
        size_t qlen;
        const char *q = hr_get_str (r, &qlen);
        if (is (q, qlen, "garbled"))
            hr_put_cstr (w, "{not json");
        else
            hr_put_cstr (w, "{\"tokens\":[{\"token\":\"shoes\",\"stem\":\"shoe\",\"known\":true}],"
                            "\"clauses\":[[{\"terms\":[\"shoe\"],\"kind\":\"word\",\"weight\":1}]],"
                            "\"constraints\":{\"audience\":[\"women\"],\"brands\":[],\"type\":\"shoe\"},"
                            "\"semantic\":false}");
        return HR_OK;
    }
    if (strcmp (service, "trending") && is (method, mlen, "for_user")) {
        hr_reader_t again = *r;
        if (clicked_first (&again, "P000000003"))
            atomic_fetch_add (&steady_calls, 1);
        again = *r;
        if (clicked_first (&again, "P000000027")) {     /* "lonely": empty lists at once */
            list (w, NULL, 0, HR_STRAT_CONTENT, "");
            if (!strcmp (service, "content"))
                list (w, NULL, 0, HR_STRAT_SEARCH, "");
            return HR_OK;
        }
    }
    if (!strcmp (service, "content") && is (method, mlen, "for_user")) {
        if (clicked_first (r, "P000000043")) {
            LIST (w, HR_STRAT_CONTENT, "P000000043", "P000000041", "P000000040", "P000000044",
                  "P000000007");
            LIST (w, HR_STRAT_SEARCH, "diapers", "P000000042", "P000000045");
            return HR_OK;
        }
        LIST (w, HR_STRAT_CONTENT, "P000000001", "P000000001", "P000000007");
        LIST (w, HR_STRAT_SEARCH, "shoes", "P000000008");
        return HR_OK;
    }
    if (!strcmp (service, "collab") && is (method, mlen, "similar")) {
        late_for_p30 (r);
        LIST (w, HR_STRAT_COLLAB, "", "P000000011", "P000000002");
        return HR_OK;
    }
    if (!strcmp (service, "collab") && is (method, mlen, "for_user")) {
        LIST (w, HR_STRAT_COLLAB, "P000000001", "P000000009", "P000000007");
        if (!atomic_load (&collab_one_list))
            LIST (w, HR_STRAT_SEQRULES, "P000000001", "P000000009");     /* its sequential rules */
        return HR_OK;
    }
    if (!strcmp (service, "rules")) {
        late_for_p30 (r);
        if (is (method, mlen, "for_user"))
            LIST (w, HR_STRAT_RULES, "P000000001", "P000000013");
        else
            LIST (w, HR_STRAT_RULES, "P000000001", "P000000012");
        return HR_OK;
    }
    if (!strcmp (service, "trending") && is (method, mlen, "diverse_pools")) {
        if (!atomic_load (&pools_on))
            return HR_BAD_REQUEST;
        atomic_fetch_add (&pools_calls, 1);
        hr_put_u32 (w, 4);          /* test_catalog's main categories, in its (sorted) order */
        hr_put_cstr (w, "Baby");
        LIST (w, HR_STRAT_DIVERSE, "", "P000000040");
        hr_put_cstr (w, "Electronics");
        LIST (w, HR_STRAT_DIVERSE, "", "P000000001", "P000000003", "P000000005");
        hr_put_cstr (w, "Fashion");
        LIST (w, HR_STRAT_DIVERSE, "", "P000000002", "P000000004");
        hr_put_cstr (w, "Toys");
        LIST (w, HR_STRAT_DIVERSE, "", "P000000045");
        return HR_OK;
    }
    if (!strcmp (service, "trending") && (is (method, mlen, "home") || is (method, mlen, "home_picks"))) {
        atomic_fetch_add (&home_calls, 1);
        hr_get_u32 (r);
        hr_get_u64 (r);
        return is (method, mlen, "home") ? trending_home (r, w) : trending_home_picks (r, w);
    }
    if (!strcmp (service, "trending") && is (method, mlen, "trending")) {
        atomic_fetch_add (&trending_calls, 1);
        LIST (w, HR_STRAT_TRENDING, "", "P000000026", "P000000027");
        return HR_OK;
    }
    return HR_BAD_REQUEST;
}

static void *
fake_main (void *arg)
{
    fake_t *f = arg;
    hr_worker_t *worker = hr_worker_new (broker, f->service);
    hr_writer_t w;
    hr_writer_init (&w);
    while (worker && !atomic_load (&f->stop)) {
        hr_work_t work;
        if (hr_worker_recv (worker, &work, 50) != 1)
            continue;
        hr_reader_t r;
        hr_reader_init (&r, work.body, work.body_len);
        hr_writer_reset (&w);
        int status = answer (f->service, &r, &w);
        if (status == HR_OK)
            hr_worker_reply (worker, HR_OK, w.data, w.len);
        else
            hr_worker_reply (worker, (uint8_t) status, "nope", 4);
    }
    hr_writer_free (&w);
    hr_worker_destroy (&worker);
    return NULL;
}

static void
start_fake (fake_t *f)
{
    atomic_store (&f->stop, false);
    ck_assert_int_eq (pthread_create (&f->tid, NULL, fake_main, f), 0);
}

static void
stop_fake (fake_t *f)
{
    atomic_store (&f->stop, true);
    pthread_join (f->tid, NULL);
}

/* ------------------------------------------------------------ server */

static hr_catalog_t *
test_catalog (void)
{
    hr_catalog_t *c = hr_catalog_new ();
    for (int i = 1; i <= 30; i++) {
        char id[16], name[64];
        snprintf (id, sizeof id, "P%09d", i);
        snprintf (name, sizeof name, "Product \"%d\"", i);
        hr_product_t p = { .name = name, .main_category = i % 2 ? "Electronics" : "Fashion",
                           .sub_category = i % 2 ? "Audio" : "Shoes", .image = "https://img/x.jpg",
                           .link = "https://x", .rating = 4.5, .reviews = i * 10, .price = 100.0,
                           .original_price = 200.0, .discount_ratio = 0.5 };
        memcpy (p.id, id, 11);
        ck_assert_int_eq (hr_catalog_add (c, &p), 0);
    }
    /*  Sizes of one product (40, 41, 42; 43 and 44), and 45 named as 40
        but in another main category: not a variant of it.               */
    static const char *const variants[][2] = {
        { "Huggies Complete Comfort Wonder Pants, Medium (7-12kg) 50 count", "Baby" },
        { "Huggies Complete Comfort Wonder Pants Large (L) Size, 64 count", "Baby" },
        { "Huggies Complete Comfort Wonder Pants Extra Large (XL) Sumo Pack", "Baby" },
        { "Pampers Active Baby Taped Diapers, Small size", "Baby" },
        { "Pampers Active Baby Taped Diapers, Medium size", "Baby" },
        { "Huggies Complete Comfort Wonder Pants, Medium (7-12kg) 50 count", "Toys" },
    };
    for (int i = 0; i < 6; i++) {
        hr_product_t p = { .name = variants[i][0], .main_category = variants[i][1],
                           .sub_category = "Diapers", .image = "https://img/x.jpg", .link = "https://x",
                           .rating = 4.0, .reviews = 5, .price = 10.0, .original_price = 20.0,
                           .discount_ratio = 0.5 };
        char id[16];
        snprintf (id, sizeof id, "P%09d", 40 + i);
        memcpy (p.id, id, 11);
        ck_assert_int_eq (hr_catalog_add (c, &p), 0);
    }
    hr_catalog_freeze (c);
    return c;
}

static void
wait_ready (void)
{
    for (int i = 0; i < 100; i++) {
        hr_http_response_t res;
        if (hr_http_get ("127.0.0.1", port, "/readyz", &res) == 0 && res.status == 200) {
            hr_http_response_free (&res);
            return;
        }
        hr_http_response_free (&res);
        usleep (50000);
    }
    ck_abort_msg ("the gateway never became ready");
}

static void
suite_setup (void)
{
    hr_log_init ("test_gateway", HR_LOG_WARN);
    hr_broker_set_heartbeat (200);
    hr_worker_set_heartbeat (200);
    gw_settings_t s;
    gw_settings_defaults (&s);
    s.port = 0;
    s.threads = 2;
    s.broker_bind = "tcp://127.0.0.1:*";
    s.deadline_ms = DEADLINE_MS;
    s.write_timeout_ms = 2000;
    s.access_log = false;
    s.bench = true;
    s.breaker_threshold = 1000;     /* the breaker has its own unit test */
    s.cors_origins = "http://shop.example, http://other.example";
    s.home_cache_mb = 1;            /* test_home_personal_lists_cached */
    server = gw_server_new (&s, gw_catalog_holder_new_fixed (test_catalog ()));
    ck_assert_ptr_nonnull (server);
    port = gw_server_port (server);
    snprintf (broker, sizeof broker, "%s", gw_server_broker_endpoint (server));
    for (size_t i = 0; i < N_FAKES; i++)
        start_fake (&fakes[i]);
    wait_ready ();

    s.threads = 1;                  /* one loop: its bucket is the whole limit */
    s.embed_broker = false;
    s.broker_endpoint = broker;
    s.api_keys = "k1, secret-two";
    s.metrics_require_key = true;
    s.rate_limit_rps = 2;
    s.rate_limit_burst = 5;
    s.trusted_proxies = 1;          /* each test is its own client by X-Forwarded-For */
    s.max_connections = G_MAX_CONNECTIONS;
    s.req_timeout_ms = G_REQ_TIMEOUT_MS;
    guarded = gw_server_new (&s, gw_catalog_holder_new_fixed (test_catalog ()));
    ck_assert_ptr_nonnull (guarded);
    gport = gw_server_port (guarded);
}

static void
suite_teardown (void)
{
    for (size_t i = 0; i < N_FAKES; i++)
        stop_fake (&fakes[i]);
    gw_server_destroy (&guarded);
    gw_server_destroy (&server);
    hr_metrics_reset ();
}

/* ------------------------------------------------------------ helpers */

static hr_http_response_t
request (const char *method, const char *target, const char *headers, const char *body)
{
    hr_http_t *c = hr_http_new ("127.0.0.1", port);
    hr_http_response_t res;
    int rc = hr_http_request (c, method, target, headers, body, body ? strlen (body) : 0, &res);
    hr_http_destroy (&c);
    ck_assert_msg (rc == 0, "%s %s: no response", method, target);
    return res;
}

static json_t *
json_of (const hr_http_response_t *res)
{
    json_error_t err;
    json_t *j = json_loadb (res->body, res->body_len, 0, &err);
    ck_assert_msg (j != NULL, "not JSON (%s): %.200s", err.text, res->body);
    return j;
}

/*  GET/POST and check the status; returns the parsed JSON (or NULL for an
    empty body).  Error statuses must carry {"error","detail"}.            */
static json_t *
expect (int status, const char *method, const char *target, const char *body)
{
    hr_http_response_t res = request (method, target, NULL, body);
    ck_assert_msg (res.status == status, "%s %s: %d, wanted %d: %.300s", method, target,
                   res.status, status, res.body);
    char rid[64];
    ck_assert_ptr_nonnull (hr_http_header (&res, "x-request-id", rid, sizeof rid));
    json_t *j = res.body_len ? json_of (&res) : NULL;
    if (status >= 400 && !(status == 404 && json_object_get (j, "results"))) {
        ck_assert_ptr_nonnull (json_object_get (j, "error"));
        ck_assert (json_is_string (json_object_get (j, "detail")));
    }
    hr_http_response_free (&res);
    return j;
}

static void
expect_status (int status, const char *method, const char *target, const char *body)
{
    json_t *j = expect (status, method, target, body);
    json_decref (j);
}

static bool
has_id (json_t *array, const char *id)
{
    size_t i;
    json_t *it;
    json_array_foreach (array, i, it)
        if (!strcmp (json_string_value (json_object_get (it, "id")), id))
            return true;
    return false;
}

static bool
degraded_has (json_t *j, const char *svc)
{
    size_t i;
    json_t *it;
    json_array_foreach (json_object_get (j, "degraded"), i, it)
        if (!strcmp (json_string_value (it), svc))
            return true;
    return false;
}

/* ------------------------------------------------------------ tests */

START_TEST (test_ops_and_routing)
{
    json_t *j = expect (200, "GET", "/healthz", NULL);
    ck_assert_str_eq (json_string_value (json_object_get (j, "status")), "ok");
    ck_assert_str_eq (json_string_value (json_object_get (j, "version")), hr_version ());
    json_decref (j);
    j = expect (200, "GET", "/readyz", NULL);
    ck_assert_int_eq (json_integer_value (json_object_get (json_object_get (j, "services"), "content")), 1);
    ck_assert_int_eq (json_integer_value (json_object_get (j, "catalog_products")), 36);
    json_decref (j);
    hr_http_response_t res = request ("GET", "/openapi.yaml", NULL, NULL);
    ck_assert_int_eq (res.status, 200);
    ck_assert_ptr_nonnull (strstr (res.body, "openapi: 3"));
    hr_http_response_free (&res);
    expect_status (404, "GET", "/nope", NULL);
    expect_status (404, "GET", "/recommendations/product/", NULL);
    expect_status (404, "GET", "/recommendations/product/A/B", NULL);
    res = request ("POST", "/recommendations/home?user_id=a", NULL, "");
    ck_assert_int_eq (res.status, 405);
    char allow[64];
    ck_assert_str_eq (hr_http_header (&res, "allow", allow, sizeof allow), "GET");
    hr_http_response_free (&res);
    expect_status (405, "GET", "/api/v1/interactions/interactions", NULL);
    expect_status (405, "DELETE", "/api/v1/interactions/interactions/bob", NULL);
    res = request ("GET", "/bench/fixed?bytes=1000", NULL, NULL);
    ck_assert_int_eq (res.status, 200);
    ck_assert_uint_eq (res.body_len, 1000);
    hr_http_response_free (&res);
    /*  after traffic: the counters are there  */
    res = request ("GET", "/metrics", NULL, NULL);
    ck_assert_int_eq (res.status, 200);
    ck_assert_ptr_nonnull (strstr (res.body, "hr_gateway_requests_total{endpoint=\"healthz\",status=\"200\"}"));
    ck_assert_ptr_nonnull (strstr (res.body, "hr_gateway_fanout_seconds"));
    hr_http_response_free (&res);
}
END_TEST

START_TEST (test_request_id_is_echoed)
{
    hr_http_response_t res = request ("GET", "/healthz", "X-Request-Id: abc-123\r\n", NULL);
    char rid[64];
    ck_assert_str_eq (hr_http_header (&res, "x-request-id", rid, sizeof rid), "abc-123");
    hr_http_response_free (&res);
    res = request ("GET", "/healthz", "X-Request-Id: bad id!\r\n", NULL);
    ck_assert_str_ne (hr_http_header (&res, "x-request-id", rid, sizeof rid), "bad id!");
    hr_http_response_free (&res);
    //  A generated id is "%08x%02x%014llx": process prefix, thread, sequence
    char first[64];
    res = request ("GET", "/healthz", NULL, NULL);
    ck_assert_ptr_nonnull (hr_http_header (&res, "x-request-id", first, sizeof first));
    hr_http_response_free (&res);
    res = request ("GET", "/healthz", NULL, NULL);
    ck_assert_ptr_nonnull (hr_http_header (&res, "x-request-id", rid, sizeof rid));
    hr_http_response_free (&res);
    ck_assert_uint_eq (strlen (first), 24);
    ck_assert_uint_eq (strspn (first, "0123456789abcdef"), 24);
    ck_assert_uint_eq (strspn (rid, "0123456789abcdef"), 24);
    ck_assert (memcmp (first, rid, 8) == 0);            /* one process */
    ck_assert_str_ne (first, rid);                      /* the sequence moved */
}
END_TEST

START_TEST (test_oversized_url_and_headers)
{
    char *target = malloc (10000);
    strcpy (target, "/recommendations/home?user_id=");
    memset (target + strlen (target), 'a', 9000);
    target[9030] = '\0';
    expect_status (414, "GET", target, NULL);
    free (target);
    char *headers = malloc (40000);
    strcpy (headers, "X-Big: ");
    memset (headers + 7, 'b', 33000);
    strcpy (headers + 33007, "\r\n");
    hr_http_response_t res = request ("GET", "/healthz", headers, NULL);
    ck_assert_int_eq (res.status, 431);
    hr_http_response_free (&res);
    free (headers);
}
END_TEST

START_TEST (test_home_validation)
{
    expect_status (422, "GET", "/recommendations/home", NULL);
    expect_status (400, "GET", "/recommendations/home?user_id=", NULL);
    expect_status (400, "GET", "/recommendations/home?user_id=bad_id", NULL);
    expect_status (400, "GET", "/recommendations/home?user_id=%C3%A9t%C3%A9", NULL);
    expect_status (400, "GET", "/recommendations/home?user_id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL);
    expect_status (200, "GET", "/recommendations/home?user_id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL);
    expect_status (422, "GET", "/recommendations/home?user_id=bob&response_limit=abc", NULL);
    expect_status (422, "GET", "/recommendations/home?user_id=bob&response_limit=", NULL);
    expect_status (200, "GET", "/recommendations/home?user_id=bob&response_limit=0", NULL);
    expect_status (200, "GET", "/recommendations/home?user_id=bob&response_limit=100000", NULL);
}
END_TEST

START_TEST (test_home_new_user_shape)
{
    json_t *j = expect (200, "GET", "/recommendations/home?user_id=newbie", NULL);
    ck_assert_uint_eq (json_array_size (json_object_get (j, "personalized")), 0);
    json_t *trending = json_object_get (j, "trending");
    ck_assert_uint_eq (json_array_size (trending), 2);
    json_t *item = json_array_get (trending, 0);
    ck_assert_str_eq (json_string_value (json_object_get (item, "id")), "P000000020");
    ck_assert_str_eq (json_string_value (json_object_get (item, "name")), "Product \"20\"");
    ck_assert_str_eq (json_string_value (json_object_get (item, "category")), "Fashion > Shoes");
    static const char *const fields[] = { "image", "price", "original_price", "rating",
                                          "reviews", "discount_ratio" };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        ck_assert_msg (json_object_get (item, fields[i]), "item lacks %s", fields[i]);
    ck_assert_uint_eq (json_array_size (json_object_get (j, "best_value")), 1);
    json_t *cats = json_object_get (j, "top_categories");
    ck_assert (json_is_object (cats));
    ck_assert_uint_eq (json_array_size (json_object_get (cats, "Electronics")), 1);
    ck_assert_uint_eq (json_array_size (json_object_get (cats, "Fashion")), 1);
    ck_assert_uint_eq (json_array_size (json_object_get (j, "diverse_picks")), 1);
    ck_assert_ptr_null (json_object_get (j, "degraded"));
    json_decref (j);
    j = expect (200, "GET", "/recommendations/home?user_id=newbie&response_limit=1", NULL);
    ck_assert_uint_eq (json_array_size (json_object_get (j, "trending")), 1);
    json_decref (j);
}
END_TEST

/*  The sections a loop rendered are sent again while trending ranks the
    same: trending then answers the picks alone (home_picks), and the page
    is byte for byte the one rendered from the whole answer.              */
START_TEST (test_home_sections_held)
{
    hr_http_response_t first = request ("GET", "/recommendations/home?user_id=newbie", NULL, NULL);
    ck_assert_int_eq (first.status, 200);
    int before = atomic_load (&picks_alone);
    for (int i = 0; i < 64 && atomic_load (&picks_alone) == before; i++) {
        hr_http_response_t again = request ("GET", "/recommendations/home?user_id=newbie", NULL, NULL);
        ck_assert_int_eq (again.status, 200);
        ck_assert_uint_eq (again.body_len, first.body_len);
        ck_assert_msg (!memcmp (again.body, first.body, first.body_len), "%s\n!=\n%s", again.body, first.body);
        hr_http_response_free (&again);
    }
    ck_assert_msg (atomic_load (&picks_alone) > before, "trending never answered the picks alone");
    hr_http_response_free (&first);
}
END_TEST

START_TEST (test_home_existing_user_merge)
{
    json_t *j = expect (200, "GET", "/recommendations/home?user_id=alice", NULL);
    json_t *p = json_object_get (j, "personalized");
    ck_assert_uint_gt (json_array_size (p), 3);
    ck_assert (!has_id (p, "P000000001"));          /* just clicked: excluded */
    ck_assert (has_id (p, "P000000007"));           /* content + collab */
    ck_assert (has_id (p, "P000000008"));           /* search */
    ck_assert (has_id (p, "P000000013"));           /* rules */
    ck_assert (has_id (p, "P000000025"));           /* diverse */
    /*  0.5*0.4 + 0.5*0.4*0.5 (second in collab) beats the rest; search 0.4 next */
    ck_assert_str_eq (json_string_value (json_object_get (json_array_get (p, 0), "id")), "P000000008");
    ck_assert_ptr_null (json_object_get (json_array_get (p, 0), "explain"));
    json_decref (j);

    j = expect (200, "GET", "/recommendations/home?user_id=alice&explain=true", NULL);
    p = json_object_get (j, "personalized");
    json_t *ex = json_object_get (json_array_get (p, 0), "explain");
    ck_assert_ptr_nonnull (ex);
    ck_assert_str_eq (json_string_value (json_object_get (ex, "signal")), "search");
    ck_assert_str_eq (json_string_value (json_object_get (ex, "source")), "shoes");
    ck_assert (json_is_object (json_object_get (ex, "parts")));
    ck_assert_str_eq (json_string_value (json_object_get (json_array_get (p, 0), "id")), "P000000008");
    /*  collab's second list (sequential rules) is a source of its own  */
    bool seen = false;
    for (size_t i = 0; i < json_array_size (p); i++) {
        json_t *it = json_array_get (p, i);
        if (strcmp (json_string_value (json_object_get (it, "id")), "P000000009") != 0)
            continue;
        json_t *parts = json_object_get (json_object_get (it, "explain"), "parts");
        ck_assert (json_number_value (json_object_get (parts, "seqrules")) > 0);
        ck_assert (json_number_value (json_object_get (parts, "collab")) > 0);
        seen = true;
    }
    ck_assert (seen);
    json_decref (j);
}
END_TEST

/*  gw_home_cache.h: a history that did not move is not asked again, and
    its page is the one computed before; the key is the history, not the
    user (twin has steady's bytes); another history (moved: one more
    click) asks the three services again.  */
START_TEST (test_home_personal_lists_cached)
{
    json_t *first = expect (200, "GET", "/recommendations/home?user_id=steady", NULL);
    ck_assert_uint_gt (json_array_size (json_object_get (first, "personalized")), 0);
    int asked = atomic_load (&steady_calls);
    ck_assert_int_eq (asked, 3);                    /* content, collab, rules */
    json_t *again = expect (200, "GET", "/recommendations/home?user_id=steady", NULL);
    json_t *twin = expect (200, "GET", "/recommendations/home?user_id=twin", NULL);
    ck_assert_int_eq (atomic_load (&steady_calls), asked);
    ck_assert (json_equal (first, again));
    ck_assert (json_equal (first, twin));
    hr_http_response_t res = request ("GET", "/recommendations/home?user_id=steady", NULL, NULL);
    char cache[16];
    ck_assert_ptr_nonnull (hr_http_header (&res, "x-cache", cache, sizeof cache));
    ck_assert_str_eq (cache, "hit");
    hr_http_response_free (&res);
    json_decref (expect (200, "GET", "/recommendations/home?user_id=moved", NULL));
    ck_assert_int_eq (atomic_load (&steady_calls), asked + 3);
    json_decref (first);
    json_decref (again);
    json_decref (twin);
}
END_TEST

START_TEST (test_product)
{
    expect_status (400, "GET", "/recommendations/product/b08cf3d7qr", NULL);
    expect_status (400, "GET", "/recommendations/product/SHORT", NULL);
    expect_status (404, "GET", "/recommendations/product/P999999999", NULL);
    expect_status (422, "GET", "/recommendations/product/P000000001?response_limit=x", NULL);
    json_t *j = expect (200, "GET", "/recommendations/product/P000000002", NULL);
    json_t *sim = json_object_get (j, "similar");
    ck_assert (!has_id (sim, "P000000002"));        /* never itself */
    ck_assert (has_id (sim, "P000000003") && has_id (sim, "P000000011") && has_id (sim, "P000000012"));
    ck_assert_uint_eq (json_array_size (sim), 4);   /* 3,4 + 11 + 12; itself (2) dropped */
    json_decref (j);
    j = expect (200, "GET", "/recommendations/product/P000000001?response_limit=1", NULL);
    ck_assert_uint_eq (json_array_size (json_object_get (j, "similar")), 1);
    json_decref (j);
}
END_TEST

START_TEST (test_search)
{
    expect_status (422, "GET", "/recommendations/search", NULL);
    expect_status (400, "GET", "/recommendations/search?query=", NULL);
    expect_status (400, "GET", "/recommendations/search?query=+++", NULL);
    expect_status (400, "GET", "/recommendations/search?query=%FF", NULL);
    char target[400] = "/recommendations/search?query=";
    memset (target + strlen (target), 'x', 256);
    expect_status (400, "GET", target, NULL);
    target[strlen ("/recommendations/search?query=") + 255] = '\0';
    expect_status (200, "GET", target, NULL);
    expect_status (422, "GET", "/recommendations/search?query=shoes&response_limit=1.5", NULL);
    json_t *j = expect (200, "GET", "/recommendations/search?query=shoes", NULL);
    ck_assert_uint_eq (json_array_size (json_object_get (j, "results")), 2);
    ck_assert_ptr_null (json_object_get (j, "fallback_reason"));
    json_decref (j);
    j = expect (404, "GET", "/recommendations/search?query=nothing", NULL);
    ck_assert_str_eq (json_string_value (json_object_get (j, "fallback_reason")), "no_search_matches");
    ck_assert (has_id (json_object_get (j, "results"), "P000000026"));
    ck_assert_ptr_null (json_object_get (j, "query_understanding"));
    json_decref (j);
}
END_TEST

/*  Issue 20: explain=true shows how the query was read (content analyze,
    asked in the same round) next to each result's explain.                 */
START_TEST (test_search_explain_shows_the_reading)
{
    json_t *j = expect (200, "GET", "/recommendations/search?query=shoes+for+women&explain=true", NULL);
    json_t *qu = json_object_get (j, "query_understanding");
    ck_assert_ptr_nonnull (qu);
    json_t *c = json_object_get (qu, "constraints");
    ck_assert_str_eq (json_string_value (json_array_get (json_object_get (c, "audience"), 0)), "women");
    ck_assert_str_eq (json_string_value (json_object_get (c, "type")), "shoe");
    ck_assert_str_eq (json_string_value (json_object_get (json_array_get (json_object_get (qu, "tokens"), 0),
                                                           "token")), "shoes");
    ck_assert_ptr_nonnull (json_object_get (json_array_get (json_object_get (j, "results"), 0), "explain"));
    json_decref (j);
    /*  no match: the reading says why (unknown words), next to the fallback */
    j = expect (404, "GET", "/recommendations/search?query=nothing&explain=true", NULL);
    ck_assert_ptr_nonnull (json_object_get (j, "query_understanding"));
    json_decref (j);
    /*  without explain, or when analyze's answer does not parse: left out */
    j = expect (200, "GET", "/recommendations/search?query=shoes+for+women", NULL);
    ck_assert_ptr_null (json_object_get (j, "query_understanding"));
    json_decref (j);
    j = expect (200, "GET", "/recommendations/search?query=garbled&explain=true", NULL);
    ck_assert_ptr_null (json_object_get (j, "query_understanding"));
    ck_assert_uint_eq (json_array_size (json_object_get (j, "results")), 2);
    json_decref (j);
}
END_TEST

/*  The ids of a list, "," joined, for one readable assertion.  */
static const char *
ids_of (json_t *array, char *buf, size_t cap)
{
    size_t i, n = 0;
    json_t *it;
    buf[0] = 0;
    json_array_foreach (array, i, it)
        n += (size_t) snprintf (buf + n, n < cap ? cap - n : 0, "%s%s", i ? "," : "",
                                json_string_value (json_object_get (it, "id")) + 8);
    return buf;
}

/*  Item 5 of issue 15: one item per group of variants in every list;
    lists are filled from further candidates.                              */
START_TEST (test_variants_are_collapsed_in_every_list)
{
    char buf[256];
    json_t *j = expect (200, "GET", "/recommendations/home?user_id=vera", NULL);
    ck_assert_str_eq (ids_of (json_object_get (j, "trending"), buf, sizeof buf), "40,20,21,44");
    ck_assert_str_eq (ids_of (json_object_get (j, "best_value"), buf, sizeof buf), "41,22");
    ck_assert_str_eq (ids_of (json_object_get (json_object_get (j, "top_categories"), "Baby"), buf,
                              sizeof buf), "42,43");
    ck_assert_str_eq (ids_of (json_object_get (j, "diverse_picks"), buf, sizeof buf), "44,25");
    json_t *p = json_object_get (j, "personalized");
    int huggies = has_id (p, "P000000040") + has_id (p, "P000000041") + has_id (p, "P000000042");
    ck_assert_int_eq (huggies, 1);
    ck_assert (has_id (p, "P000000045") && has_id (p, "P000000044") && has_id (p, "P000000007"));
    ck_assert (!has_id (p, "P000000043"));          /* clicked */
    json_decref (j);
    j = expect (200, "GET", "/recommendations/home?user_id=vera&response_limit=3", NULL);
    ck_assert_str_eq (ids_of (json_object_get (j, "trending"), buf, sizeof buf), "40,20,21");
    ck_assert_uint_eq (json_array_size (json_object_get (j, "personalized")), 3);
    json_decref (j);

    /*  /product: never a variant of the product itself, nor two of one */
    j = expect (200, "GET", "/recommendations/product/P000000040", NULL);
    ck_assert_str_eq (ids_of (json_object_get (j, "similar"), buf, sizeof buf), "43,45,02,11,12");
    json_decref (j);
    j = expect (200, "GET", "/recommendations/search?query=diapers", NULL);
    ck_assert_str_eq (ids_of (json_object_get (j, "results"), buf, sizeof buf), "40,43,45,05");
    json_decref (j);
    j = expect (200, "GET", "/recommendations/search?query=diapers&response_limit=3", NULL);
    ck_assert_str_eq (ids_of (json_object_get (j, "results"), buf, sizeof buf), "40,43,45");
    json_decref (j);
}
END_TEST

START_TEST (test_post_interactions)
{
    const char *url = "/api/v1/interactions/interactions";
    json_t *j = expect (200, "POST", url, "{\"user_id\":\"bob\",\"event_type\":\"product_click\",\"product_id\":\"P000000003\"}");
    ck_assert_ptr_null (j);
    pthread_mutex_lock (&recorded_mutex);
    ck_assert_str_eq (recorded, "bob|1|P000000003");
    pthread_mutex_unlock (&recorded_mutex);
    expect_status (200, "POST", url, "{\"user_id\":\"bob\",\"event_type\":\"search_query\",\"query\":\"  red shoes \"}");
    pthread_mutex_lock (&recorded_mutex);
    ck_assert_str_eq (recorded, "bob|2|red shoes");
    pthread_mutex_unlock (&recorded_mutex);
    expect_status (400, "POST", url, "{\"user_id\":\"bob\",\"event_type\":\"product_click\"}");
    expect_status (400, "POST", url, "{\"user_id\":\"bob\",\"event_type\":\"product_click\",\"product_id\":null}");
    expect_status (400, "POST", url, "{\"user_id\":\"bob\",\"event_type\":\"search_query\"}");
    expect_status (400, "POST", url, "{\"user_id\":\"bob\",\"event_type\":\"search_query\",\"query\":\"   \"}");
    expect_status (422, "POST", url, "{\"user_id\":\"bob\",\"event_type\":\"purchase\",\"product_id\":\"P000000003\"}");
    expect_status (422, "POST", url, "{\"user_id\":\"bob\",\"product_id\":\"P000000003\"}");
    expect_status (422, "POST", url, "{\"event_type\":\"product_click\",\"product_id\":\"P000000003\"}");
    expect_status (422, "POST", url, "{\"user_id\":\"b_ob\",\"event_type\":\"product_click\",\"product_id\":\"P000000003\"}");
    expect_status (422, "POST", url, "{\"user_id\":\"bob\",\"event_type\":\"product_click\",\"product_id\":\"p000000003\"}");
    expect_status (422, "POST", url, "{\"user_id\":\"bob\",\"event_type\":\"product_click\",\"product_id\":42}");
    expect_status (422, "POST", url, "{\"user_id\":7,\"event_type\":\"product_click\",\"product_id\":\"P000000003\"}");
    expect_status (422, "POST", url, "{\"user_id\":\"bob\",\"event_type\":\"product_click\"");
    expect_status (422, "POST", url, "");
    expect_status (422, "POST", url, "[1,2]");
    expect_status (422, "POST", url, "{\"user_id\":\"bob\",\"event_type\":\"search_query\",\"query\":\"\\u0000\"}");
    char big[20000];
    snprintf (big, sizeof big, "{\"user_id\":\"bob\",\"event_type\":\"search_query\",\"query\":\"%0*d\"}", 17000, 0);
    expect_status (413, "POST", url, big);
    char long_query[400];
    snprintf (long_query, sizeof long_query, "{\"user_id\":\"bob\",\"event_type\":\"search_query\",\"query\":\"%0*d\"}", 256, 0);
    expect_status (422, "POST", url, long_query);
    expect_status (503, "POST", url, "{\"user_id\":\"dbdown\",\"event_type\":\"product_click\",\"product_id\":\"P000000003\"}");
}
END_TEST

/*  Issue 17 item 6: a 2 MB POST is over what h2o buffers for a request;
    its 413 comes at the headers, while the client is still sending.  The
    client must be able to read it (the connection used to be reset under
    the client's writes), then the connection closes.                      */
START_TEST (test_huge_body_gets_a_readable_413)
{
    size_t n = 2u << 20;
    char *body = malloc (n);
    ck_assert_ptr_nonnull (body);
    memset (body, 'x', n);
    for (int i = 0; i < 3; i++) {
        hr_http_t *c = hr_http_new ("127.0.0.1", port);
        hr_http_response_t res;
        int rc = hr_http_request (c, "POST", "/api/v1/interactions/interactions",
                                  "Content-Type: application/json\r\n", body, n, &res);
        ck_assert_msg (rc == 0, "no answer to a 2 MB POST (reset while sending?)");
        ck_assert_int_eq (res.status, 413);
        char v[64];
        ck_assert_ptr_nonnull (hr_http_header (&res, "connection", v, sizeof v));
        ck_assert_str_eq (v, "close");
        hr_http_response_free (&res);
        hr_http_destroy (&c);
    }
    free (body);
    /*  and the gateway still serves  */
    expect_status (200, "GET", "/healthz", NULL);
}
END_TEST

/*  No h2c upgrade (HTTP/2 buffering nothing here bounds): HTTP/1.1 answers. */
START_TEST (test_h2c_upgrade_is_not_offered)
{
    static const char req[] =
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
        "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n";
    hr_http_t *c = hr_http_new ("127.0.0.1", port);
    hr_http_response_t res;
    ck_assert_int_eq (hr_http_raw (c, req, sizeof req - 1, &res), 0);
    ck_assert_int_eq (res.status, 200);
    hr_http_response_free (&res);
    hr_http_destroy (&c);
}
END_TEST

START_TEST (test_get_interactions)
{
    json_t *j = expect (200, "GET", "/api/v1/interactions/interactions/alice?days=7", NULL);
    ck_assert_str_eq (json_string_value (json_object_get (j, "user_id")), "alice");
    json_t *list = json_object_get (j, "interactions");
    ck_assert_uint_eq (json_array_size (list), 2);
    json_t *first = json_array_get (list, 0), *second = json_array_get (list, 1);
    ck_assert_str_eq (json_string_value (json_object_get (first, "event_type")), "product_click");
    ck_assert_str_eq (json_string_value (json_object_get (first, "product_id")), "P000000001");
    ck_assert_str_eq (json_string_value (json_object_get (second, "query")), "shoes \"quoted\"");
    ck_assert_str_eq (json_string_value (json_object_get (second, "timestamp")), "2023-11-14T22:13:20.123Z");
    json_decref (j);
    expect_status (400, "GET", "/api/v1/interactions/interactions/alice?days=0", NULL);
    expect_status (400, "GET", "/api/v1/interactions/interactions/alice?days=366", NULL);
    expect_status (400, "GET", "/api/v1/interactions/interactions/alice?days=x", NULL);
    expect_status (400, "GET", "/api/v1/interactions/interactions/al-ice", NULL);
    j = expect (200, "GET", "/api/v1/interactions/interactions/nobody", NULL);
    ck_assert_uint_eq (json_array_size (json_object_get (j, "interactions")), 0);
    json_decref (j);
}
END_TEST

/*  The history of slowpoke does not come until the test lets it: the page
    arrives before that (the deadline ended the wait, not the service),
    degraded, with trending.  No timing is asserted.                      */
START_TEST (test_late_service_degrades_within_deadline)
{
    int before = atomic_load (&slow_done);
    slow_set (true);
    json_t *j = expect (200, "GET", "/recommendations/home?user_id=slowpoke", NULL);
    ck_assert_int_eq (atomic_load (&slow_done), before);    /* still held back */
    slow_set (false);
    ck_assert (degraded_has (j, "interactions"));
    ck_assert_uint_eq (json_array_size (json_object_get (j, "trending")), 2);
    json_decref (j);
    while (atomic_load (&slow_done) == before)              /* the fake is free again */
        usleep (1000);
}
END_TEST

/*  /home's second phase gets what the history left of the deadline, not a
    fixed half: trending answering after 2/3 of it is not degraded.        */
START_TEST (test_second_phase_gets_the_rest_of_the_deadline)
{
    json_t *j = expect (200, "GET", "/recommendations/home?user_id=tortoise", NULL);
    ck_assert_msg (!degraded_has (j, "trending"), "trending degraded");
    ck_assert_uint_eq (json_array_size (json_object_get (j, "trending")), 2);
    json_decref (j);
}
END_TEST

/*  Every service of /product answers after the deadline: the read waits
    for the first answer (the grace) instead of answering 503.            */
START_TEST (test_late_answers_are_waited_for_not_503)
{
    json_t *j = expect (200, "GET", "/recommendations/product/P000000030", NULL);
    ck_assert_uint_gt (json_array_size (json_object_get (j, "similar")), 0);   /* the first to answer */
    json_decref (j);
}
END_TEST

/*  alice's /home until its "degraded" names rules (want) or nothing (!want);
    the broker sees a worker go or come a moment after it does.  Returns
    the last page (the caller asserts on it).                              */
static json_t *
alice_home_until (bool want)
{
    json_t *j = NULL;
    for (int i = 0; i < 400; i++) {
        json_decref (j);
        j = expect (200, "GET", "/recommendations/home?user_id=alice", NULL);
        if (want ? degraded_has (j, "rules") : json_object_get (j, "degraded") == NULL)
            break;
        usleep (50000);
    }
    return j;
}

/*  The status of GET /readyz once it is `want` (a cached "ready" lives up
    to a second), or the last one seen.  */
static int
readyz_until (int want)
{
    int status = -1;
    for (int i = 0; i < 400 && status != want; i++) {
        if (i)
            usleep (50000);
        hr_http_response_t res;
        status = hr_http_get ("127.0.0.1", port, "/readyz", &res) == 0 ? res.status : -1;
        hr_http_response_free (&res);
    }
    return status;
}

/*  A gateway rolled before collab-svc (docs/operations.md, Upgrade) reads
    an older collab's single list: collab serves, seqrules is empty, and
    nothing is degraded.  */
START_TEST (test_home_collab_one_list)
{
    atomic_store (&collab_one_list, true);
    json_t *j = expect (200, "GET", "/recommendations/home?user_id=alice&explain=true", NULL);
    atomic_store (&collab_one_list, false);
    ck_assert_ptr_null (json_object_get (j, "degraded"));
    json_t *p = json_object_get (j, "personalized");
    bool seen = false;
    for (size_t i = 0; i < json_array_size (p); i++) {
        json_t *it = json_array_get (p, i);
        json_t *parts = json_object_get (json_object_get (it, "explain"), "parts");
        ck_assert_ptr_null (json_object_get (parts, "seqrules"));
        if (strcmp (json_string_value (json_object_get (it, "id")), "P000000009") == 0)
            seen = json_number_value (json_object_get (parts, "collab")) > 0;
    }
    ck_assert (seen);
    json_decref (j);
}
END_TEST

START_TEST (test_missing_service_degrades)
{
    stop_fake (&fakes[RULES_FAKE]);         /* DISCONNECT: the broker drops it */
    json_t *j = alice_home_until (true);
    ck_assert (degraded_has (j, "rules"));
    ck_assert (!has_id (json_object_get (j, "personalized"), "P000000013"));
    ck_assert (has_id (json_object_get (j, "personalized"), "P000000007"));
    json_decref (j);
    ck_assert_int_eq (readyz_until (503), 503);
    start_fake (&fakes[RULES_FAKE]);
    j = alice_home_until (false);
    ck_assert_ptr_null (json_object_get (j, "degraded"));
    json_decref (j);
}
END_TEST

START_TEST (test_cors)
{
    hr_http_response_t res = request ("OPTIONS", "/recommendations/home",
        "Origin: http://shop.example\r\nAccess-Control-Request-Method: GET\r\n", NULL);
    ck_assert_int_eq (res.status, 204);
    char v[128];
    ck_assert_str_eq (hr_http_header (&res, "access-control-allow-origin", v, sizeof v), "http://shop.example");
    ck_assert_ptr_nonnull (strstr (hr_http_header (&res, "access-control-allow-methods", v, sizeof v), "GET"));
    hr_http_response_free (&res);
    res = request ("GET", "/healthz", "Origin: http://other.example\r\n", NULL);
    ck_assert_str_eq (hr_http_header (&res, "access-control-allow-origin", v, sizeof v), "http://other.example");
    hr_http_response_free (&res);
    res = request ("GET", "/healthz", "Origin: http://evil.example\r\n", NULL);
    ck_assert_ptr_null (hr_http_header (&res, "access-control-allow-origin", v, sizeof v));
    hr_http_response_free (&res);
    res = request ("OPTIONS", "/recommendations/home",
        "Origin: http://evil.example\r\nAccess-Control-Request-Method: GET\r\n", NULL);
    ck_assert_int_eq (res.status, 405);
    hr_http_response_free (&res);
}
END_TEST

START_TEST (test_keep_alive_many_requests)
{
    hr_http_t *c = hr_http_new ("127.0.0.1", port);
    for (int i = 0; i < 200; i++) {
        hr_http_response_t res;
        const char *t = i % 3 == 0 ? "/recommendations/home?user_id=alice"
                      : i % 3 == 1 ? "/recommendations/product/P000000002"
                                   : "/recommendations/search?query=shoes";
        ck_assert_int_eq (hr_http_request (c, "GET", t, NULL, NULL, 0, &res), 0);
        ck_assert_int_eq (res.status, 200);
        char conn[32];
        ck_assert (!hr_http_header (&res, "connection", conn, sizeof conn) || strcmp (conn, "close"));
        hr_http_response_free (&res);
    }
    hr_http_destroy (&c);
}
END_TEST


/* ------------------------------------------------------------ access control and limits */

static hr_http_response_t
grequest (const char *method, const char *target, const char *headers)
{
    hr_http_t *c = hr_http_new ("127.0.0.1", gport);
    hr_http_response_t res;
    int rc = hr_http_request (c, method, target, headers, NULL, 0, &res);
    hr_http_destroy (&c);
    ck_assert_msg (rc == 0, "%s %s: no response", method, target);
    return res;
}

static void
gexpect (int status, const char *target, const char *headers)
{
    hr_http_response_t res = grequest ("GET", target, headers);
    ck_assert_msg (res.status == status, "GET %s [%s]: %d, wanted %d: %.200s", target, headers,
                   res.status, status, res.body);
    if (status >= 400) {
        json_t *j = json_of (&res);
        ck_assert (json_is_string (json_object_get (j, "error")));
        ck_assert (json_is_string (json_object_get (j, "detail")));
        json_decref (j);
    }
    hr_http_response_free (&res);
}

START_TEST (test_api_keys)
{
    const char *hist = "/api/v1/interactions/interactions/alice";
    hr_http_response_t res = grequest ("GET", hist, "X-Forwarded-For: 10.1.0.1\r\n");
    ck_assert_int_eq (res.status, 401);
    char v[128];
    ck_assert_ptr_nonnull (hr_http_header (&res, "www-authenticate", v, sizeof v));
    ck_assert (strncmp (v, "Bearer", 6) == 0);
    ck_assert_str_eq (hr_http_header (&res, "cache-control", v, sizeof v), "no-store");
    hr_http_response_free (&res);
    gexpect (401, hist, "X-Forwarded-For: 10.1.0.1\r\nAuthorization: Basic azE6eA==\r\n");
    gexpect (403, hist, "X-Forwarded-For: 10.1.0.1\r\nAuthorization: Bearer k2\r\n");
    gexpect (403, hist, "X-Forwarded-For: 10.1.0.2\r\nAuthorization: Bearer k1x\r\n");
    res = grequest ("GET", hist, "X-Forwarded-For: 10.1.0.2\r\nAuthorization: Bearer k1\r\n");
    ck_assert_int_eq (res.status, 200);
    json_t *j = json_of (&res);
    ck_assert_uint_eq (json_array_size (json_object_get (j, "interactions")), 2);
    json_decref (j);
    hr_http_response_free (&res);
    gexpect (200, hist, "X-Forwarded-For: 10.1.0.3\r\nAuthorization: bearer secret-two\r\n");
    /*  erasure and the catalog API need a key too  */
    static const char *const writes[][2] = {
        { "DELETE", "/api/v1/users/alice" }, { "DELETE", "/api/v1/catalog/products/B000000001" },
    };
    for (size_t i = 0; i < 2; i++) {
        res = grequest (writes[i][0], writes[i][1], "X-Forwarded-For: 10.1.0.4\r\n");
        ck_assert_int_eq (res.status, 401);
        hr_http_response_free (&res);
        res = grequest (writes[i][0], writes[i][1], "X-Forwarded-For: 10.1.0.4\r\nAuthorization: Bearer k2\r\n");
        ck_assert_int_eq (res.status, 403);
        hr_http_response_free (&res);
    }
    /*  /metrics with HR_METRICS_REQUIRE_KEY; the shop's endpoints stay open  */
    gexpect (401, "/metrics", NULL);
    gexpect (200, "/metrics", "Authorization: Bearer secret-two\r\n");
    gexpect (200, "/recommendations/home?user_id=alice", "X-Forwarded-For: 10.1.0.3\r\n");
    gexpect (200, "/healthz", NULL);
    /*  keys off (the first gateway): histories are open  */
    expect_status (200, "GET", hist, NULL);
}
END_TEST

/*  How many personalized items of alice's /home?explain=true name a source
    (one of her clicks or queries); asserts every item has an explain.     */
static size_t
explained_sources (const char *headers)
{
    hr_http_response_t res = grequest ("GET", "/recommendations/home?user_id=alice&explain=true", headers);
    ck_assert_int_eq (res.status, 200);
    json_t *j = json_of (&res);
    json_t *p = json_object_get (j, "personalized");
    ck_assert_uint_gt (json_array_size (p), 0);
    size_t i, named = 0;
    json_t *it;
    json_array_foreach (p, i, it) {
        json_t *ex = json_object_get (it, "explain");
        ck_assert (json_is_string (json_object_get (ex, "signal")));
        if (json_object_get (ex, "source"))
            named++;
    }
    json_decref (j);
    hr_http_response_free (&res);
    return named;
}

/*  With a merge model loaded, personalized follows its calibration and
    explain shows each part's calibrated value and weight.                 */
START_TEST (test_home_learned_merge)
{
    hr_merge_model_t *m = hr_merge_model_new ();
    double p[HR_MERGE_MODEL_BUCKETS];
    for (int b = 0; b < HR_MERGE_MODEL_BUCKETS; b++)
        p[b] = 0.5 - 0.1 * (b < 5 ? b : 4);
    ck_assert_int_eq (hr_merge_model_set (m, "collab", 2, p), 0);
    for (int b = 0; b < HR_MERGE_MODEL_BUCKETS; b++)
        p[b] = 0.01;
    ck_assert_int_eq (hr_merge_model_set (m, "content_clicked", 1, p), 0);
    gw_server_use_merge (server, gw_merge_new_fixed (m, 7));
    json_t *j = expect (200, "GET", "/recommendations/home?user_id=alice&explain=true", NULL);
    gw_server_use_merge (server, NULL);
    json_t *items = json_object_get (j, "personalized");
    /*  collab's first (0.5 x 2 x 0.5, and seqrules' first) beats collab's
        second + content (0.5 x 2 x 0.4 + 0.5 x 0.01); rules and seqrules,
        not in the model, get the mean calibration 0.255 (x 0.5) and beat
        search (x 0.4)                                                     */
    json_t *first = json_array_get (items, 0);
    ck_assert_str_eq (json_string_value (json_object_get (first, "id")), "P000000009");
    ck_assert_str_eq (json_string_value (json_object_get (json_array_get (items, 1), "id")), "P000000007");
    ck_assert_str_eq (json_string_value (json_object_get (json_array_get (items, 2), "id")), "P000000013");
    ck_assert_str_eq (json_string_value (json_object_get (json_array_get (items, 3), "id")), "P000000008");
    json_t *ex = json_object_get (first, "explain");
    ck_assert_str_eq (json_string_value (json_object_get (json_object_get (ex, "merge"), "by")), "learned");
    ck_assert_int_eq (json_integer_value (json_object_get (json_object_get (ex, "merge"), "version")), 7);
    json_t *cal = json_object_get (json_object_get (ex, "calibrated"), "collab");
    ck_assert_double_eq_tol (json_number_value (json_object_get (cal, "value")), 0.5, 1e-5);
    ck_assert_double_eq_tol (json_number_value (json_object_get (cal, "weight")), 1.0, 1e-9);
    ck_assert_double_eq_tol (json_number_value (json_object_get (json_object_get (ex, "parts"), "collab")),
                             0.5, 1e-5);
    json_decref (j);
    /*  and without it, the rank merge again: search's first leads  */
    j = expect (200, "GET", "/recommendations/home?user_id=alice&explain=true", NULL);
    first = json_array_get (json_object_get (j, "personalized"), 0);
    ck_assert_str_eq (json_string_value (json_object_get (first, "id")), "P000000008");
    ck_assert_ptr_null (json_object_get (json_object_get (first, "explain"), "calibrated"));
    json_decref (j);
}
END_TEST

START_TEST (test_explain_sources_need_a_key)
{
    /*  /home stays open, but without a key its explanations name none of
        the user's clicks or queries (issue 17, item 1)  */
    ck_assert_uint_eq (explained_sources ("X-Forwarded-For: 10.1.1.1\r\n"), 0);
    ck_assert_uint_eq (explained_sources ("X-Forwarded-For: 10.1.1.2\r\nAuthorization: Bearer wrong\r\n"), 0);
    ck_assert_uint_gt (explained_sources ("X-Forwarded-For: 10.1.1.3\r\nAuthorization: Bearer k1\r\n"), 0);
    /*  keys off (the first gateway): as open as the history itself  */
    json_t *j = expect (200, "GET", "/recommendations/home?user_id=alice&explain=true", NULL);
    json_t *ex = json_object_get (json_array_get (json_object_get (j, "personalized"), 0), "explain");
    ck_assert (json_is_string (json_object_get (ex, "source")));
    json_decref (j);
}
END_TEST

START_TEST (test_rate_limit)
{
    /*  Behind one trusted proxy the client is the hop it appended (the
        rightmost); what the client wrote left of it is not its identity.  */
    const char *me = "X-Forwarded-For: 10.2.0.1, 192.168.0.1\r\n";
    for (int i = 0; i < 5; i++)                     /* the burst */
        gexpect (404, "/nope", me);
    gexpect (429, "/nope", "X-Forwarded-For: 10.9.9.9, 192.168.0.1\r\n");
    gexpect (429, "/nope", "X-Forwarded-For: 10.9.9.8\r\nX-Forwarded-For: 192.168.0.1\r\n");
    /*  /metrics (key guessing) and /readyz (a broker round trip) count too  */
    gexpect (429, "/metrics", "X-Forwarded-For: 10.2.0.1, 192.168.0.1\r\nAuthorization: Bearer guess\r\n");
    gexpect (429, "/readyz", me);
    hr_http_response_t res = grequest ("GET", "/recommendations/product/P000000002", me);
    ck_assert_int_eq (res.status, 429);
    char v[64];
    ck_assert_ptr_nonnull (hr_http_header (&res, "retry-after", v, sizeof v));
    ck_assert_int_ge (atoi (v), 1);
    json_t *j = json_of (&res);
    ck_assert_str_eq (json_string_value (json_object_get (j, "error")), "rate_limited");
    json_decref (j);
    hr_http_response_free (&res);
    /*  others are not affected; probes never limited; tokens come back  */
    gexpect (200, "/recommendations/product/P000000002", "X-Forwarded-For: 192.168.0.1, 10.2.0.2\r\n");
    gexpect (200, "/healthz", me);
    usleep (700000);                                /* 2 tokens/s */
    gexpect (200, "/recommendations/product/P000000002", me);
    gexpect (429, "/recommendations/product/P000000002", me);
    /*  an unparsable X-Forwarded-For falls back to the peer address  */
    gexpect (404, "/nope", "X-Forwarded-For: not-an-address\r\n");
}
END_TEST

static int
dial (int p)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) p) };
    inet_pton (AF_INET, "127.0.0.1", &a.sin_addr);
    ck_assert_int_eq (connect (fd, (struct sockaddr *) &a, sizeof a), 0);
    return fd;
}

/*  Waits up to ms for the peer to close; returns the ms it took, or -1.
    Bytes the server sends first are collected into buf (may be NULL).   */
static long
wait_closed (int fd, int ms, char *buf, size_t cap)
{
    int64_t t0 = hr_now_ms ();
    size_t len = 0;
    while (hr_now_ms () - t0 < ms) {
        struct pollfd pf = { fd, POLLIN, 0 };
        if (poll (&pf, 1, 50) <= 0)
            continue;
        char tmp[1024];
        ssize_t n = recv (fd, tmp, sizeof tmp, 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return (long) (hr_now_ms () - t0);
        if (n > 0 && buf && len + (size_t) n < cap) {
            memcpy (buf + len, tmp, (size_t) n);
            len += (size_t) n;
            buf[len] = '\0';
        }
    }
    return -1;
}

START_TEST (test_slow_and_idle_clients_are_closed)
{
    /*  slowloris: a header line every 200 ms never completes the request  */
    int fd = dial (gport);
    int64_t t0 = hr_now_ms ();
    const char *parts[] = { "GET /healthz HTTP/1.1\r\n", "Host: x\r\n", "X-A: 1\r\n", "X-B: 2\r\n",
                            "X-C: 3\r\n", "X-D: 4\r\n", "X-E: 5\r\n", "X-F: 6\r\n", "X-G: 7\r\n" };
    bool closed = false;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0] && !closed; i++) {
        if (send (fd, parts[i], strlen (parts[i]), MSG_NOSIGNAL) < 0)
            closed = true;
        else
            closed = wait_closed (fd, 200, NULL, 0) >= 0;
    }
    if (!closed)
        closed = wait_closed (fd, 2000, NULL, 0) >= 0;
    int64_t took = hr_now_ms () - t0;
    ck_assert_msg (closed, "a trickling client was not closed");
    ck_assert_msg (took >= G_REQ_TIMEOUT_MS - 100 && took < G_REQ_TIMEOUT_MS + 1000,
                   "closed after %lld ms", (long long) took);
    close (fd);
    /*  idle keep-alive: one answered request, then silence  */
    fd = dial (gport);
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    ck_assert_int_eq (send (fd, req, strlen (req), MSG_NOSIGNAL), (ssize_t) strlen (req));
    char buf[2048] = "";
    long after = wait_closed (fd, G_REQ_TIMEOUT_MS + 1500, buf, sizeof buf);
    ck_assert_ptr_nonnull (strstr (buf, "200 OK"));
    ck_assert_msg (after >= G_REQ_TIMEOUT_MS - 100, "idle connection closed after %ld ms", after);
    close (fd);
}
END_TEST

START_TEST (test_connection_cap)
{
    while (gw_server_connections (guarded) != 0)        /* earlier tests' are gone */
        usleep (1000);
    int held[G_MAX_CONNECTIONS];
    for (int i = 0; i < G_MAX_CONNECTIONS; i++)
        held[i] = dial (gport);
    while (gw_server_connections (guarded) != G_MAX_CONNECTIONS)   /* accepted */
        usleep (1000);
    int extra = dial (gport);
    char buf[2048] = "";
    long took = wait_closed (extra, 2000, buf, sizeof buf);
    ck_assert_msg (took >= 0, "the connection over the cap was not closed");
    ck_assert_ptr_nonnull (strstr (buf, "503"));
    ck_assert_ptr_nonnull (strstr (buf, "too_many_connections"));
    close (extra);
    /*  the held ones still work  */
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    ck_assert_int_eq (send (held[0], req, strlen (req), MSG_NOSIGNAL), (ssize_t) strlen (req));
    memset (buf, 0, sizeof buf);
    ck_assert_int_ge (wait_closed (held[0], 2000, buf, sizeof buf), 0);
    ck_assert_ptr_nonnull (strstr (buf, "200 OK"));
    for (int i = 0; i < G_MAX_CONNECTIONS; i++)
        close (held[i]);
    /*  room again once they are closed  */
    bool ok = false;
    for (int i = 0; i < 20 && !ok; i++) {
        usleep (50000);
        hr_http_response_t res;
        hr_http_t *c = hr_http_new ("127.0.0.1", gport);
        ok = hr_http_request (c, "GET", "/healthz", NULL, NULL, 0, &res) == 0 && res.status == 200;
        hr_http_response_free (&res);
        hr_http_destroy (&c);
    }
    ck_assert (ok);
}
END_TEST

/*  Settings of a one-loop gateway beside the suite's, on its broker.      */
static void
side_settings (gw_settings_t *s, int at)
{
    gw_settings_defaults (s);
    s->port = at;
    s->threads = 1;
    s->embed_broker = false;
    s->broker_endpoint = broker;
    s->access_log = false;
}

typedef struct {
    int port, status;
    pthread_t tid;
} held_req_t;

static void *
held_request (void *arg)
{
    held_req_t *h = arg;
    hr_http_t *c = hr_http_new ("127.0.0.1", h->port);
    hr_http_response_t res;
    h->status = hr_http_request (c, "GET", "/api/v1/interactions/interactions/holdme", NULL,
                                 NULL, 0, &res) == 0 ? res.status : -1;
    hr_http_response_free (&res);
    hr_http_destroy (&c);
    return NULL;
}

static void
wait_inflight (int n)
{
    while (gw_fanout_inflight () != n)
        usleep (1000);
}

/*  One GET of alice's history from the gateway on `at`: its status, and
    whether it carried `Retry-After: 1` and the error "overloaded".        */
static int
capped_get (int at, bool *shed)
{
    hr_http_t *c = hr_http_new ("127.0.0.1", at);
    hr_http_response_t res;
    ck_assert_int_eq (hr_http_request (c, "GET", "/api/v1/interactions/interactions/alice",
                                       NULL, NULL, 0, &res), 0);
    char v[64];
    const char *ra = hr_http_header (&res, "retry-after", v, sizeof v);
    *shed = ra && !strcmp (v, "1") && res.body && strstr (res.body, "\"overloaded\"");
    int status = res.status;
    hr_http_response_free (&res);
    hr_http_destroy (&c);
    return status;
}

/*  Issue 17, item 12: below HR_GATEWAY_MAX_INFLIGHT a request waits for
    the services (no 5xx); past it the gateway sheds on purpose, 503 with
    Retry-After.  Two requests held at a blocked fake worker fill a cap of
    2; every step waits on a condition (the in-flight count, the fake's
    arrivals), never on time: a request's slot is freed when h2o disposes
    of it, which may be after its client has read the answer.            */
/*  A no-match search on the gateway on `at`: 404, the fallback reason and
    trending's first item.  */
static void
search_nothing (int at)
{
    hr_http_t *c = hr_http_new ("127.0.0.1", at);
    hr_http_response_t res;
    ck_assert_int_eq (hr_http_request (c, "GET", "/recommendations/search?query=nothing",
                                       NULL, NULL, 0, &res), 0);
    ck_assert_int_eq (res.status, 404);
    json_t *j = json_of (&res);
    ck_assert_str_eq (json_string_value (json_object_get (j, "fallback_reason")), "no_search_matches");
    ck_assert (has_id (json_object_get (j, "results"), "P000000026"));
    json_decref (j);
    hr_http_response_free (&res);
    hr_http_destroy (&c);
}

/*  Issue 16: while its copy of trending's answer is fresh
    (HR_GATEWAY_SEARCH_FALLBACK_MS), a loop asks content alone and still
    shows the fallback; with 0 it asks trending with every search.        */
START_TEST (test_search_fallback_reused_per_loop)
{
    const int ttls[] = { 600000, 0 };
    for (int k = 0; k < 2; k++) {
        gw_settings_t s;
        side_settings (&s, 0);              /* one loop */
        s.search_fallback_ms = ttls[k];
        gw_server_t *side = gw_server_new (&s, gw_catalog_holder_new_fixed (test_catalog ()));
        ck_assert_ptr_nonnull (side);
        int before = atomic_load (&trending_calls);
        for (int i = 0; i < 4; i++)
            search_nothing (gw_server_port (side));
        int asked = atomic_load (&trending_calls) - before;
        if (ttls[k])
            ck_assert_int_eq (asked, 1);
        else
            ck_assert_int_eq (asked, 4);
        gw_server_destroy (&side);
    }
}
END_TEST

/*  Issue 16: while its loop holds trending's diverse candidates and the
    sections (HR_GATEWAY_DIVERSE_LOCAL_MS), /home draws the diverse picks
    itself and asks trending nothing: drawn from the candidates, never the
    user's click, with the same sections; with 0 every page asks trending
    and candidates are never asked for.                                   */
static json_t *
home_at (int at, const char *user)
{
    hr_http_t *c = hr_http_new ("127.0.0.1", at);
    hr_http_response_t res;
    char target[128];
    snprintf (target, sizeof target, "/recommendations/home?user_id=%s", user);
    ck_assert_int_eq (hr_http_request (c, "GET", target, NULL, NULL, 0, &res), 0);
    ck_assert_int_eq (res.status, 200);
    json_t *j = json_of (&res);
    hr_http_response_free (&res);
    hr_http_destroy (&c);
    return j;
}

START_TEST (test_home_diverse_drawn_per_loop)
{
    atomic_store (&pools_on, true);
    const int ttls[] = { 600000, 0 };
    static const char *const candidates[] = { "P000000001", "P000000005", "P000000002",
                                              "P000000004", "P000000040", "P000000045" };
    for (int k = 0; k < 2; k++) {
        gw_settings_t s;
        side_settings (&s, 0);              /* one loop */
        s.diverse_local_ms = ttls[k];
        gw_server_t *side = gw_server_new (&s, gw_catalog_holder_new_fixed (test_catalog ()));
        ck_assert_ptr_nonnull (side);
        int homes = atomic_load (&home_calls), pools = atomic_load (&pools_calls);
        json_t *first = home_at (gw_server_port (side), "steady");
        for (int i = 0; i < 6; i++) {
            json_t *j = home_at (gw_server_port (side), "steady");
            ck_assert (json_equal (json_object_get (j, "trending"), json_object_get (first, "trending")));
            ck_assert (json_equal (json_object_get (j, "top_categories"),
                                   json_object_get (first, "top_categories")));
            ck_assert_ptr_null (json_object_get (j, "degraded"));
            json_t *picks = json_object_get (j, "diverse_picks");
            if (ttls[k]) {                  /* drawn here: every candidate but the click */
                ck_assert_msg (json_array_size (picks) == 6, "picks %zu, pools asked %d, home asked %d", json_array_size (picks), atomic_load (&pools_calls) - pools, atomic_load (&home_calls) - homes);
                ck_assert (!has_id (picks, "P000000003"));
                for (int c = 0; c < 6; c++)
                    ck_assert_msg (has_id (picks, candidates[c]), "%s not drawn", candidates[c]);
            }
            json_decref (j);
        }
        json_decref (first);
        if (ttls[k]) {
            ck_assert_int_eq (atomic_load (&home_calls) - homes, 1);
            ck_assert_int_eq (atomic_load (&pools_calls) - pools, 1);
        }
        else {
            ck_assert_int_eq (atomic_load (&home_calls) - homes, 7);
            ck_assert_int_eq (atomic_load (&pools_calls) - pools, 0);
        }
        gw_server_destroy (&side);
    }
    atomic_store (&pools_on, false);
}
END_TEST

START_TEST (test_shedding_only_past_the_inflight_cap)
{
    gw_settings_t s;
    side_settings (&s, 0);
    s.deadline_ms = 60000;          /* the held requests wait, they do not time out */
    s.max_inflight = 2;
    gw_server_t *capped = gw_server_new (&s, gw_catalog_holder_new_fixed (test_catalog ()));
    ck_assert_ptr_nonnull (capped);
    int cport = gw_server_port (capped);
    bool shed;
    for (int i = 0; i < 5; i++) {   /* below the cap: served */
        wait_inflight (0);
        ck_assert_int_eq (capped_get (cport, &shed), 200);
    }
    wait_inflight (0);
    atomic_store (&held_arrived, 0);
    hold_set (true);
    held_req_t h[2] = { { .port = cport }, { .port = cport } };
    ck_assert_int_eq (pthread_create (&h[0].tid, NULL, held_request, &h[0]), 0);
    while (atomic_load (&held_arrived) < 1)
        usleep (1000);
    ck_assert_int_eq (pthread_create (&h[1].tid, NULL, held_request, &h[1]), 0);
    wait_inflight (2);              /* both admitted, one blocked at the fake */
    for (int i = 0; i < 3; i++) {   /* at the cap: shed on purpose */
        ck_assert_int_eq (capped_get (cport, &shed), 503);
        ck_assert (shed);
    }
    ck_assert_int_eq (gw_fanout_inflight (), 2);
    hold_set (false);
    for (int i = 0; i < 2; i++) {
        pthread_join (h[i].tid, NULL);
        ck_assert_int_eq (h[i].status, 200);    /* queued, not shed */
    }
    wait_inflight (0);
    ck_assert_int_eq (capped_get (cport, &shed), 200);     /* below again */
    wait_inflight (0);
    gw_server_destroy (&capped);
    /*  The cap is process-wide: give the other gateways theirs back.     */
    side_settings (&s, 0);
    gw_server_t *restore = gw_server_new (&s, gw_catalog_holder_new_fixed (test_catalog ()));
    ck_assert_ptr_nonnull (restore);
    gw_server_destroy (&restore);
}
END_TEST

/*  Issue 17, item 12: a read none of whose services has answered by its
    deadline and grace, a /home whose trending is late (its personal lists
    empty), and a write past its timeout, are held while their
    services are alive, and answered 200 when they answer — not 503.  The
    similarity fakes (for P000000028) and the history fake (for holdme)
    block until the test releases them, which it does only once the
    gateway counts the request as held (or has answered it: the failure
    before this fix, a 503 at deadline + grace).  "Alive" is a silence
    window longer than the test: a CPU-starved service keeps answering
    other calls; here nothing else needs to.  No timing is asserted.      */
typedef struct {
    int port, status;
    const char *target;
    atomic_bool done;
    pthread_t tid;
} bg_req_t;

static void *
bg_request (void *arg)
{
    bg_req_t *b = arg;
    hr_http_t *c = hr_http_new ("127.0.0.1", b->port);
    hr_http_response_t res;
    b->status = hr_http_request (c, "GET", b->target, NULL, NULL, 0, &res) == 0 ? res.status : -1;
    hr_http_response_free (&res);
    hr_http_destroy (&c);
    atomic_store (&b->done, true);
    return NULL;
}

START_TEST (test_alive_services_are_held_not_503)
{
    gw_settings_t s;
    side_settings (&s, 0);
    s.deadline_ms = 20;
    s.grace_ms = 20;
    s.write_timeout_ms = 20;
    s.breaker_silence_ms = 600000;
    gw_server_t *side = gw_server_new (&s, gw_catalog_holder_new_fixed (test_catalog ()));
    ck_assert_ptr_nonnull (side);
    hr_counter_t *held_total = hr_counter ("hr_gateway_held_total", "", NULL);
    static const char *const targets[] = {
        "/recommendations/product/P000000028",          /* a read: content, collab, rules */
        "/api/v1/interactions/interactions/holdme",     /* the write budget */
        /*  Every personal list answers empty at once: without trending the
            page would be empty (was a 503 at the deadline).  */
        "/recommendations/home?user_id=lonely",
    };
    for (int k = 0; k < 3; k++) {
        wait_inflight (0);
        uint64_t before = hr_counter_value (held_total);
        hold_set (true);
        bg_req_t b = { .port = gw_server_port (side), .target = targets[k] };
        atomic_init (&b.done, false);
        ck_assert_int_eq (pthread_create (&b.tid, NULL, bg_request, &b), 0);
        while (!atomic_load (&b.done) && hr_counter_value (held_total) == before)
            usleep (1000);
        hold_set (false);
        pthread_join (b.tid, NULL);
        ck_assert_msg (b.status == 200, "%s answered %d while its services were alive", targets[k], b.status);
    }
    ck_assert_uint_eq (hr_counter_value (hr_counter ("hr_gateway_held_answered_total", "", NULL)), 3);
    ck_assert_uint_eq (hr_counter_value (hr_counter ("hr_gateway_held_given_up_total", "", NULL)), 0);
    wait_inflight (0);
    gw_server_destroy (&side);
}
END_TEST

/*  Issue 17, item 11: a second gateway on a port another one serves does
    not start (SO_REUSEPORT would have let it share the port silently).    */
START_TEST (test_port_in_use_is_refused)
{
    gw_settings_t s;
    side_settings (&s, port);
    gw_server_t *second = gw_server_new (&s, gw_catalog_holder_new_fixed (test_catalog ()));
    ck_assert_ptr_null (second);
    expect_status (200, "GET", "/healthz", NULL);   /* the first one is unharmed */
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("gateway");
    TCase *tc = tcase_create ("http");
    tcase_set_timeout (tc, 60);
    tcase_add_unchecked_fixture (tc, suite_setup, suite_teardown);
    tcase_add_test (tc, test_ops_and_routing);
    tcase_add_test (tc, test_request_id_is_echoed);
    tcase_add_test (tc, test_oversized_url_and_headers);
    tcase_add_test (tc, test_home_validation);
    tcase_add_test (tc, test_home_new_user_shape);
    tcase_add_test (tc, test_home_sections_held);
    tcase_add_test (tc, test_home_existing_user_merge);
    tcase_add_test (tc, test_home_personal_lists_cached);
    tcase_add_test (tc, test_product);
    tcase_add_test (tc, test_search);
    tcase_add_test (tc, test_variants_are_collapsed_in_every_list);
    tcase_add_test (tc, test_post_interactions);
    tcase_add_test (tc, test_huge_body_gets_a_readable_413);
    tcase_add_test (tc, test_h2c_upgrade_is_not_offered);
    tcase_add_test (tc, test_get_interactions);
    tcase_add_test (tc, test_late_service_degrades_within_deadline);
    tcase_add_test (tc, test_second_phase_gets_the_rest_of_the_deadline);
    tcase_add_test (tc, test_late_answers_are_waited_for_not_503);
    tcase_add_test (tc, test_home_collab_one_list);
    tcase_add_test (tc, test_missing_service_degrades);
    tcase_add_test (tc, test_cors);
    tcase_add_test (tc, test_keep_alive_many_requests);
    tcase_add_test (tc, test_api_keys);
    tcase_add_test (tc, test_explain_sources_need_a_key);
    tcase_add_test (tc, test_search_explain_shows_the_reading);
    tcase_add_test (tc, test_home_learned_merge);
    tcase_add_test (tc, test_rate_limit);
    tcase_add_test (tc, test_slow_and_idle_clients_are_closed);
    tcase_add_test (tc, test_connection_cap);
    tcase_add_test (tc, test_port_in_use_is_refused);
    tcase_add_test (tc, test_shedding_only_past_the_inflight_cap);
    tcase_add_test (tc, test_search_fallback_reused_per_loop);
    tcase_add_test (tc, test_home_diverse_drawn_per_loop);
    tcase_add_test (tc, test_alive_services_are_held_not_503);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);    /* ZMQ contexts do not survive fork */
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
