/*  serve — see serve.h.  */
#include "serve.h"
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_model_store.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "hr_validate.h"
#include "model.h"
#include "protocol.h"
#include "search.h"
#include "synonyms.h"
#include "text.h"
#include "topk.h"
#include "train.h"
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CONTENT_SYNONYMS_DEFAULT
#define CONTENT_SYNONYMS_DEFAULT "data/synonyms.txt"
#endif

const hr_config_var_t content_config[] = {
    { "HR_CONTENT_SYNONYMS", HR_CFG_STR, CONTENT_SYNONYMS_DEFAULT,
      "curated synonym file for search (see docs/search.md); empty = none", 0, 0 },
    { "HR_CONTENT_THREADS", HR_CFG_INT, "2",
      "threads for building the search index and training", 1, 64 },
    { NULL, 0, NULL, NULL, 0, 0 }
};

/*  ---- snapshots ---------------------------------------------------------- */

typedef struct {
    atomic_int refs;
    hr_catalog_t *catalog;
    int64_t catalog_version;
} catalog_ref_t;

typedef struct {
    atomic_int refs;
    catalog_ref_t *cat;
    content_model_t *model;         /* NULL until a model is published */
    int64_t model_version;
    content_search_t *search;
    uint64_t *nb_start;             /* catalog index -> its neighbours */
    uint32_t *nb_doc;
    float *nb_score;
} snapshot_t;

struct content_state {
    char *pg_url, *redis_url;
    hr_pg_t *pg;                    /* tick thread only */
    hr_redis_t *redis;
    content_synonyms_t *syn;
    unsigned threads;
    int poll_every;                 /* ticks (2 s) between catalog-version checks */
    int ticks;
    pthread_mutex_t lock;
    snapshot_t *current;
    hr_gauge_t *g_version;
    hr_counter_t *c_empty_search, *c_swaps;
};

static void
catalog_unref (catalog_ref_t **p)
{
    catalog_ref_t *c = *p;
    *p = NULL;
    if (c && atomic_fetch_sub (&c->refs, 1) == 1) {
        hr_catalog_destroy (&c->catalog);
        free (c);
    }
}

static void
snapshot_unref (snapshot_t **p)
{
    snapshot_t *s = *p;
    *p = NULL;
    if (!s || atomic_fetch_sub (&s->refs, 1) != 1)
        return;
    content_search_destroy (&s->search);
    content_model_destroy (&s->model);
    catalog_unref (&s->cat);
    free (s->nb_start);
    free (s->nb_doc);
    free (s->nb_score);
    free (s);
}

/*  Builds a snapshot over `cat` (a reference is taken) with `model` (taken,
    may be NULL).  NULL on failure (model freed).                           */
static snapshot_t *
snapshot_new (content_state_t *st, catalog_ref_t *cat, content_model_t *model,
              int64_t version)
{
    snapshot_t *s = calloc (1, sizeof *s);
    if (!s) {
        content_model_destroy (&model);
        return NULL;
    }
    atomic_init (&s->refs, 1);
    atomic_fetch_add (&cat->refs, 1);
    s->cat = cat;
    s->model = model;
    s->model_version = model ? version : 0;
    const hr_catalog_t *catalog = cat->catalog;
    uint32_t n = hr_catalog_size (catalog);
    content_fields_t fields = model ? model->fields : CONTENT_FIELDS_DEFAULT;
    content_docterms_t *dt = content_docterms_build (catalog, &fields, st->threads, NULL, NULL);
    if (!dt)
        goto fail;
    content_search_opts_t so = CONTENT_SEARCH_OPTS_DEFAULT;
    s->search = content_search_new (catalog, dt, st->syn, model, &so, st->threads);
    s->nb_start = calloc ((size_t) n + 1, sizeof *s->nb_start);
    if (!s->search || !s->nb_start)
        goto fail;
    if (model) {
        /*  The model's product indices -> today's catalog indices, by id.  */
        int64_t *to_cat = malloc ((size_t) (model->n ? model->n : 1) * sizeof *to_cat);
        int64_t *to_model = malloc ((size_t) (n ? n : 1) * sizeof *to_model);
        if (!to_cat || !to_model) {
            free (to_cat);
            free (to_model);
            goto fail;
        }
        for (uint32_t c = 0; c < n; c++)
            to_model[c] = -1;
        for (uint32_t i = 0; i < model->n; i++) {
            to_cat[i] = hr_catalog_find (catalog, model->ids + (size_t) i * 10);
            if (to_cat[i] >= 0)
                to_model[to_cat[i]] = i;
        }
        uint64_t total = 0;
        for (uint32_t c = 0; c < n; c++) {
            s->nb_start[c] = total;
            if (to_model[c] >= 0)
                total += model->nb.count[to_model[c]];
        }
        s->nb_start[n] = total;
        s->nb_doc = malloc ((total ? total : 1) * sizeof *s->nb_doc);
        s->nb_score = malloc ((total ? total : 1) * sizeof *s->nb_score);
        if (!s->nb_doc || !s->nb_score) {
            free (to_cat);
            free (to_model);
            goto fail;
        }
        uint64_t o = 0;
        for (uint32_t c = 0; c < n; c++) {
            s->nb_start[c] = o;
            if (to_model[c] < 0)
                continue;
            uint32_t i = (uint32_t) to_model[c];
            for (uint8_t j = 0; j < model->nb.count[i]; j++) {
                uint32_t mi = model->nb.idx[(uint64_t) i * model->nb.k + j];
                if (to_cat[mi] < 0)
                    continue;           /* removed from the catalog since */
                s->nb_doc[o] = (uint32_t) to_cat[mi];
                s->nb_score[o++] = model->nb.score[(uint64_t) i * model->nb.k + j];
            }
        }
        s->nb_start[n] = o;
        free (to_cat);
        free (to_model);
    }
    return s;
fail:
    snapshot_unref (&s);
    return NULL;
}

static snapshot_t *
acquire (content_state_t *st)
{
    pthread_mutex_lock (&st->lock);
    snapshot_t *s = st->current;
    if (s)
        atomic_fetch_add (&s->refs, 1);
    pthread_mutex_unlock (&st->lock);
    return s;
}

static void
install (content_state_t *st, snapshot_t *s)
{
    pthread_mutex_lock (&st->lock);
    snapshot_t *old = st->current;
    st->current = s;
    pthread_mutex_unlock (&st->lock);
    snapshot_unref (&old);
    hr_gauge_set (st->g_version, (double) s->model_version);
    hr_counter_inc (st->c_swaps);
}

int64_t
content_state_model_version (content_state_t *st)
{
    snapshot_t *s = acquire (st);
    int64_t v = s ? s->model_version : -1;
    snapshot_unref (&s);
    return v;
}

/*  Decodes a blob and swaps in a snapshot over the current catalog.        */
static int
install_blob (content_state_t *st, catalog_ref_t *cat, const void *blob, size_t len,
              int64_t version)
{
    char err[160];
    content_model_t *m = content_model_decode (blob, len, err, sizeof err);
    if (!m) {
        hr_error ("content: model v%lld rejected: %s", (long long) version, err);
        return -1;
    }
    snapshot_t *s = snapshot_new (st, cat, m, version);
    if (!s) {
        hr_error ("content: out of memory building the index for model v%lld",
                  (long long) version);
        return -1;
    }
    install (st, s);
    char vtext[24], ntext[24];
    snprintf (vtext, sizeof vtext, "%lld", (long long) version);
    snprintf (ntext, sizeof ntext, "%u", hr_catalog_size (cat->catalog));
    hr_log_kv (HR_LOG_INFO, NULL, "content model loaded", "version", vtext,
               "products", ntext, NULL);
    return 0;
}

int
content_state_install (content_state_t *st, const void *blob, size_t len, int64_t version)
{
    snapshot_t *cur = acquire (st);
    int rc = cur ? install_blob (st, cur->cat, blob, len, version) : -1;
    snapshot_unref (&cur);
    return rc;
}

static bool
connect_stores (content_state_t *st)
{
    if (!st->pg_url)
        return false;
    if (!st->pg)
        st->pg = hr_pg_new (st->pg_url, 5000, 0);
    if (!st->redis && st->redis_url)
        st->redis = hr_redis_new (st->redis_url, 200);
    return st->pg != NULL;
}

void
content_state_poll (content_state_t *st)
{
    if (!connect_stores (st))
        return;
    snapshot_t *cur = acquire (st);
    if (!cur)
        return;
    catalog_ref_t *cat = cur->cat;
    atomic_fetch_add (&cat->refs, 1);
    bool catalog_changed = false;
    if (st->ticks++ % st->poll_every == 0) {
        int64_t cv = hr_catalog_version_pg (st->pg);
        if (cv >= 0 && cv != cat->catalog_version) {
            hr_catalog_t *fresh = hr_catalog_load (st->pg);
            catalog_ref_t *ref = fresh ? calloc (1, sizeof *ref) : NULL;
            if (ref) {
                atomic_init (&ref->refs, 1);
                ref->catalog = fresh;
                ref->catalog_version = cv;
                catalog_unref (&cat);
                cat = ref;
                catalog_changed = true;
            }
            else
                hr_catalog_destroy (&fresh);
        }
    }
    int64_t v = hr_model_current (st->pg, st->redis, CONTENT_STRATEGY);
    int64_t want = v > 0 ? v : 0;
    if (want != cur->model_version || catalog_changed) {
        void *blob = NULL;
        size_t len = 0;
        if (want > 0 && hr_model_fetch (st->pg, st->redis, CONTENT_STRATEGY, want, &blob, &len) == 0)
            install_blob (st, cat, blob, len, want);
        else if (want == 0 && catalog_changed) {
            snapshot_t *s = snapshot_new (st, cat, NULL, 0);
            if (s)
                install (st, s);
        }
        free (blob);
    }
    catalog_unref (&cat);
    snapshot_unref (&cur);
}

content_state_t *
content_state_new (hr_catalog_t *catalog, const char *pg_url, const char *redis_url,
                   const char *synonyms_path, unsigned threads)
{
    content_state_t *st = calloc (1, sizeof *st);
    catalog_ref_t *cat = calloc (1, sizeof *cat);
    content_analyzer_t *an = content_analyzer_new ();
    if (!st || !cat || !an)
        goto fail;
    pthread_mutex_init (&st->lock, NULL);
    st->threads = threads ? threads : 1;
    st->poll_every = 5;
    st->pg_url = pg_url ? strdup (pg_url) : NULL;
    st->redis_url = redis_url ? strdup (redis_url) : NULL;
    st->g_version = hr_gauge ("hr_content_model_version", "content model version served", NULL);
    st->c_empty_search = hr_counter ("hr_content_search_empty_total",
                                     "searches that matched nothing", NULL);
    st->c_swaps = hr_counter ("hr_content_snapshot_swaps_total",
                              "models/catalogs swapped in without a restart", NULL);
    st->syn = content_synonyms_new ();
    if (!st->syn)
        goto fail;
    if (synonyms_path && *synonyms_path) {
        int rules = content_synonyms_load (st->syn, an, synonyms_path);
        if (rules < 0)
            hr_warn ("content: cannot read synonyms from %s; searching without them",
                     synonyms_path);
        else
            hr_info ("content: %d synonym rules from %s", rules, synonyms_path);
    }
    atomic_init (&cat->refs, 1);
    cat->catalog = catalog;
    catalog = NULL;
    cat->catalog_version = -1;
    if (connect_stores (st))
        cat->catalog_version = hr_catalog_version_pg (st->pg);
    snapshot_t *s = snapshot_new (st, cat, NULL, 0);
    catalog_unref (&cat);
    if (!s)
        goto fail;
    st->current = s;
    content_analyzer_destroy (&an);
    st->ticks = 1;                  /* the catalog was just read */
    content_state_poll (st);        /* a model published already? */
    return st;
fail:
    hr_catalog_destroy (&catalog);
    catalog_unref (&cat);
    content_analyzer_destroy (&an);
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
    snapshot_unref (&st->current);
    content_synonyms_destroy (&st->syn);
    hr_pg_destroy (&st->pg);
    hr_redis_destroy (&st->redis);
    free (st->pg_url);
    free (st->redis_url);
    pthread_mutex_destroy (&st->lock);
    free (st);
    *self_p = NULL;
}

/*  ---- handlers ---------------------------------------------------------- */

/*  A product the model has no neighbours for (added through the catalog
    API since the last training): its name and sub category as a query on
    the search index, which is rebuilt with every catalog version, so a new
    product gets content neighbours without a retrain.                     */
static uint32_t
similar_by_search (snapshot_t *s, uint32_t c, uint32_t limit, hr_writer_t *reply)
{
    const hr_product_t *self = hr_catalog_at (s->cat->catalog, c);
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
        hr_put_scored_item (reply, hr_catalog_at (s->cat->catalog, hits[k].doc)->id,
                            hits[k].score, HR_STRAT_CONTENT, self->id, HR_PRODUCT_ID_LEN);
        n++;
    }
    content_search_session_give (s->search, &x);
    return n;
}

static int
do_similar (content_state_t *st, snapshot_t *s, hr_reader_t *args, hr_writer_t *reply,
            hr_call_t *call)
{
    (void) st;
    size_t idlen;
    const char *id = hr_get_str (args, &idlen);
    uint32_t limit = hr_get_u32 (args);
    if (!hr_reader_done (args))
        return hr_service_error (call, HR_BAD_REQUEST, "similar: expected str product_id, u32 limit");
    if (!hr_valid_product_id (id, idlen))
        return hr_service_error (call, HR_BAD_REQUEST, "similar: invalid product id");
    int64_t c = hr_catalog_find (s->cat->catalog, id);
    size_t begin = hr_scored_list_begin (reply);
    uint32_t n = 0;
    if (c >= 0 && s->nb_start[c] == s->nb_start[c + 1])
        n = similar_by_search (s, (uint32_t) c, limit, reply);
    else if (c >= 0)
        for (uint64_t p = s->nb_start[c]; p < s->nb_start[c + 1] && n < limit; p++) {
            const hr_product_t *prod = hr_catalog_at (s->cat->catalog, s->nb_doc[p]);
            hr_put_scored_item (reply, prod->id, s->nb_score[p], HR_STRAT_CONTENT, id, idlen);
            n++;
        }
    hr_scored_list_end (reply, begin, n);
    return HR_OK;
}

static int
read_query (hr_reader_t *args, hr_call_t *call, const char **q, size_t *qlen)
{
    size_t len;
    const char *raw = hr_get_str (args, &len);
    if (!raw)
        return hr_service_error (call, HR_BAD_REQUEST, "expected str query");
    int rc = hr_query_normalize (raw, len, q, qlen);
    if (rc == HR_QUERY_EMPTY)
        return hr_service_error (call, HR_BAD_REQUEST, "query is empty");
    if (rc == HR_QUERY_TOO_LONG)
        return hr_service_error (call, HR_BAD_REQUEST, "query longer than 255 bytes");
    if (rc != HR_QUERY_OK)
        return hr_service_error (call, HR_BAD_REQUEST, "query is not valid UTF-8");
    return HR_OK;
}

static int
do_search (content_state_t *st, snapshot_t *s, hr_reader_t *args, hr_writer_t *reply,
           hr_call_t *call)
{
    const char *q;
    size_t qlen;
    int rc = read_query (args, call, &q, &qlen);
    if (rc != HR_OK)
        return rc;
    uint32_t limit = hr_get_u32 (args);
    if (!hr_reader_done (args))
        return hr_service_error (call, HR_BAD_REQUEST, "search: expected str query, u32 limit");
    if (limit > CONTENT_SEARCH_MAX)
        limit = CONTENT_SEARCH_MAX;
    content_search_session_t *x = content_search_session_take (s->search);
    if (!x)
        return hr_service_error (call, HR_INTERNAL, "out of memory");
    const content_hit_t *hits;
    uint32_t n = content_search_query (s->search, x, q, qlen, limit, &hits);
    size_t begin = hr_scored_list_begin (reply);
    for (uint32_t k = 0; k < n; k++)
        hr_put_scored_item (reply, hr_catalog_at (s->cat->catalog, hits[k].doc)->id,
                            hits[k].score, HR_STRAT_SEARCH, q, qlen);
    hr_scored_list_end (reply, begin, n);
    content_search_session_give (s->search, &x);
    if (n == 0)
        hr_counter_inc (st->c_empty_search);
    return HR_OK;
}

/*  An aggregated recommendation: summed decayed scores; `src` indexes the
    history event that contributed most.                                    */
typedef struct {
    uint32_t doc;
    float score, best;
    uint32_t src;
} agg_t;

/*  Ranking order of aggregated results: score desc, then catalog index asc
    (total, so the page is deterministic).                                  */
static inline bool
agg_before (const agg_t *x, const agg_t *y)
{
    return x->score > y->score || (x->score == y->score && x->doc < y->doc);
}

CONTENT_TOPK_DEFINE (topk_agg, agg_t, agg_before)

/*  Slots of the open-addressing table write_aggregate merges with: a power
    of two at least twice the entries, so probes stay short.               */
static uint32_t
merge_table_size (uint32_t entries)
{
    uint32_t size = 16;
    while (size < 2 * entries)
        size *= 2;
    return size;
}

typedef struct {
    uint8_t type;
    const char *value;
    size_t len;
} event_t;

/*  Merges entries of the same product (in arrival order, so the sums are
    the same as after the stable sort by product this replaces), drops
    excluded ones, and writes the best `limit` by score as a scored list.
    `slot` is scratch of merge_table_size (n) entries.                      */
static void
write_aggregate (const hr_catalog_t *catalog, agg_t *a, uint32_t n, const uint32_t *exclude,
                 uint32_t nexclude, const event_t *ev, uint8_t strategy, uint32_t limit,
                 uint32_t *slot, hr_writer_t *reply)
{
    uint32_t mask = merge_table_size (n) - 1;
    memset (slot, 0xff, ((size_t) mask + 1) * sizeof *slot);
    uint32_t o = 0;
    for (uint32_t k = 0; k < n; k++) {
        bool skip = false;
        for (uint32_t e = 0; e < nexclude && !skip; e++)
            skip = exclude[e] == a[k].doc;
        if (skip)
            continue;
        uint32_t h = (a[k].doc * 2654435761u) & mask;
        while (slot[h] != UINT32_MAX && a[slot[h]].doc != a[k].doc)
            h = (h + 1) & mask;
        if (slot[h] != UINT32_MAX) {
            agg_t *m = &a[slot[h]];
            m->score += a[k].score;
            if (a[k].best > m->best) {
                m->best = a[k].best;
                m->src = a[k].src;
            }
        }
        else {
            slot[h] = o;
            a[o++] = a[k];      /* o <= k: compacts in place */
        }
    }
    uint32_t m = o < limit ? o : limit;
    topk_agg (a, o, m);
    size_t begin = hr_scored_list_begin (reply);
    for (uint32_t k = 0; k < m; k++) {
        const event_t *src = &ev[a[k].src];
        size_t sl = src->len < HR_SOURCE_MAX - 1 ? src->len : HR_SOURCE_MAX - 1;
        hr_put_scored_item (reply, hr_catalog_at (catalog, a[k].doc)->id, a[k].score,
                            strategy, src->value, sl);
    }
    hr_scored_list_end (reply, begin, m);
}

static int
do_for_user (content_state_t *st, snapshot_t *s, hr_reader_t *args, hr_writer_t *reply,
             hr_call_t *call)
{
    (void) st;
    uint32_t n = hr_get_count (args, 1 + 4 + 8);
    if (!hr_reader_ok (args))
        return hr_service_error (call, HR_BAD_REQUEST, "for_user: bad history count");
    event_t ev[CONTENT_USER_CLICKS + CONTENT_USER_QUERIES];
    uint32_t nev = 0, nclicks = 0, nqueries = 0;
    uint32_t clicked[CONTENT_USER_CLICKS];
    const hr_catalog_t *catalog = s->cat->catalog;
    for (uint32_t k = 0; k < n; k++) {
        uint8_t type = hr_get_u8 (args);
        size_t len;
        const char *value = hr_get_str (args, &len);
        hr_get_i64 (args);
        if (!hr_reader_ok (args))
            return hr_service_error (call, HR_BAD_REQUEST, "for_user: truncated history");
        if (type == 1 && nclicks < CONTENT_USER_CLICKS && hr_valid_product_id (value, len)) {
            int64_t c = hr_catalog_find (catalog, value);
            if (c >= 0) {
                clicked[nclicks++] = (uint32_t) c;
                ev[nev++] = (event_t) { type, value, len };
            }
        }
        else if (type == 2 && nqueries < CONTENT_USER_QUERIES) {
            const char *q;
            size_t ql;
            if (hr_query_normalize (value, len, &q, &ql) != HR_QUERY_OK)
                continue;
            bool seen = false;          /* the same query twice counts once */
            for (uint32_t e = 0; e < nev && !seen; e++)
                seen = ev[e].type == 2 && ev[e].len == ql && memcmp (ev[e].value, q, ql) == 0;
            if (!seen) {
                ev[nev++] = (event_t) { type, q, ql };
                nqueries++;
            }
        }
    }
    uint32_t limit = hr_get_u32 (args);
    if (!hr_reader_done (args))
        return hr_service_error (call, HR_BAD_REQUEST, "for_user: expected history, u32 limit");
    if (limit > CONTENT_SEARCH_MAX)
        limit = CONTENT_SEARCH_MAX;

    /*  clicked: neighbours of each clicked product, decayed by click rank  */
    uint32_t cap = 0;               /* clicked[i] is the i-th click event's product */
    for (uint32_t i = 0; i < nclicks; i++)
        cap += (uint32_t) (s->nb_start[clicked[i] + 1] - s->nb_start[clicked[i]]);
    uint32_t per_query = limit * 2 > 100 ? limit * 2 : 100;
    uint32_t cap2 = nqueries * per_query;
    uint32_t most = (cap > cap2 ? cap : cap2) + 1;
    /*  one allocation: the entries, then write_aggregate's merge table     */
    agg_t *a = malloc ((size_t) most * sizeof *a + (size_t) merge_table_size (most) * sizeof (uint32_t));
    if (!a)
        return hr_service_error (call, HR_INTERNAL, "out of memory");
    uint32_t *slot = (uint32_t *) (a + most);
    uint32_t na = 0, rank = 0, nc = 0;
    float w = 1.0f;
    for (uint32_t e = 0; e < nev; e++) {
        if (ev[e].type != 1)
            continue;
        uint32_t c = clicked[nc++];
        for (uint64_t p = s->nb_start[c]; p < s->nb_start[c + 1]; p++) {
            float sc = w * s->nb_score[p];
            a[na++] = (agg_t) { s->nb_doc[p], sc, sc, e };
        }
        w *= CONTENT_USER_DECAY;
        rank++;
    }
    write_aggregate (catalog, a, na, clicked, nclicks, ev, HR_STRAT_CONTENT, limit, slot, reply);

    /*  search: results of each recent query, normalised, decayed by rank   */
    na = 0;
    w = 1.0f;
    content_search_session_t *x = nqueries ? content_search_session_take (s->search) : NULL;
    for (uint32_t e = 0; e < nev && x; e++) {
        if (ev[e].type != 2)
            continue;
        const content_hit_t *hits;
        uint32_t nh = content_search_query (s->search, x, ev[e].value, ev[e].len,
                                            per_query, &hits);
        float top = nh && hits[0].score > 0 ? hits[0].score : 1.0f;
        for (uint32_t k = 0; k < nh; k++) {
            float sc = w * hits[k].score / top;
            a[na++] = (agg_t) { hits[k].doc, sc, sc, e };
        }
        w *= CONTENT_USER_DECAY;
    }
    content_search_session_give (s->search, &x);
    write_aggregate (catalog, a, na, clicked, nclicks, ev, HR_STRAT_SEARCH, limit, slot, reply);
    free (a);
    return HR_OK;
}

static int
do_analyze (content_state_t *st, snapshot_t *s, hr_reader_t *args, hr_writer_t *reply,
            hr_call_t *call)
{
    (void) st;
    const char *q;
    size_t qlen;
    int rc = read_query (args, call, &q, &qlen);
    if (rc != HR_OK)
        return rc;
    if (!hr_reader_done (args))
        return hr_service_error (call, HR_BAD_REQUEST, "analyze: expected str query");
    content_search_session_t *x = content_search_session_take (s->search);
    char *json = x ? content_search_explain (s->search, x, q, qlen) : NULL;
    content_search_session_give (s->search, &x);
    if (!json)
        return hr_service_error (call, HR_INTERNAL, "out of memory");
    hr_put_cstr (reply, json);
    free (json);
    return HR_OK;
}

static bool
method_is (const char *m, size_t n, const char *name)
{
    return strlen (name) == n && memcmp (m, name, n) == 0;
}

int
content_handle (void *state, const char *method, size_t method_len, hr_reader_t *args,
                hr_writer_t *reply, hr_call_t *call)
{
    content_state_t *st = state;
    snapshot_t *s = acquire (st);
    if (!s)
        return hr_service_error (call, HR_UNAVAILABLE, "content: no index loaded");
    int rc;
    if (method_is (method, method_len, CONTENT_M_SIMILAR))
        rc = do_similar (st, s, args, reply, call);
    else if (method_is (method, method_len, CONTENT_M_SEARCH))
        rc = do_search (st, s, args, reply, call);
    else if (method_is (method, method_len, CONTENT_M_FOR_USER))
        rc = do_for_user (st, s, args, reply, call);
    else if (method_is (method, method_len, CONTENT_M_ANALYZE))
        rc = do_analyze (st, s, args, reply, call);
    else
        rc = hr_service_error (call, HR_BAD_REQUEST, "content: unknown method");
    snapshot_unref (&s);
    return rc;
}

/*  ---- service definition ------------------------------------------------ */

static void *
service_init (hr_config_t *cfg)
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
    content_state_t *st = content_state_new (catalog, url, hr_config_str (cfg, "REDIS_URL"),
                                             hr_config_str (cfg, "HR_CONTENT_SYNONYMS"),
                                             (unsigned) hr_config_int (cfg, "HR_CONTENT_THREADS"));
    return st;
}

static void
service_tick (void *state)
{
    content_state_poll (state);
}

static void
service_fini (void *state)
{
    content_state_t *st = state;
    content_state_destroy (&st);
}

static bool
service_ready (void *state)
{
    return content_state_model_version (state) > 0;
}

const hr_service_def_t content_service_def = {
    .name = CONTENT_SERVICE,
    .config = content_config,
    .init = service_init,
    .handle = content_handle,
    .tick = service_tick,
    .tick_ms = 2000,
    .fini = service_fini,
    .ready = service_ready,
};
