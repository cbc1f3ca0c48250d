/*  hr_csv — an RFC 4180 reader that survives real exports.

    Lenient where real data needs it: a quote inside an unquoted field is
    kept as is (Amazon titles: 12" vinyl), text after a closing quote is
    appended ("a"b -> ab, as Python's csv does), blank lines are skipped,
    the last line may lack its newline.  Strict where memory is at stake:
    a record may take at most max_record bytes of input; a longer one (a
    runaway quote, a binary file) is reported and reading resumes at the
    next physical line.                                                    */
#include "hr_csv.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define HR_CSV_CHUNK 65536
#define HR_CSV_DEFAULT_MAX_RECORD (1024 * 1024)

struct hr_csv {
    FILE *in;
    char sep;
    size_t max_record;
    unsigned char chunk[HR_CSV_CHUNK];
    size_t pos, fill;
    bool started;               //  the first chunk was read (BOM handled)
    long offset;                //  bytes consumed
    long line;                  //  physical line of the next byte, 1-based
    char *rec;                  //  unquoted fields, each NUL-terminated
    size_t rec_cap;
    char err[160];
};

hr_csv_t *
hr_csv_new (FILE *in, char sep, size_t max_record)
{
    assert (in);
    assert (sep && sep != '"' && sep != '\n' && sep != '\r');
    hr_csv_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->in = in;
    self->sep = sep;
    self->max_record = max_record ? max_record : HR_CSV_DEFAULT_MAX_RECORD;
    self->line = 1;
    return self;
}

void
hr_csv_destroy (hr_csv_t **self_p)
{
    assert (self_p);
    hr_csv_t *self = *self_p;
    if (!self)
        return;
    free (self->rec);
    free (self);
    *self_p = NULL;
}

const char *
hr_csv_error (hr_csv_t *self)
{
    assert (self);
    return self->err;
}

long
hr_csv_offset (hr_csv_t *self)
{
    assert (self);
    return self->offset;
}

static bool
s_fill (hr_csv_t *self)
{
    self->pos = 0;
    self->fill = fread (self->chunk, 1, sizeof self->chunk, self->in);
    if (!self->started) {
        self->started = true;
        if (self->fill >= 3 && memcmp (self->chunk, "\xEF\xBB\xBF", 3) == 0) {
            self->pos = 3;
            self->offset = 3;
        }
    }
    return self->pos < self->fill;
}

static int
s_peek (hr_csv_t *self)
{
    if (self->pos == self->fill && !s_fill (self))
        return EOF;
    return self->chunk[self->pos];
}

static int
s_next (hr_csv_t *self)
{
    int c = s_peek (self);
    if (c != EOF) {
        self->pos++;
        self->offset++;
        if (c == '\n')
            self->line++;
    }
    return c;
}

//  Consumes a line end that began with c ('\n', or '\r' with an optional
//  '\n'); a lone CR counts as a line end too (old Mac exports).
static void
s_finish_newline (hr_csv_t *self, int c)
{
    if (c == '\r') {
        if (s_peek (self) == '\n')
            s_next (self);
        else
            self->line++;
    }
}

static void
s_skip_line (hr_csv_t *self)
{
    int c;
    while ((c = s_next (self)) != EOF && c != '\n')
        ;
}

//  Room for one more output byte (the bound is max_record + the NULs).
static bool
s_room (hr_csv_t *self, size_t len)
{
    if (len < self->rec_cap)
        return true;
    size_t cap = self->rec_cap ? self->rec_cap * 2 : 1024;
    size_t bound = self->max_record + HR_CSV_MAX_FIELDS + 2;
    if (cap > bound)
        cap = bound;
    if (cap <= len)
        return false;
    char *rec = realloc (self->rec, cap);
    if (!rec)
        return false;
    self->rec = rec;
    self->rec_cap = cap;
    return true;
}

/*  The first character of the next record: blank lines between records
    are not records.  EOF at the end.  */
static int
s_skip_blank_lines (hr_csv_t *self)
{
    for (;;) {
        int c = s_next (self);
        if (c == EOF || (c != '\n' && c != '\r'))
            return c;
        s_finish_newline (self, c);
    }
}

/*  Ends the field being read: its NUL, and where the next one starts.
    Past HR_CSV_MAX_FIELDS, *too_many and nothing stored.  0 / -1 out of
    memory.  */
static int
s_end_field (hr_csv_t *self, size_t *start, int *nfields, size_t *len, bool *too_many)
{
    if (*nfields == HR_CSV_MAX_FIELDS)
        *too_many = true;
    if (*too_many)
        return 0;
    if (!s_room (self, *len))
        return -1;
    self->rec[(*len)++] = 0;
    (*nfields)++;
    if (*nfields < HR_CSV_MAX_FIELDS)
        start[*nfields] = *len;
    return 0;
}

/*  The record's fields from the buffer read: 1, or -1 past
    HR_CSV_MAX_FIELDS.  */
static int
s_fill_record (hr_csv_t *self, hr_csv_record_t *rec, size_t *start, int nfields, size_t len,
               bool too_many)
{
    if (too_many) {
        snprintf (self->err, sizeof self->err, "line %ld: more than %d fields", rec->line,
                  HR_CSV_MAX_FIELDS);
        return -1;
    }
    start[0] = 0;
    for (int i = 0; i < nfields; i++) {
        rec->field[i] = self->rec + start[i];
        size_t stop = i + 1 < nfields ? start[i + 1] - 1 : len - 1;
        rec->len[i] = stop - start[i];
    }
    rec->nfields = nfields;
    return 1;
}

int
hr_csv_read (hr_csv_t *self, hr_csv_record_t *rec)
{
    assert (self && rec);
    self->err[0] = 0;
    rec->nfields = 0;
    int c = s_skip_blank_lines (self);
    if (c == EOF)
        return 0;
    rec->line = self->line;
    enum { FIELD_START, UNQUOTED, QUOTED, AFTER_QUOTE } state = FIELD_START;
    size_t start[HR_CSV_MAX_FIELDS];
    size_t len = 0, raw = 0;
    int nfields = 0;
    bool too_many = false;

    for (;; c = s_next (self)) {
        bool end_field = false, end_record = false;
        if (c == EOF) {
            if (state == QUOTED) {
                snprintf (self->err, sizeof self->err,
                          "line %ld: quoted field not closed before end of file", rec->line);
                return -1;
            }
            end_field = end_record = true;
        }
        else if (++raw > self->max_record) {
            snprintf (self->err, sizeof self->err, "line %ld: record longer than %zu bytes",
                      rec->line, self->max_record);
            if (c != '\n')
                s_skip_line (self);
            return -1;
        }
        else if (state == QUOTED) {
            if (c == '"')
                state = AFTER_QUOTE;
            else
                goto append;
        }
        else if (c == self->sep)
            end_field = true;
        else if (c == '\n' || c == '\r') {
            s_finish_newline (self, c);
            end_field = end_record = true;
        }
        else if (state == FIELD_START && c == '"')
            state = QUOTED;
        else if (state == AFTER_QUOTE && c == '"') {
            state = QUOTED;     //  a doubled quote: one literal quote
            goto append;
        }
        else {
            state = UNQUOTED;
            goto append;
        }

        if (end_field) {
            if (s_end_field (self, start, &nfields, &len, &too_many) != 0)
                goto no_memory;
            state = FIELD_START;
        }
        if (end_record)
            break;
        continue;
    append:
        if (too_many)
            continue;
        if (!s_room (self, len))
            goto no_memory;
        self->rec[len++] = (char) c;
    }
    return s_fill_record (self, rec, start, nfields, len, too_many);

no_memory:
    snprintf (self->err, sizeof self->err, "line %ld: out of memory", rec->line);
    s_skip_line (self);
    return -1;
}
