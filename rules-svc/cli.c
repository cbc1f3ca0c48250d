/*  The rules subcommands of bin/hybridrec:
      mine-rules --baskets FILE --min-support S --min-confidence C
                 [--max-len N] [--out rules.csv]          (rules_cli_mine)
      train rules                                         (rules_cli_train) */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "basket_file.h"
#include "fpgrowth.h"
#include "hr_cli.h"
#include "hr_config.h"
#include "hr_log.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "item_dict.h"
#include "protocol.h"
#include "train.h"
#include "hr_clock.h"

static const char MINE_USAGE[] =
    "usage: hybridrec mine-rules --baskets FILE --min-support S --min-confidence C\n"
    "                            [--max-len N] [--out rules.csv]\n"
    "Mines a basket file (one basket per line, items separated by commas) with\n"
    "FP-Growth and prints the number of frequent itemsets (count >= ceil(S x N),\n"
    "as arules) and of rules with one-item consequents and confidence >= C.\n"
    "  --max-len N   longest itemset (default 10, as arules; 0 = unlimited)\n"
    "  --out FILE    also write the rules as CSV (best lift x confidence first)\n";

static int s_parse_double (const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = s ? strtod (s, &end) : NAN;
    if (!s || errno || end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

/*  One CSV field, quoted when needed (RFC 4180).  */
static void s_csv_field (FILE *f, const char *s)
{
    if (!strpbrk (s, ",\"\r\n")) {
        fputs (s, f);
        return;
    }
    fputc ('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc ('"', f);
        fputc (*s, f);
    }
    fputc ('"', f);
}

static int s_write_rules (const char *path, const rules_fpg_result_t *r, const rules_item_dict_t *dict)
{
    FILE *f = fopen (path, "w");
    if (!f) {
        fprintf (stderr, "mine-rules: cannot write %s: %s\n", path, strerror (errno));
        return -1;
    }
    fputs ("antecedent,consequent,count,support,confidence,lift,leverage,conviction\n", f);
    for (size_t i = 0; i < rules_fpg_result_rule_count (r); i++) {
        const rules_fpg_rule_t *rule = rules_fpg_result_rule (r, i);
        /*  {a,b} as arules prints it, one CSV field  */
        size_t len = 2;
        for (uint32_t a = 0; a < rule->antecedent_len; a++) {
            size_t n;
            rules_item_dict_name (dict, rule->antecedent[a], &n);
            len += n + 1;
        }
        char *ante = malloc (len + 1), *p = ante;
        if (!ante) {
            fclose (f);
            return -1;
        }
        *p++ = '{';
        for (uint32_t a = 0; a < rule->antecedent_len; a++) {
            size_t n;
            const char *name = rules_item_dict_name (dict, rule->antecedent[a], &n);
            if (a)
                *p++ = ',';
            memcpy (p, name, n);
            p += n;
        }
        *p++ = '}';
        *p = '\0';
        s_csv_field (f, ante);
        free (ante);
        fputc (',', f);
        s_csv_field (f, rules_item_dict_name (dict, rule->consequent, NULL));
        fprintf (f, ",%u,%.10g,%.10g,%.10g,%.10g,", rule->count, rule->support,
                 rule->confidence, rule->lift, rule->leverage);
        if (isinf (rule->conviction))
            fputs ("Inf\n", f);
        else
            fprintf (f, "%.10g\n", rule->conviction);
    }
    int rc = ferror (f) ? -1 : 0;
    if (fclose (f) || rc) {
        fprintf (stderr, "mine-rules: error writing %s\n", path);
        return -1;
    }
    return 0;
}

/*  mine-rules' options into *path, *out and *p; 0, 1 after --help, 2 on
    a usage error (printed).  */
static int
s_mine_options (int argc, char **argv, const char **baskets_path, const char **out_path,
                rules_fpg_params_t *p)
{
    const char *support_s = NULL, *conf_s = NULL, *maxlen_s = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = !strcmp (a, "--baskets") ? baskets_path
                          : !strcmp (a, "--min-support") ? &support_s
                          : !strcmp (a, "--min-confidence") ? &conf_s
                          : !strcmp (a, "--max-len") ? &maxlen_s
                          : !strcmp (a, "--out") ? out_path : NULL;
        if (!strcmp (a, "--help") || !strcmp (a, "-h")) {
            fputs (MINE_USAGE, stdout);
            return 1;
        }
        if (!slot || i + 1 >= argc) {
            fprintf (stderr, "mine-rules: %s %s\n%s", slot ? "missing value for" : "unknown option", a, MINE_USAGE);
            return 2;
        }
        *slot = argv[++i];
    }
    double maxlen = 10;
    if (!*baskets_path) {
        fprintf (stderr, "mine-rules: --baskets FILE is required\n%s", MINE_USAGE);
        return 2;
    }
    if (s_parse_double (support_s, 0, 1, &p->min_support)) {
        fprintf (stderr, "mine-rules: --min-support must be a number in [0, 1]\n");
        return 2;
    }
    if (s_parse_double (conf_s, 0, 1, &p->min_confidence)) {
        fprintf (stderr, "mine-rules: --min-confidence must be a number in [0, 1]\n");
        return 2;
    }
    if (maxlen_s && (s_parse_double (maxlen_s, 0, 1000, &maxlen) || maxlen != floor (maxlen))) {
        fprintf (stderr, "mine-rules: --max-len must be an integer in [0, 1000]\n");
        return 2;
    }
    p->max_len = (uint32_t) maxlen;
    return 0;
}

static void
s_mine_report (const rules_fpg_baskets_t *baskets, const rules_item_dict_t *dict,
               const rules_fpg_result_t *r, const rules_fpg_params_t *p)
{
    printf ("baskets: %u (distinct items %u, item occurrences %llu)\n", rules_fpg_baskets_count (baskets),
            rules_item_dict_size (dict), (unsigned long long) rules_fpg_baskets_items (baskets));
    printf ("min count: %u (min support %g, max length %u)\n", rules_fpg_result_min_count (r),
            p->min_support, p->max_len);
    printf ("frequent itemsets: %zu (", rules_fpg_result_itemset_count (r));
    for (uint32_t k = 1; k <= rules_fpg_result_max_len (r); k++)
        printf ("%slength %u: %zu", k > 1 ? ", " : "", k, rules_fpg_result_itemset_count_len (r, k));
    printf (")\n");
    printf ("rules: %zu (one-item consequents, confidence >= %g)\n", rules_fpg_result_rule_count (r),
            p->min_confidence);
}

int rules_cli_mine (int argc, char **argv)
{
    const char *baskets_path = NULL, *out_path = NULL;
    rules_fpg_params_t p = rules_fpg_params_default ();
    int usage = s_mine_options (argc, argv, &baskets_path, &out_path, &p);
    if (usage)
        return usage == 1 ? 0 : 2;
    FILE *in = fopen (baskets_path, "r");
    if (!in) {
        fprintf (stderr, "mine-rules: cannot open %s: %s\n", baskets_path, strerror (errno));
        return 1;
    }
    double t0 = hr_mono_s ();
    rules_fpg_baskets_t *baskets = rules_fpg_baskets_new ();
    rules_item_dict_t *dict = rules_item_dict_new ();
    char err[256] = "out of memory";
    int rc = baskets && dict ? rules_basket_file_read (in, dict, baskets, err, sizeof err) : -1;
    fclose (in);
    rules_fpg_result_t *r = NULL;
    if (rc) {
        fprintf (stderr, "mine-rules: %s: %s\n", baskets_path, err);
        goto done;
    }
    double t_read = hr_mono_s ();
    r = rules_fpg_mine (baskets, &p, err, sizeof err);
    if (!r) {
        fprintf (stderr, "mine-rules: %s\n", err);
        rc = -1;
        goto done;
    }
    double t_mine = hr_mono_s ();
    s_mine_report (baskets, dict, r, &p);
    printf ("time: read %.3f s, mine %.3f s\n", t_read - t0, t_mine - t_read);
    fflush (stdout);
    if (out_path && s_write_rules (out_path, r, dict))
        rc = -1;
done:
    rules_fpg_result_destroy (&r);
    rules_fpg_baskets_destroy (&baskets);
    rules_item_dict_destroy (&dict);
    return rc ? 1 : 0;
}

static const char TRAIN_USAGE[] =
    "usage: hybridrec train rules\n"
    "Mines the clicks of the last HR_RULES_WINDOW_DAYS days (baskets per\n"
    "HR_BASKET_MODE) with FP-Growth and publishes the rules as a new model\n"
    "version; running rules-svc replicas load it within seconds.\n\n";

int rules_cli_train (int argc, char **argv)
{
    const hr_config_var_t *const tables[] = { hr_config_common, rules_config, NULL };
    int exit_code;
    hr_config_t *cfg = hr_config_for_command ("hybridrec train rules", TRAIN_USAGE, tables,
                                              argc, argv, &exit_code);
    if (!cfg)
        return exit_code;
    int mode = rules_basket_mode_parse (hr_config_str (cfg, "HR_BASKET_MODE"));
    if (mode < 0) {
        fprintf (stderr, "train rules: HR_BASKET_MODE: must be session or user-day\n");
        hr_config_destroy (&cfg);
        return 2;
    }
    rules_train_params_t p = {
        .mode = (rules_basket_mode_t) mode,
        .session_gap_ms = hr_config_int (cfg, "HR_SESSION_GAP_MIN") * 60000LL,
        .window_days = (uint32_t) hr_config_int (cfg, "HR_RULES_WINDOW_DAYS"),
        .fpg = rules_fpg_params_default (),
        .max_rules = (size_t) hr_config_int (cfg, "HR_RULES_MAX_RULES"),
        .progress = isatty (STDERR_FILENO),
    };
    p.fpg.min_support = hr_config_double (cfg, "HR_RULES_MIN_SUPPORT");
    p.fpg.min_confidence = hr_config_double (cfg, "HR_RULES_MIN_CONFIDENCE");
    p.fpg.max_len = (uint32_t) hr_config_int (cfg, "HR_RULES_MAX_LEN");
    p.fpg.min_count_floor = (uint32_t) hr_config_int (cfg, "HR_RULES_MIN_COUNT");
    p.fpg.max_itemsets = (size_t) hr_config_int (cfg, "HR_RULES_MAX_ITEMSETS");
    p.basket_cap = (uint32_t) hr_config_int (cfg, "HR_RULES_BASKET_CAP");
    /*  Mining reads a whole window: allow far more than a request's timeout. */
    hr_pg_t *pg = hr_config_pg (cfg, 3600000);
    hr_redis_t *redis = hr_config_redis (cfg);
    int rc = 1;
    char err[512];
    rules_train_summary_t s;
    if (!pg)
        fprintf (stderr, "train rules: PostgreSQL unreachable (DATABASE_URL)\n");
    else if (rules_train_run (pg, redis, &p, &s, err, sizeof err))
        fprintf (stderr, "train rules: %s\n", err);
    else {
        printf ("rules: version %lld: %llu clicks -> %u baskets (%s), %u products;"
                " min count %u; %zu frequent itemsets; %zu rules (%zu kept) in %.2f s\n",
                (long long) s.version, (unsigned long long) s.clicks, s.baskets,
                mode == RULES_BASKET_SESSION ? "session" : "user-day", s.items, s.min_count,
                s.itemsets, s.rules_mined, s.rules_kept, s.seconds);
        if (s.adapt.attempts > 1)
            printf ("rules: adapted to the itemset budget (HR_RULES_MAX_ITEMSETS %zu) in %u"
                    " mining runs: %u baskets capped at %u items; minimum count %u (configured %u)\n",
                    p.fpg.max_itemsets, s.adapt.attempts, s.adapt.baskets_capped,
                    s.adapt.basket_cap, s.min_count, (unsigned) hr_config_int (cfg, "HR_RULES_MIN_COUNT"));
        rc = 0;
    }
    hr_redis_destroy (&redis);
    hr_pg_destroy (&pg);
    hr_config_destroy (&cfg);
    return rc;
}
