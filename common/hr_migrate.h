/*  hr_migrate — versioned schema migrations, embedded at build time from
    db/migrations/NNN_name.sql, applied in order inside transactions and
    recorded in schema_migrations.  Safe to run concurrently (advisory lock)
    and repeatedly.                                                         */
#ifndef HR_MIGRATE_H
#define HR_MIGRATE_H
#include "hr_pg.h"
/*  Applies the pending migrations; returns how many, or -1.                 */
int hr_migrate (hr_pg_t *pg);

/*  Extras (common-data).  Like hr_migrate, calling on_applied(name, arg)
    after each migration commits (for `hybridrec migrate`); may be NULL.     */
int hr_migrate_report (hr_pg_t *pg, void (*on_applied) (const char *name, void *arg), void *arg);
/*  The embedded migrations, in order: how many, and the name of one.      */
int hr_migrate_count (void);
const char *hr_migrate_name (int index);
#endif
