/*  interactions — request decoding and reply encoding (see protocol.h).    */
#include "protocol.h"
#include <string.h>

int
inter_record_decode (hr_reader_t *args, inter_record_req_t *req)
{
    req->user_id = hr_get_str (args, &req->user_id_len);
    req->type = hr_get_u8 (args);
    req->value = hr_get_str (args, &req->value_len);
    return hr_reader_done (args) ? 0 : -1;
}

int
inter_history_decode (hr_reader_t *args, inter_history_req_t *req)
{
    req->user_id = hr_get_str (args, &req->user_id_len);
    req->days = hr_get_u32 (args);
    req->limit = hr_get_u32 (args);
    return hr_reader_done (args) ? 0 : -1;
}

void
inter_record_encode (hr_writer_t *w, const char *user_id, uint8_t type, const char *value)
{
    hr_put_cstr (w, INTER_METHOD_RECORD);
    hr_put_cstr (w, user_id);
    hr_put_u8 (w, type);
    hr_put_cstr (w, value);
}

void
inter_history_encode (hr_writer_t *w, const char *user_id, uint32_t days, uint32_t limit)
{
    hr_put_cstr (w, INTER_METHOD_HISTORY);
    hr_put_cstr (w, user_id);
    hr_put_u32 (w, days);
    hr_put_u32 (w, limit);
}

void
inter_history_reply_encode (hr_writer_t *w, const hr_event_t *events, uint32_t n)
{
    hr_put_u32 (w, n);
    for (uint32_t i = 0; i < n; i++) {
        hr_put_u8 (w, events[i].type);
        hr_put_cstr (w, events[i].value);
        hr_put_i64 (w, events[i].ts_ms);
    }
}

int
inter_history_reply_decode (const void *body, size_t len, hr_event_t *out,
                            uint32_t max, uint32_t *n)
{
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    //  smallest event on the wire: u8 + empty str (4) + i64
    uint32_t count = hr_get_count (&r, 1 + 4 + 8);
    if (!hr_reader_ok (&r) || count > max)
        return -1;
    for (uint32_t i = 0; i < count; i++) {
        out[i].user_id[0] = '\0';
        out[i].type = hr_get_u8 (&r);
        hr_get_str_copy (&r, out[i].value, sizeof out[i].value);
        out[i].ts_ms = hr_get_i64 (&r);
    }
    if (!hr_reader_done (&r))
        return -1;
    *n = count;
    return 0;
}
