/*  content_gen — a large catalog made of real rows, for scale benchmarks.

    Reads real product CSVs (spec or raw format) and writes N products in the
    spec format: each output row takes a real row as template (categories,
    image, prices, rating) and a name recombined from two real names of the
    same sub-category (the first half of one title's words + the second half
    of another's), so vocabulary, title lengths, category sizes and the
    near-duplicate structure stay those of the real data.  Ids are "G" + 9
    digits.  Deterministic for a given seed.

    usage: content_gen N SEED OUT.csv FILE.csv...
    e.g.   content_gen 550000 1 /tmp/catalog-550k.csv (every real CSV) */
#include "content-svc/catalog_csv.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t
rng (uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/*  CSV field: quoted, with doubled quotes.  */
static void
put_field (FILE *f, const char *s)
{
    fputc ('"', f);
    for (; s && *s; s++) {
        if (*s == '"')
            fputc ('"', f);
        fputc (*s, f);
    }
    fputc ('"', f);
}

static void
put_number (FILE *f, double v, const char *fmt)
{
    if (v == v)
        fprintf (f, fmt, v);
}

/*  Byte offset of the middle word boundary of a title.  */
static size_t
middle (const char *s)
{
    size_t n = strlen (s), m = n / 2;
    while (m < n && s[m] != ' ')
        m++;
    return m;
}

int
main (int argc, char **argv)
{
    if (argc < 5) {
        fprintf (stderr, "usage: %s N SEED OUT.csv FILE.csv...\n", argv[0]);
        return 2;
    }
    long n = atol (argv[1]);
    uint64_t seed = (uint64_t) atoll (argv[2]) * 0x9E3779B97F4A7C15ULL + 1;
    hr_catalog_t *cat = content_catalog_from_csv ((const char *const *) argv + 4);
    if (!cat || n <= 0) {
        fprintf (stderr, "cannot read the real rows\n");
        return 1;
    }
    uint32_t real = hr_catalog_size (cat), subs = hr_catalog_sub_count (cat);
    /*  products grouped by sub-category, to recombine within an aisle      */
    uint32_t *start = calloc (subs + 1, sizeof *start), *by = malloc (real * sizeof *by);
    for (uint32_t i = 0; i < real; i++)
        start[hr_catalog_at (cat, i)->sub_cat + 1]++;
    for (uint32_t s = 0; s < subs; s++)
        start[s + 1] += start[s];
    uint32_t *fill = malloc ((subs + 1) * sizeof *fill);
    memcpy (fill, start, (subs + 1) * sizeof *fill);
    for (uint32_t i = 0; i < real; i++)
        by[fill[hr_catalog_at (cat, i)->sub_cat]++] = i;
    FILE *out = fopen (argv[3], "w");
    if (!out) {
        perror (argv[3]);
        return 1;
    }
    fprintf (out, "id,name,main_category,sub_category,image,link,ratings,no_of_ratings,"
                  "discount_price,actual_price,discount_ratio\n");
    char name[2048];
    for (long k = 0; k < n; k++) {
        const hr_product_t *a = hr_catalog_at (cat, (uint32_t) (rng (&seed) % real));
        uint32_t s = a->sub_cat, size = start[s + 1] - start[s];
        const hr_product_t *b = hr_catalog_at (cat, by[start[s] + rng (&seed) % size]);
        size_t ma = middle (a->name), mb = middle (b->name);
        snprintf (name, sizeof name, "%.*s%s", (int) ma, a->name, b->name + mb);
        fprintf (out, "G%09ld,", k);
        put_field (out, name);
        fputc (',', out);
        put_field (out, a->main_category);
        fputc (',', out);
        put_field (out, a->sub_category);
        fputc (',', out);
        put_field (out, a->image);
        fputc (',', out);
        put_field (out, a->link);
        fputc (',', out);
        put_number (out, a->rating, "%.1f");
        fprintf (out, ",%lld,", (long long) a->reviews);
        put_number (out, a->price, "%.2f");
        fputc (',', out);
        put_number (out, a->original_price, "%.2f");
        fputc (',', out);
        put_number (out, a->discount_ratio, "%.4f");
        fputc ('\n', out);
    }
    if (fclose (out) != 0) {
        perror (argv[3]);
        return 1;
    }
    fprintf (stderr, "wrote %ld products from %u real rows (%u sub-categories) to %s\n",
             n, real, subs, argv[3]);
    free (start);
    free (by);
    free (fill);
    hr_catalog_destroy (&cat);
    return 0;
}
