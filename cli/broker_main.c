/*  hybridrec-broker — the broker on its own, for deployments with several
    gateways (HR_GATEWAY_EMBED_BROKER=0).  Thin: config, log, metrics, run
    until SIGTERM.                                                          */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <czmq.h>
#include "hr_broker.h"
#include "config.h"
#include "hr_curve.h"
#include "hr_pid.h"
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_version.h"

static volatile sig_atomic_t stopping;
static void on_signal (int sig) { (void) sig; stopping = 1; }

int main (int argc, char **argv)
{
    const hr_config_var_t *tables[] = {hr_config_common, broker_config, NULL};
    hr_config_t *cfg = hr_config_new ("hybridrec-broker", tables);
    if (hr_version_requested (argc, argv, "hybridrec-broker", stdout)) {
        hr_config_destroy (&cfg);
        return 0;
    }
    if (argc > 1 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)) {
        printf ("usage: hybridrec-broker [--help | --version]\n\nRuns the service broker. Configuration (environment):\n");
        hr_config_print_help (cfg, stdout);
        hr_config_destroy (&cfg);
        return 0;
    }
    if (hr_config_load_or_report (&cfg, "hybridrec-broker") != 0
        || hr_config_start_process (cfg, "broker") != 0) {
        hr_config_destroy (&cfg);
        return 2;
    }

    /*  We handle signals ourselves; czmq's handler would swallow SIGTERM.  */
    zsys_handler_set (NULL);
    hr_pid_install ();          /* getpid without a system call: hr_pid.h */
    zsys_init ();
    struct sigaction sa;
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction (SIGTERM, &sa, NULL);
    sigaction (SIGINT, &sa, NULL);

    hr_broker_t *broker = hr_broker_new (hr_config_str (cfg, "HR_BROKER_BIND"));
    if (!broker) {
        hr_config_destroy (&cfg);
        return 1;
    }
    hr_metrics_server_t *metrics =
        hr_metrics_server_new ((int) hr_config_int (cfg, "HR_METRICS_PORT"), NULL, NULL);
    hr_log_kv (HR_LOG_INFO, NULL, "broker started", "endpoint", hr_broker_endpoint (broker), NULL);
    while (!stopping)
        pause ();
    hr_log (HR_LOG_INFO, "broker stopping");
    hr_metrics_server_destroy (&metrics);
    hr_broker_destroy (&broker);
    hr_config_destroy (&cfg);
    return 0;
}
