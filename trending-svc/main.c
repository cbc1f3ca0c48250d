/*  trending-svc: what is popular right now (see protocol.h).              */
#include "hr_service.h"
#include "serve.h"

int main (int argc, char **argv)
{
    return hr_service_main (argc, argv, &trending_service_def);
}
