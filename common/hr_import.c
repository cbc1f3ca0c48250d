/*  hr_import — reads product CSVs into memory, then upserts them at once.

    Everything is parsed before the database is touched, so a file that
    cannot be read stops the import before anything changed, and the load
    itself is one transaction: readers see the old catalog or the new one,
    and meta.catalog_version moves exactly once per import.                */
#include "hr_import.h"
#include "hr_arena.h"
#include "hr_array.h"
#include "hr_csv.h"
#include "hr_idmap.h"
#include "hr_log.h"
#include "hr_progress.h"
#include "hr_strbuf.h"
#include "hr_validate.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define HR_IMPORT_MAX_RECORD (1 << 20)
#define HR_IMPORT_ARENA_BLOCK (1 << 20)

enum { COL_ID, COL_NAME, COL_MAIN, COL_SUB, COL_IMAGE, COL_LINK, COL_RATINGS, COL_NRATINGS,
       COL_PRICE, COL_ACTUAL, COL_RATIO, NCOLS };
static const char *s_column_names[NCOLS] = {
    "id", "name", "main_category", "sub_category", "image", "link", "ratings",
    "no_of_ratings", "discount_price", "actual_price", "discount_ratio" };

struct hr_import {
    hr_arena_t *arena;
    hr_import_row_t *rows;
    uint32_t count;
    size_t cap;
    hr_idmap_t *ids;            /* row index by id */
    hr_import_summary_t summary;
    bool progress;
};

//  ------------------------------------------------------------------------
//  The parsing rules

void
hr_import_derive_id (const char *name, const char *link, char id[11])
{
    const char *dp = link ? strstr (link, "/dp/") : NULL;
    if (dp) {
        const char *asin = dp + 4;
        bool ok = true;
        for (int i = 0; i < 10 && ok; i++) {
            char c = (char) toupper ((unsigned char) asin[i]);
            ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            id[i] = c;
        }
        //  Exactly ten: /dp/B0BRKXTSBT/ or ?... or the end, not a longer token
        char after = ok ? asin[10] : 0;
        if (ok && (after == 0 || after == '/' || after == '?' || after == '#' || after == '&')) {
            id[10] = 0;
            return;
        }
    }
    uint64_t h = 14695981039346656037ULL;
    for (const char *p = name ? name : ""; *p; p++)
        h = (h ^ (uint8_t) *p) * 1099511628211ULL;
    for (const char *p = link ? link : ""; *p; p++)
        h = (h ^ (uint8_t) *p) * 1099511628211ULL;
    char hex[17];
    snprintf (hex, sizeof hex, "%016" PRIX64, h);
    memcpy (id, hex, 10);
    id[10] = 0;
}

double
hr_import_parse_price (const char *s)
{
    //  Keep digits and '.': "₹32,999" -> 32999, "599.00" -> 599
    char num[64];
    size_t n = 0;
    for (; s && *s; s++)
        if ((isdigit ((unsigned char) *s) || *s == '.') && n < sizeof num - 1)
            num[n++] = *s;
    num[n] = 0;
    if (n == 0 || strspn (num, ".") == n)
        return NAN;
    char *end;
    double v = strtod (num, &end);
    //  Outside a shop's range (a scraping artefact): unknown, not a number
    //  that cannot be written back exactly in plain decimals
    if (*end || !isfinite (v) || v > 1e12 || (v > 0 && v < 0.01))
        return NAN;
    return v;
}

double
hr_import_parse_rating (const char *s)
{
    if (!s || !*s)
        return NAN;
    char *end;
    double v = strtod (s, &end);
    while (*end == ' ')
        end++;
    if (end == s || *end || !(v >= 0.0 && v <= 5.0))
        return NAN;
    return v;
}

int64_t
hr_import_parse_count (const char *s)
{
    int64_t v = 0;
    bool any = false;
    for (; s && *s; s++) {
        if (*s == ',' || *s == ' ')
            continue;
        if (!isdigit ((unsigned char) *s))
            return 0;                   // "FREE", "Get": not a count
        if (v > (INT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (*s - '0');
        any = true;
    }
    return any ? v : 0;
}

static double
s_discount_ratio (double price, double actual)
{
    if (!(price > 0) || !(actual > 0))
        return NAN;
    return round ((1.0 - price / actual) * 10000.0) / 10000.0;
}

//  ------------------------------------------------------------------------

hr_import_t *
hr_import_new (void)
{
    hr_import_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->ids = hr_idmap_new (2048);
    self->arena = hr_arena_new (HR_IMPORT_ARENA_BLOCK);
    if (!self->ids || !self->arena) {
        hr_arena_destroy (&self->arena);
        hr_idmap_destroy (&self->ids);
        free (self);
        return NULL;
    }
    self->summary.catalog_version = -1;
    return self;
}

void
hr_import_destroy (hr_import_t **self_p)
{
    assert (self_p);
    hr_import_t *self = *self_p;
    if (!self)
        return;
    hr_arena_destroy (&self->arena);
    free (self->rows);
    hr_idmap_destroy (&self->ids);
    free (self);
    *self_p = NULL;
}

void
hr_import_set_progress (hr_import_t *self, bool on)
{
    assert (self);
    self->progress = on;
}


static void
s_reject (hr_import_t *self, const char *file, long line, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static void
s_reject (hr_import_t *self, const char *file, long line, const char *fmt, ...)
{
    hr_import_summary_t *s = &self->summary;
    s->rejected++;
    if (s->nrejects >= HR_IMPORT_REJECTS_KEPT)
        return;
    hr_import_reject_t *r = &s->rejects[s->nrejects++];
    snprintf (r->file, sizeof r->file, "%s", file);
    r->line = line;
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (r->reason, sizeof r->reason, fmt, ap);
    va_end (ap);
}

//  Trims ASCII whitespace in place; returns the start, *len the length.
static const char *
s_trim (const char *field, size_t n, size_t *len)
{
    char *f = (char *) field;       // hr_csv's record buffer is ours until the next read
    while (n && isspace ((unsigned char) *f)) {
        f++;
        n--;
    }
    while (n && isspace ((unsigned char) f[n - 1]))
        n--;
    f[n] = 0;
    *len = n;
    return f;
}

//  Field of a column, trimmed; "" when the file has no such column.
static const char *
s_field (hr_csv_record_t *rec, const int *col, int which, size_t *len)
{
    if (col[which] < 0) {
        *len = 0;
        return "";
    }
    return s_trim (rec->field[col[which]], rec->len[col[which]], len);
}

//  Parses one record into a row (strings still in the record).  NULL when
//  accepted, else the reason.
static const char *
s_parse (hr_csv_record_t *rec, const int *col, hr_import_row_t *row, char *why, size_t whylen)
{
    size_t len[NCOLS];
    const char *f[NCOLS];
    for (int c = 0; c < NCOLS; c++)
        f[c] = s_field (rec, col, c, &len[c]);
    if (len[COL_NAME] == 0)
        return "missing name";
    if (len[COL_MAIN] == 0 || len[COL_SUB] == 0)
        return "no category";
    for (int c = 0; c < NCOLS; c++) {
        if (!hr_utf8_valid (f[c], len[c])) {
            snprintf (why, whylen, "invalid UTF-8 in %s", s_column_names[c]);
            return why;
        }
        //  A NUL would silently cut the stored C string (and dodge trimming)
        if (memchr (f[c], '\0', len[c])) {
            snprintf (why, whylen, "NUL byte in %s", s_column_names[c]);
            return why;
        }
    }
    memset (row, 0, sizeof *row);
    if (col[COL_ID] >= 0) {
        if (!hr_valid_product_id (f[COL_ID], len[COL_ID])) {
            snprintf (why, whylen, "bad id \"%.20s\" (want [A-Z0-9]{10})", f[COL_ID]);
            return why;
        }
        memcpy (row->id, f[COL_ID], 11);
    }
    else
        hr_import_derive_id (f[COL_NAME], f[COL_LINK], row->id);
    row->name = f[COL_NAME];
    row->main_category = f[COL_MAIN];
    row->sub_category = f[COL_SUB];
    row->image = f[COL_IMAGE];
    row->link = f[COL_LINK];
    row->rating = hr_import_parse_rating (f[COL_RATINGS]);
    row->reviews = hr_import_parse_count (f[COL_NRATINGS]);
    row->price = hr_import_parse_price (f[COL_PRICE]);
    row->original_price = hr_import_parse_price (f[COL_ACTUAL]);
    row->discount_ratio = NAN;
    if (len[COL_RATIO]) {
        char *end;
        double v = strtod (f[COL_RATIO], &end);
        if (end != f[COL_RATIO] && !*end && isfinite (v))
            row->discount_ratio = v;
    }
    if (isnan (row->discount_ratio))
        row->discount_ratio = s_discount_ratio (row->price, row->original_price);
    return NULL;
}

static int
s_store (hr_import_t *self, const hr_import_row_t *parsed)
{
    if (hr_array_grow (&self->rows, sizeof *self->rows, self->count, &self->cap, 4096) != 0)
        return -1;
    hr_import_row_t row = *parsed;
    row.name = hr_arena_strndup (self->arena, parsed->name, strlen (parsed->name));
    row.main_category = hr_arena_strndup (self->arena, parsed->main_category, strlen (parsed->main_category));
    row.sub_category = hr_arena_strndup (self->arena, parsed->sub_category, strlen (parsed->sub_category));
    row.image = hr_arena_strndup (self->arena, parsed->image, strlen (parsed->image));
    row.link = hr_arena_strndup (self->arena, parsed->link, strlen (parsed->link));
    if (!row.name || !row.main_category || !row.sub_category || !row.image || !row.link)
        return -1;
    bool added;
    int64_t idx = hr_idmap_add (self->ids, row.id, &added);
    if (idx < 0)
        return -1;
    //  Last wins, in the place of the first
    self->rows[idx] = row;
    if (added)
        self->count++;
    else
        self->summary.duplicates++;
    return 0;
}

//  Maps header names to column positions.  0, or -1 when unusable.
static int
s_map_header (hr_csv_record_t *hdr, int *col)
{
    for (int c = 0; c < NCOLS; c++)
        col[c] = -1;
    for (int i = 0; i < hdr->nfields; i++) {
        size_t n;
        const char *name = s_trim (hdr->field[i], hdr->len[i], &n);
        for (int c = 0; c < NCOLS; c++)
            if (strcasecmp (name, s_column_names[c]) == 0 && col[c] < 0)
                col[c] = i;
    }
    return col[COL_NAME] >= 0 && col[COL_MAIN] >= 0 && col[COL_SUB] >= 0 ? 0 : -1;
}

int
hr_import_read_stream (hr_import_t *self, FILE *in, const char *name)
{
    assert (self);
    assert (in);
    const char *base = strrchr (name, '/') ? strrchr (name, '/') + 1 : name;
    hr_csv_t *csv = hr_csv_new (in, ',', HR_IMPORT_MAX_RECORD);
    if (!csv)
        return -1;
    hr_csv_record_t rec;
    int col[NCOLS];
    int rc = hr_csv_read (csv, &rec);
    if (rc != 1 || s_map_header (&rec, col) != 0) {
        hr_log_kv (HR_LOG_ERROR, NULL, "not a product CSV: the header needs name, main_category"
                   " and sub_category", "file", name, NULL);
        hr_csv_destroy (&csv);
        self->summary.files_failed++;
        return -1;
    }
    int header_fields = rec.nfields;
    uint64_t total = 0;
    struct stat st;
    if (fstat (fileno (in), &st) == 0 && S_ISREG (st.st_mode))
        total = (uint64_t) st.st_size;
    hr_progress_t *progress = self->progress ? hr_progress_new (base, total) : NULL;

    char why[128];
    while ((rc = hr_csv_read (csv, &rec)) != 0) {
        if (progress)
            hr_progress_update (progress, (uint64_t) hr_csv_offset (csv));
        self->summary.read++;
        if (rc < 0) {
            s_reject (self, base, rec.line, "malformed CSV record: %s", hr_csv_error (csv));
            continue;
        }
        if (rec.nfields != header_fields) {
            s_reject (self, base, rec.line, "expected %d fields, got %d", header_fields, rec.nfields);
            continue;
        }
        hr_import_row_t row;
        const char *reason = s_parse (&rec, col, &row, why, sizeof why);
        if (reason) {
            s_reject (self, base, rec.line, "%s", reason);
            continue;
        }
        if (s_store (self, &row) != 0) {
            hr_log (HR_LOG_ERROR, "import: out of memory");
            hr_progress_destroy (&progress);
            hr_csv_destroy (&csv);
            self->summary.files_failed++;
            return -1;
        }
    }
    hr_progress_destroy (&progress);
    bool read_error = ferror (in);
    hr_csv_destroy (&csv);
    if (read_error) {
        hr_log_kv (HR_LOG_ERROR, NULL, "read error", "file", name, NULL);
        self->summary.files_failed++;
        return -1;
    }
    self->summary.files++;
    return 0;
}

int
hr_import_read_file (hr_import_t *self, const char *path)
{
    assert (self);
    assert (path);
    FILE *in = fopen (path, "rb");
    if (!in) {
        hr_log_kv (HR_LOG_ERROR, NULL, "cannot open file", "file", path, "error", strerror (errno), NULL);
        self->summary.files_failed++;
        return -1;
    }
    int rc = hr_import_read_stream (self, in, path);
    fclose (in);
    return rc;
}

//  ------------------------------------------------------------------------
//  Loading

//  COPY text format: backslash escapes; "" stays an empty string.
static int
s_put_text (hr_strbuf_t *sb, const char *s)
{
    for (const char *p = s; *p; p++) {
        const char *esc = *p == '\\' ? "\\\\" : *p == '\t' ? "\\t" : *p == '\n' ? "\\n"
                        : *p == '\r' ? "\\r" : NULL;
        if (esc ? hr_strbuf_put (sb, esc, 2) : hr_strbuf_put (sb, p, 1))
            return -1;
    }
    return 0;
}

static int
s_put_nullable_text (hr_strbuf_t *sb, const char *s)
{
    return *s ? s_put_text (sb, s) : hr_strbuf_put (sb, "\\N", 2);
}

static int
s_put_double (hr_strbuf_t *sb, double v)
{
    if (isnan (v))
        return hr_strbuf_put (sb, "\\N", 2);
    //  Plain decimals, never an exponent: the price rule (digits and '.')
    //  would read "1e+20" back as 120.  15 decimals keep sub-cent values.
    char num[400];
    int n = snprintf (num, sizeof num, "%.15f", v);
    if (n < 0 || (size_t) n >= sizeof num)
        return -1;
    while (n > 1 && num[n - 1] == '0')
        n--;
    if (num[n - 1] == '.')
        n--;
    return hr_strbuf_put (sb, num, (size_t) n);
}

static int
s_put_row (hr_strbuf_t *sb, const hr_import_row_t *r)
{
    char reviews[24];
    int n = snprintf (reviews, sizeof reviews, "%" PRId64, r->reviews);
    return hr_strbuf_put (sb, r->id, 10) || hr_strbuf_put (sb, "\t", 1)
        || s_put_text (sb, r->name) || hr_strbuf_put (sb, "\t", 1)
        || s_put_text (sb, r->main_category) || hr_strbuf_put (sb, "\t", 1)
        || s_put_text (sb, r->sub_category) || hr_strbuf_put (sb, "\t", 1)
        || s_put_nullable_text (sb, r->image) || hr_strbuf_put (sb, "\t", 1)
        || s_put_nullable_text (sb, r->link) || hr_strbuf_put (sb, "\t", 1)
        || s_put_double (sb, r->rating) || hr_strbuf_put (sb, "\t", 1)
        || hr_strbuf_put (sb, reviews, (size_t) n) || hr_strbuf_put (sb, "\t", 1)
        || s_put_double (sb, r->price) || hr_strbuf_put (sb, "\t", 1)
        || s_put_double (sb, r->original_price) || hr_strbuf_put (sb, "\t", 1)
        || s_put_double (sb, r->discount_ratio) || hr_strbuf_put (sb, "\n", 1);
}

static int
s_copy_rows (hr_import_t *self, hr_pg_t *pg)
{
    if (hr_pg_copy_begin (pg, "COPY hr_import_stage (id, name, main_category, sub_category, image,"
                              " link, ratings, no_of_ratings, discount_price, actual_price,"
                              " discount_ratio) FROM STDIN") != 0)
        return -1;
    hr_strbuf_t sb = { 0 };
    int rc = 0;
    for (uint32_t i = 0; i < self->count && rc == 0; i++) {
        if (s_put_row (&sb, &self->rows[i]) != 0)
            rc = -1;
        else if (sb.len > (1 << 16) || i + 1 == self->count) {
            rc = hr_pg_copy_put (pg, sb.buf, sb.len);
            sb.len = 0;
        }
    }
    hr_strbuf_free (&sb);
    if (rc != 0) {
        hr_pg_copy_end (pg, "import failed while sending rows");
        return -1;
    }
    return hr_pg_copy_end (pg, NULL);
}

static int
s_load_in_transaction (hr_import_t *self, hr_pg_t *pg)
{
    if (hr_pg_exec_simple (pg,
            "CREATE TEMP TABLE hr_import_stage (id text, name text, main_category text,"
            " sub_category text, image text, link text, ratings double precision,"
            " no_of_ratings bigint, discount_price double precision,"
            " actual_price double precision, discount_ratio double precision) ON COMMIT DROP") != 0)
        return -1;
    if (self->count && s_copy_rows (self, pg) != 0)
        return -1;
    //  xmax = 0 on the returned row: it was inserted, not updated
    PGresult *res = hr_pg_exec (pg,
        "WITH up AS ("
        " INSERT INTO products AS p (id, name, main_category, sub_category, image, link, ratings,"
        "   no_of_ratings, discount_price, actual_price, discount_ratio)"
        " SELECT id, name, main_category, sub_category, image, link, ratings, no_of_ratings,"
        "   discount_price, actual_price, discount_ratio FROM hr_import_stage"
        " ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
        "   main_category = excluded.main_category, sub_category = excluded.sub_category,"
        "   image = excluded.image, link = excluded.link, ratings = excluded.ratings,"
        "   no_of_ratings = excluded.no_of_ratings, discount_price = excluded.discount_price,"
        "   actual_price = excluded.actual_price, discount_ratio = excluded.discount_ratio,"
        "   updated_at = now()"
        " RETURNING (p.xmax = 0) AS inserted)"
        " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up",
        0, NULL);
    if (!res)
        return -1;
    self->summary.loaded = strtoull (PQgetvalue (res, 0, 0), NULL, 10);
    self->summary.updated = strtoull (PQgetvalue (res, 0, 1), NULL, 10);
    PQclear (res);
    const char *key[] = { "catalog_version" };
    res = hr_pg_exec (pg, "INSERT INTO meta (key, value) VALUES ($1, '1')"
                          " ON CONFLICT (key) DO UPDATE SET value = (meta.value::bigint + 1)::text"
                          " RETURNING value", 1, key);
    if (!res)
        return -1;
    self->summary.catalog_version = strtoll (PQgetvalue (res, 0, 0), NULL, 10);
    PQclear (res);
    return 0;
}

int
hr_import_load (hr_import_t *self, hr_pg_t *pg)
{
    assert (self);
    assert (pg);
    if (hr_pg_exec_simple (pg, "BEGIN") != 0)
        return -1;
    if (s_load_in_transaction (self, pg) != 0 || hr_pg_exec_simple (pg, "COMMIT") != 0) {
        hr_log_kv (HR_LOG_ERROR, NULL, "catalog import failed, nothing changed",
                   "error", hr_pg_error (pg), NULL);
        hr_pg_exec_simple (pg, "ROLLBACK");
        self->summary.loaded = self->summary.updated = 0;
        self->summary.catalog_version = -1;
        return -1;
    }
    return 0;
}

//  ------------------------------------------------------------------------

const hr_import_summary_t *
hr_import_summary (const hr_import_t *self)
{
    assert (self);
    return &self->summary;
}

uint32_t
hr_import_count (const hr_import_t *self)
{
    assert (self);
    return self->count;
}

const hr_import_row_t *
hr_import_row (const hr_import_t *self, uint32_t idx)
{
    assert (self);
    assert (idx < self->count);
    return &self->rows[idx];
}

static int
s_put_json_string (hr_strbuf_t *sb, const char *s)
{
    return hr_strbuf_put (sb, "\"", 1) || hr_strbuf_put_escaped (sb, s) || hr_strbuf_put (sb, "\"", 1);
}

char *
hr_import_summary_json (const hr_import_t *self)
{
    assert (self);
    const hr_import_summary_t *s = &self->summary;
    hr_strbuf_t sb = { 0 };
    char head[400];
    int n = snprintf (head, sizeof head,
                      "{\"files\":%u,\"files_failed\":%u,\"read\":%" PRIu64 ",\"loaded\":%" PRIu64
                      ",\"updated\":%" PRIu64 ",\"rejected\":%" PRIu64 ",\"duplicates\":%" PRIu64
                      ",\"distinct\":%u,\"catalog_version\":%" PRId64 ",\"rejects\":[",
                      s->files, s->files_failed, s->read, s->loaded, s->updated, s->rejected,
                      s->duplicates, self->count, s->catalog_version);
    int rc = hr_strbuf_put (&sb, head, (size_t) n);
    for (int i = 0; i < s->nrejects && rc == 0; i++) {
        char line[32];
        int m = snprintf (line, sizeof line, ",\"line\":%ld,\"reason\":", s->rejects[i].line);
        rc = hr_strbuf_put (&sb, i ? ",{\"file\":" : "{\"file\":", i ? 9 : 8)
          || s_put_json_string (&sb, s->rejects[i].file) || hr_strbuf_put (&sb, line, (size_t) m)
          || s_put_json_string (&sb, s->rejects[i].reason) || hr_strbuf_put (&sb, "}", 1);
    }
    if (rc || hr_strbuf_put (&sb, "]}", 2)) {
        free (sb.buf);
        return NULL;
    }
    return sb.buf;
}

//  RFC 4180 quoting for one field.
static int
s_csv_field (FILE *out, const char *s, bool last)
{
    bool quote = strpbrk (s, ",\"\r\n") != NULL;
    if (quote) {
        fputc ('"', out);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                fputc ('"', out);
            fputc (*p, out);
        }
        fputc ('"', out);
    }
    else
        fputs (s, out);
    return fputc (last ? '\n' : ',', out) == EOF ? -1 : 0;
}

static int
s_csv_number (FILE *out, double v, bool last)
{
    char num[40] = "";
    if (!isnan (v)) {
        //  Shortest text that reads back as the same value
        for (int precision = 15; precision <= 17; precision++) {
            snprintf (num, sizeof num, "%.*g", precision, v);
            if (strtod (num, NULL) == v)
                break;
        }
    }
    return s_csv_field (out, num, last);
}

int
hr_import_write_spec_csv (const hr_import_t *self, FILE *out)
{
    assert (self);
    assert (out);
    fputs ("id,name,main_category,sub_category,image,link,ratings,no_of_ratings,"
           "discount_price,actual_price,discount_ratio\n", out);
    for (uint32_t i = 0; i < self->count; i++) {
        const hr_import_row_t *r = &self->rows[i];
        char reviews[24];
        snprintf (reviews, sizeof reviews, "%" PRId64, r->reviews);
        if (s_csv_field (out, r->id, false) || s_csv_field (out, r->name, false)
            || s_csv_field (out, r->main_category, false) || s_csv_field (out, r->sub_category, false)
            || s_csv_field (out, r->image, false) || s_csv_field (out, r->link, false)
            || s_csv_number (out, r->rating, false) || s_csv_field (out, reviews, false)
            || s_csv_number (out, r->price, false) || s_csv_number (out, r->original_price, false)
            || s_csv_number (out, r->discount_ratio, true))
            return -1;
    }
    return fflush (out) == 0 ? 0 : -1;
}
