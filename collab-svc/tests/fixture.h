/*  A small fixed click log shared by the collab tests.  Sessions (oldest
    first):  s1 = A B C,  s2 = A B,  s3 = B D.  With window 10, fwd 1,
    bwd 0.5, dist_pow 1, no damping and no age decay the neighbour rows
    are, by hand (row sums normalised to 1):
        A: B 2/2.5 = 0.8, C 0.5/2.5 = 0.2
        B: A 1/3, C 1/3, D 1/3        (ties by index: A, C, D)
        C: B 0.5/0.75 = 2/3, A 0.25/0.75 = 1/3
        D: B 1                                                              */
#ifndef COLLAB_TEST_FIXTURE_H
#define COLLAB_TEST_FIXTURE_H
#include "log.h"
#include "model.h"

static inline collab_model_t *
fixture_model (const char *const names[4])
{
    collab_ids_t *ids = collab_ids_new (4);
    for (int i = 0; i < 4; i++)
        collab_ids_intern (ids, names[i], strlen (names[i]));
    collab_rows_t *rows = collab_rows_new ();
    /* session, ts, item (A=0 B=1 C=2 D=3) */
    collab_rows_add (rows, 1, 1000, 0);
    collab_rows_add (rows, 1, 2000, 1);
    collab_rows_add (rows, 1, 3000, 2);
    collab_rows_add (rows, 2, 5000, 0);
    collab_rows_add (rows, 2, 6000, 1);
    collab_rows_add (rows, 3, 9000, 1);
    collab_rows_add (rows, 3, 10000, 3);
    collab_log_t *log = collab_rows_build (rows, 1);
    collab_rows_destroy (&rows);
    collab_train_params_t p;
    collab_train_params_default (&p);
    p.window = 10; p.fwd = 1; p.bwd = 0.5f; p.dist_pow = 1; p.pop_damp = 0;
    p.halflife_days = 0; p.neighbours = 10; p.threads = 2;
    collab_model_t *m = collab_model_train (log, ids, &p);
    collab_log_destroy (&log);
    return m;
}
#endif
