/*  query — see query.h.  */
#include "query.h"
#include "hr_array.h"
#include "text.h"
#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define HEAD_BIT 0x80000000u
#define MOD_BIT 0x40000000u             /* while parsing: followed by a noun */
#define FLAGS (HEAD_BIT | MOD_BIT)
#define MOD_HEAD_RATE 0.1f

struct content_names {
    uint32_t n, nterms;
    uint64_t *start;            /* per product: its zone terms (| HEAD_BIT), sorted */
    uint32_t *term;
    uint8_t *audience;
    uint32_t *first;            /* per term: products whose name opens with it */
    uint32_t *heads;            /* per term: products where it is a head */
    uint32_t *name_df;          /* per term: products whose name has it */
    uint32_t *zone_df;          /* per term: products whose zone has it */
    float *type_price;          /* per term: typical price of what it heads (0: unknown) */
    uint64_t *zstart;           /* per term: the products whose zone has it, */
    uint32_t *zdoc;             /* ascending (| CONTENT_ZONE_HEAD where a head) */
};

static const struct { const char *stem; unsigned bits; } audience_words[] = {
    { "women", CONTENT_AUD_WOMEN }, { "woman", CONTENT_AUD_WOMEN }, { "ladi", CONTENT_AUD_WOMEN },
    { "femal", CONTENT_AUD_WOMEN }, { "men", CONTENT_AUD_MEN }, { "man", CONTENT_AUD_MEN },
    { "gent", CONTENT_AUD_MEN }, { "gentlemen", CONTENT_AUD_MEN }, { "male", CONTENT_AUD_MEN },
    { "girl", CONTENT_AUD_GIRL }, { "boy", CONTENT_AUD_BOY }, { "kid", CONTENT_AUD_KID },
    { "child", CONTENT_AUD_KID }, { "children", CONTENT_AUD_KID }, { "babi", CONTENT_AUD_BABY },
    { "infant", CONTENT_AUD_BABY }, { "toddler", CONTENT_AUD_BABY }, { "junior", CONTENT_AUD_KID },
    { "newborn", CONTENT_AUD_BABY }, { "unisex", CONTENT_AUD_UNISEX },
};

unsigned
content_audience_of (const char *stem, size_t len)
{
    for (size_t k = 0; k < sizeof audience_words / sizeof *audience_words; k++)
        if (strlen (audience_words[k].stem) == len && memcmp (audience_words[k].stem, stem, len) == 0)
            return audience_words[k].bits;
    return 0;
}

static const struct { const char *stem; unsigned bits; } query_audience_words[] = {
    { "husband", CONTENT_AUD_MEN }, { "boyfriend", CONTENT_AUD_MEN }, { "dad", CONTENT_AUD_MEN },
    { "daddi", CONTENT_AUD_MEN }, { "papa", CONTENT_AUD_MEN }, { "father", CONTENT_AUD_MEN },
    { "wife", CONTENT_AUD_WOMEN }, { "wive", CONTENT_AUD_WOMEN }, { "girlfriend", CONTENT_AUD_WOMEN },
    { "mom", CONTENT_AUD_WOMEN }, { "mummi", CONTENT_AUD_WOMEN }, { "mum", CONTENT_AUD_WOMEN },
    { "daughter", CONTENT_AUD_GIRL }, { "gentleman", CONTENT_AUD_MEN }, { "ladki", CONTENT_AUD_GIRL },
    { "ladka", CONTENT_AUD_BOY }, { "bachch", CONTENT_AUD_KID }, { "bachcha", CONTENT_AUD_KID },
    { "bacch", CONTENT_AUD_KID }, { "bachon", CONTENT_AUD_KID }, { "bachcho", CONTENT_AUD_KID },
};

unsigned
content_query_audience_of (const char *stem, size_t len)
{
    unsigned bits = content_audience_of (stem, len);
    for (size_t k = 0; !bits && k < sizeof query_audience_words / sizeof *query_audience_words; k++)
        if (strlen (query_audience_words[k].stem) == len
            && memcmp (query_audience_words[k].stem, stem, len) == 0)
            bits = query_audience_words[k].bits;
    return bits;
}

bool
content_is_unit (const char *stem, size_t len)
{
    static const char *const units[] = {
        "inch", "cm", "mm", "kg", "gram", "gm", "litr", "liter", "ltr", "ml", "gb", "tb",
        "mah", "watt", "ton", "star", "pack", "pcs", "piec", "meter", "metr", "feet", "size",
    };
    for (size_t k = 0; k < sizeof units / sizeof *units; k++)
        if (strlen (units[k]) == len && memcmp (units[k], stem, len) == 0)
            return true;
    return false;
}

/*  A product for a broader audience than asked (kids for "girls", unisex
    for "men"): between one that says it is for them and one that says
    nothing.                                                                */
#define BROADER 0.7f
#define CHILDREN (CONTENT_AUD_GIRL | CONTENT_AUD_BOY | CONTENT_AUD_KID | CONTENT_AUD_BABY)
#define UNSTATED_FOR_CHILDREN 0.3f
float
content_audience_factor (unsigned asked, unsigned product)
{
    unsigned accept = asked, broader = 0;
    if (asked & (CONTENT_AUD_GIRL | CONTENT_AUD_BOY))
        broader |= CONTENT_AUD_KID | CONTENT_AUD_BABY;
    if (asked & CONTENT_AUD_KID)
        accept |= CONTENT_AUD_GIRL | CONTENT_AUD_BOY | CONTENT_AUD_BABY;
    /*  unisex among adults: "Unisex-Child" is a child's, no man's        */
    if ((asked & (CONTENT_AUD_WOMEN | CONTENT_AUD_MEN)) && !(product & CHILDREN))
        broader |= CONTENT_AUD_UNISEX;
    if (product & accept)
        return 1.0f;
    if (product & broader)
        return BROADER;
    if (product)
        return 0.25f;
    /*  A product that names no audience is mostly an adult's when a child's
        is asked for (a spray bottle for "bottle for kids"), while a woman
        or a man can use most unmarked things: 0.3 for children, 0.5 else
        (chosen on audience_bench --min-audiences 1, dev half: 0.5 / 0.4 /
        0.35 / 0.3 -> 0.963 / 0.978 / 0.981 / 0.986).                      */
    if (asked & CHILDREN)
        return UNSTATED_FOR_CHILDREN;
    return 0.5f;
}

static bool
word_is (const char *w, size_t n, const char *lit)
{
    size_t l = strlen (lit);
    if (n != l)
        return false;
    for (size_t k = 0; k < n; k++)
        if (tolower ((unsigned char) w[k]) != lit[k])
            return false;
    return true;
}

static bool
is_separator (unsigned char c)
{
    return c == ',' || c == '(' || c == ')' || c == '[' || c == ']' || c == '|' || c == '/'
        || c == ':' || c == ';' || c == '+' || c == '&' || c == '!' || c == '?' || c == '"'
        || c == '{' || c == '}' || c == '*';
}

typedef struct {
    uint32_t *t;
    uint32_t n;
    size_t cap;
} tbuf_t;

static int
tpush (tbuf_t *b, uint32_t v)
{
    if (hr_array_grow (&b->t, sizeof *b->t, b->n, &b->cap, 64) != 0)
        return -1;
    b->t[b->n++] = v;
    return 0;
}

static bool
has_digit (const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (s[k] >= '0' && s[k] <= '9')
            return true;
    return false;
}

/*  An -ing form the stemmer reduced ("Mopping" -> mop, "Bedding" -> bed,
    "Salad Dressing" -> dress) names an activity or a material, not the
    thing sold: "Robot Vacuum Cleaner with Wet Mopping" is not a mop.  Words
    that merely end in -ing ("Ring", "Sling", "String") keep their stem and
    stay heads.                                                             */
static bool
is_gerund (const content_docterms_t *dt, const content_token_t *t)
{
    const char *w = t->surface;
    uint32_t n = t->surface_len;
    if (n < 6 || n >= CONTENT_TOKEN_MAX || memcmp (w + n - 3, "ing", 3) != 0
        || t->stem_len + 3 > n || !dt->words)
        return false;
    /*  a thing has a plural in the catalog ("Earrings", "Fittings",
        "Paintings"); an activity has none ("Chargings", "Moppings")        */
    char plural[CONTENT_TOKEN_MAX + 1];
    memcpy (plural, w, n);
    plural[n] = 's';
    return content_vocab_find (dt->words, plural, n + 1) < 0;
}

/*  One phrase of the zone: its terms, heads marked.                        */
static int
phrase (content_analyzer_t *an, const content_docterms_t *dt, const float *rate,
        const char *p, size_t len, tbuf_t *out)
{
    const content_token_t *tok;
    uint32_t nt = content_analyze (an, p, len, &tok);
    for (uint32_t k = 0; k < nt; k++) {
        int64_t id = content_vocab_find (dt->vocab, tok[k].stem, tok[k].stem_len);
        if (id < 0 || has_digit (tok[k].stem, tok[k].stem_len))
            continue;
        bool head = (k + 1 == nt || has_digit (tok[k + 1].stem, tok[k + 1].stem_len))
                    && !is_gerund (dt, &tok[k]);
        /*  "Laptop Stand", "Refrigerator Mats": a word followed by a word
            that is a head in at least 10 % of the names it is in (rate: the
            first pass's head rates) describes that thing                   */
        bool mod = false;
        if (!head && rate) {
            int64_t next = content_vocab_find (dt->vocab, tok[k + 1].stem, tok[k + 1].stem_len);
            mod = next >= 0 && next != id && rate[next] >= MOD_HEAD_RATE;
        }
        if (tpush (out, (uint32_t) id | (head ? HEAD_BIT : 0) | (mod ? MOD_BIT : 0)))
            return -1;
    }
    return 0;
}

/*  The zone of a name: phrases split at separators and at "with", "and",
    "of", "or", "-" between spaces; the zone ends at "for", "compatible",
    "suitable", "fits" (not "fit": "Slim Fit Formal Shirt" is a shirt).     */
static int
parse_name (content_analyzer_t *an, const content_docterms_t *dt, const float *rate,
            const char *name, tbuf_t *out)
{
    const char *p = name, *seg = name;
    while (*p) {
        unsigned char c = (unsigned char) *p;
        if (isalnum (c) || c >= 0x80) {
            const char *w = p;
            while (*p && (isalnum ((unsigned char) *p) || (unsigned char) *p >= 0x80 || *p == '\''))
                p++;
            size_t n = (size_t) (p - w);
            bool stop = word_is (w, n, "for") || word_is (w, n, "compatible")
                     || word_is (w, n, "suitable") || word_is (w, n, "fits");
            bool split = word_is (w, n, "with") || word_is (w, n, "and") || word_is (w, n, "of")
                      || word_is (w, n, "or");
            if (stop || split) {
                if (phrase (an, dt, rate, seg, (size_t) (w - seg), out))
                    return -1;
                if (stop)
                    return 0;
                seg = p;
            }
            continue;
        }
        bool dash = c == '-' && p > name && p[-1] == ' ' && p[1] == ' ';
        if (is_separator (c) || dash || (c == '.' && !(p > name && isdigit ((unsigned char) p[-1])))) {
            if (phrase (an, dt, rate, seg, (size_t) (p - seg), out))
                return -1;
            seg = p + 1;
        }
        p++;
    }
    return phrase (an, dt, rate, seg, (size_t) (p - seg), out);
}

typedef struct {
    uint32_t term;
    float price;
} priced_t;

static int
cmp_priced (const void *a, const void *b)
{
    const priced_t *x = a, *y = b;
    if (x->term != y->term)
        return x->term < y->term ? -1 : 1;
    return (x->price > y->price) - (x->price < y->price);
}

/*  The typical price of the products a term heads: the upper quartile of
    their prices (a third of the names a refrigerator heads are covers,
    gels and thermostats, so the median is not a refrigerator's price),
    from 5 priced products.                                                 */
static int
type_prices (content_names_t *self, const hr_catalog_t *catalog)
{
    uint64_t nheads = 0;
    for (uint64_t k = 0; k < self->start[self->n]; k++)
        nheads += (self->term[k] & HEAD_BIT) != 0;
    priced_t *pr = malloc ((nheads ? nheads : 1) * sizeof *pr);
    if (!pr)
        return -1;
    uint64_t np = 0;
    for (uint32_t d = 0; d < self->n; d++) {
        double price = hr_catalog_at (catalog, d)->price;
        if (!(price > 0))               /* NAN too */
            continue;
        for (uint64_t k = self->start[d]; k < self->start[d + 1]; k++)
            if (self->term[k] & HEAD_BIT)
                pr[np++] = (priced_t) { self->term[k] & ~HEAD_BIT, (float) price };
    }
    qsort (pr, np, sizeof *pr, cmp_priced);
    for (uint64_t k = 0; k < np;) {
        uint64_t e = k;
        while (e < np && pr[e].term == pr[k].term)
            e++;
        if (e - k >= 5)
            self->type_price[pr[k].term] = pr[k + (e - k - 1) * 3 / 4].price;
        k = e;
    }
    free (pr);
    return 0;
}

static int
cmp_term (const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *) a & ~FLAGS, y = *(const uint32_t *) b & ~FLAGS;
    if (x != y)
        return x < y ? -1 : 1;
    /*  the head entry first, so a lookup sees it                           */
    return (int) (*(const uint32_t *) b >> 31) - (int) (*(const uint32_t *) a >> 31);
}

static unsigned
audience_of_text (content_analyzer_t *an, const char *text)
{
    const content_token_t *tok;
    uint32_t nt = content_analyze (an, text, strlen (text), &tok);
    unsigned bits = 0;
    for (uint32_t k = 0; k < nt; k++)
        bits |= content_audience_of (tok[k].stem, tok[k].stem_len);
    return bits;
}

/*  Every product's zone entries into `all` (self->start, self->heads).   */
static int
zones (content_names_t *self, content_analyzer_t *an, const hr_catalog_t *catalog,
       const content_docterms_t *dt, const float *rate, tbuf_t *all, tbuf_t *one)
{
    all->n = 0;
    memset (self->heads, 0, (self->nterms ? self->nterms : 1) * sizeof *self->heads);
    for (uint32_t d = 0; d < self->n; d++) {
        const hr_product_t *p = hr_catalog_at (catalog, d);
        one->n = 0;
        if (parse_name (an, dt, rate, p->name, one))
            return -1;
        qsort (one->t, one->n, sizeof *one->t, cmp_term);
        /*  one entry per term; a head only when it never describes another
            word ("Laptop Bag Sleeve ... 14 inches Laptop" is not a laptop) */
        uint32_t kept = 0;
        for (uint32_t k = 0; k < one->n; k++)
            if (kept == 0 || (one->t[k] & ~FLAGS) != (one->t[kept - 1] & ~FLAGS))
                one->t[kept++] = one->t[k];
            else
                one->t[kept - 1] |= one->t[k] & FLAGS;
        for (uint32_t k = 0; k < kept; k++)
            if (one->t[k] & MOD_BIT)
                one->t[k] &= ~FLAGS;
        for (uint32_t k = 0; k < kept; k++) {
            if (tpush (all, one->t[k]))
                return -1;
            if (one->t[k] & HEAD_BIT)
                self->heads[one->t[k] & ~HEAD_BIT]++;
        }
        self->start[d + 1] = all->n;
    }
    return 0;
}

/*  The zone entries by term (self->zstart, self->zdoc): products ascending. */
static int
zone_postings (content_names_t *self)
{
    self->zstart = malloc (((size_t) self->nterms + 1) * sizeof *self->zstart);
    self->zdoc = malloc ((self->start[self->n] ? self->start[self->n] : 1) * sizeof *self->zdoc);
    if (!self->zstart || !self->zdoc)
        return -1;
    self->zstart[0] = 0;
    for (uint32_t t = 0; t < self->nterms; t++)
        self->zstart[t + 1] = self->zstart[t] + self->zone_df[t];
    uint64_t *at = malloc (((size_t) self->nterms + 1) * sizeof *at);
    if (!at)
        return -1;
    memcpy (at, self->zstart, ((size_t) self->nterms + 1) * sizeof *at);
    for (uint32_t d = 0; d < self->n; d++)
        for (uint64_t k = self->start[d]; k < self->start[d + 1]; k++)
            self->zdoc[at[self->term[k] & ~HEAD_BIT]++]
                = d | (self->term[k] & HEAD_BIT ? CONTENT_ZONE_HEAD : 0);
    free (at);
    return 0;
}

content_names_t *
content_names_new (const hr_catalog_t *catalog, const content_docterms_t *dt)
{
    content_names_t *self = calloc (1, sizeof *self);
    content_analyzer_t *an = content_analyzer_new ();
    tbuf_t all = { 0 }, one = { 0 };
    float *rate = NULL;
    if (!self || !an)
        goto fail;
    self->n = dt->tf.rows;
    self->nterms = dt->tf.cols;
    self->start = calloc ((size_t) self->n + 1, sizeof *self->start);
    self->audience = calloc (self->n ? self->n : 1, 1);
    self->first = calloc (self->nterms ? self->nterms : 1, sizeof *self->first);
    self->heads = calloc (self->nterms ? self->nterms : 1, sizeof *self->heads);
    self->name_df = calloc (self->nterms ? self->nterms : 1, sizeof *self->name_df);
    self->zone_df = calloc (self->nterms ? self->nterms : 1, sizeof *self->zone_df);
    self->type_price = calloc (self->nterms ? self->nterms : 1, sizeof *self->type_price);
    if (!self->start || !self->audience || !self->first || !self->heads || !self->name_df
        || !self->zone_df || !self->type_price)
        goto fail;
    for (uint32_t d = 0; d < self->n; d++) {
        const hr_product_t *p = hr_catalog_at (catalog, d);
        /*  name statistics: first word, terms of the whole name            */
        const content_token_t *tok;
        uint32_t nt = content_analyze (an, p->name, strlen (p->name), &tok);
        if (nt > 0) {
            int64_t id = content_vocab_find (dt->vocab, tok[0].stem, tok[0].stem_len);
            if (id >= 0)
                self->first[id]++;
        }
        unsigned bits = 0;
        for (uint32_t k = 0; k < nt; k++)
            bits |= content_audience_of (tok[k].stem, tok[k].stem_len);
        one.n = 0;
        for (uint32_t k = 0; k < nt; k++) {
            int64_t id = content_vocab_find (dt->vocab, tok[k].stem, tok[k].stem_len);
            if (id >= 0 && tpush (&one, (uint32_t) id))
                goto fail;
        }
        qsort (one.t, one.n, sizeof *one.t, cmp_term);
        for (uint32_t k = 0; k < one.n; k++)
            if (k == 0 || one.t[k] != one.t[k - 1])
                self->name_df[one.t[k]]++;
        bits |= audience_of_text (an, p->main_category) | audience_of_text (an, p->sub_category);
        self->audience[d] = (uint8_t) bits;
    }
    /*  twice: the first pass's head rates tell which words describe others */
    if (zones (self, an, catalog, dt, NULL, &all, &one))
        goto fail;
    rate = malloc ((self->nterms ? self->nterms : 1) * sizeof *rate);
    if (!rate)
        goto fail;
    for (uint32_t t = 0; t < self->nterms; t++)
        rate[t] = content_names_head_rate (self, t);
    if (zones (self, an, catalog, dt, rate, &all, &one))
        goto fail;
    free (rate);
    rate = NULL;
    self->term = all.t ? all.t : malloc (sizeof *self->term);
    all.t = NULL;
    if (self->term)
        for (uint64_t k = 0; k < self->start[self->n]; k++)
            self->zone_df[self->term[k] & ~FLAGS]++;   /* one entry per term and product */
    free (one.t);
    content_analyzer_destroy (&an);
    if (!self->term || type_prices (self, catalog) || zone_postings (self))
        goto fail;
    return self;
fail:
    free (rate);
    free (all.t);
    free (one.t);
    content_analyzer_destroy (&an);
    content_names_destroy (&self);
    return NULL;
}

void
content_names_destroy (content_names_t **self_p)
{
    assert (self_p);
    content_names_t *self = *self_p;
    if (!self)
        return;
    free (self->start);
    free (self->term);
    free (self->audience);
    free (self->first);
    free (self->heads);
    free (self->name_df);
    free (self->zone_df);
    free (self->type_price);
    free (self->zstart);
    free (self->zdoc);
    free (self);
    *self_p = NULL;
}

unsigned
content_names_audience (const content_names_t *self, uint32_t doc)
{
    return self->audience[doc];
}

/*  Where the term is in the product's zone entries, or -1.                 */
static int64_t
find (const content_names_t *self, uint32_t doc, uint32_t term)
{
    uint64_t lo = self->start[doc], hi = self->start[doc + 1];
    while (lo < hi) {
        uint64_t mid = (lo + hi) / 2;
        uint32_t t = self->term[mid] & ~HEAD_BIT;
        if (t < term)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < self->start[doc + 1] && (self->term[lo] & ~HEAD_BIT) == term)
        return (int64_t) lo;
    return -1;
}

bool
content_names_in_zone (const content_names_t *self, uint32_t doc, uint32_t term)
{
    return find (self, doc, term) >= 0;
}

bool
content_names_is_head (const content_names_t *self, uint32_t doc, uint32_t term)
{
    int64_t at = find (self, doc, term);
    return at >= 0 && (self->term[at] & HEAD_BIT);
}

bool
content_names_is_brand (const content_names_t *self, uint32_t term, bool in_zones)
{
    return term < self->nterms && self->first[term] >= 3
        && (float) self->first[term]
               >= 0.3f * (float) (in_zones ? self->zone_df[term] : self->name_df[term]);
}

float
content_names_head_rate (const content_names_t *self, uint32_t term)
{
    if (term >= self->nterms || self->name_df[term] == 0)
        return 0.0f;
    return (float) self->heads[term] / (float) self->name_df[term];
}

const uint32_t *
content_names_zone_docs (const content_names_t *self, uint32_t term, uint32_t *count)
{
    if (term >= self->nterms) {
        *count = 0;
        return NULL;
    }
    *count = (uint32_t) (self->zstart[term + 1] - self->zstart[term]);
    return self->zdoc + self->zstart[term];
}

float
content_names_type_price (const content_names_t *self, uint32_t term)
{
    return term < self->nterms ? self->type_price[term] : 0.0f;
}
