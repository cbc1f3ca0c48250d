/*  hybridrec-gateway — the REST API (see gateway/openapi.yaml).             */
#include <czmq.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "gw_catalog.h"
#include "gw_config.h"
#include "gw_server.h"
#include "hr_config.h"
#include "hr_curve.h"
#include "hr_pid.h"
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_version.h"

#define CATALOG_CONNECT_WAIT_MS 10000

int
main (int argc, char **argv)
{
    const hr_config_var_t *const tables[] = { hr_config_common, gw_config_vars, hr_config_merge, NULL };
    hr_config_t *cfg = hr_config_new ("hybridrec-gateway", tables);
    if (!cfg)
        return 1;
    if (hr_version_requested (argc, argv, "hybridrec-gateway", stdout)) {
        hr_config_destroy (&cfg);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0) {
            printf ("usage: hybridrec-gateway [--help | --version]\n"
                    "The hybridrec REST gateway. Configured by environment variables:\n\n");
            hr_config_print_help (cfg, stdout);
            hr_config_destroy (&cfg);
            return 0;
        }
        fprintf (stderr, "hybridrec-gateway: unknown argument %s (try --help)\n", argv[i]);
        hr_config_destroy (&cfg);
        return 2;
    }
    if (hr_config_load_or_report (&cfg, "hybridrec-gateway") != 0
        || hr_config_start_process (cfg, "gateway") != 0) {
        hr_config_destroy (&cfg);
        return 2;
    }
    gw_settings_t settings;
    gw_settings_from_config (cfg, &settings);

    /*  czmq's one-time setup is not thread-safe and asserts when it runs
        after sockets exist: do it before the loop threads open theirs.    */
    zsys_handler_set (NULL);
    hr_pid_install ();          /* getpid without a system call: hr_pid.h */
    zsys_init ();

    /*  Signals are taken synchronously by this thread only.  */
    sigset_t sigs;
    sigemptyset (&sigs);
    sigaddset (&sigs, SIGINT);
    sigaddset (&sigs, SIGTERM);
    pthread_sigmask (SIG_BLOCK, &sigs, NULL);
    signal (SIGPIPE, SIG_IGN);

    gw_catalog_holder_t *catalog = gw_catalog_holder_new (settings.database_url,
                                                          settings.catalog_poll_ms,
                                                          CATALOG_CONNECT_WAIT_MS);
    gw_server_t *server = catalog ? gw_server_new (&settings, catalog) : NULL;
    if (!server) {
        hr_config_destroy (&cfg);
        return 1;
    }
    int sig = 0;
    sigwait (&sigs, &sig);
    hr_log_kv (HR_LOG_INFO, NULL, "shutting down", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT", NULL);
    gw_server_destroy (&server);
    hr_config_destroy (&cfg);
    hr_metrics_reset ();
    return 0;
}
