/*  interactions — the service: configuration, state, dispatch, upkeep.     */
#include "serve.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "batch.h"
#include "committer.h"
#include "erase.h"
#include "event.h"
#include "history.h"
#include "hr_batch.h"
#include "hr_client.h"
#include "hr_log.h"
#include "hr_validate.h"
#include "protocol.h"
#include "store.h"
#include "hr_clock.h"

/*  The error of every request the store (PostgreSQL or Redis) could not serve.  */
static const char s_unavailable[] = "interactions store unavailable";

#define MAINTAIN_EVERY_MS  (3600 * 1000)
#define MAINTAIN_RETRY_MS  (10 * 1000)

struct inter_server {
    inter_settings_t settings;
    char *database_url, *redis_url;     /* own copies */
    inter_committer_t *committer;
    inter_history_t *history;
    inter_eraser_t *eraser;
    inter_store_t *upkeep;              /* the tick thread's connection */
    int64_t next_maintain_ms;
};

void
inter_settings_defaults (inter_settings_t *s, const char *database_url, const char *redis_url)
{
    *s = (inter_settings_t) {
        .database_url = database_url, .redis_url = redis_url,
        .statement_timeout_ms = 5000, .redis_timeout_ms = 200,
        .cache_len = 200, .retention_days = 400, .partitions_ahead = 7,
        .batch_max = INTER_BATCH_MAX, .committers = 1, .readers = 8,
    };
}

void
inter_settings_from_config (inter_settings_t *s, hr_config_t *cfg)
{
    *s = (inter_settings_t) {
        .database_url = hr_config_database_url (cfg),
        .redis_url = hr_config_str (cfg, "REDIS_URL"),
        .statement_timeout_ms = (int) hr_config_int (cfg, "HR_PG_STATEMENT_TIMEOUT_MS"),
        .redis_timeout_ms = (int) hr_config_int (cfg, "HR_REDIS_TIMEOUT_MS"),
        .cache_len = (int) hr_config_int (cfg, "HR_HISTORY_CACHE_LEN"),
        .retention_days = (int) hr_config_int (cfg, "HR_INTERACTIONS_RETENTION_DAYS"),
        .partitions_ahead = (int) hr_config_int (cfg, "HR_INTERACTIONS_PARTITIONS_AHEAD"),
        .batch_max = (int) hr_config_int (cfg, "HR_INTERACTIONS_BATCH_MAX"),
        .committers = (int) hr_config_int (cfg, "HR_INTERACTIONS_COMMITTERS"),
        .readers = (int) hr_config_int (cfg, "HR_INTERACTIONS_READERS"),
    };
}

static void
s_maintain (inter_server_t *self)
{
    int changed = inter_store_maintain (self->upkeep, self->settings.partitions_ahead,
                                        self->settings.retention_days);
    if (changed < 0) {
        hr_log (HR_LOG_WARN, "partition maintenance failed; retrying in %d s",
                MAINTAIN_RETRY_MS / 1000);
        self->next_maintain_ms = hr_mono_ms () + MAINTAIN_RETRY_MS;
        return;
    }
    if (changed > 0)
        hr_log (HR_LOG_INFO, "partition maintenance: %d partitions created or dropped", changed);
    self->next_maintain_ms = hr_mono_ms () + MAINTAIN_EVERY_MS;
}

inter_server_t *
inter_server_new (const inter_settings_t *settings)
{
    assert (settings);
    inter_server_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->settings = *settings;
    self->database_url = strdup (settings->database_url);
    self->redis_url = strdup (settings->redis_url);
    if (!self->database_url || !self->redis_url) {
        inter_server_destroy (&self);
        return NULL;
    }
    self->settings.database_url = self->database_url;
    self->settings.redis_url = self->redis_url;
    const inter_settings_t *s = &self->settings;
    inter_committer_config_t cc = { .settings = *s };
    self->committer = inter_committer_new (&cc);
    self->history = inter_history_new (s->database_url, s->redis_url, s->statement_timeout_ms,
                                       s->redis_timeout_ms, s->cache_len, s->readers);
    self->eraser = inter_eraser_new (s->database_url, s->redis_url, s->statement_timeout_ms,
                                     s->redis_timeout_ms);
    self->upkeep = inter_store_new (s->database_url, s->statement_timeout_ms);
    if (!self->committer || !self->history || !self->eraser || !self->upkeep) {
        inter_server_destroy (&self);
        return NULL;
    }
    s_maintain (self);
    return self;
}

void
inter_server_destroy (inter_server_t **self_p)
{
    assert (self_p);
    inter_server_t *self = *self_p;
    if (!self)
        return;
    inter_committer_destroy (&self->committer);
    inter_history_destroy (&self->history);
    inter_eraser_destroy (&self->eraser);
    inter_store_destroy (&self->upkeep);
    free (self->database_url);
    free (self->redis_url);
    free (self);
    *self_p = NULL;
}

//  Decodes and validates one record request into *ev.  HR_OK or an error.
static int
s_record_event (hr_reader_t *args, hr_event_t *ev, hr_call_t *call)
{
    hr_proto_record_t req;
    if (hr_proto_record_get (args, &req) != 0)
        return hr_service_error (call, HR_BAD_REQUEST,
                                 "record: expected str user_id, u8 type, str value");
    char err[128];
    if (inter_event_make (ev, req.user_id, req.user_id_len, req.type, req.value,
                          req.value_len, err, sizeof err) != 0)
        return hr_service_error (call, HR_BAD_REQUEST, "%s", err);
    return HR_OK;
}

static int
s_record (void *state, const void *model, const hr_proto_req_t *req, hr_writer_t *reply,
          hr_call_t *call)
{
    inter_server_t *self = state;
    (void) model;
    (void) reply;
    hr_event_t ev;
    int status = s_record_event (req->args, &ev, call);
    if (status != HR_OK)
        return status;
    if (inter_committer_submit (self->committer, &ev) != 0)
        return hr_service_error (call, HR_UNAVAILABLE, s_unavailable);
    return HR_OK;
}

//  A history request's checks; the user id copied (NUL-terminated) into
//  user_id.  HR_OK or BAD_REQUEST.
static int
s_history_check (const hr_proto_history_req_t *req, char *user_id, hr_call_t *call)
{
    if (!hr_valid_user_id (req->user_id, req->user_id_len))
        return hr_service_error (call, HR_BAD_REQUEST,
                                 "invalid user_id: must match ^[a-zA-Z0-9]{1,50}$");
    if (req->days < 1 || req->days > HR_HISTORY_DAYS_MAX)
        return hr_service_error (call, HR_BAD_REQUEST, "days must be 1..%d", HR_HISTORY_DAYS_MAX);
    if (req->limit < 1 || req->limit > HR_HISTORY_MAX)
        return hr_service_error (call, HR_BAD_REQUEST, "limit must be 1..%d", HR_HISTORY_MAX);
    memcpy (user_id, req->user_id, req->user_id_len);
    user_id[req->user_id_len] = '\0';
    return HR_OK;
}

static int
s_history (void *state, const void *model, const hr_proto_req_t *r, hr_writer_t *reply,
           hr_call_t *call)
{
    inter_server_t *self = state;
    (void) model;
    char user_id[HR_USER_ID_MAX + 1];
    int st = s_history_check (&r->history, user_id, call);
    if (st != HR_OK)
        return st;
    if (inter_history_reply (self->history, user_id, r->history.days, r->history.limit, reply) != 0)
        return hr_service_error (call, HR_UNAVAILABLE, s_unavailable);
    return HR_OK;
}

/*  A client timestamp is accepted from a year back to a day ahead.        */
#define CLIENT_TS_PAST_MS   (366LL * 86400 * 1000)
#define CLIENT_TS_FUTURE_MS (86400LL * 1000)

//  Decodes and validates the events of an `events` call into out (n
//  entries).  HR_OK or BAD_REQUEST naming the first bad event.
static int
s_events_decode (hr_reader_t *args, hr_event_t *out, uint32_t n, hr_call_t *call)
{
    int64_t now = hr_now_ms ();
    for (uint32_t i = 0; i < n; i++) {
        hr_proto_event_in_t in;
        if (hr_proto_events_next (args, &in) != 0)
            return hr_service_error (call, HR_BAD_REQUEST, "events: malformed event %u", i);
        char err[160];
        if (inter_event_make (&out[i], in.user_id, in.user_id_len, in.type, in.value,
                              in.value_len, err, sizeof err) != 0)
            return hr_service_error (call, HR_BAD_REQUEST, "events[%u]: %s", i, err);
        if (in.client_ts_ms != 0 && (in.client_ts_ms < now - CLIENT_TS_PAST_MS
                                     || in.client_ts_ms > now + CLIENT_TS_FUTURE_MS))
            return hr_service_error (call, HR_BAD_REQUEST,
                                     "events[%u]: timestamp must be within a year back and a day ahead", i);
        if (in.rec_id_len && hr_rec_id_surface (in.rec_id, in.rec_id_len) < 0)
            return hr_service_error (call, HR_BAD_REQUEST,
                                     "events[%u]: invalid recommendation_id", i);
        out[i].client_ts_ms = in.client_ts_ms;
        memcpy (out[i].rec_id, in.rec_id, in.rec_id_len);
        out[i].rec_id[in.rec_id_len] = '\0';
    }
    if (hr_proto_events_end (args) != 0)
        return hr_service_error (call, HR_BAD_REQUEST, "events: extra bytes after the events");
    return HR_OK;
}

//  A batch of typed events: all validated first (one bad event refuses the
//  batch, nothing stored), then committed together; OK only when every
//  event is committed.  A failed commit may leave part of the batch stored:
//  the client's retry then stores those twice (at least once, never lost).
static int
s_events (void *state, const void *model, const hr_proto_req_t *req, hr_writer_t *reply,
          hr_call_t *call)
{
    inter_server_t *self = state;
    hr_reader_t *args = req->args;
    (void) model;
    (void) reply;
    uint32_t n;
    if (hr_proto_events_count (args, &n) != 0)
        return hr_service_error (call, HR_BAD_REQUEST, "events: expected 1..%d events",
                                 HR_EVENTS_BATCH_MAX);
    hr_event_t *events = malloc (n * sizeof *events);
    int *status = malloc (n * sizeof *status);
    int rc = HR_OK;
    if (!events || !status)
        rc = hr_service_error (call, HR_INTERNAL, "out of memory");
    else
        rc = s_events_decode (args, events, n, call);
    if (rc == HR_OK) {
        bool all = inter_committer_submit_many (self->committer, events, (int) n, status) == 0;
        for (uint32_t i = 0; all && i < n; i++)
            all = status[i] == 0;
        if (!all)
            rc = hr_service_error (call, HR_UNAVAILABLE, s_unavailable);
    }
    free (events);
    free (status);
    return rc;
}

static int
s_erase (void *state, const void *model, const hr_proto_req_t *req, hr_writer_t *reply,
         hr_call_t *call)
{
    inter_server_t *self = state;
    (void) model;
    const char *user = req->user.id;
    size_t len = req->user.len;
    if (!hr_valid_user_id (user, len))
        return hr_service_error (call, HR_BAD_REQUEST,
                                 "invalid user_id: must match ^[a-zA-Z0-9]{1,50}$");
    char user_id[HR_USER_ID_MAX + 1];
    memcpy (user_id, user, len);
    user_id[len] = '\0';
    hr_proto_erase_reply_t out;
    if (inter_eraser_run (self->eraser, user_id, &out) != 0)
        return hr_service_error (call, HR_UNAVAILABLE, s_unavailable);
    hr_proto_erase_reply_put (reply, &out);
    return HR_OK;
}

static const hr_method_t s_methods[] = {
    { HR_M_RECORD, HR_REQ_RAW, s_record },
    { HR_M_HISTORY, HR_REQ_HISTORY, s_history },
    { HR_M_EVENTS, HR_REQ_RAW, s_events },
    { HR_M_ERASE, HR_REQ_ERASE, s_erase },
    { NULL, HR_REQ_RAW, NULL },
};

/*  A batch: its records are handed to the committer together (one wait,
    shared commits) instead of one commit wait after another; its history
    reads go to Redis together (one round trip, inter_history_reply_many);
    the other methods are answered in turn.                                */
//  The batch's history items, checked, answered together.
static void
s_batch_histories (inter_server_t *self, hr_batch_item_t *items, int n, inter_batch_t *b)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        hr_batch_item_t *item = &items[i];
        if (item->status != HR_BATCH_PENDING
            || !hr_proto_method_is (item->method, item->method_len, HR_M_HISTORY))
            continue;
        hr_proto_req_t req;
        if ((item->status = hr_service_decode (HR_M_HISTORY, HR_REQ_HISTORY, &item->args, &req,
                                               &item->call)) == HR_OK
            && (item->status = s_history_check (&req.history, b->users[k], &item->call)) == HR_OK) {
            b->reads[k] = (inter_history_req_t) { b->users[k], req.history.days, req.history.limit,
                                                  item->reply };
            b->read_item[k++] = i;
            item->status = HR_BATCH_PENDING;
        }
    }
    if (k == 0)
        return;
    inter_history_reply_many (self->history, b->reads, k, b->read_rc);
    for (int j = 0; j < k; j++) {
        hr_batch_item_t *item = &items[b->read_item[j]];
        item->status = b->read_rc[j] == 0 ? HR_OK
            : hr_service_error (&item->call, HR_UNAVAILABLE, s_unavailable);
    }
}

static void
s_handle_batch (void *state, hr_batch_item_t *items, int n)
{
    inter_server_t *self = state;
    assert (n <= HR_BATCH_MAX);     /* hr_service refuses larger batches */
    inter_batch_t scratch, *records = &scratch;
    if (inter_batch_init (records, n) != 0)
        records = NULL;
    else
        s_batch_histories (self, items, n, records);
    int m = 0;
    for (int i = 0; i < n; i++) {
        hr_batch_item_t *item = &items[i];
        if (item->status != HR_BATCH_PENDING)
            continue;
        if (!hr_proto_method_is (item->method, item->method_len, HR_M_RECORD))
            item->status = hr_service_handle (&inter_service_def, self, item->method,
                                              item->method_len, &item->args, item->reply,
                                              &item->call);
        else if (!records)
            item->status = hr_service_error (&item->call, HR_INTERNAL, "out of memory");
        else if ((item->status = s_record_event (&item->args, &records->events[m],
                                                 &item->call)) == HR_OK) {
            item->status = HR_BATCH_PENDING;
            records->item[m++] = i;
        }
    }
    if (m > 0 && inter_committer_submit_many (self->committer, records->events, m,
                                              records->status) != 0)
        for (int k = 0; k < m; k++)
            records->status[k] = -1;
    for (int k = 0; k < m; k++) {
        hr_batch_item_t *item = &items[records->item[k]];
        item->status = records->status[k] == 0 ? HR_OK
            : hr_service_error (&item->call, HR_UNAVAILABLE, s_unavailable);
    }
    if (records)
        inter_batch_free (records);
}

void
inter_server_tick (void *state)
{
    inter_server_t *self = state;
    if (hr_mono_ms () >= self->next_maintain_ms)
        s_maintain (self);
}

static void *
s_init (hr_config_t *cfg)
{
    inter_settings_t settings;
    inter_settings_from_config (&settings, cfg);
    return inter_server_new (&settings);
}

HR_SERVICE_DEFINE (inter_service_def, inter_server_t, inter_server_destroy,
                   .name = HR_SERVICE_INTERACTIONS, .config = inter_config_vars, .init = s_init,
                   .methods = s_methods, .tick = inter_server_tick, .tick_ms = 1000,
                   .handle_batch = s_handle_batch);
