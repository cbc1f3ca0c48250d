/*  gw_jobs — one worker thread, per-loop completion receivers.             */
#include "gw_jobs.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "hr_log.h"

typedef struct job {
    h2o_multithread_message_t super;    /* first: the receiver gets this link */
    struct job *next;                   /* the worker's FIFO */
    gw_job_run_fn run;
    gw_job_done_fn done;
    void *arg;
    gw_jobs_loop_t *loop;
} job_t;

struct gw_jobs {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    job_t *head, *tail;
    int queued;
    bool stopping;
    pthread_t thread;
    char *database_url, *redis_url;
    int statement_timeout_ms;
};

struct gw_jobs_loop {
    h2o_multithread_receiver_t receiver;
    h2o_context_t *ctx;
    int pending;                        /* loop thread only */
};

static void
s_connect_env (gw_jobs_t *self, gw_job_env_t *env)
{
    if (!env->pg && self->database_url[0])
        env->pg = hr_pg_new (self->database_url, self->statement_timeout_ms, 0);
    if (!env->redis && self->redis_url[0])
        env->redis = hr_redis_new (self->redis_url, 1000);
}

static void *
s_worker (void *arg)
{
    gw_jobs_t *self = arg;
    gw_job_env_t env = { NULL, NULL };
    pthread_mutex_lock (&self->lock);
    while (true) {
        while (!self->head && !self->stopping)
            pthread_cond_wait (&self->wake, &self->lock);
        if (!self->head)
            break;                      /* stopping, nothing left */
        job_t *j = self->head;
        self->head = j->next;
        if (!self->head)
            self->tail = NULL;
        self->queued--;
        pthread_mutex_unlock (&self->lock);
        s_connect_env (self, &env);
        j->run (j->arg, &env);
        h2o_multithread_send_message (&j->loop->receiver, &j->super);
        pthread_mutex_lock (&self->lock);
    }
    pthread_mutex_unlock (&self->lock);
    hr_pg_destroy (&env.pg);
    hr_redis_destroy (&env.redis);
    return NULL;
}

gw_jobs_t *
gw_jobs_new (const char *database_url, const char *redis_url, int statement_timeout_ms)
{
    gw_jobs_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->wake, NULL);
    self->database_url = strdup (database_url ? database_url : "");
    self->redis_url = strdup (redis_url ? redis_url : "");
    self->statement_timeout_ms = statement_timeout_ms;
    if (!self->database_url || !self->redis_url
        || pthread_create (&self->thread, NULL, s_worker, self) != 0) {
        hr_error ("gateway: cannot start the jobs thread");
        free (self->database_url);
        free (self->redis_url);
        pthread_mutex_destroy (&self->lock);
        pthread_cond_destroy (&self->wake);
        free (self);
        return NULL;
    }
    return self;
}

void
gw_jobs_destroy (gw_jobs_t **self_p)
{
    gw_jobs_t *self = *self_p;
    if (!self)
        return;
    pthread_mutex_lock (&self->lock);
    self->stopping = true;
    pthread_cond_signal (&self->wake);
    pthread_mutex_unlock (&self->lock);
    pthread_join (self->thread, NULL);
    pthread_mutex_destroy (&self->lock);
    pthread_cond_destroy (&self->wake);
    free (self->database_url);
    free (self->redis_url);
    free (self);
    *self_p = NULL;
}

static void
s_on_done (h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    gw_jobs_loop_t *loop = (gw_jobs_loop_t *) receiver;
    while (!h2o_linklist_is_empty (messages)) {
        job_t *j = H2O_STRUCT_FROM_MEMBER (job_t, super.link, messages->next);
        h2o_linklist_unlink (&j->super.link);
        loop->pending--;
        j->done (j->arg);
        free (j);
    }
}

gw_jobs_loop_t *
gw_jobs_loop_new (h2o_context_t *ctx)
{
    gw_jobs_loop_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->ctx = ctx;
    h2o_multithread_register_receiver (ctx->queue, &self->receiver, s_on_done);
    return self;
}

void
gw_jobs_loop_destroy (gw_jobs_loop_t **self_p)
{
    gw_jobs_loop_t *self = *self_p;
    if (!self)
        return;
    while (self->pending > 0)           /* bounded by the statement timeout */
        h2o_evloop_run (self->ctx->loop, 10);
    h2o_multithread_unregister_receiver (self->ctx->queue, &self->receiver);
    free (self);
    *self_p = NULL;
}

int
gw_jobs_submit (gw_jobs_t *self, gw_jobs_loop_t *loop, gw_job_run_fn run, gw_job_done_fn done,
                void *arg)
{
    if (!self || !loop)
        return -1;
    job_t *j = calloc (1, sizeof *j);
    if (!j)
        return -1;
    j->run = run;
    j->done = done;
    j->arg = arg;
    j->loop = loop;
    pthread_mutex_lock (&self->lock);
    if (self->stopping || self->queued >= GW_JOBS_MAX_QUEUED) {
        pthread_mutex_unlock (&self->lock);
        free (j);
        return -1;
    }
    if (self->tail)
        self->tail->next = j;
    else
        self->head = j;
    self->tail = j;
    self->queued++;
    pthread_cond_signal (&self->wake);
    pthread_mutex_unlock (&self->lock);
    loop->pending++;
    return 0;
}
