/*  quantity — the sizes a product name states and a query asks for
    ("1.5 Ton", "7 kg", "5 Star", "3 Litre", "43 inches", "128GB"), read
    from the raw text: the analyzer drops one-letter tokens and splits "1.5",
    so "7 kg washing machine" would otherwise mean any washing machine
    (docs/search.md, "Quantities").

    A quantity is a number (up to three decimals) followed by a unit word,
    with at most one space or hyphen between ("5-Star", "128GB"); values are
    kept in thousandths, so "2 Ton" and "2.0 Ton" are the same size.  The
    units are a fixed list of what shop titles measure in (content_qty_unit);
    "in" is not one ("2 in 1").

    Per product, at index build: every quantity of its name.  For a query
    quantity a product either states it, states only other sizes in that
    unit (another product), or states no size in that unit.               */
#ifndef CONTENT_QUANTITY_H
#define CONTENT_QUANTITY_H
#include <stdint.h>
#include <stddef.h>
#include "hr_catalog.h"

typedef struct {
    uint32_t milli;                 /* the value × 1000 */
    uint8_t unit;                   /* CONTENT_QTY_* */
} content_qty_t;

enum {
    CONTENT_QTY_NONE = 0, CONTENT_QTY_TON, CONTENT_QTY_KG, CONTENT_QTY_GRAM, CONTENT_QTY_LITRE,
    CONTENT_QTY_ML, CONTENT_QTY_STAR, CONTENT_QTY_INCH, CONTENT_QTY_CM, CONTENT_QTY_MM,
    CONTENT_QTY_GB, CONTENT_QTY_TB, CONTENT_QTY_MAH, CONTENT_QTY_WATT, CONTENT_QTY_SEATER,
    CONTENT_QTY_UNITS
};

/*  The quantities of text, in order, at most max; returns how many.        */
uint32_t content_qty_parse (const char *text, size_t len, content_qty_t *out, uint32_t max);

/*  "ton", "kg", ... for a unit; "" for none.                               */
const char *content_qty_unit_name (uint8_t unit);

/*  "1.5 ton" into buf (cap bytes, NUL-terminated).                         */
void content_qty_format (content_qty_t q, char *buf, size_t cap);

typedef struct content_qtys content_qtys_t;

/*  Every product's quantities (index i = catalog index).  NULL on out-of-memory. */
content_qtys_t *content_qtys_new (const hr_catalog_t *catalog);
void content_qtys_destroy (content_qtys_t **self_p);

enum { CONTENT_QTY_STATED = 1, CONTENT_QTY_OTHER = 0, CONTENT_QTY_UNSTATED = -1 };

/*  Whether product d states q, only other sizes in q's unit, or none.      */
int content_qtys_verdict (const content_qtys_t *self, uint32_t d, content_qty_t q);

#endif
