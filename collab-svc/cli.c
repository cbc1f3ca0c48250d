/*  `hybridrec train collab`: reads the clicks of the interactions table,
    trains collab_model, publishes it with hr_model_store (PostgreSQL +
    Redis); every collab-svc replica picks the new version up from its tick.
    (`hybridrec eval` is eval/, eval_cli.c.)                            */
#include "hr_cli.h"
#include "hr_client.h"
#include "hr_config.h"
#include "hr_log.h"
#include "hr_model_store.h"
#include "hr_pg.h"
#include "hr_redis.h"
#include "model.h"
#include "params.h"
#include "protocol.h"
#include "train_pg.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*  The options into cfg: 0, 1 after --help (printed), -1 on a bad option. */
static int
s_options (hr_config_t *cfg, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0) {
            printf ("usage: hybridrec train collab [--days N] [--gap-minutes M] [--set P=V,...]\n\n"
                    "Learns item neighbours (sequence-aware co-occurrence) and the session-kNN\n"
                    "store from the clicks of the last N days, cut into sessions at pauses > M\n"
                    "minutes, and publishes the model as a new version.\n\nEnvironment:\n");
            hr_config_print_help (cfg, stdout);
            printf ("\nParameters (--set):\n");
            collab_params_help (stdout);
            return 1;
        }
        const char *name = strcmp (argv[i], "--days") == 0 ? "COLLAB_TRAIN_DAYS"
                         : strcmp (argv[i], "--gap-minutes") == 0 ? "COLLAB_SESSION_GAP_MIN"
                         : strcmp (argv[i], "--set") == 0 ? "COLLAB_TRAIN_PARAMS" : NULL;
        if (!name || i + 1 >= argc) {
            fprintf (stderr, "hybridrec train collab: bad option '%s' (see --help)\n", argv[i]);
            return -1;
        }
        hr_config_set (cfg, name, argv[++i]);
    }
    return 0;
}

/*  Publishes a trained model with its summary as meta, and prints it.     */
static int
s_publish (hr_pg_t *pg, hr_redis_t *redis, const collab_log_t *log, const collab_model_t *model,
           const collab_score_params_t *sp, double read_s, double train_s)
{
    size_t len = 0;
    void *blob = collab_model_save (model, &len);
    if (!blob) {
        fprintf (stderr, "hybridrec train collab: out of memory\n");
        return -1;
    }
    char params[1024], meta[2048];
    collab_params_format (&model->params, sp, params, sizeof params);
    snprintf (meta, sizeof meta,
              "{\"clicks\":%u,\"sessions\":%u,\"items\":%u,\"neighbour_pairs\":%u,"
              "\"knn_sessions\":%u,\"read_seconds\":%.2f,\"train_seconds\":%.2f,"
              "\"blob_bytes\":%zu,\"params\":\"%s\"}",
              log->n_events, log->n_sessions, model->n_items, model->nb_start[model->n_items],
              model->n_sessions, read_s, train_s, len, params);
    int64_t version = 0;
    int rc = hr_model_publish (pg, redis, HR_MODEL_COLLAB, blob, len, meta, &version);
    free (blob);
    if (rc != 0) {
        fprintf (stderr, "hybridrec train collab: publishing failed: %s\n", hr_pg_error (pg));
        return -1;
    }
    printf ("collab model version %" PRId64 ": %u clicks in %u sessions, %u items, %u neighbour "
            "pairs, %u sessions for kNN; read %.1f s, trained %.1f s, %.1f MB\n",
            version, log->n_events, log->n_sessions, model->n_items,
            model->nb_start[model->n_items], model->n_sessions, read_s, train_s, len / 1e6);
    return 0;
}

/*  Reads the clicks, trains, publishes.  0 / -1 (printed).                 */
static int
s_train (hr_config_t *cfg, const collab_train_params_t *tp, const collab_score_params_t *sp)
{
    double t0 = hr_mono_s ();
    hr_pg_t *pg = hr_config_pg (cfg, 600000);
    hr_redis_t *redis = hr_config_redis (cfg);
    collab_ids_t *ids = collab_ids_new (1 << 16);
    collab_log_t *log = NULL;
    collab_model_t *model = NULL;
    char err[512];
    int rc = -1;
    if (!pg || !ids)
        fprintf (stderr, "hybridrec train collab: cannot reach PostgreSQL\n");
    else if (!(log = collab_log_from_pg (pg, ids, (int) hr_config_int (cfg, "COLLAB_TRAIN_DAYS"),
                                         hr_config_int (cfg, "COLLAB_SESSION_GAP_MIN") * 60000LL,
                                         isatty (STDERR_FILENO), err, sizeof err)))
        fprintf (stderr, "hybridrec train collab: %s\n", err);
    else {
        double read_s = hr_mono_s () - t0;
        if (!(model = collab_model_train (log, ids, tp)))
            fprintf (stderr, "hybridrec train collab: training failed (out of memory)\n");
        else {
            ids = NULL;                          /* owned by the model */
            rc = s_publish (pg, redis, log, model, sp, read_s, hr_mono_s () - t0 - read_s);
        }
    }
    collab_model_destroy (&model);
    collab_log_destroy (&log);
    collab_ids_destroy (&ids);
    hr_redis_destroy (&redis);
    hr_pg_destroy (&pg);
    return rc;
}

int
collab_cli_train (int argc, char **argv)
{
    const hr_config_var_t *tables[] = { hr_config_common, collab_train_config, NULL };
    hr_config_t *cfg = hr_config_new ("hybridrec train collab", tables);
    if (!cfg)
        return 1;
    int opt = s_options (cfg, argc, argv);
    if (opt != 0) {
        hr_config_destroy (&cfg);
        return opt > 0 ? 0 : 2;
    }
    if (hr_config_load_or_report (&cfg, "hybridrec train collab") != 0)
        return 2;
    hr_log_init ("collab-train", HR_LOG_INFO);
    char err[512];
    collab_train_params_t tp;
    collab_score_params_t sp;
    collab_train_params_default (&tp);
    collab_score_params_default (&sp);
    int rc = 1;
    if (collab_params_apply (hr_config_str (cfg, "COLLAB_TRAIN_PARAMS"), &tp, &sp, err, sizeof err)) {
        fprintf (stderr, "hybridrec train collab: --set: %s\n", err);
        rc = 2;
    }
    else if (s_train (cfg, &tp, &sp) == 0)
        rc = 0;
    hr_config_destroy (&cfg);
    return rc;
}
