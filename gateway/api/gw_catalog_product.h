/*  gw_catalog_product — one product sent to the catalog API, checked and
    normalised before it goes to PostgreSQL: the spec's field names, sizes
    and ranges; "status" one of in_stock, out_of_stock, hidden.            */
#ifndef GW_CATALOG_PRODUCT_H
#define GW_CATALOG_PRODUCT_H
#include <jansson.h>
#include <stddef.h>

/*  The product object in its normalised form (new reference), or NULL with
    the reason in `why`.  id10: from the path, or NULL for the object's "id". */
json_t *gw_catalog_product_normalise (json_t *in, const char *id10, char *why, size_t cap);
/*  "status" as 0 in stock, 1 out of stock, 2 hidden; -1 when invalid.      */
int gw_catalog_product_status (json_t *v);
const char *gw_catalog_product_status_name (int status);

#endif
