/*  collab_overlay — see overlay.h.

    Users and rows live in two fixed-capacity tables (allocated once:
    applying an event never allocates), each a chained hash on the key plus
    an LRU list by last update; a full table recycles its tail.            */
#include "overlay.h"
#include "hr_validate.h"
#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void
collab_overlay_params_default (collab_overlay_params_t *p)
{
    *p = (collab_overlay_params_t) {
        .max_users = 50000, .max_items = 20000, .window = 10,
        .session_gap_ms = 30 * 60 * 1000, .fwd = 1.0f, .bwd = 0.5f, .dist_pow = 2.0f,
    };
}

/*  --- a fixed-capacity hash table with LRU recycling ------------------- */

typedef struct {
    uint32_t cap, used, mask;
    int32_t *bucket;            /* mask + 1 chain heads */
    int32_t *hnext, *prev, *next;
    int32_t head, tail;         /* head = most recently updated */
    size_t keycap;              /* bytes per key, NUL included */
    char *keys;
} table_t;

static int
s_table_init (table_t *t, uint32_t cap, size_t keycap)
{
    memset (t, 0, sizeof *t);
    uint32_t nb = 16;
    while (nb < 2 * cap)
        nb *= 2;
    t->cap = cap;
    t->mask = nb - 1;
    t->keycap = keycap;
    t->bucket = malloc (nb * sizeof *t->bucket);
    t->hnext = malloc (cap * sizeof *t->hnext);
    t->prev = malloc (cap * sizeof *t->prev);
    t->next = malloc (cap * sizeof *t->next);
    t->keys = calloc (cap, keycap);
    if (!t->bucket || !t->hnext || !t->prev || !t->next || !t->keys)
        return -1;
    memset (t->bucket, 0xff, nb * sizeof *t->bucket);
    t->head = t->tail = -1;
    return 0;
}

static void
s_table_free (table_t *t)
{
    free (t->bucket);
    free (t->hnext);
    free (t->prev);
    free (t->next);
    free (t->keys);
}

static void
s_table_clear (table_t *t)
{
    memset (t->bucket, 0xff, (t->mask + 1) * sizeof *t->bucket);
    t->used = 0;
    t->head = t->tail = -1;
}

static inline char *
s_key (const table_t *t, int32_t slot)
{
    return t->keys + (size_t) slot * t->keycap;
}

static int32_t
s_table_find (const table_t *t, const char *key, size_t len)
{
    for (int32_t s = t->bucket[collab_id_hash (key, len) & t->mask]; s >= 0; s = t->hnext[s]) {
        const char *k = s_key (t, s);
        if (memcmp (k, key, len) == 0 && k[len] == 0)
            return s;
    }
    return -1;
}

static void
s_list_unlink (table_t *t, int32_t s)
{
    if (t->prev[s] >= 0)
        t->next[t->prev[s]] = t->next[s];
    else
        t->head = t->next[s];
    if (t->next[s] >= 0)
        t->prev[t->next[s]] = t->prev[s];
    else
        t->tail = t->prev[s];
}

static void
s_list_push_head (table_t *t, int32_t s)
{
    t->prev[s] = -1;
    t->next[s] = t->head;
    if (t->head >= 0)
        t->prev[t->head] = s;
    t->head = s;
    if (t->tail < 0)
        t->tail = s;
}

static void
s_table_touch (table_t *t, int32_t s)
{
    if (t->head != s) {
        s_list_unlink (t, s);
        s_list_push_head (t, s);
    }
}

static void
s_unhash (table_t *t, int32_t s, const char *key, size_t len)
{
    int32_t *pp = &t->bucket[collab_id_hash (key, len) & t->mask];
    while (*pp != s)
        pp = &t->hnext[*pp];
    *pp = t->hnext[s];
}

/*  Removes `key`: unhashed, its key emptied and its slot moved to the LRU
    tail, so it is the next one recycled.  Returns the slot, -1 if absent. */
static int32_t
s_table_remove (table_t *t, const char *key, size_t len)
{
    int32_t s = s_table_find (t, key, len);
    if (s < 0)
        return -1;
    s_unhash (t, s, key, len);
    memset (s_key (t, s), 0, t->keycap);
    s_list_unlink (t, s);
    t->next[s] = -1;
    t->prev[s] = t->tail;
    if (t->tail >= 0)
        t->next[t->tail] = s;
    t->tail = s;
    if (t->head < 0)
        t->head = s;
    return s;
}

/*  The slot of `key`, created (recycling the least recently updated slot
    when full) when absent; *fresh tells the caller to reset the payload.   */
static int32_t
s_table_get (table_t *t, const char *key, size_t len, bool *fresh)
{
    assert (len < t->keycap);
    int32_t s = s_table_find (t, key, len);
    *fresh = s < 0;
    if (s >= 0) {
        s_table_touch (t, s);
        return s;
    }
    if (t->used < t->cap)
        s = (int32_t) t->used++;
    else {
        s = t->tail;
        s_list_unlink (t, s);
        const char *old = s_key (t, s);
        if (old[0])             /* "" = removed, already unhashed */
            s_unhash (t, s, old, strlen (old));
    }
    memcpy (s_key (t, s), key, len);
    s_key (t, s)[len] = 0;
    uint32_t b = collab_id_hash (key, len) & t->mask;
    t->hnext[s] = t->bucket[b];
    t->bucket[b] = s;
    s_list_push_head (t, s);
    return s;
}

/*  --- the overlay ------------------------------------------------------- */

typedef struct {
    char item[COLLAB_OVERLAY_WINDOW_MAX][COLLAB_ID_MAX + 1];   /* ring, newest at top */
    uint32_t top, n;
    int64_t last_ts;
} user_t;

typedef struct {
    collab_overlay_nb_t nb[COLLAB_OVERLAY_ROW];
    uint32_t n;
    float mass;
    float seq_mass;
} row_t;

struct collab_overlay {
    pthread_rwlock_t lock;
    collab_overlay_params_t p;
    float distw[COLLAB_OVERLAY_WINDOW_MAX + 1];
    table_t users, items;
    user_t *user;
    row_t *row;
    uint64_t events;
    uint32_t entries;
};

static void
s_set_weights (collab_overlay_t *self, float fwd, float bwd, float dist_pow)
{
    self->p.fwd = fwd;
    self->p.bwd = bwd;
    self->p.dist_pow = dist_pow;
    for (uint32_t d = 1; d <= COLLAB_OVERLAY_WINDOW_MAX; d++)
        self->distw[d] = powf ((float) d, -dist_pow);
}

collab_overlay_t *
collab_overlay_new (const collab_overlay_params_t *p)
{
    assert (p);
    collab_overlay_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->p = *p;
    if (self->p.window < 1)
        self->p.window = 1;
    if (self->p.window > COLLAB_OVERLAY_WINDOW_MAX)
        self->p.window = COLLAB_OVERLAY_WINDOW_MAX;
    if (self->p.max_users < 1)
        self->p.max_users = 1;
    if (self->p.max_items < 1)
        self->p.max_items = 1;
    s_set_weights (self, p->fwd, p->bwd, p->dist_pow);
    pthread_rwlock_init (&self->lock, NULL);
    self->user = calloc (self->p.max_users, sizeof *self->user);
    self->row = calloc (self->p.max_items, sizeof *self->row);
    if (!self->user || !self->row
        || s_table_init (&self->users, self->p.max_users, HR_USER_ID_MAX + 1)
        || s_table_init (&self->items, self->p.max_items, COLLAB_ID_MAX + 1)) {
        collab_overlay_destroy (&self);
        return NULL;
    }
    return self;
}

void
collab_overlay_destroy (collab_overlay_t **self_p)
{
    assert (self_p);
    collab_overlay_t *self = *self_p;
    if (!self)
        return;
    s_table_free (&self->users);
    s_table_free (&self->items);
    free (self->user);
    free (self->row);
    pthread_rwlock_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

/*  Adds w to a -> b, and seq to its sequential-rule count.  */
static void
s_add_pair (collab_overlay_t *self, const char *a, const char *b, float w, float seq)
{
    bool fresh;
    int32_t s = s_table_get (&self->items, a, strlen (a), &fresh);
    row_t *r = &self->row[s];
    if (fresh) {
        self->entries -= r->n;
        r->n = 0;
        r->mass = 0;
        r->seq_mass = 0;
    }
    r->mass += w;
    r->seq_mass += seq;
    uint32_t lightest = 0;
    for (uint32_t e = 0; e < r->n; e++) {
        if (memcmp (r->nb[e].id, b, COLLAB_ID_MAX) == 0) {
            r->nb[e].weight += w;
            r->nb[e].seq += seq;
            return;
        }
        if (r->nb[e].weight < r->nb[lightest].weight)
            lightest = e;
    }
    if (r->n < COLLAB_OVERLAY_ROW) {
        lightest = r->n++;
        self->entries++;
    }
    else if (r->nb[lightest].weight >= w)
        return;                 /* full, and lighter than everything kept */
    memcpy (r->nb[lightest].id, b, COLLAB_ID_MAX + 1);
    r->nb[lightest].weight = w;
    r->nb[lightest].seq = seq;
}

/*  Erasure: the user's window (the product ids of their live session) is
    wiped.  The rows keep the co-count deltas the user's clicks added: they
    carry no user id, and the next retrain (which no longer sees the
    user's deleted events) replaces them.                                  */
static void
s_forget_user (collab_overlay_t *self, const hr_event_t *ev)
{
    size_t ulen = strnlen (ev->user_id, sizeof ev->user_id);
    int32_t s = ulen ? s_table_remove (&self->users, ev->user_id, ulen) : -1;
    if (s >= 0)
        memset (&self->user[s], 0, sizeof self->user[s]);
}

static bool
s_apply_click (collab_overlay_t *self, const hr_event_t *ev)
{
    if (ev->type == HR_EVENT_ERASE) {
        s_forget_user (self, ev);
        return false;
    }
    size_t ulen = strnlen (ev->user_id, sizeof ev->user_id);
    size_t vlen = strnlen (ev->value, sizeof ev->value);
    if (!hr_event_is_product (ev->type) || !hr_valid_user_id (ev->user_id, ulen)
        || !hr_valid_product_id (ev->value, vlen))
        return false;
    bool fresh;
    int32_t s = s_table_get (&self->users, ev->user_id, ulen, &fresh);
    user_t *u = &self->user[s];
    if (fresh)
        u->last_ts = ev->ts_ms;
    if (fresh || ev->ts_ms - u->last_ts > self->p.session_gap_ms)
        u->n = 0;               /* a new live session */
    u->last_ts = ev->ts_ms > u->last_ts ? ev->ts_ms : u->last_ts;
    const char *j = ev->value;
    if (u->n > 0 && memcmp (u->item[u->top], j, COLLAB_ID_MAX) == 0)
        return true;            /* a repeat says nothing new (training collapses it) */
    for (uint32_t d = 1; d <= u->n; d++) {
        const char *i = u->item[(u->top + COLLAB_OVERLAY_WINDOW_MAX + 1 - d) % COLLAB_OVERLAY_WINDOW_MAX];
        if (memcmp (i, j, COLLAB_ID_MAX) == 0)
            continue;
        s_add_pair (self, i, j, self->p.fwd * self->distw[d], 1.0f / (float) d);
        s_add_pair (self, j, i, self->p.bwd * self->distw[d], 0.0f);
    }
    u->top = (u->top + 1) % COLLAB_OVERLAY_WINDOW_MAX;
    memcpy (u->item[u->top], j, vlen);
    u->item[u->top][vlen] = 0;
    if (u->n < self->p.window)
        u->n++;
    return true;
}

uint32_t
collab_overlay_apply (collab_overlay_t *self, const hr_event_t *ev, uint32_t n)
{
    uint32_t applied = 0;
    pthread_rwlock_wrlock (&self->lock);
    for (uint32_t i = 0; i < n; i++)
        applied += s_apply_click (self, &ev[i]);
    self->events += applied;
    pthread_rwlock_unlock (&self->lock);
    return applied;
}

void
collab_overlay_clear_rows (collab_overlay_t *self, float fwd, float bwd, float dist_pow)
{
    pthread_rwlock_wrlock (&self->lock);
    for (uint32_t s = 0; s < self->items.used; s++)
        self->row[s].n = 0;
    s_table_clear (&self->items);
    self->entries = 0;
    s_set_weights (self, fwd, bwd, dist_pow);
    pthread_rwlock_unlock (&self->lock);
}

static int
s_nb_desc (const void *a, const void *b)
{
    const collab_overlay_nb_t *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return memcmp (x->id, y->id, COLLAB_ID_MAX);     /* ids: exactly 10 bytes */
}

uint32_t
collab_overlay_row (collab_overlay_t *self, const char *id, size_t len,
                    collab_overlay_nb_t *out, uint32_t cap, float *mass)
{
    float seq_mass;
    return collab_overlay_row_seq (self, id, len, out, cap, mass, &seq_mass);
}

uint32_t
collab_overlay_row_seq (collab_overlay_t *self, const char *id, size_t len,
                        collab_overlay_nb_t *out, uint32_t cap, float *mass, float *seq_mass)
{
    *mass = *seq_mass = 0;
    if (len == 0 || len > COLLAB_ID_MAX)
        return 0;
    collab_overlay_nb_t all[COLLAB_OVERLAY_ROW];
    uint32_t n = 0;
    pthread_rwlock_rdlock (&self->lock);
    int32_t s = s_table_find (&self->items, id, len);
    if (s >= 0) {
        n = self->row[s].n;
        memcpy (all, self->row[s].nb, n * sizeof *all);
        *mass = self->row[s].mass;
        *seq_mass = self->row[s].seq_mass;
    }
    pthread_rwlock_unlock (&self->lock);
    qsort (all, n, sizeof *all, s_nb_desc);
    if (n > cap)
        n = cap;
    memcpy (out, all, n * sizeof *out);
    return n;
}

void
collab_overlay_stats (collab_overlay_t *self, collab_overlay_stats_t *out)
{
    pthread_rwlock_rdlock (&self->lock);
    *out = (collab_overlay_stats_t) { self->events, self->users.used, self->items.used,
                                      self->entries };
    pthread_rwlock_unlock (&self->lock);
}
