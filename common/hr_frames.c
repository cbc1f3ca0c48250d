/*  hr_frames — frame decoders of the broker protocol (see hr_frames.h).    */
#include "hr_frames.h"
#include "hr_broker.h"
#include "hr_wire.h"

#include <stdbool.h>
#include <string.h>

#define ROUTING_ID_MAX 255      /* libzmq's limit */

static bool
s_is (const hr_frame_t *f, const char *text, size_t len)
{
    return f->size == len && memcmp (f->data, text, len) == 0;
}

/*  A service name: 1..HR_SERVICE_NAME_MAX bytes without NUL, copied out.  */
static bool
s_service_name (const hr_frame_t *f, char *out, size_t *len)
{
    if (f->size == 0 || f->size > HR_SERVICE_NAME_MAX || memchr (f->data, 0, f->size))
        return false;
    memcpy (out, f->data, f->size);
    out[f->size] = '\0';
    *len = f->size;
    return true;
}

int
hr_frames_client_request (const hr_frame_t *f, int n, hr_frames_request_t *out,
                          const char **why)
{
    memset (out, 0, sizeof *out);
    if (n != 6 || f[0].size == 0 || f[0].size > ROUTING_ID_MAX
        || !s_is (&f[1], HR_PROTO_CLIENT, HR_PROTO_HEADER_LEN) || f[3].size != 8
        || f[4].size != 8 || !s_service_name (&f[2], out->service, &out->service_len)) {
        *why = "client request frames";
        return -1;
    }
    out->cid = f[0].data;
    out->cid_len = f[0].size;
    out->id = hr_le64_get (f[3].data);
    out->deadline = (int64_t) hr_le64_get (f[4].data);
    out->body = &f[5];
    return 0;
}

int
hr_frames_worker_message (const hr_frame_t *f, int n, hr_frames_worker_t *out,
                          const char **why)
{
    memset (out, 0, sizeof *out);
    if (n < 3 || f[0].size == 0 || f[0].size > ROUTING_ID_MAX
        || !s_is (&f[1], HR_PROTO_WORKER, HR_PROTO_HEADER_LEN) || f[2].size != 1) {
        *why = "worker command frame";
        return -1;
    }
    out->command = f[2].data[0];
    switch (out->command) {
    case HR_WORKER_READY:
        if (n != 4 || !s_service_name (&f[3], out->service, &out->service_len)
            || strncmp (out->service, "mmi.", 4) == 0) {
            *why = "READY frames";
            return -1;
        }
        return 0;
    case HR_WORKER_REPLY:
        if (n != 7 || f[3].size == 0 || f[3].size > ROUTING_ID_MAX || f[4].size != 8
            || f[5].size != 1) {
            *why = "REPLY frames";
            return -1;
        }
        out->cid = f[3].data;
        out->cid_len = f[3].size;
        out->id = hr_le64_get (f[4].data);
        out->status = f[5].data[0];
        out->body = &f[6];
        return 0;
    case HR_WORKER_HEARTBEAT:
    case HR_WORKER_DISCONNECT:
        if (n != 3) {
            *why = out->command == HR_WORKER_HEARTBEAT ? "HEARTBEAT frames" : "DISCONNECT frames";
            return -1;
        }
        return 0;
    default:
        *why = "unknown worker command";
        return -1;
    }
}

int
hr_frames_broker_message (const hr_frame_t *f, int n, hr_frames_broker_t *out)
{
    memset (out, 0, sizeof *out);
    if (n < 2 || !s_is (&f[0], HR_PROTO_WORKER, HR_PROTO_HEADER_LEN) || f[1].size != 1)
        return -1;
    out->command = f[1].data[0];
    if (out->command == HR_WORKER_REQUEST) {
        if (n != 6 || f[2].size == 0 || f[3].size != 8 || f[4].size != 8)
            return -1;
        out->id = hr_le64_get (f[3].data);
        out->deadline = (int64_t) hr_le64_get (f[4].data);
        out->body = &f[5];
        return 0;
    }
    if ((out->command == HR_WORKER_HEARTBEAT || out->command == HR_WORKER_DISCONNECT) && n == 2)
        return 0;
    return -1;
}

int
hr_frames_reply (const hr_frame_t *f, int n, hr_frames_reply_t *out)
{
    memset (out, 0, sizeof *out);
    size_t service_len;
    if (n != 5 || !s_is (&f[0], HR_PROTO_CLIENT, HR_PROTO_HEADER_LEN)
        || !s_service_name (&f[1], out->service, &service_len) || f[2].size != 8
        || f[3].size != 1)
        return -1;
    out->id = hr_le64_get (f[2].data);
    out->status = f[3].data[0];
    out->body = &f[4];
    return 0;
}
