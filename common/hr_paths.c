/*  hr_paths — <prefix>/share/hybridrec from /proc/self/exe.                */
#include "hr_paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
hr_data_dir (char *out, size_t outlen)
{
    const char *env = getenv ("HR_DATA_DIR");
    if (env && *env) {
        int n = snprintf (out, outlen, "%s", env);
        return n < 0 || (size_t) n >= outlen ? -1 : 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = 0;
    char *slash = strrchr (exe, '/');
    if (!slash)
        return -1;
    *slash = 0;                 //  <prefix>/bin
    int w = snprintf (out, outlen, "%s/../share/hybridrec", exe);
    return w < 0 || (size_t) w >= outlen ? -1 : 0;
}

int
hr_data_path (const char *value, char *out, size_t outlen)
{
    if (!value)
        value = "";
    if (!*value || *value == '/' || access (value, F_OK) == 0) {
        int n = snprintf (out, outlen, "%s", value);
        return n < 0 || (size_t) n >= outlen ? -1 : 0;
    }
    char dir[PATH_MAX];
    if (hr_data_dir (dir, sizeof dir) != 0)
        return -1;
    int n = snprintf (out, outlen, "%s/%s", dir, value);
    return n < 0 || (size_t) n >= outlen ? -1 : 0;
}
