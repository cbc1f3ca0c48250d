/*  hr_discover — broker endpoints from a list with DNS names to expand,
    re-resolved on a thread of its own.                                    */
#include "hr_discover.h"
#include "hr_clock.h"
#include "hr_log.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ENDPOINTS_MAX 256       /* per expansion; more is dropped (logged) */
#define ENDPOINT_LEN 80

struct hr_discover {
    char *source;               /* the list as given */
    int period_ms;
    pthread_t thread;
    bool running;
    pthread_mutex_t lock;       /* guards everything below */
    pthread_cond_t wake;
    bool stop;
    char *current;
    uint64_t generation;
};

/*  The next entry of a list (commas and/or blanks): its length, 0 at the
    end (as hr_worker's lists).  */
static size_t
next_entry (const char **p)
{
    *p += strspn (*p, ", \t\n");
    return strcspn (*p, ", \t\n");
}

bool
hr_discover_dynamic (const char *list)
{
    assert (list);
    size_t len, plen = strlen (HR_DISCOVER_PREFIX);
    for (const char *p = list; (len = next_entry (&p)) > 0; p += len)
        if (len > plen && memcmp (p, HR_DISCOVER_PREFIX, plen) == 0)
            return true;
    return false;
}

typedef struct {
    char (*items)[ENDPOINT_LEN];
    int n;
} endpoints_t;

static void
push (endpoints_t *out, const char *endpoint)
{
    if (out->n == ENDPOINTS_MAX) {
        hr_warn ("discover: more than %d brokers, %s left out", ENDPOINTS_MAX, endpoint);
        return;
    }
    snprintf (out->items[out->n++], ENDPOINT_LEN, "%s", endpoint);
}

/*  Appends one tcp:// endpoint per address of "host:port"; how many.     */
static int
resolve (const char *hostport, size_t len, endpoints_t *out)
{
    char host[256];
    const char *colon = memrchr (hostport, ':', len);
    if (!colon || colon == hostport || (size_t) (colon - hostport) >= sizeof host
        || len - (size_t) (colon - hostport) - 1 > 5) {
        hr_warn ("discover: '%.*s' is not host:port", (int) len, hostport);
        return 0;
    }
    memcpy (host, hostport, (size_t) (colon - hostport));
    host[colon - hostport] = 0;
    char port[8];
    snprintf (port, sizeof port, "%.*s", (int) (len - (size_t) (colon - hostport) - 1), colon + 1);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    struct addrinfo *res = NULL;
    int rc = getaddrinfo (host, port, &hints, &res);
    if (rc != 0) {
        hr_debug ("discover: %s: %s", host, gai_strerror (rc));
        return 0;
    }
    int found = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        char ip[INET6_ADDRSTRLEN], endpoint[ENDPOINT_LEN];
        if (ai->ai_family == AF_INET) {
            inet_ntop (AF_INET, &((struct sockaddr_in *) ai->ai_addr)->sin_addr, ip, sizeof ip);
            snprintf (endpoint, sizeof endpoint, "tcp://%s:%s", ip, port);
        }
        else if (ai->ai_family == AF_INET6) {
            inet_ntop (AF_INET6, &((struct sockaddr_in6 *) ai->ai_addr)->sin6_addr, ip, sizeof ip);
            snprintf (endpoint, sizeof endpoint, "tcp://[%s]:%s", ip, port);
        }
        else
            continue;
        push (out, endpoint);
        found++;
    }
    freeaddrinfo (res);
    return found;
}

static int
by_text (const void *a, const void *b)
{
    return strcmp ((const char *) a, (const char *) b);
}

char *
hr_discover_expand (const char *list, int *unresolved)
{
    assert (list && unresolved);
    *unresolved = 0;
    endpoints_t eps = { calloc (ENDPOINTS_MAX, ENDPOINT_LEN), 0 };
    if (!eps.items)
        return NULL;
    size_t len, plen = strlen (HR_DISCOVER_PREFIX);
    for (const char *p = list; (len = next_entry (&p)) > 0; p += len) {
        if (len > plen && memcmp (p, HR_DISCOVER_PREFIX, plen) == 0) {
            if (resolve (p + plen, len - plen, &eps) == 0)
                (*unresolved)++;
        }
        else if (len < ENDPOINT_LEN) {
            char endpoint[ENDPOINT_LEN];
            snprintf (endpoint, sizeof endpoint, "%.*s", (int) len, p);
            push (&eps, endpoint);
        }
        else
            hr_warn ("discover: endpoint '%.*s' too long, left out", (int) len, p);
    }
    qsort (eps.items, (size_t) eps.n, ENDPOINT_LEN, by_text);
    char *out = malloc ((size_t) eps.n * (ENDPOINT_LEN + 1) + 1);
    if (out) {
        size_t used = 0;
        for (int i = 0; i < eps.n; i++) {
            if (i > 0 && strcmp (eps.items[i], eps.items[i - 1]) == 0)
                continue;
            used += (size_t) sprintf (out + used, "%s%s", used ? "," : "", eps.items[i]);
        }
        out[used] = 0;
    }
    free (eps.items);
    return out;
}

/*  Re-resolves; installs the result when it differs (and resolved).      */
static void
refresh (hr_discover_t *self)
{
    int unresolved;
    char *list = hr_discover_expand (self->source, &unresolved);
    if (!list)
        return;
    pthread_mutex_lock (&self->lock);
    bool keep = unresolved > 0 && self->current;
    if (!keep && (!self->current || strcmp (list, self->current) != 0)) {
        hr_log_kv (HR_LOG_INFO, NULL, "discover: brokers", "list", list, NULL);
        free (self->current);
        self->current = list;
        list = NULL;
        self->generation++;
    }
    pthread_mutex_unlock (&self->lock);
    free (list);
}

static void *
discover_thread (void *arg)
{
    hr_discover_t *self = (hr_discover_t *) arg;
    pthread_mutex_lock (&self->lock);
    while (!self->stop) {
        struct timespec until;
        hr_clock_after (CLOCK_MONOTONIC, self->period_ms, &until);
        int rc = 0;
        while (!self->stop && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait (&self->wake, &self->lock, &until);
        if (self->stop)
            break;
        pthread_mutex_unlock (&self->lock);
        refresh (self);     /* getaddrinfo may block: not under the lock */
        pthread_mutex_lock (&self->lock);
    }
    pthread_mutex_unlock (&self->lock);
    return NULL;
}

hr_discover_t *
hr_discover_new (const char *list, int period_ms)
{
    assert (list && period_ms > 0);
    hr_discover_t *self = (hr_discover_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->source = strdup (list);
    self->period_ms = period_ms;
    pthread_mutex_init (&self->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init (&attr);
    pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
    pthread_cond_init (&self->wake, &attr);
    pthread_condattr_destroy (&attr);
    if (!self->source) {
        hr_discover_destroy (&self);
        return NULL;
    }
    refresh (self);
    if (pthread_create (&self->thread, NULL, discover_thread, self) != 0) {
        hr_error ("discover: cannot start its thread");
        hr_discover_destroy (&self);
        return NULL;
    }
    self->running = true;
    return self;
}

void
hr_discover_destroy (hr_discover_t **self_p)
{
    assert (self_p);
    hr_discover_t *self = *self_p;
    if (!self)
        return;
    if (self->running) {
        pthread_mutex_lock (&self->lock);
        self->stop = true;
        pthread_cond_broadcast (&self->wake);
        pthread_mutex_unlock (&self->lock);
        pthread_join (self->thread, NULL);
    }
    pthread_cond_destroy (&self->wake);
    pthread_mutex_destroy (&self->lock);
    free (self->current);
    free (self->source);
    free (self);
    *self_p = NULL;
}

int
hr_discover_get (hr_discover_t *self, uint64_t *generation, char **list)
{
    assert (self && generation && list);
    int rc = 0;
    pthread_mutex_lock (&self->lock);
    if (self->current && self->generation != *generation) {
        char *copy = strdup (self->current);
        if (copy) {
            free (*list);
            *list = copy;
            *generation = self->generation;
            rc = 1;
        }
        else
            rc = -1;
    }
    pthread_mutex_unlock (&self->lock);
    return rc;
}
