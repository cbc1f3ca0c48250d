/*  rules_model — encode, decode (validating) and query the served rules.  */
#include "model.h"
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hr_validate.h"

#define ID_LEN HR_PRODUCT_ID_LEN

typedef struct {
    uint32_t ante_off;          /* into ante[] */
    uint8_t alen;
    uint32_t consequent, count;
    float support, confidence, lift, score;
} rule_t;

struct rules_model {
    char *ids;                  /* nitems × 10 bytes, ascending */
    uint32_t nitems, nrules;
    rule_t *rules;
    uint32_t *ante;
    uint32_t *by_first_off;     /* nitems + 1 offsets into by_first */
    uint32_t *by_first;         /* rule indices, each list by score desc */
};

/* ---- encoding ---------------------------------------------------------- */

typedef struct { const char *id; uint32_t dict_id; } id_ref_t;

static int s_cmp_id_ref (const void *a, const void *b)
{
    return memcmp (((const id_ref_t *) a)->id, ((const id_ref_t *) b)->id, ID_LEN);
}

static bool s_valid_item (const rules_item_dict_t *dict, uint32_t id)
{
    size_t len;
    const char *name = rules_item_dict_name (dict, id, &len);
    return name && hr_valid_product_id (name, len);
}

long rules_model_encode (const rules_fpg_result_t *res, const rules_item_dict_t *dict,
                         size_t max_rules, hr_writer_t *w)
{
    size_t nr = rules_fpg_result_rule_count (res);
    uint32_t ndict = rules_item_dict_size (dict);
    /*  Items used by the kept rules -> dense indices in id order.          */
    uint32_t *index = malloc ((ndict ? ndict : 1) * sizeof *index);
    id_ref_t *refs = malloc ((ndict ? ndict : 1) * sizeof *refs);
    size_t *keep = malloc ((nr ? nr : 1) * sizeof *keep);
    if (!index || !refs || !keep) {
        free (index);
        free (refs);
        free (keep);
        return -1;
    }
    for (uint32_t i = 0; i < ndict; i++)
        index[i] = UINT32_MAX;
    size_t nkeep = 0;
    for (size_t i = 0; i < nr && (!max_rules || nkeep < max_rules); i++) {
        const rules_fpg_rule_t *r = rules_fpg_result_rule (res, i);
        bool ok = r->antecedent_len <= RULES_MAX_ANTECEDENT && s_valid_item (dict, r->consequent);
        for (uint32_t k = 0; ok && k < r->antecedent_len; k++)
            ok = s_valid_item (dict, r->antecedent[k]);
        if (!ok)
            continue;
        keep[nkeep++] = i;
        index[r->consequent] = 0;
        for (uint32_t k = 0; k < r->antecedent_len; k++)
            index[r->antecedent[k]] = 0;
    }
    uint32_t nitems = 0;
    for (uint32_t i = 0; i < ndict; i++)
        if (index[i] == 0)
            refs[nitems++] = (id_ref_t) { rules_item_dict_name (dict, i, NULL), i };
    qsort (refs, nitems, sizeof *refs, s_cmp_id_ref);
    hr_put_u32 (w, RULES_MODEL_MAGIC);
    hr_put_u32 (w, RULES_MODEL_FORMAT);
    hr_put_u32 (w, nitems);
    for (uint32_t i = 0; i < nitems; i++) {
        index[refs[i].dict_id] = i;
        hr_put_bytes (w, refs[i].id, ID_LEN);
    }
    hr_put_u32 (w, (uint32_t) nkeep);
    uint32_t ante[RULES_MAX_ANTECEDENT];
    for (size_t k = 0; k < nkeep; k++) {
        const rules_fpg_rule_t *r = rules_fpg_result_rule (res, keep[k]);
        for (uint32_t a = 0; a < r->antecedent_len; a++)
            ante[a] = index[r->antecedent[a]];
        /*  ascending by model index (= by product id)  */
        for (uint32_t a = 1; a < r->antecedent_len; a++)
            for (uint32_t b = a; b > 0 && ante[b - 1] > ante[b]; b--) {
                uint32_t t = ante[b];
                ante[b] = ante[b - 1];
                ante[b - 1] = t;
            }
        hr_put_u8 (w, (uint8_t) r->antecedent_len);
        for (uint32_t a = 0; a < r->antecedent_len; a++)
            hr_put_u32 (w, ante[a]);
        hr_put_u32 (w, index[r->consequent]);
        hr_put_u32 (w, r->count);
        hr_put_f32 (w, (float) r->support);
        hr_put_f32 (w, (float) r->confidence);
        hr_put_f32 (w, (float) r->lift);
    }
    free (index);
    free (refs);
    free (keep);
    return w->oom ? -1 : (long) nkeep;
}

/* ---- decoding ---------------------------------------------------------- */

void rules_model_destroy (rules_model_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rules_model_t *self = *self_p;
    free (self->ids);
    free (self->rules);
    free (self->ante);
    free (self->by_first_off);
    free (self->by_first);
    free (self);
    *self_p = NULL;
}

static rules_model_t *s_fail (rules_model_t *m, char *err, size_t errlen, const char *why)
{
    snprintf (err, errlen, "rules model: %s", why);
    rules_model_destroy (&m);
    return NULL;
}

/*  For qsort_r of one by_first list.  */
static int s_cmp_rule_score (const void *a, const void *b, void *ctx)
{
    const rule_t *rules = ctx;
    const rule_t *x = &rules[*(const uint32_t *) a], *y = &rules[*(const uint32_t *) b];
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    uint32_t i = *(const uint32_t *) a, j = *(const uint32_t *) b;
    return (i > j) - (i < j);
}

/*  One rule of the table into `rule` (its antecedent appended at *nante);
    NULL, or why it is invalid.  */
static const char *
s_decode_rule (rules_model_t *m, hr_reader_t *r, rule_t *rule, uint32_t *nante)
{
    rule->alen = hr_get_u8 (r);
    if (!hr_reader_ok (r) || rule->alen < 1 || rule->alen > RULES_MAX_ANTECEDENT)
        return "bad antecedent length";
    rule->ante_off = *nante;
    for (uint32_t a = 0; a < rule->alen; a++) {
        uint32_t it = hr_get_u32 (r);
        if (!hr_reader_ok (r) || it >= m->nitems || (a && it <= m->ante[*nante - 1]))
            return "bad antecedent item";
        m->ante[(*nante)++] = it;
    }
    rule->consequent = hr_get_u32 (r);
    rule->count = hr_get_u32 (r);
    rule->support = hr_get_f32 (r);
    rule->confidence = hr_get_f32 (r);
    rule->lift = hr_get_f32 (r);
    if (!hr_reader_ok (r))
        return "truncated rule";
    if (rule->consequent >= m->nitems)
        return "bad consequent";
    for (uint32_t a = 0; a < rule->alen; a++)
        if (m->ante[rule->ante_off + a] == rule->consequent)
            return "consequent inside its antecedent";
    if (!(rule->confidence >= 0 && rule->confidence <= 1.0001f) || !(rule->lift >= 0)
        || !isfinite (rule->lift) || !(rule->support >= 0 && rule->support <= 1.0001f))
        return "bad rule measures";
    rule->score = rule->lift * rule->confidence;
    m->by_first_off[m->ante[rule->ante_off] + 1]++;
    return NULL;
}

/*  The rules by their antecedent's first item, best score first (from the
    counts s_decode_rule left in by_first_off).  0 / -1 out of memory.     */
static int
s_index_by_first (rules_model_t *m)
{
    for (uint32_t i = 0; i < m->nitems; i++)
        m->by_first_off[i + 1] += m->by_first_off[i];
    uint32_t *pos = malloc (((size_t) m->nitems + 1) * sizeof *pos);
    if (!pos)
        return -1;
    memcpy (pos, m->by_first_off, ((size_t) m->nitems + 1) * sizeof *pos);
    for (uint32_t i = 0; i < m->nrules; i++)
        m->by_first[pos[m->ante[m->rules[i].ante_off]]++] = i;
    free (pos);
    for (uint32_t i = 0; i < m->nitems; i++)
        qsort_r (m->by_first + m->by_first_off[i], m->by_first_off[i + 1] - m->by_first_off[i],
                 sizeof *m->by_first, s_cmp_rule_score, m->rules);
    return 0;
}

rules_model_t *rules_model_decode (const void *blob, size_t len, char *err, size_t errlen)
{
    hr_reader_t r;
    hr_reader_init (&r, blob, len);
    rules_model_t *m = calloc (1, sizeof *m);
    if (!m)
        return s_fail (NULL, err, errlen, "out of memory");
    if (hr_get_u32 (&r) != RULES_MODEL_MAGIC || !hr_reader_ok (&r))
        return s_fail (m, err, errlen, "bad magic");
    if (hr_get_u32 (&r) != RULES_MODEL_FORMAT || !hr_reader_ok (&r))
        return s_fail (m, err, errlen, "unknown format");
    m->nitems = hr_get_count (&r, ID_LEN);
    if (!hr_reader_ok (&r))
        return s_fail (m, err, errlen, "truncated item table");
    m->ids = malloc ((size_t) m->nitems * ID_LEN + 1);
    if (!m->ids)
        return s_fail (m, err, errlen, "out of memory");
    memcpy (m->ids, r.p, (size_t) m->nitems * ID_LEN);
    r.p += (size_t) m->nitems * ID_LEN;
    for (uint32_t i = 0; i < m->nitems; i++) {
        const char *id = m->ids + (size_t) i * ID_LEN;
        if (!hr_valid_product_id (id, ID_LEN))
            return s_fail (m, err, errlen, "invalid product id");
        if (i && memcmp (id - ID_LEN, id, ID_LEN) >= 0)
            return s_fail (m, err, errlen, "item table not ascending");
    }
    /*  Smallest rule: u8 + 2 × u32 + u32 + 3 × f32 = 21 bytes.             */
    m->nrules = hr_get_count (&r, 21);
    if (!hr_reader_ok (&r))
        return s_fail (m, err, errlen, "truncated rule table");
    m->rules = malloc ((m->nrules ? m->nrules : 1) * sizeof *m->rules);
    m->ante = malloc (((size_t) m->nrules * RULES_MAX_ANTECEDENT + 1) * sizeof *m->ante);
    m->by_first_off = calloc ((size_t) m->nitems + 2, sizeof *m->by_first_off);
    m->by_first = malloc ((m->nrules ? m->nrules : 1) * sizeof *m->by_first);
    if (!m->rules || !m->ante || !m->by_first_off || !m->by_first)
        return s_fail (m, err, errlen, "out of memory");
    uint32_t nante = 0;
    for (uint32_t i = 0; i < m->nrules; i++) {
        const char *why = s_decode_rule (m, &r, &m->rules[i], &nante);
        if (why)
            return s_fail (m, err, errlen, why);
    }
    if (!hr_reader_done (&r))
        return s_fail (m, err, errlen, "trailing bytes");
    if (s_index_by_first (m) != 0)
        return s_fail (m, err, errlen, "out of memory");
    return m;
}

uint32_t rules_model_rule_count (const rules_model_t *self) { return self->nrules; }
uint32_t rules_model_item_count (const rules_model_t *self) { return self->nitems; }

int64_t rules_model_find (const rules_model_t *self, const char *id10)
{
    uint32_t lo = 0, hi = self->nitems;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = memcmp (self->ids + (size_t) mid * ID_LEN, id10, ID_LEN);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

const char *rules_model_item_id (const rules_model_t *self, uint32_t item)
{
    return item < self->nitems ? self->ids + (size_t) item * ID_LEN : NULL;
}

size_t rules_model_for_product (const rules_model_t *self, const char *id10,
                                size_t limit, rules_hit_t *out)
{
    int64_t p = rules_model_find (self, id10);
    if (p < 0)
        return 0;
    size_t n = 0;
    for (uint32_t k = self->by_first_off[p]; k < self->by_first_off[p + 1] && n < limit; k++) {
        const rule_t *r = &self->rules[self->by_first[k]];
        if (r->alen == 1)
            out[n++] = (rules_hit_t) { r->consequent, r->score, self->by_first[k] };
    }
    return n;
}

static int s_cmp_u32 (const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return (x > y) - (x < y);
}

static bool s_in_sorted (const uint32_t *v, size_t n, uint32_t x)
{
    return bsearch (&x, v, n, sizeof *v, s_cmp_u32) != NULL;
}

/*  By item, then best score first (to keep one hit per item).             */
static int s_cmp_hit_item (const void *a, const void *b)
{
    const rules_hit_t *x = a, *y = b;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->rule > y->rule) - (x->rule < y->rule);
}

static int s_cmp_hit_score (const void *a, const void *b)
{
    const rules_hit_t *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->item > y->item) - (x->item < y->item);
}

long rules_model_for_user (const rules_model_t *self, const char *const *ids10, size_t nids,
                           size_t limit, rules_hit_t *out)
{
    uint32_t *have = malloc ((nids ? nids : 1) * sizeof *have);
    if (!have)
        return -1;
    size_t nh = 0;
    for (size_t i = 0; i < nids; i++) {
        int64_t it = rules_model_find (self, ids10[i]);
        if (it >= 0)
            have[nh++] = (uint32_t) it;
    }
    qsort (have, nh, sizeof *have, s_cmp_u32);
    size_t u = 0;
    for (size_t i = 0; i < nh; i++)
        if (!u || have[u - 1] != have[i])
            have[u++] = have[i];
    nh = u;
    rules_hit_t *hits = NULL;
    size_t nhits = 0, cap = 0;
    for (size_t i = 0; i < nh; i++) {
        uint32_t first = have[i];
        for (uint32_t k = self->by_first_off[first]; k < self->by_first_off[first + 1]; k++) {
            const rule_t *r = &self->rules[self->by_first[k]];
            bool match = !s_in_sorted (have, nh, r->consequent);
            for (uint32_t a = 1; match && a < r->alen; a++)
                match = s_in_sorted (have, nh, self->ante[r->ante_off + a]);
            if (!match)
                continue;
            if (nhits == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                rules_hit_t *nh2 = realloc (hits, ncap * sizeof *nh2);
                if (!nh2) {
                    free (hits);
                    free (have);
                    return -1;
                }
                hits = nh2;
                cap = ncap;
            }
            hits[nhits++] = (rules_hit_t) { r->consequent, r->score, self->by_first[k] };
        }
    }
    free (have);
    if (nhits)
        qsort (hits, nhits, sizeof *hits, s_cmp_hit_item);
    size_t m = 0;
    for (size_t i = 0; i < nhits; i++)
        if (!m || hits[m - 1].item != hits[i].item)
            hits[m++] = hits[i];
    if (m)
        qsort (hits, m, sizeof *hits, s_cmp_hit_score);
    size_t n = m < limit ? m : limit;
    if (n)
        memcpy (out, hits, n * sizeof *out);
    free (hits);
    return (long) n;
}

size_t rules_model_antecedent (const rules_model_t *self, uint32_t rule, char *buf, size_t cap)
{
    if (!cap)
        return 0;
    size_t len = 0;
    buf[0] = '\0';
    if (rule >= self->nrules)
        return 0;
    const rule_t *r = &self->rules[rule];
    for (uint32_t a = 0; a < r->alen; a++) {
        size_t need = (a ? 1 : 0) + ID_LEN;
        if (len + need >= cap)
            break;
        if (a)
            buf[len++] = '+';
        memcpy (buf + len, self->ids + (size_t) self->ante[r->ante_off + a] * ID_LEN, ID_LEN);
        len += ID_LEN;
    }
    buf[len] = '\0';
    return len;
}
