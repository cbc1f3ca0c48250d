/*  hybridrec models list | rollback STRATEGY VERSION — the kept model
    versions of every strategy (whatever its name) and which one replicas
    serve; rollback makes an older kept version current: every replica
    loads it on its next poll (seconds), without a restart, and the next
    training publishes a new current version again.                        */
#include "hr_cli.h"
#include "hr_config.h"
#include "hr_log.h"
#include "hr_model_store.h"
#include "hr_pg.h"
#include "hr_redis.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
s_help (hr_config_t *cfg, FILE *out)
{
    fprintf (out,
        "usage: hybridrec models list [--json]\n"
        "       hybridrec models rollback STRATEGY VERSION\n\n"
        "list      every kept version (the last 3 per strategy) with its training time,\n"
        "          size and summary; * marks the version replicas serve, (pinned) one\n"
        "          chosen by rollback\n"
        "rollback  serve VERSION of STRATEGY again: every replica loads it within a few\n"
        "          seconds, without a restart.  It stays current until the next training\n"
        "          of that strategy publishes a new version.\n\n"
        "Exit status: 0 ok, 1 failure (unknown version, store down), 2 bad usage.\n\n"
        "configuration (environment):\n");
    if (cfg)
        hr_config_print_help (cfg, out);
}

static int
s_list (hr_pg_t *pg, bool as_json)
{
    char *text = hr_model_list_json (pg);
    if (!text)
        return 1;
    if (as_json) {
        printf ("%s\n", text);
        free (text);
        return 0;
    }
    json_t *list = json_loads (text, 0, NULL);
    free (text);
    if (!json_is_array (list)) {
        json_decref (list);
        return 1;
    }
    printf ("%-12s %8s  %-20s %12s  %s\n", "strategy", "version", "trained_at", "bytes", "summary");
    size_t i;
    json_t *m;
    json_array_foreach (list, i, m) {
        char *meta = json_dumps (json_object_get (m, "meta"), JSON_COMPACT);
        bool current = json_is_true (json_object_get (m, "current"));
        bool pinned = json_is_true (json_object_get (m, "pinned"));
        printf ("%-12s %7" JSON_INTEGER_FORMAT "%s  %-20s %12" JSON_INTEGER_FORMAT "  %s%s\n",
                json_string_value (json_object_get (m, "strategy")),
                json_integer_value (json_object_get (m, "version")), current ? "*" : " ",
                json_string_value (json_object_get (m, "trained_at")),
                json_integer_value (json_object_get (m, "bytes")),
                pinned ? "(pinned) " : "", meta ? meta : "{}");
        free (meta);
    }
    if (json_array_size (list) == 0)
        printf ("(no model published yet: hybridrec train all)\n");
    json_decref (list);
    return 0;
}

static int
s_rollback (hr_config_t *cfg, hr_pg_t *pg, const char *strategy, const char *version_text)
{
    char *end;
    long long version = strtoll (version_text, &end, 10);
    if (end == version_text || *end || version <= 0) {
        fprintf (stderr, "hybridrec models rollback: VERSION must be a positive integer\n");
        return 2;
    }
    hr_redis_t *redis = NULL;
    const char *url = hr_config_str (cfg, "REDIS_URL");
    if (url && *url && !(redis = hr_redis_new (url, (int) hr_config_int (cfg, "HR_REDIS_TIMEOUT_MS")))) {
        fprintf (stderr, "hybridrec models rollback: Redis unreachable: replicas read the current"
                         " version there first, nothing changed\n");
        return 1;
    }
    int rc = hr_model_rollback (pg, redis, strategy, (int64_t) version);
    hr_redis_destroy (&redis);
    if (rc != 0) {
        fprintf (stderr, "hybridrec models rollback: %s version %lld is not available"
                         " (see `hybridrec models list`) or a store failed\n", strategy, version);
        return 1;
    }
    printf ("%s: version %lld is current; replicas load it on their next poll\n", strategy, version);
    return 0;
}

int
hr_cli_models (int argc, char **argv)
{
    const hr_config_var_t *tables[] = { hr_config_common, NULL };
    hr_config_t *cfg = hr_config_new ("hybridrec models", tables);
    if (!cfg)
        return 1;
    bool help = argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0);
    bool list = argc >= 2 && strcmp (argv[1], "list") == 0
                && (argc == 2 || (argc == 3 && strcmp (argv[2], "--json") == 0));
    bool rollback = argc == 4 && strcmp (argv[1], "rollback") == 0;
    if (help || !(list || rollback)) {
        s_help (cfg, help ? stdout : stderr);
        hr_config_destroy (&cfg);
        return help ? 0 : 2;
    }
    if (hr_config_load_or_report (&cfg, "hybridrec models") != 0)
        return 2;
    int level = hr_log_level_parse (hr_config_str (cfg, "HR_LOG_LEVEL"));
    hr_log_init ("cli", level < 0 ? HR_LOG_INFO : (hr_log_level_t) level);
    hr_pg_t *pg = hr_pg_new (hr_config_database_url (cfg),
                             (int) hr_config_int (cfg, "HR_PG_STATEMENT_TIMEOUT_MS"),
                             (int) hr_config_int (cfg, "HR_PG_CONNECT_WAIT_MS"));
    int rc = 1;
    if (!pg)
        fprintf (stderr, "hybridrec models: PostgreSQL unreachable\n");
    else if (list)
        rc = s_list (pg, argc == 3);
    else
        rc = s_rollback (cfg, pg, argv[2], argv[3]);
    hr_pg_destroy (&pg);
    hr_config_destroy (&cfg);
    return rc;
}
