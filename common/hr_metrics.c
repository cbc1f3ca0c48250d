/*  hr_metrics — a process-wide Prometheus registry.

    Creation takes a mutex (get-or-create by name + labels); updates are
    plain C11 atomics on the returned pointer, so hot paths never lock.
    Doubles (gauges, histogram sums) live as their bit pattern in an atomic
    u64 and change by compare-and-swap.  Series are never freed while the
    process runs (hr_metrics_reset is for tests and the end of main), so a
    kept pointer stays valid.                                               */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE             //  accept4, pipe2
#endif
#include "hr_metrics.h"
#include "hr_version.h"
#include "hr_log.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef enum { S_COUNTER, S_GAUGE, S_HISTOGRAM } s_kind_t;

//  Upper bounds in seconds, and their text as Prometheus shows it.
static const double s_bounds[] = { 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                   0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
                                   5, 10 };
static const char *s_bound_text[] = { "0.00005", "0.0001", "0.00025", "0.0005", "0.001",
                                      "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                                      "0.25", "0.5", "1", "2.5", "5", "10", "+Inf" };
#define S_NBOUNDS (sizeof s_bounds / sizeof s_bounds[0])
#define S_NBUCKETS (S_NBOUNDS + 1)      //  the last one is +Inf

struct hr_counter {
    atomic_uint_fast64_t value;
};
struct hr_gauge {
    atomic_uint_fast64_t bits;
};
struct hr_histogram {
    atomic_uint_fast64_t bucket[S_NBUCKETS];  //  per bucket, not cumulative
    atomic_uint_fast64_t count;
    atomic_uint_fast64_t sum_bits;
};

typedef struct s_series {
    struct s_series *next;
    char *labels;               //  "" when none
    union {
        struct hr_counter counter;
        struct hr_gauge gauge;
        struct hr_histogram histogram;
    } u;
} s_series_t;

typedef struct s_family {
    struct s_family *next;
    char *name, *help;
    s_kind_t kind;
    s_series_t *series, **series_tail;
} s_family_t;

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static s_family_t *s_families;
static s_family_t **s_families_tail = &s_families;

static uint64_t
s_double_bits (double v)
{
    uint64_t bits;
    memcpy (&bits, &v, sizeof bits);
    return bits;
}

static double
s_bits_double (uint64_t bits)
{
    double v;
    memcpy (&v, &bits, sizeof v);
    return v;
}

static void
s_atomic_add_double (atomic_uint_fast64_t *bits, double d)
{
    uint_fast64_t old = atomic_load_explicit (bits, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit (bits, &old,
                                                   s_double_bits (s_bits_double (old) + d),
                                                   memory_order_relaxed,
                                                   memory_order_relaxed))
        ;
}

//  Returns the series for (name, labels), creating it; NULL only when out of
//  memory.  Reusing a name with another type is a programmer error.
static s_series_t *
s_get_or_create (const char *name, const char *help, const char *labels, s_kind_t kind)
{
    assert (name && *name);
    if (!labels)
        labels = "";
    pthread_mutex_lock (&s_lock);
    s_family_t *fam = s_families;
    while (fam && strcmp (fam->name, name) != 0)
        fam = fam->next;
    if (fam)
        assert (fam->kind == kind);
    else {
        fam = calloc (1, sizeof *fam);
        if (fam) {
            fam->name = strdup (name);
            fam->help = strdup (help ? help : "");
            fam->kind = kind;
            fam->series_tail = &fam->series;
            if (!fam->name || !fam->help) {
                free (fam->name);
                free (fam->help);
                free (fam);
                fam = NULL;
            }
            else {
                *s_families_tail = fam;
                s_families_tail = &fam->next;
            }
        }
    }
    s_series_t *series = fam ? fam->series : NULL;
    while (series && strcmp (series->labels, labels) != 0)
        series = series->next;
    if (fam && !series) {
        series = calloc (1, sizeof *series);
        if (series && !(series->labels = strdup (labels))) {
            free (series);
            series = NULL;
        }
        if (series) {
            *fam->series_tail = series;
            fam->series_tail = &series->next;
        }
    }
    pthread_mutex_unlock (&s_lock);
    return series;
}

//  When memory runs out at registration, updates go to a sink nobody
//  renders, so callers never have to check for NULL.
static struct hr_counter s_sink_counter;
static struct hr_gauge s_sink_gauge;
static struct hr_histogram s_sink_histogram;

hr_counter_t *
hr_counter (const char *name, const char *help, const char *labels)
{
    s_series_t *s = s_get_or_create (name, help, labels, S_COUNTER);
    return s ? &s->u.counter : &s_sink_counter;
}

void
hr_counter_add (hr_counter_t *c, uint64_t n)
{
    atomic_fetch_add_explicit (&c->value, n, memory_order_relaxed);
}

uint64_t
hr_counter_value (hr_counter_t *c)
{
    return atomic_load_explicit (&c->value, memory_order_relaxed);
}

hr_gauge_t *
hr_gauge (const char *name, const char *help, const char *labels)
{
    s_series_t *s = s_get_or_create (name, help, labels, S_GAUGE);
    return s ? &s->u.gauge : &s_sink_gauge;
}

void
hr_gauge_set (hr_gauge_t *g, double v)
{
    atomic_store_explicit (&g->bits, s_double_bits (v), memory_order_relaxed);
}

void
hr_gauge_add (hr_gauge_t *g, double d)
{
    s_atomic_add_double (&g->bits, d);
}

double
hr_gauge_value (hr_gauge_t *g)
{
    return s_bits_double (atomic_load_explicit (&g->bits, memory_order_relaxed));
}

hr_histogram_t *
hr_histogram (const char *name, const char *help, const char *labels)
{
    s_series_t *s = s_get_or_create (name, help, labels, S_HISTOGRAM);
    return s ? &s->u.histogram : &s_sink_histogram;
}

void
hr_histogram_observe (hr_histogram_t *h, double seconds)
{
    if (isnan (seconds))
        return;                 //  one NaN would poison the sum forever
    if (seconds < 0)
        seconds = 0;
    size_t b = 0;
    while (b < S_NBOUNDS && seconds > s_bounds[b])
        b++;
    atomic_fetch_add_explicit (&h->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit (&h->count, 1, memory_order_relaxed);
    if (isfinite (seconds))
        s_atomic_add_double (&h->sum_bits, seconds);
}

uint64_t
hr_histogram_count (hr_histogram_t *h)
{
    return atomic_load_explicit (&h->count, memory_order_relaxed);
}

double
hr_histogram_quantile (hr_histogram_t *h, double q)
{
    //  As Prometheus' histogram_quantile: find the bucket holding the rank
    //  and interpolate linearly inside it; the +Inf bucket answers with the
    //  largest finite bound.
    uint64_t counts[S_NBUCKETS], total = 0;
    for (size_t b = 0; b < S_NBUCKETS; b++) {
        counts[b] = atomic_load_explicit (&h->bucket[b], memory_order_relaxed);
        total += counts[b];
    }
    if (total == 0 || isnan (q))
        return 0;
    if (q < 0)
        q = 0;
    if (q > 1)
        q = 1;
    double rank = q * (double) total;
    uint64_t below = 0;
    for (size_t b = 0; b < S_NBUCKETS; b++) {
        if (counts[b] > 0 && (double) (below + counts[b]) >= rank) {
            if (b == S_NBOUNDS)
                return s_bounds[S_NBOUNDS - 1];
            double lo = b == 0 ? 0 : s_bounds[b - 1];
            double hi = s_bounds[b];
            double within = (rank - (double) below) / (double) counts[b];
            return lo + (hi - lo) * within;
        }
        below += counts[b];
    }
    return s_bounds[S_NBOUNDS - 1];
}

//  A growing output buffer; `failed` latches on out-of-memory.
typedef struct {
    char *data;
    size_t len, cap;
    bool failed;
} s_buf_t;

static void __attribute__ ((format (printf, 2, 3)))
s_printf (s_buf_t *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start (ap, fmt);
        int n = vsnprintf (b->data + b->len, b->cap - b->len, fmt, ap);
        va_end (ap);
        if (n < 0) {
            b->failed = true;
            return;
        }
        if ((size_t) n < b->cap - b->len) {
            b->len += (size_t) n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t) n;
        char *data = realloc (b->data, cap);
        if (!data) {
            b->failed = true;
            return;
        }
        b->data = data;
        b->cap = cap;
    }
}

static void
s_print_double (s_buf_t *b, double v)
{
    if (isnan (v))
        s_printf (b, "NaN");
    else if (isinf (v))
        s_printf (b, v > 0 ? "+Inf" : "-Inf");
    else {
        //  the shortest text that reads back exactly (0.1, not 0.10000000000000001)
        char text[32];
        snprintf (text, sizeof text, "%.15g", v);
        if (strtod (text, NULL) != v)
            snprintf (text, sizeof text, "%.17g", v);
        s_printf (b, "%s", text);
    }
}

//  HELP text escapes backslash and newline (exposition format 0.0.4).
static void
s_print_help (s_buf_t *b, const char *name, const char *help)
{
    s_printf (b, "# HELP %s ", name);
    for (const char *p = help; *p; p++) {
        if (*p == '\\')
            s_printf (b, "\\\\");
        else if (*p == '\n')
            s_printf (b, "\\n");
        else
            s_printf (b, "%c", *p);
    }
    s_printf (b, "\n");
}

static void
s_render_histogram (s_buf_t *b, const char *name, const s_series_t *s)
{
    const struct hr_histogram *h = &s->u.histogram;
    const char *sep = *s->labels ? "," : "";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < S_NBUCKETS; i++) {
        cumulative += atomic_load_explicit (&h->bucket[i], memory_order_relaxed);
        s_printf (b, "%s_bucket{%s%sle=\"%s\"} %llu\n", name, s->labels, sep,
                  s_bound_text[i], (unsigned long long) cumulative);
    }
    const char *open = *s->labels ? "{" : "", *close = *s->labels ? "}" : "";
    s_printf (b, "%s_sum%s%s%s ", name, open, s->labels, close);
    s_print_double (b, s_bits_double (atomic_load_explicit (&h->sum_bits, memory_order_relaxed)));
    //  _count equals the +Inf bucket, even while observers race the render
    s_printf (b, "\n%s_count%s%s%s %llu\n", name, open, s->labels, close,
              (unsigned long long) cumulative);
}

char *
hr_metrics_render (size_t *len)
{
    static const char *type_names[] = { "counter", "gauge", "histogram" };
    s_buf_t b = { malloc (4096), 0, 4096, false };
    if (!b.data)
        return NULL;
    b.data[0] = 0;
    //  Every process says what it is (one series, always 1)
    s_printf (&b, "# HELP hybridrec_build_info version and commit of this binary\n"
                  "# TYPE hybridrec_build_info gauge\n"
                  "hybridrec_build_info{version=\"%s\",commit=\"%s\"} 1\n",
              hr_version (), hr_version_commit ());
    //  ... and how much CPU it has used (`hybridrec capacity`, docs/scaling.md)
    struct timespec cpu = { 0, 0 };
    clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &cpu);
    s_printf (&b, "# HELP process_cpu_seconds_total user and system CPU time of this process\n"
                  "# TYPE process_cpu_seconds_total counter\n"
                  "process_cpu_seconds_total %.6f\n",
              (double) cpu.tv_sec + (double) cpu.tv_nsec / 1e9);
    pthread_mutex_lock (&s_lock);
    for (s_family_t *fam = s_families; fam; fam = fam->next) {
        s_print_help (&b, fam->name, fam->help);
        s_printf (&b, "# TYPE %s %s\n", fam->name, type_names[fam->kind]);
        for (s_series_t *s = fam->series; s; s = s->next) {
            const char *open = *s->labels ? "{" : "", *close = *s->labels ? "}" : "";
            if (fam->kind == S_COUNTER)
                s_printf (&b, "%s%s%s%s %llu\n", fam->name, open, s->labels, close,
                          (unsigned long long) hr_counter_value (&s->u.counter));
            else if (fam->kind == S_GAUGE) {
                s_printf (&b, "%s%s%s%s ", fam->name, open, s->labels, close);
                s_print_double (&b, hr_gauge_value (&s->u.gauge));
                s_printf (&b, "\n");
            }
            else
                s_render_histogram (&b, fam->name, s);
        }
    }
    pthread_mutex_unlock (&s_lock);
    if (b.failed) {
        free (b.data);
        return NULL;
    }
    if (len)
        *len = b.len;
    return b.data;
}

void
hr_metrics_reset (void)
{
    pthread_mutex_lock (&s_lock);
    s_family_t *fam = s_families;
    while (fam) {
        s_family_t *next_fam = fam->next;
        s_series_t *s = fam->series;
        while (s) {
            s_series_t *next = s->next;
            free (s->labels);
            free (s);
            s = next;
        }
        free (fam->name);
        free (fam->help);
        free (fam);
        fam = next_fam;
    }
    s_families = NULL;
    s_families_tail = &s_families;
    pthread_mutex_unlock (&s_lock);
}
