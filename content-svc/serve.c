/*  serve — content-svc's state (snapshots swapped with hr_swap: the
    catalog from hr_catalog_source, the model from hr_model_source) and its
    request handlers: decode (hr_proto), compute, encode.  */
#include "serve.h"
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_model_store.h"
#include "hr_paths.h"
#include "hr_pg.h"
#include "hr_proto.h"
#include "hr_swap.h"
#include "hr_validate.h"
#include "model.h"
#include "protocol.h"
#include "recommend.h"
#include "search.h"
#include "snapshot.h"
#include "synonyms.h"
#include "text.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_PREFETCH 8       /* hits ahead whose product is prefetched */
#define SEARCH_BATCH 64         /* items per hr_put_scored_items */

/*  ---- snapshots ---------------------------------------------------------- */

struct content_state {
    content_synonyms_t *syn;
    unsigned threads;
    int poll_every;                 /* ticks (2 s) between catalog-version checks */
    int ticks;
    hr_swap_t *swap;                /* content_snapshot_t */
    hr_swap_t *catalogs;            /* hr_catalog_t */
    hr_model_source_t *model_source;        /* tick thread only; */
    hr_catalog_source_t *catalog_source;    /* NULL without a database */
    hr_gauge_t *g_version;
    hr_counter_t *c_empty_search, *c_swaps;
};

/*  hr_model_source's decoder: a snapshot over the current catalog with the
    model of `version` (none for version 0).                                */
static void *
s_decode (void *arg, const void *blob, size_t len, int64_t version)
{
    content_state_t *st = arg;
    char err[160];
    content_model_t *m = NULL;
    if (blob && !(m = content_model_decode (blob, len, err, sizeof err))) {
        hr_error ("content: model v%lld rejected: %s", (long long) version, err);
        return NULL;
    }
    hr_snapshot_t *cat = hr_swap_acquire (st->catalogs);
    content_snapshot_t *s = cat ? content_snapshot_new (cat, m, version, st->syn, st->threads) : NULL;
    if (!s)
        hr_error ("content: out of memory building the index for model v%lld", (long long) version);
    else if (m) {
        char vtext[24], ntext[24];
        snprintf (vtext, sizeof vtext, "%lld", (long long) version);
        snprintf (ntext, sizeof ntext, "%u", hr_catalog_size (s->catalog));
        hr_log_kv (HR_LOG_INFO, NULL, "content model loaded", "version", vtext,
                   "products", ntext, NULL);
    }
    hr_snapshot_release (&cat);
    return s;
}

static void
s_installed (content_state_t *st)
{
    hr_snapshot_t *snap = hr_swap_acquire (st->swap);
    const content_snapshot_t *s = hr_snapshot_data (snap);
    if (s)
        hr_gauge_set (st->g_version, (double) s->model_version);
    hr_counter_inc (st->c_swaps);
    hr_snapshot_release (&snap);
}

int64_t
content_state_model_version (content_state_t *st)
{
    hr_snapshot_t *snap = hr_swap_acquire (st->swap);
    const content_snapshot_t *s = hr_snapshot_data (snap);
    int64_t v = s ? s->model_version : -1;
    hr_snapshot_release (&snap);
    return v;
}

int
content_state_install (content_state_t *st, const void *blob, size_t len, int64_t version)
{
    content_snapshot_t *s = s_decode (st, blob, len, version);
    if (!s || hr_swap_install (st->swap, s, version) != 0)
        return -1;
    s_installed (st);
    return 0;
}

void
content_state_poll (content_state_t *st)
{
    if (st->catalog_source && st->ticks++ % st->poll_every == 0
        && hr_swap_poll (st->catalogs, hr_catalog_source_swap (st->catalog_source)) == 1)
        hr_swap_invalidate (st->swap);          /* the index follows the catalog */
    if (hr_swap_poll (st->swap, hr_model_source_swap (st->model_source)) == 1)
        s_installed (st);
}

static void
s_synonyms (content_state_t *st, const char *path)
{
    content_analyzer_t *an = content_analyzer_new ();
    int rules = an ? content_synonyms_load (st->syn, an, path) : -1;
    if (rules < 0)
        hr_warn ("content: cannot read synonyms from %s; searching without them", path);
    else
        hr_info ("content: %d synonym rules from %s", rules, path);
    content_analyzer_destroy (&an);
}

content_state_t *
content_state_new (hr_catalog_t *catalog, const char *pg_url, const char *redis_url,
                   const char *synonyms_path, unsigned threads)
{
    content_state_t *st = calloc (1, sizeof *st);
    if (!st)
        goto fail;
    st->threads = threads ? threads : 1;
    st->poll_every = 5;
    st->g_version = hr_gauge ("hr_content_model_version", "content model version served", NULL);
    st->c_empty_search = hr_counter ("hr_content_search_empty_total",
                                     "searches that matched nothing", NULL);
    st->c_swaps = hr_counter ("hr_content_snapshot_swaps_total",
                              "models/catalogs swapped in without a restart", NULL);
    st->syn = content_synonyms_new ();
    st->swap = hr_swap_new (content_snapshot_free);
    st->catalogs = hr_swap_new (hr_catalog_free);
    st->model_source = hr_model_source_new (HR_MODEL_CONTENT, pg_url, redis_url, s_decode, st);
    st->catalog_source = pg_url ? hr_catalog_source_new (pg_url, 5000) : NULL;
    if (!st->syn || !st->swap || !st->catalogs || !st->model_source || (pg_url && !st->catalog_source))
        goto fail;
    if (synonyms_path && *synonyms_path)
        s_synonyms (st, synonyms_path);
    const hr_swap_source_t *cs = st->catalog_source ? hr_catalog_source_swap (st->catalog_source) : NULL;
    int64_t cv = cs ? cs->current (cs->arg) : -1;
    if (hr_swap_install (st->catalogs, catalog, cv < 0 ? -1 : cv) != 0) {
        catalog = NULL;             /* freed by hr_swap_install */
        goto fail;
    }
    catalog = NULL;
    content_snapshot_t *s = s_decode (st, NULL, 0, 0);
    if (!s || hr_swap_install (st->swap, s, 0) != 0)
        goto fail;
    st->ticks = 1;                  /* the catalog was just read */
    content_state_poll (st);        /* a model published already? */
    return st;
fail:
    hr_catalog_destroy (&catalog);
    content_state_destroy (&st);
    return NULL;
}

void
content_state_destroy (content_state_t **self_p)
{
    assert (self_p);
    content_state_t *st = *self_p;
    if (!st)
        return;
    hr_swap_destroy (&st->swap);
    hr_swap_destroy (&st->catalogs);
    hr_model_source_destroy (&st->model_source);
    hr_catalog_source_destroy (&st->catalog_source);
    content_synonyms_destroy (&st->syn);
    free (st);
    *self_p = NULL;
}

/*  ---- handlers: decode (hr_proto), compute, encode ---------------------- */

/*  A product the model has no neighbours for (added through the catalog
    API since the last training): its name and sub category as a query on
    the search index, which is rebuilt with every catalog version, so a new
    product gets content neighbours without a retrain.                     */
static uint32_t
s_similar_by_search (const content_snapshot_t *s, uint32_t c, uint32_t limit, hr_writer_t *reply)
{
    const hr_product_t *self = hr_catalog_at (s->catalog, c);
    char q[4 * HR_QUERY_MAX];
    int qlen = snprintf (q, sizeof q, "%s %s", self->name, self->sub_category);
    size_t len = qlen < 0 ? 0 : (size_t) qlen < HR_QUERY_MAX ? (size_t) qlen : HR_QUERY_MAX;
    while (len > 0 && len < sizeof q - 1 && ((unsigned char) q[len] & 0xC0) == 0x80)
        len--;                          /* cut at a character boundary */
    content_search_session_t *x = content_search_session_take (s->search);
    if (!x)
        return 0;
    const content_hit_t *hits;
    uint32_t found = content_search_query (s->search, x, q, len, limit + 1, &hits), n = 0;
    for (uint32_t k = 0; k < found && n < limit; k++) {
        if (hits[k].doc == c)
            continue;
        hr_put_scored_item (reply, hr_catalog_at (s->catalog, hits[k].doc)->id,
                            hits[k].score, HR_STRAT_CONTENT, self->id, HR_PRODUCT_ID_LEN);
        n++;
    }
    content_search_session_give (s->search, &x);
    return n;
}

static int
s_similar (void *state, const void *model, const hr_proto_req_t *r, hr_writer_t *reply,
           hr_call_t *call)
{
    const content_snapshot_t *s = model;
    (void) state;
    const hr_proto_product_req_t req = r->product;
    if (!hr_valid_product_id (req.id, req.id_len))
        return hr_service_error (call, HR_BAD_REQUEST, "similar: invalid product id");
    int64_t c = hr_catalog_find (s->catalog, req.id);
    size_t begin = hr_scored_list_begin (reply);
    uint32_t n = 0;
    if (c >= 0 && s->model && s->nb_start[c] == s->nb_start[c + 1])
        n = s_similar_by_search (s, (uint32_t) c, req.limit, reply);
    else if (c >= 0)
        for (uint64_t p = s->nb_start[c]; p < s->nb_start[c + 1] && n < req.limit; p++) {
            const hr_product_t *prod = hr_catalog_at (s->catalog, s->nb_doc[p]);
            hr_put_scored_item (reply, prod->id, s->nb_score[p], HR_STRAT_CONTENT, req.id, req.id_len);
            n++;
        }
    hr_scored_list_end (reply, begin, n);
    return HR_OK;
}

/*  The query normalised in place (q points into the request).             */
static int
s_query (hr_proto_query_req_t *q, hr_call_t *call)
{
    int rc = hr_query_normalize (q->query, q->len, &q->query, &q->len);
    if (rc == HR_QUERY_EMPTY)
        return hr_service_error (call, HR_BAD_REQUEST, "query is empty");
    if (rc == HR_QUERY_TOO_LONG)
        return hr_service_error (call, HR_BAD_REQUEST, "query longer than 255 bytes");
    if (rc != HR_QUERY_OK)
        return hr_service_error (call, HR_BAD_REQUEST, "query is not valid UTF-8");
    return HR_OK;
}

static int
s_search (void *state, const void *model, const hr_proto_req_t *req, hr_writer_t *reply,
          hr_call_t *call)
{
    content_state_t *st = state;
    const content_snapshot_t *s = model;
    hr_proto_query_req_t q = req->query;
    int rc = s_query (&q, call);
    if (rc != HR_OK)
        return rc;
    uint32_t limit = q.limit < HR_CONTENT_LIMIT_MAX ? q.limit : HR_CONTENT_LIMIT_MAX;
    content_search_session_t *x = content_search_session_take (s->search);
    if (!x)
        return hr_service_error (call, HR_INTERNAL, "out of memory");
    const content_hit_t *hits;
    uint32_t n = content_search_query (s->search, x, q.query, q.len, limit, &hits);
    size_t begin = hr_scored_list_begin (reply);
    /*  The hits' products are scattered over the catalog: each id read is
        a cache miss (perf: ~15 % of a default 2,000-result search), so the
        products a few hits ahead are fetched while this one is gathered.
        Written SEARCH_BATCH at a time, the query framed once per batch.  */
    const char *ids[SEARCH_BATCH];
    float scores[SEARCH_BATCH];
    for (uint32_t k0 = 0; k0 < n; k0 += SEARCH_BATCH) {
        uint32_t m = n - k0 < SEARCH_BATCH ? n - k0 : SEARCH_BATCH;
        for (uint32_t k = 0; k < m; k++) {
            if (k0 + k + SEARCH_PREFETCH < n)
                __builtin_prefetch (
                    hr_catalog_at (s->catalog, hits[k0 + k + SEARCH_PREFETCH].doc)->id);
            ids[k] = hr_catalog_at (s->catalog, hits[k0 + k].doc)->id;
            scores[k] = hits[k0 + k].score;
        }
        hr_put_scored_items (reply, ids, scores, m, HR_STRAT_SEARCH, q.query, q.len);
    }
    hr_scored_list_end (reply, begin, n);
    content_search_session_give (s->search, &x);
    if (n == 0)
        hr_counter_inc (st->c_empty_search);
    return HR_OK;
}

static int
s_for_user (void *state, const void *model, const hr_proto_req_t *req, hr_writer_t *reply,
            hr_call_t *call)
{
    (void) state;
    if (content_recommend_for_user (model, &req->for_user, reply) != 0)
        return hr_service_error (call, HR_INTERNAL, "out of memory");
    return HR_OK;
}

static int
s_analyze (void *state, const void *model, const hr_proto_req_t *req, hr_writer_t *reply,
           hr_call_t *call)
{
    const content_snapshot_t *s = model;
    (void) state;
    hr_proto_query_req_t q = req->query;
    int rc = s_query (&q, call);
    if (rc != HR_OK)
        return rc;
    content_search_session_t *x = content_search_session_take (s->search);
    char *json = x ? content_search_explain (s->search, x, q.query, q.len) : NULL;
    content_search_session_give (s->search, &x);
    if (!json)
        return hr_service_error (call, HR_INTERNAL, "out of memory");
    hr_put_cstr (reply, json);
    free (json);
    return HR_OK;
}

static const hr_method_t s_methods[] = {
    { HR_M_SIMILAR, HR_REQ_PRODUCT, s_similar },
    { HR_M_SEARCH, HR_REQ_SEARCH, s_search },
    { HR_M_FOR_USER, HR_REQ_FOR_USER, s_for_user },
    { HR_M_ANALYZE, HR_REQ_ANALYZE, s_analyze },
    { NULL, HR_REQ_RAW, NULL },
};

static hr_snapshot_t *
s_take (void *state)
{
    content_state_t *st = state;
    return hr_swap_acquire (st->swap);
}

int
content_handle (void *state, const char *method, size_t method_len, hr_reader_t *args,
                hr_writer_t *reply, hr_call_t *call)
{
    return hr_service_handle (&content_service_def, state, method, method_len, args, reply,
                              call);
}

/*  ---- service definition ------------------------------------------------ */

static void *
s_service_init (hr_config_t *cfg)
{
    const char *url = hr_config_database_url (cfg);
    hr_pg_t *pg = hr_pg_new (url, (int) hr_config_int (cfg, "HR_PG_STATEMENT_TIMEOUT_MS"),
                             (int) hr_config_int (cfg, "HR_PG_CONNECT_WAIT_MS"));
    if (!pg)
        return NULL;
    hr_catalog_t *catalog = hr_catalog_load (pg);
    hr_pg_destroy (&pg);
    if (!catalog)
        return NULL;
    char synonyms[4096];
    if (hr_data_path (hr_config_str (cfg, "HR_CONTENT_SYNONYMS"), synonyms, sizeof synonyms) != 0) {
        hr_error ("content: HR_CONTENT_SYNONYMS: path too long");
        hr_catalog_destroy (&catalog);
        return NULL;
    }
    content_state_t *st = content_state_new (catalog, url, hr_config_str (cfg, "REDIS_URL"),
                                             synonyms,
                                             (unsigned) hr_config_int (cfg, "HR_CONTENT_THREADS"));
    return st;
}

static void
s_service_tick (void *state)
{
    content_state_poll (state);
}

static bool
s_service_ready (void *state)
{
    return content_state_model_version (state) > 0;
}

HR_SERVICE_DEFINE (content_service_def, content_state_t, content_state_destroy,
                   .name = HR_SERVICE_CONTENT, .config = content_config, .init = s_service_init,
                   .methods = s_methods, .take = s_take, .no_model = "no index loaded",
                   .tick = s_service_tick, .tick_ms = 2000, .ready = s_service_ready);
