/*  hr_dataset — event logs read row by row (see hr_dataset.h).             */
#include "hr_dataset.h"
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hr_csv.h"
#include "hr_events.h"

#define HR_DATASET_RECORD_MAX 4096

struct hr_dataset {
    hr_csv_t *csv;
    hr_dataset_format_t fmt;
    bool first;                 //  the next record is the file's first
    long line;
    const char *error;
};

int
hr_dataset_format_parse (const char *name, hr_dataset_format_t *fmt)
{
    if (strcmp (name, "yoochoose") == 0)
        *fmt = HR_DATASET_YOOCHOOSE;
    else if (strcmp (name, "diginetica") == 0)
        *fmt = HR_DATASET_DIGINETICA;
    else if (strcmp (name, "csv") == 0)
        *fmt = HR_DATASET_CSV;
    else
        return -1;
    return 0;
}

char
hr_dataset_separator (hr_dataset_format_t fmt)
{
    return fmt == HR_DATASET_YOOCHOOSE ? '\t' : fmt == HR_DATASET_DIGINETICA ? ';' : ',';
}

//  --- times ----------------------------------------------------------------

//  H. Hinnant's days_from_civil.
int64_t
hr_dataset_days_from_civil (int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned) (y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t) doe - 719468;
}

static int
s_digits (const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

//  Up to 3 fraction digits as milliseconds; further digits are ignored.
static int
s_fraction_ms (const char **p)
{
    int ms = 0, digits = 0;
    while (**p >= '0' && **p <= '9') {
        if (digits < 3)
            ms = ms * 10 + (**p - '0');
        digits++;
        (*p)++;
    }
    while (digits < 3) {
        ms *= 10;
        digits++;
    }
    return ms;
}

int
hr_dataset_parse_unix_seconds (const char *s, int64_t *ms)
{
    const char *p = s;
    int64_t secs = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
        if (++digits > 12)
            return -1;          //  past year 33658: not a timestamp
        secs = secs * 10 + (*p++ - '0');
    }
    if (digits == 0)
        return -1;
    int frac = 0;
    if (*p == '.') {
        p++;
        frac = s_fraction_ms (&p);
    }
    if (*p)
        return -1;
    *ms = secs * 1000 + frac;
    return 0;
}

//  The optional "[Z|±hh[:mm]]" of an ISO-8601 time, in minutes east of UTC.
static int
s_zone_offset (const char **p, int64_t *offset_min)
{
    *offset_min = 0;
    if (**p == 'Z')
        (*p)++;
    else
    if (**p == '+' || **p == '-') {
        int sign = *(*p)++ == '-' ? -1 : 1, oh, om = 0;
        if (s_digits (p, 2, &oh))
            return -1;
        if (**p == ':')
            (*p)++;
        if (**p && s_digits (p, 2, &om))
            return -1;
        *offset_min = sign * (oh * 60 + om);
    }
    return 0;
}

int
hr_dataset_parse_iso8601 (const char *s, int64_t *ms)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0;
    if (s_digits (&p, 4, &y) || *p++ != '-' || s_digits (&p, 2, &mo) || *p++ != '-'
    ||  s_digits (&p, 2, &d))
        return -1;
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return -1;
    int64_t offset_min = 0;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (s_digits (&p, 2, &h) || *p++ != ':' || s_digits (&p, 2, &mi))
            return -1;
        if (*p == ':') {
            p++;
            if (s_digits (&p, 2, &sec))
                return -1;
            if (*p == '.') {
                p++;
                frac = s_fraction_ms (&p);
            }
        }
        if (h > 23 || mi > 59 || sec > 60 || s_zone_offset (&p, &offset_min) != 0)
            return -1;
    }
    if (*p)
        return -1;
    int64_t secs = hr_dataset_days_from_civil (y, (unsigned) mo, (unsigned) d) * 86400
                 + h * 3600 + mi * 60 + sec - offset_min * 60;
    *ms = secs * 1000 + frac;
    return 0;
}

int
hr_dataset_parse_timestamp (const char *s, int64_t *ms)
{
    size_t digits = strspn (s, "0123456789");
    if (digits >= 13 && s[digits] == '\0' && digits <= 15) {
        *ms = strtoll (s, NULL, 10);        //  Unix milliseconds
        return 0;
    }
    if (hr_dataset_parse_unix_seconds (s, ms) == 0)
        return 0;
    return hr_dataset_parse_iso8601 (s, ms);
}

//  --- rows -------------------------------------------------------------------

bool
hr_dataset_is_header (hr_dataset_format_t fmt, const char *const *field, int nfields)
{
    if (nfields < 1)
        return false;
    const char *first = fmt == HR_DATASET_YOOCHOOSE ? "SessionId"
                      : fmt == HR_DATASET_DIGINETICA ? "session_id" : "user_id";
    return strcmp (field[0], first) == 0;
}

static int
s_session (const char *s, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull (s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int
s_event_type (const char *s)
{
    if (!strcmp (s, "1") || !strcmp (s, "click") || !strcmp (s, "product_click"))
        return HR_EVENT_CLICK;
    if (!strcmp (s, "2") || !strcmp (s, "search") || !strcmp (s, "search_query"))
        return HR_EVENT_SEARCH;
    return -1;
}

static int
s_fail (const char **why, const char *reason)
{
    *why = reason;
    return -1;
}

static int
s_yoochoose (const char *const *field, int nfields, hr_dataset_row_t *row, const char **why)
{
    if (nfields != 3)
        return s_fail (why, "expected 3 TAB-separated fields: SessionId ItemId Time");
    if (s_session (field[0], &row->session) != 0)
        return s_fail (why, "SessionId is not a number");
    if (hr_dataset_parse_unix_seconds (field[2], &row->ts_ms) != 0)
        return s_fail (why, "Time is not Unix seconds");
    return 0;
}

static int
s_diginetica (const char *const *field, const size_t *len, int nfields,
              hr_dataset_row_t *row, const char **why)
{
    if (nfields != 5)
        return s_fail (why, "expected 5 ';'-separated fields: "
                            "session_id;user_id;item_id;timeframe;eventdate");
    if (s_session (field[0], &row->session) != 0)
        return s_fail (why, "session_id is not a number");
    int64_t day_ms, offset_ms;
    char *end;
    if (len[4] != 10 || hr_dataset_parse_iso8601 (field[4], &day_ms) != 0)
        return s_fail (why, "eventdate is not YYYY-MM-DD");
    offset_ms = strtoll (field[3], &end, 10);
    if (!len[3] || *end || offset_ms < 0 || offset_ms >= 86400000LL * 7)
        return s_fail (why, "timeframe is not a millisecond offset");
    row->ts_ms = day_ms + offset_ms;
    return 0;
}

static int
s_csv (const char *const *field, int nfields, hr_dataset_row_t *row, const char **why)
{
    if (nfields != 4)
        return s_fail (why, "expected 4 fields: user_id,event_type,value,timestamp");
    int type = s_event_type (field[1]);
    if (type < 0)
        return s_fail (why, "event_type is not click|search|product_click|search_query|1|2");
    row->type = (unsigned) type;
    if (hr_dataset_parse_timestamp (field[3], &row->ts_ms) != 0)
        return s_fail (why, "timestamp is neither ISO-8601 nor Unix time");
    return 0;
}

int
hr_dataset_parse_row (hr_dataset_format_t fmt, const char *const *field, const size_t *len,
                      int nfields, hr_dataset_row_t *row, const char **why)
{
    row->session = 0;
    row->type = HR_EVENT_CLICK;
    int item = fmt == HR_DATASET_DIGINETICA ? 2 : fmt == HR_DATASET_YOOCHOOSE ? 1 : 2;
    int rc = fmt == HR_DATASET_YOOCHOOSE ? s_yoochoose (field, nfields, row, why)
           : fmt == HR_DATASET_DIGINETICA ? s_diginetica (field, len, nfields, row, why)
           : fmt == HR_DATASET_CSV ? s_csv (field, nfields, row, why)
           : s_fail (why, "unknown format");
    if (rc != 0)
        return -1;
    row->user = field[0];
    row->user_len = len[0];
    row->value = field[item];
    row->value_len = len[item];
    return 0;
}

//  --- the reader ---------------------------------------------------------------

hr_dataset_t *
hr_dataset_new (FILE *in, hr_dataset_format_t fmt)
{
    hr_dataset_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->csv = hr_csv_new (in, hr_dataset_separator (fmt), HR_DATASET_RECORD_MAX);
    if (!self->csv) {
        free (self);
        return NULL;
    }
    self->fmt = fmt;
    self->first = true;
    self->error = "";
    return self;
}

void
hr_dataset_destroy (hr_dataset_t **self_p)
{
    assert (self_p);
    hr_dataset_t *self = *self_p;
    if (!self)
        return;
    hr_csv_destroy (&self->csv);
    free (self);
    *self_p = NULL;
}

int
hr_dataset_read (hr_dataset_t *self, hr_dataset_row_t *row)
{
    hr_csv_record_t rec;
    int rc;
    while ((rc = hr_csv_read (self->csv, &rec)) != 0) {
        self->line = rec.line;
        bool first = self->first;
        self->first = false;
        if (rc < 0) {
            self->error = hr_csv_error (self->csv);
            return -1;
        }
        if (first && hr_dataset_is_header (self->fmt, rec.field, rec.nfields))
            continue;
        if (hr_dataset_parse_row (self->fmt, rec.field, rec.len, rec.nfields, row,
                                  &self->error) != 0)
            return -1;
        row->line = rec.line;
        return 1;
    }
    return 0;
}

const char *
hr_dataset_error (const hr_dataset_t *self)
{
    return self->error;
}

long
hr_dataset_line (const hr_dataset_t *self)
{
    return self->line;
}

long
hr_dataset_offset (hr_dataset_t *self)
{
    return hr_csv_offset (self->csv);
}
