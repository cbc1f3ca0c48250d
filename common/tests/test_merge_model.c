/*  hr_merge_model: buckets, encode/decode round trip, rejection of bad
    blobs, and what apply does to hr_merge's sources.                      */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hr_merge_model.h"

static void
s_p (double *p, double first, double step)
{
    for (int b = 0; b < HR_MERGE_MODEL_BUCKETS; b++)
        p[b] = first > step * b ? first - step * b : 0;
}

static hr_merge_model_t *
s_model (void)
{
    hr_merge_model_t *m = hr_merge_model_new ();
    ck_assert_ptr_nonnull (m);
    double p[HR_MERGE_MODEL_BUCKETS];
    s_p (p, 0.3, 0.02);
    ck_assert_int_eq (hr_merge_model_set (m, "collab", 2, p), 0);
    s_p (p, 0.01, 0);
    ck_assert_int_eq (hr_merge_model_set (m, "content_clicked", 0.5, p), 0);
    return m;
}

START_TEST (test_buckets)
{
    ck_assert_int_eq (hr_merge_model_bucket (0), 0);
    ck_assert_int_eq (hr_merge_model_bucket (1), 0);
    ck_assert_int_eq (hr_merge_model_bucket (2), 1);
    ck_assert_int_eq (hr_merge_model_bucket (3), 2);
    ck_assert_int_eq (hr_merge_model_bucket (5), 3);
    ck_assert_int_eq (hr_merge_model_bucket (6), 4);
    ck_assert_int_eq (hr_merge_model_bucket (100), 9);
    ck_assert_int_eq (hr_merge_model_bucket (101), 10);
    ck_assert_int_eq (hr_merge_model_bucket (200), 10);
    ck_assert_int_eq (hr_merge_model_bucket (201), 11);
    ck_assert_int_eq (hr_merge_model_bucket (1000000), 11);
    for (int b = 0; b < HR_MERGE_MODEL_BUCKETS; b++)
        ck_assert_int_eq (hr_merge_model_bucket (hr_merge_model_bucket_first (b)), b);
}
END_TEST

START_TEST (test_round_trip)
{
    hr_merge_model_t *m = s_model ();
    size_t len = 0;
    void *blob = hr_merge_model_encode (m, &len);
    ck_assert_ptr_nonnull (blob);
    char err[160];
    hr_merge_model_t *d = hr_merge_model_decode (blob, len, err, sizeof err);
    ck_assert_msg (d != NULL, "%s", err);
    ck_assert_int_eq (hr_merge_model_count (d), 2);
    for (int i = 0; i < 2; i++) {
        ck_assert_str_eq (hr_merge_model_name (d, i), hr_merge_model_name (m, i));
        ck_assert_double_eq (hr_merge_model_weight (d, i), hr_merge_model_weight (m, i));
        for (int b = 0; b < HR_MERGE_MODEL_BUCKETS; b++)
            ck_assert_double_eq (hr_merge_model_p (d, i, b), hr_merge_model_p (m, i, b));
    }
    /*  and again: the same bytes  */
    size_t len2 = 0;
    void *blob2 = hr_merge_model_encode (d, &len2);
    ck_assert_uint_eq (len2, len);
    ck_assert_mem_eq (blob2, blob, len);
    free (blob2);
    hr_merge_model_destroy (&d);
    ck_assert_ptr_null (d);

    /*  every truncation is rejected, never read past  */
    for (size_t cut = 0; cut < len; cut++) {
        void *part = malloc (cut ? cut : 1);
        memcpy (part, blob, cut);
        ck_assert_ptr_null (hr_merge_model_decode (part, cut, err, sizeof err));
        free (part);
    }
    /*  trailing bytes too  */
    unsigned char *longer = malloc (len + 1);
    memcpy (longer, blob, len);
    longer[len] = 0;
    ck_assert_ptr_null (hr_merge_model_decode (longer, len + 1, err, sizeof err));
    ck_assert_ptr_nonnull (strstr (err, "trailing"));
    free (longer);
    free (blob);
    hr_merge_model_destroy (&m);
}
END_TEST

/*  Changes one f64 of a valid blob (the k-th after the header).  */
static unsigned char *
s_blob_with (double v, size_t *len)
{
    hr_merge_model_t *m = hr_merge_model_new ();
    double p[HR_MERGE_MODEL_BUCKETS];
    s_p (p, 0.2, 0.01);
    ck_assert_int_eq (hr_merge_model_set (m, "rules", 1, p), 0);
    unsigned char *blob = hr_merge_model_encode (m, len);
    hr_merge_model_destroy (&m);
    /*  magic 4, format 4, buckets 4, n 4, name (u32 len + 5), weight 8, p0 8 */
    size_t at = 4 + 4 + 4 + 4 + 4 + 5 + 8;
    memcpy (blob + at, &v, sizeof v);
    return blob;
}

START_TEST (test_rejects_bad_values)
{
    char err[160];
    const double bad[] = { NAN, INFINITY, -0.1, 1.5 };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t len;
        unsigned char *blob = s_blob_with (bad[i], &len);
        ck_assert_ptr_null (hr_merge_model_decode (blob, len, err, sizeof err));
        free (blob);
    }
    size_t len;
    unsigned char *blob = s_blob_with (0.5, &len);      /* the control: valid */
    hr_merge_model_t *m = hr_merge_model_decode (blob, len, err, sizeof err);
    ck_assert_ptr_nonnull (m);
    ck_assert_double_eq (hr_merge_model_p (m, 0, 0), 0.5);
    hr_merge_model_destroy (&m);
    blob[0] = 'X';
    ck_assert_ptr_null (hr_merge_model_decode (blob, len, err, sizeof err));
    free (blob);
    ck_assert_ptr_null (hr_merge_model_decode (NULL, 0, err, sizeof err));

    m = hr_merge_model_new ();
    double p[HR_MERGE_MODEL_BUCKETS] = { 0 };
    ck_assert_int_eq (hr_merge_model_set (m, "Bad Name", 1, p), -1);
    ck_assert_int_eq (hr_merge_model_set (m, "", 1, p), -1);
    ck_assert_int_eq (hr_merge_model_set (m, "ok", -1, p), -1);
    ck_assert_int_eq (hr_merge_model_set (m, "ok", 1, p), 0);
    ck_assert_int_eq (hr_merge_model_set (m, "ok", 3, p), 0);         /* replaces */
    ck_assert_int_eq (hr_merge_model_count (m), 1);
    ck_assert_double_eq (hr_merge_model_weight (m, 0), 3);
    hr_merge_model_destroy (&m);
}
END_TEST

static hr_scored_t
s_item (const char *id, float score)
{
    hr_scored_t it;
    memset (&it, 0, sizeof it);
    memcpy (it.id, id, HR_PRODUCT_ID_LEN);
    it.score = score;
    return it;
}

/*  A flat list's items all rank last: with a calibration they are worth
    the last buckets' rate; a ranked source's top item wins.               */
START_TEST (test_apply_calibrates_the_merge)
{
    hr_merge_model_t *m = s_model ();
    hr_scored_t flat[30], ranked[3];
    char id[16];
    for (int i = 0; i < 30; i++) {
        snprintf (id, sizeof id, "F%09d", i);
        flat[i] = s_item (id, 1.0f);
    }
    for (int i = 0; i < 3; i++) {
        snprintf (id, sizeof id, "R%09d", i);
        ranked[i] = s_item (id, 3.0f - (float) i);
    }
    hr_merge_source_t src[] = {
        { flat, 30, 0.5, "clicked", NULL, 0 },
        { ranked, 3, 0.5, "clicked", NULL, 0 },
        { ranked, 3, 0.1, "diverse", NULL, 0 },
    };
    const char *names[] = { "content_clicked", "collab", "unknown" };
    hr_merge_model_apply (m, names, src, 3);
    ck_assert_double_eq_tol (src[0].weight, 0.25, 1e-12);     /* 0.5 x sub-weight 0.5 */
    ck_assert_double_eq_tol (src[1].weight, 1.0, 1e-12);      /* 0.5 x 2 */
    ck_assert_double_eq_tol (src[2].weight, 0.1, 1e-12);      /* not in the model: x 1 */
    ck_assert_float_eq_tol (src[1].rank_value[0], 0.3f, 1e-6);
    ck_assert_float_eq_tol (src[1].rank_value[1], 0.28f, 1e-6);
    ck_assert_float_eq_tol (src[2].rank_value[0], (0.3f + 0.01f) / 2, 1e-6);   /* the mean */
    hr_merged_t out[5];
    int n = hr_merge_ex (src, 3, NULL, 0, 5, HR_MERGE_BY_RANK, out);
    ck_assert_int_eq (n, 5);
    ck_assert_str_eq (out[0].item.id, "R000000000");
    ck_assert_double_eq_tol (out[0].item.score, 1.0 * 0.3 + 0.1 * 0.155, 1e-6);
    ck_assert_double_eq_tol (out[0].parts[1], 0.3, 1e-6);
    ck_assert_str_eq (out[2].item.id, "R000000002");
    ck_assert_str_eq (out[3].item.id, "F000000000");
    /*  every flat item at rank 30 (bucket 22-34): 0.25 x 0.01  */
    ck_assert_double_eq_tol (out[3].item.score, 0.25 * 0.01, 1e-7);
    hr_merge_model_destroy (&m);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("hr_merge_model");
    TCase *tc = tcase_create ("core");
    tcase_add_test (tc, test_buckets);
    tcase_add_test (tc, test_round_trip);
    tcase_add_test (tc, test_rejects_bad_values);
    tcase_add_test (tc, test_apply_calibrates_the_merge);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
