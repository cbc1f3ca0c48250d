/*  hybridrec train content — builds the content model and publishes it.   */
#include "catalog_csv.h"
#include "hr_cli.h"
#include "hr_config.h"
#include "hr_log.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "train.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void
s_help (hr_config_t *cfg, FILE *out)
{
    fprintf (out,
        "usage: hybridrec train content [--threads N] [--k N] [--lsa-dim N]\n"
        "                               [--catalog-csv FILE]... [--dry-run]\n\n"
        "Builds the content model from the catalog in PostgreSQL: TF-IDF over\n"
        "name, sub_category and main_category, the top-K neighbours of every\n"
        "product (near-duplicates collapsed), the LSA vectors of the search\n"
        "index, and what search learns from clicks (a search_query followed\n"
        "within 30 minutes by the same user's clicks, the last 90 days of the\n"
        "interactions table: synonyms for words the catalog does not know, and\n"
        "boosts for products several shoppers clicked after the same query);\n"
        "publishes it as a new version (model_versions/model_blobs, cached\n"
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
s_peak_rss_mb (void)
{
    struct rusage ru;
    getrusage (RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

static int
s_parse_uint (const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol (s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

typedef struct {
    content_train_opts_t train;
    bool dry_run, publish, help;
    const char *csv[64];            /* NULL-terminated */
    int ncsv;
} s_args_t;

/*  0, or -1 after printing what is wrong.                                  */
static int
s_parse_args (int argc, char **argv, s_args_t *o)
{
    for (int i = 1; i < argc; i++) {
        long v;
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (!strcmp (a, "--help") || !strcmp (a, "-h")) {
            o->help = true;
            return 0;
        }
        if (!strcmp (a, "--threads") && has && !s_parse_uint (argv[i + 1], 1, 64, &v)) {
            o->train.threads = (unsigned) v;
            i++;
        }
        else if (!strcmp (a, "--k") && has && !s_parse_uint (argv[i + 1], 1, 255, &v)) {
            o->train.nb.k = (uint32_t) v;
            if (o->train.nb.candidates < o->train.nb.k)
                o->train.nb.candidates = o->train.nb.k;
            i++;
        }
        else if (!strcmp (a, "--lsa-dim") && has && !s_parse_uint (argv[i + 1], 0, 256, &v)) {
            o->train.lsa.dim = (uint32_t) v;
            i++;
        }
        else if (!strcmp (a, "--catalog-csv") && has && o->ncsv < 63)
            o->csv[o->ncsv++] = argv[++i];
        else if (!strcmp (a, "--publish"))
            o->publish = true;
        else if (!strcmp (a, "--dry-run"))
            o->dry_run = true;
        else {
            fprintf (stderr, "hybridrec train content: bad option '%s' (see --help)\n", a);
            return -1;
        }
    }
    o->csv[o->ncsv] = NULL;
    if (o->ncsv && !o->publish)
        o->dry_run = true;
    return 0;
}

static void
s_print_summary (const content_train_stats_t *st, bool dry_run, int64_t version,
                 int64_t catalog_version)
{
    printf ("content model %s\n", dry_run ? "built (dry run, not published)" : "published");
    if (!dry_run)
        printf ("  version:              %lld\n", (long long) version);
    printf ("  products:             %u (catalog version %lld)\n", st->products,
            (long long) catalog_version);
    printf ("  terms:                %u (%llu non-zeros)\n", st->terms, (unsigned long long) st->nnz);
    printf ("  neighbours:           %llu (%.1f per product, k = %u)\n",
            (unsigned long long) st->neighbours,
            st->products ? (double) st->neighbours / st->products : 0.0, st->k);
    printf ("  duplicates collapsed: %llu\n", (unsigned long long) st->duplicates_collapsed);
    printf ("  LSA dimensions:       %u\n", st->dim);
    printf ("  learnt from clicks:   %u synonym rules, %u boosts (%llu search/click events)\n",
            st->learned_rules, st->learned_boosts, (unsigned long long) st->events);
    printf ("  model size:           %.1f MB\n", (double) st->blob_bytes / 1e6);
    printf ("  time:                 %.2f s (analyse %.2f, neighbours %.2f, LSA %.2f)\n",
            st->total_s, st->analyse_s, st->neighbours_s, st->lsa_s);
    printf ("  peak memory:          %ld MB\n", s_peak_rss_mb ());
}

/*  The catalog to train on (CSV files, or PostgreSQL); NULL after printing
    why not.  */
static hr_catalog_t *
s_catalog (const s_args_t *o, hr_pg_t *pg, int64_t *version)
{
    hr_catalog_t *catalog = o->ncsv ? content_catalog_from_csv (o->csv) : NULL;
    if (!o->ncsv) {
        *version = hr_catalog_version_pg (pg);
        catalog = hr_catalog_load (pg);
    }
    if (!catalog)
        fprintf (stderr, "hybridrec train content: cannot load the catalog\n");
    else if (hr_catalog_size (catalog) == 0) {
        fprintf (stderr, "hybridrec train content: the catalog is empty "
                         "(run `hybridrec import-catalog` first)\n");
        hr_catalog_destroy (&catalog);
    }
    return catalog;
}

/*  Search queries and product events, by user
    then time (the last 90 days, at most 5,000,000 events): what the
    click-trained layer of search learns from
    (content_search_learn).  The strings live in one malloc'd block per
    event.  Returns the count; -1 on a database error (reported).          */
static long
s_events (hr_pg_t *pg, content_event_t **out)
{
    *out = NULL;
    PGresult *r = hr_pg_exec (pg,
        "SELECT user_id, event_type, coalesce(product_id, ''), coalesce(query, ''), "
        "(extract(epoch FROM ts) * 1000)::bigint FROM interactions "
        "WHERE (event_type = 2 OR " HR_EVENT_PRODUCT_SQL ") "
        "AND ts >= now() - make_interval(days => 90) "
        "ORDER BY user_id, ts, id LIMIT 5000000", 0, NULL);
    if (!r) {
        fprintf (stderr, "hybridrec train content: reading search events: %s\n", hr_pg_error (pg));
        return -1;
    }
    int n = PQntuples (r);
    content_event_t *ev = calloc ((size_t) (n ? n : 1), sizeof *ev);
    long kept = 0;
    for (int i = 0; ev && i < n; i++) {
        const char *user = PQgetvalue (r, i, 0), *pid = PQgetvalue (r, i, 2),
                   *query = PQgetvalue (r, i, 3);
        bool search = atoi (PQgetvalue (r, i, 1)) == HR_EVENT_SEARCH;
        size_t ul = strlen (user) + 1, vl = strlen (search ? query : pid) + 1;
        char *block = malloc (ul + vl);
        if (!block)
            break;
        memcpy (block, user, ul);
        memcpy (block + ul, search ? query : pid, vl);
        ev[kept] = (content_event_t) { .user = block, .ts_ms = strtoll (PQgetvalue (r, i, 4), NULL, 10) };
        if (search)
            ev[kept].query = block + ul;
        else
            ev[kept].product_id = block + ul;
        kept++;
    }
    PQclear (r);
    *out = ev;
    return kept;
}

static void
s_events_free (content_event_t *ev, long n)
{
    for (long k = 0; k < n; k++)
        free ((char *) ev[k].user);
    free (ev);
}

/*  Builds, publishes (unless a dry run) and reports.  0 / -1.              */
static int
s_train (const s_args_t *o, hr_pg_t *pg, hr_redis_t *redis)
{
    int64_t catalog_version = 0, version = 0;
    hr_catalog_t *catalog = s_catalog (o, pg, &catalog_version);
    if (!catalog)
        return -1;
    content_model_t *model = NULL;
    content_train_stats_t st;
    int rc = -1;
    content_train_opts_t to = o->train;
    content_event_t *events = NULL;
    long nev = pg ? s_events (pg, &events) : 0;
    if (nev > 0) {
        to.events = events;
        to.nevents = (size_t) nev;
    }
    if (content_train_build (catalog, catalog_version, &to, &model, &st))
        fprintf (stderr, "hybridrec train content: out of memory while building\n");
    else if (!o->dry_run && content_train_publish (pg, redis, model, &st, &version))
        fprintf (stderr, "hybridrec train content: publishing failed\n");
    else {
        if (o->dry_run) {
            hr_writer_t w;
            hr_writer_init (&w);
            content_model_encode (model, &w);
            st.blob_bytes = w.len;
            hr_writer_free (&w);
        }
        s_print_summary (&st, o->dry_run, version, catalog_version);
        rc = 0;
    }
    content_model_destroy (&model);
    hr_catalog_destroy (&catalog);
    s_events_free (events, nev > 0 ? nev : 0);
    return rc;
}

int
content_cli_train (int argc, char **argv)
{
    const hr_config_var_t *tables[] = { hr_config_common, NULL };
    hr_config_t *cfg = hr_config_new ("hybridrec train content", tables);
    if (!cfg)
        return 1;
    s_args_t o = { 0 };
    content_train_opts_default (&o.train);
    if (s_parse_args (argc, argv, &o) != 0 || o.help) {
        if (o.help)
            s_help (cfg, stdout);
        hr_config_destroy (&cfg);
        return o.help ? 0 : 2;
    }
    if (hr_config_load_or_report (&cfg, "hybridrec train content") != 0)
        return 2;
    int level = hr_log_level_parse (hr_config_str (cfg, "HR_LOG_LEVEL"));
    hr_log_init ("hybridrec", level < 0 ? HR_LOG_INFO : (hr_log_level_t) level);
    o.train.progress = isatty (STDERR_FILENO);
    int rc = 1;
    hr_pg_t *pg = NULL;
    hr_redis_t *redis = NULL;
    if (!o.dry_run || !o.ncsv) {
        /*  no statement timeout: a big catalog is one long SELECT          */
        pg = hr_pg_new (hr_config_database_url (cfg), 0,
                        (int) hr_config_int (cfg, "HR_PG_CONNECT_WAIT_MS"));
        if (!pg)
            fprintf (stderr, "hybridrec train content: PostgreSQL unreachable (DATABASE_URL)\n");
        redis = pg ? hr_redis_new (hr_config_str (cfg, "REDIS_URL"),
                                   (int) hr_config_int (cfg, "HR_REDIS_TIMEOUT_MS")) : NULL;
    }
    if ((pg || (o.dry_run && o.ncsv)) && s_train (&o, pg, redis) == 0)
        rc = 0;
    hr_redis_destroy (&redis);
    hr_pg_destroy (&pg);
    hr_config_destroy (&cfg);
    return rc;
}
