/*  The subcommands of bin/hybridrec.  Each takes the arguments after the
    subcommand name (argv[0] is the subcommand), reads the common
    environment configuration itself, prints --help, and returns the exit
    status (0 ok, 1 failure, 2 usage error).  Declared here, in common/, so
    a service folder that implements one needs nothing but common/; only
    cli/ (bin/hybridrec) links them all.                                     */
#ifndef HR_CLI_H
#define HR_CLI_H
int hr_cli_migrate (int argc, char **argv);             /* cli/migrate.c */
int hr_cli_import_catalog (int argc, char **argv);      /* cli/import_catalog.c */
int hr_cli_status (int argc, char **argv);              /* cli/status.c */
int hr_cli_capacity (int argc, char **argv);            /* cli/capacity.c */
int hr_cli_keygen (int argc, char **argv);              /* cli/keygen.c */
int hr_cli_models (int argc, char **argv);              /* cli/models.c */
int hr_cli_backup (int argc, char **argv);              /* cli/backup.c */
int hr_cli_restore (int argc, char **argv);             /* cli/backup.c */
int hr_cli_init (int argc, char **argv);                /* cli/init.c */
int interactions_cli_import_events (int argc, char **argv);     /* interactions-svc/ */
int interactions_cli_migrate_seed_tables (int argc, char **argv);
int content_cli_train (int argc, char **argv);          /* content-svc/ */
int trending_cli_train (int argc, char **argv);         /* trending-svc/ (hourly reconcile) */
int rules_cli_train (int argc, char **argv);            /* rules-svc/ */
int rules_cli_mine (int argc, char **argv);             /* `mine-rules` */
int collab_cli_train (int argc, char **argv);           /* collab-svc/ */
int eval_cli_run (int argc, char **argv);                /* eval/ (`eval`) */
int merge_cli_train (int argc, char **argv);            /* eval/ (`train merge`) */
#endif
