/*  catalog_csv — an in-memory catalog straight from product CSV files (spec
    or raw Amazon format, parsed by common/hr_import), for training without
    a database (`hybridrec train content --catalog-csv`), tests and benches. */
#ifndef CONTENT_CATALOG_CSV_H
#define CONTENT_CATALOG_CSV_H
#include "hr_catalog.h"
/*  Reads every file (NULL-terminated list); NULL when one cannot be read.
    Rows repeating an id: the last wins (as the importer does).             */
hr_catalog_t *content_catalog_from_csv (const char *const *paths);
#endif
