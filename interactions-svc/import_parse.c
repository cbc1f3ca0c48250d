/*  interactions import — rows into events and the item map (see import_parse.h). */
#include "import_parse.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "event.h"
#include "hr_validate.h"

const char *
inter_format_default_prefix (hr_dataset_format_t fmt)
{
    return fmt == HR_DATASET_YOOCHOOSE ? "ys" : fmt == HR_DATASET_DIGINETICA ? "ds" : "";
}

//  --- the item map: open addressing, power-of-two table ----------------------

typedef struct {
    char *foreign;
    char catalog[11];
} map_slot_t;

struct inter_item_map {
    map_slot_t *slots;
    size_t cap, size;
};

static uint64_t
s_hash (const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;      // FNV-1a
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char) s[i]) * 1099511628211ULL;
    return h;
}

inter_item_map_t *
inter_item_map_new (void)
{
    inter_item_map_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cap = 1024;
    self->slots = calloc (self->cap, sizeof *self->slots);
    if (!self->slots) {
        free (self);
        return NULL;
    }
    return self;
}

void
inter_item_map_destroy (inter_item_map_t **self_p)
{
    assert (self_p);
    inter_item_map_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->cap; i++)
        free (self->slots[i].foreign);
    free (self->slots);
    free (self);
    *self_p = NULL;
}

static map_slot_t *
s_find (map_slot_t *slots, size_t cap, const char *key, size_t n)
{
    size_t i = (size_t) s_hash (key, n) & (cap - 1);
    while (slots[i].foreign
       && (strlen (slots[i].foreign) != n || memcmp (slots[i].foreign, key, n) != 0))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static int
s_grow (inter_item_map_t *self)
{
    size_t cap = self->cap * 2;
    map_slot_t *slots = calloc (cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < self->cap; i++)
        if (self->slots[i].foreign)
            *s_find (slots, cap, self->slots[i].foreign, strlen (self->slots[i].foreign))
                = self->slots[i];
    free (self->slots);
    self->slots = slots;
    self->cap = cap;
    return 0;
}

int
inter_item_map_put (inter_item_map_t *self, const char *foreign, const char *catalog_id)
{
    if (!hr_valid_product_id (catalog_id, strlen (catalog_id)) || !foreign[0])
        return -1;
    if ((self->size + 1) * 2 > self->cap && s_grow (self) != 0)
        return -1;
    map_slot_t *slot = s_find (self->slots, self->cap, foreign, strlen (foreign));
    if (!slot->foreign) {
        slot->foreign = strdup (foreign);
        if (!slot->foreign)
            return -1;
        self->size++;
    }
    memcpy (slot->catalog, catalog_id, 11);
    return 0;
}

const char *
inter_item_map_get (const inter_item_map_t *self, const char *foreign, size_t len)
{
    map_slot_t *slot = s_find (self->slots, self->cap, foreign, len);
    return slot->foreign ? slot->catalog : NULL;
}

size_t
inter_item_map_size (const inter_item_map_t *self)
{
    return self->size;
}

//  --- rows -----------------------------------------------------------------------

int
inter_foreign_item_id (char letter, const char *digits, char out[11])
{
    size_t n = strlen (digits);
    if (n == 0 || n > 9 || strspn (digits, "0123456789") != n)
        return -1;
    out[0] = letter;
    memset (out + 1, '0', 9 - n);
    memcpy (out + 1 + 9 - n, digits, n);
    out[10] = '\0';
    return 0;
}

static int
s_fail (char *err, size_t errcap, const char *msg)
{
    snprintf (err, errcap, "%s", msg);
    return -1;
}

//  The catalog id for a foreign item: the map's, else derived.
static int
s_item (const inter_row_options_t *opts, char letter, const char *foreign, size_t len,
        char out[11])
{
    const char *mapped = opts->item_map ? inter_item_map_get (opts->item_map, foreign, len) : NULL;
    if (mapped) {
        memcpy (out, mapped, 11);
        return 0;
    }
    return inter_foreign_item_id (letter, foreign, out);
}

static int
s_user (const inter_row_options_t *opts, const char *id, char *out, size_t cap)
{
    int n = snprintf (out, cap, "%s%s", opts->user_prefix, id);
    return n > 0 && (size_t) n < cap ? n : -1;
}

int
inter_row_event (const inter_row_options_t *opts, const hr_dataset_row_t *row,
                 hr_event_t *ev, char *err, size_t errcap)
{
    char user[HR_USER_ID_MAX + 2];
    char item[11];
    const char *value = row->value;
    int ulen = s_user (opts, row->user, user, sizeof user);
    if (ulen < 0)
        return s_fail (err, errcap, opts->format == HR_DATASET_CSV ? "user_id too long"
                                    : "session id too long for a user id");
    if (opts->format != HR_DATASET_CSV) {
        if (s_item (opts, opts->format == HR_DATASET_YOOCHOOSE ? 'Y' : 'D', row->value,
                    row->value_len, item) != 0)
            return s_fail (err, errcap, opts->format == HR_DATASET_YOOCHOOSE
                                        ? "item id is not 1-9 digits (use --item-map)"
                                        : "item_id is not 1-9 digits (use --item-map)");
        value = item;
    }
    else
    if (row->type == HR_EVENT_CLICK && opts->item_map) {
        const char *mapped = inter_item_map_get (opts->item_map, row->value, row->value_len);
        value = mapped ? mapped : row->value;
    }
    if (inter_event_make (ev, user, (size_t) ulen, row->type, value, strlen (value),
                          err, errcap) != 0)
        return -1;
    ev->ts_ms = row->ts_ms;
    return 0;
}
