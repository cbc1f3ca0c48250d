#include "trending_train.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hr_proto.h"
#include "hr_validate.h"

/*  exp(-ln(rate) · (ts - t0) / 1 h) = rate^(-(ts - t0)/1 h), in float8.  */
static const char SNAPSHOT_SQL[] =
    "SELECT product_id,"
    "       sum(" HR_EVENT_WEIGHT_SQL " * exp(-ln($1::float8) * ((extract(epoch FROM ts) * 1000 - $2::float8) / 3600000.0))),"
    "       (max(extract(epoch FROM ts)) * 1000)::bigint, count(*)"
    "  FROM interactions"
    " WHERE " HR_EVENT_PRODUCT_SQL " AND product_id IS NOT NULL"
    "   AND ts >= now() - make_interval(days => $3::int)"
    " GROUP BY product_id";

void trending_snapshot_free (trending_snapshot_t *s)
{
    free (s->ids);
    free (s->raw);
    memset (s, 0, sizeof *s);
}

static int alloc_rows (trending_snapshot_t *s, uint32_t n)
{
    s->ids = calloc (n ? n : 1, sizeof *s->ids);
    s->raw = calloc (n ? n : 1, sizeof *s->raw);
    return s->ids && s->raw ? 0 : -1;
}

int trending_snapshot_from_pg (hr_pg_t *pg, double rate, uint32_t window_days, int64_t t0_ms,
                               trending_snapshot_t *out, char *err, size_t errlen)
{
    memset (out, 0, sizeof *out);
    char r[32], t0[32], days[16];
    snprintf (r, sizeof r, "%.17g", rate);
    snprintf (t0, sizeof t0, "%lld", (long long) t0_ms);
    snprintf (days, sizeof days, "%u", window_days);
    const char *params[] = { r, t0, days };
    PGresult *res = hr_pg_exec (pg, SNAPSHOT_SQL, 3, params);
    if (!res) {
        snprintf (err, errlen, "reading clicks: %s", hr_pg_error (pg));
        return -1;
    }
    uint32_t rows = (uint32_t) PQntuples (res);
    if (alloc_rows (out, rows)) {
        PQclear (res);
        snprintf (err, errlen, "out of memory");
        return -1;
    }
    out->rate = rate;
    out->t0_ms = t0_ms;
    for (uint32_t i = 0; i < rows; i++) {
        const char *id = PQgetvalue (res, (int) i, 0);
        double raw = strtod (PQgetvalue (res, (int) i, 1), NULL);
        if (!hr_valid_product_id (id, strlen (id)) || !(raw >= 0) || isinf (raw))
            continue;           /* not a product id: no catalog item to credit */
        memcpy (out->ids[out->n], id, 11);
        out->raw[out->n++] = raw;
        int64_t ts = strtoll (PQgetvalue (res, (int) i, 2), NULL, 10);
        if (ts > out->cut_ms)
            out->cut_ms = ts;
        out->clicks += strtoull (PQgetvalue (res, (int) i, 3), NULL, 10);
    }
    PQclear (res);
    return 0;
}

void trending_snapshot_encode (const trending_snapshot_t *s, hr_writer_t *w)
{
    hr_put_u32 (w, TRENDING_SNAPSHOT_MAGIC);
    hr_put_u32 (w, TRENDING_SNAPSHOT_FORMAT);
    hr_put_f64 (w, s->rate);
    hr_put_i64 (w, s->t0_ms);
    hr_put_i64 (w, s->cut_ms);
    hr_put_u32 (w, s->n);
    for (uint32_t i = 0; i < s->n; i++) {
        hr_put_bytes (w, s->ids[i], 10);
        hr_put_f64 (w, s->raw[i]);
    }
}

int trending_snapshot_decode (const void *blob, size_t len, trending_snapshot_t *out,
                              char *err, size_t errlen)
{
    memset (out, 0, sizeof *out);
    hr_reader_t r;
    hr_reader_init (&r, blob, len);
    if (hr_get_u32 (&r) != TRENDING_SNAPSHOT_MAGIC || hr_get_u32 (&r) != TRENDING_SNAPSHOT_FORMAT) {
        snprintf (err, errlen, "trending snapshot: bad magic or format");
        return -1;
    }
    out->rate = hr_get_f64 (&r);
    out->t0_ms = hr_get_i64 (&r);
    out->cut_ms = hr_get_i64 (&r);
    uint32_t n = hr_get_count (&r, 18);
    if (!hr_reader_ok (&r) || !(out->rate > 0 && out->rate <= 1) || alloc_rows (out, n)) {
        snprintf (err, errlen, "trending snapshot: bad header");
        trending_snapshot_free (out);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        memcpy (out->ids[i], r.p, 10);
        r.p += 10;
        out->raw[i] = hr_get_f64 (&r);
        if (!hr_reader_ok (&r) || !hr_valid_product_id (out->ids[i], 10) || !(out->raw[i] >= 0)
            || isinf (out->raw[i])) {
            snprintf (err, errlen, "trending snapshot: bad row %u", i);
            trending_snapshot_free (out);
            return -1;
        }
    }
    out->n = n;
    if (!hr_reader_done (&r)) {
        snprintf (err, errlen, "trending snapshot: trailing bytes");
        trending_snapshot_free (out);
        return -1;
    }
    return 0;
}
