/*  content_eval — similarity quality on a real catalog, beside the original
    design's method.

    Ours: field-weighted TF-IDF (name, sub_category, main_category), stop
    words, stemming, sublinear tf, pruned top-K, near-duplicates collapsed.
    Original: scikit-learn TfidfVectorizer defaults over "name sub_category"
    (lower-case, tokens of 2+ word characters, raw tf, smooth idf, l2), exact
    cosine top-K, nothing collapsed.

    For every product, over its top-10 list: share of neighbours in the same
    sub-category, and duplicates = neighbours whose normalised name equals the
    product's or an earlier neighbour's.

    usage: content_eval FILE.csv...  (every CSV of ../shared/data/amazon-in-products) */
#include "content-svc/catalog_csv.h"
#include "content-svc/neighbours.h"
#include "content-svc/text.h"
#include "content-svc/tfidf.h"
#include "content-svc/train.h"
#include "content-svc/vocab.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "../bench_util.h"

#define TOP 10

/*  scikit-learn's default analyzer, bytewise: lower-case ASCII, every byte
    >= 0x80 counts as a word character (as \w matches letters in Python).   */
static void
sklearn_tokens (content_vocab_t *v, const char *s, uint32_t **terms, uint32_t *n, uint32_t *cap)
{
    char tok[256];
    size_t tl = 0;
    for (const char *p = s;; p++) {
        unsigned char c = (unsigned char) *p;
        bool word = c && (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
                          || (c >= 'A' && c <= 'Z') || c == '_');
        if (word) {
            if (tl < sizeof tok)
                tok[tl++] = (char) (c >= 'A' && c <= 'Z' ? c + 32 : c);
            continue;
        }
        if (tl >= 2) {
            if (*n == *cap) {
                *cap *= 2;
                *terms = realloc (*terms, *cap * sizeof **terms);
            }
            (*terms)[(*n)++] = (uint32_t) content_vocab_add (v, tok, tl);
        }
        tl = 0;
        if (!c)
            break;
    }
}

static int
cmp_u32 (const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return (x > y) - (x < y);
}

/*  The original design's TF-IDF matrix.  */
static void
baseline_matrix (const hr_catalog_t *cat, content_matrix_t *X)
{
    uint32_t n = hr_catalog_size (cat);
    content_vocab_t *v = content_vocab_new (1 << 16);
    uint32_t cap = 256, *terms = malloc (cap * sizeof *terms);
    uint64_t ecap = 1 << 20, nnz = 0;
    X->rows = n;
    X->row = malloc ((n + 1) * sizeof *X->row);
    X->col = malloc (ecap * sizeof *X->col);
    X->val = malloc (ecap * sizeof *X->val);
    X->row[0] = 0;
    for (uint32_t i = 0; i < n; i++) {
        const hr_product_t *p = hr_catalog_at (cat, i);
        uint32_t nt = 0;
        sklearn_tokens (v, p->name, &terms, &nt, &cap);
        sklearn_tokens (v, p->sub_category, &terms, &nt, &cap);
        qsort (terms, nt, sizeof *terms, cmp_u32);
        for (uint32_t k = 0; k < nt; k++) {
            if (nnz + 1 >= ecap) {
                ecap *= 2;
                X->col = realloc (X->col, ecap * sizeof *X->col);
                X->val = realloc (X->val, ecap * sizeof *X->val);
            }
            if (k > 0 && terms[k] == terms[k - 1])
                X->val[nnz - 1] += 1.0f;
            else {
                X->col[nnz] = terms[k];
                X->val[nnz++] = 1.0f;
            }
        }
        X->row[i + 1] = nnz;
    }
    X->cols = content_vocab_size (v);
    uint32_t *df = calloc (X->cols, sizeof *df);
    for (uint64_t k = 0; k < nnz; k++)
        df[X->col[k]]++;
    for (uint32_t i = 0; i < n; i++) {
        double norm = 0;
        for (uint64_t k = X->row[i]; k < X->row[i + 1]; k++) {
            X->val[k] *= content_idf (n, df[X->col[k]]);
            norm += (double) X->val[k] * X->val[k];
        }
        for (uint64_t k = X->row[i]; k < X->row[i + 1]; k++)
            X->val[k] /= (float) sqrt (norm);
    }
    free (df);
    free (terms);
    content_vocab_destroy (&v);
}

static void
report (const char *label, const hr_catalog_t *cat, const content_neighbours_t *nb,
        uint64_t *namefp)
{
    uint64_t lists = 0, items = 0, same_sub = 0, same_main = 0, dupes = 0, full = 0;
    for (uint32_t i = 0; i < nb->n; i++) {
        uint32_t c = nb->count[i] < TOP ? nb->count[i] : TOP;
        if (c == 0)
            continue;
        lists++;
        full += c == TOP;
        const hr_product_t *p = hr_catalog_at (cat, i);
        for (uint32_t j = 0; j < c; j++) {
            uint32_t d = nb->idx[(uint64_t) i * nb->k + j];
            const hr_product_t *q = hr_catalog_at (cat, d);
            items++;
            same_sub += q->sub_cat == p->sub_cat;
            same_main += q->main_cat == p->main_cat;
            bool dup = namefp[d] == namefp[i];
            for (uint32_t e = 0; e < j && !dup; e++)
                dup = namefp[nb->idx[(uint64_t) i * nb->k + e]] == namefp[d];
            dupes += dup;
        }
    }
    printf ("%-34s lists %6llu (full %6llu)  same sub-category %.3f  same main %.3f  "
            "duplicates/list %.3f\n", label, (unsigned long long) lists,
            (unsigned long long) full, (double) same_sub / (double) items,
            (double) same_main / (double) items, (double) dupes / (double) lists);
}

int
main (int argc, char **argv)
{
    if (argc < 2) {
        fprintf (stderr, "usage: %s FILE.csv...\n", argv[0]);
        return 2;
    }
    hr_catalog_t *cat = content_catalog_from_csv ((const char *const *) argv + 1);
    if (!cat) {
        fprintf (stderr, "cannot read the catalog\n");
        return 1;
    }
    uint32_t n = hr_catalog_size (cat);
    printf ("catalog: %u products, %u sub-categories\n", n, hr_catalog_sub_count (cat));
    /*  Normalised name for the duplicate count: folded text, as a shopper
        would see "the same title".  */
    uint64_t *namefp = malloc (n * sizeof *namefp);
    char buf[1024];
    for (uint32_t i = 0; i < n; i++) {
        const char *nm = hr_catalog_at (cat, i)->name;
        size_t l = content_fold (nm, strlen (nm), buf, sizeof buf);
        namefp[i] = content_hash (buf, l);
    }

    content_train_opts_t o;
    content_train_opts_default (&o);
    if (getenv ("FW"))
        sscanf (getenv ("FW"), "%f,%f,%f", &o.fields.name, &o.fields.sub_category,
                &o.fields.main_category);
    if (getenv ("MAXP"))
        o.nb.max_postings = (uint32_t) atoi (getenv ("MAXP"));
    if (getenv ("CAND"))
        o.nb.candidates = (uint32_t) atoi (getenv ("CAND"));
    if (getenv ("LSADIM"))
        o.lsa.dim = (uint32_t) atoi (getenv ("LSADIM"));
    content_model_t *m = NULL;
    content_train_stats_t st;
    double t0 = bench_now_s ();
    if (content_train_build (cat, 0, &o, &m, &st)) {
        fprintf (stderr, "build failed\n");
        return 1;
    }
    printf ("ours: built in %.2f s (analyse %.2f, neighbours %.2f, LSA %.2f), "
            "%llu duplicates collapsed\n", bench_now_s () - t0, st.analyse_s, st.neighbours_s,
            st.lsa_s, (unsigned long long) st.duplicates_collapsed);
    report ("ours (weighted, stemmed, dedup)", cat, &m->nb, namefp);

    content_matrix_t B = { 0 };
    t0 = bench_now_s ();
    baseline_matrix (cat, &B);
    content_nb_opts_t bo = CONTENT_NB_OPTS_DEFAULT;
    bo.k = TOP;
    bo.candidates = 100;
    bo.max_postings = 0;                /* exact */
    bo.dup_cosine = 2.0f;               /* nothing collapsed */
    bo.min_score = 1e-6f;
    content_neighbours_t bn;
    content_neighbours_build (&B, NULL, &bo, &bn);
    printf ("original: built in %.2f s (exact)\n", bench_now_s () - t0);
    report ("original (sklearn TF-IDF, no dedup)", cat, &bn, namefp);

    /*  Ablation: our vectors without collapsing duplicates.  */
    content_docterms_t *dt = content_docterms_build (cat, &o.fields, 2, NULL, NULL);
    content_matrix_t X;
    float *idf = malloc (dt->tf.cols * sizeof *idf);
    content_tfidf_weight (&dt->tf, dt->df, idf, &X);
    content_nb_opts_t no = o.nb;
    no.dup_cosine = 2.0f;
    content_neighbours_t nn;
    content_neighbours_build (&X, NULL, &no, &nn);
    report ("ours without dedup", cat, &nn, namefp);

    struct rusage ru;
    getrusage (RUSAGE_SELF, &ru);
    printf ("peak RSS %ld MB\n", ru.ru_maxrss / 1024);
    if (getenv ("SHOW")) {
        uint32_t i = (uint32_t) atoi (getenv ("SHOW"));
        printf ("\n%s [%s]\n", hr_catalog_at (cat, i)->name, hr_catalog_sub_name (cat, hr_catalog_at (cat, i)->sub_cat));
        for (uint32_t j = 0; j < m->nb.count[i] && j < 10; j++) {
            const hr_product_t *q = hr_catalog_at (cat, m->nb.idx[(uint64_t) i * m->nb.k + j]);
            printf ("  ours %.3f %s [%s]\n", m->nb.score[(uint64_t) i * m->nb.k + j], q->name,
                    hr_catalog_sub_name (cat, q->sub_cat));
        }
        for (uint32_t j = 0; j < bn.count[i] && j < 10; j++) {
            const hr_product_t *q = hr_catalog_at (cat, bn.idx[(uint64_t) i * bn.k + j]);
            printf ("  orig %.3f %s [%s]\n", bn.score[(uint64_t) i * bn.k + j], q->name,
                    hr_catalog_sub_name (cat, q->sub_cat));
        }
    }
    content_neighbours_free (&nn);
    content_matrix_free (&X);
    free (idf);
    content_docterms_destroy (&dt);
    content_neighbours_free (&bn);
    content_matrix_free (&B);
    content_model_destroy (&m);
    free (namefp);
    hr_catalog_destroy (&cat);
    return 0;
}
