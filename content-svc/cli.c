/*  hybridrec train content — builds the content model and publishes it.   */
#include "catalog_csv.h"
#include "hr_cli.h"
#include "hr_config.h"
#include "hr_log.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "train.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void
help (hr_config_t *cfg, FILE *out)
{
    fprintf (out,
        "usage: hybridrec train content [--threads N] [--k N] [--lsa-dim N]\n"
        "                               [--catalog-csv FILE]... [--dry-run]\n\n"
        "Builds the content model from the catalog in PostgreSQL: TF-IDF over\n"
        "name, sub_category and main_category, the top-K neighbours of every\n"
        "product (near-duplicates collapsed) and the LSA vectors of the search\n"
        "index; publishes it as a new version (model_versions/model_blobs, cached\n"
        "in Redis).  Running services pick it up within seconds, no restart.\n\n"
        "  --threads N        build threads (default 2)\n"
        "  --k N              neighbours kept per product, 1..255 (default 60)\n"
        "  --lsa-dim N        semantic dimensions, 0 = none (default 64)\n"
        "  --catalog-csv FILE train on CSV files instead of PostgreSQL (implies\n"
        "                     --dry-run unless DATABASE_URL is reachable and\n"
        "                     --publish is given)\n"
        "  --publish          with --catalog-csv: publish anyway\n"
        "  --dry-run          build and report, publish nothing\n\n"
        "configuration (environment):\n");
    hr_config_print_help (cfg, out);
}

static long
peak_rss_mb (void)
{
    struct rusage ru;
    getrusage (RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

static int
parse_uint (const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol (s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int
content_cli_train (int argc, char **argv)
{
    const hr_config_var_t *tables[] = { hr_config_common, NULL };
    hr_config_t *cfg = hr_config_new ("hybridrec train content", tables);
    if (!cfg)
        return 1;
    content_train_opts_t o;
    content_train_opts_default (&o);
    bool dry_run = false, publish = false;
    const char *csv[64];
    int ncsv = 0;
    for (int i = 1; i < argc; i++) {
        long v;
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (!strcmp (a, "--help") || !strcmp (a, "-h")) {
            help (cfg, stdout);
            hr_config_destroy (&cfg);
            return 0;
        }
        else if (!strcmp (a, "--threads") && has && !parse_uint (argv[i + 1], 1, 64, &v)) {
            o.threads = (unsigned) v;
            i++;
        }
        else if (!strcmp (a, "--k") && has && !parse_uint (argv[i + 1], 1, 255, &v)) {
            o.nb.k = (uint32_t) v;
            if (o.nb.candidates < o.nb.k)
                o.nb.candidates = o.nb.k;
            i++;
        }
        else if (!strcmp (a, "--lsa-dim") && has && !parse_uint (argv[i + 1], 0, 256, &v)) {
            o.lsa.dim = (uint32_t) v;
            i++;
        }
        else if (!strcmp (a, "--catalog-csv") && has && ncsv < 63) {
            csv[ncsv++] = argv[++i];
        }
        else if (!strcmp (a, "--publish"))
            publish = true;
        else if (!strcmp (a, "--dry-run"))
            dry_run = true;
        else {
            fprintf (stderr, "hybridrec train content: bad option '%s' (see --help)\n", a);
            hr_config_destroy (&cfg);
            return 2;
        }
    }
    csv[ncsv] = NULL;
    if (ncsv && !publish)
        dry_run = true;
    if (hr_config_load_or_report (&cfg, "hybridrec train content") != 0)
        return 2;
    int level = hr_log_level_parse (hr_config_str (cfg, "HR_LOG_LEVEL"));
    hr_log_init ("hybridrec", level < 0 ? HR_LOG_INFO : (hr_log_level_t) level);
    o.progress = isatty (STDERR_FILENO);

    int rc = 1;
    hr_pg_t *pg = NULL;
    hr_redis_t *redis = NULL;
    hr_catalog_t *catalog = NULL;
    content_model_t *model = NULL;
    int64_t catalog_version = 0;
    if (!dry_run || !ncsv) {
        /*  no statement timeout: a big catalog is one long SELECT          */
        pg = hr_pg_new (hr_config_database_url (cfg), 0,
                        (int) hr_config_int (cfg, "HR_PG_CONNECT_WAIT_MS"));
        if (!pg) {
            fprintf (stderr, "hybridrec train content: PostgreSQL unreachable (DATABASE_URL)\n");
            goto done;
        }
        redis = hr_redis_new (hr_config_str (cfg, "REDIS_URL"),
                              (int) hr_config_int (cfg, "HR_REDIS_TIMEOUT_MS"));
    }
    if (ncsv)
        catalog = content_catalog_from_csv (csv);
    else {
        catalog_version = hr_catalog_version_pg (pg);
        catalog = hr_catalog_load (pg);
    }
    if (!catalog) {
        fprintf (stderr, "hybridrec train content: cannot load the catalog\n");
        goto done;
    }
    if (hr_catalog_size (catalog) == 0) {
        fprintf (stderr, "hybridrec train content: the catalog is empty "
                         "(run `hybridrec import-catalog` first)\n");
        goto done;
    }
    content_train_stats_t st;
    if (content_train_build (catalog, catalog_version, &o, &model, &st)) {
        fprintf (stderr, "hybridrec train content: out of memory while building\n");
        goto done;
    }
    int64_t version = 0;
    if (!dry_run) {
        if (content_train_publish (pg, redis, model, &st, &version)) {
            fprintf (stderr, "hybridrec train content: publishing failed\n");
            goto done;
        }
    }
    else {
        hr_writer_t w;
        hr_writer_init (&w);
        content_model_encode (model, &w);
        st.blob_bytes = w.len;
        hr_writer_free (&w);
    }
    printf ("content model %s\n", dry_run ? "built (dry run, not published)" : "published");
    if (!dry_run)
        printf ("  version:              %lld\n", (long long) version);
    printf ("  products:             %u (catalog version %lld)\n", st.products,
            (long long) catalog_version);
    printf ("  terms:                %u (%llu non-zeros)\n", st.terms, (unsigned long long) st.nnz);
    printf ("  neighbours:           %llu (%.1f per product, k = %u)\n",
            (unsigned long long) st.neighbours,
            st.products ? (double) st.neighbours / st.products : 0.0, st.k);
    printf ("  duplicates collapsed: %llu\n", (unsigned long long) st.duplicates_collapsed);
    printf ("  LSA dimensions:       %u\n", st.dim);
    printf ("  model size:           %.1f MB\n", (double) st.blob_bytes / 1e6);
    printf ("  time:                 %.2f s (analyse %.2f, neighbours %.2f, LSA %.2f)\n",
            st.total_s, st.analyse_s, st.neighbours_s, st.lsa_s);
    printf ("  peak memory:          %ld MB\n", peak_rss_mb ());
    rc = 0;
done:
    content_model_destroy (&model);
    hr_catalog_destroy (&catalog);
    hr_redis_destroy (&redis);
    hr_pg_destroy (&pg);
    hr_config_destroy (&cfg);
    return rc;
}
