/*  hr_service — the skeleton every strategy service shares.

    A service is a definition (name, extra config, init/handle/tick/fini);
    hr_service_main is the whole of its main(): parse --help, load config
    (common + the service's own), init logging and metrics, start
    HR_WORKER_THREADS worker threads that answer requests through the broker,
    one tick thread, a metrics/health HTTP listener on HR_METRICS_PORT, and on
    SIGTERM/SIGINT finish in-flight work, deregister and exit 0.

    hr_service_new/destroy run the same thing in-process, for tests.

    Request body convention: str method, then the method's arguments.
    Every service also answers the method "batch" (hr_batch.h): several
    requests in one message, each run through handle() — or all at once
    through handle_batch() when the definition has one.
    handle() reads the arguments from `args`, writes the reply body into
    `reply` and returns an hr_status_t.  On an error status, whatever is in
    `reply` is discarded and replaced by the message written with
    hr_service_error().  handle() is called concurrently from several
    threads; tick() runs alone on its own thread every tick_ms.             */
#ifndef HR_SERVICE_H
#define HR_SERVICE_H
#include <stdbool.h>
#include <stddef.h>
#include "hr_config.h"
#include "hr_proto.h"
#include "hr_swap.h"
#include "hr_wire.h"
#include "hr_status.h"

typedef struct {
    const char *request_id_hex;   /* for logs */
    int64_t deadline_ms;
    char *errbuf;                 /* hr_service_error writes here */
    size_t errcap;
} hr_call_t;

/*  One inner request of a batch, as handle_batch() sees it.  Items whose
    status is already set (>= 0) were rejected before the handler (no
    method, a nested batch, deadline passed): leave them alone.  The
    handler sets every other item's status, writing the reply into
    item->reply or the error with hr_service_error (&item->call, ...).     */
#define HR_BATCH_PENDING (-1)
typedef struct {
    const char *method;
    size_t method_len;
    hr_reader_t args;
    hr_writer_t *reply;
    hr_call_t call;
    int status;
} hr_batch_item_t;

/*  One method a service answers: its name (an HR_M_* of hr_proto.h), the
    kind its arguments decode as (hr_proto_req_get) and its handler.
    `state` is the service's state, `model` what the call works on (the
    data of the snapshot the definition's take() returned; may be NULL).   */
typedef int (hr_method_fn) (void *state, const void *model, const hr_proto_req_t *req,
                            hr_writer_t *reply, hr_call_t *call);
typedef struct {
    const char *name;
    hr_proto_req_kind_t kind;
    hr_method_fn *fn;
} hr_method_t;

typedef struct {
    const char *name;                          /* service name, e.g. "content" */
    const hr_config_var_t *config;             /* extra vars, {NULL}-terminated; may be NULL */
    void *(*init) (hr_config_t *cfg);          /* NULL = failed to start */
    /*  Table-driven answering: the methods ({NULL}-terminated), each run
        with `model` = the data of the snapshot take() returns for the call
        (released after it; no take = NULL model).  no_model: when set, a
        call while there is no model is HR_UNAVAILABLE "<name>: <no_model>". */
    const hr_method_t *methods;
    hr_snapshot_t *(*take) (void *state);
    const char *no_model;
    /*  Or one function for every method (when methods is NULL).           */
    int (*handle) (void *state, const char *method, size_t method_len,
                   hr_reader_t *args, hr_writer_t *reply, hr_call_t *call);
    void (*tick) (void *state);                /* may be NULL */
    int tick_ms;                               /* 0 = 1000 */
    void (*fini) (void *state);                /* may be NULL */
    /*  readiness for /readyz (e.g. a model is loaded); NULL = always ready */
    bool (*ready) (void *state);
    /*  Optional: answers the inner requests of one batch together (e.g. to
        commit their writes in one transaction).  NULL = handle() in turn. */
    void (*handle_batch) (void *state, hr_batch_item_t *items, int n);
} hr_service_def_t;

/*  Formats an error message for the reply (returns `status` for chaining:
    return hr_service_error(call, HR_BAD_REQUEST, "bad limit %d", n);)      */
int hr_service_error (hr_call_t *call, int status, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/*  What an unknown method's answer says before the method's name (and a
    closing quote): a caller may tell a service that predates a method by
    it (the gateway's /home in front of an older trending, gw_home_picks.h;
    older services used the same words, so they are part of the protocol). */
#define HR_SERVICE_UNKNOWN_METHOD "unknown method '"

/*  Runs the handler of `method` from `methods` (ended by {NULL}) on its
    decoded arguments; an unknown method is HR_BAD_REQUEST "<service>:
    unknown method '<m>'" (HR_SERVICE_UNKNOWN_METHOD), undecodable
    arguments HR_BAD_REQUEST "<m>: expected <arguments>".                  */
int hr_service_dispatch (const char *service, const hr_method_t *methods, void *state,
                         const void *model, const char *method, size_t method_len,
                         hr_reader_t *args, hr_writer_t *reply, hr_call_t *call);
/*  Decodes a call of method `name` as `kind` into req: HR_OK, or
    HR_BAD_REQUEST "<name>: expected <arguments>" (what the dispatch
    answers; for a handler that takes items out of a batch itself).       */
int hr_service_decode (const char *name, hr_proto_req_kind_t kind, hr_reader_t *args,
                       hr_proto_req_t *req, hr_call_t *call);

/*  Answers one request as the definition says (its handle(), or its
    methods on the model take() returns).                                  */
int hr_service_handle (const hr_service_def_t *def, void *state, const char *method,
                       size_t method_len, hr_reader_t *args, hr_writer_t *reply,
                       hr_call_t *call);

/*  Defines `const hr_service_def_t var` for a service whose state is a
    `type` destroyed by destroy (&state): the fini adapter is generated;
    the other fields are the designated initialisers given (.name, ...).  */
#define HR_SERVICE_DEFINE(var, type, destroy, ...)                          \
    static void var##_fini (void *state)                                    \
    {                                                                       \
        type *self = state;                                                 \
        destroy (&self);                                                    \
    }                                                                       \
    const hr_service_def_t var = { .fini = var##_fini, __VA_ARGS__ }

int hr_service_main (int argc, char **argv, const hr_service_def_t *def);

typedef struct hr_service hr_service_t;
/*  In-process: `state` already initialised by the caller (init not called);
    threads workers; tick thread started when def->tick.                    */
hr_service_t *hr_service_new (const hr_service_def_t *def, void *state,
                              const char *broker_endpoint, int threads);
void hr_service_destroy (hr_service_t **self_p);   /* graceful; fini not called */

#endif
