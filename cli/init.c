/*  hybridrec init — what a deployment's first start needs, and nothing
    more on the next ones: migrations (always; they skip what is applied),
    the catalog only while there is none, and a first model only for the
    strategies that have none.  compose's init service and the Kubernetes
    init Job run it on every `up`, so it must be cheap when all is there.  */
#include "hr_cli.h"
#include "hr_config.h"
#include "hr_log.h"
#include "hr_model_store.h"
#include "hr_paths.h"
#include "hr_pg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *strategy;
    int (*train) (int argc, char **argv);
} s_trainers[] = {
    { "content", content_cli_train },
    { "rules", rules_cli_train },
    { "collab", collab_cli_train },
    { "trending", trending_cli_train },
    { NULL, NULL },
};

static void
s_help (hr_config_t *cfg, FILE *out)
{
    fprintf (out,
        "usage: hybridrec init [--catalog FILE] [--no-train]\n\n"
        "Idempotent first start: applies pending migrations; imports FILE (default\n"
        "catalog-sample.csv from <prefix>/share/hybridrec) only when the catalog is\n"
        "empty; trains content, rules, collab and trending only where no model version\n"
        "exists yet.  Running it again changes nothing that is already there.\n\n"
        "  --catalog FILE   the catalog to import into an empty database\n"
        "  --no-train       skip the first training\n\n"
        "Exit status: 0 ok, 1 a step failed, 2 bad usage.\n\n"
        "configuration (environment):\n");
    hr_config_print_help (cfg, out);
}

//  Products in the catalog, -1 when unknown.
static int64_t
s_products (hr_pg_t *pg)
{
    PGresult *res = hr_pg_exec (pg, "SELECT count(*) FROM products", 0, NULL);
    if (!res)
        return -1;
    int64_t n = strtoll (PQgetvalue (res, 0, 0), NULL, 10);
    PQclear (res);
    return n;
}

int
hr_cli_init (int argc, char **argv)
{
    const hr_config_var_t *tables[] = { hr_config_common, NULL };
    hr_config_t *cfg = hr_config_new ("hybridrec init", tables);
    if (!cfg)
        return 1;
    const char *catalog = "catalog-sample.csv";
    bool train = true, help = false, bad = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp (argv[i], "--help") || !strcmp (argv[i], "-h"))
            help = true;
        else if (!strcmp (argv[i], "--catalog") && i + 1 < argc)
            catalog = argv[++i];
        else if (!strcmp (argv[i], "--no-train"))
            train = false;
        else
            bad = true;
    }
    if (help || bad) {
        s_help (cfg, help ? stdout : stderr);
        hr_config_destroy (&cfg);
        return help ? 0 : 2;
    }
    if (hr_config_load_or_report (&cfg, "hybridrec init") != 0)
        return 2;
    char *migrate_argv[] = { "migrate", NULL };
    if (hr_cli_migrate (1, migrate_argv) != 0) {
        hr_config_destroy (&cfg);
        return 1;
    }
    hr_pg_t *pg = hr_pg_new (hr_config_database_url (cfg),
                             (int) hr_config_int (cfg, "HR_PG_STATEMENT_TIMEOUT_MS"),
                             (int) hr_config_int (cfg, "HR_PG_CONNECT_WAIT_MS"));
    int rc = pg ? 0 : 1;
    int64_t products = pg ? s_products (pg) : -1;
    if (products < 0)
        rc = 1;
    else if (products > 0)
        printf ("init: catalog has %" PRId64 " products: not imported again\n", products);
    else {
        char path[4096];
        if (hr_data_path (catalog, path, sizeof path) != 0) {
            fprintf (stderr, "hybridrec init: catalog path too long\n");
            rc = 1;
        }
        else {
            printf ("init: empty catalog: importing %s\n", path);
            char *import_argv[] = { "import-catalog", path, NULL };
            if (hr_cli_import_catalog (2, import_argv) != 0)
                rc = 1;
        }
    }
    bool catalog_ok = rc == 0;
    for (int i = 0; catalog_ok && train && s_trainers[i].strategy; i++) {
        const char *s = s_trainers[i].strategy;
        int64_t v = hr_model_current (pg, NULL, s);
        if (v > 0) {
            printf ("init: %s model version %" PRId64 " exists: not trained again\n", s, v);
            continue;
        }
        printf ("init: no %s model yet: training\n", s);
        char *train_argv[] = { (char *) s, NULL };
        //  One strategy failing does not keep the others from their model
        if (v < 0 || s_trainers[i].train (1, train_argv) != 0) {
            fprintf (stderr, "hybridrec init: training %s failed\n", s);
            rc = 1;
        }
    }
    hr_pg_destroy (&pg);
    hr_config_destroy (&cfg);
    return rc;
}
