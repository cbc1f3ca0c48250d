/*  End-to-end: what a shop needs to plug hybridrec in (issue 19) — the
    exclude= / category= filters, the recommendation id header, gzip, and
    the OpenAPI document's operation ids, tags and status codes.           */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>
#include "e2e_stack.h"

static void
setup (void)
{
    if (e2e_stack_start () != 0)
        ck_abort_msg ("the stack did not start");
}

static json_t *
get_json (const char *target, const char *headers, int status, hr_http_response_t *keep)
{
    hr_http_response_t res = e2e_request ("GET", target, headers, NULL);
    ck_assert_msg (res.status == status, "GET %s: %d, wanted %d", target, res.status, status);
    json_error_t err;
    json_t *j = json_loadb (res.body, res.body_len, 0, &err);
    ck_assert_msg (j, "GET %s: not JSON", target);
    if (keep)
        *keep = res;
    else
        hr_http_response_free (&res);
    return j;
}

/*  Every product of every list of a /home answer.  */
static bool
home_has (json_t *home, const char *id)
{
    static const char *const keys[] = { "personalized", "trending", "best_value", "diverse_picks" };
    for (size_t k = 0; k < 4; k++)
        if (e2e_has_id (json_object_get (home, keys[k]), id))
            return true;
    const char *name;
    json_t *list;
    json_object_foreach (json_object_get (home, "top_categories"), name, list)
        if (e2e_has_id (list, id))
            return true;
    return false;
}

static void
assert_category (json_t *items, const char *main_category)
{
    size_t i;
    json_t *it;
    json_array_foreach (items, i, it) {
        const char *c = json_string_value (json_object_get (it, "category"));
        ck_assert_msg (c && strncasecmp (c, main_category, strlen (main_category)) == 0,
                       "item of category %s under category=%s", c, main_category);
    }
}

START_TEST (test_exclude)
{
    const char *a = e2e_some_product (0), *b = e2e_some_product (1);
    char target[256];
    snprintf (target, sizeof target, "/recommendations/home?user_id=shopper1&exclude=%s,%s", a, b);
    json_t *j = get_json ("/recommendations/home?user_id=shopper1", NULL, 200, NULL);
    ck_assert (home_has (j, a));
    json_decref (j);
    j = get_json (target, NULL, 200, NULL);
    ck_assert (!home_has (j, a) && !home_has (j, b));
    ck_assert_uint_gt (json_array_size (json_object_get (j, "trending")), 0);
    json_decref (j);

    /*  /product: the first similar item of a, then excluded  */
    snprintf (target, sizeof target, "/recommendations/product/%s", a);
    j = get_json (target, NULL, 200, NULL);
    json_t *sim = json_object_get (j, "similar");
    ck_assert_uint_gt (json_array_size (sim), 1);
    char first[11];
    snprintf (first, sizeof first, "%s", json_string_value (json_object_get (json_array_get (sim, 0), "id")));
    size_t n = json_array_size (sim);
    json_decref (j);
    snprintf (target, sizeof target, "/recommendations/product/%s?exclude=%s", a, first);
    j = get_json (target, NULL, 200, NULL);
    ck_assert (!e2e_has_id (json_object_get (j, "similar"), first));
    ck_assert_uint_eq (json_array_size (json_object_get (j, "similar")), n);      /* topped up */
    json_decref (j);

    /*  /search  */
    j = get_json ("/recommendations/search?query=phone&response_limit=5", NULL, 200, NULL);
    snprintf (first, sizeof first, "%s",
              json_string_value (json_object_get (json_array_get (json_object_get (j, "results"), 0), "id")));
    json_decref (j);
    snprintf (target, sizeof target, "/recommendations/search?query=phone&response_limit=5&exclude=%s", first);
    j = get_json (target, NULL, 200, NULL);
    ck_assert (!e2e_has_id (json_object_get (j, "results"), first));
    ck_assert_uint_eq (json_array_size (json_object_get (j, "results")), 5);
    json_decref (j);

    e2e_expect_status (400, "GET", "/recommendations/home?user_id=shopper1&exclude=lowercase1", NULL);
    e2e_expect_status (400, "GET", "/recommendations/search?query=phone&exclude=ABC", NULL);
    char many[2048] = "/recommendations/product/";
    strcat (many, a);
    strcat (many, "?exclude=");
    for (int i = 0; i < 101; i++)
        strcat (many, i ? ",AAAAAAAAAA" : "AAAAAAAAAA");
    e2e_expect_status (400, "GET", many, NULL);
}
END_TEST

START_TEST (test_category)
{
    /*  the main category of a trending item  */
    json_t *j = get_json ("/recommendations/home?user_id=shopper2&response_limit=1", NULL, 200, NULL);
    const char *c = json_string_value (json_object_get (json_array_get (json_object_get (j, "trending"), 0), "category"));
    char main_cat[128];
    snprintf (main_cat, sizeof main_cat, "%.*s", (int) (strstr (c, " > ") - c), c);
    json_decref (j);
    char target[512], enc[400] = "";
    for (const unsigned char *p = (const unsigned char *) main_cat; *p; p++)
        snprintf (enc + strlen (enc), sizeof enc - strlen (enc),
                  (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ? "%c" : "%%%02X", *p);
    snprintf (target, sizeof target, "/recommendations/home?user_id=shopper2&category=%s", enc);
    j = get_json (target, NULL, 200, NULL);
    ck_assert_uint_gt (json_array_size (json_object_get (j, "trending")), 0);
    assert_category (json_object_get (j, "trending"), main_cat);
    assert_category (json_object_get (j, "best_value"), main_cat);
    assert_category (json_object_get (j, "diverse_picks"), main_cat);
    const char *name;
    json_t *list;
    json_object_foreach (json_object_get (j, "top_categories"), name, list) {
        ck_assert_uint_gt (json_array_size (list), 0);
        assert_category (list, main_cat);
    }
    json_decref (j);
    snprintf (target, sizeof target, "/recommendations/search?query=a&category=%s", enc);
    hr_http_response_t res = e2e_request ("GET", target, NULL, NULL);
    ck_assert (res.status == 200 || res.status == 404);
    json_t *s = json_loadb (res.body, res.body_len, 0, NULL);
    assert_category (json_object_get (s, "results"), main_cat);
    json_decref (s);
    hr_http_response_free (&res);
    j = get_json ("/recommendations/home?user_id=shopper2&category=NoSuchCategoryAtAll", NULL, 200, NULL);
    ck_assert_uint_eq (json_array_size (json_object_get (j, "trending")), 0);
    json_decref (j);
    e2e_expect_status (400, "GET", "/recommendations/home?user_id=shopper2&category=%20%20", NULL);
}
END_TEST

START_TEST (test_recommendation_id)
{
    char target[128];
    snprintf (target, sizeof target, "/recommendations/product/%s", e2e_some_product (2));
    const char *targets[] = { "/recommendations/home?user_id=shopper3", target,
                              "/recommendations/search?query=phone", "/healthz" };
    char seen[3][64];
    for (int i = 0; i < 4; i++) {
        hr_http_response_t res = e2e_request ("GET", targets[i], NULL, NULL);
        ck_assert_int_eq (res.status, 200);
        char rec[64], rid[64];
        const char *has = hr_http_header (&res, "x-recommendation-id", rec, sizeof rec);
        ck_assert_ptr_nonnull (hr_http_header (&res, "x-request-id", rid, sizeof rid));
        if (i == 3)
            ck_assert_ptr_null (has);
        else {
            ck_assert_ptr_nonnull (has);
            static const char *const surfaces[] = { "home.", "product.", "search." };
            ck_assert_msg (!strncmp (rec, surfaces[i], strlen (surfaces[i]))
                           && !strcmp (rec + strlen (surfaces[i]), rid), "%s for %s", rec, rid);
            snprintf (seen[i], sizeof seen[i], "%s", rec);
            for (int k = 0; k < i; k++)
                ck_assert_str_ne (seen[k], rec);
        }
        hr_http_response_free (&res);
    }
}
END_TEST

static size_t
gunzip (const char *in, size_t len, char **out)
{
    size_t cap = len * 20 + 1024;
    *out = malloc (cap);
    z_stream z = { 0 };
    ck_assert_int_eq (inflateInit2 (&z, 16 + MAX_WBITS), Z_OK);
    z.next_in = (Bytef *) in;
    z.avail_in = (uInt) len;
    z.next_out = (Bytef *) *out;
    z.avail_out = (uInt) cap;
    ck_assert_int_eq (inflate (&z, Z_FINISH), Z_STREAM_END);
    size_t n = z.total_out;
    inflateEnd (&z);
    return n;
}

START_TEST (test_gzip)
{
    const char *target = "/recommendations/search?query=phone";
    hr_http_response_t plain = e2e_request ("GET", target, NULL, NULL);
    ck_assert_int_eq (plain.status, 200);
    char enc[32];
    ck_assert_ptr_null (hr_http_header (&plain, "content-encoding", enc, sizeof enc));
    hr_http_response_t gz = e2e_request ("GET", target, "Accept-Encoding: gzip\r\n", NULL);
    ck_assert_int_eq (gz.status, 200);
    ck_assert_ptr_nonnull (hr_http_header (&gz, "content-encoding", enc, sizeof enc));
    ck_assert_str_eq (enc, "gzip");
    char *body;
    size_t n = gunzip (gz.body, gz.body_len, &body);
    json_t *a = json_loadb (plain.body, plain.body_len, 0, NULL), *b = json_loadb (body, n, 0, NULL);
    ck_assert (a && b);
    ck_assert (json_equal (json_object_get (a, "results"), json_object_get (b, "results")));
    ck_assert_uint_lt (gz.body_len * 3, plain.body_len);
    printf ("gzip: default /search?query=phone answer %zu bytes, gzip %zu bytes\n", plain.body_len, gz.body_len);
    json_decref (a);
    json_decref (b);
    free (body);
    hr_http_response_free (&plain);
    hr_http_response_free (&gz);
}
END_TEST

/*  Every operation has an operationId (unique), tags, and 414/431 among
    its documented statuses; the filters are documented.  */
START_TEST (test_openapi_operations)
{
    hr_http_response_t res = e2e_request ("GET", "/openapi.yaml", NULL, NULL);
    ck_assert_int_eq (res.status, 200);
    int ops = 0;
    char ids[64][64];
    for (char *p = strstr (res.body, "\npaths:\n"); p && (p = strstr (p, "\n    ")); p++) {
        if (!strncmp (p, "\ncomponents:", 12))
            break;
        static const char *const methods[] = { "get:", "post:", "put:", "patch:", "delete:" };
        bool is_op = false;
        for (int m = 0; m < 5; m++)
            if (!strncmp (p + 5, methods[m], strlen (methods[m])) && p[5 + strlen (methods[m])] == '\n')
                is_op = true;
        char *comp = strstr (res.body, "\ncomponents:\n");
        if (p > comp)
            break;
        if (!is_op)
            continue;
        char *next = strstr (p + 1, "\n  /");
        if (!next || next > comp)
            next = comp;
        char *oid = strstr (p, "      operationId: ");
        ck_assert_msg (oid && oid < next, "an operation without operationId near %.60s", p);
        ck_assert (ops < 64);
        sscanf (oid + 19, "%63s", ids[ops]);
        for (int k = 0; k < ops; k++)
            ck_assert_str_ne (ids[k], ids[ops]);
        char *tags = strstr (p, "      tags: [");
        ck_assert_msg (tags && tags < next, "%s has no tags", ids[ops]);
        char *s414 = strstr (p, "'414'");
        ck_assert_msg (s414 && s414 < next, "%s does not document 414", ids[ops]);
        ops++;
    }
    ck_assert_int_ge (ops, 20);
    ck_assert_ptr_nonnull (strstr (res.body, "name: exclude"));
    ck_assert_ptr_nonnull (strstr (res.body, "name: category"));
    hr_http_response_free (&res);
}
END_TEST


/* ------------------------------------------------------------ catalog API */

static int
status_of (const char *method, const char *target, const char *body)
{
    hr_http_response_t res = e2e_request (method, target, body ? "Content-Type: application/json\r\n" : NULL, body);
    int status = res.status;
    hr_http_response_free (&res);
    return status;
}

/*  Polls until `check` holds (a condition, not a sleep; 60 s bound).
    Returns the milliseconds it took.  */
static long long
wait_until (bool (*check) (const char *), const char *arg, const char *what)
{
    long long start = e2e_now_ms ();
    while (!check (arg)) {
        ck_assert_msg (e2e_now_ms () - start < 60000, "waited 60 s for %s", what);
        usleep (20000);
    }
    return e2e_now_ms () - start;
}

static bool
product_exists (const char *id)
{
    char target[96];
    snprintf (target, sizeof target, "/recommendations/product/%s", id);
    return status_of ("GET", target, NULL) == 200;
}

static bool
product_gone (const char *id)
{
    char target[96];
    snprintf (target, sizeof target, "/recommendations/product/%s", id);
    return status_of ("GET", target, NULL) == 404;
}

static bool
search_finds (const char *spec)       /* "query|ID" */
{
    char query[64], id[11], target[160];
    const char *bar = strchr (spec, '|');
    snprintf (query, sizeof query, "%.*s", (int) (bar - spec), spec);
    snprintf (id, sizeof id, "%s", bar + 1);
    snprintf (target, sizeof target, "/recommendations/search?query=%s&response_limit=20", query);
    hr_http_response_t res = e2e_request ("GET", target, NULL, NULL);
    json_t *j = json_loadb (res.body, res.body_len, 0, NULL);
    bool found = res.status == 200 && e2e_has_id (json_object_get (j, "results"), id);
    json_decref (j);
    hr_http_response_free (&res);
    return found;
}

static bool
has_similar (const char *id)
{
    char target[96];
    snprintf (target, sizeof target, "/recommendations/product/%s", id);
    hr_http_response_t res = e2e_request ("GET", target, NULL, NULL);
    json_t *j = json_loadb (res.body, res.body_len, 0, NULL);
    bool yes = res.status == 200 && json_array_size (json_object_get (j, "similar")) > 0;
    json_decref (j);
    hr_http_response_free (&res);
    return yes;
}

START_TEST (test_catalog_upsert_search_neighbours_delete)
{
    const char *body =
        "{\"name\":\"Zorblax Quantum Kettle Stainless Steel 1.5L\",\"main_category\":\"appliances\","
        "\"sub_category\":\"Kitchen & Home Appliances\",\"image\":\"https://example.com/k.jpg\","
        "\"link\":null,\"ratings\":4.2,\"no_of_ratings\":12,\"discount_price\":999,"
        "\"actual_price\":1999}";
    ck_assert_int_eq (status_of ("PUT", "/api/v1/catalog/products/ZZNEWKET01", body), 200);
    long long ms = wait_until (product_exists, "ZZNEWKET01", "the new product in the gateway");
    printf ("catalog: a new product served by /product after %lld ms\n", ms);
    ms = wait_until (search_finds, "zorblax|ZZNEWKET01", "the new product searchable");
    printf ("catalog: the new product searchable after %lld ms (no retrain)\n", ms);
    ms = wait_until (has_similar, "ZZNEWKET01", "content neighbours of the new product");
    printf ("catalog: the new product has content neighbours after %lld ms\n", ms);

    /*  upsert again: updated, not created; the body's id must match  */
    hr_http_response_t res = e2e_request ("PUT", "/api/v1/catalog/products/ZZNEWKET01", NULL, body);
    ck_assert_int_eq (res.status, 200);
    json_t *j = json_loadb (res.body, res.body_len, 0, NULL);
    ck_assert (json_is_false (json_object_get (j, "created")));
    ck_assert_int_gt (json_integer_value (json_object_get (j, "catalog_version")), 0);
    json_decref (j);
    hr_http_response_free (&res);
    ck_assert_int_eq (status_of ("PUT", "/api/v1/catalog/products/ZZNEWKET01", "{\"id\":\"ZZNEWKET02\",\"name\":\"x\",\"main_category\":\"a\",\"sub_category\":\"b\"}"), 422);
    ck_assert_int_eq (status_of ("PUT", "/api/v1/catalog/products/ZZNEWKET01", "{\"name\":\"\",\"main_category\":\"a\",\"sub_category\":\"b\"}"), 422);
    ck_assert_int_eq (status_of ("PUT", "/api/v1/catalog/products/ZZNEWKET01", "{\"name\":\"x\",\"main_category\":\"a\",\"sub_category\":\"b\",\"ratings\":7}"), 422);
    ck_assert_int_eq (status_of ("PUT", "/api/v1/catalog/products/ZZNEWKET01", "{\"name\":\"x\",\"main_category\":\"a\",\"sub_category\":\"b\",\"status\":\"gone\"}"), 422);
    ck_assert_int_eq (status_of ("PUT", "/api/v1/catalog/products/ZZNEWKET01", "not json"), 422);
    ck_assert_int_eq (status_of ("PUT", "/api/v1/catalog/products/lowercase1", body), 400);
    ck_assert_int_eq (status_of ("GET", "/api/v1/catalog/products/ZZNEWKET01", NULL), 405);

    ck_assert_int_eq (status_of ("DELETE", "/api/v1/catalog/products/ZZNEWKET01", NULL), 200);
    wait_until (product_gone, "ZZNEWKET01", "the deleted product gone");
    ck_assert_int_eq (status_of ("DELETE", "/api/v1/catalog/products/ZZNEWKET01", NULL), 404);
    ck_assert_int_eq (status_of ("PATCH", "/api/v1/catalog/products/ZZNEWKET01", "{\"status\":\"hidden\"}"), 404);
}
END_TEST

/*  Ids unique to this run (the test stack's database may outlive it).    */
static char *
with_ids (const char *tmpl)
{
    char pid[8];
    snprintf (pid, sizeof pid, "%05d", (int) getpid () % 100000);
    char *out = strdup (tmpl);
    for (char *p = out; (p = strstr (p, "ZZBATCH")); p += 7)
        memcpy (p + 2, pid, 5);
    return out;
}

START_TEST (test_catalog_batch)
{
    char *array = with_ids (
        "[{\"id\":\"ZZBATCH001\",\"name\":\"Batch One Lamp\",\"main_category\":\"home\",\"sub_category\":\"Lamps\"},"
        " {\"id\":\"ZZBATCH002\",\"name\":\"Batch Two Lamp\",\"main_category\":\"home\",\"sub_category\":\"Lamps\",\"status\":\"hidden\"},"
        " {\"id\":\"ZZBATCH001\",\"name\":\"Batch One Lamp v2\",\"main_category\":\"home\",\"sub_category\":\"Lamps\"}]");
    hr_http_response_t res = e2e_request ("POST", "/api/v1/catalog/products", "Content-Type: application/json\r\n", array);
    ck_assert_int_eq (res.status, 200);
    json_t *j = json_loadb (res.body, res.body_len, 0, NULL);
    ck_assert_int_eq (json_integer_value (json_object_get (j, "received")), 3);
    ck_assert_int_eq (json_integer_value (json_object_get (j, "created")), 2);
    json_decref (j);
    hr_http_response_free (&res);
    free (array);
    char *ndjson = with_ids (
        "{\"id\":\"ZZBATCH003\",\"name\":\"Batch Three Lamp\",\"main_category\":\"home\",\"sub_category\":\"Lamps\"}\n"
        "\n"
        "{\"id\":\"ZZBATCH001\",\"name\":\"Batch One Lamp v3\",\"main_category\":\"home\",\"sub_category\":\"Lamps\",\"actual_price\":10,\"discount_price\":5}\n");
    res = e2e_request ("POST", "/api/v1/catalog/products", "Content-Type: application/x-ndjson\r\n", ndjson);
    free (ndjson);
    ck_assert_int_eq (res.status, 200);
    j = json_loadb (res.body, res.body_len, 0, NULL);
    ck_assert_int_eq (json_integer_value (json_object_get (j, "received")), 2);
    ck_assert_int_eq (json_integer_value (json_object_get (j, "created")), 1);
    ck_assert_int_eq (json_integer_value (json_object_get (j, "updated")), 1);
    json_decref (j);
    hr_http_response_free (&res);
    char *id3 = with_ids ("ZZBATCH003"), *id2 = with_ids ("ZZBATCH002"), *id4 = with_ids ("ZZBATCH004");
    wait_until (product_exists, id3, "the NDJSON product");
    ck_assert (product_exists (id2));       /* hidden: its own page still works */

    /*  one bad product: nothing is written  */
    char *bad = with_ids ("[{\"id\":\"ZZBATCH004\",\"name\":\"ok\",\"main_category\":\"a\",\"sub_category\":\"b\"},"
                          " {\"id\":\"bad\",\"name\":\"x\",\"main_category\":\"a\",\"sub_category\":\"b\"}]");
    ck_assert_int_eq (status_of ("POST", "/api/v1/catalog/products", bad), 422);
    free (bad);
    ck_assert_int_eq (status_of ("POST", "/api/v1/catalog/products", "[]"), 422);
    ck_assert_int_eq (status_of ("POST", "/api/v1/catalog/products", "{\"id\":\"ZZBATCH005\",\"name\":\"x\"\n"), 422);
    size_t cap = 1001 * 80 + 16, len = 0;
    char *big = malloc (cap);
    len += (size_t) snprintf (big + len, cap - len, "[");
    for (int i = 0; i < 1001; i++)
        len += (size_t) snprintf (big + len, cap - len, "%s{\"id\":\"ZZB%07d\",\"name\":\"n\",\"main_category\":\"a\",\"sub_category\":\"b\"}",
                                  i ? "," : "", i);
    snprintf (big + len, cap - len, "]");
    ck_assert_int_eq (status_of ("POST", "/api/v1/catalog/products", big), 422);
    free (big);
    ck_assert (!product_exists (id4));
    free (id2);
    free (id3);
    free (id4);
}
END_TEST

/*  Load while hiding: a thread keeps asking /home, /product and /search.  */
static atomic_bool s_load_stop;
static atomic_long s_load_requests;

static void *
load_main (void *arg)
{
    const char *product = arg;
    hr_http_t *c = hr_http_new ("127.0.0.1", e2e_port ());
    char target[160];
    for (long i = 0; !atomic_load (&s_load_stop); i++) {
        if (i % 3 == 0)
            snprintf (target, sizeof target, "/recommendations/home?user_id=load%ld", i % 50);
        else if (i % 3 == 1)
            snprintf (target, sizeof target, "/recommendations/product/%s", product);
        else
            snprintf (target, sizeof target, "/recommendations/search?query=phone&response_limit=50");
        hr_http_response_t res;
        if (hr_http_request (c, "GET", target, NULL, NULL, 0, &res) == 0) {
            atomic_fetch_add (&s_load_requests, 1);
            hr_http_response_free (&res);
        }
    }
    hr_http_destroy (&c);
    return NULL;
}

typedef struct {
    char id[11];                /* the hidden product */
    char home[160], product[160], search[512];
} hide_probe_t;

static hide_probe_t s_probe;

/*  How many of the three answers list the product, or -1 when one was not
    a full answer (a 503 or a degraded answer under load proves nothing
    either way).  */
static int
probe_lists (void)
{
    const char *targets[] = { s_probe.home, s_probe.product, s_probe.search };
    int lists = 0;
    for (int i = 0; i < 3; i++) {
        hr_http_response_t res = e2e_request ("GET", targets[i], NULL, NULL);
        json_t *j = res.status == 200 ? json_loadb (res.body, res.body_len, 0, NULL) : NULL;
        hr_http_response_free (&res);
        if (!j || json_object_get (j, "degraded")) {
            json_decref (j);
            return -1;
        }
        lists += i == 0 ? home_has (j, s_probe.id)
                        : e2e_has_id (json_object_get (j, i == 1 ? "similar" : "results"), s_probe.id);
        json_decref (j);
    }
    return lists;
}

static bool
listed_everywhere (const char *unused)
{
    (void) unused;
    return probe_lists () == 3;
}

static bool
hidden_everywhere (const char *unused)
{
    (void) unused;
    return probe_lists () == 0;
}

/*  Percent-encodes `in` for a query string.  */
static void
url_encode (const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *) in; *p && n + 4 < cap; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            out[n++] = (char) *p;
        else
            n += (size_t) snprintf (out + n, cap - n, "%%%02X", *p);
    }
    out[n] = '\0';
}

/*  A product that /home (trending), /product (of a neighbour that lists it
    among its similar items) and /search (by its own name) all list:
    candidates are the trending products `first`..7.  */
static bool
find_listed_everywhere (int first)
{
    json_t *home = get_json ("/recommendations/home?user_id=e2eprobe&response_limit=8", NULL, 200, NULL);
    json_t *trending = json_object_get (home, "trending");
    bool found = false;
    for (size_t k = (size_t) first; k < json_array_size (trending) && !found; k++) {
        json_t *item = json_array_get (trending, k);
        const char *name = json_string_value (json_object_get (item, "name"));
        snprintf (s_probe.id, sizeof s_probe.id, "%s", json_string_value (json_object_get (item, "id")));
        char target[128], query[400];
        snprintf (target, sizeof target, "/recommendations/product/%s", s_probe.id);
        json_t *j = get_json (target, NULL, 200, NULL);
        size_t i;
        json_t *it;
        s_probe.product[0] = '\0';
        json_array_foreach (json_object_get (j, "similar"), i, it) {
            snprintf (target, sizeof target, "/recommendations/product/%s",
                      json_string_value (json_object_get (it, "id")));
            json_t *n = get_json (target, NULL, 200, NULL);
            bool back = e2e_has_id (json_object_get (n, "similar"), s_probe.id);
            json_decref (n);
            if (back) {
                snprintf (s_probe.product, sizeof s_probe.product, "%s", target);
                break;
            }
        }
        json_decref (j);
        if (!s_probe.product[0] || !name)
            continue;
        url_encode (name, query, sizeof query);
        snprintf (s_probe.search, sizeof s_probe.search, "/recommendations/search?query=%s&response_limit=50", query);
        snprintf (s_probe.home, sizeof s_probe.home, "/recommendations/home?user_id=hider%d&response_limit=60",
                  (int) getpid ());
        found = probe_lists () == 3;
    }
    json_decref (home);
    return found;
}

/*  Issue 19: hiding a product through the API removes it from /home,
    /product and /search within 5 s while the stack serves load.  The wait
    polls the condition; 5 s (from sending the PATCH) is the bound. */
START_TEST (test_hide_under_load)
{
    ck_assert_msg (find_listed_everywhere (2), "no trending product listed by /home, /product and /search");
    printf ("catalog: %s listed by %s, %s and %s\n", s_probe.id, s_probe.home, s_probe.product, s_probe.search);

    pthread_t load[2];
    atomic_store (&s_load_stop, false);
    const char *anchor = strrchr (s_probe.product, '/') + 1;
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq (pthread_create (&load[i], NULL, load_main, (void *) anchor), 0);
    while (atomic_load (&s_load_requests) < 50)
        usleep (10000);
    char path[96], body[64];
    snprintf (path, sizeof path, "/api/v1/catalog/products/%s", s_probe.id);
    snprintf (body, sizeof body, "{\"status\":\"hidden\"}");
    long long t0 = e2e_now_ms ();
    long before = atomic_load (&s_load_requests);
    ck_assert_int_eq (status_of ("PATCH", path, body), 200);
    while (!hidden_everywhere (NULL)) {
        ck_assert_msg (e2e_now_ms () - t0 < 5000, "%s still listed (or no full answer) 5 s after the PATCH", s_probe.id);
        usleep (20000);
    }
    long long ms = e2e_now_ms () - t0;
    long during = atomic_load (&s_load_requests) - before;
    printf ("catalog: hidden product gone from /home, /product, /search %lld ms after the PATCH was sent, "
            "%ld load requests served meanwhile\n", ms, during);
    ck_assert_int_gt (during, 0);                   /* the load really ran */
    ck_assert (product_exists (s_probe.id));        /* its own page stays */
    snprintf (body, sizeof body, "{\"status\":\"in_stock\"}");
    ck_assert_int_eq (status_of ("PATCH", path, body), 200);
    wait_until (listed_everywhere, NULL, "the product listed again");
    atomic_store (&s_load_stop, true);
    for (int i = 0; i < 2; i++)
        pthread_join (load[i], NULL);
    printf ("catalog: %ld requests served by the load threads\n", atomic_load (&s_load_requests));
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("e2e_shop");
    TCase *tc = tcase_create ("shop");
    tcase_set_timeout (tc, 300);
    tcase_add_unchecked_fixture (tc, setup, e2e_stack_stop);
    tcase_add_test (tc, test_exclude);
    tcase_add_test (tc, test_category);
    tcase_add_test (tc, test_recommendation_id);
    tcase_add_test (tc, test_gzip);
    tcase_add_test (tc, test_openapi_operations);
    tcase_add_test (tc, test_catalog_upsert_search_neighbours_delete);
    tcase_add_test (tc, test_catalog_batch);
    tcase_add_test (tc, test_hide_under_load);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_set_fork_status (sr, CK_NOFORK);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
