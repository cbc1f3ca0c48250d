/*  gw_jobs — blocking work (PostgreSQL, Redis) kept off the event loops.

    One background thread with its own connections runs the jobs in the
    order they were submitted (catalog writes, erasure: rare, admin-only
    requests); each job's `done` then runs on the loop thread that submitted
    it (h2o's inter-thread queue), where it may answer the request.  A loop
    drains its jobs before it is torn down.                                */
#ifndef GW_JOBS_H
#define GW_JOBS_H
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include "hr_pg.h"
#include "hr_redis.h"

typedef struct gw_jobs gw_jobs_t;
typedef struct gw_jobs_loop gw_jobs_loop_t;

/*  The job's connections; either may be NULL when its server is down (the
    job then reports it).  Connected lazily, reconnected by hr_pg/hr_redis. */
typedef struct {
    hr_pg_t *pg;
    hr_redis_t *redis;
} gw_job_env_t;

typedef void (*gw_job_run_fn) (void *arg, gw_job_env_t *env);     /* jobs thread */
typedef void (*gw_job_done_fn) (void *arg);                        /* loop thread */

/*  redis_url may be "" (no Redis).  NULL when the thread cannot start.    */
gw_jobs_t *gw_jobs_new (const char *database_url, const char *redis_url, int statement_timeout_ms);
void gw_jobs_destroy (gw_jobs_t **self_p);

gw_jobs_loop_t *gw_jobs_loop_new (h2o_context_t *ctx);
/*  Runs the loop until its pending jobs are done, then unregisters.       */
void gw_jobs_loop_destroy (gw_jobs_loop_t **self_p);

/*  Queues `run`; `done` follows on the loop.  -1 when the queue is full
    (GW_JOBS_MAX_QUEUED) or the thread is stopping: nothing will run.     */
#define GW_JOBS_MAX_QUEUED 256
int gw_jobs_submit (gw_jobs_t *self, gw_jobs_loop_t *loop, gw_job_run_fn run, gw_job_done_fn done,
                    void *arg);

#endif
