/*  collab_log_read — a dataset file as a collab_log (see log.h).           */
#include "log.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int
s_add (collab_ids_t *ids, collab_rows_t *rows, const hr_dataset_row_t *row, const char **why)
{
    int64_t item = collab_ids_intern (ids, row->value, row->value_len);
    if (item < 0) {
        *why = "bad item id (1-10 bytes)";
        return -1;
    }
    if (collab_rows_add (rows, row->session, row->ts_ms, (uint32_t) item) != 0) {
        *why = "out of memory";
        return -1;
    }
    return 0;
}

collab_log_t *
collab_log_read (const char *path, hr_dataset_format_t fmt, collab_ids_t *ids,
                 char *err, size_t errlen)
{
    FILE *f = fopen (path, "r");
    if (!f) {
        snprintf (err, errlen, "%s: %s", path, strerror (errno));
        return NULL;
    }
    hr_dataset_t *ds = hr_dataset_new (f, fmt);
    collab_rows_t *rows = collab_rows_new ();
    collab_log_t *log = NULL;
    const char *why = "out of memory";
    hr_dataset_row_t row;
    int rc = ds && rows ? 1 : -1;
    while (rc == 1 && (rc = hr_dataset_read (ds, &row)) == 1)
        if (s_add (ids, rows, &row, &why) != 0)
            rc = -2;
    if (rc == -1 && ds)
        why = hr_dataset_error (ds);
    if (rc == 0 && ferror (f)) {
        why = strerror (errno);
        rc = -1;
    }
    if (rc == 0 && hr_dataset_line (ds) == 0) {
        why = "empty file";
        rc = -1;
    }
    if (rc != 0)
        snprintf (err, errlen, "%s:%ld: %s", path, ds ? hr_dataset_line (ds) : 0L, why);
    else
    if (!(log = collab_rows_build (rows, 1)))
        snprintf (err, errlen, "%s: out of memory", path);
    collab_rows_destroy (&rows);
    hr_dataset_destroy (&ds);
    fclose (f);
    return log;
}
