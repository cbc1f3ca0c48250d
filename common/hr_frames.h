/*  hr_frames — the decoders of the broker protocol's frames (docs/protocol.md,
    "Frames"), shared by hr_broker, hr_worker and hr_client and fuzzed as
    they are (fuzz/fuzz_frames.c).  They only check shapes and read fixed
    fields; what a message means (is this worker registered?) stays in the
    actors.  Every pointer returned points into the frames given.          */
#ifndef HR_FRAMES_H
#define HR_FRAMES_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t *data;
    size_t size;
} hr_frame_t;

/*  Broker, from a client: [cid][HRC1][service][u64 id][i64 deadline][body]. */
typedef struct {
    const uint8_t *cid;
    size_t cid_len;
    char service[64];           /* NUL-terminated, 1..HR_SERVICE_NAME_MAX bytes */
    size_t service_len;
    uint64_t id;
    int64_t deadline;
    const hr_frame_t *body;
} hr_frames_request_t;
/*  0, or -1 with *why set (a static string) when malformed.  */
int hr_frames_client_request (const hr_frame_t *f, int n, hr_frames_request_t *out,
                              const char **why);

/*  Broker, from a worker: [wid][HRW1][u8 command] + per command
      READY      [service]   (not "mmi.*")
      REPLY      [cid][u64 id][u8 status][body]
      HEARTBEAT, DISCONNECT  nothing more.                                 */
typedef struct {
    uint8_t command;
    char service[64];           /* READY */
    size_t service_len;
    const uint8_t *cid;         /* REPLY */
    size_t cid_len;
    uint64_t id;
    uint8_t status;
    const hr_frame_t *body;
} hr_frames_worker_t;
int hr_frames_worker_message (const hr_frame_t *f, int n, hr_frames_worker_t *out,
                              const char **why);

/*  Worker, from the broker: [HRW1][u8 command] + for REQUEST
    [cid][u64 id][i64 deadline][body]; HEARTBEAT and DISCONNECT carry
    nothing more.  */
typedef struct {
    uint8_t command;
    uint64_t id;                /* REQUEST */
    int64_t deadline;
    const hr_frame_t *body;
} hr_frames_broker_t;
int hr_frames_broker_message (const hr_frame_t *f, int n, hr_frames_broker_t *out);

/*  Client, from the broker: [HRC1][service][u64 id][u8 status][body].     */
typedef struct {
    char service[64];
    uint64_t id;
    uint8_t status;
    const hr_frame_t *body;
} hr_frames_reply_t;
int hr_frames_reply (const hr_frame_t *f, int n, hr_frames_reply_t *out);

#endif
