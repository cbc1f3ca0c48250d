/*  gw_static — the dashboard's static files (dashboard/ in the source tree),
    embedded into the binary at build time (dashboard/embed.cmake), or read
    from HR_DASHBOARD_DIR on every request when that is set (development:
    edit, reload).

      GET /dashboard            index.html
      GET /dashboard/           index.html
      GET /dashboard/{file}     app.js, style.css, index.html; 404 otherwise

    Responses carry a Content-Security-Policy that allows scripts, styles
    and requests only from the gateway itself (images may come from the
    catalog's image hosts).                                                 */
#ifndef GW_STATIC_H
#define GW_STATIC_H
#include "gw_app.h"

void gw_handle_dashboard_index (gw_request_t *r);
void gw_handle_dashboard_file (gw_request_t *r, h2o_iovec_t name);

#endif
