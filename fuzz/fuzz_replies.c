/*  fuzz_replies — service replies as the gateway decodes them (gw_proto.h:
    gw_decode_one_list / two_lists / home / history) and as clients decode
    interactions' history reply (inter_history_reply_decode).  The first
    byte picks the decoder; the rest is the reply body.  Invariants: every
    decoded item has a valid product id and a finite score; history events
    are clicks or searches whose value lies inside the body.                */
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <math.h>
#include "fuzz_util.h"
#include "gw_proto.h"
#include "hr_validate.h"
#include "../interactions-svc/protocol.h"

static void
check_list (const gw_list_t *l)
{
    for (uint32_t i = 0; i < l->n; i++) {
        FUZZ_CHECK (hr_valid_product_id (l->items[i].id, strlen (l->items[i].id)));
        FUZZ_CHECK (isfinite (l->items[i].score));
    }
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
    h2o_mem_pool_t pool;
    h2o_mem_init_pool (&pool);
    switch (data[0] % 5) {
    case 0: {
        gw_list_t l;
        if (gw_decode_one_list (&pool, body, len, &l) == 0)
            check_list (&l);
        break;
    }
    case 1: {
        gw_list_t a, b;
        if (gw_decode_two_lists (&pool, body, len, &a, &b) == 0) {
            check_list (&a);
            check_list (&b);
        }
        break;
    }
    case 2: {
        gw_home_lists_t h;
        if (gw_decode_home (&pool, body, len, &h) == 0) {
            check_list (&h.trending);
            check_list (&h.best_value);
            check_list (&h.diverse);
            for (uint32_t i = 0; i < h.ncategories; i++) {
                FUZZ_CHECK ((const uint8_t *) h.categories[i].name >= body
                            && (const uint8_t *) h.categories[i].name + h.categories[i].len <= body + len);
                check_list (&h.categories[i].list);
            }
        }
        break;
    }
    case 3: {
        gw_history_t hist;
        if (gw_decode_history (&pool, body, len, &hist) == 0)
            for (uint32_t i = 0; i < hist.n; i++) {
                FUZZ_CHECK (hist.events[i].type == 1 || hist.events[i].type == 2);
                FUZZ_CHECK ((const uint8_t *) hist.events[i].value >= body
                            && (const uint8_t *) hist.events[i].value + hist.events[i].len <= body + len);
            }
        break;
    }
    default: {
        hr_event_t ev[16];
        uint32_t n = 0;
        if (inter_history_reply_decode (body, len, ev, 16, &n) == 0) {
            FUZZ_CHECK (n <= 16);
            for (uint32_t i = 0; i < n; i++) {
                /*  (no type check: this decoder passes unknown types on) */
                FUZZ_CHECK (memchr (ev[i].value, '\0', sizeof ev[i].value) != NULL);
            }
        }
        break;
    }
    }
    h2o_mem_clear_pool (&pool);
    free (body);
    return 0;
}
