/*  hr_dataset — event logs read row by row: the one reader behind
    `hybridrec import-events` (interactions-svc) and `hybridrec eval` (eval/).

    Formats (docs/interactions.md):
      yoochoose   TAB-separated  SessionId ItemId Time        (Unix seconds)
      diginetica  ';'-separated  session_id;user_id;item_id;timeframe;eventdate
                                 (ts = eventdate 00:00 UTC + timeframe ms)
      csv         ','-separated  user_id,event_type,value,timestamp
                                 (event_type 1|2|click|search|product_click|
                                  search_query; timestamp ISO-8601 or Unix
                                  seconds, or Unix ms when 13+ digits)
    yoochoose and diginetica rows are clicks of a session (a decimal number);
    their item ids are the datasets' own (the caller maps them).  A header
    line (first field SessionId, session_id or user_id) is skipped.  Fields
    are read with hr_csv (quotes, CRLF, BOM).                               */
#ifndef HR_DATASET_H
#define HR_DATASET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum { HR_DATASET_YOOCHOOSE, HR_DATASET_DIGINETICA, HR_DATASET_CSV } hr_dataset_format_t;

/*  "yoochoose" | "diginetica" | "csv" -> 0 with *fmt set, -1 otherwise.     */
int hr_dataset_format_parse (const char *name, hr_dataset_format_t *fmt);
char hr_dataset_separator (hr_dataset_format_t fmt);

/*  One row.  Strings point into the reader's buffer (valid until the next
    read) and are NUL-terminated.                                           */
typedef struct {
    const char *user;           /* session id (yoochoose, diginetica) or user_id (csv) */
    size_t user_len;
    uint64_t session;           /* the session id as a number; 0 for csv */
    unsigned type;              /* HR_EVENT_CLICK | HR_EVENT_SEARCH (hr_proto.h) */
    const char *value;          /* the item id as in the file, or the query */
    size_t value_len;
    int64_t ts_ms;              /* as in the file */
    long line;                  /* 1-based line the row starts on */
} hr_dataset_row_t;

typedef struct hr_dataset hr_dataset_t;

/*  Reads `in` (borrowed; the caller closes it).  NULL on OOM.               */
hr_dataset_t *hr_dataset_new (FILE *in, hr_dataset_format_t fmt);
void hr_dataset_destroy (hr_dataset_t **self_p);
/*  1 = a row in *row, 0 = end of file, -1 = a malformed row (reason in
    hr_dataset_error, its line in hr_dataset_line); reading may continue.   */
int hr_dataset_read (hr_dataset_t *self, hr_dataset_row_t *row);
const char *hr_dataset_error (const hr_dataset_t *self);
/*  Line the last record started on (0 before the first, and at the end of
    an empty file).  */
long hr_dataset_line (const hr_dataset_t *self);
/*  Bytes consumed so far (for progress bars).  */
long hr_dataset_offset (hr_dataset_t *self);

/*  The row parser on its own (the fuzz target and the tests drive it).
    0, or -1 with a static reason in *why.                                  */
bool hr_dataset_is_header (hr_dataset_format_t fmt, const char *const *field, int nfields);
int hr_dataset_parse_row (hr_dataset_format_t fmt, const char *const *field, const size_t *len,
                          int nfields, hr_dataset_row_t *row, const char **why);

/*  Timestamps, to Unix milliseconds.  0 / -1.
    unix_seconds: digits with up to 3 fraction digits kept (more ignored);
    iso8601: YYYY-MM-DD[(T| )hh:mm[:ss[.fff]][Z|±hh[:mm]]], dates checked;
    timestamp: Unix ms (13-15 digits), else Unix seconds, else ISO-8601.    */
int hr_dataset_parse_unix_seconds (const char *s, int64_t *ms);
int hr_dataset_parse_iso8601 (const char *s, int64_t *ms);
int hr_dataset_parse_timestamp (const char *s, int64_t *ms);
/*  Days from 1970-01-01 to y-m-d (proleptic Gregorian).                    */
int64_t hr_dataset_days_from_civil (int64_t y, unsigned m, unsigned d);

#endif
