/*  bin/hybridrec — one command-line tool for operators and data people.
    Every subcommand reads the same environment configuration as the
    services (see `hybridrec <command> --help`).                            */
#include <stdio.h>
#include <string.h>
#include "hr_cli.h"
#include "hr_config.h"
#include "hr_version.h"

typedef struct {
    const char *name;
    int (*run) (int argc, char **argv);
    const char *summary;
} command_t;

static int s_train (int argc, char **argv);

static const command_t commands[] = {
    {"migrate", hr_cli_migrate, "apply pending schema migrations"},
    {"import-catalog", hr_cli_import_catalog, "import products from CSV (spec format or raw Amazon export)"},
    {"import-events", interactions_cli_import_events, "bulk-import historical events (yoochoose, diginetica, csv)"},
    {"migrate-seed-tables", interactions_cli_migrate_seed_tables, "import the original design's {user_id}_interactions tables"},
    {"train", s_train, "train a model: content | collab | rules | trending | merge | all"},
    {"mine-rules", rules_cli_mine, "mine association rules from a basket file"},
    {"eval", eval_cli_run, "offline evaluation of every strategy on an event log"},
    {"status", hr_cli_status, "catalog, model versions, stores and live replicas"},
    {"capacity", hr_cli_capacity, "headroom per gateway, broker and service replica from live /metrics"},
    {"keygen", hr_cli_keygen, "make a ZeroMQ CURVE certificate pair: keygen DIR NAME"},
    {"models", hr_cli_models, "model versions: models list | models rollback STRATEGY VERSION"},
    {"backup", hr_cli_backup, "write products, interactions and models to a directory: backup DIR"},
    {"restore", hr_cli_restore, "load a backup into an empty or existing database: restore DIR"},
    {"init", hr_cli_init, "first start: migrate, import the catalog and train what is missing (idempotent)"},
    {NULL, NULL, NULL},
};

static const command_t trainers[] = {
    {"content", content_cli_train, "TF-IDF neighbours + search index"},
    {"collab", collab_cli_train, "item-to-item and session models from interactions"},
    {"rules", rules_cli_train, "FP-Growth association rules from co-clicks"},
    {"trending", trending_cli_train, "reconcile time-decayed popularity from PostgreSQL"},
    {"merge", merge_cli_train, "the learned merge of /home, fitted on the newest sessions (last: it replays the others)"},
    {NULL, NULL, NULL},
};

static void s_usage (FILE *out, const char *prog, const command_t *table, const char *what)
{
    fprintf (out, "usage: %s %s <command> [options]   (<command> --help for details)\n\ncommands:\n",
             prog, what);
    for (const command_t *c = table; c->name; c++)
        fprintf (out, "  %-20s %s\n", c->name, c->summary);
}

static const command_t *s_find (const command_t *table, const char *name)
{
    for (const command_t *c = table; c->name; c++)
        if (strcmp (c->name, name) == 0)
            return c;
    return NULL;
}

/*  Every trainer runs, whatever another one did: one strategy's failure
    never leaves the others untrained.  One line per strategy, then exit 0
    when all succeeded, 1 when any failed.  */
static int s_train_all (int argc, char **argv)
{
    int rcs[sizeof trainers / sizeof *trainers];
    int failed = 0, n = 0;
    for (const command_t *c = trainers; c->name; c++, n++) {
        /*  Each trainer gets argv[0] = its own name and the remaining flags. */
        char *sub_argv[argc];
        sub_argv[0] = (char *) c->name;
        for (int i = 2; i < argc; i++)
            sub_argv[i - 1] = argv[i];
        sub_argv[argc - 1] = NULL;
        fflush (stdout);
        rcs[n] = c->run (argc - 1, sub_argv);
        fflush (stdout);
        if (rcs[n] != 0) {
            failed++;
            fprintf (stderr, "hybridrec train all: %s failed (exit %d); continuing\n", c->name, rcs[n]);
        }
    }
    printf ("train all:");
    for (int i = 0; i < n; i++)
        printf (" %s %s%s", trainers[i].name, rcs[i] ? "FAILED" : "ok", i + 1 < n ? "," : "\n");
    return failed ? 1 : 0;
}

static int s_train (int argc, char **argv)
{
    if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0) {
        s_usage (argc < 2 ? stderr : stdout, "hybridrec", trainers, "train");
        fprintf (argc < 2 ? stderr : stdout, "  %-20s %s\n", "all", "content, collab, rules, trending, merge in turn; each runs even when another\n"
                 "                       fails; exit 0 when all succeeded, 1 when any failed");
        return argc < 2 ? 2 : 0;
    }
    if (strcmp (argv[1], "all") == 0)
        return s_train_all (argc, argv);
    const command_t *c = s_find (trainers, argv[1]);
    if (!c) {
        fprintf (stderr, "hybridrec train: unknown model '%s'\n", argv[1]);
        s_usage (stderr, "hybridrec", trainers, "train");
        return 2;
    }
    return c->run (argc - 1, argv + 1);
}

int main (int argc, char **argv)
{
    if (argc == 2 && hr_version_requested (argc, argv, "hybridrec", stdout))
        return 0;
    if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0) {
        FILE *out = argc < 2 ? stderr : stdout;
        s_usage (out, "hybridrec", commands, "");
        /*  Every subcommand reads the common configuration.  */
        const hr_config_var_t *tables[] = {hr_config_common, NULL};
        hr_config_t *cfg = hr_config_new ("hybridrec", tables);
        fprintf (out, "\nconfiguration (environment):\n");
        hr_config_print_help (cfg, out);
        hr_config_destroy (&cfg);
        return argc < 2 ? 2 : 0;
    }
    const command_t *c = s_find (commands, argv[1]);
    if (!c) {
        fprintf (stderr, "hybridrec: unknown command '%s'\n", argv[1]);
        s_usage (stderr, "hybridrec", commands, "");
        return 2;
    }
    return c->run (argc - 1, argv + 1);
}
