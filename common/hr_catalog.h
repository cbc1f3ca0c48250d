/*  hr_catalog — the product table in memory: every product with its
    pre-rendered API item JSON
      {"id":..,"name":..,"category":"main > sub","image":..,"price":..,
       "original_price":..,"rating":..,"reviews":..,"discount_ratio":..}
    (missing numbers render as null), an id index, and dense category ids.
    Immutable once built: share it across threads, swap whole catalogs.     */
#ifndef HR_CATALOG_H
#define HR_CATALOG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hr_pg.h"
#include "hr_swap.h"

typedef struct {
    char id[11];
    const char *name, *main_category, *sub_category, *image, *link;
    double rating;             /* NAN when unknown */
    int64_t reviews;           /* no_of_ratings; 0 when unknown */
    double price;              /* discount_price; NAN when unknown */
    double original_price;     /* actual_price; NAN when unknown */
    double discount_ratio;     /* 1 - price/original; NAN when unknown */
    uint16_t main_cat;         /* dense index into the main categories */
    uint16_t sub_cat;          /* dense index into the sub categories  */
    uint8_t status;            /* HR_PRODUCT_IN_STOCK, _OUT_OF_STOCK, _HIDDEN */
    uint64_t variant;          /* hr_variant_key, set at freeze */
} hr_product_t;

/*  products.status: only in-stock products are ever recommended (listed);
    the others stay in the catalog (their own /product page still works).  */
enum { HR_PRODUCT_IN_STOCK = 0, HR_PRODUCT_OUT_OF_STOCK = 1, HR_PRODUCT_HIDDEN = 2 };

typedef struct hr_catalog hr_catalog_t;

hr_catalog_t *hr_catalog_new (void);
/*  Copies strings; main_cat/sub_cat are assigned here.  -1 on duplicate id
    or invalid id.  */
int hr_catalog_add (hr_catalog_t *self, const hr_product_t *p);
/*  Renders JSON fragments and freezes the catalog (call once after adds).  */
void hr_catalog_freeze (hr_catalog_t *self);
/*  Loads `products` from PostgreSQL (frozen).  NULL on error (logged).      */
hr_catalog_t *hr_catalog_load (hr_pg_t *pg);
void hr_catalog_destroy (hr_catalog_t **self_p);

uint32_t hr_catalog_size (const hr_catalog_t *self);
const hr_product_t *hr_catalog_at (const hr_catalog_t *self, uint32_t idx);
/*  Index of the product or -1.  id need not be NUL-terminated (10 bytes).  */
int64_t hr_catalog_find (const hr_catalog_t *self, const char *id10);
/*  hr_catalog_find for each of ids[0..n) into out[0..n), the lookups'
    memory reads overlapped (hr_idmap_find_many).                          */
void hr_catalog_find_many (const hr_catalog_t *self, const char *const *ids, uint32_t n,
                           int64_t *out);
/*  Asks for product idx's record and JSON to be brought into cache ahead of
    use (a hint: nothing is read).                                         */
void hr_catalog_prefetch (const hr_catalog_t *self, uint32_t idx);
/*  The item JSON (frozen catalogs only).  */
const char *hr_catalog_json (const hr_catalog_t *self, uint32_t idx, size_t *len);

/*  false for out-of-stock and hidden products: never list them.  */
static inline bool
hr_product_listable (const hr_product_t *p)
{
    return p && p->status == HR_PRODUCT_IN_STOCK;
}
/*  Products that are not listable (out of stock or hidden).  */
uint32_t hr_catalog_unlisted (const hr_catalog_t *self);
/*  Products that are a variant of another product (hr_variant.h): 0 when
    no two products share a variant key.  */
uint32_t hr_catalog_variants (const hr_catalog_t *self);

uint32_t hr_catalog_main_count (const hr_catalog_t *self);
const char *hr_catalog_main_name (const hr_catalog_t *self, uint16_t main_cat);
uint32_t hr_catalog_sub_count (const hr_catalog_t *self);
const char *hr_catalog_sub_name (const hr_catalog_t *self, uint16_t sub_cat);

/*  The catalog version stored in PostgreSQL (bumped by every import), so
    long-running processes reload when it changes.  -1 on error.             */
int64_t hr_catalog_version_pg (hr_pg_t *pg);

/*  A source of catalog versions for hr_swap (hr_swap.h; the swap's free
    function is hr_catalog_free): current() = hr_catalog_version_pg, load()
    = hr_catalog_load.  Connects to PostgreSQL on the first poll and keeps
    the connection (polling thread only).                                  */
typedef struct hr_catalog_source hr_catalog_source_t;
hr_catalog_source_t *hr_catalog_source_new (const char *database_url, int statement_timeout_ms);
void hr_catalog_source_destroy (hr_catalog_source_t **self_p);
const hr_swap_source_t *hr_catalog_source_swap (hr_catalog_source_t *self);
/*  hr_catalog_destroy for a hr_swap_free_fn.  */
void hr_catalog_free (void *catalog);

#endif
