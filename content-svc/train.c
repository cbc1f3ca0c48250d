/*  train — see train.h.  */
#include "train.h"
#include "hr_log.h"
#include "hr_progress.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hr_clock.h"

void
content_train_opts_default (content_train_opts_t *o)
{
    memset (o, 0, sizeof *o);
    o->threads = 2;
    o->fields = CONTENT_FIELDS_DEFAULT;
    o->nb = CONTENT_NB_OPTS_DEFAULT;
    o->lsa = CONTENT_LSA_OPTS_DEFAULT;
}

static void
s_progress_cb (void *arg, uint64_t done)
{
    hr_progress_update (arg, done);
}

/*  The click-trained layer of search: an index of the same catalog learns
    from the events (search.h, content_search_learn).  0 / -1.            */
static int
s_learn (const hr_catalog_t *catalog, const content_train_opts_t *o, content_model_t *m,
         content_train_stats_t *st)
{
    st->events = o->nevents;
    if (!o->nevents)
        return 0;
    content_search_opts_t so = CONTENT_SEARCH_OPTS_DEFAULT;
    content_search_t *idx = content_search_new (
        catalog, content_docterms_build (catalog, &o->fields, o->threads, NULL, NULL),
        NULL, NULL, &so, o->threads);
    int rc = idx ? content_search_learn (idx, o->events, o->nevents, &m->learned) : -1;
    content_search_destroy (&idx);
    for (size_t k = 0; k < m->learned.rules_len; k++)
        st->learned_rules += m->learned.rules[k] == '\n';
    st->learned_boosts = m->learned.nboosts;
    return rc;
}

int
content_train_build (const hr_catalog_t *catalog, int64_t catalog_version,
                     const content_train_opts_t *o, content_model_t **model_out,
                     content_train_stats_t *st)
{
    *model_out = NULL;
    memset (st, 0, sizeof *st);
    double t0 = hr_mono_s ();
    uint32_t n = hr_catalog_size (catalog);
    hr_progress_t *bar = o->progress ? hr_progress_new ("analysing products", n) : NULL;
    content_docterms_t *dt = content_docterms_build (catalog, &o->fields, o->threads,
                                                     bar ? s_progress_cb : NULL, bar);
    hr_progress_destroy (&bar);
    content_model_t *m = calloc (1, sizeof *m);
    content_matrix_t X = { 0 };
    if (!dt || !m)
        goto fail;
    st->analyse_s = hr_mono_s () - t0;
    m->catalog_version = catalog_version;
    m->n = n;
    m->fields = o->fields;
    m->ids = malloc ((size_t) (n ? n : 1) * 10);
    m->idf = malloc ((size_t) (dt->tf.cols ? dt->tf.cols : 1) * sizeof *m->idf);
    if (!m->ids || !m->idf)
        goto fail;
    for (uint32_t i = 0; i < n; i++)
        memcpy (m->ids + (size_t) i * 10, hr_catalog_at (catalog, i)->id, 10);
    if (content_tfidf_weight (&dt->tf, dt->df, m->idf, &X))
        goto fail;

    double t1 = hr_mono_s ();
    content_nb_opts_t nbo = o->nb;
    nbo.threads = o->threads;
    bar = o->progress ? hr_progress_new ("neighbours", n) : NULL;
    nbo.progress = bar ? s_progress_cb : NULL;
    nbo.progress_arg = bar;
    int rc = content_neighbours_build (&X, dt->name_fp, &nbo, &m->nb);
    hr_progress_destroy (&bar);
    if (rc)
        goto fail;
    st->neighbours_s = hr_mono_s () - t1;

    double t2 = hr_mono_s ();
    content_lsa_opts_t lo = o->lsa;
    lo.threads = o->threads;
    if (lo.dim > 0 && content_lsa_train (&X, &lo, &m->emb, &m->dim))
        hr_warn ("content: LSA failed (catalog too small?); search runs without it");
    st->lsa_s = hr_mono_s () - t2;

    if (s_learn (catalog, o, m, st))
        goto fail;
    m->vocab = dt->vocab;                   /* the model takes the stems */
    dt->vocab = NULL;
    st->products = n;
    st->terms = content_vocab_size (m->vocab);
    st->dim = m->dim;
    st->k = m->nb.k;
    st->nnz = X.row[n];
    for (uint32_t i = 0; i < n; i++)
        st->neighbours += m->nb.count[i];
    st->duplicates_collapsed = m->nb.duplicates_collapsed;
    st->total_s = hr_mono_s () - t0;
    content_matrix_free (&X);
    content_docterms_destroy (&dt);
    *model_out = m;
    return 0;
fail:
    content_matrix_free (&X);
    content_docterms_destroy (&dt);
    content_model_destroy (&m);
    return -1;
}

char *
content_train_meta_json (const content_train_stats_t *s)
{
    char *json = NULL;
    if (asprintf (&json,
                  "{\"products\":%u,\"terms\":%u,\"lsa_dim\":%u,\"k\":%u,"
                  "\"neighbours\":%llu,\"duplicates_collapsed\":%llu,"
                  "\"analyse_s\":%.3f,\"neighbours_s\":%.3f,\"lsa_s\":%.3f,"
                  "\"total_s\":%.3f,\"blob_bytes\":%zu,"
                  "\"events\":%llu,\"learned_rules\":%u,\"learned_boosts\":%u}",
                  s->products, s->terms, s->dim, s->k,
                  (unsigned long long) s->neighbours,
                  (unsigned long long) s->duplicates_collapsed,
                  s->analyse_s, s->neighbours_s, s->lsa_s, s->total_s,
                  s->blob_bytes, (unsigned long long) s->events, s->learned_rules,
                  s->learned_boosts) < 0)
        return NULL;
    return json;
}

int
content_train_publish (hr_pg_t *pg, hr_redis_t *redis, const content_model_t *model,
                       content_train_stats_t *stats, int64_t *version_out)
{
    hr_writer_t w;
    hr_writer_init (&w);
    content_model_encode (model, &w);
    if (w.oom) {
        hr_writer_free (&w);
        return -1;
    }
    stats->blob_bytes = w.len;
    char *meta = content_train_meta_json (stats);
    int rc = hr_model_publish (pg, redis, HR_MODEL_CONTENT, w.data, w.len, meta, version_out);
    free (meta);
    hr_writer_free (&w);
    return rc;
}
