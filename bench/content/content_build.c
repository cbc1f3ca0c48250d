/*  content_build — model build time and peak memory on a CSV catalog.

    Reads the catalog (not timed), then runs exactly what `hybridrec train
    content` runs (analyse, TF-IDF, pruned neighbours with 2 threads, LSA)
    and encodes the blob; prints the phases, blob size and peak RSS.

    usage: content_build [--threads N] FILE.csv...                          */
#include "content-svc/catalog_csv.h"
#include "content-svc/train.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "../bench_util.h"

static long
rss_mb (void)
{
    struct rusage ru;
    getrusage (RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

int
main (int argc, char **argv)
{
    content_train_opts_t o;
    content_train_opts_default (&o);
    int first = 1;
    if (argc > 2 && strcmp (argv[1], "--threads") == 0) {
        o.threads = (unsigned) atoi (argv[2]);
        first = 3;
    }
    if (first >= argc) {
        fprintf (stderr, "usage: %s [--threads N] FILE.csv...\n", argv[0]);
        return 2;
    }
    double t0 = bench_now_s ();
    hr_catalog_t *cat = content_catalog_from_csv ((const char *const *) argv + first);
    if (!cat) {
        fprintf (stderr, "cannot read the catalog\n");
        return 1;
    }
    long rss_catalog = rss_mb ();
    printf ("catalog: %u products read in %.1f s (peak RSS so far %ld MB)\n",
            hr_catalog_size (cat), bench_now_s () - t0, rss_catalog);
    content_model_t *m = NULL;
    content_train_stats_t st;
    double t1 = bench_now_s ();
    if (content_train_build (cat, 0, &o, &m, &st)) {
        fprintf (stderr, "build failed\n");
        return 1;
    }
    hr_writer_t w;
    hr_writer_init (&w);
    content_model_encode (m, &w);
    double total = bench_now_s () - t1;
    printf ("build: %.2f s total with %u threads (analyse %.2f, neighbours %.2f, LSA %.2f, "
            "encode %.2f)\n", total, o.threads, st.analyse_s, st.neighbours_s, st.lsa_s,
            total - st.total_s);
    printf ("model: %u terms, %llu neighbours (%.1f/product), %llu duplicates collapsed, "
            "blob %.1f MB\n", st.terms, (unsigned long long) st.neighbours,
            (double) st.neighbours / st.products, (unsigned long long) st.duplicates_collapsed,
            (double) w.len / 1e6);
    printf ("peak RSS: %ld MB (catalog alone %ld MB)\n", rss_mb (), rss_catalog);
    hr_writer_free (&w);
    content_model_destroy (&m);
    hr_catalog_destroy (&cat);
    return 0;
}
