/*  fuzz_catalog — a real catalog for the targets that need one: the
    products of data/catalog-sample.csv (real Amazon India rows), loaded
    once per process through the real importer.                             */
#ifndef FUZZ_CATALOG_H
#define FUZZ_CATALOG_H
#include "fuzz_util.h"
#include "hr_catalog.h"
#include "hr_import.h"

static inline hr_catalog_t *
fuzz_catalog_load (uint32_t max_products)
{
    hr_import_t *imp = hr_import_new ();
    FUZZ_CHECK (imp);
    if (hr_import_read_file (imp, HR_FUZZ_SOURCE_DIR "/data/catalog-sample.csv") != 0) {
        fprintf (stderr, "fuzz: cannot read %s/data/catalog-sample.csv\n", HR_FUZZ_SOURCE_DIR);
        abort ();
    }
    hr_catalog_t *cat = hr_catalog_new ();
    FUZZ_CHECK (cat);
    uint32_t n = hr_import_count (imp);
    for (uint32_t i = 0; i < n && i < max_products; i++) {
        const hr_import_row_t *row = hr_import_row (imp, i);
        hr_product_t p = {
            .name = row->name, .main_category = row->main_category,
            .sub_category = row->sub_category, .image = row->image, .link = row->link,
            .rating = row->rating, .reviews = row->reviews, .price = row->price,
            .original_price = row->original_price, .discount_ratio = row->discount_ratio,
        };
        memcpy (p.id, row->id, sizeof p.id);
        hr_catalog_add (cat, &p);
    }
    hr_catalog_freeze (cat);
    hr_import_destroy (&imp);
    return cat;
}

#endif
