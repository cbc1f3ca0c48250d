/*  hr_curve — process-wide CURVE settings, applied by hr_broker, hr_worker
    and hr_client when they create their sockets.

    The settings live behind a mutex because workers are created on their
    own threads; every socket takes a copy (hr_curve_keys_t) so that
    nothing is shared after creation.  Secret keys are wiped when replaced. */
#include "hr_curve.h"
#include "hr_log.h"

#include <dirent.h>
#include <pthread.h>
#include <string.h>

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static hr_curve_keys_t s_server;        /* enabled = this process binds CURVE */
static hr_curve_keys_t s_client;        /* enabled = connect with CURVE;
                                           public/secret empty = throw-away */
static bool s_require;                  /* HR_CURVE_REQUIRE: no plain text */

bool
hr_curve_available (void)
{
    return zsys_has_curve ();
}

static bool
s_is_set (const char *s)
{
    return s && *s;
}

static void
s_wipe (hr_curve_keys_t *k)
{
    //  volatile so the compiler cannot drop the wipe of a dead buffer
    volatile char *p = (volatile char *) k;
    for (size_t i = 0; i < sizeof *k; i++)
        p[i] = 0;
}

static bool
s_key_is_zero (const char *z85)
{
    //  zcert reports a missing secret key as forty '0' characters
    for (const char *p = z85; *p; p++)
        if (*p != '0')
            return false;
    return true;
}

/*  Loads a certificate; with need_secret the secret key must be present
    (a public certificate alone cannot identify us).  NULL + log on error. */
static zcert_t *
s_load_cert (const char *variable, const char *path, bool need_secret)
{
    zcert_t *cert = zcert_load (path);
    if (!cert) {
        hr_log_kv (HR_LOG_ERROR, NULL, "curve: cannot load certificate", "variable", variable,
                   "path", path, NULL);
        return NULL;
    }
    if (need_secret && s_key_is_zero (zcert_secret_txt (cert))) {
        hr_log_kv (HR_LOG_ERROR, NULL,
                   "curve: certificate has no secret key (give the NAME_secret file)",
                   "variable", variable, "path", path, NULL);
        zcert_destroy (&cert);
    }
    return cert;
}

int
hr_curve_set_server (const char *server_cert, const char *clients_dir)
{
    hr_curve_keys_t keys;
    memset (&keys, 0, sizeof keys);
    if (s_is_set (clients_dir) && !s_is_set (server_cert)) {
        hr_log_kv (HR_LOG_ERROR, NULL, "curve: HR_CURVE_CLIENTS_DIR needs HR_CURVE_SERVER_CERT",
                   NULL);
        return -1;
    }
    if (s_is_set (server_cert)) {
        if (!hr_curve_available ()) {
            hr_log_kv (HR_LOG_ERROR, NULL, "curve: libzmq was built without CURVE", NULL);
            return -1;
        }
        zcert_t *cert = s_load_cert ("HR_CURVE_SERVER_CERT", server_cert, true);
        if (!cert)
            return -1;
        keys.enabled = true;
        snprintf (keys.public_key, sizeof keys.public_key, "%s", zcert_public_txt (cert));
        snprintf (keys.secret_key, sizeof keys.secret_key, "%s", zcert_secret_txt (cert));
        snprintf (keys.server_public, sizeof keys.server_public, "%s", keys.public_key);
        zcert_destroy (&cert);
        if (s_is_set (clients_dir)) {
            DIR *dir = opendir (clients_dir);
            if (!dir || strlen (clients_dir) >= sizeof keys.clients_dir) {
                hr_log_kv (HR_LOG_ERROR, NULL, "curve: cannot open the clients directory",
                           "variable", "HR_CURVE_CLIENTS_DIR", "path", clients_dir, NULL);
                if (dir)
                    closedir (dir);
                s_wipe (&keys);
                return -1;
            }
            closedir (dir);
            snprintf (keys.clients_dir, sizeof keys.clients_dir, "%s", clients_dir);
        }
    }
    pthread_mutex_lock (&s_lock);
    s_wipe (&s_server);
    s_server = keys;
    pthread_mutex_unlock (&s_lock);
    s_wipe (&keys);
    return 0;
}

int
hr_curve_set_client (const char *server_public, const char *client_cert)
{
    hr_curve_keys_t keys;
    memset (&keys, 0, sizeof keys);
    if (s_is_set (client_cert) && !s_is_set (server_public)) {
        hr_log_kv (HR_LOG_ERROR, NULL,
                   "curve: HR_CURVE_CLIENT_CERT needs HR_CURVE_SERVER_PUBLIC", NULL);
        return -1;
    }
    if ((s_is_set (server_public) || s_is_set (client_cert)) && !hr_curve_available ()) {
        hr_log_kv (HR_LOG_ERROR, NULL, "curve: libzmq was built without CURVE", NULL);
        return -1;
    }
    if (s_is_set (server_public)) {
        zcert_t *cert = s_load_cert ("HR_CURVE_SERVER_PUBLIC", server_public, false);
        if (!cert)
            return -1;
        keys.enabled = true;
        snprintf (keys.server_public, sizeof keys.server_public, "%s", zcert_public_txt (cert));
        zcert_destroy (&cert);
    }
    if (s_is_set (client_cert)) {
        zcert_t *cert = s_load_cert ("HR_CURVE_CLIENT_CERT", client_cert, true);
        if (!cert) {
            s_wipe (&keys);
            return -1;
        }
        snprintf (keys.public_key, sizeof keys.public_key, "%s", zcert_public_txt (cert));
        snprintf (keys.secret_key, sizeof keys.secret_key, "%s", zcert_secret_txt (cert));
        zcert_destroy (&cert);
    }
    pthread_mutex_lock (&s_lock);
    s_wipe (&s_client);
    s_client = keys;
    pthread_mutex_unlock (&s_lock);
    s_wipe (&keys);
    return 0;
}

void
hr_curve_reset (void)
{
    pthread_mutex_lock (&s_lock);
    s_wipe (&s_server);
    s_wipe (&s_client);
    s_require = false;
    pthread_mutex_unlock (&s_lock);
}

void
hr_curve_set_require (bool require)
{
    pthread_mutex_lock (&s_lock);
    s_require = require;
    pthread_mutex_unlock (&s_lock);
}

/*  Under HR_CURVE_REQUIRE: a broker authenticates its clients (allow-list),
    a client or worker encrypts and proves who it is (own certificate).
    Called with s_lock held.  */
static bool
s_server_complete (void)
{
    return s_server.enabled && s_server.clients_dir[0];
}

static bool
s_client_complete (void)
{
    return s_client.enabled && s_client.public_key[0];
}

int
hr_curve_configure (hr_config_t *cfg)
{
    assert (cfg);
    if (hr_curve_set_server (hr_config_str (cfg, "HR_CURVE_SERVER_CERT"),
                             hr_config_str (cfg, "HR_CURVE_CLIENTS_DIR")) != 0)
        return -1;
    //  A process that runs the broker (the gateway embeds it) talks to it
    //  with the broker's own public key unless told otherwise.
    const char *server_public = hr_config_str (cfg, "HR_CURVE_SERVER_PUBLIC");
    if (!s_is_set (server_public))
        server_public = hr_config_str (cfg, "HR_CURVE_SERVER_CERT");
    if (hr_curve_set_client (server_public, hr_config_str (cfg, "HR_CURVE_CLIENT_CERT")) != 0) {
        hr_curve_reset ();
        return -1;
    }
    pthread_mutex_lock (&s_lock);
    bool server = s_server.enabled, client = s_client.enabled;
    bool allow_list = s_server.clients_dir[0] != 0;
    bool own_cert = s_client.public_key[0] != 0;
    bool complete = (server ? s_server_complete () : true) && (server || s_client_complete ());
    pthread_mutex_unlock (&s_lock);
    bool require = hr_config_bool (cfg, "HR_CURVE_REQUIRE");
    hr_curve_set_require (require);
    if (require) {
        /*  A broker without an allow-list, or a process that connects
            without its own certificate, is refused here; the side a process
            does not configure is refused when it creates such a socket.   */
        if (!complete) {
            hr_log_kv (HR_LOG_ERROR, NULL,
                       "curve: HR_CURVE_REQUIRE=1 needs HR_CURVE_SERVER_CERT + HR_CURVE_CLIENTS_DIR "
                       "(broker) or HR_CURVE_SERVER_PUBLIC + HR_CURVE_CLIENT_CERT (services, gateway, CLI)",
                       NULL);
            hr_curve_reset ();
            return -1;
        }
    }
    if (server || client)
        hr_log_kv (HR_LOG_INFO, NULL, "curve enabled", "broker", server ? "curve" : "-",
                   "client_auth", server ? (allow_list ? "allow-list" : "any key") : "-",
                   "connect", client ? (own_cert ? "curve, own cert" : "curve, throw-away key")
                                     : "-",
                   NULL);
    return 0;
}

int
hr_curve_server_keys (hr_curve_keys_t *out)
{
    assert (out);
    pthread_mutex_lock (&s_lock);
    *out = s_server;
    bool refused = s_require && !s_server_complete ();
    pthread_mutex_unlock (&s_lock);
    if (refused) {
        s_wipe (out);
        hr_log_kv (HR_LOG_ERROR, NULL, "curve: HR_CURVE_REQUIRE=1 and this broker has no "
                   "HR_CURVE_SERVER_CERT + HR_CURVE_CLIENTS_DIR", NULL);
        return -1;
    }
    return 0;
}

int
hr_curve_client_keys (hr_curve_keys_t *out)
{
    assert (out);
    pthread_mutex_lock (&s_lock);
    *out = s_client;
    bool refused = s_require && !s_client_complete ();
    pthread_mutex_unlock (&s_lock);
    if (refused) {
        s_wipe (out);
        hr_log_kv (HR_LOG_ERROR, NULL, "curve: HR_CURVE_REQUIRE=1 and no HR_CURVE_SERVER_PUBLIC + "
                   "HR_CURVE_CLIENT_CERT to connect with", NULL);
        return -1;
    }
    if (out->enabled && !out->public_key[0]) {
        zcert_t *cert = zcert_new ();
        if (!cert) {
            s_wipe (out);
            return -1;
        }
        snprintf (out->public_key, sizeof out->public_key, "%s", zcert_public_txt (cert));
        snprintf (out->secret_key, sizeof out->secret_key, "%s", zcert_secret_txt (cert));
        zcert_destroy (&cert);
    }
    return 0;
}

int
hr_curve_apply_server (zsock_t *sock, const hr_curve_keys_t *keys)
{
    assert (sock && keys);
    if (!keys->enabled)
        return 0;
    zsock_set_curve_server (sock, 1);
    zsock_set_curve_publickey (sock, keys->public_key);
    zsock_set_curve_secretkey (sock, keys->secret_key);
    return zsock_curve_server (sock) == 1 ? 0 : -1;
}

int
hr_curve_apply_client (zsock_t *sock, const hr_curve_keys_t *keys)
{
    assert (sock && keys);
    if (!keys->enabled)
        return 0;
    zsock_set_curve_serverkey (sock, keys->server_public);
    zsock_set_curve_publickey (sock, keys->public_key);
    zsock_set_curve_secretkey (sock, keys->secret_key);
    return zsock_mechanism (sock) == ZMQ_CURVE ? 0 : -1;
}

zactor_t *
hr_curve_auth_new (const hr_curve_keys_t *keys, bool *failed)
{
    assert (keys && failed);
    *failed = false;
    if (!keys->enabled || !keys->clients_dir[0])
        return NULL;
    zactor_t *auth = zactor_new (zauth, NULL);
    //  zauth answers every command with a signal; -1 = it could not start
    //  (e.g. another ZAP handler already runs in this process)
    if (!auth || zstr_sendx (auth, "CURVE", keys->clients_dir, NULL) != 0
        || zsock_wait (auth) != 0) {
        hr_log_kv (HR_LOG_ERROR, NULL, "curve: cannot start the ZAP handler", "clients_dir",
                   keys->clients_dir, NULL);
        zactor_destroy (&auth);
        *failed = true;
        return NULL;
    }
    return auth;
}
