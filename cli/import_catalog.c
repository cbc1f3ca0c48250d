/*  hybridrec import-catalog — loads product CSVs into PostgreSQL.          */
#include "hr_cli.h"
#include "hr_config.h"
#include "hr_import.h"
#include "hr_log.h"
#include "hr_migrate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "hr_clock.h"

static void
s_help (hr_config_t *cfg, FILE *out)
{
    fprintf (out,
        "usage: hybridrec import-catalog [--dry-run] [--write-spec-csv OUT] FILE...\n\n"
        "Imports products from CSV files in the spec's format\n"
        "  id,name,main_category,sub_category,image,link,ratings,no_of_ratings,\n"
        "  discount_price,actual_price,discount_ratio\n"
        "or the raw Amazon export (the same without id and discount_ratio; prices\n"
        "like \"\u20b932,999\"). Ids are derived from the ASIN in the link. Rows repeating\n"
        "an id: the last wins. All files are read first; the load is one transaction\n"
        "(existing products are updated) and bumps meta.catalog_version.\n\n"
        "  --dry-run              parse and report only; the database is not touched\n"
        "  --write-spec-csv OUT   also write the accepted rows to OUT in the spec format\n\n"
        "Exit status: 0 when every file was read (rejected rows are reported, not\n"
        "fatal), 1 when a file cannot be read or the load fails, 2 on bad usage.\n\n"
        "configuration (environment):\n");
    hr_config_print_help (cfg, out);
}

static void
s_print_summary (const hr_import_t *imp, bool dry_run, double seconds)
{
    const hr_import_summary_t *s = hr_import_summary (imp);
    printf ("files:     %u read, %u failed\n", s->files, s->files_failed);
    printf ("read:      %" PRIu64 " rows\n", s->read);
    printf ("accepted:  %u distinct products (%" PRIu64 " rows repeated an earlier id; last wins)\n",
            hr_import_count (imp), s->duplicates);
    if (dry_run)
        printf ("loaded:    - (dry run)\nupdated:   - (dry run)\n");
    else
        printf ("loaded:    %" PRIu64 " new\nupdated:   %" PRIu64 "\n", s->loaded, s->updated);
    printf ("rejected:  %" PRIu64 "\n", s->rejected);
    for (int i = 0; i < s->nrejects; i++)
        printf ("  %s:%ld: %s\n", s->rejects[i].file, s->rejects[i].line, s->rejects[i].reason);
    if ((uint64_t) s->nrejects < s->rejected)
        printf ("  ... and %" PRIu64 " more\n", s->rejected - (uint64_t) s->nrejects);
    if (s->catalog_version >= 0)
        printf ("catalog version: %" PRId64 "\n", s->catalog_version);
    printf ("time:      %.2f s\n", seconds);
}

/*  The import's log line (JSON).  */
static void
s_log_summary (hr_import_t *imp, bool dry_run, int rc, double seconds)
{
    const hr_import_summary_t *s = hr_import_summary (imp);
    char files[16], read[24], distinct[24], loaded[24], updated[24], rejected[24], dups[24],
        version[24], secs[24];
    snprintf (files, sizeof files, "%u", s->files);
    snprintf (read, sizeof read, "%" PRIu64, s->read);
    snprintf (distinct, sizeof distinct, "%u", hr_import_count (imp));
    snprintf (loaded, sizeof loaded, "%" PRIu64, s->loaded);
    snprintf (updated, sizeof updated, "%" PRIu64, s->updated);
    snprintf (rejected, sizeof rejected, "%" PRIu64, s->rejected);
    snprintf (dups, sizeof dups, "%" PRIu64, s->duplicates);
    snprintf (version, sizeof version, "%" PRId64, s->catalog_version);
    snprintf (secs, sizeof secs, "%.3f", seconds);
    hr_log_kv (rc ? HR_LOG_ERROR : HR_LOG_INFO, NULL, "catalog import", "dry_run", dry_run ? "true" : "false",
               "files", files, "read", read, "distinct", distinct, "loaded", loaded, "updated", updated,
               "rejected", rejected, "duplicates", dups, "catalog_version", version,
               "seconds", secs, "ok", rc ? "false" : "true", NULL);
}

/*  The pg load: migrations, then the upsert.  0 / 1 (printed).  */
static int
s_load (hr_import_t *imp, hr_config_t *cfg)
{
    //  No statement timeout: the upsert of a big catalog is one statement
    hr_pg_t *pg = hr_config_pg (cfg, 0);
    int rc = 0;
    if (!pg) {
        fprintf (stderr, "hybridrec import-catalog: PostgreSQL unreachable (DATABASE_URL)\n");
        rc = 1;
    }
    else if (hr_migrate (pg) < 0 || hr_import_load (imp, pg) != 0) {
        fprintf (stderr, "hybridrec import-catalog: load failed, nothing changed: %s\n",
                 hr_pg_error (pg));
        rc = 1;
    }
    hr_pg_destroy (&pg);
    return rc;
}

int
hr_cli_import_catalog (int argc, char **argv)
{
    const hr_config_var_t *tables[] = { hr_config_common, NULL };
    hr_config_t *cfg = hr_config_new ("hybridrec import-catalog", tables);
    bool dry_run = false;
    const char *spec_out = NULL;
    int first_file = argc;
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0) {
            s_help (cfg, stdout);
            hr_config_destroy (&cfg);
            return 0;
        }
        else if (strcmp (argv[i], "--dry-run") == 0)
            dry_run = true;
        else if (strcmp (argv[i], "--write-spec-csv") == 0 && i + 1 < argc)
            spec_out = argv[++i];
        else if (strcmp (argv[i], "--") == 0) {
            first_file = i + 1;
            break;
        }
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf (stderr, "hybridrec import-catalog: unknown option '%s' (see --help)\n", argv[i]);
            hr_config_destroy (&cfg);
            return 2;
        }
        else {
            first_file = i;
            break;
        }
    }
    if (first_file >= argc) {
        fprintf (stderr, "hybridrec import-catalog: no FILE given (see --help)\n");
        hr_config_destroy (&cfg);
        return 2;
    }
    if (hr_config_load_or_report (&cfg, "hybridrec import-catalog") != 0)
        return 2;
    hr_log_init ("hybridrec", hr_log_level_parse (hr_config_str (cfg, "HR_LOG_LEVEL")));

    double t0 = hr_mono_s ();
    hr_import_t *imp = hr_import_new ();
    if (!imp) {
        hr_config_destroy (&cfg);
        return 1;
    }
    hr_import_set_progress (imp, isatty (STDERR_FILENO));
    int rc = 0;
    for (int i = first_file; i < argc; i++)
        if (hr_import_read_file (imp, argv[i]) != 0) {
            fprintf (stderr, "hybridrec import-catalog: cannot read %s\n", argv[i]);
            rc = 1;
        }
    //  A missing file means the operator expected other data: load nothing
    if (rc == 0 && spec_out) {
        FILE *out = fopen (spec_out, "w");
        if (!out || hr_import_write_spec_csv (imp, out) != 0) {
            fprintf (stderr, "hybridrec import-catalog: cannot write %s\n", spec_out);
            rc = 1;
        }
        if (out && fclose (out) != 0)
            rc = 1;
    }
    if (rc == 0 && !dry_run)
        rc = s_load (imp, cfg);
    double seconds = hr_mono_s () - t0;
    s_print_summary (imp, dry_run || rc != 0, seconds);
    s_log_summary (imp, dry_run, rc, seconds);
    hr_import_destroy (&imp);
    hr_config_destroy (&cfg);
    return rc;
}
