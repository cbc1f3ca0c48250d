/*  interactions — group commit (see committer.h).                          */
#include "committer.h"
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cache.h"
#include "hr_client.h"
#include "hr_log.h"
#include "hr_metrics.h"
#include "hr_redis.h"
#include "hr_validate.h"
#include "store.h"
#include "hr_clock.h"

#define DIRTY_MAX 4096          /* users remembered before forgetting all */

typedef struct shard shard_t;

//  The one thread waiting for a set of events (one record, or every record
//  of a batch), on the submitter's stack.  A finished commit signals the
//  tickets of its own events only: no submitter wakes for another's commit
//  (one condition per shard, broadcast, woke every waiting thread).
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t done;
    int pending;                    /* events not yet committed or failed */
} ticket_t;

//  A submitter waiting for its event; lives on the submitter's stack.
typedef struct waiter {
    hr_event_t *ev;
    ticket_t *ticket;               /* whom its commit wakes */
    struct waiter *next;
    int status;
} waiter_t;

//  One committer thread with its own queue and connections.  Users are
//  spread over the shards by a hash of the user id, so one user's events
//  are always committed (and pushed to the cached list) in order, while
//  the shards' transactions overlap: PostgreSQL flushes the WAL for
//  concurrent commits together, so throughput grows with the shard count
//  at the same number of requests in flight.
struct shard {
    inter_committer_config_t config;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work;            /* committer: something queued / stop */
    waiter_t *head, *tail;
    bool stopping;
    int64_t last_ts_ms;
    int fence_ttl_s;                /* outlives any COMMIT (statement timeout) */
    //  Owned by the committer thread only
    inter_store_t *store;
    hr_redis_t *redis;
    hr_strbuf_t resp;               /* the Redis commands of one batch, in RESP */
    waiter_t **batch;
    hr_event_t **events;
    char (*dirty)[HR_USER_ID_MAX + 1];
    int dirty_n;
    bool dirty_all;
    //  Metrics
    hr_counter_t *committed, *failed, *cache_failed, *batch_size[6];
    hr_histogram_t *commit_latency;
};

struct inter_committer {
    int nshards;
    shard_t *shards;
};

static const char *const s_batch_labels[] = {
    "size=\"1\"", "size=\"2-4\"", "size=\"5-16\"", "size=\"17-64\"",
    "size=\"65-256\"", "size=\"257+\"",
};

static int
s_batch_bucket (int n)
{
    return n <= 1 ? 0 : n <= 4 ? 1 : n <= 16 ? 2 : n <= 64 ? 3 : n <= 256 ? 4 : 5;
}

static void
s_remember_dirty (shard_t *self, hr_event_t *const *events, int n)
{
    for (int i = 0; i < n && !self->dirty_all; i++) {
        if (self->dirty_n == DIRTY_MAX) {
            self->dirty_all = true;
            break;
        }
        memcpy (self->dirty[self->dirty_n++], events[i]->user_id, sizeof self->dirty[0]);
    }
}

//  Deletes the cached lists that may miss events.  0 when nothing is dirty.
static int
s_forget_dirty (shard_t *self)
{
    if (self->dirty_all) {
        if (inter_cache_forget_all (self->redis) != 0)
            return -1;
        hr_log (HR_LOG_WARN, "history cache flushed after a long redis outage");
        self->dirty_all = false;
        self->dirty_n = 0;
    }
    if (self->dirty_n > 0) {
        if (inter_cache_forget (self->redis, self->dirty, self->dirty_n) != 0)
            return -1;
        self->dirty_n = 0;
    }
    return 0;
}

//  After the COMMIT: the cache and the stream, in one round trip to Redis.
//  Failures are remembered, never reported to the clients: their events are
//  safe in PostgreSQL.
static void
s_write_through (shard_t *self, hr_event_t *const *events, int n)
{
    if (s_forget_dirty (self) != 0) {
        s_remember_dirty (self, events, n);
        hr_counter_add (self->cache_failed, (uint64_t) n);
        return;
    }
    //  The cache's commands and the stream's XADDs in one buffer, queued
    //  with one call and sent in one round trip (issue 16)
    hr_strbuf_t *buf = &self->resp;
    buf->len = 0;
    int cached = inter_cache_put_push (buf, events, n, self->config.settings.cache_len) == 0
               ? INTER_CACHE_PUSH_CMDS * n : 0;
    int queued = 0;
    while (cached == INTER_CACHE_PUSH_CMDS * n && queued < n
       &&  hr_events_put_xadd (buf, events[queued]) == 0)
        queued++;
    if (buf->len > 0 && hr_redis_append_resp (self->redis, buf->buf, buf->len) != 0)
        cached = queued = 0;        /* Redis down: nothing was queued */
    if (inter_cache_drain (self->redis, cached) != 0 || cached != INTER_CACHE_PUSH_CMDS * n) {
        s_remember_dirty (self, events, n);
        hr_counter_add (self->cache_failed, (uint64_t) n);
        inter_cache_drain (self->redis, queued);    /* the stream replies, if any */
        return;
    }
    int published = 0;
    for (int i = 0; i < queued; i++) {
        redisReply *r;
        if (hr_redis_get_reply (self->redis, &r) != 0)
            break;                  /* the rest went with the connection */
        published += r->type == REDIS_REPLY_STRING;
        freeReplyObject (r);
    }
    //  Consumers reconcile from PostgreSQL after a gap (docs/events.md)
    if (published < n)
        hr_counter_add (self->cache_failed, (uint64_t) (n - published));
}

//  Tells each waiter of a finished commit its status and wakes its thread
//  once all of that thread's events are done.  A waiter and its ticket
//  belong to the submitter, which may return the moment its count reaches
//  zero: a run of waiters of one ticket is settled before that decrement,
//  and neither is touched after it.
static void
s_finish (waiter_t *const *batch, int n, int status)
{
    int i = 0;
    while (i < n) {
        ticket_t *ticket = batch[i]->ticket;
        int run = 0;
        while (i < n && batch[i]->ticket == ticket) {
            batch[i++]->status = status;
            run++;
        }
        pthread_mutex_lock (&ticket->lock);
        ticket->pending -= run;
        if (ticket->pending == 0)
            pthread_cond_signal (&ticket->done);
        pthread_mutex_unlock (&ticket->lock);
    }
}

static void
s_commit_batch (shard_t *self, int n)
{
    for (int i = 0; i < n; i++)
        self->events[i] = self->batch[i]->ev;
    bool fenced = inter_cache_fence_raise (self->redis, &self->resp, self->events, n,
                                           self->fence_ttl_s) == 0;
    double t0 = hr_mono_s ();
    int rc = inter_store_insert (self->store, self->events, n);
    hr_histogram_observe (self->commit_latency, hr_mono_s () - t0);
    hr_counter_inc (self->batch_size[s_batch_bucket (n)]);
    if (rc == 0) {
        hr_counter_add (self->committed, (uint64_t) n);
        if (self->config.after_commit)
            self->config.after_commit (self->config.after_commit_arg, self->events, n);
        if (fenced)
            s_write_through (self, self->events, n);
        else {
            //  a refill may have stored these events already: never push
            s_remember_dirty (self, self->events, n);
            hr_counter_add (self->cache_failed, (uint64_t) n);
        }
    }
    else {
        hr_counter_add (self->failed, (uint64_t) n);
        if (fenced)
            inter_cache_fence_lower (self->redis, &self->resp, self->events, n);
    }

    s_finish (self->batch, n, rc);
}

static void *
s_committer_thread (void *arg)
{
    shard_t *self = arg;
    pthread_mutex_lock (&self->lock);
    while (true) {
        if (!self->head && !self->stopping) {
            if (self->dirty_n > 0 || self->dirty_all) {
                pthread_mutex_unlock (&self->lock);
                s_forget_dirty (self);
                pthread_mutex_lock (&self->lock);
            }
            struct timespec until;
            clock_gettime (CLOCK_REALTIME, &until);
            until.tv_sec += 1;
            if (!self->head && !self->stopping)
                pthread_cond_timedwait (&self->work, &self->lock, &until);
            continue;
        }
        if (!self->head)
            break;              // stopping, and nothing left to commit
        int n = 0;
        while (self->head && n < self->config.settings.batch_max) {
            self->batch[n++] = self->head;
            self->head = self->head->next;
        }
        if (!self->head)
            self->tail = NULL;
        pthread_mutex_unlock (&self->lock);
        s_commit_batch (self, n);
        pthread_mutex_lock (&self->lock);
    }
    pthread_mutex_unlock (&self->lock);
    return NULL;
}

static void s_shard_fini (shard_t *self);

static int
s_shard_init (shard_t *self, const inter_committer_config_t *config)
{
    self->config = *config;
    self->fence_ttl_s = config->settings.statement_timeout_ms / 1000 * 2 + 10;
    self->store = inter_store_new (config->settings.database_url, config->settings.statement_timeout_ms);
    self->redis = hr_redis_new (config->settings.redis_url, config->settings.redis_timeout_ms);
    self->batch = calloc ((size_t) config->settings.batch_max, sizeof *self->batch);
    self->events = calloc ((size_t) config->settings.batch_max, sizeof *self->events);
    self->dirty = calloc (DIRTY_MAX, sizeof *self->dirty);
    self->committed = hr_counter ("hr_interactions_committed_total",
                                  "Events committed to PostgreSQL", NULL);
    self->failed = hr_counter ("hr_interactions_commit_failed_total",
                               "Events whose commit failed (answered UNAVAILABLE)", NULL);
    self->cache_failed = hr_counter ("hr_interactions_write_through_failed_total",
                                     "Committed events not written to the Redis cache/stream", NULL);
    for (int i = 0; i < 6; i++)
        self->batch_size[i] = hr_counter ("hr_interactions_batches_total",
                                          "Group-commit batches by number of events", s_batch_labels[i]);
    self->commit_latency = hr_histogram ("hr_interactions_commit_seconds",
                                         "Time of one group-commit INSERT", NULL);
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->work, NULL);
    self->stopping = true;          // until the thread runs: nothing to join
    if (!self->store || !self->redis || !self->batch || !self->events || !self->dirty)
        return -1;
    self->stopping = false;
    if (pthread_create (&self->thread, NULL, s_committer_thread, self) != 0) {
        self->stopping = true;
        return -1;
    }
    return 0;
}

//  Commits what is still queued, stops the thread, frees.
static void
s_shard_fini (shard_t *self)
{
    pthread_mutex_lock (&self->lock);
    bool running = !self->stopping;
    self->stopping = true;
    pthread_cond_signal (&self->work);
    pthread_mutex_unlock (&self->lock);
    if (running)
        pthread_join (self->thread, NULL);
    pthread_mutex_destroy (&self->lock);
    pthread_cond_destroy (&self->work);
    inter_store_destroy (&self->store);
    hr_redis_destroy (&self->redis);
    hr_strbuf_free (&self->resp);
    free (self->batch);
    free (self->events);
    free (self->dirty);
}

inter_committer_t *
inter_committer_new (const inter_committer_config_t *config)
{
    assert (config);
    assert (config->settings.batch_max > 0 && config->settings.batch_max <= INTER_BATCH_MAX);
    assert (config->settings.committers > 0);
    inter_committer_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->shards = calloc ((size_t) config->settings.committers, sizeof *self->shards);
    if (!self->shards) {
        free (self);
        return NULL;
    }
    for (int i = 0; i < config->settings.committers; i++) {
        self->nshards++;
        if (s_shard_init (&self->shards[i], config) != 0) {
            inter_committer_destroy (&self);
            return NULL;
        }
    }
    return self;
}

void
inter_committer_destroy (inter_committer_t **self_p)
{
    assert (self_p);
    inter_committer_t *self = *self_p;
    if (!self)
        return;
    for (int i = 0; i < self->nshards; i++)
        s_shard_fini (&self->shards[i]);
    free (self->shards);
    free (self);
    *self_p = NULL;
}

static uint32_t
s_user_hash (const char *s)
{
    uint32_t h = 2166136261u;       // FNV-1a
    for (; *s; s++)
        h = (h ^ (unsigned char) *s) * 16777619u;
    return h;
}

//  Queues one waiter on its user's shard; -1 when the shard is stopping.
static int
s_enqueue (inter_committer_t *committer, waiter_t *w)
{
    shard_t *self = &committer->shards[s_user_hash (w->ev->user_id) % (uint32_t) committer->nshards];
    pthread_mutex_lock (&self->lock);
    if (self->stopping) {
        pthread_mutex_unlock (&self->lock);
        return -1;
    }
    //  Never backwards: the cached list's order is commit order, and
    //  history reads order by time
    int64_t now = hr_now_ms ();
    w->ev->ts_ms = now > self->last_ts_ms ? now : self->last_ts_ms;
    self->last_ts_ms = w->ev->ts_ms;
    if (self->tail)
        self->tail->next = w;
    else
        self->head = w;
    self->tail = w;
    pthread_cond_signal (&self->work);
    pthread_mutex_unlock (&self->lock);
    return 0;
}

//  For `pending` events, counted before any is queued (so before any
//  committer can see one).
static void
s_ticket_init (ticket_t *ticket, int pending)
{
    pthread_mutex_init (&ticket->lock, NULL);
    pthread_cond_init (&ticket->done, NULL);
    ticket->pending = pending;
}

//  Waits until every event queued under the ticket is settled.
static void
s_ticket_wait (ticket_t *ticket)
{
    pthread_mutex_lock (&ticket->lock);
    while (ticket->pending > 0)
        pthread_cond_wait (&ticket->done, &ticket->lock);
    pthread_mutex_unlock (&ticket->lock);
    pthread_cond_destroy (&ticket->done);
    pthread_mutex_destroy (&ticket->lock);
}

//  Queues a waiter counted on its ticket; when its shard is stopping the
//  waiter keeps status -1 and is no longer counted.
static void
s_submit_one (inter_committer_t *committer, ticket_t *ticket, waiter_t *w)
{
    w->ticket = ticket;
    if (s_enqueue (committer, w) == 0)
        return;
    pthread_mutex_lock (&ticket->lock);
    ticket->pending--;
    pthread_mutex_unlock (&ticket->lock);
}

int
inter_committer_submit (inter_committer_t *committer, hr_event_t *ev)
{
    assert (committer);
    ticket_t ticket;
    s_ticket_init (&ticket, 1);
    waiter_t w = { .ev = ev, .status = -1 };
    s_submit_one (committer, &ticket, &w);
    s_ticket_wait (&ticket);
    return w.status;
}

int
inter_committer_submit_many (inter_committer_t *committer, hr_event_t *events, int n,
                             int *status)
{
    assert (committer && n >= 0);
    waiter_t *w = calloc ((size_t) n, sizeof *w);
    if (!w)
        return -1;
    //  All queued before waiting for any: they join the same group commits,
    //  and the thread wakes once, when the last of them is settled
    ticket_t ticket;
    s_ticket_init (&ticket, n);
    for (int i = 0; i < n; i++) {
        w[i] = (waiter_t) { .ev = &events[i], .status = -1 };
        s_submit_one (committer, &ticket, &w[i]);
    }
    s_ticket_wait (&ticket);
    for (int i = 0; i < n; i++)
        status[i] = w[i].status;
    free (w);
    return 0;
}
