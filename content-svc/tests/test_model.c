/*  The model on a tiny hand-made catalog: TF-IDF neighbours, near-duplicate
    collapse, blob round trip, malformed blobs, and the search index.       */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"
#include "search.h"
#include "synonyms.h"
#include "train.h"

static hr_catalog_t *
tiny_catalog (void)
{
    static const char *rows[][4] = {
        { "AAAAAAAAA1", "Red Cotton Shirt", "clothing", "Shirts" },
        { "AAAAAAAAA2", "Blue Cotton Shirt", "clothing", "Shirts" },
        { "AAAAAAAAA3", "RED cotton shirt!", "clothing", "Shirts" },  /* duplicate of 1 */
        { "AAAAAAAAA4", "Steel Water Bottle", "kitchen", "Bottles" },
        { "AAAAAAAAA5", "Steel Lunch Box", "kitchen", "Bottles" },
        { "AAAAAAAAA6", "boAt Wireless Earphones with Mic", "electronics", "Headphones" },
        { "AAAAAAAAA7", "Samsung 183 L Refrigerator", "appliances", "Refrigerators" },
        { "AAAAAAAAA8", "Café Crème Coffee Mug", "kitchen", "Mugs" },
        { "AAAAAAAAA9", "Sony Wired Headphones", "electronics", "Headphones" },
    };
    hr_catalog_t *c = hr_catalog_new ();
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        hr_product_t p = { .name = rows[i][1], .main_category = rows[i][2],
                           .sub_category = rows[i][3], .rating = NAN, .price = NAN,
                           .original_price = NAN, .discount_ratio = NAN };
        memcpy (p.id, rows[i][0], 11);
        ck_assert_int_eq (hr_catalog_add (c, &p), 0);
    }
    hr_catalog_freeze (c);
    return c;
}

static content_model_t *
train (hr_catalog_t *c, float dup)
{
    content_train_opts_t o;
    content_train_opts_default (&o);
    o.nb.k = 5;
    o.nb.candidates = 8;
    o.nb.dup_cosine = dup;
    o.lsa.dim = 4;
    content_model_t *m = NULL;
    content_train_stats_t st;
    ck_assert_int_eq (content_train_build (c, 7, &o, &m, &st), 0);
    ck_assert_uint_eq (st.products, 9);
    return m;
}

static bool
has (const content_model_t *m, uint32_t i, uint32_t j, float *score)
{
    for (uint32_t k = 0; k < m->nb.count[i]; k++)
        if (m->nb.idx[i * m->nb.k + k] == j) {
            if (score)
                *score = m->nb.score[i * m->nb.k + k];
            return true;
        }
    return false;
}

START_TEST (test_neighbours_hand_checked)
{
    hr_catalog_t *c = tiny_catalog ();
    content_model_t *m = train (c, 2.0f);       /* no collapsing */
    /*  Red shirt: its duplicate (cosine 1), then the blue shirt; nothing
        from the kitchen (no shared term).                                  */
    ck_assert (m->nb.count[0] >= 2);
    ck_assert_uint_eq (m->nb.idx[0 * m->nb.k + 0], 2);
    ck_assert_float_eq_tol (m->nb.score[0], 1.0f, 1e-4f);
    ck_assert_uint_eq (m->nb.idx[0 * m->nb.k + 1], 1);
    ck_assert (!has (m, 0, 3, NULL) && !has (m, 0, 4, NULL));
    for (uint32_t i = 0; i < m->n; i++)
        ck_assert (!has (m, i, i, NULL));           /* never itself */
    float ab, ba;
    ck_assert (has (m, 0, 1, &ab) && has (m, 1, 0, &ba));
    ck_assert_float_eq_tol (ab, ba, 1e-4f);         /* cosine is symmetric */
    ck_assert (ab > 0.2f && ab < 0.95f);
    ck_assert (has (m, 3, 4, NULL));                /* steel bottle ~ steel box */
    ck_assert (has (m, 5, 8, NULL));                /* earphones ~ headphones (category) */
    content_model_destroy (&m);

    m = train (c, 0.95f);                           /* collapsing on */
    ck_assert_uint_eq (m->nb.idx[0], 1);            /* the duplicate is gone */
    ck_assert (!has (m, 0, 2, NULL));
    ck_assert (!(has (m, 1, 0, NULL) && has (m, 1, 2, NULL)));  /* not both copies */
    content_model_destroy (&m);
    hr_catalog_destroy (&c);
}
END_TEST

START_TEST (test_blob_round_trip_and_garbage)
{
    hr_catalog_t *c = tiny_catalog ();
    content_model_t *m = train (c, 0.95f);
    hr_writer_t w;
    hr_writer_init (&w);
    content_model_encode (m, &w);
    char err[160];
    content_model_t *d = content_model_decode (w.data, w.len, err, sizeof err);
    ck_assert_msg (d != NULL, "%s", err);
    ck_assert_int_eq (d->catalog_version, 7);
    ck_assert_uint_eq (d->n, m->n);
    ck_assert_uint_eq (d->dim, m->dim);
    ck_assert_uint_eq (content_vocab_size (d->vocab), content_vocab_size (m->vocab));
    for (uint32_t i = 0; i < m->n; i++) {
        ck_assert_uint_eq (d->nb.count[i], m->nb.count[i]);
        for (uint32_t k = 0; k < m->nb.count[i]; k++) {
            ck_assert_uint_eq (d->nb.idx[i * d->nb.k + k], m->nb.idx[i * m->nb.k + k]);
            ck_assert_float_eq_tol (d->nb.score[i * d->nb.k + k], m->nb.score[i * m->nb.k + k], 1e-4f);
        }
    }
    content_model_destroy (&d);
    /*  every truncation and a flipped magic are refused, never a crash     */
    for (size_t len = 0; len < w.len; len += 1 + len / 7) {
        d = content_model_decode (w.data, len, err, sizeof err);
        ck_assert_ptr_null (d);
    }
    w.data[0] = 'X';
    ck_assert_ptr_null (content_model_decode (w.data, w.len, err, sizeof err));
    ck_assert (strstr (err, "magic"));
    hr_writer_free (&w);
    content_model_destroy (&m);
    hr_catalog_destroy (&c);
}
END_TEST

static content_search_t *
index_for (hr_catalog_t *c, const content_model_t *m, content_synonyms_t **syn)
{
    content_analyzer_t *an = content_analyzer_new ();
    *syn = content_synonyms_new ();
    const char *rules = "earbuds, earphones\nfridge, refrigerator\nac => air conditioner\n";
    ck_assert_int_eq (content_synonyms_parse (*syn, an, rules, strlen (rules), NULL), 3);
    content_analyzer_destroy (&an);
    content_fields_t f = CONTENT_FIELDS_DEFAULT;
    content_docterms_t *dt = content_docterms_build (c, &f, 1, NULL, NULL);
    content_search_opts_t so = CONTENT_SEARCH_OPTS_DEFAULT;
    content_search_t *s = content_search_new (c, dt, *syn, m, &so, 2);
    ck_assert_ptr_nonnull (s);
    return s;
}

static uint32_t
first_hit (content_search_t *s, const char *q, uint32_t *n)
{
    content_search_session_t *x = content_search_session_take (s);
    const content_hit_t *h;
    *n = content_search_query (s, x, q, strlen (q), 10, &h);
    uint32_t first = *n ? h[0].doc : UINT32_MAX;
    content_search_session_give (s, &x);
    return first;
}

START_TEST (test_search_in_process)
{
    hr_catalog_t *c = tiny_catalog ();
    content_model_t *m = train (c, 0.95f);
    content_synonyms_t *syn;
    content_search_t *s = index_for (c, m, &syn);
    uint32_t n;
    ck_assert_uint_eq (first_hit (s, "earbuds", &n), 5);          /* synonym */
    ck_assert_uint_eq (first_hit (s, "fridge", &n), 6);
    ck_assert_uint_eq (first_hit (s, "samsng refrigeratr", &n), 6); /* typos */
    ck_assert_uint_eq (first_hit (s, "headphnes", &n), 8);
    ck_assert_uint_eq (first_hit (s, "steel bottle", &n), 3);     /* multi-word: both words first */
    ck_assert_uint_eq (first_hit (s, "CAFÉ CREME", &n), 7);       /* Unicode */
    ck_assert_uint_eq (first_hit (s, "cafe", &n), 7);
    first_hit (s, "the and of", &n);
    ck_assert_uint_eq (n, 0);                                     /* only stop words */
    first_hit (s, "zzqxv", &n);
    ck_assert_uint_eq (n, 0);                                     /* nothing matches */
    char big[256];
    memset (big, 'a', 255);
    big[255] = '\0';
    for (int i = 5; i < 255; i += 6)
        big[i] = ' ';
    first_hit (s, big, &n);                                       /* 255 bytes, ~42 words */
    content_search_session_t *x = content_search_session_take (s);
    char *json = content_search_explain (s, x, "samsng earbuds", 14);
    content_search_session_give (s, &x);
    ck_assert_ptr_nonnull (json);
    ck_assert_msg (strstr (json, "\"correction\":\"samsung\"") && strstr (json, "earphon"), "%s", json);
    free (json);
    content_search_destroy (&s);
    content_synonyms_destroy (&syn);
    content_model_destroy (&m);
    hr_catalog_destroy (&c);
}
END_TEST

/*  Issue 20's click-trained layer end to end: training learns from
    search→click events, the blob carries it, an index built from the
    decoded model uses it; a format 1 blob (before it) is still read.      */
START_TEST (test_learned_in_the_blob)
{
    hr_catalog_t *c = tiny_catalog ();
    content_train_opts_t o;
    content_train_opts_default (&o);
    o.nb.k = 5;
    o.nb.candidates = 8;
    o.lsa.dim = 4;
    const content_event_t ev[] = {
        { "a", "sipper", NULL, 1000 }, { "a", NULL, "AAAAAAAAA4", 2000 },
        { "b", "sipper", NULL, 1000 }, { "b", NULL, "AAAAAAAAA4", 5000 },
    };
    o.events = ev;
    o.nevents = sizeof ev / sizeof *ev;
    content_model_t *m = NULL;
    content_train_stats_t st;
    ck_assert_int_eq (content_train_build (c, 7, &o, &m, &st), 0);
    ck_assert_uint_eq (st.learned_rules, 1);
    ck_assert_uint_eq (st.learned_boosts, 1);
    ck_assert_str_eq (m->learned.rules, "sipper => bottle\n");
    hr_writer_t w;
    hr_writer_init (&w);
    content_model_encode (m, &w);
    char err[160];
    content_model_t *d = content_model_decode (w.data, w.len, err, sizeof err);
    ck_assert_msg (d != NULL, "%s", err);
    ck_assert_str_eq (d->learned.rules, "sipper => bottle\n");
    ck_assert_uint_eq (d->learned.nboosts, 1);
    ck_assert_str_eq (d->learned.boosts[0].query, "sipper");
    ck_assert_str_eq (d->learned.boosts[0].id, "AAAAAAAAA4");
    ck_assert_uint_eq (d->learned.boosts[0].users, 2);
    for (size_t len = 0; len < w.len; len += 1 + len / 7)
        ck_assert_ptr_null (content_model_decode (w.data, len, err, sizeof err));
    content_synonyms_t *syn;
    content_search_t *s = index_for (c, d, &syn);
    uint32_t n;
    ck_assert_uint_eq (first_hit (s, "sipper", &n), 3);
    content_search_destroy (&s);
    content_synonyms_destroy (&syn);
    /*  a model without learnt data: the word finds nothing               */
    content_model_t *plain = train (c, 0.95f);
    s = index_for (c, plain, &syn);
    first_hit (s, "sipper", &n);
    ck_assert_uint_eq (n, 0);
    content_search_destroy (&s);
    content_synonyms_destroy (&syn);
    /*  format 1 (no learnt section) is still read                          */
    hr_writer_t w1;
    hr_writer_init (&w1);
    content_model_encode (plain, &w1);
    w1.len -= 4 + 4;                        /* empty rules, zero boosts */
    w1.data[4] = 1;
    content_model_t *old = content_model_decode (w1.data, w1.len, err, sizeof err);
    ck_assert_msg (old != NULL, "%s", err);
    ck_assert_uint_eq (old->learned.nboosts, 0);
    content_model_destroy (&old);
    hr_writer_free (&w1);
    hr_writer_free (&w);
    content_model_destroy (&plain);
    content_model_destroy (&d);
    content_model_destroy (&m);
    hr_catalog_destroy (&c);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("content_model");
    TCase *tc = tcase_create ("model");
    tcase_add_test (tc, test_neighbours_hand_checked);
    tcase_add_test (tc, test_blob_round_trip_and_garbage);
    tcase_add_test (tc, test_search_in_process);
    tcase_add_test (tc, test_learned_in_the_blob);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
