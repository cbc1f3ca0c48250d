/*  collab_gen — writes a synthetic YOOCHOOSE-format log (TSV SessionId
    ItemId Time) with Zipf popularity and realistic session lengths (see
    gen.h).  usage: collab_gen EVENTS [ITEMS] [DAYS] [SEED] > log.tsv        */
#include <stdio.h>
#include <stdlib.h>
#include "gen.h"

static void
s_emit (void *arg, uint64_t session, int64_t ts_ms, uint32_t item)
{
    fprintf (arg, "%llu\t%u\t%lld.%03lld\n", (unsigned long long) session, 100000000u + item,
             (long long) (ts_ms / 1000), (long long) (ts_ms % 1000));
}

int
main (int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        fprintf (stderr, "usage: collab_gen EVENTS [ITEMS=100000] [DAYS=30] [SEED=42] > log.tsv\n");
        return 2;
    }
    uint64_t events = strtoull (argv[1], NULL, 10);
    uint32_t items = argc > 2 ? (uint32_t) strtoul (argv[2], NULL, 10) : 100000;
    double days = argc > 3 ? strtod (argv[3], NULL) : 30;
    uint64_t seed = argc > 4 ? strtoull (argv[4], NULL, 10) : 42;
    gen_t g;
    if (events == 0 || items < 2 || days <= 0 || gen_init (&g, items, days, seed)) {
        fprintf (stderr, "collab_gen: bad arguments\n");
        return 2;
    }
    printf ("SessionId\tItemId\tTime\n");
    uint64_t done = 0;
    while (done < events)
        done += gen_session (&g, s_emit, stdout);
    gen_free (&g);
    return 0;
}
