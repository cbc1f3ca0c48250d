/*  The variables collab-svc reads (besides the common ones).              */
#include "serve.h"

const hr_config_var_t collab_config[] = {
    { "COLLAB_PARAMS", HR_CFG_STR, "",
      "collab scoring parameters name=value,... (see `hybridrec eval --help`)", 0, 0 },
    { "COLLAB_OVERLAY_USERS", HR_CFG_INT, "50000",
      "users whose live clicks update the model between retrains (LRU beyond)", 1, 10000000 },
    { "COLLAB_OVERLAY_ITEMS", HR_CFG_INT, "20000",
      "items with live co-count deltas between retrains (LRU beyond; ~0.5 KB each)", 1, 10000000 },
    { NULL, 0, NULL, NULL, 0, 0 },
};
