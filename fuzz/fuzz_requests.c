/*  fuzz_requests — service request bodies as the services decode them:
    content-svc's whole handler (content_handle: similar, search, for_user,
    analyze) over a state built from the real catalog sample without any
    database, and every request decoder of hr_proto (record, history,
    product, search, analyze, for_user, home, home_picks, trending, erase).
    The first byte picks the method; the rest is its argument bytes.
    Invariants: an OK reply of a list method is a well-formed scored list;
    an error reply carries a message; a decoded request re-encodes to the
    same arguments.                                                         */
#include <math.h>
#include "fuzz_catalog.h"
#include "hr_status.h"
#include "hr_validate.h"
#include "hr_proto.h"
#include "content-svc/content.h"

static content_state_t *s_state;
static const char *const s_methods[] = {
    HR_M_SIMILAR, HR_M_SEARCH, HR_M_FOR_USER, HR_M_ANALYZE, "no_such_method",
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

/*  Re-encodes what a decoder accepted and checks the arguments come back
    byte for byte (the encoder writes the method first: skip it).         */
static void
s_same_args (const hr_writer_t *w, const uint8_t *args, size_t len)
{
    hr_reader_t r;
    hr_reader_init (&r, w->data, w->len);
    size_t mlen;
    FUZZ_CHECK (hr_get_str (&r, &mlen) != NULL);
    FUZZ_CHECK ((size_t) (r.end - r.p) == len && memcmp (r.p, args, len) == 0);
}

static void
s_decoders (uint8_t pick, const uint8_t *args, size_t len)
{
    hr_reader_t r;
    hr_reader_init (&r, args, len);
    hr_writer_t w;
    hr_writer_init (&w);
    switch ((pick / 7) % 9) {
    case 0: {
        hr_proto_record_t q;
        if (hr_proto_record_get (&r, &q) == 0) {
            hr_proto_record_put (&w, &q);
            s_same_args (&w, args, len);
        }
        break;
    }
    case 1: {
        hr_proto_history_req_t q;
        if (hr_proto_history_req_get (&r, &q) == 0) {
            hr_proto_history_req_put (&w, &q);
            s_same_args (&w, args, len);
        }
        break;
    }
    case 2: {
        hr_proto_product_req_t q;
        if (hr_proto_product_req_get (&r, &q) == 0) {
            hr_proto_product_req_put (&w, HR_M_SIMILAR, &q);
            s_same_args (&w, args, len);
        }
        break;
    }
    case 3: {
        hr_proto_query_req_t q;
        if (hr_proto_search_get (&r, &q) == 0) {
            hr_proto_search_put (&w, &q);
            s_same_args (&w, args, len);
        }
        break;
    }
    case 4: {
        hr_proto_query_req_t q;
        if (hr_proto_analyze_get (&r, &q) == 0) {
            hr_proto_analyze_put (&w, q.query, q.len);
            s_same_args (&w, args, len);
        }
        break;
    }
    case 5: {
        hr_proto_for_user_t q;
        if (hr_proto_for_user_get (&r, &q) == 0) {
            FUZZ_CHECK (q.history.n <= HR_HISTORY_MAX);
            hr_proto_for_user_put (&w, q.history.raw, q.history.raw_len, q.limit);
            s_same_args (&w, args, len);
        }
        break;
    }
    case 6: {                   /* trending's home, then home_picks on the same bytes */
        hr_proto_home_req_t q;
        if (hr_proto_home_req_get (&r, &q) == 0) {
            hr_proto_home_req_put (&w, q.limit, q.seed, q.history.raw, q.history.raw_len);
            s_same_args (&w, args, len);
        }
        hr_proto_home_picks_req_t pq;
        hr_reader_init (&r, args, len);
        if (hr_proto_home_picks_req_get (&r, &pq) == 0) {
            FUZZ_CHECK (pq.history.n <= HR_HISTORY_MAX);
            hr_proto_home_picks_req_put (&w, pq.limit, pq.seed, pq.held, pq.history.raw,
                                         pq.history.raw_len);
            s_same_args (&w, args, len);
        }
        break;
    }
    case 7: {
        uint32_t limit;
        if (hr_proto_trending_get (&r, &limit) == 0) {
            hr_proto_trending_put (&w, limit);
            s_same_args (&w, args, len);
        }
        break;
    }
    default: {
        const char *user;
        size_t ulen;
        if (hr_proto_erase_get (&r, &user, &ulen) == 0) {
            hr_proto_erase_put (&w, user, ulen);
            s_same_args (&w, args, len);
        }
        break;
    }
    }
    hr_writer_free (&w);
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
    else
        s_decoders (data[0], args, len);
    free (args);
    return 0;
}
