/*  interactions-svc — durable event ingestion and per-user history.
    Everything is in serve.c; ops run it with HR_WORKER_THREADS=64 so that
    group commit has concurrent events to batch (docs/interactions.md).    */
#include "hr_service.h"
#include "serve.h"

int
main (int argc, char **argv)
{
    return hr_service_main (argc, argv, &inter_service_def);
}
