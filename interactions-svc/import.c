/*  interactions import — the COPY loader (see import.h).                   */
#include "import.h"
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "hr_client.h"
#include "hr_csv.h"
#include "hr_dataset.h"
#include "hr_progress.h"
#include "hr_validate.h"
#include "store.h"

#define CHUNK_EVENTS   50000
#define COPY_BUF       (256 * 1024)
#define RECORD_MAX     4096

typedef struct {
    hr_pg_t *pg;
    hr_event_t *events;
    int n;
    char *buf;
    size_t len;
} loader_t;

static int
s_flush_buf (loader_t *l)
{
    if (l->len == 0)
        return 0;
    int rc = hr_pg_copy_put (l->pg, l->buf, l->len);
    l->len = 0;
    return rc;
}

static int
s_put_row (loader_t *l, const hr_event_t *ev)
{
    if (l->len + INTER_COPY_ROW_MAX > COPY_BUF && s_flush_buf (l) != 0)
        return -1;
    l->len += inter_store_copy_row (l->buf + l->len, ev);
    return 0;
}

//  Creates the partitions the chunk needs, then COPYs it (one transaction).
static int
s_load_chunk (loader_t *l)
{
    if (l->n == 0)
        return 0;
    int64_t lo = l->events[0].ts_ms, hi = lo;
    for (int i = 1; i < l->n; i++) {
        if (l->events[i].ts_ms < lo)
            lo = l->events[i].ts_ms;
        if (l->events[i].ts_ms > hi)
            hi = l->events[i].ts_ms;
    }
    if (inter_store_ensure_partitions (l->pg, lo, hi) != 0)
        return -1;
    if (hr_pg_copy_begin (l->pg, INTER_COPY_SQL) != 0)
        return -1;
    for (int i = 0; i < l->n; i++)
        if (s_put_row (l, &l->events[i]) != 0) {
            hr_pg_copy_end (l->pg, "import failed");
            return -1;
        }
    if (s_flush_buf (l) != 0) {
        hr_pg_copy_end (l->pg, "import failed");
        return -1;
    }
    if (hr_pg_copy_end (l->pg, NULL) != 0)
        return -1;
    l->n = 0;
    return 0;
}

//  Reads the file once; for every valid data row calls `row` (when not
//  NULL), counting into *summary.  Returns 0, or -1 when `row` failed.
typedef int (row_fn) (void *arg, hr_event_t *ev);

static int
s_scan (FILE *in, const inter_import_options_t *opts, const inter_row_options_t *ropts,
        bool report, row_fn *row, void *arg, inter_import_summary_t *summary,
        hr_progress_t *progress)
{
    hr_dataset_t *ds = hr_dataset_new (in, opts->format);
    if (!ds)
        return -1;
    hr_dataset_row_t drow;
    hr_event_t ev;
    char err[160];
    int rc, status = 0;
    while ((rc = hr_dataset_read (ds, &drow)) != 0) {
        if (opts->limit > 0 && summary->read >= opts->limit)
            break;
        summary->read++;
        if (rc < 0)
            snprintf (err, sizeof err, "%s", hr_dataset_error (ds));
        if (rc < 0 || inter_row_event (ropts, &drow, &ev, err, sizeof err) != 0) {
            summary->rejected++;
            if (report && opts->report && summary->rejected <= INTER_IMPORT_REJECTS_SHOWN)
                fprintf (opts->report, "line %ld: %s\n", hr_dataset_line (ds), err);
            continue;
        }
        if (row && row (arg, &ev) != 0) {
            status = -1;
            break;
        }
        if (progress && (summary->read & 1023) == 0)
            hr_progress_update (progress, (uint64_t) hr_dataset_offset (ds));
    }
    hr_dataset_destroy (&ds);
    return status;
}

static int
s_find_newest (void *arg, hr_event_t *ev)
{
    int64_t *newest = arg;
    if (ev->ts_ms > *newest)
        *newest = ev->ts_ms;
    return 0;
}

typedef struct {
    loader_t *loader;
    int64_t shift_ms;
    inter_import_summary_t *summary;
} load_ctx_t;

static int
s_add_event (void *arg, hr_event_t *ev)
{
    load_ctx_t *ctx = arg;
    loader_t *l = ctx->loader;
    ev->ts_ms += ctx->shift_ms;
    l->events[l->n++] = *ev;
    if (l->n == CHUNK_EVENTS) {
        int n = l->n;
        if (s_load_chunk (l) != 0)
            return -1;
        ctx->summary->loaded += n;
    }
    if (ev->ts_ms < ctx->summary->min_ts_ms)
        ctx->summary->min_ts_ms = ev->ts_ms;
    if (ev->ts_ms > ctx->summary->max_ts_ms)
        ctx->summary->max_ts_ms = ev->ts_ms;
    return 0;
}

int
inter_import_file (hr_pg_t *pg, const char *path, const inter_import_options_t *opts,
                   inter_import_summary_t *summary)
{
    assert (pg && path && opts && summary);
    memset (summary, 0, sizeof *summary);
    FILE *in = fopen (path, "rb");
    if (!in) {
        if (opts->report)
            fprintf (opts->report, "%s: %s\n", path, strerror (errno));
        return -1;
    }
    inter_row_options_t ropts = {
        .format = opts->format,
        .user_prefix = opts->user_prefix ? opts->user_prefix
                                         : inter_format_default_prefix (opts->format),
        .item_map = opts->item_map,
    };
    int64_t shift = opts->shift_ms;
    if (opts->shift_to_now) {
        int64_t newest = INT64_MIN;
        inter_import_summary_t dry = { 0 };
        s_scan (in, opts, &ropts, false, s_find_newest, &newest, &dry, NULL);
        if (newest != INT64_MIN)
            shift += hr_now_ms () - newest;
        rewind (in);
    }
    struct stat st;
    uint64_t size = fstat (fileno (in), &st) == 0 ? (uint64_t) st.st_size : 0;
    loader_t loader = {
        .pg = pg,
        .events = malloc (CHUNK_EVENTS * sizeof (hr_event_t)),
        .buf = malloc (COPY_BUF),
    };
    int rc = -1;
    if (loader.events && loader.buf) {
        hr_progress_t *progress = hr_progress_new ("import-events", size);
        load_ctx_t ctx = { .loader = &loader, .shift_ms = shift, .summary = summary };
        summary->min_ts_ms = INT64_MAX;
        summary->max_ts_ms = INT64_MIN;
        rc = s_scan (in, opts, &ropts, true, s_add_event, &ctx, summary, progress);
        if (rc == 0) {
            int n = loader.n;
            rc = s_load_chunk (&loader);
            if (rc == 0)
                summary->loaded += n;
        }
        if (summary->min_ts_ms > summary->max_ts_ms)
            summary->min_ts_ms = summary->max_ts_ms = 0;      // nothing loaded
        if (progress)
            hr_progress_update (progress, size);
        hr_progress_destroy (&progress);
    }
    free (loader.events);
    free (loader.buf);
    fclose (in);
    return rc;
}

inter_item_map_t *
inter_item_map_load (const char *path, char *err, size_t errcap)
{
    FILE *in = fopen (path, "rb");
    if (!in) {
        snprintf (err, errcap, "%s: %s", path, strerror (errno));
        return NULL;
    }
    inter_item_map_t *map = inter_item_map_new ();
    hr_csv_t *csv = map ? hr_csv_new (in, ',', RECORD_MAX) : NULL;
    hr_csv_record_t rec;
    int rc;
    bool ok = csv != NULL;
    while (ok && (rc = hr_csv_read (csv, &rec)) != 0) {
        if (rc < 0 || rec.nfields != 2) {
            snprintf (err, errcap, "%s line %ld: expected foreign_id,catalog_id", path, rec.line);
            ok = false;
        }
        else
        if (inter_item_map_put (map, rec.field[0], rec.field[1]) != 0
        &&  !(rec.line == 1 && !hr_valid_product_id (rec.field[1], rec.len[1]))) {
            snprintf (err, errcap, "%s line %ld: '%s' is not a catalog id", path, rec.line,
                      rec.field[1]);
            ok = false;
        }
    }
    hr_csv_destroy (&csv);
    fclose (in);
    if (!ok)
        inter_item_map_destroy (&map);
    return map;
}
