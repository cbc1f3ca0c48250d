/*  search_topk — the top results of content-svc's search, in process, for
    offline judging (bench/search/judge.py).

    Builds the same index and model serving builds (catalog from CSV files,
    content_train_build, data/synonyms.txt), reads one query per line on
    stdin and writes one JSON line per query:
        {"query": q, "results": [{"id","name","category":"main > sub"}...]}
    --explain adds the query's reading (content_search_explain).
    Variants of one product (hr_variant.h) are collapsed as the gateway
    collapses them in what /recommendations/search serves (--variants keeps
    them all).
    Options switch parts of the pipeline off for the ablation table of
    docs/search.md: --off NAME (repeatable; names in content_search_opts_t:
    typo2, constraints, synonyms, semantic, learned, price, compound,
    typocost, typocontext, short2, mainhalf, pronoun, brandzone, short1,
    splittypo, vowelgap, typopool, digraph, shortsound).

    usage: search_topk [--explain] [--variants] [--limit N] [--off NAME]... FILE.csv... < queries */
#include "content-svc/catalog_csv.h"
#include "hr_log.h"
#include "content-svc/search.h"
#include "content-svc/synonyms.h"
#include "content-svc/tfidf.h"
#include "content-svc/train.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main (int argc, char **argv)
{
    uint32_t limit = 10;
    content_search_opts_t so = CONTENT_SEARCH_OPTS_DEFAULT;
    bool no_syn = false, no_sem = false, explain = false, variants = false;
    int first = 1;
    while (first + 1 < argc && argv[first][0] == '-') {
        const char *v = argv[first + 1];
        if (!strcmp (argv[first], "--explain")) {
            explain = true;
            first--;
        }
        else if (!strcmp (argv[first], "--variants")) {
            variants = true;
            first--;
        }
        else if (!strcmp (argv[first], "--limit"))
            limit = (uint32_t) atoi (v);
        else if (!strcmp (argv[first], "--off")) {
            if (!strcmp (v, "synonyms")) no_syn = true;
            else if (!strcmp (v, "semantic")) no_sem = true;
            else if (content_search_opts_off (&so, v)) {
                fprintf (stderr, "unknown part '%s'\n", v);
                return 2;
            }
        }
        first += 2;
    }
    if (first >= argc) {
        fprintf (stderr, "usage: %s [--limit N] [--off PART]... FILE.csv... < queries\n", argv[0]);
        return 2;
    }
    hr_log_init ("bench", HR_LOG_WARN);
    hr_catalog_t *cat = content_catalog_from_csv ((const char *const *) argv + first);
    if (!cat)
        return 1;
    content_model_t *m = NULL;
    if (!no_sem) {
        content_train_opts_t o;
        content_train_opts_default (&o);
        content_train_stats_t st;
        if (content_train_build (cat, 2, &o, &m, &st))
            return 1;
    }
    content_synonyms_t *syn = NULL;
    if (!no_syn) {
        const char *path = getenv ("HR_CONTENT_SYNONYMS");
        content_analyzer_t *an = content_analyzer_new ();
        syn = content_synonyms_new ();
        if (content_synonyms_load (syn, an, path ? path : CONTENT_BENCH_SYNONYMS) < 0)
            return 1;
        content_analyzer_destroy (&an);
    }
    content_fields_t fields = m ? m->fields : CONTENT_FIELDS_DEFAULT;
    content_docterms_t *dt = content_docterms_build (cat, &fields, 2, NULL, NULL);
    content_search_t *s = dt ? content_search_new (cat, dt, syn, m, &so, 2) : NULL;
    content_search_session_t *x = s ? content_search_session_take (s) : NULL;
    if (!x)
        return 1;
    char line[1024];
    while (fgets (line, sizeof line, stdin)) {
        size_t n = strcspn (line, "\r\n");
        line[n] = '\0';
        if (n == 0)
            continue;
        const content_hit_t *hits;
        /*  as many as the gateway asks for: the limit plus a margin for
            the variants it drops (gw_variants_margin)                      */
        uint32_t want = variants || !hr_catalog_variants (cat) ? limit : limit + limit / 2 + 8;
        uint32_t nh = content_search_query (s, x, line, n, want, &hits);
        json_t *res = json_array ();
        uint64_t shown[1024];
        uint32_t nshown = 0;
        for (uint32_t k = 0; k < nh && nshown < limit && nshown < 1024; k++) {
            const hr_product_t *p = hr_catalog_at (cat, hits[k].doc);
            bool seen = false;
            for (uint32_t j = 0; j < nshown && !variants && p->variant; j++)
                seen |= shown[j] == p->variant;
            if (seen)
                continue;
            shown[nshown++] = p->variant;
            char category[512];
            snprintf (category, sizeof category, "%s > %s", p->main_category, p->sub_category);
            json_array_append_new (res, json_pack ("{s:s, s:s, s:s, s:f}", "id", p->id,
                                                   "name", p->name, "category", category,
                                                   "score", (double) hits[k].score));
        }
        json_t *o = json_pack ("{s:s, s:o}", "query", line, "results", res);
        if (explain) {
            char *ex = content_search_explain (s, x, line, n);
            json_object_set_new (o, "explain", ex ? json_loads (ex, 0, NULL) : json_null ());
            free (ex);
        }
        char *js = json_dumps (o, JSON_COMPACT);
        puts (js);
        free (js);
        json_decref (o);
    }
    fflush (stdout);
    content_search_session_give (s, &x);
    content_search_destroy (&s);
    content_model_destroy (&m);
    content_synonyms_destroy (&syn);
    hr_catalog_destroy (&cat);
    return 0;
}
