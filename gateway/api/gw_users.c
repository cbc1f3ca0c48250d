/*  gw_users — DELETE /api/v1/users/{user_id} (see gw_users.h).             */
#include "gw_users.h"
#include "gw_buf.h"
#include "gw_endpoint.h"
#include "gw_fanout.h"
#include "gw_respond.h"
#include "hr_status.h"
#include "hr_validate.h"

typedef struct {
    gw_request_t *r;
    h2o_iovec_t user;
} erase_t;

static void
erase_done (gw_fanout_t *f, void *arg)
{
    erase_t *e = arg;
    gw_request_t *r = e->r;
    const gw_call_t *c = gw_fanout_call (f, 0);
    hr_proto_erase_reply_t out;
    if (c->outcome == GW_CALL_OK && hr_proto_erase_reply_decode (c->body, c->len, &out) != 0) {
        gw_send_error (r, 500, "internal", "malformed reply from the interactions service");
        return;
    }
    if (c->outcome != GW_CALL_OK) {
        if (c->outcome == GW_CALL_FAILED && c->status == HR_BAD_REQUEST)
            gw_send_error (r, 400, "rejected", "%.*s", (int) (c->len < 300 ? c->len : 300),
                           c->body ? (const char *) c->body : "");
        else
            gw_send_error (r, 503, "unavailable", "the erasure did not complete (%s); retry it",
                           c->outcome == GW_CALL_TIMEOUT ? "not answered in time" : "a store is down");
        return;
    }
    gw_buf_t b;
    gw_buf_init (&b, &r->req->pool, 192);
    gw_buf_puts (&b, "{\"user_id\":");
    gw_buf_json_str (&b, e->user.base, e->user.len);
    gw_buf_printf (&b, ",\"erased\":true,\"events_deleted\":%llu,\"cached_history_deleted\":%s,"
                   "\"stream_entries_deleted\":%u}", (unsigned long long) out.events,
                   out.cached ? "true" : "false", out.stream);
    gw_send_json (r, 200, &b);
}

void
gw_handle_user_erase (gw_request_t *r, h2o_iovec_t user)
{
    if (!gw_endpoint_user_id (r, user))
        return;
    gw_fanout_t *f = gw_fanout_new (r->thread->loop, r->req);
    if (!f) {
        gw_send_error (r, 503, "overloaded", "too many requests in flight");
        return;
    }
    erase_t *e = h2o_mem_alloc_pool (&r->req->pool, sizeof *e);
    e->r = r;
    e->user = user;
    hr_writer_t *w = &r->thread->writer;
    gw_fanout_phase (f, GW_WAIT_WRITE);
    hr_proto_erase_put (w, user.base, user.len);
    gw_fanout_add (f, GW_SVC_INTERACTIONS, w->data, w->len);
    gw_fanout_wait (f, erase_done, e);
}
