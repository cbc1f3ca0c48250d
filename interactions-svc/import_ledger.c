/*  interactions import — the ledger (see import_ledger.h).                 */
#include "import_ledger.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

typedef struct {
    long first, last;
} row_range_t;

struct inter_ledger {
    hr_pg_t *pg;
    char source[2 * 32 + 1];
    char *path;
    row_range_t *done;          /* disjoint, increasing */
    int ndone;
    int cursor;
};

static int
s_digest (FILE *in, int format, const char *user_prefix, char hex[65])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new ();
    if (!md || EVP_DigestInit_ex (md, EVP_sha256 (), NULL) != 1) {
        EVP_MD_CTX_free (md);
        return -1;
    }
    static __thread char block[1 << 16];
    size_t n;
    while ((n = fread (block, 1, sizeof block, in)) > 0)
        EVP_DigestUpdate (md, block, n);
    int failed = ferror (in);
    char options[160];
    int olen = snprintf (options, sizeof options, "\n#format=%d prefix=%s", format, user_prefix);
    EVP_DigestUpdate (md, options, (size_t) olen);
    unsigned char bin[EVP_MAX_MD_SIZE];
    unsigned int blen = 0;
    EVP_DigestFinal_ex (md, bin, &blen);
    EVP_MD_CTX_free (md);
    for (unsigned i = 0; i < 32; i++)
        snprintf (hex + 2 * i, 3, "%02x", bin[i]);
    return failed ? -1 : 0;
}

static int
s_by_first (const void *a, const void *b)
{
    const row_range_t *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

//  Chunks of a run that resumed an earlier one overlap the earlier ones'
//  rows (they skipped them): merge into disjoint ranges for the cursor.
static int
s_load (inter_ledger_t *self)
{
    const char *params[] = { self->source };
    PGresult *res = hr_pg_exec (self->pg,
        "SELECT first_row, last_row FROM import_ledger WHERE source = $1", 1, params);
    if (!res)
        return -1;
    int rows = PQntuples (res);
    self->done = calloc ((size_t) rows + 1, sizeof *self->done);
    if (!self->done) {
        PQclear (res);
        return -1;
    }
    for (int i = 0; i < rows; i++) {
        self->done[i].first = atol (PQgetvalue (res, i, 0));
        self->done[i].last = atol (PQgetvalue (res, i, 1));
    }
    PQclear (res);
    qsort (self->done, (size_t) rows, sizeof *self->done, s_by_first);
    int n = 0;
    for (int i = 0; i < rows; i++) {
        if (n > 0 && self->done[i].first <= self->done[n - 1].last + 1) {
            if (self->done[i].last > self->done[n - 1].last)
                self->done[n - 1].last = self->done[i].last;
        }
        else
            self->done[n++] = self->done[i];
    }
    self->ndone = n;
    return 0;
}

inter_ledger_t *
inter_ledger_new (hr_pg_t *pg, FILE *in, const char *path, int format,
                  const char *user_prefix, char *err, size_t errcap)
{
    assert (pg && in && path && user_prefix);
    inter_ledger_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, errcap, "out of memory");
        return NULL;
    }
    self->pg = pg;
    self->path = strdup (path);
    if (!self->path || s_digest (in, format, user_prefix, self->source) != 0) {
        snprintf (err, errcap, "%s: cannot read the file", path);
        inter_ledger_destroy (&self);
    }
    else
    if (s_load (self) != 0) {
        snprintf (err, errcap, "reading import_ledger: %s", hr_pg_error (pg));
        inter_ledger_destroy (&self);
    }
    return self;
}

void
inter_ledger_destroy (inter_ledger_t **self_p)
{
    assert (self_p);
    inter_ledger_t *self = *self_p;
    if (!self)
        return;
    free (self->path);
    free (self->done);
    free (self);
    *self_p = NULL;
}

bool
inter_ledger_done (inter_ledger_t *self, long row)
{
    assert (self);
    while (self->cursor < self->ndone && self->done[self->cursor].last < row)
        self->cursor++;
    return self->cursor < self->ndone && self->done[self->cursor].first <= row;
}

int
inter_ledger_record (inter_ledger_t *self, long first, long last, long loaded)
{
    assert (self && first <= last);
    char f[24], l[24], n[24];
    snprintf (f, sizeof f, "%ld", first);
    snprintf (l, sizeof l, "%ld", last);
    snprintf (n, sizeof n, "%ld", loaded);
    const char *params[] = { self->source, f, l, n, self->path };
    PGresult *res = hr_pg_exec (self->pg,
        "INSERT INTO import_ledger (source, first_row, last_row, loaded, file)"
        " VALUES ($1, $2::bigint, $3::bigint, $4::int, $5)", 5, params);
    if (!res)
        return -1;
    PQclear (res);
    return 0;
}
