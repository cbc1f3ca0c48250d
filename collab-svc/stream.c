/*  stream — the event stream into the live overlay (see stream.h).        */
#include "stream.h"
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hr_log.h"
#include "hr_metrics.h"

/*  Reads of the event stream block at most this long, so destroy() never
    waits longer for the thread.                                            */
#define EVENTS_BLOCK_MS 200
#define EVENTS_BATCH 256

struct collab_stream {
    collab_overlay_t *overlay;
    char *redis_url;
    pthread_t thread;
    bool running;
    atomic_bool stop;
    hr_counter_t *c_events;
    hr_gauge_t *g_items, *g_users, *g_entries;
};

static void
s_nap_ms (int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
    nanosleep (&ts, NULL);
}

uint32_t
collab_stream_apply (collab_stream_t *self, const hr_event_t *ev, uint32_t n)
{
    uint32_t applied = collab_overlay_apply (self->overlay, ev, n);
    hr_counter_add (self->c_events, applied);
    collab_overlay_stats_t st;
    collab_overlay_stats (self->overlay, &st);
    hr_gauge_set (self->g_items, st.items);
    hr_gauge_set (self->g_users, st.users);
    hr_gauge_set (self->g_entries, st.entries);
    return applied;
}

static void *
s_thread (void *arg)
{
    collab_stream_t *self = arg;
    hr_event_t *batch = malloc (EVENTS_BATCH * sizeof *batch);
    hr_events_reader_t *reader = NULL;
    while (batch && !atomic_load (&self->stop)) {
        if (!reader && !(reader = hr_events_reader_new (self->redis_url, "$"))) {
            s_nap_ms (EVENTS_BLOCK_MS);
            continue;
        }
        //  Co-clicks may lag the stream by up to HR_EVENTS_GATHER_MS (a
        //  user's own clicks reach /home through interactions-svc at once)
        hr_events_reader_gather (reader, HR_EVENTS_GATHER_MS);
        int n = hr_events_read (reader, batch, EVENTS_BATCH, EVENTS_BLOCK_MS);
        if (n > 0)
            collab_stream_apply (self, batch, (uint32_t) n);
        else if (n < 0)
            s_nap_ms (EVENTS_BLOCK_MS);
    }
    hr_events_reader_destroy (&reader);
    free (batch);
    return NULL;
}

collab_stream_t *
collab_stream_new (collab_overlay_t *overlay, const char *redis_url)
{
    collab_stream_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->overlay = overlay;
    atomic_init (&self->stop, false);
    self->redis_url = redis_url ? strdup (redis_url) : NULL;
    if (redis_url && !self->redis_url) {
        free (self);
        return NULL;
    }
    self->c_events = hr_counter ("collab_overlay_events_total",
                                 "clicks from the event stream applied to the live overlay", NULL);
    self->g_items = hr_gauge ("collab_overlay_items", "items with live co-count deltas", NULL);
    self->g_users = hr_gauge ("collab_overlay_users", "users whose live clicks are tracked", NULL);
    self->g_entries = hr_gauge ("collab_overlay_entries", "live co-count deltas held", NULL);
    if (self->redis_url) {
        if (pthread_create (&self->thread, NULL, s_thread, self) == 0)
            self->running = true;
        else
            hr_warn ("collab: cannot start the events thread; no live updates between retrains");
    }
    return self;
}

void
collab_stream_destroy (collab_stream_t **self_p)
{
    assert (self_p);
    collab_stream_t *self = *self_p;
    if (!self)
        return;
    if (self->running) {
        atomic_store (&self->stop, true);
        pthread_join (self->thread, NULL);
    }
    free (self->redis_url);
    free (self);
    *self_p = NULL;
}
