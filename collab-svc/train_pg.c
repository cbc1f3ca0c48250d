/*  collab_log_from_pg — see train_pg.h.  */
#include "train_pg.h"
#include "hr_progress.h"
#include "hr_proto.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FETCH_ROWS "50000"

collab_log_t *
collab_log_from_pg (hr_pg_t *pg, collab_ids_t *ids, int days, int64_t gap_ms,
                    bool progress, char *err, size_t errlen)
{
    char days_s[16];
    snprintf (days_s, sizeof days_s, "%d", days);
    const char *params[] = { days_s };
    collab_rows_t *rows = collab_rows_new ();
    collab_log_t *log = NULL;
    hr_progress_t *bar = progress ? hr_progress_new ("reading clicks", 0) : NULL;
    if (!rows || hr_pg_exec_simple (pg, "BEGIN") != 0) {
        snprintf (err, errlen, "PostgreSQL: %s", rows ? hr_pg_error (pg) : "out of memory");
        goto done;
    }
    PGresult *r = hr_pg_exec (pg,
        "DECLARE collab_clicks NO SCROLL CURSOR FOR "
        "SELECT user_id, product_id, (extract(epoch FROM ts) * 1000)::bigint "
        "FROM interactions WHERE " HR_EVENT_PRODUCT_SQL " AND product_id IS NOT NULL "
        "AND ts >= now() - make_interval(days => $1::int) ORDER BY user_id, ts, id",
        1, params);
    if (!r) {
        snprintf (err, errlen, "PostgreSQL: %s", hr_pg_error (pg));
        goto rollback;
    }
    PQclear (r);
    char prev_user[64] = "";
    int64_t prev_ts = 0;
    uint64_t session = 0, n_rows = 0;
    for (;;) {
        r = hr_pg_exec (pg, "FETCH " FETCH_ROWS " FROM collab_clicks", 0, NULL);
        if (!r) {
            snprintf (err, errlen, "PostgreSQL: %s", hr_pg_error (pg));
            goto rollback;
        }
        int nt = PQntuples (r);
        for (int i = 0; i < nt; i++) {
            const char *user = PQgetvalue (r, i, 0), *pid = PQgetvalue (r, i, 1);
            int64_t ts = strtoll (PQgetvalue (r, i, 2), NULL, 10);
            if (strcmp (user, prev_user) != 0 || ts - prev_ts > gap_ms) {
                session++;
                snprintf (prev_user, sizeof prev_user, "%s", user);
            }
            prev_ts = ts;
            int64_t item = collab_ids_intern (ids, pid, strlen (pid));
            if (item < 0)
                continue;       /* the table's CHECK makes this unreachable; skip anyway */
            if (collab_rows_add (rows, session, ts, (uint32_t) item)) {
                PQclear (r);
                snprintf (err, errlen, "out of memory");
                goto rollback;
            }
        }
        PQclear (r);
        n_rows += (uint64_t) nt;
        if (bar)
            hr_progress_update (bar, n_rows);
        if (nt == 0)
            break;
    }
    hr_pg_exec_simple (pg, "COMMIT");
    log = collab_rows_build (rows, 2);      /* a single click pairs with nothing */
    if (!log)
        snprintf (err, errlen, "out of memory");
    goto done;
rollback:
    hr_pg_exec_simple (pg, "ROLLBACK");
done:
    hr_progress_destroy (&bar);
    collab_rows_destroy (&rows);
    return log;
}
