/*  fuzz_json_body — POST /api/v1/interactions/interactions bodies, end to
    end through the pure parts: jansson parses the body as the gateway does
    (json_loadb, flags 0); the fields are checked with the gateway's rules
    (hr_validate); an accepted body is encoded with the gateway's real
    encoder (gw_req_record) and decoded with interactions-svc's real decoder
    (inter_record_decode), validated again by the service (inter_event_make)
    and cached (inter_event_encode / inter_event_decode).
    Invariants: what the gateway accepts the service accepts, unchanged; the
    cache element decodes to the same event.

    The gateway's own body walk (gw_interactions.c `record`) is static and
    tied to h2o requests, so its field rules are restated here from the
    spec; see the report for the pure function asked for.                  */
#define H2O_USE_LIBUV 0
#include <jansson.h>
#include "event.h"
#include "fuzz_util.h"
#include "gw_proto.h"
#include "hr_validate.h"
#include "../interactions-svc/protocol.h"

static int
string_field (json_t *obj, const char *name, const char **s, size_t *len)
{
    json_t *v = json_object_get (obj, name);
    if (!v || json_is_null (v))
        return 0;
    if (!json_is_string (v))
        return -1;
    *s = json_string_value (v);
    *len = json_string_length (v);
    return 1;
}

static void
through_service (const char *user, size_t ulen, uint8_t type, const char *value, size_t vlen)
{
    hr_writer_t w;
    hr_writer_init (&w);
    gw_req_record (&w, user, ulen, type, value, vlen);
    FUZZ_CHECK (!w.oom);
    hr_reader_t r;
    hr_reader_init (&r, w.data, w.len);
    size_t mlen;
    const char *method = hr_get_str (&r, &mlen);
    FUZZ_CHECK (method && mlen == strlen (INTER_METHOD_RECORD)
                && memcmp (method, INTER_METHOD_RECORD, mlen) == 0);
    inter_record_req_t req;
    FUZZ_CHECK (inter_record_decode (&r, &req) == 0);
    FUZZ_CHECK (req.user_id_len == ulen && memcmp (req.user_id, user, ulen) == 0);
    FUZZ_CHECK (req.type == type);
    FUZZ_CHECK (req.value_len == vlen && memcmp (req.value, value, vlen) == 0);

    hr_event_t ev;
    char err[256];
    int rc = inter_event_make (&ev, req.user_id, req.user_id_len, req.type, req.value,
                               req.value_len, err, sizeof err);
    if (rc != 0) {
        fprintf (stderr, "gateway accepted, service refused: %s\n", err);
        abort ();
    }
    FUZZ_CHECK (strlen (ev.user_id) == ulen && memcmp (ev.user_id, user, ulen) == 0);
    FUZZ_CHECK (strlen (ev.value) == vlen && memcmp (ev.value, value, vlen) == 0);
    ev.ts_ms = 1764140000123;
    char elem[INTER_CACHE_ELEM_MAX];
    size_t n = inter_event_encode (&ev, elem, sizeof elem);
    FUZZ_CHECK (n > 0 && n < sizeof elem);
    hr_event_t back;
    memset (&back, 0, sizeof back);
    FUZZ_CHECK (inter_event_decode (elem, n, &back) == 0);
    FUZZ_CHECK (back.type == ev.type && back.ts_ms == ev.ts_ms && strcmp (back.value, ev.value) == 0);
    hr_writer_free (&w);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet_logs ();
    json_error_t jerr;
    json_t *body = json_loadb ((const char *) data, size, 0, &jerr);
    if (!body)
        return 0;
    const char *user, *etype, *value;
    size_t ulen, elen, vlen;
    if (!json_is_object (body) || string_field (body, "user_id", &user, &ulen) <= 0
        || !hr_valid_user_id (user, ulen) || string_field (body, "event_type", &etype, &elen) <= 0)
        goto done;
    uint8_t type;
    if (elen == 13 && memcmp (etype, "product_click", 13) == 0)
        type = 1;
    else if (elen == 12 && memcmp (etype, "search_query", 12) == 0)
        type = 2;
    else
        goto done;
    if (string_field (body, type == 1 ? "product_id" : "query", &value, &vlen) <= 0)
        goto done;
    if (type == 1 && !hr_valid_product_id (value, vlen))
        goto done;
    if (type == 2 && hr_query_normalize (value, vlen, &value, &vlen) != HR_QUERY_OK)
        goto done;
    through_service (user, ulen, type, value, vlen);
done:
    json_decref (body);
    return 0;
}
