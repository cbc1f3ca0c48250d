/*  interactions — the read path (see history.h).                           */
#include "history.h"
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cache.h"
#include "hr_client.h"
#include "hr_metrics.h"
#include "protocol.h"
#include "store.h"
#include "hr_clock.h"

#define DAY_MS 86400000LL

typedef struct reader {
    inter_store_t *store;
    hr_redis_t *redis;
    hr_event_t *events;         /* room for max(HR_HISTORY_MAX, cache_len) */
    struct reader *next;
} reader_t;

struct inter_history {
    char *database_url, *redis_url;
    int statement_timeout_ms, redis_timeout_ms, cache_len, buf_len;
    pthread_mutex_t lock;
    pthread_cond_t returned;        /* a reader went back to the pool */
    reader_t *idle;
    int readers, max_readers;       /* created so far, cap */
    hr_counter_t *from_redis, *from_pg, *refills;
    hr_gauge_t *open_readers;
    hr_histogram_t *latency;
};

static void
s_reader_destroy (reader_t *r)
{
    inter_store_destroy (&r->store);
    hr_redis_destroy (&r->redis);
    free (r->events);
    free (r);
}

static reader_t *
s_reader_new (inter_history_t *self)
{
    reader_t *r = calloc (1, sizeof *r);
    if (!r)
        return NULL;
    r->store = inter_store_new (self->database_url, self->statement_timeout_ms);
    r->redis = hr_redis_new (self->redis_url, self->redis_timeout_ms);
    r->events = calloc ((size_t) self->buf_len, sizeof *r->events);
    if (!r->store || !r->redis || !r->events) {
        s_reader_destroy (r);
        return NULL;
    }
    return r;
}

static reader_t *
s_take (inter_history_t *self)
{
    pthread_mutex_lock (&self->lock);
    while (!self->idle && self->readers >= self->max_readers)
        pthread_cond_wait (&self->returned, &self->lock);
    reader_t *r = self->idle;
    if (r)
        self->idle = r->next;
    else
        self->readers++;            /* ours to create */
    pthread_mutex_unlock (&self->lock);
    if (r)
        return r;
    r = s_reader_new (self);
    if (!r) {
        pthread_mutex_lock (&self->lock);
        self->readers--;
        pthread_cond_signal (&self->returned);
        pthread_mutex_unlock (&self->lock);
    }
    else
        hr_gauge_add (self->open_readers, 1);
    return r;
}

static void
s_give_back (inter_history_t *self, reader_t *r)
{
    pthread_mutex_lock (&self->lock);
    r->next = self->idle;
    self->idle = r;
    pthread_cond_signal (&self->returned);
    pthread_mutex_unlock (&self->lock);
}

inter_history_t *
inter_history_new (const char *database_url, const char *redis_url,
                   int statement_timeout_ms, int redis_timeout_ms, int cache_len,
                   int max_readers)
{
    assert (max_readers > 0);
    inter_history_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->database_url = strdup (database_url);
    self->redis_url = strdup (redis_url);
    self->statement_timeout_ms = statement_timeout_ms;
    self->redis_timeout_ms = redis_timeout_ms;
    self->cache_len = cache_len;
    self->buf_len = cache_len > HR_HISTORY_MAX ? cache_len : HR_HISTORY_MAX;
    self->max_readers = max_readers;
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->returned, NULL);
    if (!self->database_url || !self->redis_url) {
        inter_history_destroy (&self);
        return NULL;
    }
    self->from_redis = hr_counter ("hr_interactions_history_total",
                                   "History reads by where they were served from",
                                   "source=\"redis\"");
    self->from_pg = hr_counter ("hr_interactions_history_total",
                                "History reads by where they were served from",
                                "source=\"postgresql\"");
    self->refills = hr_counter ("hr_interactions_history_total",
                                "History reads by where they were served from",
                                "source=\"refill\"");
    self->open_readers = hr_gauge ("hr_interactions_history_readers",
                                   "History reader connection pairs open (at most HR_INTERACTIONS_READERS)",
                                   NULL);
    self->latency = hr_histogram ("hr_interactions_history_seconds",
                                  "Time to answer one history call", NULL);
    return self;
}

void
inter_history_destroy (inter_history_t **self_p)
{
    assert (self_p);
    inter_history_t *self = *self_p;
    if (!self)
        return;
    while (self->idle) {
        reader_t *r = self->idle;
        self->idle = r->next;
        s_reader_destroy (r);
    }
    pthread_mutex_destroy (&self->lock);
    pthread_cond_destroy (&self->returned);
    free (self->database_url);
    free (self->redis_url);
    free (self);
    *self_p = NULL;
}

//  A miss: reads the cached window from PostgreSQL, refills the list, and
//  answers from what was read.  Returns events in r->events kept for the
//  request, -1 when PostgreSQL is down, -2 when Redis failed (use PG).
static int
s_refill (inter_history_t *self, reader_t *r, const char *user_id, int64_t now_ms,
          int64_t since_ms, uint32_t limit)
{
    if (inter_cache_refill_begin (r->redis, user_id) != 0)
        return -2;          //  Redis down, or a write of this user in flight
    int m = inter_store_history (r->store, user_id, now_ms - INTER_CACHE_DAYS * DAY_MS,
                                 r->events, self->cache_len);
    if (m < 0) {
        inter_cache_refill_abort (r->redis);
        return -1;
    }
    inter_cache_refill_end (r->redis, user_id, r->events, m, self->cache_len);
    int n = 0;
    for (int i = 0; i < m && (uint32_t) n < limit; i++)
        if (r->events[i].ts_ms > since_ms)
            r->events[n++] = r->events[i];
    return n;
}

//  Writes a read's answer and counts it by where it came from.
static void
s_answer (inter_history_t *self, hr_writer_t *reply, const hr_event_t *events, uint32_t n,
          hr_counter_t *source, double t0)
{
    hr_proto_history_put (reply, events, n);
    hr_counter_inc (source);
    hr_histogram_observe (self->latency, hr_mono_s () - t0);
}

void
inter_history_reply_many (inter_history_t *self, const inter_history_req_t *reqs, int n, int *rc)
{
    assert (self);
    for (int i = 0; i < n; i++)
        rc[i] = 1;                      /* 1: not answered yet */
    reader_t *r = n > 1 ? s_take (self) : NULL;
    if (r) {
        double t0 = hr_mono_s ();
        int64_t now_ms = hr_now_ms ();
        int sent = 0;
        for (int i = 0; i < n; i++) {
            const inter_history_req_t *q = &reqs[i];
            assert (q->limit <= HR_HISTORY_MAX);
            if (q->days > INTER_CACHE_DAYS || q->limit > (uint32_t) self->cache_len)
                continue;
            if (inter_cache_read_send (r->redis, q->user_id, q->limit) != 0)
                break;
            rc[i] = 2;                  /* 2: its read is queued */
            sent++;
        }
        for (int i = 0; i < n && sent > 0; i++) {
            if (rc[i] != 2)
                continue;
            sent--;
            const inter_history_req_t *q = &reqs[i];
            uint32_t got;
            int64_t since_ms = now_ms - (int64_t) q->days * DAY_MS;
            int hit = inter_cache_read_take (r->redis, q->user_id, since_ms, q->limit, r->events, &got);
            rc[i] = 1;
            if (hit == 1) {
                s_answer (self, q->reply, r->events, got, self->from_redis, t0);
                rc[i] = 0;
            }
            /*  Every queued reply is read, even after an error reply: the
                connection is used again.  A lost connection answers the
                rest at once (-1), and they go the single way below.      */
        }
        s_give_back (self, r);
    }
    for (int i = 0; i < n; i++)
        if (rc[i] != 0)
            rc[i] = inter_history_reply (self, reqs[i].user_id, reqs[i].days, reqs[i].limit, reqs[i].reply);
}

int
inter_history_reply (inter_history_t *self, const char *user_id, uint32_t days,
                     uint32_t limit, hr_writer_t *reply)
{
    assert (self);
    assert (limit <= HR_HISTORY_MAX);
    reader_t *r = s_take (self);
    if (!r)
        return -1;
    double t0 = hr_mono_s ();
    int64_t now_ms = hr_now_ms ();
    int64_t since_ms = now_ms - (int64_t) days * DAY_MS;
    int n = -1;
    hr_counter_t *source = NULL;
    if (days <= INTER_CACHE_DAYS && limit <= (uint32_t) self->cache_len) {
        uint32_t got;
        int rc = inter_cache_read (r->redis, user_id, since_ms, limit, r->events, &got);
        if (rc == 1) {
            n = (int) got;
            source = self->from_redis;
        }
        else
        if (rc == 0) {
            n = s_refill (self, r, user_id, now_ms, since_ms, limit);
            if (n == -1) {
                s_give_back (self, r);
                return -1;
            }
            source = self->refills;
        }
    }
    if (n < 0) {
        n = inter_store_history (r->store, user_id, since_ms, r->events, (int) limit);
        if (n < 0) {
            s_give_back (self, r);
            return -1;
        }
        source = self->from_pg;
    }
    s_answer (self, reply, r->events, (uint32_t) n, source, t0);
    s_give_back (self, r);
    return 0;
}
