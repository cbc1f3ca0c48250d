/*  hr_version — what was built: the release (CMake project VERSION) and the
    commit it was built from (HR_BUILD_COMMIT, "unknown" when the build did
    not say).  Every binary prints it for --version, /healthz carries it and
    /metrics exports it as hybridrec_build_info{version,commit} 1.          */
#ifndef HR_VERSION_H
#define HR_VERSION_H
#include <stdbool.h>
#include <stdio.h>

const char *hr_version (void);
const char *hr_version_commit (void);
/*  True when argv[1..] holds --version: then "<program> <version> (commit
    <commit>)" has been printed to out and the caller exits 0.             */
bool hr_version_requested (int argc, char **argv, const char *program, FILE *out);
/*  {"status":"ok","version":"..","commit":".."}: the /healthz body (static). */
const char *hr_version_health_json (void);

#endif
