/*  CURVE between broker, workers and clients (hr_curve), on real sockets
    over tcp://127.0.0.1 with certificates made in a temporary directory.
    Skips (and passes) when libzmq has no CURVE.                          */
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_config.h"
#include "hr_curve.h"
#include "hr_log.h"
#include "hr_status.h"
#include "hr_wire.h"
#include "hr_worker.h"
#include "hr_test.h"

#include <czmq.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define TEST_HEARTBEAT_MS 100
#define REFUSED_WAIT_MS 700

static char s_dir[256];
static char s_allowed[300];     /* clients dir: worker + client public certs */
static char s_path[8][320];
enum { BROKER_PUB, BROKER_SEC, WORKER_SEC, CLIENT_SEC, STRANGER_SEC, WORKER_PUB };

/* ------------------------------------------------------ certificates */

static void
make_cert (const char *name, char *public_out, char *secret_out, const char *also_in)
{
    zcert_t *cert = zcert_new ();
    ck_assert_ptr_nonnull (cert);
    char pub[300];
    snprintf (pub, sizeof pub, "%s/%.30s", s_dir, name);
    ck_assert_int_eq (zcert_save (cert, pub), 0);    /* NAME and NAME_secret */
    if (public_out)
        snprintf (public_out, 320, "%s", pub);
    if (secret_out)
        snprintf (secret_out, 320, "%s_secret", pub);
    if (also_in) {
        char copy[400];
        snprintf (copy, sizeof copy, "%s/%s", also_in, name);
        ck_assert_int_eq (zcert_save_public (cert, copy), 0);
    }
    zcert_destroy (&cert);
}

static void
make_certs (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/hr_curve_XXXXXX");
    ck_assert_ptr_nonnull (mkdtemp (s_dir));
    snprintf (s_allowed, sizeof s_allowed, "%s/allowed", s_dir);
    ck_assert_int_eq (zsys_dir_create ("%s", s_allowed), 0);
    make_cert ("broker", s_path[BROKER_PUB], s_path[BROKER_SEC], NULL);
    make_cert ("worker", s_path[WORKER_PUB], s_path[WORKER_SEC], s_allowed);
    make_cert ("client", NULL, s_path[CLIENT_SEC], s_allowed);
    make_cert ("stranger", NULL, s_path[STRANGER_SEC], NULL);
}

static void
remove_certs (void)
{
    zdir_t *dir = zdir_new (s_dir, NULL);
    if (dir) {
        zdir_remove (dir, true);
        zdir_destroy (&dir);
    }
}

/* ------------------------------------------------------ echo worker */

typedef struct {
    char endpoint[256];
    atomic_bool stop;
    atomic_bool created;
    pthread_t thread;
} echo_t;

static void *
echo_main (void *arg)
{
    echo_t *e = (echo_t *) arg;
    hr_worker_t *w = hr_worker_new (e->endpoint, "echo");
    atomic_store (&e->created, true);
    if (!w)
        return NULL;
    while (!atomic_load (&e->stop)) {
        hr_work_t work;
        if (hr_worker_recv (w, &work, 50) == 1)
            hr_worker_reply (w, HR_OK, work.body, work.body_len);
    }
    hr_worker_destroy (&w);
    return NULL;
}

/*  Starts a worker with the client settings in force now; returns once the
    worker has taken its copy of them.  */
static echo_t *
echo_start (const char *endpoint)
{
    echo_t *e = (echo_t *) calloc (1, sizeof *e);
    snprintf (e->endpoint, sizeof e->endpoint, "%s", endpoint);
    ck_assert_int_eq (pthread_create (&e->thread, NULL, echo_main, e), 0);
    while (!atomic_load (&e->created))
        test_sleep_ms (5);
    return e;
}

static void
echo_stop (echo_t **e_p)
{
    atomic_store (&(*e_p)->stop, true);
    pthread_join ((*e_p)->thread, NULL);
    free (*e_p);
    *e_p = NULL;
}

/* ---------------------------------------------------------- helpers */

static int
call (hr_client_t *c, const char *text, int timeout_ms)
{
    void *body;
    size_t len;
    int status = hr_client_call (c, "echo", text, strlen (text), timeout_ms, &body, &len);
    if (status == HR_OK)
        ck_assert (len == strlen (text) && memcmp (body, text, len) == 0);
    free (body);
    return status;
}

/*  Retries until an answer (the worker registers asynchronously).        */
static int
call_until_ok (hr_client_t *c, const char *text, int within_ms)
{
    long long until = test_mono_ms () + within_ms;
    int status;
    while ((status = call (c, text, 500)) != HR_OK && test_mono_ms () < until)
        test_sleep_ms (20);
    return status;
}

static hr_client_t *
client_to (const char *endpoint, const char *server_public, const char *cert)
{
    ck_assert_int_eq (hr_curve_set_client (server_public, cert), 0);
    hr_client_t *c = hr_client_new (endpoint);
    ck_assert_ptr_nonnull (c);
    return c;
}

/*  A CURVE broker (with an optional allow-list) and one CURVE worker
    using the worker certificate.                                          */
static hr_broker_t *
curve_broker (const char *clients_dir, char *endpoint, size_t cap)
{
    ck_assert_int_eq (hr_curve_set_server (s_path[BROKER_SEC], clients_dir), 0);
    hr_broker_t *b = hr_broker_new ("tcp://127.0.0.1:*");
    ck_assert_ptr_nonnull (b);
    snprintf (endpoint, cap, "%s", hr_broker_endpoint (b));
    return b;
}

static bool
skip_without_curve (void)
{
    if (hr_curve_available ())
        return false;
    printf ("SKIP: libzmq has no CURVE support (zsys_has_curve() is false)\n");
    return true;
}

/* ------------------------------------------------------------ tests */

START_TEST (test_round_trip)
{
    if (skip_without_curve ())
        return;
    char endpoint[256];
    hr_broker_t *b = curve_broker (NULL, endpoint, sizeof endpoint);
    ck_assert_int_eq (hr_curve_set_client (s_path[BROKER_PUB], s_path[WORKER_SEC]), 0);
    echo_t *e = echo_start (endpoint);
    hr_client_t *c = client_to (endpoint, s_path[BROKER_PUB], s_path[CLIENT_SEC]);
    ck_assert_int_eq (call_until_ok (c, "over curve", 5000), HR_OK);
    hr_broker_stats_t st;
    hr_broker_stats (b, &st);
    ck_assert_uint_ge (st.replies, 1);
    ck_assert_uint_eq (st.malformed, 0);

    /*  The broker restarts; the worker reconnects with the keys it copied
        at creation even though the process-wide client setting is now plain
        text (so a plain reconnect would be refused and never answer).    */
    ck_assert_int_eq (hr_curve_set_client (NULL, NULL), 0);
    hr_broker_destroy (&b);
    ck_assert_int_eq (hr_curve_set_server (s_path[BROKER_SEC], NULL), 0);
    /*  Until the broker is back, the worker's and the client's reconnects
        to its port (an ephemeral one) may get that very port as their own
        local port (a TCP self-connect, which ZeroMQ then drops): the bind
        fails for that moment.  Retry until it binds (bounded).           */
    b = NULL;
    for (int i = 0; i < 400 && !b; i++)
        if (!(b = hr_broker_new (endpoint)))
            zclock_sleep (25);
    ck_assert_ptr_nonnull (b);
    ck_assert_int_eq (call_until_ok (c, "after restart", 10000), HR_OK);

    hr_client_destroy (&c);
    echo_stop (&e);
    hr_broker_destroy (&b);
    hr_curve_reset ();
}
END_TEST

START_TEST (test_plain_client_refused)
{
    if (skip_without_curve ())
        return;
    char endpoint[256];
    hr_broker_t *b = curve_broker (NULL, endpoint, sizeof endpoint);
    ck_assert_int_eq (hr_curve_set_client (s_path[BROKER_PUB], s_path[WORKER_SEC]), 0);
    echo_t *e = echo_start (endpoint);
    hr_client_t *good = client_to (endpoint, s_path[BROKER_PUB], s_path[CLIENT_SEC]);
    ck_assert_int_eq (call_until_ok (good, "warm", 5000), HR_OK);

    hr_client_t *plain = client_to (endpoint, NULL, NULL);
    long long t0 = test_mono_ms ();
    int status = call (plain, "plain text", REFUSED_WAIT_MS);
    ck_assert_msg (status == HR_UNAVAILABLE || status == HR_EXPIRED,
                   "a plain client got status %d from a CURVE broker", status);
    ck_assert_int_ge (test_mono_ms () - t0, REFUSED_WAIT_MS - 50);    /* no answer at all */
    /*  A CURVE client with the wrong server key cannot talk either.      */
    hr_client_t *wrong = client_to (endpoint, s_path[WORKER_PUB], s_path[CLIENT_SEC]);
    ck_assert_int_ne (call (wrong, "wrong server key", REFUSED_WAIT_MS), HR_OK);

    hr_broker_stats_t st;
    hr_broker_stats (b, &st);
    uint64_t requests = st.requests;
    /*  ... and the broker still serves CURVE clients.  Without an
        allow-list any key pair is accepted: a throw-away one works.      */
    ck_assert_int_eq (call (good, "still served", 2000), HR_OK);
    hr_client_t *anon = client_to (endpoint, s_path[BROKER_PUB], NULL);
    ck_assert_int_eq (call_until_ok (anon, "throw-away key", 3000), HR_OK);
    hr_broker_stats (b, &st);
    ck_assert_uint_eq (st.requests, requests + 2);

    hr_client_destroy (&anon);
    hr_client_destroy (&wrong);
    hr_client_destroy (&plain);
    hr_client_destroy (&good);
    echo_stop (&e);
    hr_broker_destroy (&b);
    hr_curve_reset ();
}
END_TEST

START_TEST (test_allow_list)
{
    if (skip_without_curve ())
        return;
    char endpoint[256];
    hr_broker_t *b = curve_broker (s_allowed, endpoint, sizeof endpoint);
    ck_assert_int_eq (hr_curve_set_client (s_path[BROKER_PUB], s_path[WORKER_SEC]), 0);
    echo_t *e = echo_start (endpoint);
    hr_client_t *allowed = client_to (endpoint, s_path[BROKER_PUB], s_path[CLIENT_SEC]);
    ck_assert_int_eq (call_until_ok (allowed, "allowed", 5000), HR_OK);

    hr_client_t *stranger = client_to (endpoint, s_path[BROKER_PUB], s_path[STRANGER_SEC]);
    ck_assert_int_ne (call (stranger, "stranger", REFUSED_WAIT_MS), HR_OK);
    hr_client_t *anon = client_to (endpoint, s_path[BROKER_PUB], NULL);
    ck_assert_int_ne (call (anon, "throw-away key", REFUSED_WAIT_MS), HR_OK);
    hr_client_t *plain = client_to (endpoint, NULL, NULL);
    ck_assert_int_ne (call (plain, "plain", REFUSED_WAIT_MS), HR_OK);
    ck_assert_int_eq (call (allowed, "allowed again", 2000), HR_OK);

    /*  Rotation: a public cert added to the directory is admitted without
        restarting the broker (zauth reloads the directory).              */
    zcert_t *cert = zcert_load (s_path[STRANGER_SEC]);
    ck_assert_ptr_nonnull (cert);
    char added[400];
    snprintf (added, sizeof added, "%s/stranger", s_allowed);
    ck_assert_int_eq (zcert_save_public (cert, added), 0);
    zcert_destroy (&cert);
    hr_client_t *newcomer = client_to (endpoint, s_path[BROKER_PUB], s_path[STRANGER_SEC]);
    ck_assert_int_eq (call_until_ok (newcomer, "admitted", 5000), HR_OK);
    hr_client_destroy (&newcomer);
    ck_assert_int_eq (unlink (added), 0);

    /*  A worker whose key is not listed never registers.                 */
    ck_assert_int_eq (hr_curve_set_client (s_path[BROKER_PUB], s_path[STRANGER_SEC]), 0);
    test_sleep_ms (50);    /* the removal is seen at the next handshake */
    hr_worker_t *w = hr_worker_new (endpoint, "intruder");
    ck_assert_ptr_nonnull (w);
    hr_work_t work;
    ck_assert_int_eq (hr_worker_recv (w, &work, 300), 0);
    hr_worker_destroy (&w);
    void *body;
    size_t len;
    ck_assert_int_eq (hr_client_call (allowed, "intruder", "x", 1, 1000, &body, &len),
                      HR_UNAVAILABLE);    /* no live worker for it */
    free (body);

    hr_client_destroy (&plain);
    hr_client_destroy (&anon);
    hr_client_destroy (&stranger);
    hr_client_destroy (&allowed);
    echo_stop (&e);
    hr_broker_destroy (&b);
    hr_curve_reset ();
}
END_TEST

static const hr_config_var_t s_none[] = { { NULL, 0, NULL, NULL, 0, 0 } };

/*  hr_curve_configure on the HR_CURVE_* variables: 0 or -1.             */
static int
configure_req (const char *require, const char *server_cert, const char *clients_dir,
               const char *server_public, const char *client_cert)
{
    const hr_config_var_t *const tables[] = { hr_config_common, s_none, NULL };
    hr_config_t *cfg = hr_config_new ("test_curve", tables);
    ck_assert_ptr_nonnull (cfg);
    hr_config_set (cfg, "HR_CURVE_REQUIRE", require);
    hr_config_set (cfg, "HR_CURVE_SERVER_CERT", server_cert);
    hr_config_set (cfg, "HR_CURVE_CLIENTS_DIR", clients_dir);
    hr_config_set (cfg, "HR_CURVE_SERVER_PUBLIC", server_public);
    hr_config_set (cfg, "HR_CURVE_CLIENT_CERT", client_cert);
    char err[256];
    ck_assert_int_eq (hr_config_load (cfg, err, sizeof err), 0);
    int rc = hr_curve_configure (cfg);
    hr_config_destroy (&cfg);
    return rc;
}

static int
configure_with (const char *server_cert, const char *clients_dir, const char *server_public,
                const char *client_cert)
{
    return configure_req ("0", server_cert, clients_dir, server_public, client_cert);
}

/*  HR_CURVE_REQUIRE=1 (shipped configurations): a process that would talk
    plain text, or a broker without client authentication, does not start;
    the side a process did not configure refuses its sockets.             */
START_TEST (test_require)
{
    if (skip_without_curve ())
        return;
    ck_assert_int_eq (configure_req ("1", "", "", "", ""), -1);
    ck_assert_int_eq (configure_req ("1", s_path[BROKER_SEC], "", "", ""), -1);   /* no allow-list */
    ck_assert_int_eq (configure_req ("1", "", "", s_path[BROKER_PUB], ""), -1);   /* throw-away key */

    /*  A broker (or the gateway embedding it): binds; its own TCP clients
        need their certificate, inproc ones need none.                     */
    ck_assert_int_eq (configure_req ("1", s_path[BROKER_SEC], s_allowed, "", ""), 0);
    hr_broker_t *b = hr_broker_new ("tcp://127.0.0.1:*");
    ck_assert_ptr_nonnull (b);
    ck_assert_int_eq (hr_broker_bind_also (b, "inproc://test-curve-require"), 0);
    ck_assert_ptr_null (hr_client_new (hr_broker_endpoint (b)));
    ck_assert_ptr_null (hr_worker_new (hr_broker_endpoint (b), "echo"));
    hr_client_t *in = hr_client_new ("inproc://test-curve-require");
    ck_assert_ptr_nonnull (in);
    hr_client_destroy (&in);

    /*  A service: connects with its certificate; cannot run a broker.    */
    char endpoint[256];
    snprintf (endpoint, sizeof endpoint, "%s", hr_broker_endpoint (b));
    ck_assert_int_eq (configure_req ("1", "", "", s_path[BROKER_PUB], s_path[WORKER_SEC]), 0);
    ck_assert_ptr_null (hr_broker_new ("tcp://127.0.0.1:*"));
    hr_worker_t *w = hr_worker_new (endpoint, "echo");
    ck_assert_ptr_nonnull (w);
    hr_worker_destroy (&w);
    hr_broker_destroy (&b);

    /*  Off again: plain text is allowed.  */
    ck_assert_int_eq (configure_with ("", "", "", ""), 0);
    b = hr_broker_new ("tcp://127.0.0.1:*");
    ck_assert_ptr_nonnull (b);
    hr_broker_destroy (&b);
    hr_curve_reset ();
}
END_TEST

START_TEST (test_configuration)
{
    if (skip_without_curve ())
        return;
    hr_curve_keys_t k;
    ck_assert_int_eq (configure_with ("", "", "", ""), 0);    /* off by default */
    hr_curve_server_keys (&k);
    ck_assert (!k.enabled);
    hr_curve_client_keys (&k);
    ck_assert (!k.enabled);

    /*  Misconfiguration fails (the binaries exit) instead of running in
        plain text.  */
    ck_assert_int_eq (configure_with ("/nonexistent/broker_secret", "", "", ""), -1);
    ck_assert_int_eq (configure_with ("", s_allowed, "", ""), -1);
    ck_assert_int_eq (configure_with (s_path[BROKER_SEC], "/nonexistent", "", ""), -1);
    ck_assert_int_eq (configure_with ("", "", "", s_path[CLIENT_SEC]), -1);
    ck_assert_int_eq (configure_with ("", "", s_path[BROKER_PUB], "/nonexistent/c"), -1);
    char public_only[400];    /* a public cert is not an identity */
    snprintf (public_only, sizeof public_only, "%s/allowed/client", s_dir);
    ck_assert_int_eq (configure_with ("", "", s_path[BROKER_PUB], public_only), -1);
    hr_curve_server_keys (&k);
    ck_assert (!k.enabled);

    /*  A broker-only configuration (the gateway embedding the broker) also
        makes this process's clients use the broker's key.               */
    ck_assert_int_eq (configure_with (s_path[BROKER_SEC], s_allowed, "", ""), 0);
    hr_curve_server_keys (&k);
    ck_assert (k.enabled);
    ck_assert_str_eq (k.clients_dir, s_allowed);
    char server_key[HR_CURVE_KEY_LEN + 1];
    snprintf (server_key, sizeof server_key, "%s", k.public_key);
    hr_curve_client_keys (&k);
    ck_assert (k.enabled);
    ck_assert_str_eq (k.server_public, server_key);
    ck_assert_int_eq ((int) strlen (k.secret_key), HR_CURVE_KEY_LEN);    /* throw-away */

    /*  Workers and clients: the broker's public file and their own cert.  */
    ck_assert_int_eq (configure_with ("", "", s_path[BROKER_PUB], s_path[WORKER_SEC]), 0);
    hr_curve_server_keys (&k);
    ck_assert (!k.enabled);
    hr_curve_client_keys (&k);
    ck_assert (k.enabled);
    ck_assert_str_eq (k.server_public, server_key);
    zcert_t *worker = zcert_load (s_path[WORKER_PUB]);
    ck_assert_str_eq (k.public_key, zcert_public_txt (worker));
    zcert_destroy (&worker);
    memset (&k, 0, sizeof k);
    hr_curve_reset ();
}
END_TEST

int
main (void)
{
    hr_log_init ("test_curve", HR_LOG_WARN);
    hr_broker_set_heartbeat (TEST_HEARTBEAT_MS);
    hr_worker_set_heartbeat (TEST_HEARTBEAT_MS);
    bool curve = hr_curve_available ();
    Suite *s = suite_create ("curve");
    TCase *tc = tcase_create ("curve");
    tcase_set_timeout (tc, 40);
    if (curve)
        tcase_add_unchecked_fixture (tc, make_certs, remove_certs);
    tcase_add_test (tc, test_round_trip);
    tcase_add_test (tc, test_plain_client_refused);
    tcase_add_test (tc, test_allow_list);
    tcase_add_test (tc, test_configuration);
    tcase_add_test (tc, test_require);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    zsys_shutdown ();
    return failed == 0 ? 0 : 1;
}
