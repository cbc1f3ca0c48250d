/*  hr_csv — an RFC 4180 reader: quoted fields with commas, doubled quotes
    and newlines, CRLF or LF, a configurable separator, a UTF-8 BOM skipped.
    Reads a FILE line by line with bounded memory per record.              */
#ifndef HR_CSV_H
#define HR_CSV_H
#include <stddef.h>
#include <stdio.h>

#define HR_CSV_MAX_FIELDS 64

typedef struct hr_csv hr_csv_t;

typedef struct {
    int nfields;
    const char *field[HR_CSV_MAX_FIELDS];   /* NUL-terminated, valid until next read */
    size_t len[HR_CSV_MAX_FIELDS];
    long line;                              /* 1-based line the record starts on */
} hr_csv_record_t;

/*  max_record: bytes one record may take (longer -> error for that record). */
hr_csv_t *hr_csv_new (FILE *in, char sep, size_t max_record);
void hr_csv_destroy (hr_csv_t **self_p);
/*  1 = a record, 0 = end of file, -1 = a malformed record (reason in
    hr_csv_error; reading may continue with the next record).  */
int hr_csv_read (hr_csv_t *self, hr_csv_record_t *rec);
const char *hr_csv_error (hr_csv_t *self);
/*  Bytes consumed so far (for progress bars).  */
long hr_csv_offset (hr_csv_t *self);

#endif
