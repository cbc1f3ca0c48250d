/*  hybridrec migrate — applies the embedded schema migrations.             */
#include "hr_cli.h"
#include "hr_config.h"
#include "hr_log.h"
#include "hr_migrate.h"

#include <stdio.h>
#include <string.h>

static void
s_print_applied (const char *name, void *arg)
{
    (void) arg;
    printf ("applied %s\n", name);
}

static const char s_usage[] =
    "usage: hybridrec migrate\n\nApplies the pending schema migrations (db/migrations,"
    " embedded at build time)\nin order, each in its own transaction; safe to run"
    " repeatedly and concurrently.\n\nconfiguration (environment):\n";

int
hr_cli_migrate (int argc, char **argv)
{
    int exit_code;
    hr_config_t *cfg = hr_config_for_command ("hybridrec migrate", s_usage, NULL, argc, argv,
                                              &exit_code);
    if (!cfg)
        return exit_code;
    hr_log_init ("hybridrec", hr_log_level_parse (hr_config_str (cfg, "HR_LOG_LEVEL")));
    //  No statement timeout: building an index may take a while
    hr_pg_t *pg = hr_pg_new (hr_config_database_url (cfg), 0,
                             (int) hr_config_int (cfg, "HR_PG_CONNECT_WAIT_MS"));
    hr_config_destroy (&cfg);
    if (!pg) {
        fprintf (stderr, "hybridrec migrate: PostgreSQL unreachable (DATABASE_URL)\n");
        return 1;
    }
    int applied = hr_migrate_report (pg, s_print_applied, NULL);
    if (applied < 0)
        fprintf (stderr, "hybridrec migrate: failed: %s\n", hr_pg_error (pg));
    else
        printf ("%d migration%s applied; %d known, schema up to date\n", applied,
                applied == 1 ? "" : "s", hr_migrate_count ());
    hr_pg_destroy (&pg);
    return applied < 0 ? 1 : 0;
}
