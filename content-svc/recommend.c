/*  recommend — content-svc's for_user (see recommend.h).                 */
#include "recommend.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "hr_validate.h"
#include "protocol.h"
#include "qcache.h"
#include "search.h"
#include "topk.h"

/*  An aggregated recommendation: summed decayed scores; `src` indexes the
    history event that contributed most.                                    */
typedef struct {
    uint32_t doc;
    float score, best;
    uint32_t src;
} agg_t;

/*  Ranking order of aggregated results: score desc, then catalog index asc
    (total, so the page is deterministic).                                  */
static inline bool
s_agg_before (const agg_t *x, const agg_t *y)
{
    return x->score > y->score || (x->score == y->score && x->doc < y->doc);
}

CONTENT_TOPK_DEFINE (s_topk_agg, agg_t, s_agg_before)

/*  Slots of the open-addressing table s_write_aggregate merges with: a power
    of two at least twice the entries, so probes stay short.               */
static uint32_t
s_merge_table_size (uint32_t entries)
{
    uint32_t size = 16;
    while (size < 2 * entries)
        size *= 2;
    return size;
}

/*  A history event that counts: a click on a catalog product, or a
    normalised query (each once).  */
typedef struct {
    uint8_t type;
    const char *value;
    size_t len;
} event_t;

/*  The events for_user uses, newest first: at most CONTENT_USER_CLICKS
    clicks (their catalog indices in clicked[]) and CONTENT_USER_QUERIES
    distinct queries.  */
typedef struct {
    event_t ev[CONTENT_USER_CLICKS + CONTENT_USER_QUERIES];
    uint32_t nev, nclicks, nqueries;
    uint32_t clicked[CONTENT_USER_CLICKS];
} used_t;

/*  Merges entries of the same product (in arrival order, so the sums are
    the same as after the stable sort by product this replaces), drops
    excluded ones, and writes the best `limit` by score as a scored list.
    `slot` is scratch of s_merge_table_size (n) entries.                      */
static void
s_write_aggregate (const hr_catalog_t *catalog, agg_t *a, uint32_t n, const uint32_t *exclude,
                 uint32_t nexclude, const event_t *ev, uint8_t strategy, uint32_t limit,
                 uint32_t *slot, hr_writer_t *reply)
{
    uint32_t mask = s_merge_table_size (n) - 1;
    memset (slot, 0xff, ((size_t) mask + 1) * sizeof *slot);
    uint32_t o = 0;
    for (uint32_t k = 0; k < n; k++) {
        bool skip = false;
        for (uint32_t e = 0; e < nexclude && !skip; e++)
            skip = exclude[e] == a[k].doc;
        if (skip)
            continue;
        uint32_t h = (a[k].doc * 2654435761u) & mask;
        while (slot[h] != UINT32_MAX && a[slot[h]].doc != a[k].doc)
            h = (h + 1) & mask;
        if (slot[h] != UINT32_MAX) {
            agg_t *m = &a[slot[h]];
            m->score += a[k].score;
            if (a[k].best > m->best) {
                m->best = a[k].best;
                m->src = a[k].src;
            }
        }
        else {
            slot[h] = o;
            a[o++] = a[k];      /* o <= k: compacts in place */
        }
    }
    uint32_t m = o < limit ? o : limit;
    s_topk_agg (a, o, m);
    size_t begin = hr_scored_list_begin (reply);
    for (uint32_t k = 0; k < m; k++) {
        const event_t *src = &ev[a[k].src];
        size_t sl = src->len < HR_SOURCE_MAX - 1 ? src->len : HR_SOURCE_MAX - 1;
        hr_put_scored_item (reply, hr_catalog_at (catalog, a[k].doc)->id, a[k].score,
                            strategy, src->value, sl);
    }
    hr_scored_list_end (reply, begin, m);
}

static void
s_use_query (used_t *u, const char *value, size_t len)
{
    const char *q;
    size_t ql;
    if (hr_query_normalize (value, len, &q, &ql) != HR_QUERY_OK)
        return;
    for (uint32_t e = 0; e < u->nev; e++)           /* the same query twice counts once */
        if (u->ev[e].type == HR_EVENT_SEARCH && u->ev[e].len == ql && memcmp (u->ev[e].value, q, ql) == 0)
            return;
    u->ev[u->nev++] = (event_t) { HR_EVENT_SEARCH, q, ql };
    u->nqueries++;
}

static void
s_used_events (const content_snapshot_t *s, const hr_proto_history_t *h, used_t *u)
{
    u->nev = u->nclicks = u->nqueries = 0;
    hr_proto_history_iter_t it;
    hr_proto_history_iter (h, &it);
    hr_proto_event_t e;
    while (hr_proto_history_next (&it, &e)) {
        if (hr_event_is_product (e.type) && u->nclicks < CONTENT_USER_CLICKS
            && hr_valid_product_id (e.value, e.len)) {
            int64_t c = hr_catalog_find (s->catalog, e.value);
            if (c >= 0) {
                u->clicked[u->nclicks++] = (uint32_t) c;
                u->ev[u->nev++] = (event_t) { e.type, e.value, e.len };
            }
        }
        else if (e.type == HR_EVENT_SEARCH && u->nqueries < CONTENT_USER_QUERIES)
            s_use_query (u, e.value, e.len);
    }
}

/*  clicked: neighbours of each clicked product, decayed by click rank.    */
static uint32_t
s_clicked_entries (const content_snapshot_t *s, const used_t *u, agg_t *a)
{
    uint32_t na = 0, nc = 0;
    float w = 1.0f;
    for (uint32_t e = 0; e < u->nev; e++) {
        if (!hr_event_is_product (u->ev[e].type))
            continue;
        uint32_t c = u->clicked[nc++];      /* the nc-th click event's product */
        float we = w * hr_event_weight (u->ev[e].type);    /* purchase > cart > click > view */
        for (uint64_t p = s->nb_start[c]; p < s->nb_start[c + 1]; p++) {
            float sc = we * s->nb_score[p];
            a[na++] = (agg_t) { s->nb_doc[p], sc, sc, e };
        }
        w *= CONTENT_USER_DECAY;
    }
    return na;
}

/*  The hits of one query: from the snapshot's cache (qcache.h), else
    searched (x: a session, taken on first need) and stored.  `buf` has room
    for `per_query` hits; *hits points into it or into the session.       */
static uint32_t
s_query_hits (const content_snapshot_t *s, content_search_session_t **x, const event_t *ev,
              uint32_t per_query, content_hit_t *buf, const content_hit_t **hits)
{
    int cached = s->qcache && buf
               ? content_qcache_get (s->qcache, ev->value, ev->len, per_query, buf) : -1;
    if (cached >= 0) {
        *hits = buf;
        return (uint32_t) cached;
    }
    if (!*x && !(*x = content_search_session_take (s->search)))
        return 0;
    uint32_t nh = content_search_query (s->search, *x, ev->value, ev->len, per_query, hits);
    if (s->qcache)
        content_qcache_put (s->qcache, ev->value, ev->len, per_query, *hits, nh);
    return nh;
}

/*  search: results of each recent query, normalised, decayed by rank.     */
static uint32_t
s_search_entries (const content_snapshot_t *s, const used_t *u, uint32_t per_query, agg_t *a)
{
    uint32_t na = 0;
    float w = 1.0f;
    content_search_session_t *x = NULL;
    content_hit_t *buf = u->nqueries && per_query <= CONTENT_QCACHE_MAX_HITS
                       ? malloc ((size_t) per_query * sizeof *buf) : NULL;
    for (uint32_t e = 0; e < u->nev; e++) {
        if (u->ev[e].type != HR_EVENT_SEARCH)
            continue;
        const content_hit_t *hits;
        uint32_t nh = s_query_hits (s, &x, &u->ev[e], per_query, buf, &hits);
        float top = nh && hits[0].score > 0 ? hits[0].score : 1.0f;
        for (uint32_t k = 0; k < nh; k++) {
            float sc = w * hits[k].score / top;
            a[na++] = (agg_t) { hits[k].doc, sc, sc, e };
        }
        w *= CONTENT_USER_DECAY;
    }
    if (x)
        content_search_session_give (s->search, &x);
    free (buf);
    return na;
}

int
content_recommend_for_user (const content_snapshot_t *s, const hr_proto_for_user_t *req,
                            hr_writer_t *reply)
{
    used_t u;
    s_used_events (s, &req->history, &u);
    uint32_t limit = req->limit < HR_CONTENT_LIMIT_MAX ? req->limit : HR_CONTENT_LIMIT_MAX;
    uint32_t cap = 0;
    for (uint32_t i = 0; i < u.nclicks; i++)
        cap += (uint32_t) (s->nb_start[u.clicked[i] + 1] - s->nb_start[u.clicked[i]]);
    /*  Rounded up to a multiple of 100: the limit varies with the history's
        length, and the query cache (qcache.h) is keyed by it.              */
    uint32_t per_query = limit * 2 > 100 ? limit * 2 : 100;
    per_query = (per_query + 99) / 100 * 100;
    uint32_t cap2 = u.nqueries * per_query;
    uint32_t most = (cap > cap2 ? cap : cap2) + 1;
    /*  one allocation: the entries, then s_write_aggregate's merge table   */
    agg_t *a = malloc ((size_t) most * sizeof *a + (size_t) s_merge_table_size (most) * sizeof (uint32_t));
    if (!a)
        return -1;
    uint32_t *slot = (uint32_t *) (a + most);
    uint32_t na = s_clicked_entries (s, &u, a);
    s_write_aggregate (s->catalog, a, na, u.clicked, u.nclicks, u.ev, HR_STRAT_CONTENT, limit, slot, reply);
    na = s_search_entries (s, &u, per_query, a);
    s_write_aggregate (s->catalog, a, na, u.clicked, u.nclicks, u.ev, HR_STRAT_SEARCH, limit, slot, reply);
    free (a);
    return 0;
}
