/*  An echo worker on a thread of its own, for the broker tests
    (test_broker, test_multibroker): every reply is the worker's tag byte
    followed by the request body, so a test sees who served a call.      */
#ifndef ECHO_WORKER_H
#define ECHO_WORKER_H
#include "hr_client.h"
#include "hr_status.h"
#include "hr_wire.h"
#include "hr_worker.h"
#include "hr_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char endpoints[1024];       /* one broker or a list (hr_worker_new) */
    const char *service;
    uint8_t tag;                /* first byte of every reply: who served */
    int delay_ms;               /* simulated work */
    atomic_bool stop;
    atomic_int served;
    pthread_t thread;
    pthread_mutex_t lock;       /* guards the two below */
    char next[1024];            /* a new broker list for the worker's thread */
    int set_rc;                 /* hr_worker_set_brokers: 1 pending, 0 / -1 done */
} echo_t;

static inline void *
echo_main (void *arg)
{
    echo_t *e = (echo_t *) arg;
    hr_worker_t *w = hr_worker_new (e->endpoints, e->service);
    ck_assert_ptr_nonnull (w);
    hr_writer_t out;
    hr_writer_init (&out);
    while (!atomic_load (&e->stop)) {
        pthread_mutex_lock (&e->lock);
        if (e->set_rc == 1)
            e->set_rc = hr_worker_set_brokers (w, e->next);
        pthread_mutex_unlock (&e->lock);
        hr_work_t work;
        if (hr_worker_recv (w, &work, 50) != 1)
            continue;
        atomic_fetch_add (&e->served, 1);
        if (e->delay_ms)
            test_sleep_ms (e->delay_ms);
        hr_writer_reset (&out);
        hr_put_u8 (&out, e->tag);
        hr_put_bytes (&out, work.body, work.body_len);
        hr_worker_reply (w, HR_OK, out.data, out.len);
    }
    hr_writer_free (&out);
    hr_worker_destroy (&w);
    return NULL;
}

/*  service is a literal (kept, not copied).  */
static inline echo_t *
echo_start (const char *endpoints, const char *service, uint8_t tag, int delay_ms)
{
    echo_t *e = (echo_t *) calloc (1, sizeof *e);
    ck_assert_ptr_nonnull (e);
    snprintf (e->endpoints, sizeof e->endpoints, "%s", endpoints);
    e->service = service;
    e->tag = tag;
    e->delay_ms = delay_ms;
    pthread_mutex_init (&e->lock, NULL);
    ck_assert_int_eq (pthread_create (&e->thread, NULL, echo_main, e), 0);
    return e;
}

static inline void
echo_stop (echo_t **e_p)
{
    atomic_store (&(*e_p)->stop, true);
    pthread_join ((*e_p)->thread, NULL);
    pthread_mutex_destroy (&(*e_p)->lock);
    free (*e_p);
    *e_p = NULL;
}

/*  Has the worker's own thread switch to `list`; its result (1: not done
    within 10 s).  */
static inline int
echo_set_brokers (echo_t *e, const char *list)
{
    pthread_mutex_lock (&e->lock);
    snprintf (e->next, sizeof e->next, "%s", list);
    e->set_rc = 1;
    pthread_mutex_unlock (&e->lock);
    long long until = test_mono_ms () + 10000;
    int rc = 1;
    while (rc == 1 && test_mono_ms () < until) {
        pthread_mutex_lock (&e->lock);
        rc = e->set_rc;
        pthread_mutex_unlock (&e->lock);
        if (rc == 1)
            test_sleep_ms (10);
    }
    return rc;
}

/*  One echo call; HR_OK with the echoed text in out and the server's tag. */
static inline int
echo_call (hr_client_t *c, const char *service, const char *text, int timeout_ms,
           uint8_t *tag, char *out, size_t outcap)
{
    void *body = NULL;
    size_t len = 0;
    int status = hr_client_call (c, service, text, strlen (text), timeout_ms, &body, &len);
    if (status == HR_OK && len >= 1) {
        *tag = ((uint8_t *) body)[0];
        size_t n = len - 1 < outcap - 1 ? len - 1 : outcap - 1;
        memcpy (out, (char *) body + 1, n);
        out[n] = 0;
    }
    free (body);
    return status;
}

#endif
