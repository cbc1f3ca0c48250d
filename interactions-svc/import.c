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
#include "hr_log.h"
#include "hr_progress.h"
#include "hr_validate.h"
#include "import_ledger.h"
#include "store.h"

#define CHUNK_EVENTS   50000
#define COPY_BUF       (256 * 1024)
#define RECORD_MAX     4096
#define DAY_MS         86400000LL
#define PARTITION_GAP_DAYS  31      /* days apart that still share one call */
#define PARTITION_SPAN_DAYS 4000    /* interactions_ensure_partitions' limit */

typedef struct {
    hr_pg_t *pg;
    inter_ledger_t *ledger;
    hr_event_t *events;
    int64_t *days;
    int n;
    long first_row, last_row;       /* data rows of the chunk's first and last event */
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

static int
s_by_value (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

static int64_t
s_day_of (int64_t ms)
{
    return ms >= 0 ? ms / DAY_MS : (ms - DAY_MS + 1) / DAY_MS;
}

//  The daily partitions of the chunk's days: one call per run of nearby
//  days, so a chunk whose events lie years apart creates only their days.
static int
s_ensure_partitions (loader_t *l)
{
    for (int i = 0; i < l->n; i++)
        l->days[i] = s_day_of (l->events[i].ts_ms);
    qsort (l->days, (size_t) l->n, sizeof *l->days, s_by_value);
    int64_t lo = l->days[0], hi = lo;
    for (int i = 1; i <= l->n; i++) {
        if (i < l->n && l->days[i] - hi <= PARTITION_GAP_DAYS
        &&  l->days[i] - lo < PARTITION_SPAN_DAYS) {
            hi = l->days[i];
            continue;
        }
        if (inter_store_ensure_partitions (l->pg, lo * DAY_MS, hi * DAY_MS) != 0)
            return -1;
        if (i < l->n)
            lo = hi = l->days[i];
    }
    return 0;
}

static int
s_copy_chunk (loader_t *l)
{
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
    return hr_pg_copy_end (l->pg, NULL);
}

//  Creates the partitions the chunk needs, then COPYs it and records it in
//  the ledger, in one transaction.
static int
s_load_chunk (loader_t *l)
{
    if (l->n == 0)
        return 0;
    l->len = 0;
    if (s_ensure_partitions (l) != 0 || hr_pg_exec_simple (l->pg, "BEGIN") != 0)
        return -1;
    if (s_copy_chunk (l) != 0
    ||  inter_ledger_record (l->ledger, l->first_row, l->last_row, l->n) != 0
    ||  hr_pg_exec_simple (l->pg, "COMMIT") != 0) {
        hr_pg_exec_simple (l->pg, "ROLLBACK");
        return -1;
    }
    l->n = 0;
    return 0;
}

//  A time the interactions table can hold and a shop can have seen: no
//  Unix time 0, no year 0000, nothing from tomorrow.
static int
s_check_time (int64_t ts_ms, char *err, size_t errcap)
{
    if (ts_ms < INTER_IMPORT_TS_MIN_MS) {
        snprintf (err, errcap, "timestamp before 2000-01-01");
        return -1;
    }
    if (ts_ms > hr_now_ms () + DAY_MS) {
        snprintf (err, errcap, "timestamp more than a day in the future");
        return -1;
    }
    return 0;
}

//  Reads the file once; for every valid data row calls `row` (when not
//  NULL), counting into *summary.  Returns 0, or -1 when `row` failed.
typedef int (row_fn) (void *arg, long row_no, hr_event_t *ev);

typedef struct {
    const char *path;
    const inter_import_options_t *opts;
    const inter_row_options_t *ropts;
    int64_t shift_ms;               /* added before the time check */
    bool report;
    inter_ledger_t *ledger;         /* rows it holds are skipped; may be NULL */
    hr_progress_t *progress;        /* may be NULL */
} scan_t;

static void
s_report (const scan_t *scan, long line, long row_no, const char *reason)
{
    char l[24], r[24];
    snprintf (l, sizeof l, "%ld", line);
    snprintf (r, sizeof r, "%ld", row_no);
    fflush (scan->opts->report);
    hr_log_kv_fd (fileno (scan->opts->report), HR_LOG_WARN, NULL, "import row rejected",
                  "file", scan->path, "line", l, "row", r, "reason", reason, NULL);
}

static int
s_scan (FILE *in, const scan_t *scan, row_fn *row, void *arg, inter_import_summary_t *summary)
{
    const inter_import_options_t *opts = scan->opts;
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
        long row_no = ++summary->read;
        if (scan->ledger && inter_ledger_done (scan->ledger, row_no)) {
            summary->skipped++;
            continue;
        }
        if (rc < 0)
            snprintf (err, sizeof err, "%s", hr_dataset_error (ds));
        if (rc > 0 && inter_row_event (scan->ropts, &drow, &ev, err, sizeof err) == 0) {
            ev.ts_ms += scan->shift_ms;
            rc = s_check_time (ev.ts_ms, err, sizeof err) == 0 ? 1 : -1;
        }
        else
            rc = -1;
        if (rc < 0) {
            summary->rejected++;
            if (scan->report && opts->report && summary->rejected <= INTER_IMPORT_REJECTS_SHOWN)
                s_report (scan, hr_dataset_line (ds), row_no, err);
            continue;
        }
        if (row && row (arg, row_no, &ev) != 0) {
            status = -1;
            break;
        }
        if (scan->progress && (summary->read & 1023) == 0)
            hr_progress_update (scan->progress, (uint64_t) hr_dataset_offset (ds));
    }
    hr_dataset_destroy (&ds);
    return status;
}

static int
s_find_newest (void *arg, long row_no, hr_event_t *ev)
{
    (void) row_no;
    int64_t *newest = arg;
    if (ev->ts_ms > *newest)
        *newest = ev->ts_ms;
    return 0;
}

typedef struct {
    loader_t *loader;
    inter_import_summary_t *summary;
} load_ctx_t;

static int
s_add_event (void *arg, long row_no, hr_event_t *ev)
{
    load_ctx_t *ctx = arg;
    loader_t *l = ctx->loader;
    if (l->n == 0)
        l->first_row = row_no;
    l->last_row = row_no;
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

static void
s_fail (const inter_import_options_t *opts, const char *msg, const char *path)
{
    if (opts->report) {
        fflush (opts->report);
        hr_log_kv_fd (fileno (opts->report), HR_LOG_ERROR, NULL, "import failed",
                      "file", path, "error", msg, NULL);
    }
}

int
inter_import_file (hr_pg_t *pg, const char *path, const inter_import_options_t *opts,
                   inter_import_summary_t *summary)
{
    assert (pg && path && opts && summary);
    memset (summary, 0, sizeof *summary);
    FILE *in = fopen (path, "rb");
    if (!in) {
        s_fail (opts, strerror (errno), path);
        return -1;
    }
    inter_row_options_t ropts = {
        .format = opts->format,
        .user_prefix = opts->user_prefix ? opts->user_prefix
                                         : inter_format_default_prefix (opts->format),
        .item_map = opts->item_map,
    };
    char err[256];
    inter_ledger_t *ledger = inter_ledger_new (pg, in, path, (int) opts->format,
                                               ropts.user_prefix, err, sizeof err);
    if (!ledger) {
        s_fail (opts, err, path);
        fclose (in);
        return -1;
    }
    rewind (in);
    scan_t scan = { .path = path, .opts = opts, .ropts = &ropts };
    if (opts->shift_to_now) {
        int64_t newest = INT64_MIN;
        inter_import_summary_t dry = { 0 };
        s_scan (in, &scan, s_find_newest, &newest, &dry);
        if (newest != INT64_MIN)
            scan.shift_ms = hr_now_ms () - newest;
        rewind (in);
    }
    scan.shift_ms += opts->shift_ms;
    scan.report = true;
    scan.ledger = ledger;
    struct stat st;
    uint64_t size = fstat (fileno (in), &st) == 0 ? (uint64_t) st.st_size : 0;
    loader_t loader = {
        .pg = pg,
        .ledger = ledger,
        .events = malloc (CHUNK_EVENTS * sizeof (hr_event_t)),
        .days = malloc (CHUNK_EVENTS * sizeof (int64_t)),
        .buf = malloc (COPY_BUF),
    };
    int rc = -1;
    if (loader.events && loader.days && loader.buf) {
        scan.progress = hr_progress_new ("import-events", size);
        load_ctx_t ctx = { .loader = &loader, .summary = summary };
        summary->min_ts_ms = INT64_MAX;
        summary->max_ts_ms = INT64_MIN;
        rc = s_scan (in, &scan, s_add_event, &ctx, summary);
        if (rc == 0) {
            int n = loader.n;
            rc = s_load_chunk (&loader);
            if (rc == 0)
                summary->loaded += n;
        }
        if (summary->min_ts_ms > summary->max_ts_ms)
            summary->min_ts_ms = summary->max_ts_ms = 0;      // nothing loaded
        if (scan.progress)
            hr_progress_update (scan.progress, size);
        hr_progress_destroy (&scan.progress);
    }
    if (rc != 0)
        s_fail (opts, hr_pg_error (pg)[0] ? hr_pg_error (pg) : "out of memory", path);
    free (loader.events);
    free (loader.days);
    free (loader.buf);
    inter_ledger_destroy (&ledger);
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
