/*  gw_docs — Swagger UI at /docs (see gw_docs.h).                           */
#include "gw_docs.h"
#include <string.h>
#include "gw_respond.h"

/*  The page, its script and the two swagger-ui-dist files, in the binary.
    The first entry is the index.  Scripts are application/javascript, not
    text/javascript: h2o 2.2's mime map knows only the former, and its gzip
    filter compresses only the types it knows (the bundle: 1.8 MB -> 0.6 MB).
    Versioned: from swagger-ui-dist, cacheable as ?v=<version>.           */
/*  default-src 'none': only what is listed.  Swagger UI draws its icons
    from data: URIs in its stylesheet; React sets element styles through
    the CSSOM (not blocked); its syntax highlighter writes style
    attributes, hence 'unsafe-inline' for styles only.                      */
#define DOCS_CSP "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " \
                 "img-src 'self' data:; font-src 'self'; connect-src 'self'; "              \
                 "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

#ifdef GW_DOCS_SWAGGER_UI_VERSION
extern const char gw_docs_index_html[], gw_docs_init_js[], gw_docs_swagger_ui_bundle_js[],
    gw_docs_swagger_ui_css[], gw_docs_LICENSE[], gw_docs_NOTICE[],
    gw_docs_swagger_ui_bundle_js_LICENSE_txt[];
extern const size_t gw_docs_index_html_len, gw_docs_init_js_len, gw_docs_swagger_ui_bundle_js_len,
    gw_docs_swagger_ui_css_len, gw_docs_LICENSE_len, gw_docs_NOTICE_len,
    gw_docs_swagger_ui_bundle_js_LICENSE_txt_len;

static const gw_page_file_t files[] = {
    { "index.html", "text/html; charset=utf-8", gw_docs_index_html, &gw_docs_index_html_len, false },
    { "init.js", "application/javascript; charset=utf-8", gw_docs_init_js, &gw_docs_init_js_len, false },
    { "swagger-ui-bundle.js", "application/javascript; charset=utf-8", gw_docs_swagger_ui_bundle_js,
      &gw_docs_swagger_ui_bundle_js_len, true },
    { "swagger-ui.css", "text/css; charset=utf-8", gw_docs_swagger_ui_css, &gw_docs_swagger_ui_css_len, true },
    /*  Swagger UI's license and notice, and those of what its bundle holds. */
    { "LICENSE", "text/plain; charset=utf-8", gw_docs_LICENSE, &gw_docs_LICENSE_len, false },
    { "NOTICE", "text/plain; charset=utf-8", gw_docs_NOTICE, &gw_docs_NOTICE_len, false },
    { "swagger-ui-bundle.js.LICENSE.txt", "text/plain; charset=utf-8", gw_docs_swagger_ui_bundle_js_LICENSE_txt,
      &gw_docs_swagger_ui_bundle_js_LICENSE_txt_len, false },
};
#define N_FILES (sizeof files / sizeof files[0])

const char *
gw_docs_swagger_ui_version (void)
{
    return GW_DOCS_SWAGGER_UI_VERSION;
}

/*  "v=<version>" exactly: the URL index.html uses for this build.         */
static bool
s_is_versioned_url (h2o_req_t *req)
{
    static const char want[] = "v=" GW_DOCS_SWAGGER_UI_VERSION;
    if (req->query_at == SIZE_MAX || req->query_at >= req->path.len)
        return false;
    return h2o_memis (req->path.base + req->query_at + 1, req->path.len - req->query_at - 1,
                      want, sizeof want - 1);
}

static void
s_serve (gw_request_t *r, const gw_page_file_t *f)
{
    gw_send_page_file (r, DOCS_CSP,
                       f->versioned && s_is_versioned_url (r->req)
                           ? "public, max-age=31536000, immutable" : "no-cache",
                       f->content_type, h2o_iovec_init (f->data, *f->len));
}

void
gw_handle_docs_index (gw_request_t *r)
{
    s_serve (r, &files[0]);
}

void
gw_handle_docs_file (gw_request_t *r, h2o_iovec_t name)
{
    const gw_page_file_t *f = gw_page_file_find (files, N_FILES, name);
    if (f)
        s_serve (r, f);
    else
        gw_send_error (r, 404, "not_found", "no documentation file with this name");
}

#else   /* built without swagger-ui-dist */

const char *
gw_docs_swagger_ui_version (void)
{
    return NULL;
}

static void
s_unavailable (gw_request_t *r)
{
    gw_add_header (r, "cache-control", "no-store");
    gw_send_error (r, 503, "docs_unavailable",
                   "this gateway was built without Swagger UI (npm swagger-ui-dist was not in "
                   ".deps/node): run scripts/deps.sh, re-run cmake and rebuild; the API document "
                   "itself is at /openapi.yaml");
}

void
gw_handle_docs_index (gw_request_t *r)
{
    s_unavailable (r);
}

void
gw_handle_docs_file (gw_request_t *r, h2o_iovec_t name)
{
    (void) name;
    s_unavailable (r);
}

#endif
