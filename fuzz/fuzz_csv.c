/*  fuzz_csv — CSV catalog import rows.  The first byte picks:
      0-3  hr_csv over fmemopen'd bytes with separator , ; TAB | and a
           record limit from the second byte (16 B .. 4 KiB, so the
           over-long-record path runs too); every record is checked
           (1..64 fields, each NUL-terminated at its length, lines never go
           backwards, offsets within the input);
      4    the catalog importer (hr_import_read_stream): every accepted row
           is well-formed, and writing the rows as a spec CSV and importing
           that again gives the same rows;
      5    the importer's field rules (price, rating, count, derived id). */
#include <math.h>
#include <stdio.h>
#include "fuzz_util.h"
#include "hr_csv.h"
#include "hr_import.h"
#include "hr_validate.h"

static void
csv_records (const uint8_t *data, size_t size, char sep, size_t max_record)
{
    if (size == 0)
        return;
    FILE *in = fmemopen ((void *) data, size, "r");
    FUZZ_CHECK (in);
    hr_csv_t *csv = hr_csv_new (in, sep, max_record);
    FUZZ_CHECK (csv);
    hr_csv_record_t rec;
    long last_line = 0, last_off = 0;
    int rc, guard = 0;
    while ((rc = hr_csv_read (csv, &rec)) != 0 && guard++ < 100000) {
        long off = hr_csv_offset (csv);
        FUZZ_CHECK (off >= last_off && off <= (long) size);
        last_off = off;
        if (rc < 0) {
            FUZZ_CHECK (hr_csv_error (csv) != NULL);
            continue;
        }
        FUZZ_CHECK (rc == 1);
        FUZZ_CHECK (rec.nfields >= 1 && rec.nfields <= HR_CSV_MAX_FIELDS);
        FUZZ_CHECK (rec.line > last_line);
        last_line = rec.line;
        for (int i = 0; i < rec.nfields; i++) {
            FUZZ_CHECK (rec.field[i] != NULL);
            FUZZ_CHECK (rec.field[i][rec.len[i]] == '\0');
            FUZZ_CHECK (rec.len[i] <= max_record);
        }
    }
    FUZZ_CHECK (guard <= 100000);   /* a reader that never reaches EOF hangs */
    hr_csv_destroy (&csv);
    FUZZ_CHECK (csv == NULL);
    fclose (in);
}

static bool
trimmed (const char *s)
{
    size_t n = strlen (s);
    return n == 0 || (s[0] != ' ' && s[0] != '\t' && s[n - 1] != ' ' && s[n - 1] != '\t'
                      && s[0] != '\r' && s[n - 1] != '\r' && s[n - 1] != '\n');
}

static void
check_row (const hr_import_row_t *row)
{
    /*  The importer trims every field (as C strings: what the load sees).  */
    FUZZ_CHECK (trimmed (row->name) && trimmed (row->main_category) && trimmed (row->sub_category));
    FUZZ_CHECK (hr_valid_product_id (row->id, strlen (row->id)));
    FUZZ_CHECK (row->name && row->main_category && row->sub_category);
    FUZZ_CHECK (row->image && row->link);
    FUZZ_CHECK (isnan (row->rating) || (row->rating >= 0 && row->rating <= 5));
    FUZZ_CHECK (isnan (row->price) || row->price >= 0);
    FUZZ_CHECK (isnan (row->original_price) || row->original_price >= 0);
    FUZZ_CHECK (row->reviews >= 0);
}

static bool
same_double (double a, double b)
{
    return (isnan (a) && isnan (b)) || a == b || fabs (a - b) <= 1e-9 * fmax (fabs (a), 1);
}

static void
importer (const uint8_t *data, size_t size)
{
    FILE *in = size ? fmemopen ((void *) data, size, "r") : NULL;
    if (!in)
        return;
    hr_import_t *imp = hr_import_new ();
    FUZZ_CHECK (imp);
    int rc = hr_import_read_stream (imp, in, "fuzz.csv");
    fclose (in);
    const hr_import_summary_t *sum = hr_import_summary (imp);
    uint32_t n = hr_import_count (imp);
    FUZZ_CHECK (sum->rejected <= sum->read);
    FUZZ_CHECK (n <= sum->read);
    FUZZ_CHECK (sum->nrejects >= 0 && sum->nrejects <= HR_IMPORT_REJECTS_KEPT);
    char *json = hr_import_summary_json (imp);
    FUZZ_CHECK (json);
    free (json);
    if (rc == 0 && n > 0) {
        for (uint32_t i = 0; i < n; i++)
            check_row (hr_import_row (imp, i));
        /*  A NUL byte inside a field cuts the C string (reported once, by
            check_row's trim rule); the round trip only makes sense without. */
        if (memchr (data, '\0', size))
            goto done;
        /*  Round trip through the spec format.  */
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream (&buf, &len);
        FUZZ_CHECK (out);
        FUZZ_CHECK (hr_import_write_spec_csv (imp, out) == 0);
        fclose (out);
        FILE *again = fmemopen (buf, len, "r");
        hr_import_t *imp2 = hr_import_new ();
        FUZZ_CHECK (again && imp2);
        FUZZ_CHECK (hr_import_read_stream (imp2, again, "roundtrip.csv") == 0);
        fclose (again);
        FUZZ_CHECK (hr_import_count (imp2) == n);
        for (uint32_t i = 0; i < n; i++) {
            const hr_import_row_t *a = hr_import_row (imp, i), *b = hr_import_row (imp2, i);
            FUZZ_CHECK (strcmp (a->id, b->id) == 0);
            FUZZ_CHECK (strcmp (a->name, b->name) == 0);
            FUZZ_CHECK (strcmp (a->main_category, b->main_category) == 0);
            FUZZ_CHECK (strcmp (a->sub_category, b->sub_category) == 0);
            FUZZ_CHECK (same_double (a->rating, b->rating));
            FUZZ_CHECK (same_double (a->price, b->price));
            FUZZ_CHECK (same_double (a->original_price, b->original_price));
            FUZZ_CHECK (a->reviews == b->reviews);
        }
        hr_import_destroy (&imp2);
        free (buf);
    }
done:
    hr_import_destroy (&imp);
    FUZZ_CHECK (imp == NULL);
}

static void
field_rules (const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr (data, size);
    double p = hr_import_parse_price (s);
    FUZZ_CHECK (isnan (p) || p >= 0);
    double r = hr_import_parse_rating (s);
    FUZZ_CHECK (isnan (r) || (r >= 0 && r <= 5));
    FUZZ_CHECK (hr_import_parse_count (s) >= 0);
    /*  The derived id: split the input in two at its middle (name, link).  */
    char *link = s + size / 2;
    char name[4096];
    snprintf (name, sizeof name, "%.*s", (int) (size / 2), s);
    char id[11];
    memset (id, 'x', sizeof id);
    hr_import_derive_id (name, link, id);
    FUZZ_CHECK (hr_valid_product_id (id, strnlen (id, sizeof id)));
    FUZZ_CHECK (id[10] == '\0');
    free (s);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet_logs ();
    if (size < 2)
        return 0;
    static const char seps[4] = { ',', ';', '\t', '|' };
    uint8_t sel = data[0] % 6;
    if (sel < 4)
        csv_records (data + 2, size - 2, seps[sel], 16 + (size_t) data[1] * 16);
    else if (sel == 4)
        importer (data + 1, size - 1);
    else
        field_rules (data + 1, size - 1);
    return 0;
}
