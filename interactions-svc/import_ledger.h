/*  interactions import — the ledger that makes re-running an import safe.

    An import's source is the SHA-256 of the file's bytes, its format and the
    user prefix.  Each committed chunk records, in the chunk's transaction,
    the data rows it covers (db/migrations/020_import_ledger.sql); a later
    run of the same source skips those rows, so it never duplicates events
    and, after a failure part-way, loads exactly what is missing.  A file
    that changed (one line appended) is a new source.                        */
#ifndef INTER_IMPORT_LEDGER_H
#define INTER_IMPORT_LEDGER_H
#include <stdbool.h>
#include <stdio.h>
#include "hr_pg.h"

typedef struct inter_ledger inter_ledger_t;

/*  Digests `in` (read to its end; the caller rewinds) and loads the rows
    earlier runs committed.  NULL on a read or database error (in err).    */
inter_ledger_t *inter_ledger_new (hr_pg_t *pg, FILE *in, const char *path, int format,
                                  const char *user_prefix, char *err, size_t errcap);
void inter_ledger_destroy (inter_ledger_t **self_p);

/*  true when data row `row` (1-based; ask in increasing order) was
    imported by an earlier run.  */
bool inter_ledger_done (inter_ledger_t *self, long row);

/*  Records that rows first..last are imported (`loaded` events among them).
    Call inside the transaction that loads them.  0 / -1.                  */
int inter_ledger_record (inter_ledger_t *self, long first, long last, long loaded);

#endif
