/*  eval_learned_fit's replay shapes on a generated log of customers, each
    two visits of four clicks two hours apart (issue 15):
    - by default the newest tenth of the sessions (30 customers) is cut
      into visits (idle gaps over 30 min): 60 sessions replayed;
    - not cut (visit_gap_ms 0), the 30 customers replay as they are;
    - with two folds the tail before the newest one is replayed too (its
      sources trained on the sessions before it): more predictions;
    - with the guard the rankers either keep no lead source or name the
      one the summary reports;
    - with the time cut the newest tenth of the clicks is held out as
      visits (about 60), and the held customers' earlier visits stay in
      the sources' train: more sessions there than the session cut's 270;
    - too few sessions for a tail: nothing is fitted.                      */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "eval_learned.h"
#include "collab-svc/log.h"

#define CUSTOMERS 300
#define ITEMS 30
#define HOUR_MS 3600000LL

static collab_ids_t *
s_ids (void)
{
    collab_ids_t *ids = collab_ids_new (64);
    ck_assert_ptr_nonnull (ids);
    for (int i = 0; i < ITEMS; i++) {
        char id[16];
        int n = snprintf (id, sizeof id, "P%03d", i);
        ck_assert_int_eq (collab_ids_intern (ids, id, (size_t) n), i);
    }
    return ids;
}

/*  Customer c starts at c x 10 min; each visit walks a, a+1, a+2, a+3.  */
static collab_log_t *
s_log (uint32_t customers)
{
    collab_rows_t *rows = collab_rows_new ();
    ck_assert_ptr_nonnull (rows);
    for (uint32_t c = 0; c < customers; c++)
        for (int v = 0; v < 2; v++) {
            uint32_t a = (c * 7 + (uint32_t) v * 11) % ITEMS;
            for (int k = 0; k < 4; k++) {
                int64_t ts = (int64_t) c * 600000 + v * 2 * HOUR_MS + k * 1000;
                ck_assert_int_eq (collab_rows_add (rows, c, ts, (a + (uint32_t) k) % ITEMS), 0);
            }
        }
    collab_log_t *log = collab_rows_build (rows, 2);
    collab_rows_destroy (&rows);
    ck_assert_ptr_nonnull (log);
    return log;
}

typedef struct {
    collab_train_params_t tp;
    collab_score_params_t sp;
    eval_rules_params_t rp;
    eval_seqrules_params_t qp;
    merge_ltr_params_t lp;
} all_params_t;

static all_params_t
s_params (void)
{
    all_params_t p;
    collab_train_params_default (&p.tp);
    collab_score_params_default (&p.sp);
    p.rp = (eval_rules_params_t) { 0.0005, 0.05, 3, 2, 50, 2000000 };
    eval_seqrules_params_default (&p.qp);
    merge_ltr_params_default (&p.lp);
    return p;
}

/*  Fits with fp; the summaries into summary / ltr_summary.  Returns
    whether a model came back; the rankers in ltr.                         */
static bool
s_fit (const collab_log_t *log, const collab_ids_t *ids, const eval_learned_params_t *fp,
       char *summary, char *ltr_summary, merge_ltr_t **ltr)
{
    all_params_t p = s_params ();
    hr_merge_model_t *m = eval_learned_fit (log, ids, &p.tp, &p.sp, &p.rp, NULL, &p.qp, 0.95, fp,
                                            summary, 1024, ltr, &p.lp, true, ltr_summary, 1024);
    bool ok = m != NULL;
    hr_merge_model_destroy (&m);
    return ok;
}

/*  The number after "train sessions, " in a summary.  */
static unsigned
s_held (const char *summary)
{
    const char *at = strstr (summary, "train sessions, ");
    ck_assert_ptr_nonnull (at);
    return (unsigned) strtoul (at + strlen ("train sessions, "), NULL, 10);
}

/*  The number after "(b) fitted on " in a ranker summary.  */
static unsigned
s_predictions (const char *ltr_summary)
{
    const char *at = strstr (ltr_summary, "(b) fitted on ");
    ck_assert_ptr_nonnull (at);
    return (unsigned) strtoul (at + strlen ("(b) fitted on "), NULL, 10);
}

START_TEST (test_replay_shapes)
{
    collab_ids_t *ids = s_ids ();
    collab_log_t *log = s_log (CUSTOMERS);
    eval_learned_params_t fp;
    eval_learned_params_default (&fp);
    ck_assert_uint_eq (fp.folds, 1);
    ck_assert_int_eq (fp.visit_gap_ms, HOUR_MS / 2);
    char summary[1024], ltr_summary[1024];
    merge_ltr_t *ltr[2];

    /*  the default: cut into visits */
    ck_assert (s_fit (log, ids, &fp, summary, ltr_summary, ltr));
    ck_assert_uint_eq (s_held (summary), 2 * CUSTOMERS / 10);
    ck_assert_ptr_nonnull (ltr[0]);
    ck_assert_ptr_nonnull (ltr[1]);
    merge_ltr_destroy (&ltr[0]);
    merge_ltr_destroy (&ltr[1]);

    fp.visit_gap_ms = 0;
    ck_assert (s_fit (log, ids, &fp, summary, ltr_summary, ltr));
    ck_assert_uint_eq (s_held (summary), CUSTOMERS / 10);
    unsigned plain = s_predictions (ltr_summary);
    merge_ltr_destroy (&ltr[0]);
    merge_ltr_destroy (&ltr[1]);

    fp.folds = 2;
    ck_assert (s_fit (log, ids, &fp, summary, ltr_summary, ltr));
    ck_assert_ptr_nonnull (strstr (summary, "2 folds"));
    ck_assert_uint_eq (s_held (summary), CUSTOMERS / 10 + (CUSTOMERS - CUSTOMERS / 10) / 10);
    ck_assert_uint_gt (s_predictions (ltr_summary), plain);
    merge_ltr_destroy (&ltr[0]);
    merge_ltr_destroy (&ltr[1]);

    fp.folds = 1;
    fp.guard = true;
    ck_assert (s_fit (log, ids, &fp, summary, ltr_summary, ltr));
    for (int pr = 0; pr < 2; pr++) {
        ck_assert_ptr_nonnull (ltr[pr]);
        uint32_t top = 0;
        int lead = merge_ltr_lead (ltr[pr], &top);
        ck_assert (lead >= -1 && lead < EVAL_LEARNED_SOURCES);
        if (lead >= 0) {
            ck_assert (top % 5 == 0 && top > 0 && top <= 20);
            ck_assert_ptr_nonnull (strstr (ltr_summary, "guarded"));
        }
        merge_ltr_destroy (&ltr[pr]);
    }
    collab_log_destroy (&log);
    collab_ids_destroy (&ids);
}
END_TEST

/*  The number after `label` in a summary.  */
static unsigned
s_after (const char *summary, const char *label)
{
    const char *at = strstr (summary, label);
    ck_assert_ptr_nonnull (at);
    return (unsigned) strtoul (at + strlen (label), NULL, 10);
}

START_TEST (test_time_cut)
{
    collab_ids_t *ids = s_ids ();
    collab_log_t *log = s_log (CUSTOMERS);
    eval_learned_params_t fp;
    eval_learned_params_default (&fp);
    ck_assert (!fp.time_cut);
    char summary[1024], ltr_summary[1024];
    merge_ltr_t *ltr[2];
    ck_assert (s_fit (log, ids, &fp, summary, ltr_summary, ltr));
    ck_assert_uint_eq (s_after (summary, "trained on the older "), CUSTOMERS - CUSTOMERS / 10);
    merge_ltr_destroy (&ltr[0]);
    merge_ltr_destroy (&ltr[1]);

    fp.time_cut = true;
    ck_assert (s_fit (log, ids, &fp, summary, ltr_summary, ltr));
    unsigned held = s_after (summary, "train clicks as visits, ");
    unsigned before = s_after (summary, "clicks before them, sessions ");
    /*  8 clicks a customer: a tenth of the clicks is 60 visits of 4  */
    ck_assert_uint_ge (held, 55);
    ck_assert_uint_le (held, 65);
    /*  the customers whose second visit is held keep their first  */
    ck_assert_uint_gt (before, CUSTOMERS - CUSTOMERS / 10);
    ck_assert_uint_lt (before, CUSTOMERS);
    ck_assert_ptr_nonnull (ltr[0]);
    ck_assert_ptr_nonnull (ltr[1]);
    merge_ltr_destroy (&ltr[0]);
    merge_ltr_destroy (&ltr[1]);
    collab_log_destroy (&log);
    collab_ids_destroy (&ids);
}
END_TEST

START_TEST (test_too_little_data)
{
    collab_ids_t *ids = s_ids ();
    collab_log_t *log = s_log (5);
    eval_learned_params_t fp;
    eval_learned_params_default (&fp);
    char summary[1024], ltr_summary[1024];
    merge_ltr_t *ltr[2];
    ck_assert (!s_fit (log, ids, &fp, summary, ltr_summary, ltr));
    ck_assert_str_eq (summary, "not fitted");
    ck_assert_ptr_null (ltr[0]);
    ck_assert_ptr_null (ltr[1]);
    collab_log_destroy (&log);
    collab_ids_destroy (&ids);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("eval_learned");
    TCase *tc = tcase_create ("core");
    tcase_set_timeout (tc, 300);
    tcase_add_test (tc, test_replay_shapes);
    tcase_add_test (tc, test_time_cut);
    tcase_add_test (tc, test_too_little_data);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
