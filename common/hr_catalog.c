/*  hr_catalog — the product table in memory.

    Strings live in an arena (a few big blocks, freed at once); products in
    one array; the id index is open addressing over that array.  Category
    ids are handed out in insertion order while adding and renumbered by
    name at freeze, so the same catalog always gets the same ids whatever
    order its rows came in.  Item JSON is rendered once at freeze into one
    buffer: serving an item is a pointer and a length.                     */
#include "hr_catalog.h"
#include "hr_arena.h"
#include "hr_array.h"
#include "hr_idmap.h"
#include "hr_log.h"
#include "hr_strbuf.h"
#include "hr_validate.h"
#include "hr_variant.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HR_ARENA_BLOCK (256 * 1024)
#define HR_CATALOG_MAX_CATEGORIES 65535

typedef struct {
    const char **names;         /* arena strings, by id */
    uint32_t count;
    size_t cap;
    uint32_t last_hit;          /* rows come grouped by category */
} category_set_t;

struct hr_catalog {
    hr_arena_t *arena;
    hr_product_t *products;
    uint32_t count;
    size_t cap;
    uint32_t unlisted;          /* products with status != in stock */
    uint32_t variants;          /* products sharing a variant key with an earlier one */
    hr_idmap_t *ids;            /* product id -> index into products */
    category_set_t mains, subs;
    bool frozen;
    char *json;                 /* every item's JSON, NUL-terminated, back to back */
    size_t *json_at;            /* offset of item i; json_at[count] = end */
};


static bool
s_valid_id (const char *id)
{
    for (int i = 0; i < 10; i++) {
        char c = id[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return false;
    }
    return id[10] == 0;
}

hr_catalog_t *
hr_catalog_new (void)
{
    hr_catalog_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->ids = hr_idmap_new (512);
    self->arena = hr_arena_new (HR_ARENA_BLOCK);
    if (!self->ids || !self->arena) {
        hr_arena_destroy (&self->arena);
        hr_idmap_destroy (&self->ids);
        free (self);
        return NULL;
    }
    return self;
}

void
hr_catalog_destroy (hr_catalog_t **self_p)
{
    assert (self_p);
    hr_catalog_t *self = *self_p;
    if (!self)
        return;
    hr_arena_destroy (&self->arena);
    free (self->products);
    hr_idmap_destroy (&self->ids);
    free (self->mains.names);
    free (self->subs.names);
    free (self->json);
    free (self->json_at);
    free (self);
    *self_p = NULL;
}

int64_t
hr_catalog_find (const hr_catalog_t *self, const char *id10)
{
    assert (self);
    assert (id10);
    return hr_idmap_find (self->ids, id10);
}

void
hr_catalog_find_many (const hr_catalog_t *self, const char *const *ids, uint32_t n,
                      int64_t *out)
{
    assert (self);
    hr_idmap_find_many (self->ids, ids, n, out);
}

void
hr_catalog_prefetch (const hr_catalog_t *self, uint32_t idx)
{
    assert (self);
    if (idx >= self->count)
        return;
    __builtin_prefetch (&self->products[idx]);
    if (!self->json_at)
        return;
    const char *json = self->json + self->json_at[idx], *end = self->json + self->json_at[idx + 1];
    for (const char *p = json; p < end; p += 64)     /* an item is ~2-4 cache lines */
        __builtin_prefetch (p);
}

//  The category's provisional id, adding it when new.  -1 when full.
static int
s_category_id (hr_catalog_t *self, category_set_t *set, const char *name)
{
    if (set->count && strcmp (set->names[set->last_hit], name) == 0)
        return (int) set->last_hit;
    for (uint32_t i = 0; i < set->count; i++)
        if (strcmp (set->names[i], name) == 0) {
            set->last_hit = i;
            return (int) i;
        }
    if (set->count >= HR_CATALOG_MAX_CATEGORIES)
        return -1;
    if (hr_array_grow (&set->names, sizeof *set->names, set->count, &set->cap, 32) != 0)
        return -1;
    const char *copy = hr_arena_strndup (self->arena, name, strlen (name));
    if (!copy)
        return -1;
    set->names[set->count] = copy;
    set->last_hit = set->count;
    return (int) set->count++;
}

int
hr_catalog_add (hr_catalog_t *self, const hr_product_t *p)
{
    assert (self);
    assert (p);
    assert (!self->frozen);
    if (!s_valid_id (p->id) || !p->name || !p->main_category || !p->sub_category)
        return -1;
    if (hr_catalog_find (self, p->id) >= 0)
        return -1;
    if (hr_array_grow (&self->products, sizeof *self->products, self->count, &self->cap, 1024))
        return -1;
    hr_product_t copy = *p;
    int main_cat = s_category_id (self, &self->mains, p->main_category);
    int sub_cat = s_category_id (self, &self->subs, p->sub_category);
    if (main_cat < 0 || sub_cat < 0)
        return -1;
    copy.main_cat = (uint16_t) main_cat;
    copy.sub_cat = (uint16_t) sub_cat;
    copy.main_category = self->mains.names[main_cat];
    copy.sub_category = self->subs.names[sub_cat];
    copy.name = hr_arena_strndup (self->arena, p->name, strlen (p->name));
    copy.image = p->image ? hr_arena_strndup (self->arena, p->image, strlen (p->image)) : NULL;
    copy.link = p->link ? hr_arena_strndup (self->arena, p->link, strlen (p->link)) : NULL;
    if (!copy.name || (p->image && !copy.image) || (p->link && !copy.link))
        return -1;
    //  Last, so a failure above leaves the index and the array in step
    if (hr_idmap_add (self->ids, copy.id, NULL) < 0)
        return -1;
    assert (hr_idmap_size (self->ids) == self->count + 1);
    self->products[self->count++] = copy;
    if (copy.status != HR_PRODUCT_IN_STOCK)
        self->unlisted++;
    return 0;
}

static int
s_cmp_names (const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    return strcmp (*x, *y);
}

//  Sorts the names and returns old id -> new id (malloc'd), NULL on OOM.
static uint16_t *
s_renumber (category_set_t *set)
{
    uint16_t *map = malloc ((set->count ? set->count : 1) * sizeof *map);
    const char **sorted = malloc ((set->count ? set->count : 1) * sizeof *sorted);
    if (!map || !sorted) {
        free (map);
        free (sorted);
        return NULL;
    }
    //  An empty catalog has no names (NULL): nothing to copy or sort
    if (set->count) {
        memcpy (sorted, set->names, set->count * sizeof *sorted);
        qsort (sorted, set->count, sizeof *sorted, s_cmp_names);
    }
    //  Names are unique, so a binary search finds each one's new place
    for (uint32_t old = 0; old < set->count; old++) {
        const char **hit = bsearch (&set->names[old], sorted, set->count, sizeof *sorted, s_cmp_names);
        assert (hit);
        map[old] = (uint16_t) (hit - sorted);
    }
    free (set->names);
    set->names = sorted;
    set->last_hit = 0;
    return map;
}

//  Shortest text that reads back as the same double; null for NaN/inf.
static int
s_format_number (char *buf, size_t cap, double v)
{
    if (!isfinite (v))
        return snprintf (buf, cap, "null");
    for (int precision = 15; precision <= 17; precision++) {
        int n = snprintf (buf, cap, "%.*g", precision, v);
        if (strtod (buf, NULL) == v)
            return n;
    }
    return (int) strlen (buf);
}

static int
s_put_string (hr_strbuf_t *sb, const char *key, const char *s)
{
    if (hr_strbuf_puts (sb, key))
        return -1;
    if (!s)
        return hr_strbuf_puts (sb, "null");
    return hr_strbuf_puts (sb, "\"") || hr_strbuf_put_escaped (sb, s) || hr_strbuf_puts (sb, "\"");
}

static int
s_put_number (hr_strbuf_t *sb, const char *key, double v)
{
    char num[40];
    s_format_number (num, sizeof num, v);
    return hr_strbuf_puts (sb, key) || hr_strbuf_puts (sb, num);
}

static int
s_render (hr_strbuf_t *sb, const hr_product_t *p)
{
    char reviews[32];
    snprintf (reviews, sizeof reviews, "%" PRId64, p->reviews);
    return hr_strbuf_puts (sb, "{\"id\":\"") || hr_strbuf_puts (sb, p->id)
        || s_put_string (sb, "\",\"name\":", p->name)
        || hr_strbuf_puts (sb, ",\"category\":\"")
        || hr_strbuf_put_escaped (sb, p->main_category) || hr_strbuf_puts (sb, " > ")
        || hr_strbuf_put_escaped (sb, p->sub_category) || hr_strbuf_puts (sb, "\"")
        || s_put_string (sb, ",\"image\":", p->image)
        || s_put_number (sb, ",\"price\":", p->price)
        || s_put_number (sb, ",\"original_price\":", p->original_price)
        || s_put_number (sb, ",\"rating\":", p->rating)
        || hr_strbuf_puts (sb, ",\"reviews\":") || hr_strbuf_puts (sb, reviews)
        || s_put_number (sb, ",\"discount_ratio\":", p->discount_ratio)
        || hr_strbuf_puts (sb, "}");
}

static int
s_cmp_u64 (const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return (x > y) - (x < y);
}

/*  Products whose variant key an earlier product has too.  */
static uint32_t
s_count_variants (const hr_catalog_t *self)
{
    uint64_t *keys = malloc (((size_t) self->count + 1) * sizeof *keys);
    if (!keys)
        return self->count;             /* unknown: assume every one */
    uint32_t n = 0;
    for (uint32_t i = 0; i < self->count; i++)
        if (self->products[i].variant)
            keys[n++] = self->products[i].variant;
    qsort (keys, n, sizeof *keys, s_cmp_u64);
    uint32_t dups = 0;
    for (uint32_t i = 1; i < n; i++)
        dups += keys[i] == keys[i - 1];
    free (keys);
    return dups;
}

void
hr_catalog_freeze (hr_catalog_t *self)
{
    assert (self);
    assert (!self->frozen);
    uint16_t *main_map = s_renumber (&self->mains);
    uint16_t *sub_map = s_renumber (&self->subs);
    size_t *json_at = malloc (((size_t) self->count + 1) * sizeof *json_at);
    hr_strbuf_t sb = { 0 };
    //  Out of memory while freezing leaves nothing sensible to serve
    if (!main_map || !sub_map || !json_at) {
        hr_error ("catalog: out of memory while freezing");
        abort ();
    }
    for (uint32_t i = 0; i < self->count; i++) {
        hr_product_t *p = &self->products[i];
        p->main_cat = main_map[p->main_cat];
        p->sub_cat = sub_map[p->sub_cat];
        json_at[i] = sb.len;
        //  Each item ends in a NUL too, so it is also a C string
        if (s_render (&sb, p) != 0 || hr_strbuf_put (&sb, "", 1) != 0) {
            hr_error ("catalog: out of memory while rendering item JSON");
            abort ();
        }
        p->variant = hr_variant_key (p->name, p->main_category);
    }
    json_at[self->count] = sb.len;
    self->variants = s_count_variants (self);
    free (main_map);
    free (sub_map);
    self->json = sb.buf;
    self->json_at = json_at;
    self->frozen = true;
}

uint32_t
hr_catalog_size (const hr_catalog_t *self)
{
    assert (self);
    return self->count;
}

const hr_product_t *
hr_catalog_at (const hr_catalog_t *self, uint32_t idx)
{
    assert (self);
    assert (idx < self->count);
    return &self->products[idx];
}

const char *
hr_catalog_json (const hr_catalog_t *self, uint32_t idx, size_t *len)
{
    assert (self);
    assert (self->frozen);
    assert (idx < self->count);
    if (len)
        *len = self->json_at[idx + 1] - self->json_at[idx] - 1;
    return self->json + self->json_at[idx];
}

uint32_t
hr_catalog_unlisted (const hr_catalog_t *self)
{
    return self->unlisted;
}

uint32_t
hr_catalog_variants (const hr_catalog_t *self)
{
    return self->variants;
}

uint32_t
hr_catalog_main_count (const hr_catalog_t *self)
{
    assert (self);
    return self->mains.count;
}

const char *
hr_catalog_main_name (const hr_catalog_t *self, uint16_t main_cat)
{
    assert (self);
    assert (main_cat < self->mains.count);
    return self->mains.names[main_cat];
}

uint32_t
hr_catalog_sub_count (const hr_catalog_t *self)
{
    assert (self);
    return self->subs.count;
}

const char *
hr_catalog_sub_name (const hr_catalog_t *self, uint16_t sub_cat)
{
    assert (self);
    assert (sub_cat < self->subs.count);
    return self->subs.names[sub_cat];
}

static double
s_double_or_nan (const PGresult *res, int row, int col)
{
    if (PQgetisnull (res, row, col))
        return NAN;
    return strtod (PQgetvalue (res, row, col), NULL);
}

hr_catalog_t *
hr_catalog_load (hr_pg_t *pg)
{
    assert (pg);
    PGresult *res = hr_pg_exec (pg,
        "SELECT id, name, main_category, sub_category, image, link, ratings, no_of_ratings,"
        " discount_price, actual_price, discount_ratio, status FROM products ORDER BY id", 0, NULL);
    if (!res) {
        hr_log_kv (HR_LOG_ERROR, NULL, "catalog load failed", "error", hr_pg_error (pg), NULL);
        return NULL;
    }
    hr_catalog_t *self = hr_catalog_new ();
    int rows = PQntuples (res);
    for (int r = 0; self && r < rows; r++) {
        hr_product_t p = { 0 };
        snprintf (p.id, sizeof p.id, "%s", PQgetvalue (res, r, 0));
        p.name = PQgetvalue (res, r, 1);
        p.main_category = PQgetvalue (res, r, 2);
        p.sub_category = PQgetvalue (res, r, 3);
        p.image = PQgetisnull (res, r, 4) ? NULL : PQgetvalue (res, r, 4);
        p.link = PQgetisnull (res, r, 5) ? NULL : PQgetvalue (res, r, 5);
        p.rating = s_double_or_nan (res, r, 6);
        p.reviews = PQgetisnull (res, r, 7) ? 0 : strtoll (PQgetvalue (res, r, 7), NULL, 10);
        p.price = s_double_or_nan (res, r, 8);
        p.original_price = s_double_or_nan (res, r, 9);
        p.discount_ratio = s_double_or_nan (res, r, 10);
        p.status = (uint8_t) atoi (PQgetvalue (res, r, 11));
        if (hr_catalog_add (self, &p) != 0) {
            hr_log_kv (HR_LOG_ERROR, NULL, "catalog load: bad product row", "id", p.id, NULL);
            hr_catalog_destroy (&self);
        }
    }
    PQclear (res);
    if (!self)
        return NULL;
    hr_catalog_freeze (self);
    char n[16];
    snprintf (n, sizeof n, "%u", self->count);
    hr_log_kv (HR_LOG_INFO, NULL, "catalog loaded", "products", n, NULL);
    return self;
}

int64_t
hr_catalog_version_pg (hr_pg_t *pg)
{
    assert (pg);
    const char *params[] = { "catalog_version" };
    PGresult *res = hr_pg_exec (pg, "SELECT value FROM meta WHERE key = $1", 1, params);
    if (!res)
        return -1;
    int64_t version = PQntuples (res) ? strtoll (PQgetvalue (res, 0, 0), NULL, 10) : 0;
    PQclear (res);
    return version;
}

/* ------------------------------------------------- a source for hr_swap */

struct hr_catalog_source {
    hr_swap_source_t swap;
    char *database_url;
    int timeout_ms;
    hr_pg_t *pg;
};

static bool
s_source_connect (hr_catalog_source_t *self)
{
    if (!self->pg && self->database_url)
        self->pg = hr_pg_new (self->database_url, self->timeout_ms, 0);
    return self->pg != NULL;
}

static int64_t
s_source_current (void *arg)
{
    hr_catalog_source_t *self = arg;
    return s_source_connect (self) ? hr_catalog_version_pg (self->pg) : -1;
}

static void *
s_source_load (void *arg, int64_t version)
{
    hr_catalog_source_t *self = arg;
    hr_catalog_t *catalog = s_source_connect (self) ? hr_catalog_load (self->pg) : NULL;
    if (!catalog) {
        hr_warn ("catalog version %" PRId64 " could not be loaded; serving the previous one", version);
        return NULL;
    }
    char v[24], n[16];
    snprintf (v, sizeof v, "%" PRId64, version);
    snprintf (n, sizeof n, "%u", hr_catalog_size (catalog));
    hr_log_kv (HR_LOG_INFO, NULL, "catalog loaded", "version", v, "products", n, NULL);
    return catalog;
}

hr_catalog_source_t *
hr_catalog_source_new (const char *database_url, int statement_timeout_ms)
{
    hr_catalog_source_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->database_url = database_url ? strdup (database_url) : NULL;
    if (database_url && !self->database_url) {
        free (self);
        return NULL;
    }
    self->timeout_ms = statement_timeout_ms;
    self->swap = (hr_swap_source_t) { s_source_current, s_source_load, self };
    return self;
}

void
hr_catalog_source_destroy (hr_catalog_source_t **self_p)
{
    assert (self_p);
    hr_catalog_source_t *self = *self_p;
    if (!self)
        return;
    hr_pg_destroy (&self->pg);
    free (self->database_url);
    free (self);
    *self_p = NULL;
}

const hr_swap_source_t *
hr_catalog_source_swap (hr_catalog_source_t *self)
{
    return &self->swap;
}

void
hr_catalog_free (void *catalog)
{
    hr_catalog_t *c = catalog;
    hr_catalog_destroy (&c);
}
