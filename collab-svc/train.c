/*  Training: a click log -> collab_model (see model.h for what is learnt).

    The co-occurrence rows are computed item by item from an inverted index
    of positions, accumulating into a dense per-thread array: no hash table
    of pairs, memory linear in the log, and items split across threads.    */
#include "model.h"
#include "seqrules.h"
#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void
collab_train_params_default (collab_train_params_t *p)
{
    *p = (collab_train_params_t) {
        .window = 10, .fwd = 1.0f, .bwd = 0.5f, .dist_pow = 2.0f, .pop_damp = 0.2f,
        .halflife_days = 4.0f,
        .neighbours = 200, .max_sessions = 1000000, .sample = 500, .threads = 2,
    };
}

/*  The log with consecutive repeats collapsed (a re-click of the same item
    says nothing about what goes with it).  */
typedef struct {
    uint32_t n_sessions, n;
    uint32_t *start, *item, *sess;    /* sess: session of each position */
    int64_t *end_ts;
    float *weight;                    /* per session: age decay */
} collapsed_t;

static void
s_collapsed_free (collapsed_t *c)
{
    free (c->start);
    free (c->item);
    free (c->sess);
    free (c->end_ts);
    free (c->weight);
}

static int
s_collapse (const collab_log_t *log, double halflife_days, int64_t newest, collapsed_t *c)
{
    memset (c, 0, sizeof *c);
    c->start = malloc ((log->n_sessions + 1) * sizeof *c->start);
    c->item = malloc ((log->n_events + 1) * sizeof *c->item);
    c->sess = malloc ((log->n_events + 1) * sizeof *c->sess);
    c->end_ts = malloc ((log->n_sessions + 1) * sizeof *c->end_ts);
    c->weight = malloc ((log->n_sessions + 1) * sizeof *c->weight);
    if (!c->start || !c->item || !c->sess || !c->end_ts || !c->weight) {
        s_collapsed_free (c);
        return -1;
    }
    c->start[0] = 0;
    for (uint32_t s = 0; s < log->n_sessions; s++) {
        for (uint32_t e = log->start[s]; e < log->start[s + 1]; e++) {
            if (e > log->start[s] && log->item[e] == log->item[e - 1])
                continue;
            c->item[c->n] = log->item[e];
            c->sess[c->n] = s;
            c->n++;
        }
        c->end_ts[s] = log->start[s + 1] > log->start[s] ? log->ts_ms[log->start[s + 1] - 1] : 0;
        c->start[s + 1] = c->n;
        double age_days = (double) (newest - c->end_ts[s]) / 86400e3;
        c->weight[s] = halflife_days > 0 ? (float) exp2 (-age_days / halflife_days) : 1.0f;
    }
    c->n_sessions = log->n_sessions;
    return 0;
}

/*  --- co-occurrence rows ------------------------------------------------- */

typedef struct {
    uint32_t item;
    float score;
} pair_t;

typedef struct {
    const collapsed_t *c;
    const collab_train_params_t *p;
    const uint32_t *occ_start, *occ_pos;   /* item -> positions */
    const float *damp;                     /* 1 / pop^pop_damp */
    const float *distw;                    /* weight by distance */
    uint32_t n_items, first, step;         /* items first, first+step, ... */
    /* out */
    pair_t *out;
    size_t out_n, out_cap;
    uint32_t *row_at, *row_len;            /* shared, per item (disjoint writes) */
    int rc;
} row_job_t;

static int
s_pair_desc (const void *a, const void *b)
{
    const pair_t *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

static void *
s_rows_thread (void *arg)
{
    row_job_t *job = arg;
    const collapsed_t *c = job->c;
    const uint32_t W = job->p->window;
    const uint32_t N = job->p->neighbours;
    float *acc = calloc (job->n_items, sizeof *acc);
    uint32_t *touched = malloc (job->n_items * sizeof *touched);
    pair_t *cand = malloc (job->n_items * sizeof *cand);
    if (!acc || !touched || !cand) {
        job->rc = -1;
        goto done;
    }
    for (uint32_t a = job->first; a < job->n_items; a += job->step) {
        uint32_t nt = 0;
        for (uint32_t o = job->occ_start[a]; o < job->occ_start[a + 1]; o++) {
            uint32_t e = job->occ_pos[o], s = c->sess[e];
            uint32_t lo = c->start[s], hi = c->start[s + 1];
            if (e - lo > W)
                lo = e - W;
            if (hi - e > W + 1)
                hi = e + W + 1;
            for (uint32_t f = lo; f < hi; f++) {
                uint32_t b = c->item[f];
                if (b == a)
                    continue;
                float w = f > e ? job->p->fwd * job->distw[f - e] : job->p->bwd * job->distw[e - f];
                w *= c->weight[s];
                if (acc[b] == 0.0f)
                    touched[nt++] = b;
                acc[b] += w;
            }
        }
        double sum = 0;
        for (uint32_t t = 0; t < nt; t++) {
            uint32_t b = touched[t];
            cand[t] = (pair_t) { b, acc[b] * job->damp[b] };
            sum += cand[t].score;
            acc[b] = 0.0f;
        }
        uint32_t keep = nt < N ? nt : N;
        qsort (cand, nt, sizeof *cand, s_pair_desc);
        if (job->out_n + keep > job->out_cap) {
            size_t cap = job->out_cap ? job->out_cap * 2 : 65536;
            while (cap < job->out_n + keep)
                cap *= 2;
            pair_t *out = realloc (job->out, cap * sizeof *out);
            if (!out) {
                job->rc = -1;
                goto done;
            }
            job->out = out;
            job->out_cap = cap;
        }
        for (uint32_t t = 0; t < keep; t++)
            job->out[job->out_n + t] = (pair_t) { cand[t].item, (float) (cand[t].score / sum) };
        job->row_at[a] = (uint32_t) job->out_n;
        job->row_len[a] = keep;
        job->out_n += keep;
    }
done:
    free (acc);
    free (touched);
    free (cand);
    return NULL;
}

static int
s_train_rows (collab_model_t *m, const collapsed_t *c, const collab_train_params_t *p)
{
    const uint32_t n_items = m->n_items;
    int rc = -1;
    uint32_t nthreads = p->threads < 1 ? 1 : p->threads > 16 ? 16 : p->threads;
    uint32_t *occ_start = calloc (n_items + 1, sizeof *occ_start);
    uint32_t *occ_pos = malloc ((c->n + 1) * sizeof *occ_pos);
    float *damp = malloc ((n_items + 1) * sizeof *damp);
    float *distw = malloc ((p->window + 2) * sizeof *distw);
    uint32_t *row_at = calloc (n_items + 1, sizeof *row_at);
    uint32_t *row_len = calloc (n_items + 1, sizeof *row_len);
    row_job_t jobs[16];
    memset (jobs, 0, sizeof jobs);
    if (!occ_start || !occ_pos || !damp || !distw || !row_at || !row_len)
        goto done;
    for (uint32_t e = 0; e < c->n; e++)
        occ_start[c->item[e] + 1]++;
    for (uint32_t i = 0; i < n_items; i++)
        occ_start[i + 1] += occ_start[i];
    {
        uint32_t *fill = row_at;           /* borrowed as a cursor; reset below */
        for (uint32_t e = 0; e < c->n; e++)
            occ_pos[occ_start[c->item[e]] + fill[c->item[e]]++] = e;
        memset (row_at, 0, (n_items + 1) * sizeof *row_at);
    }
    for (uint32_t i = 0; i < n_items; i++)
        damp[i] = m->pop[i] > 0 ? powf (m->pop[i], -p->pop_damp) : 1.0f;
    distw[0] = 0;
    for (uint32_t d = 1; d <= p->window + 1; d++)
        distw[d] = powf ((float) d, -p->dist_pow);

    pthread_t tid[16];
    bool created[16] = { false };
    for (uint32_t t = 0; t < nthreads; t++)
        jobs[t] = (row_job_t) { .c = c, .p = p, .occ_start = occ_start, .occ_pos = occ_pos,
                                .damp = damp, .distw = distw, .n_items = n_items,
                                .first = t, .step = nthreads, .row_at = row_at, .row_len = row_len };
    for (uint32_t t = 1; t < nthreads; t++) {
        created[t] = pthread_create (&tid[t], NULL, s_rows_thread, &jobs[t]) == 0;
        if (!created[t])
            jobs[t].rc = -1;
    }
    s_rows_thread (&jobs[0]);
    for (uint32_t t = 1; t < nthreads; t++)
        if (created[t])
            pthread_join (tid[t], NULL);
    for (uint32_t t = 0; t < nthreads; t++)
        if (jobs[t].rc)
            goto done;

    size_t total = 0;
    for (uint32_t i = 0; i < n_items; i++)
        total += row_len[i];
    m->nb_start = malloc ((n_items + 1) * sizeof *m->nb_start);
    m->nb_item = malloc ((total + 1) * sizeof *m->nb_item);
    m->nb_score = malloc ((total + 1) * sizeof *m->nb_score);
    if (!m->nb_start || !m->nb_item || !m->nb_score)
        goto done;
    m->nb_start[0] = 0;
    for (uint32_t i = 0; i < n_items; i++) {
        const pair_t *row = jobs[i % nthreads].out + row_at[i];
        uint32_t at = m->nb_start[i];
        for (uint32_t k = 0; k < row_len[i]; k++) {
            m->nb_item[at + k] = row[k].item;
            m->nb_score[at + k] = row[k].score;
        }
        m->nb_start[i + 1] = at + row_len[i];
    }
    rc = 0;
done:
    for (uint32_t t = 0; t < 16; t++)
        free (jobs[t].out);
    free (occ_start);
    free (occ_pos);
    free (damp);
    free (distw);
    free (row_at);
    free (row_len);
    return rc;
}

/*  --- session-kNN store ------------------------------------------------- */

typedef struct {
    int64_t ts;
    uint32_t s;
} sess_order_t;

static int
s_recent_first (const void *a, const void *b)
{
    const sess_order_t *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts > y->ts ? -1 : 1;
    return x->s > y->s ? -1 : x->s < y->s;
}

static int
s_train_sessions (collab_model_t *m, const collapsed_t *c, const collab_train_params_t *p)
{
    int rc = -1;
    uint32_t keep = c->n_sessions < p->max_sessions ? c->n_sessions : p->max_sessions;
    sess_order_t *order = malloc ((c->n_sessions + 1) * sizeof *order);
    uint32_t *last_seen = malloc ((m->n_items + 1) * sizeof *last_seen);
    uint32_t *fill = calloc (m->n_items + 1, sizeof *fill);
    if (!order || !last_seen || !fill)
        goto done;
    for (uint32_t s = 0; s < c->n_sessions; s++)
        order[s] = (sess_order_t) { c->end_ts[s], s };
    qsort (order, c->n_sessions, sizeof *order, s_recent_first);

    size_t n_ev = 0;
    for (uint32_t k = 0; k < keep; k++)
        n_ev += c->start[order[k].s + 1] - c->start[order[k].s];
    m->n_sessions = keep;
    m->ss_start = malloc ((keep + 1) * sizeof *m->ss_start);
    m->ss_item = malloc ((n_ev + 1) * sizeof *m->ss_item);
    m->ss_time = malloc ((keep + 1) * sizeof *m->ss_time);
    m->inv_start = calloc (m->n_items + 1, sizeof *m->inv_start);
    if (!m->ss_start || !m->ss_item || !m->ss_time || !m->inv_start)
        goto done;
    m->ss_start[0] = 0;
    memset (last_seen, 0xff, (m->n_items + 1) * sizeof *last_seen);
    for (uint32_t k = 0; k < keep; k++) {
        uint32_t s = order[k].s, at = m->ss_start[k];
        for (uint32_t e = c->start[s]; e < c->start[s + 1]; e++) {
            uint32_t it = c->item[e];
            m->ss_item[at++] = it;
            if (last_seen[it] != k && m->inv_start[it + 1] < p->sample) {
                last_seen[it] = k;
                m->inv_start[it + 1]++;
            }
        }
        m->ss_start[k + 1] = at;
        m->ss_time[k] = order[k].ts;
    }
    for (uint32_t i = 0; i < m->n_items; i++)
        m->inv_start[i + 1] += m->inv_start[i];
    m->inv_sess = malloc ((m->inv_start[m->n_items] + 1) * sizeof *m->inv_sess);
    if (!m->inv_sess)
        goto done;
    memset (last_seen, 0xff, (m->n_items + 1) * sizeof *last_seen);
    for (uint32_t k = 0; k < keep; k++)
        for (uint32_t e = m->ss_start[k]; e < m->ss_start[k + 1]; e++) {
            uint32_t it = m->ss_item[e];
            if (last_seen[it] != k && fill[it] < m->inv_start[it + 1] - m->inv_start[it]) {
                last_seen[it] = k;
                m->inv_sess[m->inv_start[it] + fill[it]++] = k;
            }
        }
    rc = 0;
done:
    free (order);
    free (last_seen);
    free (fill);
    return rc;
}

collab_model_t *
collab_model_train (const collab_log_t *log, collab_ids_t *ids, const collab_train_params_t *params)
{
    assert (log && ids && params);
    collab_model_t *m = calloc (1, sizeof *m);
    collapsed_t c;
    if (!m)
        return NULL;
    m->params = *params;
    if (m->params.window < 1)
        m->params.window = 1;
    m->n_items = collab_ids_count (ids);
    m->pop = calloc (m->n_items + 1, sizeof *m->pop);
    if (!m->pop) {
        collab_model_destroy (&m);
        return NULL;
    }
    m->trained_until_ms = INT64_MIN;
    for (uint32_t e = 0; e < log->n_events; e++) {
        assert (log->item[e] < m->n_items);
        m->pop[log->item[e]] += 1.0f;
        if (log->ts_ms[e] > m->trained_until_ms)
            m->trained_until_ms = log->ts_ms[e];
    }
    if (s_collapse (log, m->params.halflife_days, m->trained_until_ms, &c)) {
        collab_model_destroy (&m);
        return NULL;
    }
    m->n_train_events = log->n_events;
    int rc = s_train_rows (m, &c, &m->params);
    if (rc == 0)
        rc = s_train_sessions (m, &c, &m->params);
    if (rc == 0)
        rc = collab_seqrules_train (log, m->n_items, COLLAB_SR_WINDOW, COLLAB_SR_KEEP, &m->sr_start,
                                    &m->sr_item, &m->sr_count, &m->sr_total);
    s_collapsed_free (&c);
    if (rc) {
        collab_model_destroy (&m);
        return NULL;
    }
    m->ids = ids;
    return m;
}

void
collab_model_destroy (collab_model_t **self_p)
{
    assert (self_p);
    collab_model_t *m = *self_p;
    if (!m)
        return;
    collab_ids_destroy (&m->ids);
    free (m->pop);
    free (m->nb_start);
    free (m->nb_item);
    free (m->nb_score);
    free (m->ss_start);
    free (m->ss_item);
    free (m->ss_time);
    free (m->inv_start);
    free (m->inv_sess);
    free (m->sr_start);
    free (m->sr_item);
    free (m->sr_count);
    free (m->sr_total);
    free (m);
    *self_p = NULL;
}

size_t
collab_model_bytes (const collab_model_t *m)
{
    size_t nb = m->nb_start[m->n_items], ss = m->ss_start[m->n_sessions];
    size_t inv = m->inv_start[m->n_items], sr = m->sr_start ? m->sr_start[m->n_items] : 0;
    return (size_t) m->n_items * (4 + 4 + 4 + 16 + 8 + 8)
         + nb * 8 + ss * 4 + (size_t) m->n_sessions * 12 + inv * 4 + sr * 8;
}
