/*  hr_curve — optional ZeroMQ CURVE encryption and authentication for the
    broker, its workers and its clients (docs/security.md).

    Off by default.  A binary calls hr_curve_configure once, after loading
    its configuration and before creating any broker, worker or client;
    from then on hr_broker_new binds as a CURVE server and hr_worker_new /
    hr_client_new connect as CURVE clients, without any change to their
    callers.  Each socket copies the keys when it is created, so a worker
    that reconnects keeps them even if the process-wide setting changes.

    Keys are held as Z85 text; certificates are czmq zcert files (a public
    file NAME and a secret file NAME_secret, made by `hybridrec keygen`).   */
#ifndef HR_CURVE_H
#define HR_CURVE_H
#include <stdbool.h>
#include <czmq.h>
#include "hr_config.h"

#define HR_CURVE_KEY_LEN 40     /* Z85 text of a 32-byte key */

/*  True when libzmq was built with CURVE (libsodium).                      */
bool hr_curve_available (void);

/*  Reads HR_CURVE_SERVER_CERT, HR_CURVE_CLIENTS_DIR, HR_CURVE_SERVER_PUBLIC,
    HR_CURVE_CLIENT_CERT from cfg (all empty = CURVE off) and loads the
    certificates.  0, or -1 with the error logged naming the variable (the
    caller exits: a half-configured security setting must not fall back to
    plain text).                                                           */
int hr_curve_configure (hr_config_t *cfg);

/*  The same, from values (NULL or "" = unset); used by hr_curve_configure
    and by tests.  Broker side: server_cert = this broker's secret cert,
    clients_dir = allowed client public certs (NULL = any client that knows
    the server key).  Clients and workers: server_public = the broker's
    public cert (NULL = plain text; hr_curve_configure falls back to
    HR_CURVE_SERVER_CERT, for the gateway's embedded broker); client_cert = this process's secret cert (NULL = a
    fresh throw-away key pair per socket, accepted only without a
    clients_dir).  0 / -1 (error logged; previous settings unchanged).    */
int hr_curve_set_server (const char *server_cert, const char *clients_dir);
int hr_curve_set_client (const char *server_public, const char *client_cert);
/*  Back to plain text for sockets created afterwards (tests); also clears
    the requirement below.  */
void hr_curve_reset (void);
/*  HR_CURVE_REQUIRE (hr_curve_configure sets it after checking that this
    process is configured for its side): from then on the broker refuses
    to bind without an allow-list, and workers and clients refuse to
    connect over tcp:// or ipc:// without HR_CURVE_SERVER_PUBLIC and their
    own HR_CURVE_CLIENT_CERT (inproc:// needs no keys).                   */
void hr_curve_set_require (bool require);

/*  For hr_broker/hr_worker/hr_client.  The key material a socket needs,
    copied at creation.  */
typedef struct {
    bool enabled;
    char server_public[HR_CURVE_KEY_LEN + 1];
    char public_key[HR_CURVE_KEY_LEN + 1];   /* own key pair (server: the  */
    char secret_key[HR_CURVE_KEY_LEN + 1];   /* broker's; client: its own) */
    char clients_dir[1024];                  /* server only; "" = any      */
} hr_curve_keys_t;

/*  Snapshots of the process-wide settings (enabled = false when off).
    Client: a throw-away key pair is generated when no client cert is set.
    0 / -1 (key generation failed, or HR_CURVE_REQUIRE and this side is not
    configured: logged).  */
int hr_curve_server_keys (hr_curve_keys_t *out);
int hr_curve_client_keys (hr_curve_keys_t *out);
/*  Apply keys to a socket before bind/connect.  Does nothing when not
    enabled.  0 / -1.  */
int hr_curve_apply_server (zsock_t *sock, const hr_curve_keys_t *keys);
int hr_curve_apply_client (zsock_t *sock, const hr_curve_keys_t *keys);

/*  Starts the ZAP handler (czmq zauth) that admits only the client keys in
    keys->clients_dir; NULL when no clients_dir is set or on failure (then
    *failed is set).  One per process at a time (libzmq has one ZAP
    endpoint per context).  Destroy with zactor_destroy.                   */
zactor_t *hr_curve_auth_new (const hr_curve_keys_t *keys, bool *failed);

#endif
