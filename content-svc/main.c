/*  content-svc — TF-IDF neighbours and product search (see serve.h).       */
#include "serve.h"

int
main (int argc, char **argv)
{
    return hr_service_main (argc, argv, &content_service_def);
}
