/*  regress_main — runs a fuzz target without libFuzzer: every file of the
    directories (or files) named on the command line goes once through
    LLVMFuzzerTestOneInput, in name order.  A crash or invariant failure
    aborts (the Sanitize build makes ASan/UBSan findings fatal).  A missing
    directory is fine (fuzz/regress/<t>/ exists only once a crash was
    found); no input at all is a failure, so a lost corpus is noticed.      */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));

static int
run_file (const char *path)
{
    FILE *f = fopen (path, "rb");
    if (!f) {
        fprintf (stderr, "cannot open %s\n", path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc (cap);
    size_t n;
    while (buf && (n = fread (buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *nb = realloc (buf, cap *= 2);
            if (!nb) {
                free (buf);
                buf = NULL;
            }
            else
                buf = nb;
        }
    }
    fclose (f);
    if (!buf)
        return -1;
    /*  An exact-size copy, so ASan catches a read one past the input.  */
    uint8_t *exact = malloc (len ? len : 1);
    memcpy (exact, buf, len);
    free (buf);
    fprintf (stderr, "run %s (%zu bytes)\n", path, len);
    LLVMFuzzerTestOneInput (exact, len);
    free (exact);
    return 0;
}

static int
by_name (const struct dirent **a, const struct dirent **b)
{
    return strcmp ((*a)->d_name, (*b)->d_name);
}

int
main (int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize (&argc, &argv);
    long inputs = 0;
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat (argv[i], &st) != 0)
            continue;
        if (!S_ISDIR (st.st_mode)) {
            failed |= run_file (argv[i]) != 0;
            inputs++;
            continue;
        }
        struct dirent **names;
        int n = scandir (argv[i], &names, NULL, by_name);
        for (int k = 0; k < n; k++) {
            if (names[k]->d_name[0] != '.') {
                char path[4096];
                snprintf (path, sizeof path, "%s/%s", argv[i], names[k]->d_name);
                failed |= run_file (path) != 0;
                inputs++;
            }
            free (names[k]);
        }
        free (names);
    }
    printf ("%ld inputs, %s\n", inputs, failed ? "unreadable files" : "no crash");
    return inputs == 0 || failed ? 1 : 0;
}
