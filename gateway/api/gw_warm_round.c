/*  gw_warm_round — one round of the /product warmer (see gw_warm_round.h). */
#include "gw_warm_round.h"
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include "gw_cache.h"
#include "gw_fanout.h"
#include "gw_product.h"
#include "hr_batch.h"
#include "hr_status.h"

#define NSOURCES 3              /* content, collab, rules: in priority order */
#define COLLAB 1                /* the one source that moves without a version */

/*  The versioned lists of a product whose answer collab topped up: its
    content and rules ids, kept so that a renewal asks collab alone.      */
struct gw_warm_kept {
    uint32_t n[NSOURCES];       /* n[COLLAB] unused */
    char ids[][HR_PRODUCT_ID_LEN];      /* content's, then rules' */
};

static const struct {
    gw_service_t svc;
    const char *method;
} s_sources[NSOURCES] = {
    { GW_SVC_CONTENT, HR_M_SIMILAR },
    { GW_SVC_COLLAB, HR_M_SIMILAR },
    { GW_SVC_RULES, HR_M_FOR_PRODUCT },
};

/*  Sends one batch message per source: every product of the round to
    collab, to content and rules only those whose lists are not kept.     */
static void
s_ask (gw_warm_round_t *rd)
{
    gw_warm_io_t *self = rd->io;
    uint32_t want = gw_product_want (rd->cat, GW_PRODUCT_DEFAULT_LIMIT);
    for (int s = 0; s < NSOURCES; s++) {
        hr_batch_writer_t bw;
        hr_writer_reset (&self->req);
        hr_batch_request_begin (&bw, &self->req);
        uint32_t asked = 0;
        for (uint32_t i = 0; i < rd->n; i++) {
            if (s != COLLAB && rd->kept[rd->idx[i]])
                continue;       /* its content and rules lists are kept */
            asked++;
            hr_writer_reset (&self->inner);
            gw_req_product (&self->inner, s_sources[s].method, hr_catalog_at (rd->cat, rd->idx[i])->id, want);
            hr_batch_request_add (&bw, i, self->inner.data, self->inner.len);
        }
        hr_batch_end (&bw);
        rd->pending[s] = asked > 0 && hr_client_send (self->client, gw_service_name (s_sources[s].svc),
                                         rd->base + (uint64_t) s, rd->deadline,
                                         self->req.data, self->req.len) == 0;
    }
}

/*  A batch reply of source s: each product's list.  */
static void
s_take (gw_warm_round_t *rd, int s, const hr_reply_t *reply)
{
    if (reply->status != HR_OK)
        return;
    hr_reader_t r;
    hr_reader_init (&r, reply->body, reply->body_len);
    uint32_t count = hr_batch_count (&r);
    for (uint32_t k = 0; k < count; k++) {
        uint64_t i;
        uint8_t status;
        const void *body;
        size_t len;
        if (hr_batch_next_reply (&r, &i, &status, &body, &len) != 0)
            break;
        if (i < rd->n && status == HR_OK
            && gw_decode_one_list (rd->pool, body, len, &rd->lists[i * NSOURCES + s]) == 0)
            rd->ok[i * NSOURCES + s] = 1;
    }
}

/*  Waits for the replies until the deadline (ZMQ_FD is edge-triggered:
    drain after every wake-up).  */
static void
s_collect (gw_warm_round_t *rd)
{
    gw_warm_io_t *self = rd->io;
    int waiting = rd->pending[0] + rd->pending[1] + rd->pending[2];
    while (waiting > 0 && !self->stopping (self->stopping_arg)) {
        hr_reply_t reply;
        while (waiting > 0 && hr_client_recv (self->client, &reply) == 1) {
            uint64_t s = reply.request_id - rd->base;
            if (reply.request_id < rd->base || s >= NSOURCES || !rd->pending[s])
                continue;           /* a late reply of an earlier round */
            rd->pending[s] = false;
            waiting--;
            s_take (rd, (int) s, &reply);
        }
        int64_t left = rd->deadline - hr_now_ms ();
        if (waiting == 0 || left <= 0)
            break;
        struct pollfd pfd = { .fd = hr_client_fd (self->client), .events = POLLIN };
        poll (&pfd, 1, left < 100 ? (int) left : 100);
    }
}

/*  Source s's list of a kept product, rebuilt in the pool (only the ids:
    all gw_product_pick reads).  */
static void
s_kept_list (h2o_mem_pool_t *pool, const gw_warm_kept_t *kept, int s, gw_list_t *out)
{
    uint32_t from = s == 0 ? 0 : kept->n[0];
    out->n = kept->n[s];
    out->items = h2o_mem_alloc_pool (pool, sizeof *out->items * (out->n ? out->n : 1));
    for (uint32_t k = 0; k < out->n; k++) {
        memcpy (out->items[k].id, kept->ids[from + k], HR_PRODUCT_ID_LEN);
        out->items[k].id[HR_PRODUCT_ID_LEN] = '\0';
        out->items[k].source[0] = '\0';
    }
}

/*  Keeps the content and rules ids of an answer collab topped up.  */
static void
s_keep (gw_warm_kept_t **slot, const gw_list_t *const *have)
{
    uint32_t nc = have[0]->n, nr = have[NSOURCES - 1]->n;
    gw_warm_kept_t *kept = malloc (sizeof *kept + (size_t) (nc + nr) * HR_PRODUCT_ID_LEN);
    if (!kept)
        return;
    kept->n[0] = nc;
    kept->n[COLLAB] = 0;
    kept->n[NSOURCES - 1] = nr;
    for (uint32_t k = 0; k < nc; k++)
        memcpy (kept->ids[k], have[0]->items[k].id, HR_PRODUCT_ID_LEN);
    for (uint32_t k = 0; k < nr; k++)
        memcpy (kept->ids[nc + k], have[NSOURCES - 1]->items[k].id, HR_PRODUCT_ID_LEN);
    free (*slot);
    *slot = kept;
}

/*  Picks and stores product i's answer.  0: not stored (degraded or
    short), 1: stored with the time to live (collab topped it up, or not
    trusted yet), 2: lasting (content's alone, trusted).                   */
static int
s_store (gw_warm_round_t *rd, uint32_t i)
{
    const gw_list_t *have[NSOURCES];
    const gw_warm_kept_t *kept = rd->kept[rd->idx[i]];
    for (int s = 0; s < NSOURCES; s++) {
        if (s != COLLAB && kept)
            s_kept_list (rd->pool, kept, s, &rd->lists[i * NSOURCES + s]);
        else if (!rd->ok[i * NSOURCES + s])
            return 0;           /* degraded: the request path asks again */
        have[s] = &rd->lists[i * NSOURCES + s];
    }
    const hr_scored_t *picked[GW_PRODUCT_DEFAULT_LIMIT];
    char ids[GW_PRODUCT_DEFAULT_LIMIT][HR_PRODUCT_ID_LEN];
    char key[GW_PRODUCT_KEY_LEN];
    const char *id = hr_catalog_at (rd->cat, rd->idx[i])->id;
    uint32_t first;
    uint32_t k = gw_product_pick (rd->pool, rd->cat, id, have, NSOURCES, GW_PRODUCT_DEFAULT_LIMIT,
                                  picked, &first);
    if (k < GW_PRODUCT_DEFAULT_LIMIT)
        return 0;               /* short: the request path asks again */
    for (uint32_t j = 0; j < k; j++)
        memcpy (ids[j], picked[j]->id, HR_PRODUCT_ID_LEN);
    gw_product_key (key, id, GW_PRODUCT_DEFAULT_LIMIT, rd->catalog_version);
    size_t len = (size_t) k * HR_PRODUCT_ID_LEN;
    if (first == GW_PRODUCT_DEFAULT_LIMIT && rd->trust) {
        gw_cache_put_lasting (rd->io->cache, key, sizeof key, rd->gen, ids, len);
        return 2;
    }
    gw_cache_put (rd->io->cache, key, sizeof key, rd->gen, ids, len);
    if (!kept && rd->trust)
        s_keep (&rd->kept[rd->idx[i]], have);
    return 1;
}

void
gw_warm_round (gw_warm_round_t *rd, uint8_t *result)
{
    rd->base = (++rd->io->seq) << 2;
    rd->deadline = hr_now_ms () + rd->io->deadline_ms;
    rd->lists = h2o_mem_alloc_pool (rd->pool, sizeof *rd->lists * rd->n * NSOURCES);
    rd->ok = h2o_mem_alloc_pool (rd->pool, (size_t) rd->n * NSOURCES);
    memset (rd->ok, 0, (size_t) rd->n * NSOURCES);
    s_ask (rd);
    s_collect (rd);
    for (uint32_t i = 0; i < rd->n; i++)
        result[i] = (uint8_t) s_store (rd, i);
}

void
gw_warm_kept_free (gw_warm_kept_t **kept, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        free (kept[k]);
        kept[k] = NULL;
    }
}
