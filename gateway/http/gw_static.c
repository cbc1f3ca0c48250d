/*  gw_static — serving the dashboard (see gw_static.h).                     */
#include "gw_static.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gw_respond.h"

extern const char gw_dashboard_index_html[], gw_dashboard_app_js[], gw_dashboard_style_css[];
extern const size_t gw_dashboard_index_html_len, gw_dashboard_app_js_len, gw_dashboard_style_css_len;

#define MAX_FILE_BYTES (4 * 1024 * 1024)

static const gw_page_file_t files[] = {
    { "index.html", "text/html; charset=utf-8", gw_dashboard_index_html, &gw_dashboard_index_html_len, false },
    { "app.js", "text/javascript; charset=utf-8", gw_dashboard_app_js, &gw_dashboard_app_js_len, false },
    { "style.css", "text/css; charset=utf-8", gw_dashboard_style_css, &gw_dashboard_style_css_len, false },
};
#define N_FILES (sizeof files / sizeof files[0])

static const char *s_dir;
static pthread_once_t s_dir_once = PTHREAD_ONCE_INIT;

static void
s_read_dir_setting (void)
{
    const char *dir = getenv ("HR_DASHBOARD_DIR");
    s_dir = dir && *dir ? dir : NULL;
}

/*  The file from HR_DASHBOARD_DIR into the pool.  A blocking read on the
    event loop: acceptable only because this is the development mode.     */
static bool
s_read_from_dir (h2o_mem_pool_t *pool, const char *name, h2o_iovec_t *out)
{
    char path[4096];
    if (snprintf (path, sizeof path, "%s/%s", s_dir, name) >= (int) sizeof path)
        return false;
    FILE *fp = fopen (path, "rb");
    if (!fp)
        return false;
    char *buf = NULL;
    long size = -1;
    if (fseek (fp, 0, SEEK_END) == 0 && (size = ftell (fp)) >= 0 && size <= MAX_FILE_BYTES
        && fseek (fp, 0, SEEK_SET) == 0) {
        buf = h2o_mem_alloc_pool (pool, (size_t) size + 1);
        if (fread (buf, 1, (size_t) size, fp) != (size_t) size)
            buf = NULL;
    }
    fclose (fp);
    if (!buf)
        return false;
    *out = h2o_iovec_init (buf, (size_t) size);
    return true;
}

static void
s_serve (gw_request_t *r, const gw_page_file_t *f)
{
    pthread_once (&s_dir_once, s_read_dir_setting);
    h2o_iovec_t body = h2o_iovec_init (f->data, *f->len);
    if (s_dir && !s_read_from_dir (&r->req->pool, f->name, &body)) {
        gw_send_error (r, 404, "not_found", "%s is not in HR_DASHBOARD_DIR", f->name);
        return;
    }
    /*  Product images come from other hosts (img-src https:).            */
    gw_send_page_file (r, "default-src 'self'; img-src 'self' https: data:; style-src 'self'; "
                          "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
                       "no-cache", f->content_type, body);
}

void
gw_handle_dashboard_index (gw_request_t *r)
{
    s_serve (r, &files[0]);
}

void
gw_handle_dashboard_file (gw_request_t *r, h2o_iovec_t name)
{
    const gw_page_file_t *f = gw_page_file_find (files, N_FILES, name);
    if (f)
        s_serve (r, f);
    else
        gw_send_error (r, 404, "not_found", "no dashboard file with this name");
}
