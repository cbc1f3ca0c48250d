/*  gw_catalog_product — a product of the catalog API, checked and
    normalised (see gw_catalog_product.h).                                  */
#include "gw_catalog_product.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "hr_validate.h"
#include "hr_wire.h"

#define NAME_MAX_BYTES 2000
#define CATEGORY_MAX_BYTES 255
#define URL_MAX_BYTES 4096

static const char *const s_status_names[] = { "in_stock", "out_of_stock", "hidden" };

const char *
gw_catalog_product_status_name (int status)
{
    return status >= 0 && status < 3 ? s_status_names[status] : "unknown";
}

int
gw_catalog_product_status (json_t *v)
{
    const char *s = json_string_value (v);
    for (int i = 0; s && i < 3; i++)
        if (!strcmp (s, s_status_names[i]))
            return i;
    return -1;
}

/*  A string field: required or optional (null/absent allowed).  */
static bool
s_string_field (json_t *in, json_t *out, const char *key, bool required, size_t max, char *why, size_t cap)
{
    json_t *v = json_object_get (in, key);
    if (!v || json_is_null (v)) {
        if (required)
            snprintf (why, cap, "%s is required", key);
        else
            json_object_set_new (out, key, json_null ());
        return !required;
    }
    const char *s = json_string_value (v);
    size_t n = s ? json_string_length (v) : 0;
    if (!s || (required && n == 0) || n > max || memchr (s, '\0', n)) {
        snprintf (why, cap, "%s must be a %sstring of at most %zu bytes", key, required ? "non-empty " : "", max);
        return false;
    }
    json_object_set (out, key, v);
    return true;
}

/*  A number field: optional; NAN when absent/null.  false when invalid.   */
static bool
s_number_field (json_t *in, json_t *out, const char *key, double lo, double hi, double *value,
              char *why, size_t cap)
{
    json_t *v = json_object_get (in, key);
    *value = NAN;
    if (!v || json_is_null (v)) {
        json_object_set_new (out, key, json_null ());
        return true;
    }
    if (!json_is_number (v) || json_number_value (v) < lo || json_number_value (v) > hi) {
        snprintf (why, cap, "%s must be a number in [%g, %g] or null", key, lo, hi);
        return false;
    }
    *value = json_number_value (v);
    json_object_set_new (out, key, json_real (*value));
    return true;
}

/*  One product object -> its normalised form (NULL with `why` on error).
    id: from the path (id10) or the object's "id".  */
json_t *
gw_catalog_product_normalise (json_t *in, const char *id10, char *why, size_t cap)
{
    if (!json_is_object (in)) {
        snprintf (why, cap, "a product must be a JSON object");
        return NULL;
    }
    json_t *out = json_object ();
    const char *id = id10;
    if (!id) {
        id = json_string_value (json_object_get (in, "id"));
        if (!id || !hr_valid_product_id (id, strlen (id))) {
            snprintf (why, cap, "id must match ^[A-Z0-9]{10}$");
            goto fail;
        }
    }
    else if (json_object_get (in, "id")
             && (!json_is_string (json_object_get (in, "id"))
                 || strcmp (json_string_value (json_object_get (in, "id")), id))) {
        snprintf (why, cap, "id in the body differs from the path");
        goto fail;
    }
    json_object_set_new (out, "id", json_stringn (id, HR_PRODUCT_ID_LEN));
    double rating, reviews, price, original, ratio;
    if (!s_string_field (in, out, "name", true, NAME_MAX_BYTES, why, cap)
        || !s_string_field (in, out, "main_category", true, CATEGORY_MAX_BYTES, why, cap)
        || !s_string_field (in, out, "sub_category", true, CATEGORY_MAX_BYTES, why, cap)
        || !s_string_field (in, out, "image", false, URL_MAX_BYTES, why, cap)
        || !s_string_field (in, out, "link", false, URL_MAX_BYTES, why, cap)
        || !s_number_field (in, out, "ratings", 0, 5, &rating, why, cap)
        || !s_number_field (in, out, "no_of_ratings", 0, 1e15, &reviews, why, cap)
        || !s_number_field (in, out, "discount_price", 0.01, 1e12, &price, why, cap)
        || !s_number_field (in, out, "actual_price", 0.01, 1e12, &original, why, cap)
        || !s_number_field (in, out, "discount_ratio", -1e6, 1, &ratio, why, cap))
        goto fail;
    if (!isnan (reviews)) {
        if (reviews != floor (reviews)) {
            snprintf (why, cap, "no_of_ratings must be an integer");
            goto fail;
        }
        json_object_set_new (out, "no_of_ratings", json_integer ((json_int_t) reviews));
    }
    if (isnan (ratio) && !isnan (price) && !isnan (original))     /* as the importer does */
        json_object_set_new (out, "discount_ratio",
                             json_real (round ((1.0 - price / original) * 10000.0) / 10000.0));
    json_t *st = json_object_get (in, "status");
    if (st) {
        int s = gw_catalog_product_status (st);
        if (s < 0) {
            snprintf (why, cap, "status must be in_stock, out_of_stock or hidden");
            goto fail;
        }
        json_object_set_new (out, "status", json_integer (s));
    }
    return out;
fail:
    json_decref (out);
    return NULL;
}
