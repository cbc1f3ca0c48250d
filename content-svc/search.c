/*  search — see search.h.  */
#include "search.h"
#include "hr_pool.h"
#include "dot8.h"
#include "query.h"
#include "quantity.h"
#include "semantic.h"
#include "text.h"
#include "topk.h"
#include "typo.h"
#include <assert.h>
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define MAX_TOKENS  64          /* a 255-byte query has at most ~85 words */
#define MAX_CLAUSES 64
#define QTY_MAX     4           /* sizes read from a query */
#define MAX_ALTS    8

typedef struct {
    uint32_t term[CONTENT_SYN_MAX_WORDS];   /* index term ids (AND) */
    uint8_t nterms;
    uint8_t kind;                           /* 0 word, 1 typo, 2 synonym, 3 learned */
    float weight;
} alt_t;

typedef struct {
    alt_t alt[MAX_ALTS];
    uint8_t nalts;
    uint32_t first, words;                  /* query tokens covered */
} clause_t;

typedef struct {
    char surface[CONTENT_TOKEN_MAX + 1];
    char stem[CONTENT_TOKEN_MAX + 1];
    char fixed[CONTENT_TOKEN_MAX + 1];      /* typo correction ("" = none) */
    char fixed_stem[CONTENT_TOKEN_MAX + 1];
    int64_t id, fixed_id;                   /* index terms, -1 = unknown */
} qtoken_t;

struct content_search_session {
    content_analyzer_t *an;
    float *total, *clause;
    uint8_t *matched;                       /* clauses met, in halves */
    uint8_t *cfull;                         /* this clause met beyond the main category */
    uint8_t *zbrands;                       /* brands whose zone has the product */
    uint8_t *zhead;                         /* 1 + the type clause's first alt it heads */
    uint32_t *touched, *ctouched;
    content_hit_t *hits;
    uint64_t *keys;                         /* 2 × n: content_topk_hits' scratch */
    float *qv;
    int8_t *q8;
    float qscale;
    char key[256];                          /* the query's stems, one space apart */
    qtoken_t tok[MAX_TOKENS];
    uint32_t ntok;
    clause_t clauses[MAX_CLAUSES];
    uint32_t nclauses;
    /*  constraints read from the query (CONTENT_PART_CONSTRAINTS)          */
    unsigned audience;                      /* CONTENT_AUD_* asked for */
    unsigned pronoun;                       /* "for her" / "for him" (stop words) */
    uint32_t brand[MAX_CLAUSES];            /* brand terms */
    uint32_t nbrand;
    int32_t type_clause;                    /* -1 = none */
    content_qty_t qty[QTY_MAX];             /* sizes asked for (CONTENT_PART_QUANTITY) */
    uint32_t nqty;
};

struct content_search {
    const hr_catalog_t *catalog;
    content_docterms_t *dt;
    const content_synonyms_t *syn;
    const content_model_t *model;
    content_search_opts_t o;
    uint32_t n, nterms;
    uint64_t *pstart;                       /* BM25 postings by term, docs ascending */
    uint32_t *pdoc;
    float *pw;
    uint8_t *pmain;                         /* per posting: 1 = only in the main category */
    float *prior;
    content_typo_t *typo;
    content_synonyms_t *learned_syn;        /* click-trained (NULL: none) */
    struct lboost { char query[256]; uint32_t doc; float factor; } *lboosts;
    uint32_t nlboosts;                      /* sorted by query */
    content_names_t *names;                 /* zones, heads, audiences, brands */
    content_qtys_t *qtys;                   /* the sizes each name states */
    int64_t *model_term;                    /* index term -> model term */
    uint32_t dim;
    int8_t *pvec;                           /* n × dim product vectors, int8 */
    float *pscale;                          /* per product: vector = pscale · int8 */
    hr_pool_t *sessions;                    /* content_search_session_t */
};

static void *s_session_new (void *arg);
static void s_session_free (void *x);

int
content_search_opts_off (content_search_opts_t *o, const char *part)
{
    static const struct { const char *name; unsigned bit; } parts[] = {
        { "typo2", CONTENT_PART_TYPO2 }, { "constraints", CONTENT_PART_CONSTRAINTS },
        { "quantity", CONTENT_PART_QUANTITY },
        { "learned", CONTENT_PART_LEARNED }, { "price", CONTENT_PART_PRICE },
        { "compound", CONTENT_PART_COMPOUND },
        { "typocost", CONTENT_PART_TYPOCOST }, { "typocontext", CONTENT_PART_TYPOCONTEXT },
        { "short2", CONTENT_PART_SHORT2 }, { "mainhalf", CONTENT_PART_MAINHALF },
        { "pronoun", CONTENT_PART_PRONOUN }, { "brandzone", CONTENT_PART_BRANDZONE },
        { "short1", CONTENT_PART_SHORT1 }, { "splittypo", CONTENT_PART_SPLITTYPO },
        { "vowelgap", CONTENT_PART_VOWELGAP }, { "typopool", CONTENT_PART_TYPOPOOL },
        { "digraph", CONTENT_PART_DIGRAPH }, { "shortsound", CONTENT_PART_SHORTSOUND },
    };
    for (size_t k = 0; k < sizeof parts / sizeof *parts; k++)
        if (!strcmp (part, parts[k].name)) {
            o->parts &= ~parts[k].bit;
            return 0;
        }
    return -1;
}

/*  ---- building ----------------------------------------------------------- */

typedef struct {
    content_search_t *s;
    uint32_t first, last;
} embed_job_t;

/*  int8 vectors: a query scans n × dim of them, and 4× fewer bytes than
    floats is what keeps that scan inside the latency budget.  Returns the
    scale that turns the int8 values back into the vector.                   */
static float
quantize (const float *v, uint32_t dim, int8_t *out)
{
    float mx = 0;
    for (uint32_t k = 0; k < dim; k++)
        if (fabsf (v[k]) > mx)
            mx = fabsf (v[k]);
    for (uint32_t k = 0; k < dim; k++)
        out[k] = mx > 0 ? (int8_t) lrintf (v[k] / mx * 127.0f) : 0;
    return mx / 127.0f;
}


static void *
embed_part (void *arg)
{
    embed_job_t *j = arg;
    content_search_t *s = j->s;
    const content_matrix_t *tf = &s->dt->tf;
    uint32_t cap = 256;
    uint32_t *col = malloc (cap * sizeof *col);
    float *w = malloc (cap * sizeof *w);
    for (uint32_t d = j->first; d < j->last && col && w; d++) {
        uint32_t n = 0;
        for (uint64_t p = tf->row[d]; p < tf->row[d + 1]; p++) {
            int64_t mt = s->model_term[tf->col[p]];
            if (mt < 0)
                continue;
            if (n == cap) {
                cap *= 2;
                uint32_t *c2 = realloc (col, cap * sizeof *c2);
                if (c2) col = c2;
                float *w2 = realloc (w, cap * sizeof *w2);
                if (w2) w = w2;
                if (!c2 || !w2)
                    break;
            }
            col[n] = (uint32_t) mt;
            w[n++] = content_sublinear (tf->val[p]) * s->model->idf[mt];
        }
        float v[256];
        content_lsa_embed (s->model->emb, s->dim, col, w, n, v);
        s->pscale[d] = quantize (v, s->dim, s->pvec + (uint64_t) d * s->dim);
    }
    free (col);
    free (w);
    return NULL;
}

/*  BM25 weights, precomputed per posting: a query only adds floats; and
    each product's prior from its reviews and rating.  0 / -1.            */
static int
s_bm25_postings (content_search_t *s, uint64_t nnz)
{
    const content_docterms_t *dt = s->dt;
    const hr_catalog_t *catalog = s->catalog;
    double total_len = 0;
    for (uint32_t d = 0; d < s->n; d++)
        total_len += dt->length[d];
    float avgdl = s->n && total_len > 0 ? (float) (total_len / s->n) : 1.0f;
    for (uint64_t k = 0; k < nnz; k++)
        s->pstart[dt->tf.col[k] + 1]++;
    for (uint32_t t = 0; t < s->nterms; t++)
        s->pstart[t + 1] += s->pstart[t];
    uint64_t *fill = malloc (((size_t) s->nterms + 1) * sizeof *fill);
    if (!fill)
        return -1;
    memcpy (fill, s->pstart, ((size_t) s->nterms + 1) * sizeof *fill);
    for (uint32_t d = 0; d < s->n; d++) {
        float norm = s->o.k1 * (1 - s->o.b + s->o.b * dt->length[d] / avgdl);
        for (uint64_t p = dt->tf.row[d]; p < dt->tf.row[d + 1]; p++) {
            uint32_t t = dt->tf.col[p];
            float df = (float) dt->df[t], tf = dt->tf.val[p];
            float idf = logf (1.0f + ((float) s->n - df + 0.5f) / (df + 0.5f));
            uint64_t at = fill[t]++;
            s->pdoc[at] = d;
            s->pw[at] = idf * tf * (s->o.k1 + 1) / (tf + norm);
            /*  less than one occurrence of name or sub-category weight
                (1, CONTENT_FIELDS_DEFAULT): the word is only in the main
                category ("tv, audio & cameras", weight 0.5)               */
            s->pmain[at] = tf < 1.0f;
        }
        const hr_product_t *p = hr_catalog_at (catalog, d);
        float pop = p->reviews > 0 ? log10f (1.0f + (float) p->reviews) / 5.0f : 0;
        if (pop > 1)
            pop = 1;
        float rating = isnan (p->rating) ? 3.0f : (float) p->rating;
        if (rating < 0) rating = 0;
        if (rating > 5) rating = 5;
        s->prior[d] = 1.0f + 0.1f * pop * rating / 5.0f;
    }
    free (fill);
    return 0;
}

/*  Typo dictionary: catalog words seen at least twice (once for small
    catalogs), so one-off misspellings in titles are not targets.  0 / -1. */
static int
s_typo_dictionary (content_search_t *s)
{
    const content_docterms_t *dt = s->dt;
    uint32_t min_freq = s->n >= 1000 ? 2 : 1;
    uint32_t nw = content_vocab_size (dt->words);
    for (uint32_t id = 0; id < nw; id++) {
        uint32_t len;
        const char *w = content_vocab_term (dt->words, id, &len);
        if (dt->word_freq[id] >= min_freq && len >= 3
            && content_typo_add (s->typo, w, len, dt->word_freq[id]))
            return -1;
    }
    if (content_typo_freeze (s->typo))
        return -1;
    return 0;
}

/*  Semantic part: product vectors folded in with the model's idf and
    term vectors (products added after training get vectors too).  0 / -1. */
static int
s_semantic (content_search_t *s, unsigned threads)
{
    const content_docterms_t *dt = s->dt;
    const content_model_t *model = s->model;
    s->dim = model->dim;
    s->model_term = malloc ((s->nterms ? s->nterms : 1) * sizeof *s->model_term);
    s->pvec = malloc ((size_t) (s->n ? s->n : 1) * s->dim * sizeof *s->pvec);
    s->pscale = malloc ((size_t) (s->n ? s->n : 1) * sizeof *s->pscale);
    if (!s->model_term || !s->pvec || !s->pscale || s->dim > 256)
        return -1;
    for (uint32_t t = 0; t < s->nterms; t++) {
        uint32_t len;
        const char *term = content_vocab_term (dt->vocab, t, &len);
        s->model_term[t] = content_vocab_find (model->vocab, term, len);
    }
    if (threads < 1) threads = 1;
    if (threads > 8) threads = 8;
    embed_job_t jobs[8];
    pthread_t tid[8];
    bool started[8] = { false };
    for (unsigned t = 0; t < threads; t++) {
        jobs[t] = (embed_job_t) { s, (uint32_t) ((uint64_t) s->n * t / threads),
                                  (uint32_t) ((uint64_t) s->n * (t + 1) / threads) };
        if (t > 0)
            started[t] = pthread_create (&tid[t], NULL, embed_part, &jobs[t]) == 0;
    }
    embed_part (&jobs[0]);
    for (unsigned t = 1; t < threads; t++) {
        if (started[t])
            pthread_join (tid[t], NULL);
        else
            embed_part (&jobs[t]);
    }
    return 0;
}

content_search_t *
content_search_new (const hr_catalog_t *catalog, content_docterms_t *dt,
                    const content_synonyms_t *synonyms, const content_model_t *model,
                    const content_search_opts_t *opts, unsigned threads)
{
    content_search_t *s = calloc (1, sizeof *s);
    if (!s) {
        content_docterms_destroy (&dt);
        return NULL;
    }
    s->catalog = catalog;
    s->dt = dt;
    s->syn = synonyms;
    s->model = model;
    s->o = *opts;
    s->n = dt->tf.rows;
    s->nterms = dt->tf.cols;
    uint64_t nnz = dt->tf.row[s->n];
    s->pstart = calloc ((size_t) s->nterms + 1, sizeof *s->pstart);
    s->pdoc = malloc ((nnz ? nnz : 1) * sizeof *s->pdoc);
    s->pw = malloc ((nnz ? nnz : 1) * sizeof *s->pw);
    s->pmain = malloc ((nnz ? nnz : 1) * sizeof *s->pmain);
    s->prior = malloc ((s->n ? s->n : 1) * sizeof *s->prior);
    s->typo = content_typo_new ();
    s->names = content_names_new (catalog, dt);
    s->qtys = content_qtys_new (catalog);
    s->sessions = hr_pool_new (s_session_new, s_session_free, s);
    if (!s->pstart || !s->pdoc || !s->pw || !s->pmain || !s->prior || !s->typo || !s->names
        || !s->qtys || !s->sessions)
        goto fail;

    if (s_bm25_postings (s, nnz) != 0 || s_typo_dictionary (s) != 0
        || (model && model->emb && model->dim && s_semantic (s, threads) != 0)
        || (model && content_search_set_learned (s, &model->learned) != 0))
        goto fail;
    return s;
fail:
    content_search_destroy (&s);
    return NULL;
}

static void
session_free (content_search_session_t *x)
{
    content_analyzer_destroy (&x->an);
    free (x->total);
    free (x->clause);
    free (x->matched);
    free (x->cfull);
    free (x->zbrands);
    free (x->zhead);
    free (x->touched);
    free (x->ctouched);
    free (x->hits);
    free (x->keys);
    free (x->qv);
    free (x->q8);
    free (x);
}

void
content_search_destroy (content_search_t **self_p)
{
    assert (self_p);
    content_search_t *s = *self_p;
    if (!s)
        return;
    hr_pool_destroy (&s->sessions);
    content_docterms_destroy (&s->dt);
    free (s->pstart);
    free (s->pdoc);
    free (s->pw);
    free (s->pmain);
    free (s->prior);
    content_typo_destroy (&s->typo);
    content_names_destroy (&s->names);
    content_qtys_destroy (&s->qtys);
    free (s->model_term);
    free (s->pvec);
    free (s->pscale);
    content_synonyms_destroy (&s->learned_syn);
    free (s->lboosts);
    free (s);
    *self_p = NULL;
}

bool
content_search_has_semantic (const content_search_t *self)
{
    return self->pvec != NULL;
}

static void
s_session_free (void *x)
{
    session_free (x);
}

/*  A new session's scratch, sized for the index (an hr_pool_make_fn).     */
static void *
s_session_new (void *arg)
{
    const content_search_t *self = arg;
    size_t n = self->n ? self->n : 1;
    content_search_session_t *x = calloc (1, sizeof *x);
    if (!x)
        return NULL;
    x->an = content_analyzer_new ();
    x->total = calloc (n, sizeof *x->total);
    x->clause = calloc (n, sizeof *x->clause);
    x->matched = calloc (n, sizeof *x->matched);
    x->cfull = calloc (n, sizeof *x->cfull);
    x->zbrands = calloc (n, sizeof *x->zbrands);
    x->zhead = calloc (n, sizeof *x->zhead);
    x->touched = malloc (n * sizeof *x->touched);
    x->ctouched = malloc (n * sizeof *x->ctouched);
    x->hits = malloc (n * sizeof *x->hits);
    x->keys = malloc (2 * n * sizeof *x->keys);
    x->qv = calloc (self->dim ? self->dim : 1, sizeof *x->qv);
    x->q8 = calloc (self->dim ? self->dim : 1, sizeof *x->q8);
    if (!x->q8 || !x->an || !x->total || !x->clause || !x->matched || !x->cfull || !x->zbrands
        || !x->zhead || !x->touched || !x->ctouched || !x->hits || !x->keys || !x->qv) {
        session_free (x);
        return NULL;
    }
    return x;
}

content_search_session_t *
content_search_session_take (content_search_t *self)
{
    return hr_pool_take (self->sessions);
}

void
content_search_session_give (content_search_t *self, content_search_session_t **s_p)
{
    hr_pool_give (self->sessions, *s_p);
    *s_p = NULL;
}

/*  ---- planning ----------------------------------------------------------- */

static int64_t
term_id (const content_search_t *s, const char *stem, size_t len)
{
    return content_vocab_find (s->dt->vocab, stem, len);
}

static void
copy_word (char dst[CONTENT_TOKEN_MAX + 1], const char *src, size_t len)
{
    if (len > CONTENT_TOKEN_MAX)
        len = CONTENT_TOKEN_MAX;
    memcpy (dst, src, len);
    dst[len] = '\0';
}

static bool
single_word_synonym (const content_search_t *s, const char *stem, uint32_t len)
{
    const char *st[1] = { stem };
    const uint32_t *targets;
    uint32_t nt;
    if (s->syn && content_synonyms_match (s->syn, st, &len, 1, 0, &targets, &nt) > 0)
        return true;
    return s->learned_syn && (s->o.parts & CONTENT_PART_LEARNED)
        && content_synonyms_match (s->learned_syn, st, &len, 1, 0, &targets, &nt) > 0;
}

/*  Marks the query words that spell a curated phrase of several words as
    typed ("kooda dan" => dustbin; left to right, longest first, as plan
    reads phrases).  They are read as that phrase and never corrected: a
    word the catalog does not know would otherwise become another word
    before the phrase could match ("kooda" -> kada, "mirch" -> match), and
    the rule would never fire.                                             */
static void
synonym_phrase_words (const content_search_t *s, const content_search_session_t *x,
                      bool in_phrase[MAX_TOKENS])
{
    if (!s->syn)
        return;
    const char *stems[MAX_TOKENS];
    uint32_t lens[MAX_TOKENS];
    for (uint32_t k = 0; k < x->ntok; k++) {
        stems[k] = x->tok[k].stem;
        lens[k] = (uint32_t) strlen (stems[k]);
    }
    for (uint32_t pos = 0; pos < x->ntok; ) {
        const uint32_t *targets;
        uint32_t nt;
        uint32_t w = content_synonyms_match (s->syn, stems, lens, x->ntok, pos, &targets, &nt);
        for (uint32_t k = 0; w > 1 && k < w; k++)
            in_phrase[pos + k] = true;
        pos += w > 1 ? w : 1;
    }
}

/*  Products that contain both terms (postings are sorted by product).      */
static uint32_t
cooccur (const content_search_t *s, uint32_t a, uint32_t b)
{
    uint64_t i = s->pstart[a], ie = s->pstart[a + 1], j = s->pstart[b], je = s->pstart[b + 1];
    uint32_t n = 0;
    while (i < ie && j < je) {
        if (s->pdoc[i] < s->pdoc[j])
            i++;
        else if (s->pdoc[i] > s->pdoc[j])
            j++;
        else {
            n++;
            i++;
            j++;
        }
    }
    return n;
}

#define TYPO_CANDIDATES 8
#define TYPO_POOL 64
#define TYPO_WEIGHED 16
#define CONTEXT_SYNONYMS 4

/*  The terms that stand for query word o as context of a correction: its
    own (or its correction's) and its one-word curated synonyms, so
    "televison stnd" finds stand with tv ("TV Stand"), which titles write
    far more than "Television Stand".  Terms in half the catalog or more
    say nothing and are left out.  Returns the count.                       */
static uint32_t
context_terms (const content_search_t *s, const content_search_session_t *x, uint32_t o,
               uint32_t out[1 + CONTEXT_SYNONYMS])
{
    const qtoken_t *t = &x->tok[o];
    int64_t oid = t->id >= 0 ? t->id : t->fixed_id;
    if (oid < 0)
        return 0;
    uint32_t n = 0;
    if (s->dt->df[oid] < s->n / 2)
        out[n++] = (uint32_t) oid;
    if (!s->syn || !(s->o.parts & CONTENT_PART_TYPOCONTEXT))
        return n;
    const char *st[1] = { t->id >= 0 ? t->stem : t->fixed_stem };
    uint32_t len = (uint32_t) strlen (st[0]);
    const uint32_t *targets;
    uint32_t nt;
    if (content_synonyms_match (s->syn, st, &len, 1, 0, &targets, &nt) == 0)
        return n;
    for (uint32_t k = 0; k < nt && n < 1 + CONTEXT_SYNONYMS; k++) {
        uint32_t plen;
        const char *ph = content_synonyms_phrase (s->syn, targets[k], &plen);
        if (memchr (ph, ' ', plen))
            continue;
        int64_t id = term_id (s, ph, plen);
        if (id >= 0 && id != oid && s->dt->df[id] < s->n / 2)
            out[n++] = (uint32_t) id;
    }
    return n;
}

/*  How often candidate term fid is seen with the query's other words: per
    other word, the most of its co-occurrences with fid or with one of that
    word's synonyms; another misspelt word counts by its own correction
    ("earphons wirless"): the second pass of resolve_tokens.  *context says
    whether the query had any other word to count.                        */
static double
context_evidence (content_search_t *s, content_search_session_t *x, uint32_t k, uint32_t fid,
                  bool *context)
{
    double evidence = 0;
    *context = false;
    for (uint32_t o = 0; o < x->ntok; o++) {
        uint32_t ct[1 + CONTEXT_SYNONYMS];
        uint32_t nct = o != k ? context_terms (s, x, o, ct) : 0;
        uint32_t most = 0;
        for (uint32_t j = 0; j < nct; j++) {
            uint32_t n = cooccur (s, fid, ct[j]);
            if (n > most)
                most = n;
        }
        if (nct > 0) {
            *context = true;
            evidence += most;
        }
    }
    return evidence;
}

/*  The weighed edit cost of typing catalog word w as the surface s.        */
static double
typo_cost (const content_search_t *s, const char *typed, size_t tl, const char *w, size_t wl)
{
    unsigned flags = (s->o.parts & CONTENT_PART_VOWELGAP) ? CONTENT_TYPO_VOWEL_GAP : 0;
    if (s->o.parts & CONTENT_PART_DIGRAPH)
        flags |= CONTENT_TYPO_DIGRAPH;
    return content_typo_cost (typed, tl, w, wl, flags);
}

/*  The candidates correct_token weighs.  The index lists them nearest
    (counted edits) first, then most frequent; with CONTENT_PART_TYPOPOOL
    (and weighed edits) TYPO_POOL of them are ranked again by weighed cost
    (a stable sort: ties keep the index's order) and the TYPO_WEIGHED
    cheapest kept, so that a two-edit word of two cheap edits ("televison"
    -> television, two vowels) is not pushed out by frequent words one far
    edit away before its context is counted (typo_bench --mode two, dev
    half: 8 by counted edits 0.797, 16 of 64 by cost 0.811, 32 by counted
    edits 0.811: what counts is that the right word is weighed at all).
    Returns the count; cost[] holds each one's weighed cost.                */
static uint32_t
typo_candidates (const content_search_t *s, const char *typed, size_t tl, int maxd,
                 content_typo_cand_t *c, double *cost)
{
    bool weighted = s->o.parts & CONTENT_PART_TYPOCOST;
    bool pool = weighted && (s->o.parts & CONTENT_PART_TYPOPOOL);
    content_typo_cand_t all[TYPO_POOL];
    double ac[TYPO_POOL];
    uint32_t n = content_typo_candidates (s->typo, typed, tl, maxd, all,
                                          pool ? TYPO_POOL : TYPO_CANDIDATES);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t wl;
        const char *w = content_typo_word (s->typo, all[i].word, &wl);
        ac[i] = weighted ? typo_cost (s, typed, tl, w, wl) : (all[i].distance > 1 ? 2.0 : 1.0);
    }
    for (uint32_t i = 1; pool && i < n; i++)
        for (uint32_t j = i; j > 0 && ac[j] < ac[j - 1]; j--) {
            double tc = ac[j];
            ac[j] = ac[j - 1];
            ac[j - 1] = tc;
            content_typo_cand_t tt = all[j];
            all[j] = all[j - 1];
            all[j - 1] = tt;
        }
    if (n > TYPO_WEIGHED)
        n = TYPO_WEIGHED;
    memcpy (c, all, n * sizeof *c);
    memcpy (cost, ac, n * sizeof *cost);
    return n;
}

/*  Picks the correction of token k among the catalog words within reach.
    Two edits are allowed from 5 letters (CONTENT_PART_TYPO2; from 8
    otherwise).  With other known words in the query the candidate found
    most often *with them* wins ("seeling fan" -> ceiling, not selling),
    weighed with the word's frequency ("samsng earbuds" -> samsung, never
    seen with earbuds but six times as frequent, not gaming); alone, the nearest wins unless a
    farther one is 10x as frequent.  A different first letter costs 90 % of
    the score ("tredmil" -> treadmill, not the more frequent redmi) unless
    it sounds alike: then nothing with context words ("seeling fan" ->
    ceiling), half alone.  A word in fewer than 3 products is corrected
    only to one 10x as frequent.                                            */
/*  How much a candidate's frequency counts beside its context evidence
    (Dec 8: 0.75 -> 0.6, chosen on typo_bench's dev halves, +0.001 in both
    modes, typo_phrase_bench dev 0.768 / 0.767: a tie; it stops a far more
    frequent word from outweighing the one the context holds: "miltn
    bottle" was read "multi bottle", now milton).                          */
#define CONTEXT_FREQ_EXP 0.6

static void
correct_token (content_search_t *s, content_search_session_t *x, uint32_t k, bool rare)
{
    qtoken_t *t = &x->tok[k];
    size_t sl = strlen (t->surface);
    int maxd = content_typo_max_distance (sl);
    if ((s->o.parts & CONTENT_PART_TYPO2) && sl >= 5)
        maxd = 2;
    /*  A 4-letter word the catalog does not know ("televison stnd"): one
        edit, only to a word seen with the query's other words and with the
        same first letter (4 letters reach too many words otherwise); with
        CONTENT_PART_SHORT2 also two, but only to a longer word, letters
        dropped ("riun neck" -> round, "cpve" -> cover: typo_phrase_bench). */
    bool short_word = (s->o.parts & CONTENT_PART_TYPO2) && sl == 4 && t->id < 0;
    if (short_word)
        maxd = (s->o.parts & CONTENT_PART_SHORT2) ? 2 : 1;
    bool weighted = s->o.parts & CONTENT_PART_TYPOCOST;
    content_typo_cand_t c[TYPO_WEIGHED];
    double costs[TYPO_WEIGHED];
    uint32_t nc = typo_candidates (s, t->surface, sl, maxd, c, costs);
    int64_t best = -1;
    double best_score = -1;
    char best_word[CONTENT_TOKEN_MAX + 1], best_stem[CONTENT_TOKEN_MAX + 1];
    for (uint32_t ci = 0; ci < nc; ci++) {
        uint32_t wl;
        const char *w = content_typo_word (s->typo, c[ci].word, &wl);
        uint32_t fsl;
        const char *fst = content_stem (x->an, w, wl, &fsl);
        int64_t fid = term_id (s, fst, fsl);
        if (fid < 0 || fid == t->id)
            continue;
        if (rare && s->dt->df[fid] < 10 * s->dt->df[t->id])
            continue;           /* a rare but real word: keep it alone */
        bool context;
        double evidence = context_evidence (s, x, k, (uint32_t) fid, &context);
        /*  A noisy channel, roughly: P(word) P(context | word) ~
            (co-occurrences + 1) x frequency^CONTEXT_FREQ_EXP (add-one, so a word never
            seen with the context keeps its prior), a second edit halving it.
            Alone: frequency, a second edit costing 10x.                    */
        /*  With CONTENT_PART_TYPOCOST the edits are weighed
            (content_typo_cost: a QWERTY neighbour, a sound-alike letter, a
            swap, a doubled letter cost half an edit), each unit of cost
            past the first dividing by 8 with context, by 100 alone (chosen
            on typo_bench's dev half: 2/10, 4/30, 8/100, 16/300 -> 0.744,
            0.752, 0.758, 0.758); counted edits: a second divides by 2 / 10. */
        double cost = costs[ci];
        /*  alone (CONTENT_PART_SHORT1), a 4-letter word takes one cheap
            edit to a word of its first letter ("fann" -> fan, "bwll" ->
            ball): unknown as typed, it would find nothing                  */
        bool alone_ok = !context && weighted && (s->o.parts & CONTENT_PART_SHORT1)
                        && cost <= CONTENT_TYPO_CHEAP;
        /*  its first letter kept, or (CONTENT_PART_SHORTSOUND) one that
            sounds alike: "fone holder" -> phone, f for ph                  */
        bool first_ok = w[0] == t->surface[0]
                        || ((s->o.parts & CONTENT_PART_SHORTSOUND)
                            && content_sounds_alike (w[0], t->surface[0]));
        if (short_word && ((evidence == 0 && !alone_ok) || !first_ok
                           || (c[ci].distance > 1 && wl <= sl)))
            continue;
        double score = context
            ? (evidence + 1.0) * pow ((double) c[ci].freq, CONTEXT_FREQ_EXP) / pow (weighted ? 8.0 : 2.0, cost - 1.0)
            : (double) c[ci].freq / pow (weighted ? 100.0 : 10.0, cost - 1.0);
        if (w[0] != t->surface[0])      /* the first letter is rarely wrong, */
            score *= content_sounds_alike (w[0], t->surface[0]) ? (context ? 1.0 : 0.5) : 0.1;   /* but seeling */
        if (score > best_score) {
            best_score = score;
            best = fid;
            copy_word (best_word, w, wl);
            copy_word (best_stem, fst, fsl);
        }
    }
    if (best < 0)
        return;
    copy_word (t->fixed, best_word, strlen (best_word));
    copy_word (t->fixed_stem, best_stem, strlen (best_stem));
    t->fixed_id = best;
}

static bool
has_digit (const char *w)
{
    for (; *w; w++)
        if (*w >= '0' && *w <= '9')
            return true;
    return false;
}

/*  The index term of a word as typed (its stem), -1 when unknown.          */
static int64_t
word_id (const content_search_t *s, content_search_session_t *x, const char *w, size_t len)
{
    uint32_t sl;
    const char *st = content_stem (x->an, w, len, &sl);
    return term_id (s, st, sl);
}

static void
set_token (content_search_t *s, content_search_session_t *x, qtoken_t *t, const char *w, size_t len)
{
    uint32_t sl;
    copy_word (t->surface, w, len);
    const char *st = content_stem (x->an, t->surface, strlen (t->surface), &sl);
    copy_word (t->stem, st, sl);
    t->id = term_id (s, t->stem, strlen (t->stem));
    t->fixed[0] = t->fixed_stem[0] = '\0';
    t->fixed_id = -1;
}

#define COMPOUND_MIN_DF 3

/*  Whether a word is one edit from a catalog word in COMPOUND_MIN_DF+
    products (its stem's document frequency).                              */
static bool
one_edit_from_known (content_search_t *s, content_search_session_t *x, const char *w, size_t l)
{
    content_typo_cand_t c[TYPO_CANDIDATES];
    uint32_t nc = content_typo_candidates (s->typo, w, l, 1, c, TYPO_CANDIDATES);
    for (uint32_t ci = 0; ci < nc; ci++) {
        uint32_t wl;
        const char *cw = content_typo_word (s->typo, c[ci].word, &wl);
        int64_t id = word_id (s, x, cw, wl);
        if (id >= 0 && s->dt->df[id] >= COMPOUND_MIN_DF)
            return true;
    }
    return false;
}

/*  Words a shopper writes apart or together unlike the titles
    (CONTENT_PART_COMPOUND).  Two adjacent words become one when the
    catalog writes them as one word more often than it has both in one
    title ("ear phones" -> earphones, "tread mill" -> treadmill; not "power
    bank", which titles write apart).  A word the catalog does not know is
    cut in two known words that share a title, the pair most often together
    winning ("waterbottle" -> water bottle, "washingmachine").  Neither
    touches words with digits or audience words, and neither changes a
    query the catalog already reads word by word.                          */
static void
join_and_split (content_search_t *s, content_search_session_t *x)
{
    for (uint32_t k = 0; k + 1 < x->ntok; k++) {
        qtoken_t *a = &x->tok[k], *b = &x->tok[k + 1];
        size_t la = strlen (a->surface), lb = strlen (b->surface);
        if (la + lb > CONTENT_TOKEN_MAX || has_digit (a->surface) || has_digit (b->surface)
            || content_query_audience_of (a->stem, strlen (a->stem))
            || content_query_audience_of (b->stem, strlen (b->stem)))
            continue;
        char w[2 * CONTENT_TOKEN_MAX + 1];
        memcpy (w, a->surface, la);
        memcpy (w + la, b->surface, lb);
        int64_t id = word_id (s, x, w, la + lb);
        /*  the stem of the two run together may be one of them: "silver"
            + "ring" -> "silverring", stemmed as "silverr" + -ing, undoubled:
            "silver"; that is no compound                                   */
        if (id < 0 || s->dt->df[id] < COMPOUND_MIN_DF || id == a->id || id == b->id)
            continue;
        if (a->id >= 0 && b->id >= 0 && s->dt->df[id] <= cooccur (s, (uint32_t) a->id, (uint32_t) b->id))
            continue;
        set_token (s, x, a, w, la + lb);
        memmove (b, b + 1, (x->ntok - k - 2) * sizeof *b);
        x->ntok--;
    }
    for (uint32_t k = 0; k < x->ntok && x->ntok < MAX_TOKENS; k++) {
        qtoken_t *t = &x->tok[k];
        size_t l = strlen (t->surface);
        if (t->id >= 0 || l < 6 || has_digit (t->surface))
            continue;
        /*  one edit from a word of 3+ products: a typo ("bacpack",
            "headsset"), not two words run together (CONTENT_PART_SPLITTYPO) */
        if ((s->o.parts & CONTENT_PART_SPLITTYPO) && one_edit_from_known (s, x, t->surface, l))
            continue;
        size_t best_at = 0;
        uint32_t best = 0;
        for (size_t i = 3; i + 3 <= l; i++) {
            int64_t left = word_id (s, x, t->surface, i);
            if (left < 0 || s->dt->df[left] < COMPOUND_MIN_DF)
                continue;
            int64_t right = word_id (s, x, t->surface + i, l - i);
            if (right < 0 || s->dt->df[right] < COMPOUND_MIN_DF)
                continue;
            uint32_t n = cooccur (s, (uint32_t) left, (uint32_t) right);
            if (n > best) {
                best = n;
                best_at = i;
            }
        }
        if (best == 0)
            continue;
        char w[CONTENT_TOKEN_MAX + 1];
        copy_word (w, t->surface, l);
        memmove (t + 2, t + 1, (x->ntok - k - 1) * sizeof *t);
        x->ntok++;
        set_token (s, x, t, w, best_at);
        set_token (s, x, t + 1, w + best_at, l - best_at);
        k++;
    }
}

/*  "gift for her", "watch for him": the pronoun is a stop word, gone from
    the tokens, but says who the product is for (CONTENT_PART_PRONOUN).
    ASCII letters only, case folded; "for  her" with several spaces too.   */
static unsigned
pronoun_audience (const char *q, size_t len)
{
    static const struct { const char *w; unsigned bits; } pron[] = {
        { "her", CONTENT_AUD_WOMEN }, { "him", CONTENT_AUD_MEN },
    };
    unsigned bits = 0;
    for (size_t i = 0; i + 3 < len; i++) {
        if ((i > 0 && isalnum ((unsigned char) q[i - 1])) || strncasecmp (q + i, "for", 3) != 0
            || q[i + 3] != ' ')
            continue;
        size_t j = i + 3;
        while (j < len && q[j] == ' ')
            j++;
        for (size_t k = 0; k < sizeof pron / sizeof *pron; k++)
            if (j + 3 <= len && strncasecmp (q + j, pron[k].w, 3) == 0
                && (j + 3 == len || !isalnum ((unsigned char) q[j + 3])))
                bits |= pron[k].bits;
    }
    return bits;
}

static void
resolve_tokens (content_search_t *s, content_search_session_t *x, const char *q, size_t len)
{
    x->pronoun = (s->o.parts & CONTENT_PART_PRONOUN) ? pronoun_audience (q, len) : 0;
    x->nqty = (s->o.parts & CONTENT_PART_QUANTITY) ? content_qty_parse (q, len, x->qty, QTY_MAX) : 0;
    const content_token_t *tok;
    uint32_t n = content_analyze (x->an, q, len, &tok);
    if (n > MAX_TOKENS)
        n = MAX_TOKENS;
    x->ntok = n;
    for (uint32_t k = 0; k < n; k++) {
        qtoken_t *t = &x->tok[k];
        copy_word (t->surface, tok[k].surface, tok[k].surface_len);
        copy_word (t->stem, tok[k].stem, tok[k].stem_len);
        t->fixed[0] = t->fixed_stem[0] = '\0';
        t->id = term_id (s, tok[k].stem, tok[k].stem_len);
        t->fixed_id = -1;
    }
    /*  Compounds and corrections after the loop: content_stem may reuse
        analyzer memory the token array points into.                        */
    if (s->o.parts & CONTENT_PART_COMPOUND)
        join_and_split (s, x);
    n = x->ntok;
    bool in_phrase[MAX_TOKENS] = { false };
    synonym_phrase_words (s, x, in_phrase);
    uint32_t nfixed = 0;
    for (uint32_t k = 0; k < n; k++) {
        qtoken_t *t = &x->tok[k];
        bool rare = t->id >= 0 && s->dt->df[t->id] < 3;
        /*  an audience word is never a typo, though the catalog may not
            hold it: "gents" (titles say "Men's") had become "gifts"       */
        if ((t->id >= 0 && !rare) || in_phrase[k]
            || single_word_synonym (s, t->stem, (uint32_t) strlen (t->stem))
            || content_query_audience_of (t->stem, strlen (t->stem)))
            continue;
        correct_token (s, x, k, rare);
        nfixed += t->fixed_id >= 0;
    }
    /*  Two misspelt words: each was corrected with only the other's typo as
        context (none); again, with the other's correction.                 */
    if (nfixed >= 2 && (s->o.parts & CONTENT_PART_TYPO2))
        for (uint32_t k = 0; k < n; k++) {
            qtoken_t *t = &x->tok[k];
            if (t->fixed_id >= 0)
                correct_token (s, x, k, t->id >= 0);
        }
}
static void
add_alt (clause_t *c, const uint32_t *terms, uint8_t n, uint8_t kind, float weight)
{
    if (c->nalts >= MAX_ALTS || n == 0)
        return;
    for (uint8_t a = 0; a < c->nalts; a++)      /* same terms already there */
        if (c->alt[a].nterms == n && memcmp (c->alt[a].term, terms, n * sizeof *terms) == 0)
            return;
    alt_t *a = &c->alt[c->nalts++];
    memcpy (a->term, terms, n * sizeof *terms);
    a->nterms = n;
    a->kind = kind;
    a->weight = weight;
}

/*  Adds the synonym phrases of a match as alternatives of the clause.  A
    word the catalog already names in SYN_KNOWN_DF products (or a tenth of a
    small catalog) finds plenty by itself: its synonyms weigh half, so they fill in after its own matches
    ("refrigerator" brings fridges after refrigerators, not "Fridge Mat"
    among them), and so do a misspelt word's when its correction is such a
    word ("refigerater" reads as "refrigerator" does); an unknown or rare
    word ("mixie", "jhadu") keeps them at full synonym weight.              */
#define SYN_KNOWN_DF 100
static void
add_synonyms (content_search_t *s, clause_t *c, const content_synonyms_t *syn, uint8_t kind,
              const uint32_t *targets, uint32_t nt)
{
    float weight = s->o.synonym_weight;
    if (c->nalts > 0 && (c->alt[0].kind == 0 || c->alt[0].kind == 1)) {   /* word, typo */
        uint32_t df = UINT32_MAX;
        for (uint8_t k = 0; k < c->alt[0].nterms; k++)
            if (s->dt->df[c->alt[0].term[k]] < df)
                df = s->dt->df[c->alt[0].term[k]];
        if (df >= SYN_KNOWN_DF || df > s->n / 10)
            weight *= 0.5f;
    }
    for (uint32_t k = 0; k < nt; k++) {
        uint32_t plen;
        const char *ph = content_synonyms_phrase (syn, targets[k], &plen);
        uint32_t terms[CONTENT_SYN_MAX_WORDS];
        uint8_t n = 0;
        bool ok = true;
        const char *p = ph, *end = ph + plen;
        while (p < end && n < CONTENT_SYN_MAX_WORDS) {
            const char *sp = memchr (p, ' ', (size_t) (end - p));
            const char *we = sp ? sp : end;
            int64_t id = term_id (s, p, (size_t) (we - p));
            if (id < 0) {
                ok = false;
                break;
            }
            terms[n++] = (uint32_t) id;
            p = sp ? sp + 1 : end;
        }
        if (ok)
            add_alt (c, terms, n, kind, weight);
    }
}

/*  Audience words are constraints, not keywords, when the query has
    something else to look for ("jeans for women": jeans, audience women).  */
static void
read_audience (content_search_t *s, content_search_session_t *x, bool *skip)
{
    x->audience = 0;
    if (!(s->o.parts & CONTENT_PART_CONSTRAINTS))
        return;
    unsigned bits = 0;
    uint32_t rest = 0;
    for (uint32_t k = 0; k < x->ntok; k++) {
        const qtoken_t *t = &x->tok[k];
        /*  a misspelt audience word counts by its correction ("womans") */
        const char *st = t->id < 0 && t->fixed_id >= 0 ? t->fixed_stem : t->stem;
        unsigned b = content_query_audience_of (st, strlen (st));
        skip[k] = b != 0;
        bits |= b;
        rest += b == 0;
    }
    if (rest == 0) {
        memset (skip, 0, x->ntok * sizeof *skip);
        return;
    }
    x->audience = bits | x->pronoun;
}

/*  Brands (clauses of one catalog word that opens titles) and the type:
    the last other clause whose word is a phrase head somewhere in the
    catalog and is not a unit ("telivison 43 inch" -> television).         */
static void
read_brand_and_type (content_search_t *s, content_search_session_t *x)
{
    x->nbrand = 0;
    x->type_clause = -1;
    if (!(s->o.parts & CONTENT_PART_CONSTRAINTS))
        return;
    bool brand[MAX_CLAUSES] = { false };
    for (uint32_t ci = 0; ci < x->nclauses; ci++) {
        const clause_t *c = &x->clauses[ci];
        if (c->words == 1 && c->nalts > 0 && c->alt[0].nterms == 1 && x->nclauses > 1
            && content_names_is_brand (s->names, c->alt[0].term[0],
                                       s->o.parts & CONTENT_PART_BRANDZONE)) {
            brand[ci] = true;
            x->brand[x->nbrand++] = c->alt[0].term[0];
        }
    }
    for (uint32_t ci = x->nclauses; ci-- > 0;) {
        const clause_t *c = &x->clauses[ci];
        const qtoken_t *t = &x->tok[c->first + c->words - 1];
        if (brand[ci] || content_is_unit (t->stem, strlen (t->stem)))
            continue;
        bool digits = false;
        for (const char *p = t->stem; *p; p++)
            digits |= *p >= '0' && *p <= '9';
        if (digits)
            continue;
        for (uint8_t a = 0; a < c->nalts; a++)
            if (content_names_head_rate (s->names, c->alt[a].term[c->alt[a].nterms - 1]) >= 0.1f) {
                x->type_clause = (int32_t) ci;
                return;
            }
    }
}

enum { TYPE_NOT, TYPE_MET, TYPE_PART };

/*  Whether product d is of the query's type, when `head` is the first
    alternative of the type clause it heads (0: none; s_zone_marks): not a
    head, or a head priced under a tenth of that type's typical price
    ("Refrigerator Cover" at 300 rupees is a part).                         */
static int
s_type_verdict_at (const content_search_t *s, const content_search_session_t *x, uint32_t d,
                   unsigned head)
{
    if (!head)
        return TYPE_NOT;
    const alt_t *a = &x->clauses[x->type_clause].alt[head - 1];
    float typical = content_names_type_price (s->names, a->term[a->nterms - 1]);
    double price = hr_catalog_at (s->catalog, d)->price;
    if ((s->o.parts & CONTENT_PART_PRICE) && typical > 0 && price > 0 && price < 0.1 * typical)
        return TYPE_PART;
    return TYPE_MET;
}

/*  What the type and the brands ask of every product, read from the
    zone postings of the query's few terms instead of searching each
    product's zone once per term: x->zbrands[d] = brands (with repeats)
    whose zone has d, x->zhead[d] = 1 + the first type alternative d heads.
    set = false puts the zeros back.                                        */
static void
s_zone_marks (const content_search_t *s, content_search_session_t *x, bool set)
{
    uint32_t nz;
    for (uint32_t b = 0; b < x->nbrand; b++) {
        const uint32_t *z = content_names_zone_docs (s->names, x->brand[b], &nz);
        for (uint32_t k = 0; k < nz; k++) {
            uint32_t d = z[k] & ~CONTENT_ZONE_HEAD;
            x->zbrands[d] = set ? (uint8_t) (x->zbrands[d] + 1) : 0;
        }
    }
    if (x->type_clause < 0)
        return;
    const clause_t *c = &x->clauses[x->type_clause];
    for (uint8_t a = c->nalts; a-- > 0;) {     /* the first alternative written last */
        const alt_t *alt = &c->alt[a];
        const uint32_t *z = content_names_zone_docs (s->names, alt->term[alt->nterms - 1], &nz);
        for (uint32_t k = 0; k < nz; k++)
            if (z[k] & CONTENT_ZONE_HEAD)
                x->zhead[z[k] & ~CONTENT_ZONE_HEAD] = set ? (uint8_t) (a + 1) : 0;
    }
}

/*  The sizes a query asks for ("7 kg washing machine"): a product of
    another size in that unit is another product (0.3, as another type);
    one that states no size in it may still be one (0.6).                  */
static float
qty_factor (int verdict)
{
    return verdict == CONTENT_QTY_STATED ? 1.0f : verdict == CONTENT_QTY_OTHER ? 0.3f : 0.6f;
}

/*  The score factor of the constraints a product meets (s_zone_marks set). */
static float
constraint_factor (const content_search_t *s, const content_search_session_t *x, uint32_t d)
{
    float f = 1.0f;
    if (x->audience)
        f *= content_audience_factor (x->audience, content_names_audience (s->names, d));
    for (uint32_t b = x->zbrands[d]; b < x->nbrand; b++)
        f *= 0.35f;
    if (x->type_clause >= 0) {
        int v = s_type_verdict_at (s, x, d, x->zhead[d]);
        f *= v == TYPE_NOT ? 0.3f : v == TYPE_PART ? 0.5f : 1.0f;
    }
    for (uint32_t k = 0; k < x->nqty; k++)
        f *= qty_factor (content_qtys_verdict (s->qtys, d, x->qty[k]));
    return f;
}

static void
plan (content_search_t *s, content_search_session_t *x)
{
    x->nclauses = 0;
    bool skip[MAX_TOKENS] = { false };
    read_audience (s, x, skip);
    const char *fixed_stems[MAX_TOKENS];
    uint32_t flens[MAX_TOKENS];
    for (uint32_t k = 0; k < x->ntok; k++) {
        qtoken_t *t = &x->tok[k];
        /*  synonyms match on the corrected word when the typed one is unknown */
        bool use_fixed = t->id < 0 && t->fixed_id >= 0;
        fixed_stems[k] = use_fixed ? t->fixed_stem : t->stem;
        flens[k] = (uint32_t) strlen (fixed_stems[k]);
    }
    uint32_t pos = 0;
    while (pos < x->ntok && x->nclauses < MAX_CLAUSES) {
        if (skip[pos]) {
            pos++;
            continue;
        }
        clause_t *c = &x->clauses[x->nclauses];
        c->nalts = 0;
        c->first = pos;
        const uint32_t *targets = NULL;
        uint32_t nt = 0, w = 0;
        if (s->syn)
            w = content_synonyms_match (s->syn, fixed_stems, flens, x->ntok, pos, &targets, &nt);
        if (w > 1) {
            /*  a multi-word phrase ("air conditioner"): all its words      */
            uint32_t terms[CONTENT_SYN_MAX_WORDS];
            bool ok = true;
            for (uint32_t k = 0; k < w; k++) {
                qtoken_t *t = &x->tok[pos + k];
                int64_t id = t->id >= 0 ? t->id : t->fixed_id;
                if (id < 0)
                    ok = false;
                else
                    terms[k] = (uint32_t) id;
            }
            if (ok)
                add_alt (c, terms, (uint8_t) w, 0, 1.0f);
            add_synonyms (s, c, s->syn, 2, targets, nt);
        }
        else {
            w = 1;
            qtoken_t *t = &x->tok[pos];
            if (t->id >= 0)
                add_alt (c, &(uint32_t) { (uint32_t) t->id }, 1, 0, 1.0f);
            if (t->fixed_id >= 0)
                add_alt (c, &(uint32_t) { (uint32_t) t->fixed_id }, 1, 1, s->o.typo_weight);
            if (nt)
                add_synonyms (s, c, s->syn, 2, targets, nt);
            /*  what clicks taught, for a word the curated file does not know */
            const uint32_t *lt;
            uint32_t lnt = 0;
            if (!nt && s->learned_syn && (s->o.parts & CONTENT_PART_LEARNED)
                && content_synonyms_match (s->learned_syn, fixed_stems, flens, x->ntok, pos,
                                           &lt, &lnt) == 1)
                add_synonyms (s, c, s->learned_syn, 3, lt, lnt);
        }
        c->words = w;
        pos += w;
        if (c->nalts)
            x->nclauses++;
    }
    read_brand_and_type (s, x);
}

/*  The query's stems, one space apart: what boosts are keyed by.          */
static void
query_key (content_search_session_t *x)
{
    size_t at = 0;
    x->key[0] = '\0';
    for (uint32_t k = 0; k < x->ntok; k++) {
        size_t l = strlen (x->tok[k].stem);
        if (at + l + 2 > sizeof x->key)
            break;
        if (at)
            x->key[at++] = ' ';
        memcpy (x->key + at, x->tok[k].stem, l);
        at += l;
        x->key[at] = '\0';
    }
}

/*  ---- scoring ----------------------------------------------------------- */

static float
posting_weight (const content_search_t *s, uint32_t term, uint32_t doc, uint8_t *main_only)
{
    uint64_t lo = s->pstart[term], hi = s->pstart[term + 1];
    while (lo < hi) {
        uint64_t mid = (lo + hi) / 2;
        if (s->pdoc[mid] < doc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->pstart[term + 1] && s->pdoc[lo] == doc) {
        *main_only = s->pmain[lo];
        return s->pw[lo];
    }
    return 0.0f;
}

static uint32_t
score_lexical (content_search_t *s, content_search_session_t *x, float *max_out)
{
    uint32_t ntouched = 0;
    for (uint32_t ci = 0; ci < x->nclauses; ci++) {
        clause_t *c = &x->clauses[ci];
        uint32_t nct = 0;
        for (uint8_t ai = 0; ai < c->nalts; ai++) {
            alt_t *a = &c->alt[ai];
            uint32_t lead = a->term[0];             /* walk the rarest term */
            for (uint8_t k = 1; k < a->nterms; k++)
                if (s->pstart[a->term[k] + 1] - s->pstart[a->term[k]]
                    < s->pstart[lead + 1] - s->pstart[lead])
                    lead = a->term[k];
            for (uint64_t p = s->pstart[lead]; p < s->pstart[lead + 1]; p++) {
                uint32_t d = s->pdoc[p];
                float sc = 0;
                bool all = true, full = !s->pmain[p];
                for (uint8_t k = 0; k < a->nterms && all; k++) {
                    uint8_t main_only = 1;
                    float w = a->term[k] == lead ? s->pw[p]
                                                 : posting_weight (s, a->term[k], d, &main_only);
                    if (w == 0.0f)
                        all = false;
                    full = full || !main_only;
                    sc += w;
                }
                if (!all)
                    continue;
                /*  an alternative of another length ("earbuds" -> "ear
                    buds") is scaled to the words it replaces, so a phrase
                    does not outscore the word typed by summing more terms  */
                sc *= a->weight * (float) c->words / (float) a->nterms;
                if (x->clause[d] == 0.0f)
                    x->ctouched[nct++] = d;
                if (sc > x->clause[d])
                    x->clause[d] = sc;
                if (full)
                    x->cfull[d] = 1;
            }
        }
        for (uint32_t k = 0; k < nct; k++) {
            uint32_t d = x->ctouched[k];
            if (x->matched[d] == 0)
                x->touched[ntouched++] = d;
            x->total[d] += x->clause[d];
            /*  a clause only the main category meets ("tv" for any stand
                in "tv, audio & cameras") counts half (CONTENT_PART_MAINHALF) */
            unsigned add = x->cfull[d] || !(s->o.parts & CONTENT_PART_MAINHALF) ? 2 : 1;
            x->matched[d] = (uint8_t) (x->matched[d] + add > 255 ? 255 : x->matched[d] + add);
            x->clause[d] = 0.0f;
            x->cfull[d] = 0;
        }
    }
    float mx = 0;
    s_zone_marks (s, x, true);
    for (uint32_t k = 0; k < ntouched; k++) {
        uint32_t d = x->touched[k];
        float coord = (float) x->matched[d] / (2.0f * (float) x->nclauses);
        x->total[d] *= coord * s->prior[d] * constraint_factor (s, x, d);
    }
    s_zone_marks (s, x, false);
    /*  products clicked after this very query by several shoppers          */
    if (s->nlboosts && (s->o.parts & CONTENT_PART_LEARNED)) {
        uint32_t lo = 0, hi = s->nlboosts;
        while (lo < hi) {
            uint32_t mid = (lo + hi) / 2;
            if (strcmp (s->lboosts[mid].query, x->key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < s->nlboosts && !strcmp (s->lboosts[lo].query, x->key); lo++)
            if (x->matched[s->lboosts[lo].doc])
                x->total[s->lboosts[lo].doc] *= s->lboosts[lo].factor;
    }
    for (uint32_t k = 0; k < ntouched; k++)
        if (x->total[x->touched[k]] > mx)
            mx = x->total[x->touched[k]];
    *max_out = mx;
    return ntouched;
}

static bool
query_vector (content_search_t *s, content_search_session_t *x)
{
    if (!s->pvec)
        return false;
    uint32_t col[MAX_CLAUSES * MAX_ALTS * CONTENT_SYN_MAX_WORDS];
    float w[MAX_CLAUSES * MAX_ALTS * CONTENT_SYN_MAX_WORDS];
    uint32_t n = 0;
    for (uint32_t ci = 0; ci < x->nclauses; ci++)
        for (uint8_t ai = 0; ai < x->clauses[ci].nalts; ai++) {
            alt_t *a = &x->clauses[ci].alt[ai];
            for (uint8_t k = 0; k < a->nterms; k++) {
                int64_t mt = s->model_term[a->term[k]];
                if (mt < 0)
                    continue;
                col[n] = (uint32_t) mt;
                w[n++] = a->weight * s->model->idf[mt];
            }
        }
    if (content_lsa_embed (s->model->emb, s->dim, col, w, n, x->qv) != 1)
        return false;
    x->qscale = quantize (x->qv, s->dim, x->q8);
    return true;
}

/*  Product d with semantic score cs: a lexical match keeps its blended
    score, any other product enters with its semantic score alone when that
    reaches semantic_min.  Returns the new number of hits.                  */
static inline uint32_t
s_scan_keep (const content_search_t *s, content_search_session_t *x, uint32_t d, float cs,
             float wl, float ws, float inv, uint32_t nh)
{
    if (x->matched[d])
        x->hits[nh++] = (content_hit_t) { d, wl * x->total[d] * inv + ws * (cs > 0 ? cs : 0) };
    else if (cs >= s->o.semantic_min)
        x->hits[nh++] = (content_hit_t) { d, ws * cs };
    return nh;
}

/*  Every product against the query vector, DOT_BLOCK products' dot
    products at a time (dot8.h), their scores in a loop the compiler
    vectorises (the same two multiplications in the same order: the same
    floats).  Most products are neither a match nor near enough, so eight
    (then four) at a time are passed over on one test (SSE2, every x86-64)
    before s_scan_keep looks at any.  Returns the number of hits written.   */
#define DOT_BLOCK 256
static uint32_t
semantic_scan (const content_search_t *s, content_search_session_t *x, float wl, float ws,
               float inv)
{
    int32_t dots[DOT_BLOCK];
    float cs[DOT_BLOCK];
    const float qscale = x->qscale;
    uint32_t nh = 0;
    for (uint32_t d0 = 0; d0 < s->n; d0 += DOT_BLOCK) {
        uint32_t m = s->n - d0 < DOT_BLOCK ? s->n - d0 : DOT_BLOCK, j = 0;
        content_dot8_many (s->pvec + (uint64_t) d0 * s->dim, m, s->dim, x->q8, dots);
        const float *pscale = s->pscale + d0;     /* contiguous: 4 at a time */
        for (uint32_t k = 0; k < m; k++)
            cs[k] = (float) dots[k] * pscale[k] * qscale;
#ifdef __SSE2__
        const __m128 min = _mm_set1_ps (s->o.semantic_min);
        for (; j + 8 <= m; j += 8) {
            uint64_t matched;
            memcpy (&matched, x->matched + d0 + j, sizeof matched);
            __m128 near = _mm_or_ps (_mm_cmpge_ps (_mm_loadu_ps (cs + j), min),
                                     _mm_cmpge_ps (_mm_loadu_ps (cs + j + 4), min));
            if (!matched && !_mm_movemask_ps (near))
                continue;
            for (uint32_t k = j; k < j + 8; k++)
                nh = s_scan_keep (s, x, d0 + k, cs[k], wl, ws, inv, nh);
        }
        for (; j + 4 <= m; j += 4) {
            uint32_t matched;
            memcpy (&matched, x->matched + d0 + j, sizeof matched);
            if (!matched && !_mm_movemask_ps (_mm_cmpge_ps (_mm_loadu_ps (cs + j), min)))
                continue;
            for (uint32_t k = j; k < j + 4; k++)
                nh = s_scan_keep (s, x, d0 + k, cs[k], wl, ws, inv, nh);
        }
#endif
        for (; j < m; j++)
            nh = s_scan_keep (s, x, d0 + j, cs[j], wl, ws, inv, nh);
    }
    return nh;
}

uint32_t
content_search_query (content_search_t *s, content_search_session_t *x,
                      const char *query, size_t len, uint32_t limit,
                      const content_hit_t **hits)
{
    *hits = x->hits;
    resolve_tokens (s, x, query, len);
    plan (s, x);
    query_key (x);
    if (x->nclauses == 0 || limit == 0 || s->n == 0)
        return 0;
    float mx;
    uint32_t ntouched = score_lexical (s, x, &mx);
    uint32_t nh = 0;
    bool sem = query_vector (s, x);
    float wl = sem ? s->o.w_lexical : 1.0f, ws = sem ? s->o.w_semantic : 0.0f;
    float inv = mx > 0 ? 1.0f / mx : 0.0f;
    if (sem && ntouched >= limit) {
        /*  The lexical matches already fill the page: semantic-only hits
            (score <= w_semantic) would rank below them anyway, so only the
            matches are re-scored and the n x dim scan is skipped.          */
        int32_t dots[DOT_BLOCK];
        for (uint32_t k0 = 0; k0 < ntouched; k0 += DOT_BLOCK) {
            uint32_t m = ntouched - k0 < DOT_BLOCK ? ntouched - k0 : DOT_BLOCK;
            content_dot8_rows (s->pvec, s->dim, x->touched + k0, m, x->q8, dots);
            for (uint32_t k = 0; k < m; k++) {
                uint32_t d = x->touched[k0 + k];
                float cs = (float) dots[k] * s->pscale[d] * x->qscale;
                x->hits[nh++] = (content_hit_t) { d, wl * x->total[d] * inv
                                                     + ws * (cs > 0 ? cs : 0) };
            }
        }
    }
    else if (sem)
        nh = semantic_scan (s, x, wl, ws, inv);
    else
        for (uint32_t k = 0; k < ntouched; k++) {
            uint32_t d = x->touched[k];
            x->hits[nh++] = (content_hit_t) { d, x->total[d] * inv };
        }
    for (uint32_t k = 0; k < ntouched; k++) {
        uint32_t d = x->touched[k];
        x->total[d] = 0.0f;
        x->matched[d] = 0;
    }
    content_topk_hits (x->hits, nh, limit < nh ? limit : nh, x->keys);
    return limit < nh ? limit : nh;
}

/*  Why each of the best EXPLAIN_RESULTS products matched: the alternative
    of every clause it holds and each constraint's verdict (the factor of
    constraint_factor, taken apart).  Runs the query again (explain only). */
#define EXPLAIN_RESULTS 10
static json_t *
explain_results (content_search_t *s, content_search_session_t *x, const char *query, size_t len)
{
    static const char *const kinds[] = { "word", "typo", "synonym", "learned" };
    json_t *out = json_array ();
    const content_hit_t *hits;
    uint32_t n = content_search_query (s, x, query, len, EXPLAIN_RESULTS, &hits);
    s_zone_marks (s, x, true);          /* what constraint_factor reads, as in the query */
    for (uint32_t h = 0; h < n; h++) {
        uint32_t d = hits[h].doc;
        json_t *o = json_pack ("{s:s, s:f}", "id", hr_catalog_at (s->catalog, d)->id,
                               "score", (double) hits[h].score);
        json_t *m = json_array ();
        for (uint32_t ci = 0; ci < x->nclauses; ci++) {
            const clause_t *c = &x->clauses[ci];
            for (uint8_t ai = 0; ai < c->nalts; ai++) {
                const alt_t *a = &c->alt[ai];
                bool all = true;
                uint8_t main_only;
                for (uint8_t k = 0; k < a->nterms && all; k++)
                    all = posting_weight (s, a->term[k], d, &main_only) > 0.0f;
                if (!all)
                    continue;
                json_t *terms = json_array ();
                for (uint8_t k = 0; k < a->nterms; k++)
                    json_array_append_new (terms, json_string (
                        content_vocab_term (s->dt->vocab, a->term[k], NULL)));
                json_array_append_new (m, json_pack ("{s:i, s:o, s:s}", "clause", (int) ci,
                                                     "terms", terms, "kind", kinds[a->kind]));
                break;
            }
        }
        json_object_set_new (o, "matched", m);      /* empty: a semantic-only hit */
        if (x->audience) {
            unsigned pa = content_names_audience (s->names, d);
            float f = content_audience_factor (x->audience, pa);
            json_object_set_new (o, "audience", json_string (
                f >= 1.0f ? "asked" : !pa ? "unstated" : f >= 0.6f ? "broader" : "other"));
        }
        if (x->nbrand)
            json_object_set_new (o, "brand", json_boolean (x->zbrands[d] >= x->nbrand));
        if (x->type_clause >= 0) {
            static const char *const verdicts[] = { "not_the_type", "the_type", "priced_as_a_part" };
            json_object_set_new (o, "type", json_string (
                verdicts[s_type_verdict_at (s, x, d, x->zhead[d])]));
        }
        if (x->nqty) {
            static const char *const qv[] = { "unstated", "other_size", "stated" };
            json_t *qa = json_array ();
            for (uint32_t k = 0; k < x->nqty; k++)
                json_array_append_new (qa, json_string (
                    qv[content_qtys_verdict (s->qtys, d, x->qty[k]) + 1]));
            json_object_set_new (o, "quantity", qa);
        }
        json_object_set_new (o, "constraint_factor", json_real (constraint_factor (s, x, d)));
        json_array_append_new (out, o);
    }
    s_zone_marks (s, x, false);
    return out;
}

char *
content_search_explain (content_search_t *s, content_search_session_t *x,
                        const char *query, size_t len)
{
    resolve_tokens (s, x, query, len);
    plan (s, x);
    json_t *root = json_object ();
    json_t *toks = json_array ();
    for (uint32_t k = 0; k < x->ntok; k++) {
        qtoken_t *t = &x->tok[k];
        json_t *o = json_pack ("{s:s, s:s, s:b}", "token", t->surface, "stem", t->stem,
                               "known", t->id >= 0);
        if (t->fixed_id >= 0)
            json_object_set_new (o, "correction", json_string (t->fixed));
        json_array_append_new (toks, o);
    }
    json_t *cls = json_array ();
    static const char *const kinds[] = { "word", "typo", "synonym", "learned" };
    for (uint32_t ci = 0; ci < x->nclauses; ci++) {
        json_t *alts = json_array ();
        for (uint8_t ai = 0; ai < x->clauses[ci].nalts; ai++) {
            alt_t *a = &x->clauses[ci].alt[ai];
            json_t *terms = json_array ();
            for (uint8_t k = 0; k < a->nterms; k++)
                json_array_append_new (terms, json_string (
                    content_vocab_term (s->dt->vocab, a->term[k], NULL)));
            json_array_append_new (alts, json_pack ("{s:o, s:s, s:f}", "terms", terms,
                                                    "kind", kinds[a->kind],
                                                    "weight", (double) a->weight));
        }
        json_array_append_new (cls, alts);
    }
    json_object_set_new (root, "tokens", toks);
    json_object_set_new (root, "clauses", cls);
    json_t *cons = json_object ();
    static const char *const aud[] = { "women", "men", "girls", "boys", "kids", "unisex", "baby" };
    json_t *a = json_array ();
    for (int b = 0; b < 7; b++)
        if (x->audience & (1u << b))
            json_array_append_new (a, json_string (aud[b]));
    json_object_set_new (cons, "audience", a);
    json_t *br = json_array ();
    for (uint32_t b = 0; b < x->nbrand; b++)
        json_array_append_new (br, json_string (content_vocab_term (s->dt->vocab, x->brand[b], NULL)));
    json_object_set_new (cons, "brands", br);
    if (x->type_clause >= 0) {
        const alt_t *ta = &x->clauses[x->type_clause].alt[0];
        json_object_set_new (cons, "type", json_string (
            content_vocab_term (s->dt->vocab, ta->term[ta->nterms - 1], NULL)));
    }
    json_t *qs = json_array ();
    for (uint32_t k = 0; k < x->nqty; k++) {
        char b[48];
        content_qty_format (x->qty[k], b, sizeof b);
        json_array_append_new (qs, json_string (b));
    }
    json_object_set_new (cons, "quantities", qs);
    json_object_set_new (root, "constraints", cons);
    json_object_set_new (root, "semantic", json_boolean (query_vector (s, x)));
    json_object_set_new (root, "results", explain_results (s, x, query, len));
    char *out = json_dumps (root, JSON_COMPACT);
    json_decref (root);
    return out;
}

/*  ---- the click-trained layer (search.h) -------------------------------- */

typedef struct {
    char key[256];                  /* the query's stems */
    char user[64];
    uint32_t doc;
} lpair_t;

typedef struct {
    char stem[CONTENT_TOKEN_MAX + 1];
    char surface[CONTENT_TOKEN_MAX + 1];
    char user[64];
    uint32_t doc;
} lword_t;

static int
cmp_lpair (const void *a, const void *b)
{
    const lpair_t *x = a, *y = b;
    int c = strcmp (x->key, y->key);
    if (c)
        return c;
    if (x->doc != y->doc)
        return x->doc < y->doc ? -1 : 1;
    return strcmp (x->user, y->user);
}

static int
cmp_lword (const void *a, const void *b)
{
    const lword_t *x = a, *y = b;
    int c = strcmp (x->stem, y->stem);
    if (c)
        return c;
    c = strcmp (x->user, y->user);
    if (c)
        return c;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

static int
cmp_u32 (const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return (x > y) - (x < y);
}

static int
cmp_lboost (const void *a, const void *b)
{
    return strcmp (((const struct lboost *) a)->query, ((const struct lboost *) b)->query);
}

/*  Grows *buf (of *cap elements of size sz) to hold one more.  0 / -1.     */
static int
grow (void **buf, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 256;
    void *p = realloc (*buf, c * sz);
    if (!p)
        return -1;
    *buf = p;
    *cap = c;
    return 0;
}

/*  The word of a query that clicks may teach: unknown to the catalog, or
    in fewer than 3 products; neither an audience word nor a number.        */
static bool
learnable (const content_search_t *s, const char *stem)
{
    if (content_query_audience_of (stem, strlen (stem)))
        return false;
    for (const char *p = stem; *p; p++)
        if (*p >= '0' && *p <= '9')
            return false;
    int64_t id = term_id (s, stem, strlen (stem));
    return id < 0 || s->dt->df[id] < 3;
}

/*  The synonym rule a word's clicks teach, appended to out: the catalog
    word that is a head of the most clicked products (then: in the most),
    when it is in at least half of them.  docs: the clicked products, one
    entry per (user, product), so what more shoppers clicked weighs more.  */
static int
learn_word (content_search_t *s, content_analyzer_t *an, const lword_t *w,
            uint32_t *docs, uint32_t ndocs, char **out, size_t *len, size_t *cap)
{
    uint32_t nd = ndocs;
    /*  every term of every clicked product, | head bit, counted by sorting */
    uint32_t *terms = NULL;
    size_t nt = 0, tcap = 0;
    for (uint32_t k = 0; k < nd; k++)
        for (uint64_t p = s->dt->tf.row[docs[k]]; p < s->dt->tf.row[docs[k] + 1]; p++) {
            if (grow ((void **) &terms, &tcap, nt, sizeof *terms)) {
                free (terms);
                return -1;
            }
            terms[nt++] = s->dt->tf.col[p];
        }
    if (nt)
        qsort (terms, nt, sizeof *terms, cmp_u32);
    int64_t best = -1;
    uint32_t best_heads = 0, best_in = 0;
    for (size_t k = 0; k < nt;) {
        size_t e = k;
        while (e < nt && terms[e] == terms[k])
            e++;
        uint32_t t = terms[k], in = (uint32_t) (e - k), heads = 0;
        for (uint32_t j = 0; j < nd; j++)
            heads += content_names_is_head (s->names, docs[j], t);
        if (2 * in >= nd && heads > 0
            && (heads > best_heads || (heads == best_heads && in > best_in))) {
            best = t;
            best_heads = heads;
            best_in = in;
        }
        k = e;
    }
    free (terms);
    if (best < 0)
        return 0;
    /*  the rule names the word as a title writes it (rules are analysed)  */
    for (uint32_t k = 0; k < nd; k++) {
        const char *name = hr_catalog_at (s->catalog, docs[k])->name;
        const content_token_t *tok;
        uint32_t n = content_analyze (an, name, strlen (name), &tok);
        for (uint32_t j = 0; j < n; j++) {
            if (term_id (s, tok[j].stem, tok[j].stem_len) != best)
                continue;
            size_t need = strlen (w->surface) + tok[j].surface_len + 6;
            while (*len + need + 1 > *cap) {
                size_t c = *cap ? *cap * 2 : 1024;
                char *p = realloc (*out, c);
                if (!p)
                    return -1;
                *out = p;
                *cap = c;
            }
            *len += (size_t) sprintf (*out + *len, "%s => %.*s\n", w->surface,
                                      (int) tok[j].surface_len, tok[j].surface);
            return 0;
        }
    }
    return 0;
}

/*  One (query, product, user) pair, and the pair's learnable words.  0 /
    -1 (out of memory); a query of stop words only adds nothing.          */
typedef struct {
    lpair_t *pairs;
    lword_t *words;
    size_t np, pcap, nw, wcap;
} lpairs_t;

static int
add_pair (content_search_t *s, content_analyzer_t *an, lpairs_t *lp, const char *user,
          const char *query, uint32_t d)
{
    if (grow ((void **) &lp->pairs, &lp->pcap, lp->np, sizeof *lp->pairs))
        return -1;
    lpair_t *p = &lp->pairs[lp->np];
    memset (p, 0, sizeof *p);
    p->doc = d;
    snprintf (p->user, sizeof p->user, "%s", user);
    const content_token_t *tok;
    uint32_t nt = content_analyze (an, query, strlen (query), &tok);
    size_t at = 0;
    for (uint32_t k = 0; k < nt && at + tok[k].stem_len + 2 <= sizeof p->key; k++) {
        if (at)
            p->key[at++] = ' ';
        memcpy (p->key + at, tok[k].stem, tok[k].stem_len);
        at += tok[k].stem_len;
    }
    if (at == 0)
        return 0;
    lp->np++;
    for (uint32_t k = 0; k < nt; k++) {
        char stem[CONTENT_TOKEN_MAX + 1];
        copy_word (stem, tok[k].stem, tok[k].stem_len);
        if (!learnable (s, stem))
            continue;
        if (grow ((void **) &lp->words, &lp->wcap, lp->nw, sizeof *lp->words))
            return -1;
        lword_t *w = &lp->words[lp->nw++];
        memcpy (w->stem, stem, sizeof stem);
        copy_word (w->surface, tok[k].surface, tok[k].surface_len);
        snprintf (w->user, sizeof w->user, "%s", user);
        w->doc = d;
    }
    return 0;
}

/*  1. the pairs: a click of the same user within the window after a query,
    before the next one.  0 / -1.                                          */
static int
learn_pairs (content_search_t *s, content_analyzer_t *an, const content_event_t *ev, size_t n,
             lpairs_t *lp)
{
    const char *user = NULL, *query = NULL;
    int64_t qts = 0;
    for (size_t i = 0; i < n; i++) {
        const content_event_t *e = &ev[i];
        if (!e->user)
            continue;
        if (!user || strcmp (user, e->user) != 0) {
            user = e->user;
            query = NULL;
        }
        if (e->query) {
            query = e->query;
            qts = e->ts_ms;
            continue;
        }
        if (!query || !e->product_id || strlen (e->product_id) != 10
            || e->ts_ms - qts > CONTENT_LEARN_WINDOW_MS || e->ts_ms < qts)
            continue;
        int64_t d = hr_catalog_find (s->catalog, e->product_id);
        if (d >= 0 && add_pair (s, an, lp, e->user, query, (uint32_t) d))
            return -1;
    }
    return 0;
}

/*  2. boosts: (query, product) pairs of enough distinct users.  0 / -1.   */
static int
learn_boosts (content_search_t *s, lpairs_t *lp, content_learned_t *out)
{
    size_t bcap = 0, np = lp->np;
    lpair_t *pairs = lp->pairs;
    if (np)
        qsort (pairs, np, sizeof *pairs, cmp_lpair);
    for (size_t k = 0; k < np;) {
        size_t e = k;
        uint16_t users = 0;
        while (e < np && !strcmp (pairs[e].key, pairs[k].key) && pairs[e].doc == pairs[k].doc) {
            users += e == k || strcmp (pairs[e].user, pairs[e - 1].user) != 0;
            e++;
        }
        if (users >= CONTENT_LEARN_MIN_USERS) {
            if (grow ((void **) &out->boosts, &bcap, out->nboosts, sizeof *out->boosts))
                return -1;
            content_boost_t *b = &out->boosts[out->nboosts++];
            memset (b, 0, sizeof *b);
            snprintf (b->query, sizeof b->query, "%s", pairs[k].key);
            memcpy (b->id, hr_catalog_at (s->catalog, pairs[k].doc)->id, 10);
            b->users = users;
        }
        k = e;
    }
    return 0;
}

/*  3. synonyms of the words the catalog does not know.  0 / -1.          */
static int
learn_words (content_search_t *s, content_analyzer_t *an, lpairs_t *lp, content_learned_t *out)
{
    size_t rcap = 0, nw = lp->nw;
    lword_t *words = lp->words;
    uint32_t *docs = NULL;
    int rc = 0;
    if (nw)
        qsort (words, nw, sizeof *words, cmp_lword);
    for (size_t k = 0; k < nw && rc == 0;) {
        size_t e = k;
        uint32_t users = 0, nd = 0;
        while (e < nw && !strcmp (words[e].stem, words[k].stem)) {
            users += e == k || strcmp (words[e].user, words[e - 1].user) != 0;
            e++;
        }
        if (users >= CONTENT_LEARN_MIN_USERS) {
            uint32_t *dd = realloc (docs, (e - k) * sizeof *dd);
            if (!dd) {
                rc = -1;
                break;
            }
            docs = dd;
            for (size_t j = k; j < e; j++)
                docs[nd++] = words[j].doc;
            rc = learn_word (s, an, &words[k], docs, nd, &out->rules, &out->rules_len, &rcap);
        }
        k = e;
    }
    free (docs);
    return rc;
}

int
content_search_learn (content_search_t *s, const content_event_t *ev, size_t n,
                      content_learned_t *out)
{
    memset (out, 0, sizeof *out);
    content_analyzer_t *an = content_analyzer_new ();
    lpairs_t lp = { 0 };
    int rc = an && learn_pairs (s, an, ev, n, &lp) == 0 && learn_boosts (s, &lp, out) == 0
             && learn_words (s, an, &lp, out) == 0 ? 0 : -1;
    free (lp.pairs);
    free (lp.words);
    content_analyzer_destroy (&an);
    if (rc)
        content_learned_free (out);
    return rc;
}

int
content_search_set_learned (content_search_t *s, const content_learned_t *l)
{
    content_synonyms_t *syn = NULL;
    struct lboost *b = NULL;
    uint32_t nb = 0;
    if (l->rules_len) {
        content_analyzer_t *an = content_analyzer_new ();
        syn = content_synonyms_new ();
        int bad = 0;
        if (!an || !syn || content_synonyms_parse (syn, an, l->rules, l->rules_len, &bad) < 0) {
            content_analyzer_destroy (&an);
            content_synonyms_destroy (&syn);
            return -1;
        }
        content_analyzer_destroy (&an);
    }
    if (l->nboosts && !(b = malloc (l->nboosts * sizeof *b))) {
        content_synonyms_destroy (&syn);
        return -1;
    }
    for (uint32_t k = 0; k < l->nboosts; k++) {
        int64_t d = hr_catalog_find (s->catalog, l->boosts[k].id);
        if (d < 0)
            continue;           /* left the catalog since */
        snprintf (b[nb].query, sizeof b[nb].query, "%s", l->boosts[k].query);
        b[nb].doc = (uint32_t) d;
        uint16_t u = l->boosts[k].users < 5 ? l->boosts[k].users : 5;
        b[nb++].factor = 1.0f + 0.5f * (float) u / 5.0f;
    }
    if (nb)
        qsort (b, nb, sizeof *b, cmp_lboost);
    content_synonyms_destroy (&s->learned_syn);
    free (s->lboosts);
    s->learned_syn = syn;
    s->lboosts = b;
    s->nlboosts = nb;
    return 0;
}
