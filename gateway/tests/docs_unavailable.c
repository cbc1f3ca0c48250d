/*  gw_docs built without swagger-ui-dist (scripts/deps.sh could not install
    it): every /docs path answers a 503 that says how to fix it, and the
    build needs none of the embedded files.  gw_docs.c is compiled here
    without GW_DOCS_SWAGGER_UI_VERSION, against stand-ins for gw_respond
    that record the answer.  (The embedded case is served end to end by
    tests/client: client_ts_live.)                                          */
#undef GW_DOCS_SWAGGER_UI_VERSION
#include "../http/gw_docs.c"
#include <check.h>
#include <stdarg.h>
#include <stdio.h>

static int s_status;
static char s_error[64], s_detail[512], s_cache[64];

void
gw_add_header (gw_request_t *r, const char *name, const char *value)
{
    (void) r;
    if (strcmp (name, "cache-control") == 0)
        snprintf (s_cache, sizeof s_cache, "%s", value);
}

void
gw_send (gw_request_t *r, int status, const char *content_type, h2o_iovec_t body)
{
    (void) r, (void) content_type, (void) body;
    s_status = status;
}

void
gw_send_error (gw_request_t *r, int status, const char *error, const char *detail_fmt, ...)
{
    (void) r;
    s_status = status;
    snprintf (s_error, sizeof s_error, "%s", error);
    va_list ap;
    va_start (ap, detail_fmt);
    vsnprintf (s_detail, sizeof s_detail, detail_fmt, ap);
    va_end (ap);
}

static void
s_reset (void)
{
    s_status = 0;
    s_error[0] = s_detail[0] = s_cache[0] = '\0';
}

START_TEST (test_every_docs_path_is_a_503_that_says_how_to_fix_it)
{
    gw_request_t r = { 0 };
    ck_assert_ptr_null (gw_docs_swagger_ui_version ());
    s_reset ();
    gw_handle_docs_index (&r);
    ck_assert_int_eq (s_status, 503);
    ck_assert_str_eq (s_error, "docs_unavailable");
    ck_assert_ptr_nonnull (strstr (s_detail, "scripts/deps.sh"));
    ck_assert_ptr_nonnull (strstr (s_detail, "/openapi.yaml"));
    ck_assert_str_eq (s_cache, "no-store");
    static const char *const names[] = { "swagger-ui-bundle.js", "swagger-ui.css", "init.js", "nope" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        s_reset ();
        gw_handle_docs_file (&r, h2o_iovec_init (names[i], strlen (names[i])));
        ck_assert_int_eq (s_status, 503);
        ck_assert_str_eq (s_error, "docs_unavailable");
    }
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("gw_docs_unavailable");
    TCase *tc = tcase_create ("core");
    tcase_add_test (tc, test_every_docs_path_is_a_503_that_says_how_to_fix_it);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
