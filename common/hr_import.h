/*  hr_import — the catalog importer (issue 2 "Catalog import").

    Reads product CSVs in either format, recognised by the header:
      spec:  id,name,main_category,sub_category,image,link,ratings,
             no_of_ratings,discount_price,actual_price,discount_ratio
      raw Amazon export (no id):
             name,main_category,sub_category,image,link,ratings,
             no_of_ratings,discount_price,actual_price
    Columns are matched by name, so their order does not matter.  Prices
    keep only digits and '.' ("₹32,999" -> 32999, "599.00" -> 599); a
    rating that is not a number in [0,5] ("Get", "FREE", "") is NULL;
    "2,255" ratings -> 2255.  The raw format gets a stable id: the ASIN in
    the link (/dp/XXXXXXXXXX) or else the first 10 uppercase hex digits of
    FNV-1a-64(name + link).  discount_ratio = 1 - price/actual rounded to 4
    decimals when both are > 0 (spec files: their own value when numeric).
    A row repeating an id replaces the earlier one (last wins).

    Use: hr_import_new, hr_import_read_file for every file, then
    hr_import_load (one transaction: COPY into a temp table, upsert into
    products, bump meta.catalog_version), then hr_import_summary.           */
#ifndef HR_IMPORT_H
#define HR_IMPORT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "hr_pg.h"

#define HR_IMPORT_REJECTS_KEPT 20

typedef struct {
    char file[128];             /* base name of the file */
    long line;                  /* 1-based line the record starts on */
    char reason[96];
} hr_import_reject_t;

typedef struct {
    uint64_t read;              /* data records seen (headers excluded) */
    uint64_t loaded;            /* products new to the table */
    uint64_t updated;           /* products that existed and were upserted */
    uint64_t rejected;          /* records refused (see rejects) */
    uint64_t duplicates;        /* accepted records repeating an earlier id */
    uint32_t files;             /* files read */
    uint32_t files_failed;      /* files that could not be read */
    int64_t catalog_version;    /* after the load; -1 before/without one */
    int nrejects;               /* first HR_IMPORT_REJECTS_KEPT rejects */
    hr_import_reject_t rejects[HR_IMPORT_REJECTS_KEPT];
} hr_import_summary_t;

/*  One accepted product.  NAN = NULL for the doubles.                      */
typedef struct {
    char id[11];
    const char *name, *main_category, *sub_category, *image, *link;  /* image/link may be "" */
    double rating, price, original_price, discount_ratio;
    int64_t reviews;
} hr_import_row_t;

typedef struct hr_import hr_import_t;

hr_import_t *hr_import_new (void);
void hr_import_destroy (hr_import_t **self_p);

/*  Shows a progress bar on a TTY while reading (default off).              */
void hr_import_set_progress (hr_import_t *self, bool on);

/*  Reads one file into memory.  Bad rows are rejected and counted, not
    fatal.  -1 when the file cannot be opened or read or its header names
    neither format (logged; counted in files_failed).                        */
int hr_import_read_file (hr_import_t *self, const char *path);
/*  The same from an open stream; name is used in rejects and logs.          */
int hr_import_read_stream (hr_import_t *self, FILE *in, const char *name);

/*  Upserts every accepted row in one transaction and bumps
    meta.catalog_version.  0 / -1 (nothing changed on -1).                   */
int hr_import_load (hr_import_t *self, hr_pg_t *pg);

const hr_import_summary_t *hr_import_summary (const hr_import_t *self);
/*  The summary as one JSON object (malloc'd).                               */
char *hr_import_summary_json (const hr_import_t *self);

/*  The accepted rows, in order of first appearance.                         */
uint32_t hr_import_count (const hr_import_t *self);
const hr_import_row_t *hr_import_row (const hr_import_t *self, uint32_t idx);

/*  Writes the accepted rows as a spec-format CSV (header included), e.g.
    to derive data/catalog-sample.csv.  0 / -1.                              */
int hr_import_write_spec_csv (const hr_import_t *self, FILE *out);

/*  The parsing rules, exposed for tests.                                    */
void hr_import_derive_id (const char *name, const char *link, char id[11]);
double hr_import_parse_price (const char *s);       /* NAN when absent */
double hr_import_parse_rating (const char *s);      /* NAN when not a rating */
int64_t hr_import_parse_count (const char *s);      /* 0 when absent/garbled */

#endif
