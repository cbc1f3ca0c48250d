/*  collab — collab-svc's public header: what folders outside the service
    (fuzz/) may use — the model and its blob (model.h), the scorer
    (score.h) and the sequential rules (seqrules.h).  Include it as
    "collab-svc/collab.h"; everything else in the folder is private.       */
#ifndef COLLAB_H
#define COLLAB_H
#include "model.h"
#include "score.h"
#include "seqrules.h"
#endif
