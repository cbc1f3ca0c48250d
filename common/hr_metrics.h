/*  hr_metrics — Prometheus counters, gauges and histograms (text exposition
    format 0.0.4).  A process-wide registry; metrics are get-or-create by
    name + label set and updated with atomics (lock-free on the hot path:
    keep the returned pointer).                                             */
#ifndef HR_METRICS_H
#define HR_METRICS_H
#include <stddef.h>
#include <stdint.h>

typedef struct hr_counter hr_counter_t;
typedef struct hr_gauge hr_gauge_t;
typedef struct hr_histogram hr_histogram_t;

/*  labels: Prometheus label text without braces, e.g.
    "endpoint=\"home\",status=\"200\"", or NULL/"" for none.               */
hr_counter_t *hr_counter (const char *name, const char *help, const char *labels);
void hr_counter_add (hr_counter_t *c, uint64_t n);
static inline void hr_counter_inc (hr_counter_t *c) { hr_counter_add (c, 1); }
uint64_t hr_counter_value (hr_counter_t *c);

hr_gauge_t *hr_gauge (const char *name, const char *help, const char *labels);
void hr_gauge_set (hr_gauge_t *g, double v);
void hr_gauge_add (hr_gauge_t *g, double d);
double hr_gauge_value (hr_gauge_t *g);

/*  Latency histogram in seconds; buckets 50µs .. 10s (fixed).  */
hr_histogram_t *hr_histogram (const char *name, const char *help, const char *labels);
void hr_histogram_observe (hr_histogram_t *h, double seconds);
/*  Approximate quantile from the buckets (for the dashboard / tests).  */
double hr_histogram_quantile (hr_histogram_t *h, double q);
uint64_t hr_histogram_count (hr_histogram_t *h);

/*  Renders the whole registry; malloc'd, NUL-terminated; *len set.  */
char *hr_metrics_render (size_t *len);
/*  Frees the registry (tests, end of main; not while others update).  */
void hr_metrics_reset (void);

/*  A tiny HTTP/1.0 listener on 0.0.0.0:port in its own thread that answers
    GET /metrics, GET /healthz (200 "ok") and GET /readyz (200 when
    ready(arg) is true or ready is NULL, else 503).  For the services; the
    gateway serves these through h2o.  port 0 = disabled.                   */
typedef struct hr_metrics_server hr_metrics_server_t;
hr_metrics_server_t *hr_metrics_server_new (int port, int (*ready) (void *), void *arg);
void hr_metrics_server_destroy (hr_metrics_server_t **self_p);

#endif
