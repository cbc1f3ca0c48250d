/*  interactions — event validation and the cached element form.            */
#include "event.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "hr_validate.h"

int
inter_event_make (hr_event_t *ev, const char *user_id, size_t user_id_len,
                  unsigned type, const char *value, size_t value_len,
                  char *err, size_t errcap)
{
    if (!hr_valid_user_id (user_id, user_id_len)) {
        snprintf (err, errcap, "invalid user_id: must match ^[a-zA-Z0-9]{1,50}$");
        return -1;
    }
    if (hr_event_is_product ((int) type)) {
        if (value_len == 0) {
            snprintf (err, errcap, "product_id is required for a %s", hr_event_names[type]);
            return -1;
        }
        if (!hr_valid_product_id (value, value_len)) {
            snprintf (err, errcap, "invalid product_id: must match ^[A-Z0-9]{10}$");
            return -1;
        }
    }
    else
    if (type == HR_EVENT_SEARCH) {
        const char *q;
        size_t qlen;
        int rc = hr_query_normalize (value, value_len, &q, &qlen);
        if (rc != HR_QUERY_OK) {
            snprintf (err, errcap, "%s",
                      rc == HR_QUERY_EMPTY ? "query is required and must not be empty"
                      : rc == HR_QUERY_TOO_LONG ? "query is longer than 255 bytes"
                      : "query is not valid UTF-8");
            return -1;
        }
        value = q;
        value_len = qlen;
    }
    else {
        snprintf (err, errcap, "invalid event type %u (1 product_click, 2 search_query, 3 view, "
                  "4 add_to_cart, 5 purchase)", type);
        return -1;
    }
    memcpy (ev->user_id, user_id, user_id_len);
    ev->user_id[user_id_len] = '\0';
    ev->type = (uint8_t) type;
    memcpy (ev->value, value, value_len);
    ev->value[value_len] = '\0';
    ev->ts_ms = 0;
    ev->client_ts_ms = 0;
    ev->rec_id[0] = '\0';
    return 0;
}

size_t
inter_event_encode (const hr_event_t *ev, char *buf, size_t cap)
{
    //  "<type>|<ts_ms>|<value>", as snprintf would write it, without
    //  snprintf's format parsing: every cached write encodes one (issue 16)
    if (cap == 0)
        return 0;
    char text[3 + 1 + 21 + 1 + sizeof ev->value];
    size_t n = 0;
    char digits[24];
    size_t nd = 0;
    unsigned type = ev->type;
    do { digits[nd++] = (char) ('0' + type % 10); type /= 10; } while (type);
    while (nd)
        text[n++] = digits[--nd];
    text[n++] = '|';
    uint64_t ts = ev->ts_ms < 0 ? 0 - (uint64_t) ev->ts_ms : (uint64_t) ev->ts_ms;
    if (ev->ts_ms < 0)
        text[n++] = '-';
    do { digits[nd++] = (char) ('0' + ts % 10); ts /= 10; } while (ts);
    while (nd)
        text[n++] = digits[--nd];
    text[n++] = '|';
    size_t vlen = strnlen (ev->value, sizeof ev->value);
    memcpy (text + n, ev->value, vlen);
    n += vlen;
    size_t out = n < cap ? n : cap - 1;
    memcpy (buf, text, out);
    buf[out] = '\0';
    return out;
}

bool
inter_event_is_complete_marker (const char *s, size_t n)
{
    return n == strlen (INTER_CACHE_COMPLETE) && memcmp (s, INTER_CACHE_COMPLETE, n) == 0;
}

int
inter_event_decode (const char *s, size_t n, hr_event_t *ev)
{
    if (n < 4 || !hr_event_type_valid (s[0] - '0') || s[1] != '|')
        return -1;
    const char *p = s + 2, *end = s + n;
    int64_t ts = 0;
    int digits = 0;
    while (p < end && *p >= '0' && *p <= '9' && digits < 18) {
        ts = ts * 10 + (*p - '0');
        p++, digits++;
    }
    if (digits == 0 || p == end || *p != '|')
        return -1;
    p++;
    size_t vlen = (size_t) (end - p);
    if (vlen == 0 || vlen >= sizeof ev->value)
        return -1;
    ev->type = (uint8_t) (s[0] - '0');
    ev->ts_ms = ts;
    memcpy (ev->value, p, vlen);
    ev->value[vlen] = '\0';
    return 0;
}
