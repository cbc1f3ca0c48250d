/*  collab-svc: collaborative filtering from live click histories
    (see protocol.h, serve.h).                                              */
#include "hr_service.h"
#include "serve.h"

int
main (int argc, char **argv)
{
    return hr_service_main (argc, argv, &collab_service_def);
}
