/*  interactions — the `hybridrec` subcommands this service owns:
    import-events and migrate-seed-tables.                                  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hr_cli.h"
#include "hr_config.h"
#include "hr_migrate.h"
#include "hr_pg.h"
#include "import.h"
#include "seed.h"
#include "hr_clock.h"

#define CLI_STATEMENT_TIMEOUT_MS (10 * 60 * 1000)   /* a big COPY chunk is fine */

static const char *const s_import_usage =
    "usage: hybridrec import-events FILE --format yoochoose|diginetica|csv\n"
    "                               [--item-map FILE] [--shift-to-now] [--shift-ms N]\n"
    "                               [--user-prefix P] [--limit N]\n"
    "\n"
    "Loads historical events into the interactions table with COPY.  Bad rows\n"
    "(malformed, invalid ids, times before 2000-01-01 or more than a day ahead)\n"
    "are reported as JSON lines on stderr and skipped.  Running the same import\n"
    "again (same file, format and user prefix) loads only rows not yet loaded.\n"
    "  --format F       yoochoose: TSV SessionId ItemId Time (Unix s), header line\n"
    "                   diginetica: session_id;user_id;item_id;timeframe;eventdate\n"
    "                   csv: user_id,event_type,value,timestamp (ISO-8601 or Unix)\n"
    "  --item-map FILE  foreign_id,catalog_id lines; unmapped ids become 'Y'/'D' +\n"
    "                   9 zero-padded digits\n"
    "  --shift-to-now   move all timestamps so the newest event is now\n"
    "  --shift-ms N     add N ms to every timestamp (after --shift-to-now)\n"
    "  --user-prefix P  prefix for session ids as user ids (default ys / ds / none)\n"
    "  --limit N        read at most N data rows\n"
    "Reads DATABASE_URL like every hybridrec command.\n";

static const char *const s_seed_usage =
    "usage: hybridrec migrate-seed-tables\n"
    "\n"
    "Imports the original design's per-user tables ({user_id}_interactions with\n"
    "event_type, product_id, query, timestamp) of the current schema into the\n"
    "interactions table, as user ids in lower case (PostgreSQL folded them).\n"
    "Tables already imported are skipped.  Reads DATABASE_URL.\n";

//  The common configuration and a migrated database.  NULL on failure.
static hr_pg_t *
s_connect (const char *program)
{
    const hr_config_var_t *const tables[] = { hr_config_common, NULL };
    hr_config_t *cfg = hr_config_new (program, tables);
    if (hr_config_load_or_report (&cfg, program) != 0)
        return NULL;
    hr_pg_t *pg = hr_pg_new (hr_config_database_url (cfg), CLI_STATEMENT_TIMEOUT_MS,
                             (int) hr_config_int (cfg, "HR_PG_CONNECT_WAIT_MS"));
    hr_config_destroy (&cfg);
    if (!pg) {
        fprintf (stderr, "%s: PostgreSQL is unreachable (DATABASE_URL)\n", program);
        return NULL;
    }
    if (hr_migrate (pg) < 0) {
        fprintf (stderr, "%s: schema migration failed: %s\n", program, hr_pg_error (pg));
        hr_pg_destroy (&pg);
    }
    return pg;
}

static int
s_parse_long (const char *s, long min, long *out)
{
    char *end;
    long v = strtol (s, &end, 10);
    if (!*s || *end || v < min)
        return -1;
    *out = v;
    return 0;
}

static void
s_day (char *buf, size_t cap, int64_t ms)
{
    time_t t = (time_t) (ms / 1000);
    struct tm tm;
    gmtime_r (&t, &tm);
    strftime (buf, cap, "%Y-%m-%d %H:%M:%SZ", &tm);
}

static void
s_import_report (const char *file, const inter_import_summary_t *sum, double secs)
{
    char lo[32] = "-", hi[32] = "-";
    if (sum->loaded > 0) {
        s_day (lo, sizeof lo, sum->min_ts_ms);
        s_day (hi, sizeof hi, sum->max_ts_ms);
    }
    if (sum->rejected > INTER_IMPORT_REJECTS_SHOWN)
        fprintf (stderr, "... %ld more rejected lines not shown\n",
                 sum->rejected - INTER_IMPORT_REJECTS_SHOWN);
    printf ("%s: read %ld, loaded %ld, rejected %ld, already imported %ld in %.2f s "
            "(%.0f events/s); events from %s to %s\n", file, sum->read, sum->loaded,
            sum->rejected, sum->skipped, secs, secs > 0 ? (double) sum->loaded / secs : 0.0,
            lo, hi);
}

int
interactions_cli_import_events (int argc, char **argv)
{
    const char *file = NULL, *format = NULL, *item_map_path = NULL;
    inter_import_options_t opts = { .report = stderr };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        long v;
        if (!strcmp (a, "--help") || !strcmp (a, "-h")) {
            fputs (s_import_usage, stdout);
            return 0;
        }
        else if (!strcmp (a, "--format") && has_value)
            format = argv[++i];
        else if (!strcmp (a, "--item-map") && has_value)
            item_map_path = argv[++i];
        else if (!strcmp (a, "--user-prefix") && has_value)
            opts.user_prefix = argv[++i];
        else if (!strcmp (a, "--shift-to-now"))
            opts.shift_to_now = true;
        else if (!strcmp (a, "--shift-ms") && has_value) {
            if (s_parse_long (argv[++i], -(1L << 50), &v) != 0) {
                fprintf (stderr, "import-events: --shift-ms needs an integer\n");
                return 2;
            }
            opts.shift_ms = v;
        }
        else if (!strcmp (a, "--limit") && has_value) {
            if (s_parse_long (argv[++i], 1, &v) != 0) {
                fprintf (stderr, "import-events: --limit needs a positive integer\n");
                return 2;
            }
            opts.limit = v;
        }
        else if (a[0] != '-' && !file)
            file = a;
        else {
            fprintf (stderr, "import-events: unexpected argument '%s'\n%s", a, s_import_usage);
            return 2;
        }
    }
    if (!file || !format) {
        fprintf (stderr, "import-events: FILE and --format are required\n%s", s_import_usage);
        return 2;
    }
    if (hr_dataset_format_parse (format, &opts.format) != 0) {
        fprintf (stderr, "import-events: unknown --format '%s' (yoochoose, diginetica, csv)\n",
                 format);
        return 2;
    }
    inter_item_map_t *map = NULL;
    if (item_map_path) {
        char err[256];
        map = inter_item_map_load (item_map_path, err, sizeof err);
        if (!map) {
            fprintf (stderr, "import-events: %s\n", err);
            return 1;
        }
        opts.item_map = map;
    }
    hr_pg_t *pg = s_connect ("import-events");
    if (!pg) {
        inter_item_map_destroy (&map);
        return 1;
    }
    inter_import_summary_t sum;
    double t0 = hr_mono_s ();
    int rc = inter_import_file (pg, file, &opts, &sum);
    s_import_report (file, &sum, hr_mono_s () - t0);
    if (rc != 0)
        fprintf (stderr, "import-events: failed; running the same command again loads "
                         "the rows still missing\n");
    hr_pg_destroy (&pg);
    inter_item_map_destroy (&map);
    return rc == 0 ? 0 : 1;
}

int
interactions_cli_migrate_seed_tables (int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp (argv[i], "--help") || !strcmp (argv[i], "-h")) {
            fputs (s_seed_usage, stdout);
            return 0;
        }
        fprintf (stderr, "migrate-seed-tables: unexpected argument '%s'\n%s", argv[i],
                 s_seed_usage);
        return 2;
    }
    hr_pg_t *pg = s_connect ("migrate-seed-tables");
    if (!pg)
        return 1;
    inter_seed_summary_t sum;
    int rc = inter_seed_migrate (pg, stdout, &sum);
    printf ("legacy tables: %d found, %d migrated, %d skipped; rows: %ld read, %ld loaded, "
            "%ld rejected\n", sum.tables_found, sum.tables_migrated, sum.tables_skipped,
            sum.rows_read, sum.rows_loaded, sum.rows_read - sum.rows_loaded);
    if (rc != 0)
        fprintf (stderr, "migrate-seed-tables: failed: %s\n", hr_pg_error (pg));
    hr_pg_destroy (&pg);
    return rc == 0 ? 0 : 1;
}
