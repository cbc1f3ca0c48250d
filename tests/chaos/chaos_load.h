/*  chaos_load — client threads driving the realistic mix through one or
    more gateways while a test breaks things, judging every response:
    /home with and without history, /product, /search and POST
    interactions (every POST with its own user, so each acknowledged one
    can be found in PostgreSQL exactly once afterwards).

    A response is a violation unless it is a 200 with a valid shape (with or
    without "degraded"), or a 503 the current policy allows, and it came
    back within the hang bound (2 s for reads, 3 s for writes: their 2 s
    write timeout plus slack).  Needs DATABASE_URL (the product list).    */
#ifndef CHAOS_LOAD_H
#define CHAOS_LOAD_H
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    CHAOS_HOME_NEW, CHAOS_HOME_HISTORY, CHAOS_PRODUCT, CHAOS_SEARCH, CHAOS_POST,
    CHAOS_ENDPOINTS
} chaos_endpoint_t;

/*  Policy flags: which 503s are documented for the outage under way.     */
#define CHAOS_ALLOW_POST_503 1  /* writes cannot commit (PostgreSQL or the broker is down) */
#define CHAOS_ALLOW_GET_503  2  /* nothing useful to serve (every service unreachable) */

typedef struct chaos_load chaos_load_t;

/*  threads client threads; thread i uses ports[i % nports].  user_prefix:
    alphanumeric, <= 20 chars, unique per test.  NULL on failure.          */
chaos_load_t *chaos_load_new (const int *ports, int nports, int threads, const char *user_prefix);
void chaos_load_destroy (chaos_load_t **self_p);   /* stops the threads */

int chaos_load_start (chaos_load_t *self);
void chaos_load_stop (chaos_load_t *self);
void chaos_load_allow (chaos_load_t *self, int flags);
/*  The gateway on `port` is being killed (0: none): its threads' requests
    that get no response are counted "gone" instead of violations (a load
    balancer takes a dead gateway out; its requests in flight are lost).
    Any other outcome on that port is judged as usual.                     */
void chaos_load_port_down (chaos_load_t *self, int port);

/*  Waits until a request to `endpoint` started after this call answers
    200 (and, if clean, without "degraded"); 0, or -1 after timeout_ms.    */
int chaos_load_wait (chaos_load_t *self, chaos_endpoint_t endpoint, bool clean, int timeout_ms);
/*  Waits until a request through the gateway on `port` started after this
    call answers 200; 0, or -1 after timeout_ms.                           */
int chaos_load_wait_port (chaos_load_t *self, int port, int timeout_ms);
/*  Requests counted "gone" (chaos_load_port_down).  */
long chaos_load_gone (chaos_load_t *self);
/*  Waits until at least n more requests (any endpoint) have completed.    */
int chaos_load_wait_requests (chaos_load_t *self, long n, int timeout_ms);

/*  Prints "[t+seconds] note" to stderr, on the violations' time scale.  */
void chaos_load_note (chaos_load_t *self, const char *note);

long chaos_load_violations (chaos_load_t *self);
/*  The first violations, one per line.  */
const char *chaos_load_violation_log (chaos_load_t *self);
/*  Reads answered 503 because no service answered within the deadline
    while no outage allowed it.  The API documents that 503 ("nothing
    useful to serve"); on a loaded 2-core test box a Sanitize build misses
    the 50 ms deadline now and then, so these are tolerated in small
    numbers (chaos_check: at most 1% of reads) instead of failing on the
    first.  *reads = all reads.  */
long chaos_load_late_503 (chaos_load_t *self, long *reads);
long chaos_load_total (chaos_load_t *self);
long chaos_load_acked (chaos_load_t *self);
/*  Per-endpoint counts (200 clean / 200 degraded / 503 / other) and worst
    latency, to stderr.  */
void chaos_load_report (chaos_load_t *self, const char *title);

/*  Every acknowledged POST must be in PostgreSQL exactly once (same user,
    event type, product or query).  Returns the number of acknowledged
    events that are missing or duplicated (details in msg).  Also reports
    how many unacknowledged (503) POSTs committed anyway (allowed).        */
long chaos_load_verify (chaos_load_t *self, const char *database_url, char *msg, size_t cap);

#endif
