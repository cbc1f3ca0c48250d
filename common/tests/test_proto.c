/*  hr_proto: one round trip per message, and the decoders refuse what a
    broken or hostile peer could send.                                      */
#include "hr_proto.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*  Reads the method a request encoder wrote; the reader is left at the
    arguments.  */
static void
s_method (hr_reader_t *r, const hr_writer_t *w, const char *want)
{
    ck_assert (!w->oom);
    hr_reader_init (r, w->data, w->len);
    size_t len;
    const char *m = hr_get_str (r, &len);
    ck_assert (m && hr_proto_method_is (m, len, want));
}

static const hr_event_t s_events[3] = {
    { .type = HR_EVENT_SEARCH, .value = "red shoes", .ts_ms = 30 },
    { .type = HR_EVENT_CLICK, .value = "B0ABCDEFGH", .ts_ms = 20 },
    { .type = HR_EVENT_CLICK, .value = "B01234567X", .ts_ms = -5 },
};

START_TEST (test_names)
{
    ck_assert_str_eq (hr_proto_service_name (HR_SVC_INTERACTIONS), "interactions");
    ck_assert_str_eq (hr_proto_service_name (HR_SVC_RULES), "rules");
    ck_assert_str_eq (hr_proto_service_name (HR_SVC_COUNT), "unknown");
    ck_assert_str_eq (hr_proto_models[0], HR_MODEL_CONTENT);
    ck_assert_ptr_null (hr_proto_models[HR_MODEL_COUNT]);
    ck_assert (hr_proto_method_is ("home", 4, HR_M_HOME));
    ck_assert (!hr_proto_method_is ("hom", 3, HR_M_HOME));
    ck_assert (hr_event_type_valid (HR_EVENT_CLICK) && !hr_event_type_valid (0)
               && hr_event_type_valid (HR_EVENT_PURCHASE) && !hr_event_type_valid (6)
               && !hr_event_type_valid (HR_EVENT_ERASE) && hr_event_is_product (HR_EVENT_VIEW)
               && !hr_event_is_product (HR_EVENT_SEARCH));
}
END_TEST

START_TEST (test_record)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_cstr (&w, "stale bytes, reset by the encoder");
    hr_proto_record_put (&w, &(hr_proto_record_t) { "bob", 3, HR_EVENT_CLICK, "B0ABCDEFGH", 10 });
    hr_reader_t r;
    s_method (&r, &w, HR_M_RECORD);
    hr_proto_record_t req;
    ck_assert_int_eq (hr_proto_record_get (&r, &req), 0);
    ck_assert (req.user_id_len == 3 && !memcmp (req.user_id, "bob", 3));
    ck_assert_uint_eq (req.type, HR_EVENT_CLICK);
    ck_assert (req.value_len == 10 && !memcmp (req.value, "B0ABCDEFGH", 10));
    //  truncated, and trailing bytes
    s_method (&r, &w, HR_M_RECORD);
    r.end--;
    ck_assert_int_eq (hr_proto_record_get (&r, &req), -1);
    hr_put_u8 (&w, 0);
    s_method (&r, &w, HR_M_RECORD);
    ck_assert_int_eq (hr_proto_record_get (&r, &req), -1);
    hr_writer_free (&w);
}
END_TEST

START_TEST (test_history_request)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_proto_history_req_put (&w, &(hr_proto_history_req_t) { "alice", 5, 30, 200 });
    hr_reader_t r;
    s_method (&r, &w, HR_M_HISTORY);
    hr_proto_history_req_t req;
    ck_assert_int_eq (hr_proto_history_req_get (&r, &req), 0);
    ck_assert (req.user_id_len == 5 && !memcmp (req.user_id, "alice", 5));
    ck_assert_uint_eq (req.days, 30);
    ck_assert_uint_eq (req.limit, 200);
    hr_writer_free (&w);
}
END_TEST

START_TEST (test_history_reply)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_proto_history_put (&w, s_events, 3);
    //  the view decoder
    hr_reader_t r;
    hr_reader_init (&r, w.data, w.len);
    hr_proto_history_t h;
    ck_assert_int_eq (hr_proto_history_get (&r, &h), 0);
    ck_assert (hr_reader_done (&r));
    ck_assert_uint_eq (h.n, 3);
    ck_assert (h.raw == w.data && h.raw_len == w.len);
    hr_proto_history_iter_t it;
    hr_proto_history_iter (&h, &it);
    hr_proto_event_t ev[4];
    uint32_t n = 0;
    while (n < 4 && hr_proto_history_next (&it, &ev[n]))
        n++;
    ck_assert_uint_eq (n, 3);
    for (uint32_t i = 0; i < 3; i++) {
        ck_assert_uint_eq (ev[i].type, s_events[i].type);
        ck_assert_uint_eq (ev[i].len, strlen (s_events[i].value));
        ck_assert (!memcmp (ev[i].value, s_events[i].value, ev[i].len));
        ck_assert_int_eq (ev[i].ts_ms, s_events[i].ts_ms);
    }
    //  views re-encode to the same bytes
    hr_writer_t again;
    hr_writer_init (&again);
    hr_proto_history_put_views (&again, ev, 3);
    ck_assert (again.len == w.len && !memcmp (again.data, w.data, w.len));
    hr_writer_free (&again);
    //  the owned copy
    hr_event_t out[3];
    ck_assert_int_eq (hr_proto_history_copy (w.data, w.len, out, 3, &n), 0);
    ck_assert_uint_eq (n, 3);
    ck_assert_str_eq (out[0].value, "red shoes");
    ck_assert_str_eq (out[2].value, "B01234567X");
    ck_assert_int_eq (out[2].ts_ms, -5);
    ck_assert_int_eq (hr_proto_history_copy (w.data, w.len, out, 2, &n), -1);    /* > max */
    ck_assert_int_eq (hr_proto_history_copy (w.data, w.len - 1, out, 3, &n), -1);
    //  the empty history
    ck_assert_int_eq (hr_proto_history_copy (hr_proto_empty_history, 4, out, 3, &n), 0);
    ck_assert_uint_eq (n, 0);
    hr_writer_free (&w);
}
END_TEST

START_TEST (test_history_refused)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_reader_t r;
    hr_proto_history_t h;
    //  an unknown event type
    hr_event_t bad = { .type = 9, .value = "x", .ts_ms = 1 };
    hr_proto_history_put (&w, &bad, 1);
    hr_reader_init (&r, w.data, w.len);
    ck_assert_int_eq (hr_proto_history_get (&r, &h), -1);
    ck_assert (!hr_reader_ok (&r));
    //  a count the bytes cannot hold
    hr_writer_reset (&w);
    hr_put_u32 (&w, 1000000);
    hr_reader_init (&r, w.data, w.len);
    ck_assert_int_eq (hr_proto_history_get (&r, &h), -1);
    //  more than HR_HISTORY_MAX events
    hr_writer_reset (&w);
    hr_put_u32 (&w, HR_HISTORY_MAX + 1);
    for (int i = 0; i < HR_HISTORY_MAX + 1; i++) {
        hr_put_u8 (&w, HR_EVENT_CLICK);
        hr_put_cstr (&w, "");
        hr_put_i64 (&w, i);
    }
    hr_reader_init (&r, w.data, w.len);
    ck_assert_int_eq (hr_proto_history_get (&r, &h), -1);
    hr_writer_free (&w);
}
END_TEST

START_TEST (test_product_search_analyze_trending)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_reader_t r;
    hr_proto_product_req_put (&w, HR_M_FOR_PRODUCT, &(hr_proto_product_req_t) { "B0ABCDEFGH", 10, 7 });
    s_method (&r, &w, HR_M_FOR_PRODUCT);
    hr_proto_product_req_t p;
    ck_assert_int_eq (hr_proto_product_req_get (&r, &p), 0);
    ck_assert (p.id_len == 10 && !memcmp (p.id, "B0ABCDEFGH", 10) && p.limit == 7);

    hr_proto_search_put (&w, &(hr_proto_query_req_t) { "red shoes", 9, 40 });
    s_method (&r, &w, HR_M_SEARCH);
    hr_proto_query_req_t q;
    ck_assert_int_eq (hr_proto_search_get (&r, &q), 0);
    ck_assert (q.len == 9 && !memcmp (q.query, "red shoes", 9) && q.limit == 40);

    hr_proto_analyze_put (&w, "shoes", 5);
    s_method (&r, &w, HR_M_ANALYZE);
    ck_assert_int_eq (hr_proto_analyze_get (&r, &q), 0);
    ck_assert (q.len == 5 && !memcmp (q.query, "shoes", 5));

    hr_proto_trending_put (&w, 123);
    s_method (&r, &w, HR_M_TRENDING);
    uint32_t limit;
    ck_assert_int_eq (hr_proto_trending_get (&r, &limit), 0);
    ck_assert_uint_eq (limit, 123);
    //  the analyze reply
    hr_writer_reset (&w);
    hr_put_cstr (&w, "{\"tokens\":[]}");
    const char *json;
    size_t jlen;
    ck_assert_int_eq (hr_proto_analyze_reply_decode (w.data, w.len, &json, &jlen), 0);
    ck_assert (jlen == 13 && !memcmp (json, "{\"tokens\":[]}", 13));
    hr_writer_free (&w);
}
END_TEST

START_TEST (test_for_user_and_home_requests)
{
    hr_writer_t hist, w;
    hr_writer_init (&hist);
    hr_writer_init (&w);
    hr_proto_history_put (&hist, s_events, 3);
    hr_reader_t r;

    hr_proto_for_user_put (&w, hist.data, hist.len, 50);
    s_method (&r, &w, HR_M_FOR_USER);
    hr_proto_for_user_t fu;
    ck_assert_int_eq (hr_proto_for_user_get (&r, &fu), 0);
    ck_assert_uint_eq (fu.history.n, 3);
    ck_assert_uint_eq (fu.limit, 50);
    ck_assert (fu.history.raw_len == hist.len && !memcmp (fu.history.raw, hist.data, hist.len));

    hr_proto_home_req_put (&w, 24, 0xFEEDull, hist.data, hist.len);
    s_method (&r, &w, HR_M_HOME);
    hr_proto_home_req_t home;
    ck_assert_int_eq (hr_proto_home_req_get (&r, &home), 0);
    ck_assert_uint_eq (home.limit, 24);
    ck_assert (home.seed == 0xFEEDull);
    ck_assert_uint_eq (home.history.n, 3);
    //  the empty history, and a truncated one
    hr_proto_home_req_put (&w, 1, 2, hr_proto_empty_history, 4);
    s_method (&r, &w, HR_M_HOME);
    ck_assert_int_eq (hr_proto_home_req_get (&r, &home), 0);
    ck_assert_uint_eq (home.history.n, 0);
    hr_proto_for_user_put (&w, hist.data, hist.len - 1, 50);
    s_method (&r, &w, HR_M_FOR_USER);
    ck_assert_int_eq (hr_proto_for_user_get (&r, &fu), -1);
    hr_writer_free (&hist);
    hr_writer_free (&w);
}
END_TEST

static hr_scored_t
s_item (const char *id, float score, uint8_t strategy, const char *source)
{
    hr_scored_t it = { .score = score, .strategy = strategy };
    memcpy (it.id, id, HR_PRODUCT_ID_LEN + 1);
    snprintf (it.source, sizeof it.source, "%s", source);
    return it;
}

START_TEST (test_list_replies)
{
    hr_scored_t a[2] = { s_item ("B0ABCDEFGH", 2.5f, HR_STRAT_CONTENT, "B01234567X"),
                         s_item ("B01234567X", 1.0f, HR_STRAT_CONTENT, "") };
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_scored_list (&w, a, 2);
    hr_proto_list_t one, two;
    ck_assert_int_eq (hr_proto_list_decode (w.data, w.len, &one), 0);
    ck_assert_uint_eq (one.n, 2);
    ck_assert_str_eq (one.items[0].source, "B01234567X");
    ck_assert (one.items[1].score == 1.0f);
    hr_proto_list_free (&one);
    ck_assert_int_eq (hr_proto_two_lists_decode (w.data, w.len, &one, &two), -1);
    ck_assert_ptr_null (one.items);
    hr_put_scored_list (&w, a, 1);
    ck_assert_int_eq (hr_proto_two_lists_decode (w.data, w.len, &one, &two), 0);
    ck_assert_uint_eq (one.n, 2);
    ck_assert_uint_eq (two.n, 1);
    hr_proto_list_free (&one);
    ck_assert_int_eq (hr_proto_list_decode (w.data, w.len, &one), -1);   /* trailing list */
    ck_assert_ptr_null (one.items);
    hr_proto_list_free (&two);
    hr_writer_free (&w);
}
END_TEST

START_TEST (test_home_reply)
{
    hr_scored_t t[2] = { s_item ("B0ABCDEFGH", 3, HR_STRAT_TRENDING, ""),
                         s_item ("B01234567X", 2, HR_STRAT_TRENDING, "") };
    hr_scored_t d[1] = { s_item ("B0ZZZZZZZZ", 1, HR_STRAT_DIVERSE, "Shoes") };
    hr_proto_category_t cats[2] = {
        { "Shoes", 5, { t, 2 } },
        { "Bags", 4, { NULL, 0 } },
    };
    hr_proto_home_t in = { .trending = { t, 2 }, .best_value = { t + 1, 1 }, .diverse = { d, 1 },
                           .categories = cats, .ncategories = 2 };
    hr_writer_t w;
    hr_writer_init (&w);
    hr_proto_home_put (&w, &in);
    hr_proto_home_t out;
    ck_assert_int_eq (hr_proto_home_decode (w.data, w.len, &out), 0);
    ck_assert_uint_eq (out.trending.n, 2);
    ck_assert_uint_eq (out.best_value.n, 1);
    ck_assert_str_eq (out.best_value.items[0].id, "B01234567X");
    ck_assert_uint_eq (out.ncategories, 2);
    ck_assert (out.categories[0].len == 5 && !memcmp (out.categories[0].name, "Shoes", 5));
    ck_assert_uint_eq (out.categories[0].list.n, 2);
    ck_assert_uint_eq (out.categories[1].list.n, 0);
    ck_assert_uint_eq (out.diverse.n, 1);
    ck_assert_str_eq (out.diverse.items[0].source, "Shoes");
    hr_proto_home_free (&out);
    //  every truncation is refused, and frees what it decoded
    for (size_t cut = 0; cut < w.len; cut++)
        ck_assert_int_eq (hr_proto_home_decode (w.data, cut, &out), -1);
    //  the split: what precedes the diverse picks is exactly the reply
    //  without them, and the picks decode from there on as one list
    size_t at = 0;
    ck_assert_int_eq (hr_proto_home_split (w.data, w.len, &at), 0);
    hr_proto_home_t head = in;
    head.diverse = (hr_proto_list_t) { NULL, 0 };
    hr_writer_t hw;
    hr_writer_init (&hw);
    hr_proto_home_put (&hw, &head);
    ck_assert_uint_eq (at, hw.len - 4);                 /* minus the empty list's count */
    ck_assert_int_eq (memcmp (w.data, hw.data, at), 0);
    hr_proto_list_t picks;
    ck_assert_int_eq (hr_proto_list_decode (w.data + at, w.len - at, &picks), 0);
    ck_assert_uint_eq (picks.n, 1);
    ck_assert_str_eq (picks.items[0].id, "B0ZZZZZZZZ");
    hr_proto_list_free (&picks);
    hr_writer_free (&hw);
    //  a truncated first part is refused, never over-read
    for (size_t cut = 0; cut < at; cut++)
        ck_assert_int_eq (hr_proto_home_split (w.data, cut, &at), -1);
    hr_writer_free (&w);
}
END_TEST

/*  diverse_pools: the request decodes as a limit; the reply, categories
    with their lists (an empty one kept in place), round-trips; every
    truncation and a trailing byte are refused (and free what they read). */
START_TEST (test_diverse_pools)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_proto_diverse_pools_put (&w, 77);
    hr_reader_t r;
    hr_reader_init (&r, w.data, w.len);
    size_t mlen;
    const char *m = hr_get_str (&r, &mlen);
    ck_assert (mlen == strlen (HR_M_DIVERSE_POOLS) && !memcmp (m, HR_M_DIVERSE_POOLS, mlen));
    hr_proto_req_t req;
    ck_assert_int_eq (hr_proto_req_get (HR_REQ_TRENDING, &r, &req, NULL), 0);
    ck_assert_uint_eq (req.limit, 77);
    hr_scored_t t[2] = { s_item ("B0ABCDEFGH", 3, HR_STRAT_DIVERSE, ""),
                         s_item ("B01234567X", 2, HR_STRAT_DIVERSE, "") };
    hr_writer_reset (&w);
    hr_put_u32 (&w, 3);
    hr_put_cstr (&w, "Bags");
    hr_put_scored_list (&w, NULL, 0);
    hr_put_cstr (&w, "Shoes");
    hr_put_scored_list (&w, t, 2);
    hr_put_cstr (&w, "Toys");
    hr_put_scored_list (&w, t + 1, 1);
    hr_proto_category_t *cats;
    uint32_t k;
    ck_assert_int_eq (hr_proto_pools_decode (w.data, w.len, &cats, &k), 0);
    ck_assert_uint_eq (k, 3);
    ck_assert (cats[1].len == 5 && !memcmp (cats[1].name, "Shoes", 5));
    ck_assert_uint_eq (cats[0].list.n, 0);
    ck_assert_uint_eq (cats[1].list.n, 2);
    ck_assert_str_eq (cats[1].list.items[1].id, "B01234567X");
    ck_assert_str_eq (cats[2].list.items[0].id, "B01234567X");
    hr_proto_pools_free (&cats, k);
    ck_assert_ptr_null (cats);
    for (size_t cut = 0; cut < w.len; cut++) {
        ck_assert_int_eq (hr_proto_pools_decode (w.data, cut, &cats, &k), -1);
        ck_assert_ptr_null (cats);
    }
    hr_put_u8 (&w, 0);
    ck_assert_int_eq (hr_proto_pools_decode (w.data, w.len, &cats, &k), -1);
    ck_assert_ptr_null (cats);
    hr_writer_free (&w);
}
END_TEST

/*  home_picks: the request round trip; a full reply is the prefix then a
    `home` reply; one without the first part is the prefix then the picks;
    the fingerprint is the first part's and never 0.                       */
START_TEST (test_home_picks)
{
    hr_writer_t hist, w;
    hr_writer_init (&hist);
    hr_writer_init (&w);
    hr_proto_history_put (&hist, s_events, 3);
    hr_reader_t r;
    hr_proto_home_picks_req_put (&w, 24, 0xFEEDull, 0xABCDEF0123456789ull, hist.data, hist.len);
    s_method (&r, &w, HR_M_HOME_PICKS);
    hr_proto_home_picks_req_t q;
    ck_assert_int_eq (hr_proto_home_picks_req_get (&r, &q), 0);
    ck_assert_uint_eq (q.limit, 24);
    ck_assert (q.seed == 0xFEEDull && q.held == 0xABCDEF0123456789ull);
    ck_assert_uint_eq (q.history.n, 3);
    hr_proto_home_picks_req_put (&w, 24, 1, 2, hist.data, hist.len - 1);
    s_method (&r, &w, HR_M_HOME_PICKS);
    ck_assert_int_eq (hr_proto_home_picks_req_get (&r, &q), -1);

    hr_scored_t t[2] = { s_item ("B0ABCDEFGH", 3, HR_STRAT_TRENDING, ""),
                         s_item ("B01234567X", 2, HR_STRAT_TRENDING, "") };
    hr_scored_t d[1] = { s_item ("B0ZZZZZZZZ", 1, HR_STRAT_DIVERSE, "Shoes") };
    hr_proto_category_t cats[1] = { { "Shoes", 5, { t, 2 } } };
    hr_proto_home_t in = { .trending = { t, 2 }, .best_value = { t + 1, 1 }, .diverse = { d, 1 },
                           .categories = cats, .ncategories = 1 };
    hr_writer_t home;
    hr_writer_init (&home);
    hr_proto_home_put (&home, &in);
    size_t at;
    ck_assert_int_eq (hr_proto_home_split (home.data, home.len, &at), 0);
    uint64_t fp = hr_proto_home_fingerprint (home.data, at);
    ck_assert (fp != 0 && fp != hr_proto_home_fingerprint (home.data, at - 1));

    hr_writer_reset (&w);
    hr_proto_home_picks_put (&w, true, 0, &in);
    hr_proto_home_picks_t p;
    ck_assert_int_eq (hr_proto_home_picks_split (w.data, w.len, &p), 0);
    ck_assert (p.full && p.fingerprint == fp);
    ck_assert_uint_eq (p.head, HR_PROTO_HOME_PICKS_PREFIX);
    ck_assert_uint_eq (p.head_len, at);
    ck_assert_uint_eq (w.len - HR_PROTO_HOME_PICKS_PREFIX, home.len);
    ck_assert (!memcmp (w.data + HR_PROTO_HOME_PICKS_PREFIX, home.data, home.len));
    for (size_t cut = 0; cut < p.picks; cut++)
        ck_assert_int_eq (hr_proto_home_picks_split (w.data, cut, &p), -1);

    hr_writer_reset (&w);
    hr_proto_home_picks_put (&w, false, fp, &in);
    ck_assert_int_eq (hr_proto_home_picks_split (w.data, w.len, &p), 0);
    ck_assert (!p.full && p.fingerprint == fp && p.head_len == 0);
    ck_assert_uint_eq (p.picks, HR_PROTO_HOME_PICKS_PREFIX);
    ck_assert_uint_eq (w.len - p.picks, home.len - at);
    ck_assert (!memcmp (w.data + p.picks, home.data + at, home.len - at));
    w.data[0] = 2;                                  /* neither full nor not */
    ck_assert_int_eq (hr_proto_home_picks_split (w.data, w.len, &p), -1);
    hr_writer_free (&home);
    hr_writer_free (&hist);
    hr_writer_free (&w);
}
END_TEST

/*  mmi.workers as the broker writes it (hr_broker.c answer_mmi): every
    entry read back; a truncated body is malformed, never over-read.       */
START_TEST (test_workers_listing)
{
    hr_writer_t w;
    hr_writer_init (&w);
    hr_put_u32 (&w, 2);
    hr_put_cstr (&w, "content");
    hr_put_u32 (&w, 3);
    hr_put_cstr (&w, "rules");
    hr_put_u32 (&w, 0);
    hr_proto_workers_iter_t it;
    const char *name;
    size_t len;
    uint32_t workers;
    hr_proto_workers_iter (&it, w.data, w.len);
    ck_assert (hr_proto_workers_next (&it, &name, &len, &workers));
    ck_assert (len == 7 && memcmp (name, "content", 7) == 0);
    ck_assert_uint_eq (workers, 3);
    ck_assert (hr_proto_workers_next (&it, &name, &len, &workers));
    ck_assert (len == 5 && memcmp (name, "rules", 5) == 0);
    ck_assert_uint_eq (workers, 0);
    ck_assert (!hr_proto_workers_next (&it, &name, &len, &workers));
    ck_assert (hr_proto_workers_ok (&it));
    for (size_t cut = 0; cut < w.len; cut++) {
        hr_proto_workers_iter (&it, w.data, cut);
        int n = 0;
        while (hr_proto_workers_next (&it, &name, &len, &workers))
            n++;
        ck_assert_int_lt (n, 2);
        ck_assert_msg (!hr_proto_workers_ok (&it), "cut at %zu read as whole", cut);
    }
    hr_writer_reset (&w);
    hr_put_u32 (&w, 0);
    hr_proto_workers_iter (&it, w.data, w.len);
    ck_assert (!hr_proto_workers_next (&it, &name, &len, &workers));
    ck_assert (hr_proto_workers_ok (&it));
    hr_writer_free (&w);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_proto");
    TCase *tc = tcase_create ("core");
    tcase_add_test (tc, test_names);
    tcase_add_test (tc, test_record);
    tcase_add_test (tc, test_history_request);
    tcase_add_test (tc, test_history_reply);
    tcase_add_test (tc, test_history_refused);
    tcase_add_test (tc, test_product_search_analyze_trending);
    tcase_add_test (tc, test_for_user_and_home_requests);
    tcase_add_test (tc, test_list_replies);
    tcase_add_test (tc, test_home_reply);
    tcase_add_test (tc, test_home_picks);
    tcase_add_test (tc, test_diverse_pools);
    tcase_add_test (tc, test_workers_listing);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
