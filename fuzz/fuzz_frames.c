/*  fuzz_frames — the broker protocol's frame decoders (hr_frames: what the
    broker reads from clients and workers, the worker from the broker, the
    client from the broker), over arbitrary multi-frame messages.
    Input: byte 0 picks the decoder (mod 4); then frames, each a u8 length
    and that many bytes (a short last frame takes what is left), at most 10.
    Invariants: every decoded pointer lies inside the frames given; service
    names are NUL-terminated, 1..HR_SERVICE_NAME_MAX bytes, without NUL;
    an accepted message has exactly the frame count its layout says.     */
#include <stdio.h>
#include "fuzz_util.h"
#include "hr_broker.h"
#include "hr_frames.h"

#define MAX_FRAMES 10

static int s_n;
static hr_frame_t s_frames[MAX_FRAMES];

static void
check_inside (const void *p, size_t len)
{
    const uint8_t *q = p;
    for (int i = 0; i < s_n; i++)
        if (q >= s_frames[i].data && q + len <= s_frames[i].data + s_frames[i].size)
            return;
    FUZZ_CHECK (len == 0);
}

static void
check_service (const char *s, size_t len)
{
    FUZZ_CHECK (len >= 1 && len <= HR_SERVICE_NAME_MAX && strlen (s) == len);
}

static void
check_body (const hr_frame_t *body, int index)
{
    FUZZ_CHECK (body == &s_frames[index]);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet_logs ();
    if (size == 0)
        return 0;
    int which = data[0] % 4;
    /*  Each frame in its own allocation, so ASan sees a read past its end. */
    uint8_t *copies[MAX_FRAMES];
    size_t at = 1;
    s_n = 0;
    while (at < size && s_n < MAX_FRAMES) {
        size_t len = data[at++];
        if (len > size - at)
            len = size - at;
        copies[s_n] = malloc (len ? len : 1);
        if (!copies[s_n])
            abort ();
        memcpy (copies[s_n], data + at, len);
        s_frames[s_n] = (hr_frame_t) { copies[s_n], len };
        s_n++;
        at += len;
    }
    const char *why = NULL;
    switch (which) {
    case 0: {
        hr_frames_request_t r;
        if (hr_frames_client_request (s_frames, s_n, &r, &why) == 0) {
            FUZZ_CHECK (s_n == 6);
            check_inside (r.cid, r.cid_len);
            FUZZ_CHECK (r.cid_len >= 1);
            check_service (r.service, r.service_len);
            check_body (r.body, 5);
        }
        else
            FUZZ_CHECK (why != NULL);
        break;
    }
    case 1: {
        hr_frames_worker_t m;
        if (hr_frames_worker_message (s_frames, s_n, &m, &why) == 0) {
            if (m.command == HR_WORKER_READY) {
                FUZZ_CHECK (s_n == 4);
                check_service (m.service, m.service_len);
                FUZZ_CHECK (strncmp (m.service, "mmi.", 4) != 0);
            }
            else if (m.command == HR_WORKER_REPLY) {
                FUZZ_CHECK (s_n == 7);
                check_inside (m.cid, m.cid_len);
                check_body (m.body, 6);
            }
            else
                FUZZ_CHECK (s_n == 3 && (m.command == HR_WORKER_HEARTBEAT
                                         || m.command == HR_WORKER_DISCONNECT));
        }
        else
            FUZZ_CHECK (why != NULL);
        break;
    }
    case 2: {
        hr_frames_broker_t m;
        if (hr_frames_broker_message (s_frames, s_n, &m) == 0) {
            if (m.command == HR_WORKER_REQUEST) {
                FUZZ_CHECK (s_n == 6);
                check_body (m.body, 5);
            }
            else
                FUZZ_CHECK (s_n == 2);
        }
        break;
    }
    default: {
        hr_frames_reply_t m;
        if (hr_frames_reply (s_frames, s_n, &m) == 0) {
            FUZZ_CHECK (s_n == 5);
            check_service (m.service, strlen (m.service));
            check_body (m.body, 4);
        }
        break;
    }
    }
    for (int i = 0; i < s_n; i++)
        free (copies[i]);
    return 0;
}
