/*  gw_server — the gateway process: the embedded broker (unless
    HR_GATEWAY_EMBED_BROKER=0), HR_GATEWAY_THREADS event loops each with its
    own SO_REUSEPORT listener, h2o context and broker client.              */
#ifndef GW_SERVER_H
#define GW_SERVER_H
#include "gw_catalog.h"
#include "gw_config.h"

typedef struct gw_server gw_server_t;

/*  Starts serving.  Takes ownership of `catalog`.  settings->port 0 picks a
    free port (tests: see gw_server_port).  NULL on failure (logged).      */
gw_server_t *gw_server_new (const gw_settings_t *settings, gw_catalog_holder_t *catalog);
/*  Stops accepting, lets in-flight responses finish (up to ~1 s), stops.  */
void gw_server_destroy (gw_server_t **self_p);
int gw_server_port (gw_server_t *self);
/*  Client connections open now, counted against HR_GATEWAY_MAX_CONNECTIONS
    (a closed one leaves the count once its loop has seen the close).    */
int gw_server_connections (gw_server_t *self);
/*  The broker endpoint the loops connect to (embedded: where it bound).   */
const char *gw_server_broker_endpoint (gw_server_t *self);
/*  Tests: replaces the merge model holder (taken; NULL = none, the rank
    merge).  Only while no request is in flight.                           */
struct gw_merge;
void gw_server_use_merge (gw_server_t *self, struct gw_merge *merge);

#endif
