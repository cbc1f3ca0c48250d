/*  trending_redis — rankings as Redis sorted sets (see redis.h). */
#include "redis.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "protocol.h"

struct trending_redis {
    char *url;
    int timeout_ms;
    uint32_t top;
    hr_redis_t *redis;
    bool stale;
    int64_t last_ms;
};

trending_redis_t *
trending_redis_new (const char *url, int timeout_ms, uint32_t top)
{
    trending_redis_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->url = url ? strdup (url) : NULL;
    if (url && !self->url) {
        free (self);
        return NULL;
    }
    self->timeout_ms = timeout_ms;
    self->top = top;
    return self;
}

void
trending_redis_destroy (trending_redis_t **self_p)
{
    trending_redis_t *self = *self_p;
    if (!self)
        return;
    hr_redis_destroy (&self->redis);
    free (self->url);
    free (self);
    *self_p = NULL;
}

void
trending_redis_stale (trending_redis_t *self)
{
    self->stale = true;
}

hr_redis_t *
trending_redis_conn (trending_redis_t *self)
{
    if (!self->redis && self->url)
        self->redis = hr_redis_new (self->url, self->timeout_ms);
    return self->redis;
}

static int
s_ok (redisReply *r)
{
    int rc = r && r->type != REDIS_REPLY_ERROR ? 0 : -1;
    if (r)
        freeReplyObject (r);
    return rc;
}

/*  ZADD key:tmp score id ... for the first n items.                       */
static int
s_zadd (trending_redis_t *self, const char *tmp, const hr_catalog_t *catalog,
        const trending_rank_t *rank, const uint32_t *items, uint32_t n)
{
    size_t argc = 2 + 2 * (size_t) n;
    const char **argv = malloc (argc * sizeof *argv);
    size_t *lens = malloc (argc * sizeof *lens);
    char (*scores)[32] = malloc ((size_t) n * sizeof *scores);
    int rc = -1;
    if (argv && lens && scores) {
        argv[0] = "ZADD";
        lens[0] = 4;
        argv[1] = tmp;
        lens[1] = strlen (tmp);
        for (uint32_t i = 0; i < n; i++) {
            lens[2 + 2 * i] = (size_t) snprintf (scores[i], sizeof scores[i], "%.9g",
                                                 trending_rank_score (rank, items[i]));
            argv[2 + 2 * i] = scores[i];
            argv[3 + 2 * i] = hr_catalog_at (catalog, items[i])->id;
            lens[3 + 2 * i] = 10;
        }
        rc = s_ok (hr_redis_argv (self->redis, (int) argc, argv, lens));
    }
    free (argv);
    free (lens);
    free (scores);
    return rc;
}

/*  Replaces `key` by the first n items of `items` (atomically via RENAME). */
static int
s_write_zset (trending_redis_t *self, const char *key, const hr_catalog_t *catalog,
              const trending_rank_t *rank, const uint32_t *items, uint32_t n)
{
    char tmp[512];
    snprintf (tmp, sizeof tmp, "%s:tmp", key);
    if (s_ok (hr_redis_command (self->redis, "DEL %s", tmp)) != 0)
        return -1;
    if (n == 0)
        return s_ok (hr_redis_command (self->redis, "DEL %s", key));
    if (s_zadd (self, tmp, catalog, rank, items, n) != 0)
        return -1;
    return s_ok (hr_redis_command (self->redis, "RENAME %s %s", tmp, key));
}

void
trending_redis_write (trending_redis_t *self, const hr_catalog_t *catalog,
                      const trending_rank_t *rank, int64_t now_ms)
{
    if (!self->url || !self->stale || now_ms - self->last_ms < TRENDING_REDIS_WRITE_MS || !self->top
        || !trending_redis_conn (self))
        return;
    self->last_ms = now_ms;
    uint32_t n, ncat, per_cat = self->top / 5 ? self->top / 5 : 1;
    const uint32_t *g = trending_rank_global (rank, &n);
    if (s_write_zset (self, TRENDING_KEY_GLOBAL, catalog, rank, g, n < self->top ? n : self->top))
        return;
    const uint16_t *cats = trending_rank_categories (rank, &ncat);
    for (uint32_t c = 0; c < ncat; c++) {
        char key[512];
        snprintf (key, sizeof key, "%s%s", TRENDING_KEY_CAT_PREFIX, hr_catalog_main_name (catalog, cats[c]));
        const uint32_t *items = trending_rank_category (rank, cats[c], &n);
        if (s_write_zset (self, key, catalog, rank, items, n < per_cat ? n : per_cat))
            return;
    }
    redisReply *r = hr_redis_command (self->redis, "SET %s %lld", TRENDING_KEY_UPDATED, (long long) now_ms);
    if (r)
        freeReplyObject (r);
    self->stale = false;
}
