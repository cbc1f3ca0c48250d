/*  interactions import — bulk loading historical events with COPY.

    Events go straight to PostgreSQL (not through the event stream: they are
    history, not news; the strategies retrain from the table).  The file is
    read in chunks; for each chunk the daily partitions its days need are
    created, then the chunk is COPYed in one transaction.  With shift_to_now
    a first pass finds the newest timestamp so the newest event lands at
    "now" (imported data then lives inside the retention window).

    A bad row (malformed, an invalid id, a time before 2000-01-01 such as
    Unix time 0 or the year 0000, or more than a day ahead) is reported as a
    JSON line naming its line and reason, and skipped; the rest loads.  A
    re-run of the same file with the same format and user prefix loads only
    the rows no earlier run committed (import_ledger.h): never duplicates.  */
#ifndef INTER_IMPORT_H
#define INTER_IMPORT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "hr_pg.h"
#include "import_parse.h"

#define INTER_IMPORT_REJECTS_SHOWN 20
#define INTER_IMPORT_TS_MIN_MS     946684800000LL      /* 2000-01-01T00:00:00Z */

typedef struct {
    hr_dataset_format_t format;
    const char *user_prefix;            /* NULL = the format's default */
    const inter_item_map_t *item_map;   /* may be NULL */
    bool shift_to_now;
    int64_t shift_ms;                   /* added after shift_to_now */
    long limit;                         /* data rows to read; 0 = all */
    FILE *report;                       /* JSON lines: rejected rows, failure; may be NULL */
} inter_import_options_t;

typedef struct {
    long read;                          /* data rows read (header excluded) */
    long loaded;
    long rejected;
    long skipped;                       /* imported by an earlier run of the same file */
    int64_t min_ts_ms, max_ts_ms;       /* of the loaded events, after shifting */
} inter_import_summary_t;

/*  0 when the whole file was read and every valid row loaded; -1 on an I/O
    or database failure (summary says how far it got; every chunk before
    the failing one is committed, and a re-run loads the rest).  */
int inter_import_file (hr_pg_t *pg, const char *path, const inter_import_options_t *opts,
                       inter_import_summary_t *summary);

/*  Loads an item map file ("foreign_id,catalog_id" lines, header optional).
    NULL with a message in err.  */
inter_item_map_t *inter_item_map_load (const char *path, char *err, size_t errcap);

#endif
