/*  catalog_csv — see catalog_csv.h.  */
#include "catalog_csv.h"
#include "hr_import.h"
#include <math.h>
#include <string.h>

hr_catalog_t *
content_catalog_from_csv (const char *const *paths)
{
    hr_import_t *imp = hr_import_new ();
    if (!imp)
        return NULL;
    for (const char *const *p = paths; *p; p++)
        if (hr_import_read_file (imp, *p) != 0) {
            hr_import_destroy (&imp);
            return NULL;
        }
    hr_catalog_t *cat = hr_catalog_new ();
    uint32_t n = hr_import_count (imp);
    for (uint32_t i = 0; cat && i < n; i++) {
        const hr_import_row_t *r = hr_import_row (imp, i);
        hr_product_t p = { .name = r->name, .main_category = r->main_category,
                           .sub_category = r->sub_category, .image = r->image,
                           .link = r->link, .rating = r->rating, .reviews = r->reviews,
                           .price = r->price, .original_price = r->original_price,
                           .discount_ratio = r->discount_ratio };
        memcpy (p.id, r->id, sizeof p.id);
        hr_catalog_add (cat, &p);           /* a repeated id was merged by the importer */
    }
    hr_import_destroy (&imp);
    if (cat)
        hr_catalog_freeze (cat);
    return cat;
}
