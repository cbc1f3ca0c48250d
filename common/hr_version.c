/*  hr_version — the build's identity.  HR_VERSION and HR_BUILD_COMMIT are
    compile definitions of this file only (common/CMakeLists.txt), so a new
    commit id recompiles one file.                                          */
#include "hr_version.h"

#include <string.h>

#ifndef HR_VERSION
#define HR_VERSION "0.0.0"
#endif
#ifndef HR_BUILD_COMMIT
#define HR_BUILD_COMMIT "unknown"
#endif

const char *
hr_version (void)
{
    return HR_VERSION;
}

const char *
hr_version_commit (void)
{
    return *HR_BUILD_COMMIT ? HR_BUILD_COMMIT : "unknown";
}

bool
hr_version_requested (int argc, char **argv, const char *program, FILE *out)
{
    for (int i = 1; i < argc; i++)
        if (strcmp (argv[i], "--version") == 0) {
            fprintf (out, "%s %s (commit %s)\n", program, hr_version (), hr_version_commit ());
            return true;
        }
    return false;
}

const char *
hr_version_health_json (void)
{
    //  Both parts are set by CMake from [0-9A-Za-z.+-]: nothing to escape
    return "{\"status\":\"ok\",\"version\":\"" HR_VERSION "\",\"commit\":\"" HR_BUILD_COMMIT "\"}";
}
