/*  interactions — the write path: group commit.

    Worker threads hand validated events to inter_committer_submit, which
    blocks.  A committer thread (one per shard of users) takes everything
    pending (up to
    INTER_BATCH_MAX events), INSERTs it in one statement (one transaction),
    then writes it through to the Redis history cache and the event stream,
    and only then wakes the submitters: 0 (committed: reply OK) or -1 (not
    committed: reply UNAVAILABLE; never acknowledged).  While a batch is
    committing the next one gathers, so batches grow with the load without
    any added delay.

    Before the COMMIT the users' cache fences are raised (cache.h), and the
    write-through lowers them: no history refill stores a list while one of
    its user's events is between COMMIT and push.

    Redis is best effort: when a write-through (or raising the fences)
    fails, the users concerned
    are remembered and their cached lists deleted as soon as Redis answers
    again (a cached list must never miss a committed event); the committer
    retries that every second while idle.               */
#ifndef INTER_COMMITTER_H
#define INTER_COMMITTER_H
#include "hr_events.h"
#include "settings.h"

typedef struct {
    /*  the connections, cache_len, batch_max (<= INTER_BATCH_MAX) and
        committers (threads; users are sharded over them)                 */
    inter_settings_t settings;
    /*  Tests only: called on the committer thread between a batch's COMMIT
        and its write-through (where a racing refill does harm).  NULL.     */
    void (*after_commit) (void *arg, hr_event_t *const *events, int n);
    void *after_commit_arg;
} inter_committer_config_t;

typedef struct inter_committer inter_committer_t;

inter_committer_t *inter_committer_new (const inter_committer_config_t *config);
/*  Commits what is still queued, then stops the thread.                    */
void inter_committer_destroy (inter_committer_t **self_p);

/*  Stamps ev->ts_ms (commit order = time order) and blocks until the event
    is committed (0) or failed to commit (-1).  Thread-safe.                */
int inter_committer_submit (inter_committer_t *self, hr_event_t *ev);

/*  The same for n events at once (a batch of requests): all are queued
    before any is waited for, so they share commits.  status[i] is 0 or -1
    per event.  Returns -1 (nothing queued) when out of memory.            */
int inter_committer_submit_many (inter_committer_t *self, hr_event_t *events, int n,
                                 int *status);

#endif
