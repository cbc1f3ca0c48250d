/*  hybridrec status — what is loaded where: catalog, models, stores, and
    the live replicas the broker knows about.  Every part degrades to
    "unreachable" on its own, so status is most useful exactly when
    something is down.                                                      */
#include "hr_broker.h"
#include "hr_catalog.h"
#include "hr_cli.h"
#include "hr_client.h"
#include "hr_config.h"
#include "hr_curve.h"
#include "hr_log.h"
#include "hr_model_store.h"
#include "hr_proto.h"
#include "hr_redis.h"
#include "hr_status.h"
#include "hr_wire.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define HR_STATUS_BROKER_TIMEOUT_MS 1500

static void
s_postgres (hr_config_t *cfg)
{
    //  Short waits: status must answer even when everything is down
    hr_pg_t *pg = hr_pg_new (hr_config_database_url (cfg), 5000, 0);
    if (!pg) {
        printf ("postgresql:  unreachable\ncatalog:     unknown\n");
        return;
    }
    printf ("postgresql:  ok\n");
    PGresult *res = hr_pg_exec (pg, "SELECT count(*) FROM products", 0, NULL);
    int64_t version = hr_catalog_version_pg (pg);
    if (res && version >= 0)
        printf ("catalog:     %s products, version %" PRId64 "\n", PQgetvalue (res, 0, 0), version);
    else
        printf ("catalog:     not migrated yet (run `hybridrec migrate`)\n");
    PQclear (res);
    printf ("models:\n");
    for (const char *const *s = hr_proto_models; *s; s++) {
        char *info = hr_model_info_json (pg, *s);
        printf ("  %-10s %s\n", *s, info ? info : "none published");
        free (info);
    }
    hr_pg_destroy (&pg);
}

static void
s_redis (hr_config_t *cfg)
{
    hr_redis_t *redis = hr_redis_new (hr_config_str (cfg, "REDIS_URL"),
                                      (int) hr_config_int (cfg, "HR_REDIS_TIMEOUT_MS"));
    redisReply *r = redis ? hr_redis_command (redis, "PING") : NULL;
    printf ("redis:       %s\n", r && r->type == REDIS_REPLY_STATUS ? "ok" : "unreachable");
    if (r)
        freeReplyObject (r);
    if (redis) {
        printf ("model cache:");
        for (const char *const *s = hr_proto_models; *s; s++) {
            r = hr_redis_command (redis, "GET hr:model:%s:current", *s);
            printf (" %s=%s", *s, r && r->type == REDIS_REPLY_STRING ? r->str : "-");
            if (r)
                freeReplyObject (r);
        }
        printf ("\n");
    }
    hr_redis_destroy (&redis);
}

static void
s_workers (hr_config_t *cfg)
{
    const char *endpoint = hr_config_str (cfg, "HR_BROKER_ENDPOINT");
    hr_client_t *client = hr_client_new (endpoint);
    void *body = NULL;
    size_t len = 0;
    int status = client ? hr_client_call (client, HR_MMI_WORKERS, NULL, 0,
                                          HR_STATUS_BROKER_TIMEOUT_MS, &body, &len)
                        : HR_UNAVAILABLE;
    if (status != HR_OK) {
        printf ("broker:      %s at %s\n", status == HR_EXPIRED ? "no answer" : hr_status_name (status),
                endpoint);
        free (body);
        hr_client_destroy (&client);
        return;
    }
    printf ("broker:      ok at %s\nworkers:\n", endpoint);
    hr_proto_workers_iter_t it;
    hr_proto_workers_iter (&it, body, len);
    const char *name;
    size_t name_len;
    uint32_t workers, n = 0;
    for (; hr_proto_workers_next (&it, &name, &name_len, &workers); n++)
        printf ("  %-14.*s %u live\n", (int) name_len, name, workers);
    if (!hr_proto_workers_ok (&it))
        printf ("  (malformed reply from the broker)\n");
    else if (n == 0)
        printf ("  none registered\n");
    free (body);
    hr_client_destroy (&client);
}

static const char s_usage[] =
    "usage: hybridrec status\n\nPrints the catalog size and version, each strategy's"
    " model version and\ntraining time, whether PostgreSQL and Redis answer, and the"
    " live replicas\nper service according to the broker.\n\nconfiguration (environment):\n";

int
hr_cli_status (int argc, char **argv)
{
    int exit_code;
    hr_config_t *cfg = hr_config_for_command ("hybridrec status", s_usage, NULL, argc, argv,
                                              &exit_code);
    if (!cfg)
        return exit_code;
    //  Only errors: the expected "unreachable" warnings would drown the report
    hr_log_init ("hybridrec", HR_LOG_ERROR);
    if (hr_curve_configure (cfg) != 0) {
        hr_config_destroy (&cfg);
        return 2;
    }
    s_postgres (cfg);
    s_redis (cfg);
    s_workers (cfg);
    hr_config_destroy (&cfg);
    return 0;
}
