/*  gw_router — the one h2o handler: size limits, CORS preflight, the route
    table, 404 / 405 as JSON.                                               */
#ifndef GW_ROUTER_H
#define GW_ROUTER_H
#include "gw_app.h"

int gw_router_on_req (h2o_handler_t *self, h2o_req_t *req);

#endif
