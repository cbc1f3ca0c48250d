/*  fuzz_json_body — POST /api/v1/interactions/interactions bodies through
    the real code on both sides: the gateway's body check (gw_record_parse,
    the function the endpoint calls), its encoder (hr_proto_record_put via
    gw_req_record), the service's decoder (hr_proto_record_get) and the
    service's own validation of the event (the accept rule both share,
    hr_validate).
    Invariants: what the plain fast path (gw_record_parse_plain) accepts,
    jansson's path accepts with the same fields; what the gateway accepts decodes to the same event and
    passes the service's checks; a refused body has an HTTP error status
    and a detail.                                                           */
#define H2O_USE_LIBUV 0
#include "fuzz_util.h"
#include "gw_interactions.h"
#include "gw_proto.h"
#include "hr_proto.h"
#include "hr_validate.h"

static void
s_through_service (const gw_record_t *ev)
{
    hr_writer_t w;
    hr_writer_init (&w);
    gw_req_record (&w, ev->user, ev->ulen, ev->type, ev->value, ev->vlen);
    FUZZ_CHECK (!w.oom);
    hr_reader_t r;
    hr_reader_init (&r, w.data, w.len);
    size_t mlen;
    const char *method = hr_get_str (&r, &mlen);
    FUZZ_CHECK (method && hr_proto_method_is (method, mlen, HR_M_RECORD));
    hr_proto_record_t req;
    FUZZ_CHECK (hr_proto_record_get (&r, &req) == 0);
    FUZZ_CHECK (req.user_id_len == ev->ulen && memcmp (req.user_id, ev->user, ev->ulen) == 0);
    FUZZ_CHECK (req.type == ev->type && hr_event_type_valid (req.type));
    FUZZ_CHECK (req.value_len == ev->vlen && memcmp (req.value, ev->value, ev->vlen) == 0);
    FUZZ_CHECK (hr_valid_user_id (req.user_id, req.user_id_len));
    if (req.type == HR_EVENT_CLICK)
        FUZZ_CHECK (hr_valid_product_id (req.value, req.value_len));
    else {
        const char *q;
        size_t qlen;
        FUZZ_CHECK (hr_query_normalize (req.value, req.value_len, &q, &qlen) == HR_QUERY_OK);
        FUZZ_CHECK (q == req.value && qlen == req.value_len);    /* already normalised */
    }
    hr_writer_free (&w);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet_logs ();
    gw_record_t ev;
    gw_reject_t why;
    gw_record_t plain;
    bool fast = gw_record_parse_plain (data, size, &plain);
    json_t *body = gw_record_parse (data, size, &ev, &why);
    //  The fast path accepts only what jansson's path accepts, identically
    if (fast) {
        FUZZ_CHECK (body);
        FUZZ_CHECK (plain.ulen == ev.ulen && memcmp (plain.user, ev.user, ev.ulen) == 0);
        FUZZ_CHECK (plain.type == ev.type);
        FUZZ_CHECK (plain.vlen == ev.vlen && memcmp (plain.value, ev.value, ev.vlen) == 0);
    }
    if (!body) {
        FUZZ_CHECK (why.status == 400 || why.status == 422);
        FUZZ_CHECK (why.error && why.error[0] && memchr (why.detail, '\0', sizeof why.detail));
        return 0;
    }
    s_through_service (&ev);
    json_decref (body);
    return 0;
}
