/*  fuzz_requests — service request bodies as the services decode them:
    content-svc's whole handler (content_handle: similar, search, for_user,
    analyze) over a state built from the real catalog sample without any
    database, and interactions-svc's request decoders (record, history).
    The first byte picks the method; the rest is its argument bytes.
    Invariants: an OK reply of a list method is a well-formed scored list;
    an error reply carries a message.                                       */
#include <math.h>
#include "fuzz_catalog.h"
#include "hr_status.h"
#include "hr_validate.h"
#include "../content-svc/protocol.h"
#include "../interactions-svc/protocol.h"
#include "serve.h"

static content_state_t *s_state;
static const char *const s_methods[] = {
    CONTENT_M_SIMILAR, CONTENT_M_SEARCH, CONTENT_M_FOR_USER, CONTENT_M_ANALYZE, "no_such_method",
};

static void
check_lists (const hr_writer_t *w, int nlists)
{
    hr_reader_t r;
    hr_reader_init (&r, w->data, w->len);
    for (int i = 0; i < nlists; i++) {
        hr_scored_t *items;
        uint32_t n;
        FUZZ_CHECK (hr_get_scored_list (&r, &items, &n) == 0);
        free (items);
    }
    FUZZ_CHECK (hr_reader_done (&r));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet_logs ();
    if (!s_state) {
        s_state = content_state_new (fuzz_catalog_load (UINT32_MAX), NULL, NULL, NULL, 1);
        FUZZ_CHECK (s_state);
    }
    if (size < 1)
        return 0;
    size_t len = size - 1;
    uint8_t *args = malloc (len ? len : 1);
    memcpy (args, data + 1, len);
    unsigned m = data[0] % 7;
    if (m < 5) {
        hr_reader_t r;
        hr_reader_init (&r, args, len);
        hr_writer_t reply;
        hr_writer_init (&reply);
        char err[256] = "";
        hr_call_t call = { .request_id_hex = "00000000000000f2", .deadline_ms = INT64_MAX,
                           .errbuf = err, .errcap = sizeof err };
        int st = content_handle (s_state, s_methods[m], strlen (s_methods[m]), &r, &reply, &call);
        FUZZ_CHECK (st >= HR_OK && st <= HR_INTERNAL);
        if (st == HR_OK && m <= 1)
            check_lists (&reply, 1);
        else if (st == HR_OK && m == 2)
            check_lists (&reply, 2);
        else if (st != HR_OK)
            FUZZ_CHECK (err[0] != '\0' && memchr (err, '\0', sizeof err));
        FUZZ_CHECK (m != 4 || st != HR_OK);
        hr_writer_free (&reply);
    }
    else {
        hr_reader_t r;
        hr_reader_init (&r, args, len);
        if (m == 5) {
            inter_record_req_t req;
            if (inter_record_decode (&r, &req) == 0)
                FUZZ_CHECK (hr_reader_done (&r) && req.user_id && req.value);
        }
        else {
            inter_history_req_t req;
            if (inter_history_decode (&r, &req) == 0)
                FUZZ_CHECK (hr_reader_done (&r) && req.user_id);
        }
    }
    free (args);
    return 0;
}
