/*  `hybridrec train merge` — fits the learned merge of /home's personalized
    list on the shop's own logged sessions and publishes it as a "merge"
    model when it is not worse than what is served (docs/merge.md).

      1. the clicks of the interactions table as sessions (as train collab
         reads them); the newest MERGE_HOLDOUT of the sessions are held out;
      2. collab (and its sequential rules), rules and popularity are trained on the sessions before
         them, content is the served model (catalog-only: no leak);
      3. every held-out session is replayed click by click: each source
         answers as it would for /home, the next new item is the target
         (merge_fit.h keeps the lists);
      4. calibration and sub-weights are fitted on the even sessions and
         checked on the odd ones against the served merge (the current
         merge model, or the rank merge when none is published);
      5. published when HR@20 on the odd sessions is not lower (MRR@20
         breaks a tie).  Too few predictions: nothing is published and the
         rank merge (or the last published model) keeps serving.          */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "eval_strategies.h"
#include "hr_cli.h"
#include "hr_config.h"
#include "hr_log.h"
#include "hr_merge_model.h"
#include "hr_model_store.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "merge_fit.h"
#include "merge_sources.h"
#include "collab-svc/params.h"
#include "collab-svc/train_pg.h"

#define K 20
#define HISTORY_MAX 50          /* the gateway's HISTORY_EVENTS */

/*  rules-svc's and trending-svc's variables: the sources are built as
    `train rules` and trending-svc build them (declared in their
    protocol.h, a header name collab-svc has too, so declared here).       */
extern const hr_config_var_t rules_config[];
extern const hr_config_var_t trending_config[];
extern const hr_config_var_t eval_merge_config[];    /* eval/config.tsv */


typedef struct {
    hr_config_t *cfg;
    hr_pg_t *pg;
    hr_redis_t *redis;
    collab_log_t *log, *before, *after, *held;
    collab_model_t *model;
    collab_ids_t *ids;                  /* until the model owns it */
    eval_strategy_t collab, seqrules, rules, trending;
    merge_content_t *content;
    merge_replay_t *replay;
    uint32_t depth, pool, most;
} job_t;

static int
s_cmp_i64 (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

/*  Predictions a log holds under protocol (b): clicks followed by an item
    not yet in the session.  */
static uint32_t
s_predictions (const collab_log_t *log)
{
    uint32_t n = 0;
    for (uint32_t s = 0; s < log->n_sessions; s++) {
        const uint32_t *it = log->item + log->start[s];
        uint32_t len = collab_log_len (log, s);
        for (uint32_t pos = 0; pos + 1 < len; pos++) {
            bool seen = false;
            for (uint32_t q = 0; q <= pos && !seen; q++)
                seen = it[q] == it[pos + 1];
            n += !seen;
        }
    }
    return n;
}

/*  Reads the clicks and holds out the newest sessions.  0, 1 (too little
    data, said), -1 (failed, said).  */
static int
s_read (job_t *j)
{
    char err[512];
    j->ids = collab_ids_new (1 << 16);
    if (!j->ids || !(j->log = collab_log_from_pg (j->pg, j->ids, (int) hr_config_int (j->cfg, "COLLAB_TRAIN_DAYS"),
                                                  hr_config_int (j->cfg, "COLLAB_SESSION_GAP_MIN") * 60000LL,
                                                  isatty (STDERR_FILENO), err, sizeof err))) {
        fprintf (stderr, "hybridrec train merge: %s\n", j->ids ? err : "out of memory");
        return -1;
    }
    uint32_t n = j->log->n_sessions;
    uint32_t held = (uint32_t) ((double) n * hr_config_double (j->cfg, "MERGE_HOLDOUT"));
    if (held < 2 || n - held < 2) {
        printf ("merge: too little data (%u sessions); nothing published, the rank merge serves\n", n);
        return 1;
    }
    int64_t *ends = malloc (n * sizeof *ends);
    if (!ends)
        return -1;
    for (uint32_t s = 0; s < n; s++)
        ends[s] = j->log->ts_ms[j->log->start[s + 1] - 1];
    qsort (ends, n, sizeof *ends, s_cmp_i64);
    int64_t split = ends[n - held];
    free (ends);
    if (collab_log_split (j->log, split, &j->before, &j->after) != 0)
        return -1;
    uint32_t n_known = 0;
    for (uint32_t e = 0; e < j->before->n_events; e++)
        n_known = j->before->item[e] + 1 > n_known ? j->before->item[e] + 1 : n_known;
    if (!(j->held = collab_log_known (j->after, n_known, 2)))
        return -1;
    uint32_t predictions = s_predictions (j->held);
    uint32_t least = (uint32_t) hr_config_int (j->cfg, "MERGE_MIN_PREDICTIONS");
    if (predictions < least) {
        printf ("merge: too little data (%u predictions in %u held-out sessions, fewer than "
                "MERGE_MIN_PREDICTIONS %u); nothing published, the served merge stays\n",
                predictions, j->held->n_sessions, least);
        return 1;
    }
    fprintf (stderr, "merge: %u sessions before, %u held out (%u predictions)\n",
             j->before->n_sessions, j->held->n_sessions, predictions);
    return 0;
}

/*  Trains collab, rules and popularity on the sessions before the tail and
    loads content.  0 / -1 (said).  */
static int
s_sources (job_t *j)
{
    char err[512];
    collab_train_params_t tp;
    collab_score_params_t sp;
    collab_train_params_default (&tp);
    collab_score_params_default (&sp);
    if (collab_params_apply (hr_config_str (j->cfg, "COLLAB_TRAIN_PARAMS"), &tp, &sp, err, sizeof err)) {
        fprintf (stderr, "hybridrec train merge: COLLAB_TRAIN_PARAMS: %s\n", err);
        return -1;
    }
    uint32_t n_items = collab_ids_count (j->ids);
    if (!(j->model = collab_model_train (j->before, j->ids, &tp))) {
        fprintf (stderr, "hybridrec train merge: collab training failed (out of memory)\n");
        return -1;
    }
    j->ids = NULL;                      /* owned by the model */
    /*  mined as `train rules` mines (its HR_RULES_* variables)  */
    eval_rules_params_t rp = {
        hr_config_double (j->cfg, "HR_RULES_MIN_SUPPORT"), hr_config_double (j->cfg, "HR_RULES_MIN_CONFIDENCE"),
        (uint32_t) hr_config_int (j->cfg, "HR_RULES_MAX_LEN"), (uint32_t) hr_config_int (j->cfg, "HR_RULES_MIN_COUNT"),
        (uint32_t) hr_config_int (j->cfg, "HR_RULES_BASKET_CAP"), (size_t) hr_config_int (j->cfg, "HR_RULES_MAX_ITEMSETS"),
    };
    if (eval_collab_live (&j->collab, j->model, &sp) != 0 || eval_seqrules_live (&j->seqrules, j->model) != 0
        || eval_trending (&j->trending, j->before, hr_config_double (j->cfg, "TRENDING_DECAY_RATE")) != 0) {
        fprintf (stderr, "hybridrec train merge: building the sources failed (out of memory)\n");
        return -1;
    }
    /*  Rules that cannot be mined answer nothing (as rules-svc without a
        model): the merge is still fitted on the others.                  */
    if (eval_rules (&j->rules, j->before, n_items, &rp, err, sizeof err) != 0) {
        fprintf (stderr, "merge: rules could not be mined (%s); rules answers nothing\n", err);
        memset (&j->rules, 0, sizeof j->rules);
    }
    bool have_content = false;
    if (!(j->content = merge_content_new (j->pg, j->redis, &have_content, err, sizeof err))) {
        fprintf (stderr, "hybridrec train merge: content: %s\n", err);
        return -1;
    }
    if (!have_content)
        fprintf (stderr, "merge: no content model published; content answers nothing\n");
    return 0;
}

/*  A strategy's answer as merge_fit items.  */
static uint32_t
s_items (const collab_ids_t *ids, const collab_rec_t *recs, uint32_t n, merge_fit_item_t *out)
{
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        const char *id = collab_ids_at (ids, recs[i].item);
        if (!id || strlen (id) != HR_PRODUCT_ID_LEN)
            continue;
        memcpy (out[m].id, id, HR_PRODUCT_ID_LEN);
        out[m++].score = recs[i].score;
    }
    return m;
}

static uint32_t
s_list_items (const hr_proto_list_t *l, uint32_t depth, merge_fit_item_t *out)
{
    uint32_t n = l->n < depth ? l->n : depth;
    for (uint32_t i = 0; i < n; i++) {
        memcpy (out[i].id, l->items[i].id, HR_PRODUCT_ID_LEN);
        out[i].score = l->items[i].score;
    }
    return n;
}

/*  The diverse picks: a draw from the `pool` most popular items (trending-
    svc draws per category from its best; the draw is the ranking).       */
static uint32_t
s_diverse (job_t *j, const uint32_t *hist, uint32_t nh, int64_t now, uint64_t *rng,
           collab_rec_t *recs, merge_fit_item_t *out)
{
    uint32_t got = j->trending.recommend (j->trending.state, hist, nh, now, true, recs, j->pool);
    for (uint32_t i = got; i > 1; i--) {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        uint32_t k = (uint32_t) (*rng % i);
        collab_rec_t t = recs[i - 1];
        recs[i - 1] = recs[k];
        recs[k] = t;
    }
    if (got > j->depth)
        got = j->depth;
    for (uint32_t i = 0; i < got; i++)
        recs[i].score = (float) (got - i);
    return s_items (j->model->ids, recs, got, out);
}

static void
s_observe (job_t *j, uint32_t session, uint32_t item, int64_t ts)
{
    eval_strategy_t *st[] = { &j->collab, &j->seqrules, &j->rules, &j->trending };
    for (size_t i = 0; i < sizeof st / sizeof *st; i++)
        if (st[i]->recommend && st[i]->observe)
            st[i]->observe (st[i]->state, session, item, ts);
}

/*  Replays the held-out sessions into j->replay.  0 / -1.  */
static int
s_replay (job_t *j)
{
    const merge_fit_source_t fs[HR_HOME_SOURCES] = {
        { hr_home_source_names[0], hr_home_source_signals[0], hr_config_double (j->cfg, "HR_WEIGHT_CLICKED"),
          hr_config_double (j->cfg, "HR_WEIGHT_CLICKED_CONTENT") },
        { hr_home_source_names[1], hr_home_source_signals[1], hr_config_double (j->cfg, "HR_WEIGHT_CLICKED"),
          hr_config_double (j->cfg, "HR_WEIGHT_CLICKED_COLLAB") },
        { hr_home_source_names[2], hr_home_source_signals[2], hr_config_double (j->cfg, "HR_WEIGHT_CLICKED"),
          hr_config_double (j->cfg, "HR_WEIGHT_CLICKED_RULES") },
        { hr_home_source_names[3], hr_home_source_signals[3], hr_config_double (j->cfg, "HR_WEIGHT_SEARCH"), 1 },
        { hr_home_source_names[4], hr_home_source_signals[4], hr_config_double (j->cfg, "HR_WEIGHT_DIVERSE"), 1 },
        { hr_home_source_names[5], hr_home_source_signals[5], hr_config_double (j->cfg, "HR_WEIGHT_CLICKED"),
          hr_config_double (j->cfg, "HR_WEIGHT_CLICKED_SEQRULES") },
    };
    uint32_t cap = j->depth > j->pool ? j->depth : j->pool;
    j->replay = merge_replay_new (fs, HR_HOME_SOURCES);
    collab_rec_t *recs = malloc (cap * sizeof *recs);
    merge_fit_item_t *lists[HR_HOME_SOURCES];
    bool ok = j->replay && recs;
    for (int s = 0; s < HR_HOME_SOURCES; s++)
        ok = (lists[s] = malloc (cap * sizeof *lists[s])) && ok;
    const collab_ids_t *ids = j->model->ids;
    const collab_log_t *log = j->held;
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    /*  A big shop's tail holds more than the fit needs: whole sessions (in
        the log's order) until MERGE_MAX_PREDICTIONS are replayed.         */
    uint32_t replayed = 0;
    for (uint32_t s = 0; ok && s < log->n_sessions && replayed < j->most; s++) {
        const uint32_t *it = log->item + log->start[s];
        const int64_t *ts = log->ts_ms + log->start[s];
        uint32_t len = collab_log_len (log, s);
        for (uint32_t pos = 0; ok && pos + 1 < len; pos++) {
            s_observe (j, s, it[pos], ts[pos]);
            bool seen = false;
            for (uint32_t q = 0; q <= pos && !seen; q++)
                seen = it[q] == it[pos + 1];
            if (seen)
                continue;
            uint32_t hist[HISTORY_MAX], nh = 0;
            const char *hist_ids[HISTORY_MAX];
            int64_t hist_ts[HISTORY_MAX];
            for (uint32_t q = pos + 1; q-- > 0 && nh < HISTORY_MAX;) {
                hist_ids[nh] = collab_ids_at (ids, it[q]);
                hist_ts[nh] = ts[q];
                hist[nh++] = it[q];
            }
            uint32_t n[HR_HOME_SOURCES] = { 0 };
            n[HR_HOME_COLLAB] = s_items (ids, recs, j->collab.recommend (j->collab.state, hist, nh, ts[pos],
                                                                 true, recs, j->depth), lists[HR_HOME_COLLAB]);
            n[HR_HOME_SEQRULES] = s_items (ids, recs, j->seqrules.recommend (j->seqrules.state, hist, nh, ts[pos],
                                                                     true, recs, j->depth), lists[HR_HOME_SEQRULES]);
            if (j->rules.recommend)
                n[HR_HOME_RULES] = s_items (ids, recs, j->rules.recommend (j->rules.state, hist, nh, ts[pos],
                                                                   true, recs, j->depth), lists[HR_HOME_RULES]);
            n[HR_HOME_DIVERSE] = s_diverse (j, hist, nh, ts[pos], &rng, recs, lists[HR_HOME_DIVERSE]);
            hr_proto_list_t clicked, search;
            if (merge_content_for_user (j->content, hist_ids, hist_ts, nh, j->depth, &clicked, &search) != 0) {
                ok = false;
                break;
            }
            n[HR_HOME_CONTENT_CLICKED] = s_list_items (&clicked, j->depth, lists[HR_HOME_CONTENT_CLICKED]);
            n[HR_HOME_CONTENT_SEARCH] = s_list_items (&search, j->depth, lists[HR_HOME_CONTENT_SEARCH]);
            hr_proto_list_free (&clicked);
            hr_proto_list_free (&search);
            const merge_fit_item_t *const *l = (const merge_fit_item_t *const *) lists;
            ok = merge_replay_add (j->replay, s, collab_ids_at (ids, it[pos + 1]), hist_ids, nh,
                                   l, n) == 0;
            replayed++;
        }
    }
    free (recs);
    for (int s = 0; s < HR_HOME_SOURCES; s++)
        free (lists[s]);
    if (!ok)
        fprintf (stderr, "hybridrec train merge: the replay failed (out of memory)\n");
    return ok ? 0 : -1;
}

/*  The served merge: the current merge model (*version > 0) or none (the
    rank merge).  -1 when the store cannot tell.  */
static int
s_served (job_t *j, hr_merge_model_t **model, int64_t *version)
{
    *model = NULL;
    *version = hr_model_current (j->pg, j->redis, HR_MODEL_MERGE);
    if (*version <= 0)
        return *version < 0 ? -1 : 0;
    void *blob = NULL;
    size_t len = 0;
    char err[160];
    if (hr_model_fetch (j->pg, j->redis, HR_MODEL_MERGE, *version, &blob, &len) != 0)
        return -1;
    *model = hr_merge_model_decode (blob, len, err, sizeof err);
    free (blob);
    if (!*model) {
        /*  A served model nobody can load: the gateway serves rank.       */
        fprintf (stderr, "merge: current v%" PRId64 " unreadable (%s): compared with the rank merge\n",
                 *version, err);
        *version = 0;
    }
    return 0;
}

static size_t
s_meta (char *buf, size_t cap, const job_t *j, const hr_merge_model_t *m,
        const merge_fit_score_t *fit, const merge_fit_score_t *cand,
        const merge_fit_score_t *served, int64_t served_version)
{
    size_t o = (size_t) snprintf (buf, cap,
        "{\"holdout_sessions\":%u,\"fit_predictions\":%u,\"check_predictions\":%u,"
        "\"fit_hr20\":%.4f,\"hr20\":%.4f,\"mrr20\":%.4f,\"served\":\"%s\",\"served_version\":%" PRId64 ","
        "\"served_hr20\":%.4f,\"served_mrr20\":%.4f,\"weights\":{",
        j->held->n_sessions, fit->n, cand->n, fit->hr, cand->hr, cand->mrr,
        served_version > 0 ? "merge" : "rank", served_version, served->hr, served->mrr);
    for (int i = 0; i < hr_merge_model_count (m) && o < cap; i++)
        o += (size_t) snprintf (buf + o, cap - o, "%s\"%s\":%g", i ? "," : "",
                                hr_merge_model_name (m, i), hr_merge_model_weight (m, i));
    if (o < cap)
        o += (size_t) snprintf (buf + o, cap - o, "},\"p_rank1\":{");
    for (int i = 0; i < hr_merge_model_count (m) && o < cap; i++)
        o += (size_t) snprintf (buf + o, cap - o, "%s\"%s\":%.4f", i ? "," : "",
                                hr_merge_model_name (m, i), hr_merge_model_p (m, i, 0));
    if (o < cap)
        o += (size_t) snprintf (buf + o, cap - o, "}}");
    return o;
}

/*  Fits, compares, publishes.  0 / -1.  */
static int
s_fit_and_publish (job_t *j)
{
    hr_merge_model_t *cand = merge_replay_fit (j->replay, MERGE_FIT_EVEN, K), *served = NULL;
    int64_t served_version = 0;
    merge_fit_score_t fit, check, base;
    int rc = -1;
    if (!cand || merge_replay_score (j->replay, cand, MERGE_FIT_EVEN, K, &fit) != 0
        || merge_replay_score (j->replay, cand, MERGE_FIT_ODD, K, &check) != 0)
        fprintf (stderr, "hybridrec train merge: fitting failed (out of memory)\n");
    else if (s_served (j, &served, &served_version) != 0)
        fprintf (stderr, "hybridrec train merge: cannot read the served merge model: %s\n",
                 hr_pg_error (j->pg));
    else if (merge_replay_score (j->replay, served, MERGE_FIT_ODD, K, &base) != 0)
        fprintf (stderr, "hybridrec train merge: scoring failed (out of memory)\n");
    else {
        char meta[2048];
        s_meta (meta, sizeof meta, j, cand, &fit, &check, &base, served_version);
        bool not_worse = check.hr > base.hr || (check.hr == base.hr && check.mrr >= base.mrr);
        printf ("merge: on %u held-out predictions: learned HR@20 %.4f MRR@20 %.4f, served (%s) "
                "HR@20 %.4f MRR@20 %.4f\n", check.n, check.hr, check.mrr,
                served_version > 0 ? "merge model" : "rank merge", base.hr, base.mrr);
        size_t len = 0;
        void *blob = not_worse ? hr_merge_model_encode (cand, &len) : NULL;
        int64_t version = 0;
        if (!not_worse) {
            printf ("merge: worse than what is served; nothing published\n");
            rc = 0;
        }
        else if (!blob || hr_model_publish (j->pg, j->redis, HR_MODEL_MERGE, blob, len, meta, &version) != 0)
            fprintf (stderr, "hybridrec train merge: publishing failed: %s\n", hr_pg_error (j->pg));
        else {
            printf ("merge model version %" PRId64 ": %s\n", version, meta);
            rc = 0;
        }
        free (blob);
    }
    hr_merge_model_destroy (&cand);
    hr_merge_model_destroy (&served);
    return rc;
}

static void
s_job_free (job_t *j)
{
    merge_replay_destroy (&j->replay);
    merge_content_destroy (&j->content);
    eval_strategy_free (&j->collab);
    eval_strategy_free (&j->seqrules);
    eval_strategy_free (&j->rules);
    eval_strategy_free (&j->trending);
    collab_model_destroy (&j->model);
    collab_ids_destroy (&j->ids);
    collab_log_destroy (&j->held);
    collab_log_destroy (&j->after);
    collab_log_destroy (&j->before);
    collab_log_destroy (&j->log);
    hr_redis_destroy (&j->redis);
    hr_pg_destroy (&j->pg);
}

static int
s_run (hr_config_t *cfg)
{
    job_t j = { .cfg = cfg };
    j.depth = (uint32_t) hr_config_int (cfg, "MERGE_DEPTH");
    j.pool = (uint32_t) hr_config_int (cfg, "HR_TRENDING_DIVERSE_POOL");
    j.most = (uint32_t) hr_config_int (cfg, "MERGE_MAX_PREDICTIONS");
    j.pg = hr_pg_new (hr_config_database_url (cfg), 600000,
                      (int) hr_config_int (cfg, "HR_PG_CONNECT_WAIT_MS"));
    j.redis = hr_redis_new (hr_config_str (cfg, "REDIS_URL"),
                            (int) hr_config_int (cfg, "HR_REDIS_TIMEOUT_MS"));
    int rc = -1;
    if (!j.pg)
        fprintf (stderr, "hybridrec train merge: cannot reach PostgreSQL\n");
    else if ((rc = s_read (&j)) == 0) {
        rc = s_sources (&j) == 0 && s_replay (&j) == 0 ? s_fit_and_publish (&j) : -1;
    }
    s_job_free (&j);
    return rc < 0 ? -1 : 0;
}

int
merge_cli_train (int argc, char **argv)
{
    const hr_config_var_t *tables[] = { hr_config_common, hr_config_merge, collab_train_config,
                                        rules_config, trending_config, eval_merge_config, NULL };
    hr_config_t *cfg = hr_config_new ("hybridrec train merge", tables);
    if (!cfg)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0) {
            printf ("usage: hybridrec train merge\n\n"
                    "Fits the learned merge of /home's personalized list (docs/merge.md): replays\n"
                    "the newest MERGE_HOLDOUT of the logged sessions against sources trained on\n"
                    "the rest, fits each source's calibration (hit rate per rank bucket) and the\n"
                    "sub-weights within a signal on half of them, checks on the other half\n"
                    "against the served merge and publishes a new `merge` model version only\n"
                    "when it is not worse.  With too little data nothing is published.\n\n"
                    "Environment:\n");
            hr_config_print_help (cfg, stdout);
            hr_config_destroy (&cfg);
            return 0;
        }
        fprintf (stderr, "hybridrec train merge: unknown option '%s' (see --help)\n", argv[i]);
        hr_config_destroy (&cfg);
        return 2;
    }
    if (hr_config_load_or_report (&cfg, "hybridrec train merge") != 0)
        return 2;
    hr_log_init ("merge-train", HR_LOG_INFO);
    int rc = s_run (cfg) == 0 ? 0 : 1;
    hr_config_destroy (&cfg);
    return rc;
}
