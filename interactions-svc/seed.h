/*  interactions — importing the original design's per-user tables.

    The original service kept `CREATE TABLE IF NOT EXISTS {user_id}_interactions
    (event_type TEXT, product_id VARCHAR(10), query TEXT, timestamp TIMESTAMP)`
    with the user id pasted unquoted into the DDL, so PostgreSQL folded it
    to lower case: Bob1 and bob1 shared the table bob1_interactions.  Such a
    table is imported as user "bob1" (the only id it still knows); our table
    keeps Bob1 and bob1 apart from now on.

    Every table of the current schema named `%_interactions` (ours aside)
    with those four columns is copied in one transaction together with a row
    in interactions_seed_migrated, so a second run skips it.  Timestamps
    without time zone are taken as UTC.  Rows the API would have refused
    (unknown event_type, bad product id, empty query) are counted, not
    copied.                                                                  */
#ifndef INTER_SEED_H
#define INTER_SEED_H
#include <stdio.h>
#include "hr_pg.h"

typedef struct {
    int tables_found;           /* legacy tables in the schema */
    int tables_migrated;        /* by this run */
    int tables_skipped;         /* already migrated, or not importable */
    long rows_read, rows_loaded;
} inter_seed_summary_t;

/*  0, or -1 on a database failure (tables migrated before it stay).
    Per-table lines go to report (may be NULL).                             */
int inter_seed_migrate (hr_pg_t *pg, FILE *report, inter_seed_summary_t *summary);

#endif
