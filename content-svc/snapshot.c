/*  snapshot — building a content-svc snapshot (see snapshot.h).          */
#include "snapshot.h"
#include <stdlib.h>
#include "qcache.h"
#include "text.h"

void
content_snapshot_free (void *data)
{
    content_snapshot_t *s = data;
    content_qcache_destroy (&s->qcache);
    content_search_destroy (&s->search);
    content_model_destroy (&s->model);
    hr_snapshot_release (&s->cat);
    free (s->nb_start);
    free (s->nb_doc);
    free (s->nb_score);
    free (s);
}

/*  The model's neighbours re-indexed by today's catalog (by id; products
    removed since training are dropped).  0 / -1.                          */
static int
s_neighbours (content_snapshot_t *s, const content_model_t *model)
{
    const hr_catalog_t *catalog = s->catalog;
    uint32_t n = hr_catalog_size (catalog);
    int64_t *to_cat = malloc ((size_t) (model->n ? model->n : 1) * sizeof *to_cat);
    int64_t *to_model = malloc ((size_t) (n ? n : 1) * sizeof *to_model);
    int rc = -1;
    if (!to_cat || !to_model)
        goto done;
    for (uint32_t c = 0; c < n; c++)
        to_model[c] = -1;
    for (uint32_t i = 0; i < model->n; i++) {
        to_cat[i] = hr_catalog_find (catalog, model->ids + (size_t) i * 10);
        if (to_cat[i] >= 0)
            to_model[to_cat[i]] = i;
    }
    uint64_t total = 0;
    for (uint32_t c = 0; c < n; c++)
        if (to_model[c] >= 0)
            total += model->nb.count[to_model[c]];
    s->nb_doc = malloc ((total ? total : 1) * sizeof *s->nb_doc);
    s->nb_score = malloc ((total ? total : 1) * sizeof *s->nb_score);
    if (!s->nb_doc || !s->nb_score)
        goto done;
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
    rc = 0;
done:
    free (to_cat);
    free (to_model);
    return rc;
}

content_snapshot_t *
content_snapshot_new (hr_snapshot_t *cat, content_model_t *model, int64_t version,
                      const content_synonyms_t *syn, unsigned threads)
{
    content_snapshot_t *s = calloc (1, sizeof *s);
    if (!s) {
        content_model_destroy (&model);
        return NULL;
    }
    s->cat = hr_snapshot_ref (cat);
    s->catalog = hr_snapshot_data (cat);
    s->model = model;
    s->model_version = model ? version : 0;
    uint32_t n = hr_catalog_size (s->catalog);
    content_fields_t fields = model ? model->fields : CONTENT_FIELDS_DEFAULT;
    content_docterms_t *dt = content_docterms_build (s->catalog, &fields, threads, NULL, NULL);
    content_search_opts_t so = CONTENT_SEARCH_OPTS_DEFAULT;
    s->search = dt ? content_search_new (s->catalog, dt, syn, model, &so, threads) : NULL;
    s->nb_start = calloc ((size_t) n + 1, sizeof *s->nb_start);
    s->qcache = content_qcache_new ();     /* without one, for_user searches every time */
    if (!s->search || !s->nb_start || (model && s_neighbours (s, model) != 0)) {
        content_snapshot_free (s);
        return NULL;
    }
    return s;
}

