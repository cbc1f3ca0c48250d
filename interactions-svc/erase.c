/*  interactions — erasure (see erase.h).                                    */
#include "erase.h"
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include "cache.h"
#include "hr_client.h"
#include "hr_log.h"
#include "hr_metrics.h"
#include "store.h"

struct inter_eraser {
    pthread_mutex_t lock;
    inter_store_t *store;
    hr_redis_t *redis;
    hr_counter_t *done, *failed;
};

inter_eraser_t *
inter_eraser_new (const char *database_url, const char *redis_url, int statement_timeout_ms,
                  int redis_timeout_ms)
{
    inter_eraser_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init (&self->lock, NULL);
    self->store = inter_store_new (database_url, statement_timeout_ms);
    self->redis = hr_redis_new (redis_url, redis_timeout_ms);
    if (!self->store || !self->redis) {
        inter_eraser_destroy (&self);
        return NULL;
    }
    self->done = hr_counter ("hr_interactions_erasures_total", "User erasures by outcome",
                             "outcome=\"done\"");
    self->failed = hr_counter ("hr_interactions_erasures_total", "User erasures by outcome",
                               "outcome=\"failed\"");
    return self;
}

void
inter_eraser_destroy (inter_eraser_t **self_p)
{
    assert (self_p);
    inter_eraser_t *self = *self_p;
    if (!self)
        return;
    inter_store_destroy (&self->store);
    hr_redis_destroy (&self->redis);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

int
inter_eraser_run (inter_eraser_t *self, const char *user_id, hr_proto_erase_reply_t *out)
{
    assert (self && user_id);
    *out = (hr_proto_erase_reply_t) { 0 };
    pthread_mutex_lock (&self->lock);
    const char *failed = NULL;
    long long rows = inter_store_erase (self->store, user_id);
    int cached = rows < 0 ? -1 : inter_cache_erase (self->redis, user_id);
    long stream = cached < 0 ? -1 : hr_events_erase_user (self->redis, user_id, hr_now_ms ());
    pthread_mutex_unlock (&self->lock);
    if (rows < 0)
        failed = "postgresql";
    else if (cached < 0)
        failed = "redis history";
    else if (stream < 0)
        failed = "redis stream";
    if (failed) {
        hr_counter_inc (self->failed);
        hr_log_kv (HR_LOG_WARN, NULL, "erasure failed", "step", failed, NULL);
        return -1;
    }
    *out = (hr_proto_erase_reply_t) { (uint64_t) rows, (uint32_t) cached, (uint32_t) stream };
    hr_counter_inc (self->done);
    /*  No user id in the log: the erasure is the last trace of the user.   */
    hr_log (HR_LOG_INFO, "user erased: %lld events, %d cached list, %ld stream entries",
            rows, cached, stream);
    return 0;
}
