/*  The dataset readers of collab_log (see log.h): the two public
    session-based logs the evaluation replays.  Strict: a malformed row is
    an error with its line number, never silently skipped.                  */
#include "log.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES 4096

/*  Splits `line` in place at `sep` into at most `max` fields; returns count. */
static int
s_split (char *line, char sep, char **fields, int max)
{
    int n = 0;
    char *p = line;
    line[strcspn (line, "\r\n")] = '\0';
    while (n < max) {
        fields[n++] = p;
        char *q = strchr (p, sep);
        if (!q)
            break;
        *q = '\0';
        p = q + 1;
    }
    return n;
}

static bool
s_parse_u64 (const char *s, uint64_t *out)
{
    if (!*s)
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull (s, &end, 10);
    if (errno || *end || *s == '-')
        return false;
    *out = v;
    return true;
}

/*  Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant).       */
static int64_t
s_days_from_civil (int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned) (y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t) doe - 719468;
}

typedef int (*row_parser_t) (char **f, int nf, collab_ids_t *ids, collab_rows_t *rows,
                             const char **why);

static int
s_yoochoose_row (char **f, int nf, collab_ids_t *ids, collab_rows_t *rows, const char **why)
{
    uint64_t session;
    if (nf != 3 || !s_parse_u64 (f[0], &session)) {
        *why = "expected SessionId<TAB>ItemId<TAB>Time";
        return -1;
    }
    char *end;
    double t = strtod (f[2], &end);
    if (end == f[2] || *end || !isfinite (t) || t < 0) {
        *why = "bad Time";
        return -1;
    }
    int64_t item = collab_ids_intern (ids, f[1], strlen (f[1]));
    if (item < 0) {
        *why = "bad ItemId (1-10 bytes)";
        return -1;
    }
    return collab_rows_add (rows, session, llround (t * 1000.0), (uint32_t) item);
}

static int
s_diginetica_row (char **f, int nf, collab_ids_t *ids, collab_rows_t *rows, const char **why)
{
    uint64_t session, offset;
    int y, m, d;
    char tail;
    if (nf != 5 || !s_parse_u64 (f[0], &session) || !s_parse_u64 (f[3], &offset)) {
        *why = "expected session_id;user_id;item_id;timeframe;eventdate";
        return -1;
    }
    if (sscanf (f[4], "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31) {
        *why = "bad eventdate (YYYY-MM-DD)";
        return -1;
    }
    int64_t item = collab_ids_intern (ids, f[2], strlen (f[2]));
    if (item < 0) {
        *why = "bad item_id (1-10 bytes)";
        return -1;
    }
    int64_t ts = s_days_from_civil (y, (unsigned) m, (unsigned) d) * 86400000 + (int64_t) offset;
    return collab_rows_add (rows, session, ts, (uint32_t) item);
}

static collab_log_t *
s_read (const char *path, char sep, row_parser_t parse, collab_ids_t *ids,
        char *err, size_t errlen)
{
    FILE *f = fopen (path, "r");
    if (!f) {
        snprintf (err, errlen, "%s: %s", path, strerror (errno));
        return NULL;
    }
    collab_rows_t *rows = collab_rows_new ();
    collab_log_t *log = NULL;
    char line[LINE_MAX_BYTES];
    char *fields[8];
    unsigned long lineno = 0;
    int rc = rows ? 0 : -1;
    const char *why = "out of memory";
    while (rc == 0 && fgets (line, sizeof line, f)) {
        lineno++;
        if (!strchr (line, '\n') && !feof (f)) {
            why = "line too long";
            rc = -1;
            break;
        }
        if (lineno == 1 || line[0] == '\n' || line[0] == '\r')
            continue;           /* header, blank lines */
        int nf = s_split (line, sep, fields, 8);
        rc = parse (fields, nf, ids, rows, &why);
    }
    if (rc == 0 && ferror (f)) {
        why = strerror (errno);
        rc = -1;
    }
    if (rc == 0 && lineno == 0) {
        why = "empty file";
        rc = -1;
    }
    if (rc == 0) {
        log = collab_rows_build (rows, 1);
        if (!log)
            snprintf (err, errlen, "%s: out of memory", path);
    }
    else
        snprintf (err, errlen, "%s:%lu: %s", path, lineno, why);
    collab_rows_destroy (&rows);
    fclose (f);
    return log;
}

collab_log_t *
collab_log_read_yoochoose (const char *path, collab_ids_t *ids, char *err, size_t errlen)
{
    return s_read (path, '\t', s_yoochoose_row, ids, err, errlen);
}

collab_log_t *
collab_log_read_diginetica (const char *path, collab_ids_t *ids, char *err, size_t errlen)
{
    return s_read (path, ';', s_diginetica_row, ids, err, errlen);
}
