/*  rules-svc: association rules over co-clicked products (see protocol.h). */
#include "hr_service.h"
#include "serve.h"

int main (int argc, char **argv)
{
    return hr_service_main (argc, argv, &rules_service_def);
}
