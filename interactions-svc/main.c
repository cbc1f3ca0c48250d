/*  interactions-svc — durable event ingestion and per-user history.
    Everything is in serve.c; ops run it with HR_WORKER_THREADS=16 so that
    group commit has concurrent events to batch (docs/interactions.md).    */
#include <czmq.h>
#include "hr_service.h"
#include "serve.h"

int
main (int argc, char **argv)
{
    /*  czmq's one-time setup is not thread-safe: when the worker threads
        open their first sockets at the same moment it asserts
        (zsys_set_thread_name_prefix ... s_open_sockets == 0).  Do it here,
        once, until hr_service_main does (reported to the integrator).     */
    zsys_handler_set (NULL);
    zsys_init ();
    return hr_service_main (argc, argv, &inter_service_def);
}
