/*  hybridrec keygen DIR NAME — makes a CURVE certificate for the broker,
    a service or a gateway (docs/security.md): DIR/NAME (public, give it to
    the broker's HR_CURVE_CLIENTS_DIR or to the workers as
    HR_CURVE_SERVER_PUBLIC) and DIR/NAME_secret (keep it on that host only,
    mode 0600).  Never overwrites: replacing a key is a deliberate act.   */
#include "hr_cli.h"
#include "hr_curve.h"

#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static void
s_usage (FILE *out)
{
    fprintf (out,
             "usage: hybridrec keygen DIR NAME\n\n"
             "Writes a ZeroMQ CURVE certificate pair (czmq zcert format):\n"
             "  DIR/NAME         public: the broker's goes to HR_CURVE_SERVER_PUBLIC,\n"
             "                   a client's or service's into HR_CURVE_CLIENTS_DIR\n"
             "  DIR/NAME_secret  secret (mode 0600): HR_CURVE_SERVER_CERT on the broker,\n"
             "                   HR_CURVE_CLIENT_CERT on a service or gateway\n"
             "NAME: letters, digits, '-', '_', '.'.  Existing files are never overwritten.\n");
}

static bool
s_name_ok (const char *name)
{
    if (!*name || strlen (name) > 100 || name[0] == '.')
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
              || *p == '-' || *p == '_' || *p == '.'))
            return false;
    return true;
}

int
hr_cli_keygen (int argc, char **argv)
{
    if (argc == 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)) {
        s_usage (stdout);
        return 0;
    }
    if (argc != 3) {
        s_usage (stderr);
        return 2;
    }
    const char *dir = argv[1], *name = argv[2];
    if (!s_name_ok (name)) {
        fprintf (stderr, "hybridrec keygen: invalid NAME '%s'\n", name);
        return 2;
    }
    if (!hr_curve_available ()) {
        fprintf (stderr, "hybridrec keygen: this libzmq has no CURVE support (libsodium)\n");
        return 1;
    }
    if (mkdir (dir, 0700) != 0 && errno != EEXIST) {
        fprintf (stderr, "hybridrec keygen: cannot create %s: %s\n", dir, strerror (errno));
        return 1;
    }
    char public_path[4096], secret_path[4096];
    int n = snprintf (public_path, sizeof public_path, "%s/%s", dir, name);
    int m = snprintf (secret_path, sizeof secret_path, "%s/%s_secret", dir, name);
    if (n < 0 || m < 0 || (size_t) m >= sizeof secret_path) {
        fprintf (stderr, "hybridrec keygen: path too long\n");
        return 2;
    }
    if (access (public_path, F_OK) == 0 || access (secret_path, F_OK) == 0) {
        fprintf (stderr, "hybridrec keygen: %s or %s exists; not overwriting\n", public_path,
                 secret_path);
        return 1;
    }
    zcert_t *cert = zcert_new ();
    if (!cert) {
        fprintf (stderr, "hybridrec keygen: cannot generate a key pair\n");
        return 1;
    }
    zcert_set_meta (cert, "name", "%s", name);
    zcert_set_meta (cert, "created-by", "hybridrec keygen");
    //  The secret file is created 0600 from the start (umask), not chmod'ed
    //  afterwards, so it is never readable by others even for a moment.
    mode_t old_mask = umask (077);
    int rc = zcert_save_secret (cert, secret_path);
    umask (old_mask);
    if (rc == 0)
        rc = zcert_save_public (cert, public_path);
    if (rc != 0) {
        fprintf (stderr, "hybridrec keygen: cannot write %s: %s\n", public_path,
                 strerror (errno));
        zcert_destroy (&cert);
        return 1;
    }
    printf ("public:  %s\nsecret:  %s\npublic key: %s\n", public_path, secret_path,
            zcert_public_txt (cert));
    zcert_destroy (&cert);
    return 0;
}
