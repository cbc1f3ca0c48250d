/*  fuzz_events_import — the dataset row parser (common/hr_dataset.h) and
    interactions-svc's import rows (import_parse.h).
    First byte: format (yoochoose, diginetica, csv) and whether an item map
    is used; the rest is a file in that format, read with hr_csv and its
    separator, each record through hr_dataset_is_header,
    hr_dataset_parse_row and inter_row_event.
    An accepted row is a well-formed event (hr_events.h rules).  Each field
    also goes through the timestamp parsers on its own.                     */
#include <stdio.h>
#include "fuzz_util.h"
#include "hr_csv.h"
#include "hr_events.h"
#include "hr_validate.h"
#include "interactions-svc/interactions.h"

static inter_item_map_t *s_map;

static void
check_event (const hr_event_t *ev)
{
    FUZZ_CHECK (ev->type == HR_EVENT_CLICK || ev->type == HR_EVENT_SEARCH);
    FUZZ_CHECK (hr_valid_user_id (ev->user_id, strlen (ev->user_id)));
    if (ev->type == HR_EVENT_CLICK)
        FUZZ_CHECK (hr_valid_product_id (ev->value, strlen (ev->value)));
    else
        FUZZ_CHECK (hr_utf8_valid (ev->value, strlen (ev->value)));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet_logs ();
    if (!s_map) {
        s_map = inter_item_map_new ();
        FUZZ_CHECK (s_map);
        inter_item_map_put (s_map, "214536502", "B0BRKXTSBT");
        inter_item_map_put (s_map, "81766", "B0BQ3MXML8");
        FUZZ_CHECK (inter_item_map_put (s_map, "1", "not an id") == -1);
    }
    if (size < 2)
        return 0;
    static const hr_dataset_format_t fmts[3] = { HR_DATASET_YOOCHOOSE, HR_DATASET_DIGINETICA, HR_DATASET_CSV };
    inter_row_options_t opts = {
        .format = fmts[data[0] % 3],
        .user_prefix = inter_format_default_prefix (fmts[data[0] % 3]),
        .item_map = (data[0] & 0x80) ? s_map : NULL,
    };
    FILE *in = fmemopen ((void *) (data + 1), size - 1, "r");
    FUZZ_CHECK (in);
    hr_csv_t *csv = hr_csv_new (in, hr_dataset_separator (opts.format), 4096);
    FUZZ_CHECK (csv);
    hr_csv_record_t rec;
    int rc;
    while ((rc = hr_csv_read (csv, &rec)) != 0) {
        if (rc < 0)
            continue;
        for (int i = 0; i < rec.nfields; i++) {
            int64_t ms;
            hr_dataset_parse_timestamp (rec.field[i], &ms);
            hr_dataset_parse_iso8601 (rec.field[i], &ms);
            hr_dataset_parse_unix_seconds (rec.field[i], &ms);
            char id[11];
            if (inter_foreign_item_id ('Y', rec.field[i], id) == 0)
                FUZZ_CHECK (hr_valid_product_id (id, strnlen (id, sizeof id)));
        }
        if (hr_dataset_is_header (opts.format, rec.field, rec.nfields))
            continue;
        hr_event_t ev;
        memset (&ev, 0xAB, sizeof ev);
        char err[128];
        err[0] = '\0';
        hr_dataset_row_t row;
        const char *why = NULL;
        if (hr_dataset_parse_row (opts.format, rec.field, rec.len, rec.nfields, &row, &why) != 0) {
            FUZZ_CHECK (why && why[0]);
            continue;
        }
        if (inter_row_event (&opts, &row, &ev, err, sizeof err) == 0)
            check_event (&ev);
        else
            FUZZ_CHECK (memchr (err, '\0', sizeof err) != NULL && err[0] != '\0');
    }
    hr_csv_destroy (&csv);
    fclose (in);
    return 0;
}
