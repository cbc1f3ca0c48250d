/*  hr_model_store — versioned model blobs: PostgreSQL is the truth, Redis
    the fast path every replica polls.

    Publishing takes a per-strategy transaction-scoped advisory lock, so two
    trainers finishing together get versions n+1 and n+2 instead of a
    primary-key clash.  Redis is filled after the COMMIT: a reader never
    sees a version PostgreSQL does not have.                                */
#include "hr_model_store.h"
#include "hr_log.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HR_MODEL_REDIS_TTL_S "604800"   /* 7 days */

/*  The version replicas serve: the one `models rollback` pinned (meta key
    model_current:<strategy>, cleared by the next publish) while it is
    still kept, otherwise the newest.  $1 = strategy.                      */
#define S_CURRENT_SQL \
    "coalesce((SELECT v.version FROM meta m JOIN model_versions v" \
    " ON v.strategy = $1 AND v.version::text = m.value" \
    " WHERE m.key = 'model_current:' || $1)," \
    " (SELECT max(version) FROM model_versions WHERE strategy = $1), 0)"

static int
s_exec_ok (hr_pg_t *pg, const char *sql, int n, const char *const *params)
{
    PGresult *res = hr_pg_exec (pg, sql, n, params);
    if (!res)
        return -1;
    PQclear (res);
    return 0;
}

static void
s_redis_store_blob (hr_redis_t *redis, const char *strategy, int64_t version,
                    const void *blob, size_t len)
{
    char key[160];
    snprintf (key, sizeof key, "hr:model:%s:%" PRId64, strategy, version);
    redisReply *r = hr_redis_command (redis, "SET %s %b EX " HR_MODEL_REDIS_TTL_S, key, blob, len);
    if (r)
        freeReplyObject (r);
}

//  The transaction part of publishing: the new version number or -1.
static int64_t
s_publish_pg (hr_pg_t *pg, const char *strategy, const void *blob, size_t len,
              const char *meta_json)
{
    const char *by_strategy[] = { strategy };
    if (s_exec_ok (pg, "SELECT pg_advisory_xact_lock(hashtext('hr:model:' || $1))", 1, by_strategy) != 0)
        return -1;
    PGresult *res = hr_pg_exec (pg, "SELECT coalesce(max(version), 0) + 1 FROM model_versions"
                                    " WHERE strategy = $1", 1, by_strategy);
    if (!res)
        return -1;
    int64_t version = strtoll (PQgetvalue (res, 0, 0), NULL, 10);
    PQclear (res);
    char vtext[24];
    snprintf (vtext, sizeof vtext, "%" PRId64, version);

    //  A new version is current again: it ends any rollback
    if (s_exec_ok (pg, "DELETE FROM meta WHERE key = 'model_current:' || $1", 1, by_strategy) != 0)
        return -1;
    const char *meta_params[] = { strategy, vtext, meta_json };
    if (s_exec_ok (pg, "INSERT INTO model_versions (strategy, version, meta)"
                       " VALUES ($1, $2::bigint, $3::jsonb)", 3, meta_params) != 0)
        return -1;
    //  The blob goes as binary: no hex encoding of a 100 MB model
    const char *blob_params[] = { strategy, vtext, len ? blob : "" };
    int lengths[] = { 0, 0, (int) len };
    int formats[] = { 0, 0, 1 };
    res = hr_pg_exec_ex (pg, "INSERT INTO model_blobs (strategy, version, data)"
                             " VALUES ($1, $2::bigint, $3::bytea)", 3, blob_params, lengths, formats, 0);
    if (!res)
        return -1;
    PQclear (res);
    char keep[24];
    snprintf (keep, sizeof keep, "%d", HR_MODEL_KEEP);
    const char *prune[] = { strategy, vtext, keep };
    if (s_exec_ok (pg, "DELETE FROM model_versions WHERE strategy = $1"
                       " AND version <= $2::bigint - $3::bigint", 3, prune) != 0)
        return -1;
    return version;
}

int
hr_model_publish (hr_pg_t *pg, hr_redis_t *redis, const char *strategy,
                  const void *blob, size_t len, const char *meta_json,
                  int64_t *version_out)
{
    assert (pg);
    assert (strategy);
    assert (blob || len == 0);
    if (len > INT32_MAX) {
        hr_log_kv (HR_LOG_ERROR, NULL, "model too large to publish", "strategy", strategy, NULL);
        return -1;
    }
    if (hr_pg_exec_simple (pg, "BEGIN") != 0)
        return -1;
    int64_t version = s_publish_pg (pg, strategy, blob, len, meta_json);
    if (version < 0 || hr_pg_exec_simple (pg, "COMMIT") != 0) {
        hr_log_kv (HR_LOG_ERROR, NULL, "model publish failed", "strategy", strategy,
                   "error", hr_pg_error (pg), NULL);
        hr_pg_exec_simple (pg, "ROLLBACK");
        return -1;
    }
    if (redis) {
        s_redis_store_blob (redis, strategy, version, blob, len);
        char key[160];
        snprintf (key, sizeof key, "hr:model:%s:current", strategy);
        redisReply *r = hr_redis_command (redis, "SET %s %" PRId64, key, version);
        if (r)
            freeReplyObject (r);
        //  The pruned version's cached blob would only wait for its TTL
        if (version > HR_MODEL_KEEP) {
            snprintf (key, sizeof key, "hr:model:%s:%" PRId64, strategy, version - HR_MODEL_KEEP);
            r = hr_redis_command (redis, "DEL %s", key);
            if (r)
                freeReplyObject (r);
        }
    }
    char vtext[24], size[24];
    snprintf (vtext, sizeof vtext, "%" PRId64, version);
    snprintf (size, sizeof size, "%zu", len);
    hr_log_kv (HR_LOG_INFO, NULL, "model published", "strategy", strategy, "version", vtext,
               "bytes", size, NULL);
    if (version_out)
        *version_out = version;
    return 0;
}

int64_t
hr_model_current (hr_pg_t *pg, hr_redis_t *redis, const char *strategy)
{
    assert (strategy);
    char key[160];
    snprintf (key, sizeof key, "hr:model:%s:current", strategy);
    if (redis) {
        redisReply *r = hr_redis_command (redis, "GET %s", key);
        if (r && r->type == REDIS_REPLY_STRING) {
            char *end;
            int64_t v = strtoll (r->str, &end, 10);
            bool ok = end != r->str && *end == 0 && v > 0;
            freeReplyObject (r);
            if (ok)
                return v;
        }
        else if (r)
            freeReplyObject (r);
    }
    if (!pg)
        return -1;
    const char *params[] = { strategy };
    PGresult *res = hr_pg_exec (pg, "SELECT " S_CURRENT_SQL, 1, params);
    if (!res)
        return -1;
    int64_t version = strtoll (PQgetvalue (res, 0, 0), NULL, 10);
    PQclear (res);
    //  Re-fill an emptied cache, but never overwrite a newer publish
    if (redis && version > 0) {
        redisReply *r = hr_redis_command (redis, "SET %s %" PRId64 " NX", key, version);
        if (r)
            freeReplyObject (r);
    }
    return version;
}

int
hr_model_fetch (hr_pg_t *pg, hr_redis_t *redis, const char *strategy,
                int64_t version, void **blob, size_t *len)
{
    assert (strategy);
    assert (blob && len);
    *blob = NULL;
    *len = 0;
    if (redis) {
        redisReply *r = hr_redis_command (redis, "GET hr:model:%s:%" PRId64, strategy, version);
        if (r && r->type == REDIS_REPLY_STRING) {
            *blob = malloc (r->len ? r->len : 1);
            if (*blob) {
                memcpy (*blob, r->str, r->len);
                *len = r->len;
            }
            freeReplyObject (r);
            return *blob ? 0 : -1;
        }
        if (r)
            freeReplyObject (r);
    }
    if (!pg)
        return -1;
    char vtext[24];
    snprintf (vtext, sizeof vtext, "%" PRId64, version);
    const char *params[] = { strategy, vtext };
    PGresult *res = hr_pg_exec_ex (pg, "SELECT data FROM model_blobs WHERE strategy = $1"
                                       " AND version = $2::bigint", 2, params, NULL, NULL, 1);
    if (!res)
        return -1;
    if (PQntuples (res) != 1) {
        PQclear (res);
        hr_log_kv (HR_LOG_WARN, NULL, "model version not found", "strategy", strategy,
                   "version", vtext, NULL);
        return -1;
    }
    size_t n = (size_t) PQgetlength (res, 0, 0);
    *blob = malloc (n ? n : 1);
    if (!*blob) {
        PQclear (res);
        return -1;
    }
    memcpy (*blob, PQgetvalue (res, 0, 0), n);
    *len = n;
    PQclear (res);
    if (redis)
        s_redis_store_blob (redis, strategy, version, *blob, n);
    return 0;
}

char *
hr_model_info_json (hr_pg_t *pg, const char *strategy)
{
    assert (pg);
    assert (strategy);
    const char *params[] = { strategy };
    PGresult *res = hr_pg_exec (pg,
        "SELECT json_build_object('strategy', strategy, 'version', version,"
        " 'trained_at', to_char(trained_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
        " 'meta', coalesce(meta, '{}'::jsonb))::text"
        " FROM model_versions WHERE strategy = $1 AND version = " S_CURRENT_SQL, 1, params);
    if (!res)
        return NULL;
    char *json = PQntuples (res) == 1 ? strdup (PQgetvalue (res, 0, 0)) : NULL;
    PQclear (res);
    return json;
}

/* ------------------------------------------------- a source for hr_swap */

struct hr_model_source {
    hr_swap_source_t swap;
    char *strategy, *database_url, *redis_url;
    hr_pg_t *pg;
    hr_redis_t *redis;
    hr_model_decode_fn decode;
    void *arg;
};

static bool
s_source_connect (hr_model_source_t *self)
{
    if (!self->database_url)
        return false;
    if (!self->pg)
        self->pg = hr_pg_new (self->database_url, 30000, 0);
    if (!self->redis && self->redis_url)
        self->redis = hr_redis_new (self->redis_url, 200);
    return self->pg != NULL;
}

static int64_t
s_source_current (void *arg)
{
    hr_model_source_t *self = arg;
    if (!self->database_url)
        return 0;
    if (!s_source_connect (self))
        return -1;
    return hr_model_current (self->pg, self->redis, self->strategy);
}

static void *
s_source_load (void *arg, int64_t version)
{
    hr_model_source_t *self = arg;
    void *blob = NULL;
    size_t len = 0;
    if (version == 0)           /* nothing published: the decoder's "no model" */
        return self->decode (self->arg, NULL, 0, 0);
    if (version < 0 || !s_source_connect (self))
        return NULL;
    if (hr_model_fetch (self->pg, self->redis, self->strategy, version, &blob, &len) != 0) {
        hr_warn ("%s: cannot fetch model version %" PRId64, self->strategy, version);
        return NULL;
    }
    void *data = self->decode (self->arg, blob, len, version);
    free (blob);
    return data;
}

hr_model_source_t *
hr_model_source_new (const char *strategy, const char *database_url, const char *redis_url,
                     hr_model_decode_fn decode, void *arg)
{
    hr_model_source_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->strategy = strdup (strategy);
    self->database_url = database_url ? strdup (database_url) : NULL;
    self->redis_url = redis_url ? strdup (redis_url) : NULL;
    if (!self->strategy || (database_url && !self->database_url) || (redis_url && !self->redis_url)) {
        hr_model_source_destroy (&self);
        return NULL;
    }
    self->decode = decode;
    self->arg = arg;
    self->swap = (hr_swap_source_t) { s_source_current, s_source_load, self };
    return self;
}

void
hr_model_source_destroy (hr_model_source_t **self_p)
{
    assert (self_p);
    hr_model_source_t *self = *self_p;
    if (!self)
        return;
    hr_pg_destroy (&self->pg);
    hr_redis_destroy (&self->redis);
    free (self->strategy);
    free (self->database_url);
    free (self->redis_url);
    free (self);
    *self_p = NULL;
}

const hr_swap_source_t *
hr_model_source_swap (hr_model_source_t *self)
{
    return &self->swap;
}

hr_pg_t *
hr_model_source_pg (hr_model_source_t *self)
{
    return self->pg;
}

hr_redis_t *
hr_model_source_redis (hr_model_source_t *self)
{
    return self->redis;
}

int
hr_model_rollback (hr_pg_t *pg, hr_redis_t *redis, const char *strategy, int64_t version)
{
    assert (pg);
    assert (strategy);
    char vtext[24];
    snprintf (vtext, sizeof vtext, "%" PRId64, version);
    const char *params[] = { strategy, vtext };
    if (hr_pg_exec_simple (pg, "BEGIN") != 0)
        return -1;
    //  The publishers' lock: a trainer finishing now goes before or after
    const char *by_strategy[] = { strategy };
    int rc = s_exec_ok (pg, "SELECT pg_advisory_xact_lock(hashtext('hr:model:' || $1))", 1, by_strategy);
    PGresult *res = rc ? NULL : hr_pg_exec (pg, "SELECT 1 FROM model_versions WHERE strategy = $1"
                                                " AND version = $2::bigint", 2, params);
    bool found = res && PQntuples (res) == 1;
    if (res)
        PQclear (res);
    if (found)
        rc = s_exec_ok (pg, "INSERT INTO meta (key, value) VALUES ('model_current:' || $1, $2)"
                            " ON CONFLICT (key) DO UPDATE SET value = excluded.value", 2, params);
    if (!res || !found || rc != 0 || hr_pg_exec_simple (pg, "COMMIT") != 0) {
        hr_pg_exec_simple (pg, "ROLLBACK");
        hr_log_kv (HR_LOG_ERROR, NULL, found || !res ? "model rollback failed" : "no such model version",
                   "strategy", strategy, "version", vtext, "error", hr_pg_error (pg), NULL);
        return -1;
    }
    if (redis) {
        //  Replicas read this first: without it they keep the newer version
        redisReply *r = hr_redis_command (redis, "SET hr:model:%s:current %" PRId64, strategy, version);
        bool ok = r && r->type == REDIS_REPLY_STATUS;
        if (r)
            freeReplyObject (r);
        if (!ok) {
            hr_log_kv (HR_LOG_ERROR, NULL, "model rollback: Redis not updated (replicas keep the"
                       " newer version until it is)", "strategy", strategy, "version", vtext, NULL);
            return -1;
        }
    }
    hr_log_kv (HR_LOG_INFO, NULL, "model rolled back", "strategy", strategy, "version", vtext, NULL);
    return 0;
}

char *
hr_model_list_json (hr_pg_t *pg)
{
    assert (pg);
    PGresult *res = hr_pg_exec (pg,
        "SELECT coalesce(json_agg(json_build_object('strategy', v.strategy, 'version', v.version,"
        " 'trained_at', to_char(v.trained_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
        " 'bytes', (SELECT octet_length(b.data) FROM model_blobs b"
        "           WHERE b.strategy = v.strategy AND b.version = v.version),"
        " 'current', v.version = (SELECT coalesce((SELECT m.value::bigint FROM meta m"
        "     JOIN model_versions p ON p.strategy = v.strategy AND p.version::text = m.value"
        "     WHERE m.key = 'model_current:' || v.strategy),"
        "   (SELECT max(version) FROM model_versions x WHERE x.strategy = v.strategy))),"
        " 'pinned', EXISTS (SELECT 1 FROM meta m WHERE m.key = 'model_current:' || v.strategy"
        "                   AND m.value = v.version::text),"
        " 'meta', coalesce(v.meta, '{}'::jsonb)) ORDER BY v.strategy, v.version), '[]')::text"
        " FROM model_versions v", 0, NULL);
    if (!res)
        return NULL;
    char *json = strdup (PQgetvalue (res, 0, 0));
    PQclear (res);
    return json;
}
