/*  interactions — interactions-svc's public header: what folders outside
    the service (fuzz/, bench/) may use — the import rows' decoding
    (import_parse.h), the bulk import (import.h) and the request handler
    (serve.h).  Include it as "interactions-svc/interactions.h".            */
#ifndef INTERACTIONS_H
#define INTERACTIONS_H
#include "import.h"
#include "import_parse.h"
#include "serve.h"
#endif
