/*  interactions import — row parsers and the item map (see import_parse.h). */
#include "import_parse.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "event.h"
#include "hr_validate.h"

int
inter_format_parse (const char *name, inter_format_t *fmt)
{
    if (strcmp (name, "yoochoose") == 0)
        *fmt = INTER_FMT_YOOCHOOSE;
    else if (strcmp (name, "diginetica") == 0)
        *fmt = INTER_FMT_DIGINETICA;
    else if (strcmp (name, "csv") == 0)
        *fmt = INTER_FMT_CSV;
    else
        return -1;
    return 0;
}

char
inter_format_separator (inter_format_t fmt)
{
    return fmt == INTER_FMT_YOOCHOOSE ? '\t' : fmt == INTER_FMT_DIGINETICA ? ';' : ',';
}

const char *
inter_format_default_prefix (inter_format_t fmt)
{
    return fmt == INTER_FMT_YOOCHOOSE ? "ys" : fmt == INTER_FMT_DIGINETICA ? "ds" : "";
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

//  --- times --------------------------------------------------------------------

//  Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's formula).
static int64_t
s_days_from_civil (int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned) (y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t) doe - 719468;
}

static int
s_digits (const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

//  Up to 3 fraction digits as milliseconds; further digits are ignored.
static int
s_fraction_ms (const char **p)
{
    int ms = 0, digits = 0;
    while (**p >= '0' && **p <= '9') {
        if (digits < 3)
            ms = ms * 10 + (**p - '0');
        digits++;
        (*p)++;
    }
    while (digits < 3) {
        ms *= 10;
        digits++;
    }
    return ms;
}

int
inter_parse_unix_seconds (const char *s, int64_t *ms)
{
    const char *p = s;
    int64_t secs = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
        if (++digits > 12)
            return -1;          // past year 33658: not a timestamp
        secs = secs * 10 + (*p++ - '0');
    }
    if (digits == 0)
        return -1;
    int frac = 0;
    if (*p == '.') {
        p++;
        frac = s_fraction_ms (&p);
    }
    if (*p)
        return -1;
    *ms = secs * 1000 + frac;
    return 0;
}

int
inter_parse_iso8601 (const char *s, int64_t *ms)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0;
    if (s_digits (&p, 4, &y) || *p++ != '-' || s_digits (&p, 2, &mo) || *p++ != '-'
    ||  s_digits (&p, 2, &d))
        return -1;
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return -1;
    int64_t offset_min = 0;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (s_digits (&p, 2, &h) || *p++ != ':' || s_digits (&p, 2, &mi))
            return -1;
        if (*p == ':') {
            p++;
            if (s_digits (&p, 2, &sec))
                return -1;
            if (*p == '.') {
                p++;
                frac = s_fraction_ms (&p);
            }
        }
        if (h > 23 || mi > 59 || sec > 60)
            return -1;
        if (*p == 'Z')
            p++;
        else
        if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
            if (s_digits (&p, 2, &oh))
                return -1;
            if (*p == ':')
                p++;
            if (*p && s_digits (&p, 2, &om))
                return -1;
            offset_min = sign * (oh * 60 + om);
        }
    }
    if (*p)
        return -1;
    int64_t secs = s_days_from_civil (y, (unsigned) mo, (unsigned) d) * 86400
                 + h * 3600 + mi * 60 + sec - offset_min * 60;
    *ms = secs * 1000 + frac;
    return 0;
}

int
inter_parse_timestamp (const char *s, int64_t *ms)
{
    size_t digits = strspn (s, "0123456789");
    if (digits >= 13 && s[digits] == '\0' && digits <= 15) {
        *ms = strtoll (s, NULL, 10);        // Unix milliseconds
        return 0;
    }
    if (inter_parse_unix_seconds (s, ms) == 0)
        return 0;
    return inter_parse_iso8601 (s, ms);
}

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

//  --- rows -----------------------------------------------------------------------

bool
inter_row_is_header (inter_format_t fmt, const char *const *field, int nfields)
{
    if (nfields < 1)
        return false;
    const char *first = fmt == INTER_FMT_YOOCHOOSE ? "SessionId"
                      : fmt == INTER_FMT_DIGINETICA ? "session_id" : "user_id";
    return strcmp (field[0], first) == 0;
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

static int
s_event_type (const char *s)
{
    if (!strcmp (s, "1") || !strcmp (s, "click") || !strcmp (s, "product_click"))
        return HR_EVENT_CLICK;
    if (!strcmp (s, "2") || !strcmp (s, "search") || !strcmp (s, "search_query"))
        return HR_EVENT_SEARCH;
    return -1;
}

int
inter_row_parse (const inter_row_options_t *opts, const char *const *field,
                 const size_t *len, int nfields, hr_event_t *ev, char *err, size_t errcap)
{
    char user[HR_USER_ID_MAX + 2];
    char item[11];
    unsigned type = HR_EVENT_CLICK;
    const char *value = item;
    int64_t ts_ms;
    int ulen;
    switch (opts->format) {
    case INTER_FMT_YOOCHOOSE:
        if (nfields != 3)
            return s_fail (err, errcap, "expected 3 TAB-separated fields: SessionId ItemId Time");
        if ((ulen = s_user (opts, field[0], user, sizeof user)) < 0)
            return s_fail (err, errcap, "session id too long for a user id");
        if (s_item (opts, 'Y', field[1], len[1], item) != 0)
            return s_fail (err, errcap, "item id is not 1-9 digits (use --item-map)");
        if (inter_parse_unix_seconds (field[2], &ts_ms) != 0)
            return s_fail (err, errcap, "Time is not Unix seconds");
        break;
    case INTER_FMT_DIGINETICA: {
        if (nfields != 5)
            return s_fail (err, errcap, "expected 5 ';'-separated fields: "
                                        "session_id;user_id;item_id;timeframe;eventdate");
        if ((ulen = s_user (opts, field[0], user, sizeof user)) < 0)
            return s_fail (err, errcap, "session id too long for a user id");
        if (s_item (opts, 'D', field[2], len[2], item) != 0)
            return s_fail (err, errcap, "item_id is not 1-9 digits (use --item-map)");
        int64_t day_ms, offset_ms;
        char *end;
        if (inter_parse_iso8601 (field[4], &day_ms) != 0 || strlen (field[4]) != 10)
            return s_fail (err, errcap, "eventdate is not YYYY-MM-DD");
        offset_ms = strtoll (field[3], &end, 10);
        if (!len[3] || *end || offset_ms < 0 || offset_ms >= 86400000LL * 7)
            return s_fail (err, errcap, "timeframe is not a millisecond offset");
        ts_ms = day_ms + offset_ms;
        break;
    }
    case INTER_FMT_CSV: {
        if (nfields != 4)
            return s_fail (err, errcap, "expected 4 fields: user_id,event_type,value,timestamp");
        if ((ulen = s_user (opts, field[0], user, sizeof user)) < 0)
            return s_fail (err, errcap, "user_id too long");
        int t = s_event_type (field[1]);
        if (t < 0)
            return s_fail (err, errcap, "event_type is not click|search|product_click|search_query|1|2");
        type = (unsigned) t;
        if (type == HR_EVENT_CLICK) {
            const char *mapped = opts->item_map
                               ? inter_item_map_get (opts->item_map, field[2], len[2]) : NULL;
            value = mapped ? mapped : field[2];
        }
        else
            value = field[2];
        if (inter_parse_timestamp (field[3], &ts_ms) != 0)
            return s_fail (err, errcap, "timestamp is neither ISO-8601 nor Unix time");
        break;
    }
    default:
        return s_fail (err, errcap, "unknown format");
    }
    return inter_event_make (ev, user, (size_t) ulen, type, value, strlen (value), err, errcap) == 0
         ? (ev->ts_ms = ts_ms, 0) : -1;
}
