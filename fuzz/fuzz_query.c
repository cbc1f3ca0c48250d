/*  fuzz_query — content-svc's query analysis: UTF-8 decoding, lower-casing
    and accent folding, tokenising, stop words, stemming (text.h); typo
    correction against the real catalog's words (typo.h); synonym rules
    (synonyms.h); sizes (quantity.h); and whole searches with their explanation (search.h) over
    the real catalog sample.  The first byte picks:
      0  the input is a synonym file: parsed, then its own text queried;
      1+ the input is a query.
    Invariants: tokens are non-empty, at most CONTENT_TOKEN_MAX bytes, valid
    UTF-8, positions increase; folding is idempotent and never grows past
    its buffer; a typo correction is a different word within the allowed
    distance; hits are distinct catalog products, best first, at most
    `limit`; the explanation is valid JSON.                                 */
#include <jansson.h>
#include <math.h>
#include "fuzz_catalog.h"
#include "hr_validate.h"
#include "content-svc/content.h"

static const char s_rules[] =
    "earbuds, earphones, in-ear headphones\n"
    "tv, television\n"
    "ac => air conditioner, split ac\n"
    "fridge, refrigerator\n"
    "sofa, couch\n";

static hr_catalog_t *s_catalog;
static content_analyzer_t *s_an;
static content_typo_t *s_typo;
static content_synonyms_t *s_syn;
static content_search_t *s_search;

static void
init (void)
{
    fuzz_quiet_logs ();
    s_catalog = fuzz_catalog_load (UINT32_MAX);
    s_an = content_analyzer_new ();
    s_syn = content_synonyms_new ();
    int bad = 0;
    FUZZ_CHECK (s_an && s_syn && content_synonyms_parse (s_syn, s_an, s_rules, sizeof s_rules - 1, &bad) == 5);
    content_fields_t fields = CONTENT_FIELDS_DEFAULT;
    content_docterms_t *dt = content_docterms_build (s_catalog, &fields, 1, NULL, NULL);
    FUZZ_CHECK (dt);
    s_typo = content_typo_new ();
    FUZZ_CHECK (s_typo);
    for (uint32_t i = 0; i < content_vocab_size (dt->words); i++) {
        uint32_t len;
        const char *w = content_vocab_term (dt->words, i, &len);
        content_typo_add (s_typo, w, len, dt->word_freq[i]);
    }
    FUZZ_CHECK (content_typo_freeze (s_typo) == 0);
    content_search_opts_t opts = CONTENT_SEARCH_OPTS_DEFAULT;
    s_search = content_search_new (s_catalog, dt, s_syn, NULL, &opts, 1);
    FUZZ_CHECK (s_search);
}

static void
analyze (const char *text, size_t len)
{
    const content_token_t *tok;
    uint32_t n = content_analyze (s_an, text, len, &tok);
    for (uint32_t i = 0; i < n; i++) {
        FUZZ_CHECK (tok[i].surface_len > 0 && tok[i].surface_len <= CONTENT_TOKEN_MAX);
        FUZZ_CHECK (tok[i].stem_len > 0);
        FUZZ_CHECK (hr_utf8_valid (tok[i].surface, tok[i].surface_len));
        FUZZ_CHECK (i == 0 || tok[i].position > tok[i - 1].position);
        char out[64];
        int dist = -1;
        size_t cl = content_typo_correct (s_typo, tok[i].surface, tok[i].surface_len, out,
                                          sizeof out, &dist);
        if (cl > 0) {
            FUZZ_CHECK (cl < sizeof out && out[cl] == '\0');
            FUZZ_CHECK (!(cl == tok[i].surface_len && memcmp (out, tok[i].surface, cl) == 0));
            int max = content_typo_max_distance (tok[i].surface_len);
            FUZZ_CHECK (dist >= 1 && dist <= max);
            FUZZ_CHECK (content_osa_distance (tok[i].surface, tok[i].surface_len, out, cl, max) == dist);
        }
    }
    char folded[512], again[512];
    size_t fl = content_fold (text, len, folded, sizeof folded);
    FUZZ_CHECK (fl < sizeof folded && folded[fl] == '\0');
    size_t fl2 = content_fold (folded, fl, again, sizeof again);
    FUZZ_CHECK (fl2 == fl && memcmp (folded, again, fl) == 0);
    char tiny[4];
    FUZZ_CHECK (content_fold (text, len, tiny, sizeof tiny) < sizeof tiny);
    /*  sizes (quantity.h): a unit each, at most max, each printable        */
    content_qty_t q[4];
    uint32_t nq = content_qty_parse (text, len, q, 4);
    FUZZ_CHECK (nq <= 4);
    for (uint32_t i = 0; i < nq; i++) {
        char b[48];
        FUZZ_CHECK (q[i].unit > CONTENT_QTY_NONE && q[i].unit < CONTENT_QTY_UNITS);
        content_qty_format (q[i], b, sizeof b);
        FUZZ_CHECK (strlen (b) < sizeof b - 1 && strchr (b, ' '));
    }
}

static void
search (const char *q, size_t len, uint32_t limit)
{
    content_search_session_t *s = content_search_session_take (s_search);
    FUZZ_CHECK (s);
    const content_hit_t *hits;
    uint32_t n = content_search_query (s_search, s, q, len, limit, &hits);
    FUZZ_CHECK (n <= limit);
    for (uint32_t i = 0; i < n; i++) {
        FUZZ_CHECK (hits[i].doc < hr_catalog_size (s_catalog));
        FUZZ_CHECK (isfinite (hits[i].score));
        FUZZ_CHECK (i == 0 || hits[i].score <= hits[i - 1].score);
        for (uint32_t k = 0; k < i; k++)
            FUZZ_CHECK (hits[k].doc != hits[i].doc);
    }
    char *ex = content_search_explain (s_search, s, q, len);
    FUZZ_CHECK (ex);
    json_error_t err;
    json_t *j = json_loads (ex, 0, &err);
    if (!j) {
        fprintf (stderr, "explain is not JSON: %s\n%s\n", err.text, ex);
        abort ();
    }
    json_decref (j);
    free (ex);
    content_search_session_give (s_search, &s);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_search)
        init ();
    if (size < 1)
        return 0;
    char *text = fuzz_cstr (data + 1, size - 1);
    size_t len = size - 1;
    if (data[0] == 0) {
        content_synonyms_t *syn = content_synonyms_new ();
        int bad = 0;
        uint32_t before = content_synonyms_rules (syn);
        bad = 0;
        int rules = content_synonyms_parse (syn, s_an, text, len, &bad);
        FUZZ_CHECK (rules >= 0 && bad >= 0);
        FUZZ_CHECK (before + (uint32_t) rules == content_synonyms_rules (syn));
        const content_token_t *tok;
        uint32_t n = content_analyze (s_an, text, len, &tok);
        const char *stems[64];
        uint32_t lens[64];
        n = n > 64 ? 64 : n;
        for (uint32_t i = 0; i < n; i++) {
            stems[i] = tok[i].stem;
            lens[i] = tok[i].stem_len;
        }
        for (uint32_t pos = 0; pos < n; pos++) {
            const uint32_t *targets;
            uint32_t nt;
            uint32_t words = content_synonyms_match (syn, stems, lens, n, pos, &targets, &nt);
            FUZZ_CHECK (words <= n - pos && words <= CONTENT_SYN_MAX_WORDS);
            for (uint32_t t = 0; words && t < nt; t++) {
                uint32_t pl;
                FUZZ_CHECK (content_synonyms_phrase (syn, targets[t], &pl) != NULL);
            }
        }
        content_synonyms_destroy (&syn);
    }
    else {
        analyze (text, len);
        /*  Only what the gateway would pass on reaches a search.  */
        const char *q;
        size_t qlen;
        if (hr_query_normalize (text, len, &q, &qlen) == HR_QUERY_OK)
            search (q, qlen, 1 + data[0] % 50);
    }
    free (text);
    return 0;
}
