/*  gw_docs — Swagger UI at /docs: npm's swagger-ui-dist (pinned in
    scripts/node/package-lock.json, installed by scripts/deps.sh into
    .deps/node/) and gateway/swagger/{index.html,init.js}, embedded into the
    binary at build time (gateway/swagger/embed.cmake).  Nothing is loaded
    from elsewhere: the page reads the gateway's own /openapi.yaml.

      GET /docs, /docs/            index.html
      GET /docs/{file}             init.js, swagger-ui-bundle.js, swagger-ui.css,
                                   index.html, LICENSE, NOTICE,
                                   swagger-ui-bundle.js.LICENSE.txt; 404 otherwise

    swagger-ui-bundle.js and swagger-ui.css are requested as ?v=<version of
    swagger-ui-dist>: with that query they are cached for a year
    (immutable); index.html, init.js and unversioned requests are
    `no-cache`.  Every answer carries a Content-Security-Policy allowing
    only the gateway itself.

    Built without swagger-ui-dist (scripts/deps.sh could not run npm): every
    /docs path answers 503 "docs_unavailable" saying how to fix it.        */
#ifndef GW_DOCS_H
#define GW_DOCS_H
#include "gw_app.h"

void gw_handle_docs_index (gw_request_t *r);
void gw_handle_docs_file (gw_request_t *r, h2o_iovec_t name);
/*  The embedded swagger-ui-dist version, or NULL when built without it.  */
const char *gw_docs_swagger_ui_version (void);

#endif
