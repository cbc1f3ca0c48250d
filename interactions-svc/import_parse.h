/*  interactions import — turning one dataset row (common/hr_dataset.h)
    into an event (pure).

    Sessions become users (prefix + session id).  Foreign item ids become
    catalog-shaped ids: a letter ('Y' yoochoose, 'D' diginetica) and the id
    zero-padded to 9 digits, unless the item map has them.                  */
#ifndef INTER_IMPORT_PARSE_H
#define INTER_IMPORT_PARSE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hr_dataset.h"
#include "hr_events.h"

const char *inter_format_default_prefix (hr_dataset_format_t fmt);

/*  A foreign -> catalog item id map, loaded from "foreign_id,catalog_id"
    lines.  */
typedef struct inter_item_map inter_item_map_t;
inter_item_map_t *inter_item_map_new (void);
void inter_item_map_destroy (inter_item_map_t **self_p);
/*  0, -1 when catalog_id is not a valid product id or out of memory.        */
int inter_item_map_put (inter_item_map_t *self, const char *foreign, const char *catalog_id);
const char *inter_item_map_get (const inter_item_map_t *self, const char *foreign, size_t len);
size_t inter_item_map_size (const inter_item_map_t *self);

typedef struct {
    hr_dataset_format_t format;
    const char *user_prefix;
    const inter_item_map_t *item_map;   /* may be NULL */
} inter_row_options_t;

/*  The event of one row (ts_ms as in the file).  0, or -1 with the reason
    in err.  */
int inter_row_event (const inter_row_options_t *opts, const hr_dataset_row_t *row,
                     hr_event_t *ev, char *err, size_t errcap);

/*  'Y'/'D' + the digits zero-padded to 9; exposed for the tests.  0 / -1.  */
int inter_foreign_item_id (char letter, const char *digits, char out[11]);

#endif
