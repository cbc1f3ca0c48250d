/*  chaos_load — the realistic mix under fault injection, every answer
    judged.                                                                 */
#include "chaos_load.h"
#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include "chaos_rig.h"
#include "http_client.h"

/*  A hang is an answer that never comes: bounds far above the gateway's
    deadlines (CHAOS_DEADLINE_MS, HR_GATEWAY_WRITE_TIMEOUT_MS 2 s), below the
    client's 10 s socket timeout, so a sanitizer build on a busy 2-core
    machine is not taken for a hang.                                       */
#define GET_HANG_MS   8000
#define POST_HANG_MS  8000
#define PAUSE_US      5000      /* between two requests of one thread */
#define MAX_PRODUCTS  500
#define LOG_CAP       8192

static const char *queries[] = { "hdmi cable", "headphones", "split ac", "shoes", "watch" };
#define QUERIES (sizeof queries / sizeof queries[0])
static const char *endpoint_names[CHAOS_ENDPOINTS] = {
    "home(new)", "home(history)", "product", "search", "POST interactions"
};

typedef struct {
    char user[48];
    bool click;
    char value[64];             /* product id or query */
} chaos_event_t;

typedef struct {
    chaos_load_t *load;
    int index, port;
    pthread_t thread;
    bool running;
    unsigned seed;
    hr_http_t *http;
    long seq;
    chaos_event_t last;         /* the last acknowledged event of this thread */
    bool has_last;
    long long last_ok_start;    /* the latest request answered 200 (under the lock) */
} chaos_worker_t;

/*  Outcome classes per endpoint.  */
enum { OK_CLEAN, OK_DEGRADED, UNAVAILABLE, LATE_503, OTHER, GONE, OUTCOMES };

struct chaos_load {
    int threads;
    chaos_worker_t *workers;
    char prefix[24];
    char (*products)[11];
    int nproducts;
    atomic_bool stop;
    atomic_int policy;
    atomic_int down_port;       /* its gateway was killed: no response is no violation */
    long long started_ms;
    pthread_mutex_t lock;       /* guards everything below */
    long counts[CHAOS_ENDPOINTS][OUTCOMES];
    long long worst_ms[CHAOS_ENDPOINTS];
    long long last_ok_start[CHAOS_ENDPOINTS], last_clean_start[CHAOS_ENDPOINTS];
    long total, violations;
    char log[LOG_CAP];
    size_t log_used;
    chaos_event_t *acked, *refused;  /* refused: answered 503 (may have committed) */
    size_t nacked, nrefused, acked_cap, refused_cap;
};

static int
load_products (chaos_load_t *self)
{
    const char *url = getenv ("DATABASE_URL");
    PGconn *pg = PQconnectdb (url ? url : "");
    if (PQstatus (pg) != CONNECTION_OK) {
        fprintf (stderr, "chaos_load: %s", PQerrorMessage (pg));
        PQfinish (pg);
        return -1;
    }
    PGresult *r = PQexec (pg, "SELECT id FROM products ORDER BY id LIMIT 500");
    if (PQresultStatus (r) == PGRES_TUPLES_OK && PQntuples (r) > 0) {
        self->nproducts = PQntuples (r);
        self->products = calloc ((size_t) self->nproducts, sizeof *self->products);
        for (int i = 0; self->products && i < self->nproducts; i++)
            snprintf (self->products[i], sizeof self->products[i], "%s", PQgetvalue (r, i, 0));
    }
    PQclear (r);
    PQfinish (pg);
    return self->products ? 0 : -1;
}

chaos_load_t *
chaos_load_new (const int *ports, int nports, int threads, const char *user_prefix)
{
    if (nports < 1 || threads < 1 || strlen (user_prefix) > 20)
        return NULL;
    chaos_load_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->threads = threads;
    snprintf (self->prefix, sizeof self->prefix, "%s", user_prefix);
    pthread_mutex_init (&self->lock, NULL);
    self->workers = calloc ((size_t) threads, sizeof *self->workers);
    if (!self->workers || load_products (self) != 0) {
        chaos_load_destroy (&self);
        return NULL;
    }
    for (int i = 0; i < threads; i++) {
        chaos_worker_t *w = &self->workers[i];
        w->load = self;
        w->index = i;
        w->port = ports[i % nports];
        w->seed = 7919u * (unsigned) (i + 1);
    }
    return self;
}

void
chaos_load_destroy (chaos_load_t **self_p)
{
    chaos_load_t *self = *self_p;
    if (!self)
        return;
    chaos_load_stop (self);
    free (self->workers);
    free (self->products);
    free (self->acked);
    free (self->refused);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

void
chaos_load_allow (chaos_load_t *self, int flags)
{
    atomic_store (&self->policy, flags);
}

void
chaos_load_port_down (chaos_load_t *self, int port)
{
    atomic_store (&self->down_port, port);
}

/*  Caller holds the lock.  */
static void
violation (chaos_load_t *self, const char *fmt, ...)
{
    self->violations++;
    if (self->log_used + 400 >= LOG_CAP)
        return;
    int n = snprintf (self->log + self->log_used, LOG_CAP - self->log_used, "  [t+%.1fs] ",
                      (double) (chaos_now_ms () - self->started_ms) / 1000.0);
    self->log_used += (size_t) n;
    va_list ap;
    va_start (ap, fmt);
    n = vsnprintf (self->log + self->log_used, 380, fmt, ap);
    va_end (ap);
    self->log_used += n < 380 ? (size_t) n : 379;
    self->log[self->log_used++] = '\n';
    self->log[self->log_used] = 0;
}

static void
push_event (chaos_event_t **array, size_t *n, size_t *cap, const chaos_event_t *event)
{
    if (*n == *cap) {
        size_t grown = *cap ? *cap * 2 : 1024;
        chaos_event_t *bigger = realloc (*array, grown * sizeof *bigger);
        if (!bigger)
            abort ();           /* a test helper out of memory: nothing to salvage */
        *array = bigger;
        *cap = grown;
    }
    (*array)[(*n)++] = *event;
}

static bool
valid_id (const char *id)
{
    if (!id || strlen (id) != 10)
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

/*  An array of products: each an object with a valid id and a name.
    NULL, or why not.  */
static const char *
check_items (json_t *items, const char *must_not_contain)
{
    if (!json_is_array (items))
        return "not an array";
    size_t i;
    json_t *it;
    json_array_foreach (items, i, it) {
        const char *id = json_string_value (json_object_get (it, "id"));
        if (!valid_id (id))
            return "an item without a valid id";
        if (!json_is_string (json_object_get (it, "name")))
            return "an item without a name";
        if (must_not_contain && !strcmp (id, must_not_contain))
            return "contains the product itself / the clicked product";
    }
    return NULL;
}

static bool
degraded_has (json_t *j, const char *service)
{
    size_t i;
    json_t *it;
    json_array_foreach (json_object_get (j, "degraded"), i, it)
        if (json_is_string (it) && !strcmp (json_string_value (it), service))
            return true;
    return false;
}

/*  The shape of a 200; NULL when right.  */
static const char *
check_shape (chaos_endpoint_t ep, json_t *j, const char *product, bool history_click)
{
    json_t *degraded = json_object_get (j, "degraded");
    if (degraded) {
        if (!json_is_array (degraded) || json_array_size (degraded) == 0)
            return "\"degraded\" is not a non-empty array";
        size_t i;
        json_t *it;
        json_array_foreach (degraded, i, it)
            if (!json_is_string (it))
                return "\"degraded\" holds a non-string";
    }
    const char *why;
    switch (ep) {
    case CHAOS_HOME_NEW:
    case CHAOS_HOME_HISTORY: {
        const char *lists[] = { "personalized", "trending", "best_value", "diverse_picks" };
        for (size_t k = 0; k < 4; k++)
            if ((why = check_items (json_object_get (j, lists[k]),
                                    k == 0 && history_click ? product : NULL)))
                return why;
        json_t *top = json_object_get (j, "top_categories");
        if (!json_is_object (top))
            return "top_categories is not an object";
        const char *key;
        json_t *v;
        json_object_foreach (top, key, v)
            if ((why = check_items (v, NULL)))
                return why;
        size_t personalized = json_array_size (json_object_get (j, "personalized"));
        if (ep == CHAOS_HOME_NEW && personalized)
            return "a new user got personalized items";
        if (!degraded && json_array_size (json_object_get (j, "trending")) == 0)
            return "no trending items and nothing degraded";
        if (!degraded && history_click && personalized == 0)
            return "a user with a click got no personalized items and nothing degraded";
        return NULL;
    }
    case CHAOS_PRODUCT:
        if ((why = check_items (json_object_get (j, "similar"), product)))
            return why;
        if (!degraded && json_array_size (json_object_get (j, "similar")) == 0)
            return "no similar items and nothing degraded";
        return NULL;
    case CHAOS_SEARCH:
        if ((why = check_items (json_object_get (j, "results"), NULL)))
            return why;
        if (degraded_has (j, "content")) {
            const char *reason = json_string_value (json_object_get (j, "fallback_reason"));
            if (!reason || strcmp (reason, "search_unavailable"))
                return "content degraded without fallback_reason search_unavailable";
        }
        else if (json_array_size (json_object_get (j, "results")) == 0)
            return "no results for a query that matches, nothing degraded";
        return NULL;
    default:
        return NULL;
    }
}

static void
one_request (chaos_worker_t *w)
{
    chaos_load_t *self = w->load;
    unsigned r = (unsigned) rand_r (&w->seed) % 100;
    chaos_endpoint_t ep = r < 25 ? CHAOS_HOME_NEW : r < 45 ? CHAOS_HOME_HISTORY
                        : r < 65 ? CHAOS_PRODUCT : r < 80 ? CHAOS_SEARCH : CHAOS_POST;
    if (ep == CHAOS_HOME_HISTORY && !w->has_last)
        ep = CHAOS_POST;
    char target[256], body[256];
    const char *product = NULL;
    bool history_click = false;
    chaos_event_t event = { .click = false };
    const char *method = "GET";
    body[0] = 0;
    switch (ep) {
    case CHAOS_HOME_NEW:
        snprintf (target, sizeof target, "/recommendations/home?user_id=%snew%dn%ld&response_limit=10",
                  self->prefix, w->index, w->seq++);
        break;
    case CHAOS_HOME_HISTORY:
        snprintf (target, sizeof target, "/recommendations/home?user_id=%s&response_limit=10", w->last.user);
        history_click = w->last.click;
        product = w->last.click ? w->last.value : NULL;
        break;
    case CHAOS_PRODUCT:
        product = self->products[rand_r (&w->seed) % (unsigned) self->nproducts];
        snprintf (target, sizeof target, "/recommendations/product/%s?response_limit=10", product);
        break;
    case CHAOS_SEARCH: {
        const char *q = queries[rand_r (&w->seed) % QUERIES];
        char enc[64];
        size_t k = 0;
        for (const char *p = q; *p && k + 4 < sizeof enc; p++) {
            if (*p == ' ') { memcpy (enc + k, "%20", 3); k += 3; }
            else enc[k++] = *p;
        }
        enc[k] = 0;
        snprintf (target, sizeof target, "/recommendations/search?query=%s&response_limit=20", enc);
        break;
    }
    default:
        method = "POST";
        snprintf (target, sizeof target, "/api/v1/interactions/interactions");
        snprintf (event.user, sizeof event.user, "%st%dn%ld", self->prefix, w->index, w->seq++);
        event.click = rand_r (&w->seed) % 5 != 0;
        snprintf (event.value, sizeof event.value, "%s",
                  event.click ? self->products[rand_r (&w->seed) % (unsigned) self->nproducts]
                              : queries[rand_r (&w->seed) % QUERIES]);
        snprintf (body, sizeof body, "{\"user_id\":\"%s\",\"event_type\":\"%s\",\"%s\":\"%s\"}", event.user,
                  event.click ? "product_click" : "search_query", event.click ? "product_id" : "query",
                  event.value);
        break;
    }
    int policy = atomic_load (&self->policy);
    long long t0 = chaos_now_ms ();
    hr_http_response_t res;
    int rc = hr_http_request (w->http, method, target, body[0] ? "Content-Type: application/json\r\n" : NULL,
                              body[0] ? body : NULL, strlen (body), &res);
    long long took = chaos_now_ms () - t0;
    policy |= atomic_load (&self->policy);      /* a policy change mid-request: either holds */
    bool down = atomic_load (&self->down_port) == w->port;

    json_t *j = NULL;
    if (rc == 0 && res.body_len)
        j = json_loadb (res.body, res.body_len, 0, NULL);
    int outcome = OTHER;
    const char *why = NULL;
    if (rc != 0 && down)
        outcome = GONE;         /* its gateway is dead: the balancer's business */
    else if (rc != 0)
        why = "no response";
    else if (res.status == 200) {
        if (ep == CHAOS_POST)
            why = res.body_len ? "a 200 with a body" : NULL;
        else
            why = j ? check_shape (ep, j, product, history_click) : "not JSON";
        if (!why)
            outcome = json_object_get (j, "degraded") ? OK_DEGRADED : OK_CLEAN;
    }
    else if (res.status == 503) {
        bool allowed = (policy & (ep == CHAOS_POST ? CHAOS_ALLOW_POST_503 : CHAOS_ALLOW_GET_503)) != 0;
        if (!json_is_string (json_object_get (j, "error")))
            why = "a 503 without the error envelope";
        else if (allowed)
            outcome = UNAVAILABLE;
        else if (ep != CHAOS_POST && strstr (json_string_value (json_object_get (j, "detail")), "in time"))
            outcome = LATE_503;     /* judged in bulk: see chaos_load_late_503 */
        else
            why = "503 where no outage allows it";
    }
    else
        why = "unexpected status";
    if (!why && took > (ep == CHAOS_POST ? POST_HANG_MS : GET_HANG_MS))
        why = "took longer than the hang bound";

    pthread_mutex_lock (&self->lock);
    self->total++;
    self->counts[ep][outcome]++;
    if (took > self->worst_ms[ep])
        self->worst_ms[ep] = took;
    if (outcome == LATE_503)
        fprintf (stderr, "chaos_load [t+%.1fs] tolerated late 503: %s %s\n",
                 (double) (t0 - self->started_ms) / 1000.0, method, target);
    if (why)
        violation (self, "%s %s%s%s -> %d in %lld ms: %s: %.200s", method, target, body[0] ? " " : "", body,
                   rc == 0 ? res.status : -1, took, why, rc == 0 && res.body ? res.body : "");
    if (outcome == OK_CLEAN || outcome == OK_DEGRADED) {
        if (t0 > w->last_ok_start)
            w->last_ok_start = t0;
        if (t0 > self->last_ok_start[ep])
            self->last_ok_start[ep] = t0;
        if (outcome == OK_CLEAN && t0 > self->last_clean_start[ep])
            self->last_clean_start[ep] = t0;
    }
    if (ep == CHAOS_POST && outcome == OK_CLEAN)
        push_event (&self->acked, &self->nacked, &self->acked_cap, &event);
    else if (ep == CHAOS_POST && rc == 0)
        push_event (&self->refused, &self->nrefused, &self->refused_cap, &event);
    pthread_mutex_unlock (&self->lock);
    if (ep == CHAOS_POST && outcome == OK_CLEAN) {
        w->last = event;
        w->has_last = true;
    }
    json_decref (j);
    if (rc == 0)
        hr_http_response_free (&res);
}

static void *
worker_main (void *arg)
{
    chaos_worker_t *w = arg;
    w->http = hr_http_new ("127.0.0.1", w->port);
    while (w->http && !atomic_load (&w->load->stop)) {
        one_request (w);
        usleep (PAUSE_US);
    }
    hr_http_destroy (&w->http);
    return NULL;
}

int
chaos_load_start (chaos_load_t *self)
{
    atomic_store (&self->stop, false);
    self->started_ms = chaos_now_ms ();
    for (int i = 0; i < self->threads; i++) {
        if (pthread_create (&self->workers[i].thread, NULL, worker_main, &self->workers[i]) != 0)
            return -1;
        self->workers[i].running = true;
    }
    return 0;
}

void
chaos_load_stop (chaos_load_t *self)
{
    atomic_store (&self->stop, true);
    for (int i = 0; i < self->threads; i++)
        if (self->workers[i].running) {
            pthread_join (self->workers[i].thread, NULL);
            self->workers[i].running = false;
        }
}

int
chaos_load_wait (chaos_load_t *self, chaos_endpoint_t endpoint, bool clean, int timeout_ms)
{
    long long since = chaos_now_ms (), until = since + timeout_ms;
    while (chaos_now_ms () < until) {
        pthread_mutex_lock (&self->lock);
        long long seen = clean ? self->last_clean_start[endpoint] : self->last_ok_start[endpoint];
        pthread_mutex_unlock (&self->lock);
        if (seen >= since)
            return 0;
        usleep (20 * 1000);
    }
    return -1;
}

int
chaos_load_wait_port (chaos_load_t *self, int port, int timeout_ms)
{
    long long since = chaos_now_ms (), until = since + timeout_ms;
    while (chaos_now_ms () < until) {
        bool seen = false;
        pthread_mutex_lock (&self->lock);
        for (int i = 0; i < self->threads; i++)
            seen = seen || (self->workers[i].port == port && self->workers[i].last_ok_start >= since);
        pthread_mutex_unlock (&self->lock);
        if (seen)
            return 0;
        usleep (20 * 1000);
    }
    return -1;
}

long
chaos_load_gone (chaos_load_t *self)
{
    pthread_mutex_lock (&self->lock);
    long n = 0;
    for (int e = 0; e < CHAOS_ENDPOINTS; e++)
        n += self->counts[e][GONE];
    pthread_mutex_unlock (&self->lock);
    return n;
}

int
chaos_load_wait_requests (chaos_load_t *self, long n, int timeout_ms)
{
    long start = chaos_load_total (self);
    long long until = chaos_now_ms () + timeout_ms;
    while (chaos_now_ms () < until) {
        if (chaos_load_total (self) - start >= n)
            return 0;
        usleep (20 * 1000);
    }
    return -1;
}

void
chaos_load_note (chaos_load_t *self, const char *note)
{
    fprintf (stderr, "chaos_load [t+%.1fs] %s\n", (double) (chaos_now_ms () - self->started_ms) / 1000.0, note);
}

long
chaos_load_violations (chaos_load_t *self)
{
    pthread_mutex_lock (&self->lock);
    long n = self->violations;
    pthread_mutex_unlock (&self->lock);
    return n;
}

const char *
chaos_load_violation_log (chaos_load_t *self)
{
    return self->log;
}

long
chaos_load_late_503 (chaos_load_t *self, long *reads)
{
    pthread_mutex_lock (&self->lock);
    long late = 0;
    *reads = 0;
    for (int e = 0; e < CHAOS_ENDPOINTS; e++)
        if (e != CHAOS_POST) {
            late += self->counts[e][LATE_503];
            for (int o = 0; o < OUTCOMES; o++)
                *reads += o == GONE ? 0 : self->counts[e][o];
        }
    pthread_mutex_unlock (&self->lock);
    return late;
}

long
chaos_load_total (chaos_load_t *self)
{
    pthread_mutex_lock (&self->lock);
    long n = self->total;
    pthread_mutex_unlock (&self->lock);
    return n;
}

long
chaos_load_acked (chaos_load_t *self)
{
    pthread_mutex_lock (&self->lock);
    long n = (long) self->nacked;
    pthread_mutex_unlock (&self->lock);
    return n;
}

void
chaos_load_report (chaos_load_t *self, const char *title)
{
    pthread_mutex_lock (&self->lock);
    fprintf (stderr, "chaos_load %s: %ld requests in %.1f s, %ld violations\n", title, self->total,
             (double) (chaos_now_ms () - self->started_ms) / 1000.0, self->violations);
    for (int e = 0; e < CHAOS_ENDPOINTS; e++)
        fprintf (stderr, "  %-18s 200 %6ld  200+degraded %6ld  503 %5ld  late-503 %3ld  wrong %4ld  gone %4ld  worst %lld ms\n",
                 endpoint_names[e], self->counts[e][OK_CLEAN], self->counts[e][OK_DEGRADED],
                 self->counts[e][UNAVAILABLE], self->counts[e][LATE_503], self->counts[e][OTHER],
                 self->counts[e][GONE], self->worst_ms[e]);
    if (self->violations)
        fprintf (stderr, "%s", self->log);
    pthread_mutex_unlock (&self->lock);
}

static int
by_user (const void *a, const void *b)
{
    return strcmp (((const chaos_event_t *) a)->user, ((const chaos_event_t *) b)->user);
}

/*  The test's events in PostgreSQL, sorted by user; each user has one.    */
typedef struct { char user[48]; long count; char value[64]; } stored_t;

long
chaos_load_verify (chaos_load_t *self, const char *database_url, char *msg, size_t cap)
{
    chaos_load_stop (self);
    size_t used = 0;
    msg[0] = 0;
    PGconn *pg = PQconnectdb (database_url);
    if (PQstatus (pg) != CONNECTION_OK) {
        snprintf (msg, cap, "cannot connect: %s", PQerrorMessage (pg));
        PQfinish (pg);
        return -1;
    }
    char like[40];
    snprintf (like, sizeof like, "%st%%", self->prefix);
    const char *params[] = { like };
    PGresult *r = PQexecParams (pg,
        "SELECT user_id, count(*), max(coalesce(product_id, query)), max(event_type) "
        "FROM interactions WHERE user_id LIKE $1 GROUP BY user_id ORDER BY user_id COLLATE \"C\"",
        1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus (r) != PGRES_TUPLES_OK) {
        snprintf (msg, cap, "query failed: %s", PQerrorMessage (pg));
        PQclear (r);
        PQfinish (pg);
        return -1;
    }
    int rows = PQntuples (r);
    stored_t *stored = calloc ((size_t) rows + 1, sizeof *stored);
    for (int i = 0; i < rows; i++) {
        snprintf (stored[i].user, sizeof stored[i].user, "%s", PQgetvalue (r, i, 0));
        stored[i].count = atol (PQgetvalue (r, i, 1));
        snprintf (stored[i].value, sizeof stored[i].value, "%s", PQgetvalue (r, i, 2));
    }
    PQclear (r);
    PQfinish (pg);

    long bad = 0, refused_committed = 0;
    qsort (self->acked, self->nacked, sizeof *self->acked, by_user);
    for (size_t i = 0; i < self->nacked; i++) {
        const chaos_event_t *e = &self->acked[i];
        stored_t *s = bsearch (e, stored, (size_t) rows, sizeof *stored, by_user);
        const char *why = !s ? "lost" : s->count != 1 ? "stored more than once"
                        : strcmp (s->value, e->value) ? "stored with another value" : NULL;
        if (why) {
            bad++;
            int n = snprintf (msg + used, cap - used, "%s %s (%s): %s; ", e->user, e->value,
                              e->click ? "click" : "query", why);
            if (n > 0 && used + (size_t) n < cap)
                used += (size_t) n;
        }
    }
    for (size_t i = 0; i < self->nrefused; i++) {
        stored_t *s = bsearch (&self->refused[i], stored, (size_t) rows, sizeof *stored, by_user);
        if (s)
            refused_committed++;
        if (s && s->count > 1) {
            bad++;
            int n = snprintf (msg + used, cap - used, "%s: refused but stored %ld times; ",
                              self->refused[i].user, s->count);
            if (n > 0 && used + (size_t) n < cap)
                used += (size_t) n;
        }
    }
    /*  Rows of users we never got an answer for would be a mystery too.   */
    long unknown = rows - (long) self->nacked - refused_committed;
    fprintf (stderr, "chaos_load verify: %zu acknowledged POSTs, %d users in PostgreSQL, %ld bad; "
             "%zu refused (503) of which %ld committed anyway; %ld rows from unanswered POSTs\n",
             self->nacked, rows, bad, self->nrefused, refused_committed, unknown);
    free (stored);
    return bad;
}
