/*  `hybridrec eval` — offline evaluation of every strategy on a real
    session log (see eval.h for the protocols).  Results go to stdout as a
    markdown table; progress goes to stderr.                                */
#include "eval.h"
#include "eval_learned.h"
#include "eval_strategies.h"
#include "hr_cli.h"
#include "hr_client.h"
#include "hr_proto.h"
#include "collab-svc/params.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_MS 86400000LL

static void
s_usage (FILE *out)
{
    fprintf (out,
        "usage: hybridrec eval --dataset yoochoose|diginetica --train FILE [--test FILE]\n"
        "                      [--strategies LIST] [--k 10,20] [--weights NAME=W,...]\n"
        "                      [--set PARAM=V,...] [--validate DAYS] [--test-days DAYS]\n"
        "                      [--trending-rate R] [--rules-support S]\n"
        "                      [--rules-confidence C] [--hybrid-depth N]\n"
        "                      [--train-type TYPE] [--test-type TYPE] [--catalog CSV]\n\n"
        "Replays the test sessions in time order; for every click after the first of a\n"
        "session each strategy predicts the next item from the history before it.\n"
        "Protocols: (a) all next clicks; (b) new items only (re-click targets skipped,\n"
        "history items never ranked).  Prints HR, MRR, NDCG @K, coverage and latency.\n\n"
        "  --dataset     yoochoose: TSV SessionId ItemId Time; diginetica: ';' CSV\n"
        "  --test        test file; without it the last --test-days days of --train\n"
        "                (default 1 for yoochoose, 7 for diginetica) are the test\n"
        "  --validate D  tune mode: drop the test, evaluate on the last D days of train\n"
        "  --strategies  comma list of popularity,trending,content,collab,collab_live,rules,\n"
        "                seqrules (sequential rules: order alone, SR), seqrules_live\n"
        "                (collab-svc's second list as served: its rule rows + overlay), hybrid,\n"
        "                hybrid_learned (the learned merge, fitted on the newest 10 %% of\n"
        "                the train sessions: validation carved from train), hybrid_ltr\n"
        "                (the learning-to-rank stage over the same sources, fitted on the\n"
        "                same validation sessions, one ranker per protocol)\n"
        "                (default all)\n"
        "  --weights     hybrid weights, one hybrid row per --weights (up to 3).\n"
        "                Names: collab, collab_live, rules, trending, popularity.\n"
        "                Default: collab_live=0.25,rules=0.25,trending=0.1 (the spec's\n"
        "                clicked 0.5 split over collab and rules, diverse 0.1; search 0.4\n"
        "                has no source in click logs) and collab_live=1,rules=0.1,\n"
        "                trending=0.02 (tuned on the validation split of yoochoose);\n"
        "                collab_live = what collab-svc serves (model + live overlay)\n"
        "  --trending-rate  weight a click keeps per hour (TRENDING_DECAY_RATE, 0.95)\n"
        "  --train-type, --test-type  the event type of every train / replayed test event:\n"
        "                click (default), view, add_to_cart or purchase; strategies weight\n"
        "                them as served (hr_event_weight: trending; collab, rules unweighted)\n"
        "  --catalog     the products as a content-svc CSV (id, name, categories, ...):\n"
        "                enables the content strategy (content-svc's for_user over a\n"
        "                model built from it), also a source of both learned hybrids\n"
        "  --set         collab parameters:\n");
    collab_params_help (out);
}

typedef struct {
    const char *dataset, *train, *test, *strategies, *k, *set, *catalog;
    const char *weights[3];     /* one hybrid row each */
    unsigned n_weights;
    double validate_days, test_days, trending_rate, rules_support, rules_conf;
    int train_type, test_type;  /* hr_event_type_t of every train / test event */
    unsigned hybrid_depth;
    hr_dataset_format_t format;
} eval_args_t;

/*  A product event type by its REST name ("click" or "product_click"), or -1. */
static int
s_event_type (const char *name)
{
    if (strcmp (name, "click") == 0)
        return HR_EVENT_CLICK;
    for (int t = HR_EVENT_CLICK; t <= HR_EVENT_PURCHASE; t++)
        if (hr_event_is_product (t) && strcmp (name, hr_event_names[t]) == 0)
            return t;
    return -1;
}

static int
s_parse_args (int argc, char **argv, eval_args_t *a)
{
    *a = (eval_args_t) { .strategies = "popularity,trending,content,collab,collab_live,rules,seqrules,hybrid,hybrid_learned,hybrid_ltr",
                         .k = "10,20",
                         .set = "", .test_days = -1, .trending_rate = 0.95,
                         .train_type = HR_EVENT_CLICK, .test_type = HR_EVENT_CLICK,
                         .rules_support = 0.0005, .rules_conf = 0.05, .hybrid_depth = 100 };
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp (o, "--help") == 0 || strcmp (o, "-h") == 0) {
            s_usage (stdout);
            return 1;
        }
        if (i + 1 >= argc) {
            fprintf (stderr, "hybridrec eval: %s needs a value (or unknown option)\n", o);
            return -1;
        }
        const char *v = argv[++i];
        char *end = NULL;
        if (strcmp (o, "--dataset") == 0) a->dataset = v;
        else if (strcmp (o, "--train") == 0) a->train = v;
        else if (strcmp (o, "--test") == 0) a->test = v;
        else if (strcmp (o, "--strategies") == 0) a->strategies = v;
        else if (strcmp (o, "--k") == 0) a->k = v;
        else if (strcmp (o, "--weights") == 0) {
            if (a->n_weights == 3) {
                fprintf (stderr, "hybridrec eval: at most 3 --weights\n");
                return -1;
            }
            a->weights[a->n_weights++] = v;
        }
        else if (strcmp (o, "--set") == 0) a->set = v;
        else if (strcmp (o, "--validate") == 0) a->validate_days = strtod (v, &end);
        else if (strcmp (o, "--test-days") == 0) a->test_days = strtod (v, &end);
        else if (strcmp (o, "--trending-rate") == 0) a->trending_rate = strtod (v, &end);
        else if (strcmp (o, "--train-type") == 0 || strcmp (o, "--test-type") == 0) {
            int *type = strcmp (o, "--train-type") == 0 ? &a->train_type : &a->test_type;
            if ((*type = s_event_type (v)) < 0) {
                fprintf (stderr, "hybridrec eval: %s: '%s' is not click, view, add_to_cart or purchase\n", o, v);
                return -1;
            }
        }
        else if (strcmp (o, "--rules-support") == 0) a->rules_support = strtod (v, &end);
        else if (strcmp (o, "--rules-confidence") == 0) a->rules_conf = strtod (v, &end);
        else if (strcmp (o, "--hybrid-depth") == 0) a->hybrid_depth = (unsigned) strtoul (v, &end, 10);
        else if (strcmp (o, "--catalog") == 0) a->catalog = v;
        else {
            fprintf (stderr, "hybridrec eval: unknown option %s (see --help)\n", o);
            return -1;
        }
        if (end && (*end || end == v)) {
            fprintf (stderr, "hybridrec eval: %s: '%s' is not a number\n", o, v);
            return -1;
        }
    }
    if (a->n_weights == 0) {
        /* collab_live: what collab-svc serves (model + live overlay) */
        a->weights[a->n_weights++] = "collab_live=0.25,rules=0.25,trending=0.1";
        a->weights[a->n_weights++] = "collab_live=1,rules=0.1,trending=0.02";
    }
    if (!a->dataset || !a->train) {
        fprintf (stderr, "hybridrec eval: --dataset and --train are required (see --help)\n");
        return -1;
    }
    if (hr_dataset_format_parse (a->dataset, &a->format) != 0 || a->format == HR_DATASET_CSV) {
        fprintf (stderr, "hybridrec eval: --dataset must be yoochoose or diginetica\n");
        return -1;
    }
    if (a->trending_rate <= 0 || a->trending_rate > 1 || a->rules_support <= 0 || a->rules_support > 1
        || a->rules_conf < 0 || a->rules_conf > 1 || a->hybrid_depth == 0
        || a->hybrid_depth > 10000 || a->validate_days < 0) {
        fprintf (stderr, "hybridrec eval: a numeric option is out of range\n");
        return -1;
    }
    return 0;
}

static bool
s_listed (const char *list, const char *name)
{
    size_t n = strlen (name);
    for (const char *p = list; *p; ) {
        size_t len = strcspn (p, ",");
        if (len == n && memcmp (p, name, n) == 0)
            return true;
        p += len;
        if (*p == ',')
            p++;
    }
    return false;
}

static int
s_parse_ks (const char *s, uint32_t *ks, uint32_t *nk)
{
    *nk = 0;
    while (*s) {
        char *end;
        unsigned long v = strtoul (s, &end, 10);
        if (end == s || v == 0 || v > 1000 || *nk == EVAL_METRICS_MAX_K
            || (*nk && v <= ks[*nk - 1]) || (*end && *end != ','))
            return -1;
        ks[(*nk)++] = (uint32_t) v;
        s = *end ? end + 1 : end;
    }
    return *nk ? 0 : -1;
}

/*  Loads train and test as the protocol says: the test's items that
    training never saw are dropped, then test sessions shorter than 2.      */
static int
s_load (const eval_args_t *a, collab_ids_t *ids, collab_log_t **train, collab_log_t **test)
{
    char err[512];
    bool yoo = a->format == HR_DATASET_YOOCHOOSE;
    collab_log_t *all = collab_log_read (a->train, a->format, ids, err, sizeof err);
    if (!all) {
        fprintf (stderr, "hybridrec eval: %s\n", err);
        return -1;
    }
    collab_log_t *tr = NULL, *te = NULL;
    if (a->test && a->validate_days == 0) {
        tr = all;
        te = collab_log_read (a->test, a->format, ids, err, sizeof err);
        if (!te) {
            fprintf (stderr, "hybridrec eval: %s\n", err);
            collab_log_destroy (&tr);
            return -1;
        }
    }
    else {
        double days = a->validate_days > 0 ? a->validate_days
                    : a->test_days > 0 ? a->test_days : yoo ? 1 : 7;
        int64_t split = collab_log_max_ts (all) - (int64_t) (days * DAY_MS);
        if (collab_log_split (all, split, &tr, &te)) {
            collab_log_destroy (&all);
            return -1;
        }
        collab_log_destroy (&all);
        fprintf (stderr, "eval: split at %lld ms: last %.1f days of %s are the %s\n",
                 (long long) split, days, a->train, a->validate_days > 0 ? "validation" : "test");
    }
    /* items first seen in the test are unknown to every strategy */
    uint32_t n_known = 0;
    for (uint32_t e = 0; e < tr->n_events; e++)
        if (tr->item[e] + 1 > n_known)
            n_known = tr->item[e] + 1;
    collab_log_t *known = collab_log_known (te, n_known, 2);
    collab_log_destroy (&te);
    if (!known) {
        collab_log_destroy (&tr);
        return -1;
    }
    *train = tr;
    *test = known;
    return 0;
}

/*  The strategies of one run: the listed ones and those a hybrid needs
    (hidden), then one hybrid per --weights.  idx: position in st[] by name
    (-1 = not built).                                                        */
enum { S_POPULARITY, S_TRENDING, S_COLLAB, S_COLLAB_LIVE, S_RULES, S_CONTENT, S_SEQRULES, S_SEQRULES_LIVE,
       S_SOURCES };
static const char *const s_source_names[S_SOURCES] = {
    "popularity", "trending", "collab", "collab_live", "rules", "content", "seqrules", "seqrules_live"
};

#define LINEUP_MAX 12
typedef struct {
    eval_strategy_t st[LINEUP_MAX];
    uint32_t ns;
    int idx[S_SOURCES];
    char hybrid_note[3][256];
    char learned_note[800];
    char ltr_note[800];
} eval_lineup_t;

/*  true when some --weights list mentions `name` (a substring, as "collab"
    in "collab_live": building one more source than needed is harmless).   */
static bool
s_weighted (const eval_args_t *a, const char *name)
{
    for (unsigned w = 0; w < a->n_weights; w++)
        if (strstr (a->weights[w], name))
            return true;
    return false;
}

/*  Mined as `train rules` mines when the itemsets overflow its budget
    (HR_RULES_MIN_COUNT 2, HR_RULES_BASKET_CAP 50, HR_RULES_MAX_ITEMSETS
    2,000,000): long baskets capped, then the support raised, so a log of
    long baskets (Online Retail's invoices) still gets rules.            */
static eval_rules_params_t
s_rules_params (const eval_args_t *a)
{
    return (eval_rules_params_t) { a->rules_support, a->rules_conf, 3, 2, 50, 2000000 };
}

/*  The sequential rules' parameters: the defaults; HR_SR_WINDOW, _HIST,
    _POW, _KEEP, _ONLINE override them (to compare variants on the
    validation split, never on the test).                                  */
static eval_seqrules_params_t
s_seqrules_params (void)
{
    eval_seqrules_params_t p;
    eval_seqrules_params_default (&p);
    const char *env;
    if ((env = getenv ("HR_SR_WINDOW")))
        p.window = (uint32_t) atoi (env);
    if ((env = getenv ("HR_SR_HIST")))
        p.hist = (uint32_t) atoi (env);
    if ((env = getenv ("HR_SR_POW")))
        p.hist_pow = (float) atof (env);
    if ((env = getenv ("HR_SR_KEEP")))
        p.keep = (uint32_t) atoi (env);
    if ((env = getenv ("HR_SR_ONLINE")))
        p.online = atoi (env) != 0;
    return p;
}

static int
s_build_source (const eval_args_t *a, int which, const collab_model_t *model,
                const collab_log_t *train, uint32_t n_items,
                const collab_score_params_t *sp, eval_strategy_t *st)
{
    char err[512];
    switch (which) {
    case S_POPULARITY:
        return eval_popularity (st, model);
    case S_TRENDING:
        return eval_trending_weighted (st, train, a->trending_rate, hr_event_weight (a->train_type),
                                       hr_event_weight (a->test_type));
    case S_COLLAB:
        return eval_collab (st, model, sp);
    case S_COLLAB_LIVE:
        return eval_collab_live (st, model, sp);
    case S_SEQRULES: {
        eval_seqrules_params_t qp = s_seqrules_params ();
        return eval_seqrules (st, train, n_items, &qp);
    }
    case S_SEQRULES_LIVE:
        return eval_seqrules_live (st, model);
    case S_CONTENT:
        fprintf (stderr, "eval: building the content model from %s\n", a->catalog);
        if (eval_content (st, a->catalog, model->ids, err, sizeof err) == 0)
            return 0;
        fprintf (stderr, "hybridrec eval: content: %s\n", err);
        return -1;
    default: {
        eval_rules_params_t rp = s_rules_params (a);
        fprintf (stderr, "eval: mining rules (support %g, confidence %g)\n",
                 rp.min_support, rp.min_confidence);
        if (eval_rules (st, train, n_items, &rp, err, sizeof err) == 0)
            return 0;
        fprintf (stderr, "hybridrec eval: rules: %s\n", err);
        return -1;
    }
    }
}

static int
s_build_sources (const eval_args_t *a, const collab_model_t *model, const collab_log_t *train,
                 uint32_t n_items, const collab_score_params_t *sp, eval_lineup_t *l)
{
    bool want_hybrid = s_listed (a->strategies, "hybrid");
    bool want_learned = s_listed (a->strategies, "hybrid_learned")
                        || s_listed (a->strategies, "hybrid_ltr");
    for (int i = 0; i < S_SOURCES; i++) {
        l->idx[i] = -1;
        const char *name = s_source_names[i];
        bool listed = s_listed (a->strategies, name);
        bool learned_source = i == S_COLLAB_LIVE || i == S_RULES || i == S_TRENDING
                              || i == S_CONTENT || i == S_SEQRULES;
        if (i == S_CONTENT && !a->catalog)
            continue;
        if (!listed && !(want_hybrid && s_weighted (a, name)) && !(want_learned && learned_source))
            continue;
        if (s_build_source (a, i, model, train, n_items, sp, &l->st[l->ns]) != 0)
            return -1;
        l->st[l->ns].hidden = !listed;
        l->idx[i] = (int) l->ns++;
    }
    return 0;
}

/*  One hybrid from a "name=w,..." list.  0, -1 (OOM, nothing to merge),
    -2 (a bad entry: usage error).                                          */
static int
s_build_hybrid (const eval_args_t *a, unsigned wi, eval_lineup_t *l)
{
    eval_strategy_t *srcs[8];
    double w[8];
    uint32_t nsrc = 0;
    const char *p = a->weights[wi];
    while (*p) {
        size_t len = strcspn (p, ",");
        const char *eq = memchr (p, '=', len);
        int idx = -2;
        for (int i = 0; eq && i < S_SOURCES; i++)
            if (strlen (s_source_names[i]) == (size_t) (eq - p)
                && memcmp (p, s_source_names[i], (size_t) (eq - p)) == 0)
                idx = l->idx[i];
        char *end;
        double v = eq ? strtod (eq + 1, &end) : -1;
        if (!eq || idx == -2 || end != p + len || v < 0 || nsrc == 8) {
            fprintf (stderr, "hybridrec eval: --weights: bad entry '%.*s' "
                     "(names: collab, collab_live, rules, trending, popularity)\n", (int) len, p);
            return -2;
        }
        if (idx >= 0) {
            srcs[nsrc] = &l->st[idx];
            w[nsrc++] = v;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    snprintf (l->hybrid_note[wi], sizeof l->hybrid_note[wi], "hr_merge, weights %s", a->weights[wi]);
    if (nsrc == 0 || eval_hybrid (&l->st[l->ns], srcs, w, nsrc, a->hybrid_depth, l->hybrid_note[wi]))
        return -1;
    l->ns++;
    return 0;
}

/*  The fits' knobs: the defaults, then the environment's HR_LTR_* and
    HR_FIT_* for ablation runs (EVALUATION.md).  Returns whether the ranker
    takes item features (HR_LTR_ITEMS).                                    */
static bool
s_learned_knobs (const eval_args_t *a, merge_ltr_params_t *lp, eval_learned_params_t *fp)
{
    merge_ltr_params_default (lp);
    const char *env = getenv ("HR_LTR_L2");
    if (env)
        lp->l2 = atof (env);
    if ((env = getenv ("HR_LTR_RATIO")))
        lp->ratio = atoi (env) != 0;
    if ((env = getenv ("HR_LTR_MAG")))
        lp->mag = atoi (env) != 0;
    if ((env = getenv ("HR_LTR_AGREE")))
        lp->agree = atoi (env) != 0;
    if ((env = getenv ("HR_LTR_CTXB")))
        lp->ctx_buckets = atoi (env) != 0;
    eval_learned_params_default (fp);
    fp->depth = a->hybrid_depth;
    if ((env = getenv ("HR_FIT_FOLDS")))
        fp->folds = (uint32_t) atoi (env);
    if ((env = getenv ("HR_FIT_GAP_MIN")))
        fp->visit_gap_ms = (int64_t) (atof (env) * 60000);
    if ((env = getenv ("HR_FIT_GUARD")))
        fp->guard = atoi (env) != 0;
    if ((env = getenv ("HR_FIT_CUT")))
        fp->time_cut = strcmp (env, "time") == 0;
    if ((env = getenv ("HR_FIT_HOLDOUT")))
        fp->holdout = atof (env);
    return !(env = getenv ("HR_LTR_ITEMS")) || atoi (env) != 0;
}

/*  The learned hybrid, fitted on the newest tenth of the train sessions
    (eval_learned.h), over the sources trained on the whole train.  0 / -1. */
static int
s_build_learned (const eval_args_t *a, const collab_log_t *train, const collab_model_t *model,
                 const collab_train_params_t *tp, const collab_score_params_t *sp, eval_lineup_t *l)
{
    eval_rules_params_t rp = s_rules_params (a);
    bool want_merge = s_listed (a->strategies, "hybrid_learned");
    bool want_ltr = s_listed (a->strategies, "hybrid_ltr");
    merge_ltr_params_t lp;
    eval_learned_params_t fp;
    bool items = s_learned_knobs (a, &lp, &fp);
    merge_ltr_t *ltr[2] = { NULL, NULL };
    char summary[640], ltr_summary[640];
    fprintf (stderr, "eval: fitting the learned merge on the newest 10 %% of the train sessions\n");
    eval_strategy_t *content = l->idx[S_CONTENT] >= 0 ? &l->st[l->idx[S_CONTENT]] : NULL;
    eval_seqrules_params_t qp = s_seqrules_params ();
    bool with_sr = !getenv ("HR_SR_SOURCE") || atoi (getenv ("HR_SR_SOURCE")) != 0;
    hr_merge_model_t *fitted = eval_learned_fit (train, model->ids, tp, sp, &rp, content,
                                                 with_sr ? &qp : NULL, a->trending_rate, &fp,
                                                 summary, sizeof summary,
                                                 want_ltr ? ltr : NULL, &lp, items, ltr_summary,
                                                 sizeof ltr_summary);
    fprintf (stderr, "eval: learned merge %s\n", summary);
    if (want_ltr)
        fprintf (stderr, "eval: learning to rank %s\n", ltr_summary);
    if (!fitted) {
        fprintf (stderr, "hybridrec eval: the learned merge could not be fitted\n");
        merge_ltr_destroy (&ltr[0]);
        merge_ltr_destroy (&ltr[1]);
        return -1;
    }
    eval_strategy_t *srcs[EVAL_LEARNED_SOURCES] = {
        &l->st[l->idx[S_COLLAB_LIVE]], &l->st[l->idx[S_RULES]], &l->st[l->idx[S_TRENDING]],
        l->idx[S_CONTENT] >= 0 ? &l->st[l->idx[S_CONTENT]] : NULL,
        with_sr ? &l->st[l->idx[S_SEQRULES]] : NULL,
    };
    /* the rank merge takes the sources the run has, with their names */
    eval_strategy_t *present[EVAL_LEARNED_SOURCES];
    const char *names[EVAL_LEARNED_SOURCES];
    double signal_weights[EVAL_LEARNED_SOURCES];
    uint32_t nsrcs = 0;
    for (int k = 0; k < EVAL_LEARNED_SOURCES; k++)
        if (srcs[k]) {
            present[nsrcs] = srcs[k];
            names[nsrcs] = eval_learned_names[k];
            signal_weights[nsrcs++] = eval_learned_signal_weights[k];
        }
    int rc = 0;
    snprintf (l->learned_note, sizeof l->learned_note, "learned merge (rank, calibrated), %s", summary);
    if (want_merge) {
        if (eval_hybrid_learned (&l->st[l->ns], present, names, signal_weights,
                                 nsrcs, &fitted, a->hybrid_depth, l->learned_note) == 0)
            l->ns++;
        else
            rc = -1;
    }
    hr_merge_model_destroy (&fitted);
    snprintf (l->ltr_note, sizeof l->ltr_note, "learning to rank (linear, listwise), %s", ltr_summary);
    if (rc == 0 && want_ltr) {
        eval_item_stats_t *stats = items ? eval_item_stats_new (train, a->trending_rate) : NULL;
        if ((!items || stats)
            && eval_hybrid_ltr (&l->st[l->ns], srcs, EVAL_LEARNED_SOURCES, ltr, &stats,
                                a->hybrid_depth, l->ltr_note) == 0)
            l->ns++;
        else
            rc = -1;
        eval_item_stats_destroy (&stats);
    }
    merge_ltr_destroy (&ltr[0]);
    merge_ltr_destroy (&ltr[1]);
    return rc;
}

/*  Runs the lineup over the test log and prints the report.  0 / 1.       */
static int
s_report (const eval_args_t *a, const collab_log_t *train, const collab_log_t *test,
          uint32_t n_items, const collab_model_t *model, const collab_score_params_t *sp,
          const uint32_t *ks, uint32_t nk, eval_lineup_t *l)
{
    eval_result_t results[LINEUP_MAX];
    if (eval_run (test, n_items, l->st, l->ns, ks, nk, results, true)) {
        fprintf (stderr, "hybridrec eval: out of memory\n");
        return 1;
    }
    char params[1024];
    collab_params_format (&model->params, sp, params, sizeof params);
    printf ("dataset %s: train %s (%u sessions, %u clicks), test %s (%u sessions, %u clicks)%s\n\n",
            a->dataset, a->train, train->n_sessions, train->n_events,
            a->validate_days > 0 ? "validation split" : a->test ? a->test : "time split",
            test->n_sessions, test->n_events, a->validate_days > 0 ? " [VALIDATION]" : "");
    eval_print (stdout, l->st, l->ns, results);
    if (s_listed (a->strategies, "content") && !a->catalog)
        printf ("\ncontent: skipped — these logs have no item text.\n");
    printf ("\ncollab parameters: %s\n", params);
    printf ("event types: train %s (weight %g), test %s (weight %g)\n",
            hr_event_names[a->train_type], hr_event_weight (a->train_type),
            hr_event_names[a->test_type], hr_event_weight (a->test_type));
    eval_results_free (results, l->ns);
    return 0;
}

/*  Trains collab, builds the lineup, evaluates.  0, 1 (failure), 2 (usage). */
static int
s_evaluate (const eval_args_t *a, collab_ids_t *ids, const collab_log_t *train,
            const collab_log_t *test, const collab_train_params_t *tp,
            const collab_score_params_t *sp, const uint32_t *ks, uint32_t nk)
{
    /* the test may have interned unseen items: the model knows train's only */
    uint32_t n_items = collab_ids_count (ids);
    fprintf (stderr, "eval: train %u sessions / %u clicks; test %u sessions / %u clicks; %u items\n",
             train->n_sessions, train->n_events, test->n_sessions, test->n_events, n_items);
    double t0 = hr_mono_s ();
    collab_model_t *model = collab_model_train (train, ids, tp);
    if (!model) {
        fprintf (stderr, "hybridrec eval: training failed (out of memory)\n");
        collab_ids_destroy (&ids);
        return 1;
    }
    fprintf (stderr, "eval: collab trained in %.2f s (%zu MB)\n", hr_mono_s () - t0,
             collab_model_bytes (model) >> 20);
    eval_lineup_t *l = calloc (1, sizeof *l);
    int rc = l ? s_build_sources (a, model, train, n_items, sp, l) : -1;
    for (unsigned wi = 0; rc == 0 && s_listed (a->strategies, "hybrid") && wi < a->n_weights; wi++)
        rc = s_build_hybrid (a, wi, l);
    if (rc == 0 && (s_listed (a->strategies, "hybrid_learned") || s_listed (a->strategies, "hybrid_ltr")))
        rc = s_build_learned (a, train, model, tp, sp, l);
    rc = rc == -2 ? 2 : rc != 0 ? 1 : s_report (a, train, test, n_items, model, sp, ks, nk, l);
    for (uint32_t i = 0; l && i < LINEUP_MAX; i++)
        eval_strategy_free (&l->st[i]);
    free (l);
    collab_model_destroy (&model);
    return rc;
}

int
eval_cli_run (int argc, char **argv)
{
    eval_args_t a;
    int prc = s_parse_args (argc, argv, &a);
    if (prc)
        return prc > 0 ? 0 : 2;
    uint32_t ks[EVAL_METRICS_MAX_K], nk;
    if (s_parse_ks (a.k, ks, &nk)) {
        fprintf (stderr, "hybridrec eval: --k wants ascending positive numbers, e.g. 10,20\n");
        return 2;
    }
    collab_train_params_t tp;
    collab_score_params_t sp;
    collab_train_params_default (&tp);
    collab_score_params_default (&sp);
    char err[512];
    if (collab_params_apply (a.set, &tp, &sp, err, sizeof err)) {
        fprintf (stderr, "hybridrec eval: --set: %s\n", err);
        return 2;
    }
    collab_ids_t *ids = collab_ids_new (4096);
    collab_log_t *train = NULL, *test = NULL;
    if (!ids || s_load (&a, ids, &train, &test)) {
        collab_ids_destroy (&ids);
        return 1;
    }
    int rc = s_evaluate (&a, ids, train, test, &tp, &sp, ks, nk);
    collab_log_destroy (&train);
    collab_log_destroy (&test);
    return rc;
}
