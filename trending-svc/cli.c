/*  `hybridrec train trending` (trending_cli_train): the hourly
    reconciliation as a command — recompute the forward-decay sums from
    PostgreSQL and publish them as a "trending" model version (running
    replicas reconcile when they see it).                                  */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "hr_cli.h"
#include "hr_client.h"
#include "hr_config.h"
#include "hr_model_store.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "hr_wire.h"
#include "protocol.h"
#include "train.h"

static const char USAGE[] =
    "usage: hybridrec train trending\n"
    "Recomputes the time-decayed click popularity (TRENDING_DECAY_RATE per hour)\n"
    "from the interactions of the last HR_TRENDING_WINDOW_DAYS days and publishes\n"
    "it as a new \"trending\" model version.\n\n";

int trending_cli_train (int argc, char **argv)
{
    const hr_config_var_t *const tables[] = { hr_config_common, trending_config, NULL };
    int exit_code;
    hr_config_t *cfg = hr_config_for_command ("hybridrec train trending", USAGE, tables,
                                              argc, argv, &exit_code);
    if (!cfg)
        return exit_code;
    struct timespec t0;
    clock_gettime (CLOCK_MONOTONIC, &t0);
    hr_pg_t *pg = hr_config_pg (cfg, 600000);
    hr_redis_t *redis = hr_config_redis (cfg);
    int rc = 1;
    trending_snapshot_t snap;
    hr_writer_t w;
    hr_writer_init (&w);
    double rate = hr_config_double (cfg, "TRENDING_DECAY_RATE");
    uint32_t days = (uint32_t) hr_config_int (cfg, "HR_TRENDING_WINDOW_DAYS");
    char err[512];
    if (!pg)
        fprintf (stderr, "train trending: PostgreSQL unreachable (DATABASE_URL)\n");
    else if (trending_snapshot_from_pg (pg, rate, days, hr_now_ms (), &snap, err, sizeof err))
        fprintf (stderr, "train trending: %s\n", err);
    else {
        trending_snapshot_encode (&snap, &w);
        char meta[256];
        snprintf (meta, sizeof meta,
                  "{\"clicks\":%llu,\"products\":%u,\"decay_rate\":%g,\"window_days\":%u,\"t0_ms\":%lld}",
                  (unsigned long long) snap.clicks, snap.n, rate, days, (long long) snap.t0_ms);
        int64_t version = 0;
        if (w.oom || hr_model_publish (pg, redis, HR_MODEL_TRENDING, w.data, w.len, meta, &version))
            fprintf (stderr, "train trending: publishing failed: %s\n", hr_pg_error (pg));
        else {
            struct timespec t1;
            clock_gettime (CLOCK_MONOTONIC, &t1);
            printf ("trending: version %lld: %llu clicks over %u products (decay %g/h, %u days) in %.2f s\n",
                    (long long) version, (unsigned long long) snap.clicks, snap.n, rate, days,
                    (double) (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
            rc = 0;
        }
        trending_snapshot_free (&snap);
    }
    hr_writer_free (&w);
    hr_redis_destroy (&redis);
    hr_pg_destroy (&pg);
    hr_config_destroy (&cfg);
    return rc;
}
