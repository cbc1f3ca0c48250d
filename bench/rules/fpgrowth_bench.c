/*  FP-Growth speed and memory on a basket file (default: the UCI Online
    Retail baskets, 25,900 invoices, 4,070 stock codes).
      fpgrowth_bench [FILE [SUPPORT...]]     (default supports 0.01 0.005)
    Prints per support: itemsets (by length), rules at confidence 0.5,
    mining time (best of 3) and the process's peak RSS.
    Build (Release): see CMakeLists.txt here, or
      cc -O2 -DNDEBUG -I rules-svc bench/rules/fpgrowth_bench.c rules-svc/fpgrowth.c \
         rules-svc/basket_file.c rules-svc/item_dict.c -lm -o fpgrowth_bench            */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include "rules-svc/basket_file.h"
#include "rules-svc/fpgrowth.h"
#include "rules-svc/item_dict.h"
#include "../bench_util.h"

static long peak_rss_kb (void)
{
    struct rusage ru;
    getrusage (RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main (int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "../shared/data/online-retail/online_retail_baskets.csv";
    FILE *f = fopen (path, "r");
    if (!f) {
        perror (path);
        return 1;
    }
    rules_fpg_baskets_t *b = rules_fpg_baskets_new ();
    rules_item_dict_t *d = rules_item_dict_new ();
    char err[256];
    double t0 = bench_now_s ();
    if (rules_basket_file_read (f, d, b, err, sizeof err)) {
        fprintf (stderr, "%s: %s\n", path, err);
        return 1;
    }
    fclose (f);
    printf ("%s: %u baskets, %u items, %llu occurrences (deduplicated); read in %.3f s, RSS %ld KB\n",
            path, rules_fpg_baskets_count (b), rules_item_dict_size (d),
            (unsigned long long) rules_fpg_baskets_items (b), bench_now_s () - t0, peak_rss_kb ());
    int nsup = argc > 2 ? argc - 2 : 2;
    for (int s = 0; s < nsup; s++) {
        double support = argc > 2 ? atof (argv[2 + s]) : (s == 0 ? 0.01 : 0.005);
        rules_fpg_params_t p = rules_fpg_params_default ();
        p.min_support = support;
        p.min_confidence = 0.5;
        p.max_len = 0;
        double best = 1e9;
        rules_fpg_result_t *r = NULL;
        for (int rep = 0; rep < 3; rep++) {
            rules_fpg_result_destroy (&r);
            double t = bench_now_s ();
            r = rules_fpg_mine (b, &p, err, sizeof err);
            double dt = bench_now_s () - t;
            if (!r) {
                fprintf (stderr, "mine: %s\n", err);
                return 1;
            }
            if (dt < best)
                best = dt;
        }
        printf ("support %-6g min_count %-4u itemsets %-7zu (", support, rules_fpg_result_min_count (r),
                rules_fpg_result_itemset_count (r));
        for (uint32_t k = 1; k <= rules_fpg_result_max_len (r); k++)
            printf ("%s%zu", k > 1 ? "/" : "", rules_fpg_result_itemset_count_len (r, k));
        printf (")  rules(conf>=0.5) %-6zu  mine %.3f s  peak RSS %ld KB\n",
                rules_fpg_result_rule_count (r), best, peak_rss_kb ());
        rules_fpg_result_destroy (&r);
    }
    rules_fpg_baskets_destroy (&b);
    rules_item_dict_destroy (&d);
    return 0;
}
