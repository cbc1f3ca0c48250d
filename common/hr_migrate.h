/*  hr_migrate — versioned schema migrations, embedded at build time from
    db/migrations/NNN_name.sql, applied in order inside transactions and
    recorded in schema_migrations.  Safe to run concurrently (advisory lock)
    and repeatedly.                                                         */
#ifndef HR_MIGRATE_H
#define HR_MIGRATE_H
#include "hr_pg.h"
/*  Applies the pending migrations; returns how many, or -1.                 */
int hr_migrate (hr_pg_t *pg);
#endif
