#!/usr/bin/env python3
"""judge.py — P@10 of product search on judged query sets (bench/search/README.md).

Relevance is decided by a rule per query over the product's name and Amazon
categories, written in the judged set file; nothing here shares code or word
lists with the ranker (content-svc).

  judge.py SET.tsv --check                      rules parse; relevant products per query
  judge.py SET.tsv --offline RESULTS.jsonl      results from bench/content/search_topk
  judge.py SET.tsv --url http://127.0.0.1:8080  through /recommendations/search
Options: --verbose (list the results judged not relevant), --json (summary line).
"""
import argparse, csv, glob, json, os, re, sys, urllib.parse, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CATALOG = os.path.join(HERE, '..', '..', '..', 'shared', 'data', 'amazon-in-products')

# ---- rules -----------------------------------------------------------------
# atom  = FIELD:ALTS   FIELD in name, main, sub, cat (main > sub), any (name + cat)
#         ALTS = regex alternatives separated by |, each matching whole words
#         (case-insensitive); "_" stands for an optional space or hyphen
#         ("pen_drive"), \w* lets a word go on ("descal\w*").
# expr  = atoms combined with ! (not), & (and), | (or), parentheses; @MACRO
#         expands to a macro defined in the set file ("@WOMEN<TAB>expr").
TOKEN = re.compile(r'\s*(\(|\)|&|\||!|@[A-Z_]+|(?:name|main|sub|cat|any):(?:"[^"]*"|[^\s()&!|]+(?:\|[^\s()&!|]+)*))')


def tokenize(rule, macros):
    out, pos = [], 0
    while pos < len(rule):
        if rule[pos].isspace():
            pos += 1
            continue
        m = TOKEN.match(rule, pos)
        if not m:
            raise ValueError('cannot read rule at %r' % rule[pos:])
        t = m.group(1)
        pos = m.end()
        if t.startswith('@'):
            if t[1:] not in macros:
                raise ValueError('unknown macro %s' % t)
            out += ['('] + tokenize(macros[t[1:]], macros) + [')']
        else:
            out.append(t)
    return out


def compile_rule(rule, macros):
    toks = tokenize(rule, macros)
    i = 0

    def atom():
        nonlocal i
        t = toks[i]
        i += 1
        if t == '(':
            e = disj()
            if toks[i] != ')':
                raise ValueError('missing ) in %r' % rule)
            i += 1
            return e
        if t == '!':
            e = atom()
            return lambda p: not e(p)
        field, pat = t.split(':', 1)
        pat = pat.strip('"').replace('_', r'[\s-]?')
        rx = re.compile(r'(?<![a-z0-9])(?:' + pat + r')(?![a-z0-9])', re.I)
        return lambda p: rx.search(p[field]) is not None

    def conj():
        nonlocal i
        parts = [atom()]
        while i < len(toks) and toks[i] == '&':
            i += 1
            parts.append(atom())
        return lambda p: all(f(p) for f in parts)

    def disj():
        nonlocal i
        parts = [conj()]
        while i < len(toks) and toks[i] == '|':
            i += 1
            parts.append(conj())
        return lambda p: any(f(p) for f in parts)

    e = disj()
    if i != len(toks):
        raise ValueError('unexpected %r in %r' % (toks[i], rule))
    return e


def product(name, category):
    main, _, sub = category.partition(' > ')
    return {'name': name, 'main': main, 'sub': sub, 'cat': category,
            'any': name + ' || ' + category}


def load_set(path):
    macros, queries = {}, []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line.strip() or line.startswith('#'):
                continue
            cols = line.split('\t')
            if cols[0].startswith('@'):
                macros[cols[0][1:]] = cols[1]
                continue
            if len(cols) != 3:
                raise ValueError('expected class<TAB>query<TAB>rule: %r' % line)
            queries.append({'class': cols[0], 'query': cols[1], 'rule': cols[2]})
    for q in queries:
        q['judge'] = compile_rule(q['rule'], macros)
    return queries


def load_catalog(root):
    prods = {}
    files = sorted(glob.glob(os.path.join(root, 'first100-per-category', '*.csv'))) + \
        sorted(glob.glob(os.path.join(root, 'full-category', '*.csv')))
    for path in files:
        with open(path, newline='', encoding='utf-8') as f:
            for r in csv.DictReader(f):
                m = re.search(r'/dp/([A-Z0-9]{10})', r['link'])
                if m:
                    prods[m.group(1)] = product(r['name'], r['main_category'] + ' > ' + r['sub_category'])
    return prods


# ---- results ---------------------------------------------------------------
def from_url(base, query, k):
    url = '%s/recommendations/search?%s' % (base.rstrip('/'), urllib.parse.urlencode(
        {'query': query, 'response_limit': k}))
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.load(r)
    except urllib.error.HTTPError as e:     # 404: no match, trending fallback
        if e.code != 404:
            raise
        return []
    return [(it['name'], it['category']) for it in body.get('results', [])]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('set')
    ap.add_argument('--offline')
    ap.add_argument('--url')
    ap.add_argument('--check', action='store_true')
    ap.add_argument('--catalog', default=CATALOG)
    ap.add_argument('--verbose', action='store_true')
    ap.add_argument('--json', action='store_true')
    ap.add_argument('-k', type=int, default=10)
    a = ap.parse_args()
    queries = load_set(a.set)
    if a.check:
        prods = load_catalog(a.catalog)
        bad = 0
        for q in queries:
            rel = [p for p in prods.values() if q['judge'](p)]
            q['R'] = len(rel)
            bad += len(rel) < a.k
            print('%-10s %-32s R=%d' % (q['class'], q['query'], len(rel)))
            if a.verbose:
                for p in rel[:5]:
                    print('      + %s | %s' % (p['name'][:90], p['cat']))
        print('%d queries, %d with fewer than %d relevant products' % (len(queries), bad, a.k))
        return 1 if bad else 0
    offline = {}
    if a.offline:
        with open(a.offline, encoding='utf-8') as f:
            for line in f:
                o = json.loads(line)
                offline[o['query']] = [(r['name'], r['category']) for r in o['results']]
    per_class, all_p = {}, []
    for q in queries:
        res = offline.get(q['query'], []) if a.offline else from_url(a.url, q['query'], a.k)
        res = res[:a.k]
        judged = [q['judge'](product(n, c)) for n, c in res]
        p = sum(judged) / a.k
        all_p.append(p)
        per_class.setdefault(q['class'], []).append(p)
        if not a.json:
            print('%-10s %-32s P@%d %.1f' % (q['class'], q['query'], a.k, p))
            if a.verbose:
                for (n, c), ok in zip(res, judged):
                    if not ok:
                        print('      - %s | %s' % (n[:90], c))
    summary = {'queries': len(all_p), 'mean': sum(all_p) / len(all_p), 'min': min(all_p),
               'below_0.7': sum(p < 0.7 for p in all_p),
               'classes': {c: round(sum(v) / len(v), 3) for c, v in per_class.items()}}
    if a.json:
        print(json.dumps(summary))
    else:
        for c, v in per_class.items():
            print('class %-10s n=%2d mean P@%d %.3f' % (c, len(v), a.k, sum(v) / len(v)))
        print('all %d queries: mean P@%d %.3f, min %.1f, %d below 0.7' % (
            summary['queries'], a.k, summary['mean'], summary['min'], summary['below_0.7']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
