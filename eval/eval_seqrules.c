/*  The "seqrules" strategy of the evaluation (eval_strategies.h): the
    sequential rules of session-based recommendation (SR, Ludewig &
    Jannach 2018, "Evaluation of session-based recommendation algorithms").

    Training: collab_seqrules_train (collab-svc/seqrules.h, the rows
    collab-svc serves): inside each session (consecutive repeats
    collapsed) every click b at distance d <= window after a click a adds
    1 / d to the rule a -> b (only forwards: what sessions do next).  Each
    rule row is kept to its `keep` best consequents; scoring divides by
    their total (a probability of "where sessions go from a").

    Scoring: score(b) = sum over the newest `hist` distinct history items
    h_k (k = 0 newest) of (k + 1)^-hist_pow x rule(h_k -> b).  Unlike
    collab's neighbours (both directions, popularity damping, session age)
    and its session-kNN, this is order alone, undamped: the model an
    ordered next-click log would suggest first.  Online: the replayed
    clicks of a session add their rules too (as collab's live overlay
    learns between retrains), into an overlay counted the same way.      */
#include "eval_strategies.h"
#include "collab-svc/seqrules.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint32_t item;              /* the consequent */
    float w;
    uint32_t next;              /* the antecedent's next live rule, UINT32_MAX = none */
} seq_live_t;

#define SEQ_WINDOW_MAX 16

typedef struct {
    uint32_t n;
    uint32_t item[SEQ_WINDOW_MAX];      /* the session's collapsed clicks, newest last */
} seq_recent_t;

typedef struct {
    eval_seqrules_params_t p;
    uint32_t n_items;
    /* the trained rows (collab_seqrules_train, the code collab-svc trains) */
    uint32_t *row;              /* n_items + 1 offsets into item / count */
    uint32_t *item;             /* per antecedent: consequents, best first */
    float *count;
    float *total;               /* n_items: a row's count (its kept consequents) + live count */
    float *acc;                 /* n_items scratch scores */
    uint32_t *touched;          /* items with acc != 0 */
    /* online: the replayed sessions' rules, a list per antecedent */
    seq_live_t *live;
    uint32_t live_n, live_cap;
    uint32_t *head;             /* n_items, UINT32_MAX = no live rule */
    seq_recent_t *recent;       /* per replayed session (sessions interleave) */
    uint32_t n_recent;
} seqrules_t;

void
eval_seqrules_params_default (eval_seqrules_params_t *p)
{
    *p = (eval_seqrules_params_t) { .window = 10, .keep = 200, .hist = 5, .hist_pow = 1.0f,
                                    .online = true };
}

/*  Counts the replayed click: the rules from the session's previous
    clicks to it, into the live lists.  A full overlay stops learning.    */
static void
s_observe (void *state, uint32_t session, uint32_t item, int64_t ts_ms)
{
    (void) ts_ms;
    seqrules_t *self = state;
    if (!self->p.online || item >= self->n_items)
        return;
    if (session >= self->n_recent) {
        uint32_t n = session + 1 > 2 * self->n_recent ? session + 1 : 2 * self->n_recent;
        seq_recent_t *grown = realloc (self->recent, n * sizeof *grown);
        if (!grown)
            return;
        memset (grown + self->n_recent, 0, (n - self->n_recent) * sizeof *grown);
        self->recent = grown;
        self->n_recent = n;
    }
    seq_recent_t *r = &self->recent[session];
    if (r->n > 0 && r->item[r->n - 1] == item)
        return;                 /* a repeat: collapsed as in training */
    for (uint32_t d = 1; d <= self->p.window && d <= r->n; d++) {
        uint32_t a = r->item[r->n - d];
        if (a == item)
            continue;
        uint32_t l = self->head[a];
        while (l != UINT32_MAX && self->live[l].item != item)
            l = self->live[l].next;
        if (l == UINT32_MAX) {
            if (self->live_n == self->live_cap)
                continue;
            l = self->live_n++;
            self->live[l] = (seq_live_t) { item, 0, self->head[a] };
            self->head[a] = l;
        }
        self->live[l].w += 1.0f / (float) d;
        self->total[a] += 1.0f / (float) d;
    }
    if (r->n == SEQ_WINDOW_MAX) {
        memmove (r->item, r->item + 1, (SEQ_WINDOW_MAX - 1) * sizeof *r->item);
        r->n--;
    }
    r->item[r->n++] = item;
}

/*  acc += w x P(a -> .): the trained and the live counts over their
    pooled total.  */
static void
s_add_row (seqrules_t *self, uint32_t a, float w, uint32_t *nt)
{
    if (self->total[a] <= 0)
        return;
    float f = w / self->total[a];
    for (uint32_t j = self->row[a]; j < self->row[a + 1]; j++) {
        uint32_t b = self->item[j];
        if (self->acc[b] == 0)
            self->touched[(*nt)++] = b;
        self->acc[b] += f * self->count[j];
    }
    for (uint32_t l = self->head ? self->head[a] : UINT32_MAX; l != UINT32_MAX; l = self->live[l].next) {
        uint32_t b = self->live[l].item;
        if (self->acc[b] == 0)
            self->touched[(*nt)++] = b;
        self->acc[b] += f * self->live[l].w;
    }
}

static uint32_t
s_recommend (void *state, const uint32_t *hist, uint32_t n, int64_t now_ms,
             bool exclude_history, collab_rec_t *out, uint32_t k)
{
    (void) now_ms;
    seqrules_t *self = state;
    uint32_t nt = 0, used = 0;
    for (uint32_t i = 0; i < n && used < self->p.hist; i++) {
        bool dup = hist[i] >= self->n_items;
        for (uint32_t j = 0; j < i && !dup; j++)
            dup = hist[j] == hist[i];
        if (dup)
            continue;
        s_add_row (self, hist[i], powf ((float) (used + 1), -self->p.hist_pow), &nt);
        used++;
    }
    uint32_t nout = 0;
    for (uint32_t t = 0; t < nt; t++) {
        uint32_t b = self->touched[t];
        float sc = self->acc[b];
        self->acc[b] = 0;
        bool in_hist = false;
        for (uint32_t j = 0; exclude_history && j < n && !in_hist; j++)
            in_hist = hist[j] == b;
        if (in_hist)
            continue;
        collab_rec_t r = { b, sc };
        /* insertion into the best k, best first (ties: lower item first) */
        if (nout == k && collab_rec_cmp (&r, &out[k - 1]) >= 0)
            continue;
        uint32_t p = nout < k ? nout++ : k - 1;
        while (p > 0 && collab_rec_cmp (&r, &out[p - 1]) < 0) {
            out[p] = out[p - 1];
            p--;
        }
        out[p] = r;
    }
    return nout;
}

static void
s_destroy (void *state)
{
    seqrules_t *self = state;
    free (self->row);
    free (self->item);
    free (self->count);
    free (self->total);
    free (self->acc);
    free (self->touched);
    free (self->live);
    free (self->head);
    free (self->recent);
    free (self);
}

int
eval_seqrules (eval_strategy_t *st, const collab_log_t *train, uint32_t n_items,
               const eval_seqrules_params_t *params)
{
    seqrules_t *self = calloc (1, sizeof *self);
    if (!self)
        return -1;
    self->p = *params;
    self->n_items = n_items;
    if (self->p.window > SEQ_WINDOW_MAX)
        self->p.window = SEQ_WINDOW_MAX;
    bool ok = collab_seqrules_train (train, n_items, self->p.window, self->p.keep, &self->row,
                                     &self->item, &self->count, &self->total) == 0
              && (self->acc = calloc (n_items + 1, sizeof *self->acc))
              && (self->touched = malloc ((n_items + 1) * sizeof *self->touched));
    if (ok && params->online) {
        self->live_cap = params->live_max ? params->live_max : 1u << 20;
        ok = (self->live = malloc (self->live_cap * sizeof *self->live))
             && (self->head = malloc ((n_items + 1) * sizeof *self->head));
        for (uint32_t i = 0; ok && i <= n_items; i++)
            self->head[i] = UINT32_MAX;
    }
    if (!ok) {
        s_destroy (self);
        return -1;
    }
    *st = (eval_strategy_t) { .name = "seqrules", .state = self, .recommend = s_recommend,
                              .observe = s_observe, .destroy = s_destroy,
                              .note = "sequential rules (a -> b at distance d <= 10 weighs 1/d), "
                                      "newest 5 clicks weighted 1/(k+1), online" };
    return 0;
}
