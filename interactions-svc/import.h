/*  interactions import — bulk loading historical events with COPY.

    Events go straight to PostgreSQL (not through the event stream: they are
    history, not news; the strategies retrain from the table).  The file is
    read in chunks; for each chunk the daily partitions its days need are
    created, then the chunk is COPYed in one transaction.  With shift_to_now
    a first pass finds the newest timestamp so the newest event lands at
    "now" (imported data then lives inside the retention window).          */
#ifndef INTER_IMPORT_H
#define INTER_IMPORT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "hr_pg.h"
#include "import_parse.h"

#define INTER_IMPORT_REJECTS_SHOWN 20

typedef struct {
    hr_dataset_format_t format;
    const char *user_prefix;            /* NULL = the format's default */
    const inter_item_map_t *item_map;   /* may be NULL */
    bool shift_to_now;
    int64_t shift_ms;                   /* added after shift_to_now */
    long limit;                         /* data rows to read; 0 = all */
    FILE *report;                       /* rejected lines go here; may be NULL */
} inter_import_options_t;

typedef struct {
    long read;                          /* data rows read (header excluded) */
    long loaded;
    long rejected;
    int64_t min_ts_ms, max_ts_ms;       /* of the loaded events, after shifting */
} inter_import_summary_t;

/*  0 when the whole file was read and every valid row loaded; -1 on an I/O
    or database failure (summary says how far it got; every chunk before
    the failing one is committed).  */
int inter_import_file (hr_pg_t *pg, const char *path, const inter_import_options_t *opts,
                       inter_import_summary_t *summary);

/*  Loads an item map file ("foreign_id,catalog_id" lines, header optional).
    NULL with a message in err.  */
inter_item_map_t *inter_item_map_load (const char *path, char *err, size_t errcap);

#endif
