#include "basket_file.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int rules_basket_file_read (FILE *in, rules_item_dict_t *dict, rules_fpg_baskets_t *baskets,
                      char *err, size_t errlen)
{
    char *line = NULL;
    size_t line_cap = 0;
    uint32_t *ids = NULL;
    size_t ids_cap = 0;
    long lineno = 0;
    int rc = 0;
    ssize_t len;
    errno = 0;
    while ((len = getline (&line, &line_cap, in)) >= 0) {
        lineno++;
        if (memchr (line, '\0', (size_t) len)) {
            snprintf (err, errlen, "line %ld: NUL byte (not a text basket file)", lineno);
            rc = -1;
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        size_t n = 0;
        for (ssize_t start = 0; start <= len;) {
            const char *comma = memchr (line + start, ',', (size_t) (len - start));
            ssize_t end = comma ? comma - line : len;
            if (end > start) {
                if (n == ids_cap) {
                    size_t cap = ids_cap ? ids_cap * 2 : 64;
                    uint32_t *p = realloc (ids, cap * sizeof *p);
                    if (!p)
                        goto oom;
                    ids = p;
                    ids_cap = cap;
                }
                uint32_t id = rules_item_dict_intern (dict, line + start, (size_t) (end - start));
                if (id == RULES_ITEM_DICT_NONE)
                    goto oom;
                ids[n++] = id;
            }
            start = end + 1;
        }
        if (rules_fpg_baskets_add (baskets, ids, n))
            goto oom;
    }
    if (rc == 0 && ferror (in)) {
        snprintf (err, errlen, "read error after line %ld: %s", lineno, strerror (errno));
        rc = -1;
    }
    free (line);
    free (ids);
    return rc;
oom:
    snprintf (err, errlen, "line %ld: out of memory", lineno);
    free (line);
    free (ids);
    return -1;
}
