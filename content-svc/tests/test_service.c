/*  content-svc over ZeroMQ: an in-process broker, the service with two
    worker threads, a client — on real catalog rows.  Needs PostgreSQL and
    Redis (DATABASE_URL, REDIS_URL) for the model store / hot reload.       */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "catalog_csv.h"
#include "hr_broker.h"
#include "hr_client.h"
#include "hr_log.h"
#include "hr_migrate.h"
#include "hr_model_store.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "serve.h"
#include "train.h"

static hr_broker_t *broker;
static hr_service_t *service;
static hr_client_t *client;
static content_state_t *state;
static hr_catalog_t *names;     /* a second copy to look names up */
static char catalog_path[1024];

static bool
find_catalog (void)
{
    const char *src = getenv ("HR_SOURCE_DIR");
    snprintf (catalog_path, sizeof catalog_path, "%s/data/catalog-sample.csv", src ? src : "..");
    return access (catalog_path, R_OK) == 0;
}

static int
call (const char *method, hr_writer_t *args, void **body, size_t *len)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_cstr (&w, method);
    if (args)
        hr_put_bytes (&w, args->data, args->len);
    int st = hr_client_call (client, "content", w.data, w.len, 20000, body, len);
    hr_writer_free (&w);
    return st;
}

/*  Calls a method returning one scored list; returns its status.           */
static int
list_call (const char *method, hr_writer_t *args, hr_scored_t **items, uint32_t *n)
{
    void *body = NULL;
    size_t len = 0;
    int st = call (method, args, &body, &len);
    *items = NULL;
    *n = 0;
    if (st == HR_OK) {
        hr_reader_t r;
        hr_reader_init (&r, body, len);
        ck_assert_int_eq (hr_get_scored_list (&r, items, n), 0);
        ck_assert (hr_reader_done (&r));
    }
    free (body);
    return st;
}

static int
similar (const char *id, uint32_t limit, hr_scored_t **items, uint32_t *n)
{
    hr_writer_t a;
    hr_writer_init (&a);
    hr_put_cstr (&a, id);
    hr_put_u32 (&a, limit);
    int st = list_call ("similar", &a, items, n);
    hr_writer_free (&a);
    return st;
}

static int
search (const char *q, size_t qlen, uint32_t limit, hr_scored_t **items, uint32_t *n)
{
    hr_writer_t a;
    hr_writer_init (&a);
    hr_put_str (&a, q, qlen);
    hr_put_u32 (&a, limit);
    int st = list_call ("search", &a, items, n);
    hr_writer_free (&a);
    return st;
}

static const char *
name_of (const char *id)
{
    int64_t i = hr_catalog_find (names, id);
    return i >= 0 ? hr_catalog_at (names, (uint32_t) i)->name : "";
}

static void
setup (void)
{
    hr_log_init ("test", HR_LOG_WARN);
    if (!find_catalog ())
        return;
    const char *paths[] = { catalog_path, NULL };
    hr_catalog_t *cat = content_catalog_from_csv (paths);
    names = content_catalog_from_csv (paths);
    ck_assert_ptr_nonnull (cat);
    char syn[1100];
    const char *src = getenv ("HR_SOURCE_DIR");
    snprintf (syn, sizeof syn, "%s/data/synonyms.txt", src ? src : "..");
    /*  No database yet: the service must answer without any model.         */
    state = content_state_new (cat, NULL, NULL, syn, 2);
    ck_assert_ptr_nonnull (state);
    broker = hr_broker_new ("tcp://127.0.0.1:*");
    ck_assert_ptr_nonnull (broker);
    service = hr_service_new (&content_service_def, state, hr_broker_endpoint (broker), 2);
    ck_assert_ptr_nonnull (service);
    client = hr_client_new (hr_broker_endpoint (broker));
    ck_assert_ptr_nonnull (client);
    /*  wait until the workers have registered with the broker              */
    for (int i = 0; i < 100; i++) {
        hr_writer_t a;
        hr_writer_init (&a);
        hr_put_cstr (&a, "analyze");
        hr_put_cstr (&a, "x");
        void *body = NULL;
        size_t len;
        int st = hr_client_call (client, "content", a.data, a.len, 2000, &body, &len);
        hr_writer_free (&a);
        free (body);
        if (st != HR_UNAVAILABLE)
            break;
        usleep (50 * 1000);
    }
}

static void
teardown (void)
{
    hr_client_destroy (&client);
    hr_service_destroy (&service);
    hr_broker_destroy (&broker);
    content_state_destroy (&state);
    hr_catalog_destroy (&names);
}

#define NEED_CATALOG() do { if (!state) { \
    printf ("SKIP: %s: data/catalog-sample.csv not found\n", __func__); return; } } while (0)

START_TEST (test_without_model_then_with)
{
    NEED_CATALOG ();
    hr_scored_t *it;
    uint32_t n;
    ck_assert (!content_service_def.ready (state));
    ck_assert_int_eq (similar ("B09Y64H8VS", 10, &it, &n), HR_OK);
    ck_assert_uint_eq (n, 0);                       /* no model: empty, not an error */
    free (it);
    ck_assert_int_eq (search ("redmi", 5, 10, &it, &n), HR_OK);
    ck_assert_uint_gt (n, 0);                       /* search works from the catalog */
    free (it);

    /*  Train in-process on the same rows and install the blob.             */
    const char *paths[] = { catalog_path, NULL };
    hr_catalog_t *cat = content_catalog_from_csv (paths);
    content_train_opts_t o;
    content_train_opts_default (&o);
    content_model_t *m;
    content_train_stats_t st;
    ck_assert_int_eq (content_train_build (cat, 1, &o, &m, &st), 0);
    hr_writer_t w;
    hr_writer_init (&w);
    content_model_encode (m, &w);
    ck_assert_int_eq (content_state_install (state, w.data, w.len, 1), 0);
    hr_writer_free (&w);
    content_model_destroy (&m);
    hr_catalog_destroy (&cat);
    ck_assert (content_service_def.ready (state));

    /*  a phone's neighbours are phones; a saree's are sarees               */
    ck_assert_int_eq (similar ("B09Y64H8VS", 60, &it, &n), HR_OK);
    ck_assert_uint_ge (n, 10);
    int phones = 0;
    for (uint32_t k = 0; k < n; k++) {
        ck_assert_str_ne (it[k].id, "B09Y64H8VS");  /* never itself */
        ck_assert_str_eq (it[k].source, "B09Y64H8VS");
        ck_assert_uint_eq (it[k].strategy, HR_STRAT_CONTENT);
        if (k > 0)
            ck_assert (it[k].score <= it[k - 1].score);
        if (k < 10 && (strstr (name_of (it[k].id), "RAM") || strstr (name_of (it[k].id), "Storage")))
            phones++;
    }
    ck_assert_msg (phones >= 8, "only %d of the top 10 look like phones", phones);
    free (it);
    ck_assert_int_eq (similar ("B09SZHVDBW", 10, &it, &n), HR_OK);
    int sarees = 0;
    for (uint32_t k = 0; k < n; k++)
        sarees += strcasestr (name_of (it[k].id), "saree") != NULL;
    ck_assert_msg (sarees >= 8, "only %d of %u neighbours are sarees", sarees, n);
    free (it);
    ck_assert_int_eq (similar ("B09Y64H8VS", 3, &it, &n), HR_OK);
    ck_assert_uint_eq (n, 3);                       /* limit respected */
    free (it);
    ck_assert_int_eq (similar ("ZZZZZZZZZZ", 10, &it, &n), HR_OK);
    ck_assert_uint_eq (n, 0);                       /* unknown id: empty */
    free (it);
    ck_assert_int_eq (similar ("bad id", 10, &it, &n), HR_BAD_REQUEST);
}
END_TEST

static bool
any_name_has (hr_scored_t *it, uint32_t n, uint32_t top, const char *word)
{
    for (uint32_t k = 0; k < n && k < top; k++)
        if (strcasestr (name_of (it[k].id), word))
            return true;
    return false;
}

START_TEST (test_search_queries)
{
    NEED_CATALOG ();
    hr_scored_t *it;
    uint32_t n;
    struct { const char *q, *want; } cases[] = {
        { "earbuds", "earphone" },          /* synonym: the catalog says earphones */
        { "fridge", "refrigerator" },
        { "headphnes", "headphone" },       /* typos */
        { "refrigeratr", "refrigerator" },
        { "samsng", "samsung" },
        { "wireless earphones", "wireless" },   /* multi-word */
        { "SAREE", "saree" },
        { "Sarée", "saree" },               /* Unicode folding */
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        ck_assert_int_eq (search (cases[c].q, strlen (cases[c].q), 20, &it, &n), HR_OK);
        ck_assert_msg (n > 0 && any_name_has (it, n, 3, cases[c].want),
                       "'%s': %u results, first '%s'", cases[c].q, n, n ? name_of (it[0].id) : "");
        ck_assert_str_eq (it[0].source, cases[c].q);
        ck_assert_uint_eq (it[0].strategy, HR_STRAT_SEARCH);
        free (it);
    }
    ck_assert_int_eq (search ("the and of", 10, 20, &it, &n), HR_OK);
    ck_assert_uint_eq (n, 0);                       /* only stop words: empty */
    free (it);
    ck_assert_int_eq (search ("qzxjvkw", 7, 20, &it, &n), HR_OK);
    ck_assert_uint_eq (n, 0);
    free (it);
    char q[300];
    memset (q, 'x', sizeof q);
    memcpy (q, "saree ", 6);
    ck_assert_int_eq (search (q, 255, 20, &it, &n), HR_OK);    /* 255 bytes */
    ck_assert_uint_gt (n, 0);
    free (it);
    ck_assert_int_eq (search (q, 256, 20, &it, &n), HR_BAD_REQUEST);
    ck_assert_int_eq (search ("   ", 3, 20, &it, &n), HR_BAD_REQUEST);
    ck_assert_int_eq (search ("\xff\xfe", 2, 20, &it, &n), HR_BAD_REQUEST);
    ck_assert_int_eq (search ("black", 5, 6000, &it, &n), HR_OK);
    ck_assert_uint_gt (n, 50);
    ck_assert_uint_le (n, 6000);
    free (it);
    void *body;
    size_t len;
    hr_writer_t a;
    hr_writer_init (&a);
    hr_put_cstr (&a, "samsng earbuds");
    ck_assert_int_eq (call ("analyze", &a, &body, &len), HR_OK);
    hr_writer_free (&a);
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    size_t jl;
    const char *json = hr_get_str (&r, &jl);
    ck_assert_ptr_nonnull (json);
    ck_assert_msg (memmem (json, jl, "samsung", 7) != NULL, "analyze: %.*s", (int) jl, json);
    free (body);
    ck_assert_int_eq (call ("nonsense", NULL, &body, &len), HR_BAD_REQUEST);
    free (body);
}
END_TEST

START_TEST (test_for_user)
{
    NEED_CATALOG ();
    hr_writer_t a;
    hr_writer_init (&a);
    hr_put_u32 (&a, 3);                 /* newest first */
    hr_put_u8 (&a, 1); hr_put_cstr (&a, "B09SZHVDBW"); hr_put_i64 (&a, 3000);
    hr_put_u8 (&a, 2); hr_put_cstr (&a, "wireless earphones"); hr_put_i64 (&a, 2000);
    hr_put_u8 (&a, 1); hr_put_cstr (&a, "B09Y64H8VS"); hr_put_i64 (&a, 1000);
    hr_put_u32 (&a, 20);
    void *body;
    size_t len;
    ck_assert_int_eq (call ("for_user", &a, &body, &len), HR_OK);
    hr_writer_free (&a);
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    hr_scored_t *clicked, *searched;
    uint32_t nc, ns;
    ck_assert_int_eq (hr_get_scored_list (&r, &clicked, &nc), 0);
    ck_assert_int_eq (hr_get_scored_list (&r, &searched, &ns), 0);
    ck_assert (hr_reader_done (&r));
    ck_assert_uint_eq (nc, 20);
    ck_assert_uint_gt (ns, 0);
    for (uint32_t k = 0; k < nc; k++) {
        ck_assert_str_ne (clicked[k].id, "B09SZHVDBW");
        ck_assert_str_ne (clicked[k].id, "B09Y64H8VS");
    }
    /*  the newest click (the saree) leads the clicked list                  */
    ck_assert_str_eq (clicked[0].source, "B09SZHVDBW");
    ck_assert_str_eq (searched[0].source, "wireless earphones");
    free (clicked);
    free (searched);
    free (body);
    /*  a truncated history is refused                                       */
    hr_writer_init (&a);
    hr_put_u32 (&a, 5);
    hr_put_u8 (&a, 1);
    ck_assert_int_eq (call ("for_user", &a, &body, &len), HR_BAD_REQUEST);
    hr_writer_free (&a);
    free (body);
}
END_TEST

START_TEST (test_hot_reload_from_store)
{
    NEED_CATALOG ();
    const char *db = getenv ("DATABASE_URL"), *rd = getenv ("REDIS_URL");
    if (!db) {
        printf ("SKIP: test_hot_reload_from_store: DATABASE_URL not set\n");
        return;
    }
    hr_pg_t *pg = hr_pg_new (db, 10000, 5000);
    ck_assert_ptr_nonnull (pg);
    ck_assert_int_ge (hr_migrate (pg), 0);
    hr_redis_t *redis = rd ? hr_redis_new (rd, 500) : NULL;
    /*  A state that polls the store, behind its own service.               */
    const char *paths[] = { catalog_path, NULL };
    content_state_t *polled = content_state_new (content_catalog_from_csv (paths), db, rd, NULL, 2);
    ck_assert_ptr_nonnull (polled);
    int64_t before = content_state_model_version (polled);

    hr_catalog_t *cat = content_catalog_from_csv (paths);
    content_train_opts_t o;
    content_train_opts_default (&o);
    o.nb.k = 7;                         /* recognisable: lists of at most 7 */
    o.lsa.dim = 16;
    content_model_t *m;
    content_train_stats_t st;
    ck_assert_int_eq (content_train_build (cat, 0, &o, &m, &st), 0);
    int64_t v = 0;
    ck_assert_int_eq (content_train_publish (pg, redis, m, &st, &v), 0);
    ck_assert_int_gt (v, before);
    content_model_destroy (&m);
    hr_catalog_destroy (&cat);

    hr_service_t *svc2 = hr_service_new (&content_service_def, polled, hr_broker_endpoint (broker), 1);
    ck_assert_ptr_nonnull (svc2);
    /*  the service's tick (every 2 s) swaps the new version in             */
    for (int i = 0; i < 100 && content_state_model_version (polled) != v; i++)
        usleep (100 * 1000);
    ck_assert_int_eq (content_state_model_version (polled), v);
    hr_service_destroy (&svc2);
    content_state_destroy (&polled);
    hr_redis_destroy (&redis);
    hr_pg_destroy (&pg);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("content_service");
    TCase *tc = tcase_create ("service");
    tcase_add_unchecked_fixture (tc, setup, teardown);
    tcase_set_timeout (tc, 120);
    tcase_add_test (tc, test_without_model_then_with);
    tcase_add_test (tc, test_search_queries);
    tcase_add_test (tc, test_for_user);
    tcase_add_test (tc, test_hot_reload_from_store);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);    /* ZMQ contexts do not survive fork */
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
