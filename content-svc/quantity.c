/*  quantity — sizes in product names and queries (quantity.h).             */
#include "quantity.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *word;
    uint8_t unit;
} s_units[] = {
    { "ton", CONTENT_QTY_TON }, { "tons", CONTENT_QTY_TON }, { "tonne", CONTENT_QTY_TON },
    { "tonnes", CONTENT_QTY_TON }, { "tr", CONTENT_QTY_TON },
    { "kg", CONTENT_QTY_KG }, { "kgs", CONTENT_QTY_KG }, { "kilo", CONTENT_QTY_KG },
    { "kilos", CONTENT_QTY_KG }, { "kilogram", CONTENT_QTY_KG }, { "kilograms", CONTENT_QTY_KG },
    { "g", CONTENT_QTY_GRAM }, { "gm", CONTENT_QTY_GRAM }, { "gms", CONTENT_QTY_GRAM },
    { "gram", CONTENT_QTY_GRAM }, { "grams", CONTENT_QTY_GRAM },
    { "l", CONTENT_QTY_LITRE }, { "lt", CONTENT_QTY_LITRE }, { "ltr", CONTENT_QTY_LITRE },
    { "ltrs", CONTENT_QTY_LITRE }, { "litre", CONTENT_QTY_LITRE }, { "litres", CONTENT_QTY_LITRE },
    { "liter", CONTENT_QTY_LITRE }, { "liters", CONTENT_QTY_LITRE },
    { "ml", CONTENT_QTY_ML }, { "mls", CONTENT_QTY_ML },
    { "star", CONTENT_QTY_STAR }, { "stars", CONTENT_QTY_STAR },
    { "inch", CONTENT_QTY_INCH }, { "inches", CONTENT_QTY_INCH },
    { "cm", CONTENT_QTY_CM }, { "cms", CONTENT_QTY_CM }, { "mm", CONTENT_QTY_MM },
    { "gb", CONTENT_QTY_GB }, { "tb", CONTENT_QTY_TB }, { "mah", CONTENT_QTY_MAH },
    { "w", CONTENT_QTY_WATT }, { "watt", CONTENT_QTY_WATT }, { "watts", CONTENT_QTY_WATT },
    { "seater", CONTENT_QTY_SEATER },
};

static const char *const s_names[CONTENT_QTY_UNITS] = {
    "", "ton", "kg", "g", "litre", "ml", "star", "inch", "cm", "mm", "gb", "tb", "mah", "watt",
    "seater",
};

#define UNIT_WORD_MAX 10
#define VALUE_MAX 1000000u          /* a larger number is a model number */

static bool
s_digit (unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool
s_alpha (unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static uint8_t
s_unit_of (const unsigned char *w, size_t n)
{
    if (n == 0 || n > UNIT_WORD_MAX)
        return CONTENT_QTY_NONE;
    char low[UNIT_WORD_MAX + 1];
    for (size_t i = 0; i < n; i++)
        low[i] = (char) (w[i] | 0x20);
    low[n] = '\0';
    for (size_t k = 0; k < sizeof s_units / sizeof *s_units; k++)
        if (strcmp (s_units[k].word, low) == 0)
            return s_units[k].unit;
    return CONTENT_QTY_NONE;
}

uint32_t
content_qty_parse (const char *text, size_t len, content_qty_t *out, uint32_t max)
{
    const unsigned char *s = (const unsigned char *) text;
    uint32_t n = 0;
    size_t i = 0;
    while (i < len && n < max) {
        /*  a number starts a word: not inside "A12" or "v2.0"             */
        if (!s_digit (s[i]) || (i > 0 && (s_alpha (s[i - 1]) || s_digit (s[i - 1])
                                          || s[i - 1] == '.'))) {
            i++;
            continue;
        }
        uint64_t v = 0;
        size_t j = i;
        while (j < len && s_digit (s[j]) && v <= VALUE_MAX)
            v = v * 10 + (s[j++] - '0');
        uint64_t milli = v * 1000;
        if (j + 1 < len && s[j] == '.' && s_digit (s[j + 1])) {
            uint64_t scale = 100;
            for (j++; j < len && s_digit (s[j]); j++) {
                milli += (uint64_t) (s[j] - '0') * scale;
                scale /= 10;
            }
        }
        if (v > VALUE_MAX || (j < len && s_digit (s[j]))) {
            i = j + 1;                  /* too long, or digits past 3 decimals */
            continue;
        }
        size_t k = j;
        if (k < len && (s[k] == ' ' || s[k] == '-'))
            k++;
        size_t w = k;
        while (w < len && s_alpha (s[w]))
            w++;
        uint8_t unit = (w < len && s_digit (s[w])) ? CONTENT_QTY_NONE : s_unit_of (s + k, w - k);
        if (unit != CONTENT_QTY_NONE) {
            out[n++] = (content_qty_t) { (uint32_t) milli, unit };
            i = w;
        }
        else
            i = j;
    }
    return n;
}

const char *
content_qty_unit_name (uint8_t unit)
{
    return unit < CONTENT_QTY_UNITS ? s_names[unit] : "";
}

void
content_qty_format (content_qty_t q, char *buf, size_t cap)
{
    uint32_t whole = q.milli / 1000, frac = q.milli % 1000;
    if (frac == 0)
        snprintf (buf, cap, "%u %s", whole, content_qty_unit_name (q.unit));
    else {
        int digits = 3;
        for (; frac % 10 == 0; digits--)
            frac /= 10;
        snprintf (buf, cap, "%u.%0*u %s", whole, digits, frac, content_qty_unit_name (q.unit));
    }
}

struct content_qtys {
    uint32_t n;
    uint32_t *start;                /* n + 1 */
    content_qty_t *qty;
};

#define NAME_QTY_MAX 16

content_qtys_t *
content_qtys_new (const hr_catalog_t *catalog)
{
    content_qtys_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->n = hr_catalog_size (catalog);
    self->start = malloc (((size_t) self->n + 1) * sizeof *self->start);
    size_t cap = (size_t) self->n + 16, used = 0;
    self->qty = malloc (cap * sizeof *self->qty);
    if (!self->start || !self->qty) {
        content_qtys_destroy (&self);
        return NULL;
    }
    for (uint32_t d = 0; d < self->n; d++) {
        self->start[d] = (uint32_t) used;
        const char *name = hr_catalog_at (catalog, d)->name;
        content_qty_t q[NAME_QTY_MAX];
        uint32_t m = name ? content_qty_parse (name, strlen (name), q, NAME_QTY_MAX) : 0;
        if (used + m > cap) {
            size_t c = (cap + m) * 2;
            content_qty_t *p = realloc (self->qty, c * sizeof *p);
            if (!p) {
                content_qtys_destroy (&self);
                return NULL;
            }
            self->qty = p;
            cap = c;
        }
        memcpy (self->qty + used, q, m * sizeof *q);
        used += m;
    }
    self->start[self->n] = (uint32_t) used;
    return self;
}

void
content_qtys_destroy (content_qtys_t **self_p)
{
    content_qtys_t *self = *self_p;
    if (!self)
        return;
    free (self->start);
    free (self->qty);
    free (self);
    *self_p = NULL;
}

int
content_qtys_verdict (const content_qtys_t *self, uint32_t d, content_qty_t q)
{
    int verdict = CONTENT_QTY_UNSTATED;
    for (uint32_t k = self->start[d]; k < self->start[d + 1]; k++) {
        if (self->qty[k].unit != q.unit)
            continue;
        if (self->qty[k].milli == q.milli)
            return CONTENT_QTY_STATED;
        verdict = CONTENT_QTY_OTHER;
    }
    return verdict;
}
