/*  fuzz_replies — service replies through hr_proto's decoders, the ones
    the gateway (gw_proto.c), the CLI and the tests use: one list, two
    lists, the trending home, home_picks and diverse_pools replies, a history (views and owned copies), the
    analyze reply.  The first byte picks the decoder; the rest is the body.
    Invariants: every decoded item has a valid product id and a finite
    score; history events are clicks or searches whose value lies inside
    the body; a decoded message re-encodes to the same bytes.               */
#include <math.h>
#include "fuzz_util.h"
#include "hr_proto.h"
#include "hr_validate.h"

static void
s_check_list (const hr_proto_list_t *l)
{
    for (uint32_t i = 0; i < l->n; i++) {
        FUZZ_CHECK (hr_valid_product_id (l->items[i].id, strlen (l->items[i].id)));
        FUZZ_CHECK (isfinite (l->items[i].score));
    }
}

static bool
s_inside (const void *p, size_t n, const uint8_t *body, size_t len)
{
    return (const uint8_t *) p >= body && (const uint8_t *) p + n <= body + len;
}

static void
s_home (const uint8_t *body, size_t len)
{
    hr_proto_home_t h;
    if (hr_proto_home_decode (body, len, &h) != 0)
        return;
    s_check_list (&h.trending);
    s_check_list (&h.best_value);
    s_check_list (&h.diverse);
    for (uint32_t i = 0; i < h.ncategories; i++) {
        FUZZ_CHECK (s_inside (h.categories[i].name, h.categories[i].len, body, len));
        s_check_list (&h.categories[i].list);
    }
    hr_writer_t w;
    hr_writer_init (&w);
    hr_proto_home_put (&w, &h);
    hr_proto_home_t again;
    FUZZ_CHECK (hr_proto_home_decode (w.data, w.len, &again) == 0);
    FUZZ_CHECK (again.ncategories == h.ncategories && again.diverse.n == h.diverse.n);
    hr_proto_home_free (&again);
    hr_writer_free (&w);
    hr_proto_home_free (&h);
}

/*  home_picks: split, then the picks (and a full reply's home part) decode;
    a full reply's home part decodes only when its picks do, and its
    fingerprint is never 0 when recomputed.                                */
static void
s_home_picks (const uint8_t *body, size_t len)
{
    hr_proto_home_picks_t p;
    if (hr_proto_home_picks_split (body, len, &p) != 0)
        return;
    FUZZ_CHECK (p.picks <= len && p.head + p.head_len == p.picks);
    FUZZ_CHECK (p.full || p.head_len == 0);
    hr_proto_list_t picks;
    int picks_ok = hr_proto_list_decode (body + p.picks, len - p.picks, &picks);
    if (picks_ok == 0)
        s_check_list (&picks);
    hr_proto_list_free (&picks);
    if (p.full) {
        hr_proto_home_t h;
        /*  the split only walks the first part; the decoder also checks
            its ids: a full reply that decodes has picks that decode      */
        FUZZ_CHECK (hr_proto_home_decode (body + p.head, len - p.head, &h) != 0 || picks_ok == 0);
        hr_proto_home_free (&h);
        FUZZ_CHECK (hr_proto_home_fingerprint (body + p.head, p.head_len) != 0);
    }
}

static void
s_history (const uint8_t *body, size_t len)
{
    hr_reader_t r;
    hr_reader_init (&r, body, len);
    hr_proto_history_t h;
    if (hr_proto_history_get (&r, &h) != 0)
        return;
    FUZZ_CHECK (h.n <= HR_HISTORY_MAX && s_inside (h.raw, h.raw_len, body, len));
    hr_proto_history_iter_t it;
    hr_proto_history_iter (&h, &it);
    hr_proto_event_t ev;
    uint32_t n = 0;
    while (hr_proto_history_next (&it, &ev)) {
        FUZZ_CHECK (hr_event_type_valid (ev.type));
        FUZZ_CHECK (s_inside (ev.value, ev.len, body, len));
        n++;
    }
    FUZZ_CHECK (n == h.n);
    hr_event_t copy[16];
    uint32_t nc = 0;
    if (hr_reader_done (&r) && hr_proto_history_copy (body, len, copy, 16, &nc) == 0)
        for (uint32_t i = 0; i < nc; i++)
            FUZZ_CHECK (memchr (copy[i].value, '\0', sizeof copy[i].value) != NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet_logs ();
    if (size < 1)
        return 0;
    size_t len = size - 1;
    uint8_t *body = malloc (len ? len : 1);
    memcpy (body, data + 1, len);
    switch (data[0] % 6) {
    case 0: {                   /* the full decoder, and the in-place ids reader agreeing */
        hr_proto_list_t l;
        int full = hr_proto_list_decode (body, len, &l);
        if (full == 0)
            s_check_list (&l);
        uint32_t cap = hr_proto_list_count (body, len), n = 0;
        const char **ids = malloc ((cap ? cap : 1) * sizeof *ids);
        FUZZ_CHECK (hr_proto_list_ids_decode (body, len, ids, cap, &n) == full);
        FUZZ_CHECK (full != 0 || n == l.n);
        for (uint32_t i = 0; full == 0 && i < n; i++)
            FUZZ_CHECK (memcmp (ids[i], l.items[i].id, HR_PRODUCT_ID_LEN) == 0);
        free (ids);
        hr_proto_list_free (&l);
        break;
    }
    case 1: {
        hr_proto_list_t a, b;
        if (hr_proto_two_lists_decode (body, len, &a, &b) == 0) {
            s_check_list (&a);
            s_check_list (&b);
        }
        hr_proto_list_free (&a);
        hr_proto_list_free (&b);
        break;
    }
    case 2: {                   /* trending's home, home_picks and diverse_pools on the same bytes */
        s_home (body, len);
        s_home_picks (body, len);
        hr_proto_category_t *cats;
        uint32_t k;
        if (hr_proto_pools_decode (body, len, &cats, &k) == 0)
            for (uint32_t c = 0; c < k; c++) {
                FUZZ_CHECK (s_inside (cats[c].name, cats[c].len, body, len));
                s_check_list (&cats[c].list);
            }
        else
            FUZZ_CHECK (cats == NULL);
        hr_proto_pools_free (&cats, k);
        break;
    }
    case 3:
        s_history (body, len);
        break;
    case 4: {
        hr_proto_erase_reply_t e;
        FUZZ_CHECK (hr_proto_erase_reply_decode (body, len, &e) == 0 ? len == 16 : true);
        break;
    }
    default: {
        const char *json;
        size_t jlen;
        if (hr_proto_analyze_reply_decode (body, len, &json, &jlen) == 0)
            FUZZ_CHECK (s_inside (json, jlen, body, len));
        break;
    }
    }
    free (body);
    return 0;
}
