/*  The variables content-svc reads (besides the common ones).              */
#include "serve.h"

const hr_config_var_t content_config[] = {
    { "HR_CONTENT_SYNONYMS", HR_CFG_STR, "synonyms.txt",
      "curated synonym file for search (see docs/search.md); a relative path not found from"
      " the working directory is read from PREFIX/share/hybridrec/ (PREFIX = the binary's ../); empty = none", 0, 0 },
    { "HR_CONTENT_THREADS", HR_CFG_INT, "2",
      "threads for building the search index and training", 1, 64 },
    { NULL, 0, NULL, NULL, 0, 0 }
};
