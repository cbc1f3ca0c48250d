/*  gw_catalog_api — requests checked here (the product fields by
    gw_catalog_product), the SQL on the jobs thread (gw_jobs).             */
#include "gw_catalog_api.h"
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gw_buf.h"
#include "gw_catalog_product.h"
#include "gw_jobs.h"
#include "gw_respond.h"
#include "hr_log.h"
#include "hr_validate.h"

typedef enum { OP_UPSERT, OP_STATUS, OP_DELETE } op_t;

typedef struct {
    gw_request_t *r;
    op_t op;
    char id[HR_PRODUCT_ID_LEN + 1];
    int status;
    char *products;             /* OP_UPSERT: normalised JSON array (malloc'd) */
    uint32_t count;
    /*  results (jobs thread) */
    int rc;                     /* 0 done, 1 no such product, -1 database error */
    long long created, changed, version;
} cat_job_t;

/* ------------------------------------------------------------ SQL (jobs thread) */

/*  jsonb_to_recordset: the whole batch is one parameter and one statement,
    the version bump included (a data-modifying CTE always runs).  A product
    sent without "status" keeps the one it has (new ones: in stock).       */
static const char *const sql_upsert =
    "WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, name text,"
    "  main_category text, sub_category text, image text, link text, ratings float8,"
    "  no_of_ratings bigint, discount_price float8, actual_price float8, discount_ratio float8,"
    "  status smallint)),"
    " up AS ("
    " INSERT INTO products (id, name, main_category, sub_category, image, link, ratings,"
    "  no_of_ratings, discount_price, actual_price, discount_ratio, status, updated_at)"
    " SELECT x.id, x.name, x.main_category, x.sub_category, x.image, x.link, x.ratings,"
    "  coalesce(x.no_of_ratings, 0), x.discount_price, x.actual_price, x.discount_ratio,"
    "  coalesce(x.status, p.status, 0), now()"
    " FROM x LEFT JOIN products p ON p.id = x.id"
    " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, main_category = EXCLUDED.main_category,"
    "  sub_category = EXCLUDED.sub_category, image = EXCLUDED.image, link = EXCLUDED.link,"
    "  ratings = EXCLUDED.ratings, no_of_ratings = EXCLUDED.no_of_ratings,"
    "  discount_price = EXCLUDED.discount_price, actual_price = EXCLUDED.actual_price,"
    "  discount_ratio = EXCLUDED.discount_ratio, status = EXCLUDED.status, updated_at = now()"
    " RETURNING (xmax = 0) AS created),"
    " v AS (UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'catalog_version'"
    "  RETURNING value::bigint AS version)"
    " SELECT count(*) FILTER (WHERE created), count(*), (SELECT version FROM v) FROM up";

static const char *const sql_status =
    "WITH u AS (UPDATE products SET status = $2::smallint, updated_at = now() WHERE id = $1"
    "  RETURNING id),"
    " v AS (UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'catalog_version'"
    "  AND EXISTS (SELECT 1 FROM u) RETURNING value::bigint AS version)"
    " SELECT (SELECT count(*) FROM u), 0, (SELECT version FROM v)";

static const char *const sql_delete =
    "WITH d AS (DELETE FROM products WHERE id = $1 RETURNING id),"
    " v AS (UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'catalog_version'"
    "  AND EXISTS (SELECT 1 FROM d) RETURNING value::bigint AS version)"
    " SELECT (SELECT count(*) FROM d), 0, (SELECT version FROM v)";

static void
s_job_run (void *arg, gw_job_env_t *env)
{
    cat_job_t *j = arg;
    j->rc = -1;
    if (!env->pg)
        return;
    char status[4];
    snprintf (status, sizeof status, "%d", j->status);
    const char *params[2] = { j->op == OP_UPSERT ? j->products : j->id, status };
    const char *sql = j->op == OP_UPSERT ? sql_upsert : j->op == OP_STATUS ? sql_status : sql_delete;
    PGresult *res = hr_pg_exec (env->pg, sql, j->op == OP_STATUS ? 2 : 1, params);
    if (!res || PQntuples (res) != 1) {
        if (res)
            PQclear (res);
        return;
    }
    long long first = strtoll (PQgetvalue (res, 0, 0), NULL, 10);
    j->changed = strtoll (PQgetvalue (res, 0, 1), NULL, 10);
    j->version = PQgetisnull (res, 0, 2) ? -1 : strtoll (PQgetvalue (res, 0, 2), NULL, 10);
    PQclear (res);
    if (j->op == OP_UPSERT) {
        j->created = first;
        j->rc = 0;
    }
    else
        j->rc = first > 0 ? 0 : 1;
}

/* ------------------------------------------------------------ answers (loop) */

static void
s_job_done (void *arg)
{
    cat_job_t *j = arg;
    gw_request_t *r = j->r;
    free (j->products);
    j->products = NULL;
    if (j->rc < 0) {
        gw_send_error (r, 503, "unavailable", "the catalog could not be written (PostgreSQL)");
        return;
    }
    if (j->rc == 1) {
        gw_send_error (r, 404, "product_not_found", "no product with id %s", j->id);
        return;
    }
    gw_catalog_holder_poke (r->app->catalog);
    gw_buf_t b;
    gw_buf_init (&b, &r->req->pool, 192);
    switch (j->op) {
    case OP_UPSERT:
        if (j->count == 1 && j->id[0])
            gw_buf_printf (&b, "{\"id\":\"%s\",\"created\":%s", j->id, j->created ? "true" : "false");
        else
            gw_buf_printf (&b, "{\"received\":%u,\"created\":%lld,\"updated\":%lld", j->count,
                           j->created, j->changed - j->created);
        break;
    case OP_STATUS:
        gw_buf_printf (&b, "{\"id\":\"%s\",\"status\":\"%s\"", j->id, gw_catalog_product_status_name (j->status));
        break;
    case OP_DELETE:
        gw_buf_printf (&b, "{\"id\":\"%s\",\"deleted\":true", j->id);
        break;
    }
    gw_buf_printf (&b, ",\"catalog_version\":%lld}", j->version);
    gw_send_json (r, 200, &b);
}

static void
s_submit (cat_job_t *j)
{
    gw_request_t *r = j->r;
    if (gw_jobs_submit (r->app->jobs, r->thread->jobs, s_job_run, s_job_done, j) != 0) {
        free (j->products);
        gw_send_error (r, 503, "unavailable", "catalog writes are not available (no database or queue full)");
    }
}

static cat_job_t *
s_job_new (gw_request_t *r, op_t op)
{
    cat_job_t *j = h2o_mem_alloc_pool (&r->req->pool, sizeof *j);
    memset (j, 0, sizeof *j);
    j->r = r;
    j->op = op;
    return j;
}

/* ------------------------------------------------------------ validation */

static bool
s_body_within (gw_request_t *r, size_t max)
{
    if (r->req->entity.len <= max)
        return true;
    gw_send_error (r, 413, "body_too_large", "the body exceeds %zu bytes", max);
    return false;
}

static bool
s_valid_path_id (gw_request_t *r, h2o_iovec_t id)
{
    if (hr_valid_product_id (id.base, id.len))
        return true;
    gw_send_error (r, 400, "invalid_product_id", "product_id must match ^[A-Z0-9]{10}$");
    return false;
}

/*  Appends `product` to `array`, replacing an earlier one with its id (one
    statement cannot upsert the same row twice; the last wins).            */
static void
s_append_product (json_t *array, json_t *product)
{
    const char *id = json_string_value (json_object_get (product, "id"));
    size_t i;
    json_t *it;
    json_array_foreach (array, i, it)
        if (!strcmp (json_string_value (json_object_get (it, "id")), id)) {
            json_array_set_new (array, i, product);
            return;
        }
    json_array_append_new (array, product);
}

static void
s_submit_upsert (gw_request_t *r, json_t *array, uint32_t received, const char *single_id)
{
    cat_job_t *j = s_job_new (r, OP_UPSERT);
    j->products = json_dumps (array, JSON_COMPACT);
    j->count = received;
    if (single_id)
        memcpy (j->id, single_id, HR_PRODUCT_ID_LEN);
    if (!j->products) {
        gw_send_error (r, 500, "internal", "out of memory");
        return;
    }
    s_submit (j);
}

void
gw_handle_catalog_put (gw_request_t *r, h2o_iovec_t product_id)
{
    if (!s_valid_path_id (r, product_id) || !s_body_within (r, (size_t) r->app->settings.max_body))
        return;
    json_error_t err;
    h2o_iovec_t e = r->req->entity;
    json_t *in = json_loadb (e.base ? e.base : "", e.len, 0, &err);
    if (!in) {
        gw_send_error (r, 422, "invalid_json", "%s (line %d, column %d)", err.text, err.line, err.column);
        return;
    }
    char why[160] = "";
    json_t *p = gw_catalog_product_normalise (in, product_id.base, why, sizeof why);
    json_decref (in);
    if (!p) {
        gw_send_error (r, 422, "invalid_product", "%s", why);
        return;
    }
    json_t *array = json_array ();
    json_array_append_new (array, p);
    s_submit_upsert (r, array, 1, product_id.base);
    json_decref (array);
}

/*  The batch's objects: a JSON array, or NDJSON (blank lines skipped).
    NULL when answered (422).  */
static json_t *
s_batch_items (gw_request_t *r)
{
    h2o_iovec_t e = r->req->entity;
    const char *s = e.base ? e.base : "";
    size_t n = e.len, i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    json_error_t err;
    if (i < n && s[i] == '[') {
        json_t *a = json_loadb (s, n, 0, &err);
        if (!a)
            gw_send_error (r, 422, "invalid_json", "%s (line %d, column %d)", err.text, err.line, err.column);
        return a;
    }
    json_t *a = json_array ();
    int line = 0;
    for (size_t at = 0; at < n;) {
        const char *nl = memchr (s + at, '\n', n - at);
        size_t end = nl ? (size_t) (nl - s) : n;
        line++;
        size_t k = at;
        while (k < end && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
            k++;
        if (k < end) {
            json_t *o = json_loadb (s + at, end - at, 0, &err);
            if (!o) {
                gw_send_error (r, 422, "invalid_json", "NDJSON line %d: %s", line, err.text);
                json_decref (a);
                return NULL;
            }
            json_array_append_new (a, o);
        }
        at = end + 1;
    }
    return a;
}

void
gw_handle_catalog_batch (gw_request_t *r)
{
    if (!s_body_within (r, (size_t) r->app->settings.max_body * GW_CATALOG_BODY_FACTOR))
        return;
    json_t *items = s_batch_items (r);
    if (!items)
        return;
    size_t n = json_array_size (items);
    if (n == 0 || n > GW_CATALOG_BATCH_MAX) {
        json_decref (items);
        gw_send_error (r, 422, "invalid_batch", "a batch holds 1 to %d products (got %zu)",
                       GW_CATALOG_BATCH_MAX, n);
        return;
    }
    json_t *array = json_array ();
    for (size_t i = 0; i < n; i++) {
        char why[160] = "";
        json_t *p = gw_catalog_product_normalise (json_array_get (items, i), NULL, why, sizeof why);
        if (!p) {
            json_decref (items);
            json_decref (array);
            gw_send_error (r, 422, "invalid_product", "product %zu: %s (nothing was written)", i, why);
            return;
        }
        s_append_product (array, p);
    }
    json_decref (items);
    s_submit_upsert (r, array, (uint32_t) n, NULL);
    json_decref (array);
}

void
gw_handle_catalog_patch (gw_request_t *r, h2o_iovec_t product_id)
{
    if (!s_valid_path_id (r, product_id) || !s_body_within (r, (size_t) r->app->settings.max_body))
        return;
    json_error_t err;
    h2o_iovec_t e = r->req->entity;
    json_t *in = json_loadb (e.base ? e.base : "", e.len, 0, &err);
    int status = json_is_object (in) ? gw_catalog_product_status (json_object_get (in, "status")) : -1;
    json_decref (in);
    if (status < 0) {
        gw_send_error (r, 422, "invalid_body",
                       "the body must be {\"status\": \"in_stock\" | \"out_of_stock\" | \"hidden\"}");
        return;
    }
    cat_job_t *j = s_job_new (r, OP_STATUS);
    memcpy (j->id, product_id.base, HR_PRODUCT_ID_LEN);
    j->status = status;
    s_submit (j);
}

void
gw_handle_catalog_delete (gw_request_t *r, h2o_iovec_t product_id)
{
    if (!s_valid_path_id (r, product_id))
        return;
    cat_job_t *j = s_job_new (r, OP_DELETE);
    memcpy (j->id, product_id.base, HR_PRODUCT_ID_LEN);
    s_submit (j);
}
