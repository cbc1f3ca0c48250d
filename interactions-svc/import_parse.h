/*  interactions import — turning one foreign row into an event (pure).

    Formats (docs/interactions.md):
      yoochoose   TAB-separated  SessionId ItemId Time        (Unix seconds)
      diginetica  ';'-separated  session_id;user_id;item_id;timeframe;eventdate
                                 (ts = eventdate 00:00 UTC + timeframe ms)
      csv         ','-separated  user_id,event_type,value,timestamp
                                 (event_type 1|2|click|search|product_click|
                                  search_query; timestamp ISO-8601 or Unix
                                  seconds, or Unix ms when 13+ digits)
    Sessions become users (prefix + session id).  Foreign item ids become
    catalog-shaped ids: a letter ('Y' yoochoose, 'D' diginetica) and the id
    zero-padded to 9 digits, unless the item map has them.                  */
#ifndef INTER_IMPORT_PARSE_H
#define INTER_IMPORT_PARSE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hr_events.h"

typedef enum { INTER_FMT_YOOCHOOSE, INTER_FMT_DIGINETICA, INTER_FMT_CSV } inter_format_t;

/*  "yoochoose" | "diginetica" | "csv" -> 0 with *fmt set, -1 otherwise.     */
int inter_format_parse (const char *name, inter_format_t *fmt);
char inter_format_separator (inter_format_t fmt);
const char *inter_format_default_prefix (inter_format_t fmt);

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
    inter_format_t format;
    const char *user_prefix;
    const inter_item_map_t *item_map;   /* may be NULL */
} inter_row_options_t;

/*  true when the row is the format's header line.                          */
bool inter_row_is_header (inter_format_t fmt, const char *const *field, int nfields);

/*  Parses one row into *ev (ts_ms as in the file).  0, or -1 with the
    reason in err.  */
int inter_row_parse (const inter_row_options_t *opts, const char *const *field,
                     const size_t *len, int nfields, hr_event_t *ev,
                     char *err, size_t errcap);

/*  Building blocks, exposed for the tests.  0 / -1.                         */
int inter_parse_unix_seconds (const char *s, int64_t *ms);
int inter_parse_iso8601 (const char *s, int64_t *ms);
int inter_parse_timestamp (const char *s, int64_t *ms);
int inter_foreign_item_id (char letter, const char *digits, char out[11]);

#endif
