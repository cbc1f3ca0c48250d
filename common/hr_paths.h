/*  hr_paths — data files found relative to the install prefix.

    A binary installed as <prefix>/bin/X reads its shipped data from
    <prefix>/share/hybridrec/ (`cmake --install`, the image, and the build
    tree, where CMake lays out build/share/hybridrec beside build/bin).  No
    path of the build machine is compiled in.                               */
#ifndef HR_PATHS_H
#define HR_PATHS_H
#include <stddef.h>

/*  The directory of shipped data: <dir of the running binary>/../share/hybridrec
    (HR_DATA_DIR overrides).  0, or -1 when it cannot be determined.        */
int hr_data_dir (char *out, size_t outlen);
/*  Resolves a configured data file: "" stays "" (none), an absolute path or
    a relative one that exists from the working directory is kept, any other
    relative path is taken inside hr_data_dir.  0, or -1 when out is too
    small.                                                                  */
int hr_data_path (const char *value, char *out, size_t outlen);

#endif
