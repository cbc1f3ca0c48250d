/*  hr_service in-process with a tiny echo definition, behind a real broker:
    method dispatch, error messages, malformed bodies, metrics, ticks,
    batches (inner errors, malformed batches, the handle_batch hook),
    graceful destroy with a request in flight, and hr_service_main's
    --help / configuration-error exits.                                    */
#include "hr_batch.h"
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_service.h"
#include "hr_worker.h"
#include "hr_test.h"

#include <stdatomic.h>
#include <string.h>

typedef struct {
    atomic_int ticks;
    atomic_bool slow_started;
} echo_state_t;

static int
echo_handle (void *state_, const char *method, size_t method_len, hr_reader_t *args,
             hr_writer_t *reply, hr_call_t *call)
{
    echo_state_t *state = (echo_state_t *) state_;
    if (method_len == 4 && memcmp (method, "echo", 4) == 0) {
        size_t len;
        const char *text = hr_get_str (args, &len);
        if (!hr_reader_done (args))
            return hr_service_error (call, HR_BAD_REQUEST, "echo: expected one str");
        hr_put_str (reply, text, len);
        return HR_OK;
    }
    if (method_len == 4 && memcmp (method, "fail", 4) == 0) {
        hr_put_cstr (reply, "this must not reach the caller");
        return hr_service_error (call, HR_NOT_FOUND, "no such thing %d", 42);
    }
    if (method_len == 4 && memcmp (method, "slow", 4) == 0) {
        atomic_store (&state->slow_started, true);
        test_sleep_ms (700);
        hr_put_cstr (reply, "done");
        return HR_OK;
    }
    return hr_service_error (call, HR_BAD_REQUEST, "unknown method '%.*s'", (int) method_len,
                             method);
}

static void
echo_tick (void *state_)
{
    atomic_fetch_add (&((echo_state_t *) state_)->ticks, 1);
}

static void *
echo_init (hr_config_t *cfg)
{
    (void) cfg;
    return NULL;    /* never reached in these tests */
}

static const hr_service_def_t echo_def = {
    .name = "echotest",
    .init = echo_init,
    .handle = echo_handle,
    .tick = echo_tick,
    .tick_ms = 20,
};

/*  Calls `method` with an optional str argument; returns the status and the
    reply body as text in out.                                              */
static int
call (hr_client_t *c, const char *method, const char *arg, char *out, size_t outcap)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_cstr (&w, method);
    if (arg)
        hr_put_cstr (&w, arg);
    void *body;
    size_t len;
    int status = hr_client_call (c, echo_def.name, w.data, w.len, 3000, &body, &len);
    hr_writer_free (&w);
    size_t n = len < outcap - 1 ? len : outcap - 1;
    if (body)
        memcpy (out, body, n);
    out[n] = 0;
    free (body);
    return status;
}

START_TEST (test_dispatch_and_errors)
{
    hr_broker_t *b = hr_broker_new ("tcp://127.0.0.1:*");
    ck_assert_ptr_nonnull (b);
    echo_state_t state = { 0 };
    hr_service_t *svc = hr_service_new (&echo_def, &state, hr_broker_endpoint (b), 2);
    ck_assert_ptr_nonnull (svc);
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    test_wait_workers (c, echo_def.name, 2);

    char out[256];
    ck_assert_int_eq (call (c, "echo", "hi there", out, sizeof out), HR_OK);
    ck_assert_str_eq (out + 4, "hi there");    /* after the str length */

    ck_assert_int_eq (call (c, "fail", NULL, out, sizeof out), HR_NOT_FOUND);
    ck_assert_str_eq (out, "no such thing 42");

    ck_assert_int_eq (call (c, "nope", NULL, out, sizeof out), HR_BAD_REQUEST);
    ck_assert_str_eq (out, "unknown method 'nope'");

    ck_assert_int_eq (call (c, "echo", NULL, out, sizeof out), HR_BAD_REQUEST);
    ck_assert_str_eq (out, "echo: expected one str");

    /*  Bodies without a method: empty, and a length running past the end. */
    void *body;
    size_t len;
    ck_assert_int_eq (hr_client_call (c, echo_def.name, NULL, 0, 3000, &body, &len),
                      HR_BAD_REQUEST);
    ck_assert (body && len > 0 && memmem (body, len, "no method", 9));
    free (body);
    const uint8_t truncated[] = { 100, 0, 0, 0, 'e', 'c' };
    ck_assert_int_eq (hr_client_call (c, echo_def.name, truncated, sizeof truncated, 3000,
                                      &body, &len),
                      HR_BAD_REQUEST);
    free (body);

    /*  Still serving; the tick thread ran; the metrics carry the calls.   */
    ck_assert_int_eq (call (c, "echo", "again", out, sizeof out), HR_OK);
    long long until = test_mono_ms () + 2000;    /* tick_ms is 20 */
    while (atomic_load (&state.ticks) < 2 && test_mono_ms () < until)
        test_sleep_ms (5);
    ck_assert_int_ge (atomic_load (&state.ticks), 2);
    size_t mlen;
    char *metrics = hr_metrics_render (&mlen);
    ck_assert_ptr_nonnull (metrics);
    ck_assert_msg (strstr (metrics, "service=\"echotest\",method=\"echo\",status=\"ok\"} 2"),
                   "%s", metrics);
    ck_assert (strstr (metrics, "service=\"echotest\",method=\"fail\",status=\"not_found\"} 1"));
    ck_assert (strstr (metrics, "method=\"invalid\",status=\"bad_request\"} 2"));
    ck_assert (strstr (metrics, "hr_request_seconds"));
    free (metrics);

    hr_client_destroy (&c);
    hr_service_destroy (&svc);
    ck_assert_ptr_null (svc);
    hr_broker_destroy (&b);
}
END_TEST

/*  One decoded batch reply item.  */
typedef struct {
    uint64_t id;
    uint8_t status;
    char text[128];             /* the body as text (after a str length when OK) */
} batch_out_t;

/*  Sends a batch of `n` raw inner bodies; returns the batch's own status and
    fills out[] from the reply (n items expected).                         */
static int
call_batch (hr_client_t *c, const char *service, hr_writer_t *inner, int n, batch_out_t *out)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_batch_writer_t bw;
    hr_batch_request_begin (&bw, &w);
    for (int i = 0; i < n; i++)
        hr_batch_request_add (&bw, 1000 + (uint64_t) i, inner[i].data, inner[i].len);
    hr_batch_end (&bw);
    void *body;
    size_t len;
    int status = hr_client_call (c, service, w.data, w.len, 3000, &body, &len);
    hr_writer_free (&w);
    if (status == HR_OK) {
        hr_reader_t r;
        hr_reader_init (&r, body, len);
        ck_assert_uint_eq (hr_batch_count (&r), (uint32_t) n);
        for (int i = 0; i < n; i++) {
            const void *item;
            size_t item_len;
            ck_assert_int_eq (hr_batch_next_reply (&r, &out[i].id, &out[i].status, &item,
                                                   &item_len), 0);
            size_t skip = out[i].status == HR_OK && item_len >= 4 ? 4 : 0;
            snprintf (out[i].text, sizeof out[i].text, "%.*s", (int) (item_len - skip),
                      (const char *) item + skip);
        }
        ck_assert (hr_reader_done (&r));
    }
    free (body);
    return status;
}

static void
inner_request (hr_writer_t *w, const char *method, const char *arg)
{
    hr_writer_init (w);
    if (method)
        hr_put_cstr (w, method);
    if (arg)
        hr_put_cstr (w, arg);
}

static int
s_method_a (void *state, const void *model, const hr_proto_req_t *req, hr_writer_t *reply,
            hr_call_t *call)
{
    (void) req;
    (void) call;
    *(int *) state += 1;
    hr_put_cstr (reply, model);
    return HR_OK;
}

static int
s_method_b (void *state, const void *model, const hr_proto_req_t *req, hr_writer_t *reply,
            hr_call_t *call)
{
    (void) state;
    (void) model;
    (void) req;
    (void) reply;
    return hr_service_error (call, HR_NOT_FOUND, "b ran");
}

/*  hr_service_dispatch: the named handler runs with the state and model it
    is given; an unknown method is a BAD_REQUEST naming the service.       */
START_TEST (test_method_table)
{
    static const hr_method_t methods[] = {
        { "a", HR_REQ_RAW, s_method_a },
        { "bb", HR_REQ_RAW, s_method_b },
        { "p", HR_REQ_PRODUCT, s_method_b },
        { NULL, HR_REQ_RAW, NULL },
    };
    char err[128] = "";
    hr_call_t call = { .errbuf = err, .errcap = sizeof err };
    hr_writer_t reply;
    hr_writer_init (&reply);
    hr_reader_t args;
    hr_reader_init (&args, "", 0);
    int calls = 0;
    ck_assert_int_eq (hr_service_dispatch ("svc", methods, &calls, "model", "a", 1, &args, &reply,
                                           &call), HR_OK);
    ck_assert_int_eq (calls, 1);
    hr_reader_t r;
    hr_reader_init (&r, reply.data, reply.len);
    size_t len;
    const char *text = hr_get_str (&r, &len);
    ck_assert (text && len == 5 && memcmp (text, "model", 5) == 0);
    ck_assert_int_eq (hr_service_dispatch ("svc", methods, &calls, NULL, "bb", 2, &args, &reply,
                                           &call), HR_NOT_FOUND);
    ck_assert_str_eq (err, "b ran");
    /*  a prefix or an extension of a name is not that name */
    ck_assert_int_eq (hr_service_dispatch ("svc", methods, &calls, NULL, "b", 1, &args, &reply,
                                           &call), HR_BAD_REQUEST);
    ck_assert_str_eq (err, "svc: unknown method 'b'");
    ck_assert_int_eq (hr_service_dispatch ("svc", methods, &calls, NULL, "ab", 2, &args, &reply,
                                           &call), HR_BAD_REQUEST);
    ck_assert_str_eq (err, "svc: unknown method 'ab'");
    /*  arguments that do not decode as the method's kind never reach it */
    ck_assert_int_eq (hr_service_dispatch ("svc", methods, &calls, NULL, "p", 1, &args, &reply,
                                           &call), HR_BAD_REQUEST);
    ck_assert_str_eq (err, "p: expected str product_id, u32 limit");
    hr_writer_t good;
    hr_writer_init (&good);
    hr_put_cstr (&good, "P000000001");
    hr_put_u32 (&good, 5);
    hr_reader_init (&args, good.data, good.len);
    ck_assert_int_eq (hr_service_dispatch ("svc", methods, &calls, NULL, "p", 1, &args, &reply,
                                           &call), HR_NOT_FOUND);
    ck_assert_str_eq (err, "b ran");
    hr_writer_free (&good);
    ck_assert_int_eq (calls, 1);
    hr_writer_free (&reply);
}
END_TEST

static hr_snapshot_t *
s_take (void *state)
{
    return hr_swap_acquire (state);
}

static int
s_method_model (void *state, const void *model, const hr_proto_req_t *req, hr_writer_t *reply,
                hr_call_t *call)
{
    (void) state;
    (void) req;
    (void) call;
    hr_put_cstr (reply, model);
    return HR_OK;
}

/*  hr_service_handle on a table-driven definition: without a model, the
    no_model answer (UNAVAILABLE naming the service) and no handler runs;
    with one, the handler sees the data of the snapshot take() returned.  */
START_TEST (test_handle_table)
{
    static const hr_method_t methods[] = {
        { "m", HR_REQ_RAW, s_method_model },
        { NULL, HR_REQ_RAW, NULL },
    };
    hr_service_def_t def = { .name = "svc", .methods = methods, .take = s_take,
                             .no_model = "nothing loaded" };
    hr_swap_t *swap = hr_swap_new (NULL);
    ck_assert_ptr_nonnull (swap);
    char err[128] = "";
    hr_call_t call = { .errbuf = err, .errcap = sizeof err };
    hr_writer_t reply;
    hr_writer_init (&reply);
    hr_reader_t args;
    hr_reader_init (&args, "", 0);
    ck_assert_int_eq (hr_service_handle (&def, swap, "m", 1, &args, &reply, &call),
                      HR_UNAVAILABLE);
    ck_assert_str_eq (err, "svc: nothing loaded");
    ck_assert_uint_eq (reply.len, 0);
    static char model[] = "model-1";
    ck_assert_int_eq (hr_swap_install (swap, model, 1), 0);
    ck_assert_int_eq (hr_service_handle (&def, swap, "m", 1, &args, &reply, &call), HR_OK);
    hr_reader_t r;
    hr_reader_init (&r, reply.data, reply.len);
    size_t len;
    const char *text = hr_get_str (&r, &len);
    ck_assert (text && len == 7 && memcmp (text, "model-1", 7) == 0);
    hr_writer_free (&reply);
    hr_swap_destroy (&swap);
}
END_TEST

START_TEST (test_batch)
{
    hr_broker_t *b = hr_broker_new ("tcp://127.0.0.1:*");
    echo_state_t state = { 0 };
    hr_service_t *svc = hr_service_new (&echo_def, &state, hr_broker_endpoint (b), 1);
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    test_wait_workers (c, echo_def.name, 1);

    /*  Every inner request gets its own answer, in order, with its id.    */
    hr_writer_t inner[6];
    inner_request (&inner[0], "echo", "first");
    inner_request (&inner[1], "fail", NULL);
    inner_request (&inner[2], "nope", NULL);
    inner_request (&inner[3], NULL, NULL);            /* no method at all */
    inner_request (&inner[4], HR_BATCH_METHOD, NULL); /* nested batch */
    inner_request (&inner[5], "echo", "last");
    batch_out_t out[6];
    ck_assert_int_eq (call_batch (c, echo_def.name, inner, 6, out), HR_OK);
    const uint8_t want_status[6] = { HR_OK, HR_NOT_FOUND, HR_BAD_REQUEST, HR_BAD_REQUEST,
                                     HR_BAD_REQUEST, HR_OK };
    const char *want_text[6] = { "first", "no such thing 42", "unknown method 'nope'",
                                 "malformed request body: no method name",
                                 "a batch may not contain a batch", "last" };
    for (int i = 0; i < 6; i++) {
        ck_assert_uint_eq (out[i].id, 1000 + (uint64_t) i);
        ck_assert_int_eq (out[i].status, want_status[i]);
        ck_assert_str_eq (out[i].text, want_text[i]);
        hr_writer_free (&inner[i]);
    }

    /*  Malformed batches are refused whole, and the service goes on.      */
    const uint8_t zero[] = { 5, 0, 0, 0, 'b', 'a', 't', 'c', 'h', 0, 0, 0, 0 };
    const uint8_t too_many[] = { 5, 0, 0, 0, 'b', 'a', 't', 'c', 'h', 0x2c, 0x01, 0, 0 };
    const uint8_t truncated[] = { 5, 0, 0, 0, 'b', 'a', 't', 'c', 'h', 1, 0, 0, 0,
                                  1, 2, 3, 4, 5, 6, 7, 8, 50, 0, 0, 0, 'x' };
    const uint8_t *bad[] = { zero, too_many, truncated };
    const size_t bad_len[] = { sizeof zero, sizeof too_many, sizeof truncated };
    for (int i = 0; i < 3; i++) {
        void *body;
        size_t len;
        ck_assert_int_eq (hr_client_call (c, echo_def.name, bad[i], bad_len[i], 3000, &body,
                                          &len), HR_BAD_REQUEST);
        ck_assert (body && memmem (body, len, "malformed batch", 15));
        free (body);
    }
    char text[64];
    ck_assert_int_eq (call (c, "echo", "still here", text, sizeof text), HR_OK);

    /*  Inner requests count under their own method.                       */
    size_t mlen;
    char *metrics = hr_metrics_render (&mlen);
    ck_assert_msg (strstr (metrics, "service=\"echotest\",method=\"batch\",status=\"ok\"} 1"),
                   "%s", metrics);
    free (metrics);

    hr_client_destroy (&c);
    hr_service_destroy (&svc);
    hr_broker_destroy (&b);
}
END_TEST

/*  handle_batch sees every inner request at once; it answers the pending
    ones with the batch size and must leave the pre-rejected ones alone.   */
static void
echo_handle_batch (void *state, hr_batch_item_t *items, int n)
{
    (void) state;
    for (int i = 0; i < n; i++) {
        if (items[i].status != HR_BATCH_PENDING)
            continue;
        char text[32];
        snprintf (text, sizeof text, "%.*s of %d", (int) items[i].method_len, items[i].method, n);
        hr_put_cstr (items[i].reply, text);
        items[i].status = HR_OK;
    }
}

static const hr_service_def_t batch_def = {
    .name = "batchtest",
    .init = echo_init,
    .handle = echo_handle,
    .handle_batch = echo_handle_batch,
};

START_TEST (test_handle_batch_hook)
{
    hr_broker_t *b = hr_broker_new ("tcp://127.0.0.1:*");
    hr_service_t *svc = hr_service_new (&batch_def, NULL, hr_broker_endpoint (b), 1);
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    test_wait_workers (c, batch_def.name, 1);
    hr_writer_t inner[3];
    inner_request (&inner[0], "alpha", NULL);
    inner_request (&inner[1], HR_BATCH_METHOD, NULL);
    inner_request (&inner[2], "gamma", NULL);
    batch_out_t out[3];
    ck_assert_int_eq (call_batch (c, batch_def.name, inner, 3, out), HR_OK);
    ck_assert_int_eq (out[0].status, HR_OK);
    ck_assert_str_eq (out[0].text, "alpha of 3");
    ck_assert_int_eq (out[1].status, HR_BAD_REQUEST);
    ck_assert_str_eq (out[2].text, "gamma of 3");
    for (int i = 0; i < 3; i++)
        hr_writer_free (&inner[i]);
    hr_client_destroy (&c);
    hr_service_destroy (&svc);
    hr_broker_destroy (&b);
}
END_TEST

START_TEST (test_graceful_destroy)
{
    hr_broker_t *b = hr_broker_new ("tcp://127.0.0.1:*");
    echo_state_t state = { 0 };
    hr_service_t *svc = hr_service_new (&echo_def, &state, hr_broker_endpoint (b), 1);
    hr_client_t *c = hr_client_new (hr_broker_endpoint (b));
    test_wait_workers (c, echo_def.name, 1);

    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_cstr (&w, "slow");
    ck_assert_int_eq (hr_client_send (c, echo_def.name, 77, hr_now_ms () + 5000, w.data, w.len),
                      0);
    hr_writer_free (&w);
    long long until = test_mono_ms () + 3000;
    while (!atomic_load (&state.slow_started) && test_mono_ms () < until)
        test_sleep_ms (5);
    ck_assert (atomic_load (&state.slow_started));

    hr_service_destroy (&svc);    /* returns after the slow request */

    hr_reply_t reply;
    int got = 0;
    until = test_mono_ms () + 3000;
    while (got == 0 && test_mono_ms () < until) {
        got = hr_client_recv (c, &reply);
        if (got == 0)
            test_sleep_ms (5);
    }
    ck_assert_int_eq (got, 1);
    ck_assert_uint_eq (reply.request_id, 77);
    ck_assert_int_eq (reply.status, HR_OK);
    ck_assert_uint_eq (reply.body_len, 8);
    ck_assert (memcmp ((char *) reply.body + 4, "done", 4) == 0);
    test_wait_workers (c, echo_def.name, 0);    /* DISCONNECT, not liveness */

    hr_client_destroy (&c);
    hr_broker_destroy (&b);
}
END_TEST

START_TEST (test_main_help_and_config_error)
{
    char prog[] = "echotest-svc", help[] = "--help", bogus[] = "--bogus";
    char *help_argv[] = { prog, help, NULL };
    ck_assert_int_eq (hr_service_main (2, help_argv, &echo_def), 0);
    char *bogus_argv[] = { prog, bogus, NULL };
    ck_assert_int_eq (hr_service_main (2, bogus_argv, &echo_def), 2);

    setenv ("HR_WORKER_THREADS", "0", 1);    /* below its minimum */
    char *argv[] = { prog, NULL };
    ck_assert_int_eq (hr_service_main (1, argv, &echo_def), 2);
    unsetenv ("HR_WORKER_THREADS");
}
END_TEST

int
main (void)
{
    hr_log_init ("test_service", HR_LOG_WARN);
    hr_broker_set_heartbeat (100);
    hr_worker_set_heartbeat (100);
    Suite *s = suite_create ("service");
    TCase *tc = tcase_create ("service");
    tcase_set_timeout (tc, 30);
    tcase_add_test (tc, test_dispatch_and_errors);
    tcase_add_test (tc, test_method_table);
    tcase_add_test (tc, test_handle_table);
    tcase_add_test (tc, test_batch);
    tcase_add_test (tc, test_handle_batch_hook);
    tcase_add_test (tc, test_graceful_destroy);
    tcase_add_test (tc, test_main_help_and_config_error);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    hr_metrics_reset ();
    return failed ? 1 : 0;
}
