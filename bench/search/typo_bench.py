#!/usr/bin/env python3
"""typo_bench — a synthetic benchmark of content-svc's typo correction.

Draws catalog words (lengths 4-14, letters only, weighted by the number of
product names they are in), misspells each with one or two random edits of
the kinds shoppers make (insert, delete, substitute by a keyboard neighbour
or a letter that sounds alike, transpose, vowel swap, doubled/undoubled
letter), with a fixed seed, and runs every misspelling through search_topk
--explain, alone and with a context word (the word next to it in a product
name that holds it).  A misspelling is corrected when the query's reading
holds the original word's stem (explain's tokens: the correction of the
misspelt token, or the token itself when it was left alone and is the
word).  Misspellings that are catalog words themselves (the reading calls
them known) are real-word errors, counted apart and left out of accuracy.

Words are split into a dev half (to tune on) and a test half (to report)
by a hash of the word, so no word is in both.

--mode two (docs/search.md, "Two-edit benchmark") takes instead every
distinct name word of 5-14 letters in --min-df or more names, misspelt
--per-word times with two edits, each word by its own seeded generator,
and breaks accuracy down by the kinds of edit.

usage: typo_bench.py [--mode mixed|two] [--min-df N] [--per-word N] [--n N]
                     [--seed S] [--topk build/bin/search_topk]
                     [--off PART]... [--dump FILE] CSV...
"""
import argparse
import collections
import csv
import hashlib
import json
import random
import re
import subprocess
import sys

KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
NEIGHBOURS = collections.defaultdict(set)
for r, row in enumerate(KEYBOARD):
    for i, ch in enumerate(row):
        for dr in (-1, 0, 1):
            rr = r + dr
            if 0 <= rr < len(KEYBOARD):
                for di in (-1, 0, 1):
                    j = i + di
                    if (dr or di) and 0 <= j < len(KEYBOARD[rr]):
                        NEIGHBOURS[ch].add(KEYBOARD[rr][j])
SOUNDS = {"c": "ks", "k": "cq", "s": "cz", "z": "sx", "q": "k", "g": "j", "j": "g",
          "v": "w", "w": "v", "f": "p", "p": "f", "i": "eyu", "e": "ia", "y": "i",
          "a": "eu", "o": "u", "u": "oa", "x": "z", "t": "d", "d": "t", "b": "p"}
VOWELS = "aeiou"
TOKEN = re.compile(r"[a-z]+")


def osa(a, b):
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            c = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + c)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def one_edit(w, rng):
    """One shopper-like edit of w (may rarely give w back)."""
    return one_edit_kind(w, rng)[0]


def one_edit_kind(w, rng):
    """One shopper-like edit of w and its kind."""
    kind = rng.choice(["insert", "delete", "keyboard", "sound", "transpose",
                       "vowel", "double", "undouble"])
    return s_edit(w, rng, kind), kind


def s_edit(w, rng, kind):
    i = rng.randrange(len(w))
    if kind == "insert":
        ch = rng.choice(sorted(NEIGHBOURS[w[i]] | {w[i]}))
        return w[:i] + ch + w[i:]
    if kind == "delete":
        return w[:i] + w[i + 1:]
    if kind == "keyboard":
        return w[:i] + rng.choice(sorted(NEIGHBOURS[w[i]] or {"e"})) + w[i + 1:]
    if kind == "sound":
        at = [k for k, ch in enumerate(w) if ch in SOUNDS]
        if not at:
            return w[:i] + w[i + 1:]
        i = rng.choice(at)
        return w[:i] + rng.choice(SOUNDS[w[i]]) + w[i + 1:]
    if kind == "transpose":
        if len(w) < 2:
            return w
        i = rng.randrange(len(w) - 1)
        return w[:i] + w[i + 1] + w[i] + w[i + 2:]
    if kind == "vowel":
        at = [k for k, ch in enumerate(w) if ch in VOWELS]
        if not at:
            return w[:i] + w[i + 1:]
        i = rng.choice(at)
        return w[:i] + rng.choice([v for v in VOWELS if v != w[i]]) + w[i + 1:]
    if kind == "double":
        return w[:i] + w[i] + w[i:]
    # undouble: drop one of a doubled letter, else delete a letter
    at = [k for k in range(1, len(w)) if w[k] == w[k - 1]]
    if at:
        i = rng.choice(at)
    return w[:i] + w[i + 1:]


def misspell(w, edits, rng, vocab):
    for _ in range(50):
        m = w
        for _ in range(edits):
            m = one_edit(m, rng)
        if len(m) >= 3 and m not in vocab and osa(m, w) == edits:
            return m
    return None


def misspell_kinds(w, edits, rng, vocab):
    """As misspell, with the kinds of the edits made (sorted, "+"-joined)."""
    for _ in range(50):
        m, kinds = w, []
        for _ in range(edits):
            m, k = one_edit_kind(m, rng)
            kinds.append(k)
        if len(m) >= 3 and m not in vocab and osa(m, w) == edits:
            return m, "+".join(sorted(kinds))
    return None, None


def load(paths):
    names = []
    vocab = set()
    for p in paths:
        with open(p, newline="", encoding="utf-8", errors="replace") as f:
            for row in csv.DictReader(f):
                name = (row.get("name") or "").lower()
                names.append(TOKEN.findall(name))
                for fld in ("name", "main_category", "sub_category"):
                    vocab.update(TOKEN.findall((row.get(fld) or "").lower()))
    return names, vocab


def half(w):
    return "dev" if hashlib.md5(w.encode()).digest()[0] % 2 == 0 else "test"


def bucket(n):
    return "4" if n == 4 else "5-7" if n <= 7 else "8-10" if n <= 10 else "11-14"


def run(topk, offs, queries):
    cmd = [topk, "--explain", "--limit", "1"]
    for o in offs:
        cmd += ["--off", o]
    out = subprocess.run(cmd + ARGS.csv, input="\n".join(queries) + "\n", text=True,
                         capture_output=True, check=True).stdout
    res = {}
    for line in out.splitlines():
        o = json.loads(line)
        res[o["query"]] = o.get("explain") or {}
    return res


def with_context(cases, c, names, where, rng):
    """c alone, and (when the name has a neighbour word) with the word next
    to it in a product name that holds it."""
    w, m = c["word"], c["typo"]
    k, i = rng.choice(where[w])
    toks = names[k]
    ctx = [j for j in (i + 1, i - 1) if 0 <= j < len(toks) and len(toks[j]) >= 3 and toks[j] != w]
    cases.append(dict(c, query=m, context=False))
    if ctx:
        j = ctx[0]
        q = f"{m} {toks[j]}" if j > i else f"{toks[j]} {m}"
        cases.append(dict(c, query=q, context=True))


def mixed_cases(names, vocab, words, weights, rng, where):
    """The default mode: ARGS.n words drawn by how many names hold them,
    each misspelt once with one edit and once with two."""
    cases = []
    for w in rng.choices(words, weights=weights, k=ARGS.n):
        for edits in (1, 2):
            m = misspell(w, edits, rng, vocab)
            if m:
                with_context(cases, {"word": w, "typo": m, "edits": edits}, names, where, rng)
    return cases


def two_edit_cases(names, vocab, df, where):
    """--mode two: every distinct name word of 5-14 letters in --min-df or
    more product names, misspelt --per-word times with two edits; each
    word's misspellings come from its own seeded generator (seed and
    word), so adding words to the catalog does not change the others'."""
    cases = []
    words = sorted(w for w, n in df.items() if 5 <= len(w) <= 14 and n >= ARGS.min_df)
    for w in words:
        rng = random.Random(f"{ARGS.seed}:{w}")
        seen = set()
        for _ in range(ARGS.per_word * 3):
            if len(seen) == ARGS.per_word:
                break
            m, kinds = misspell_kinds(w, 2, rng, vocab)
            if not m or m in seen:
                continue
            seen.add(m)
            with_context(cases, {"word": w, "typo": m, "edits": 2, "kinds": kinds}, names, where, rng)
    return cases


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000, help="words drawn (each misspelt once per edit count)")
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--topk", default="build/bin/search_topk")
    ap.add_argument("--off", action="append", default=[])
    ap.add_argument("--mode", choices=["mixed", "two"], default="mixed",
                    help="mixed: one and two edits of df-weighted words; two: two edits of every frequent word")
    ap.add_argument("--min-df", type=int, default=20, help="--mode two: names a word must be in")
    ap.add_argument("--per-word", type=int, default=2, help="--mode two: misspellings per word")
    ap.add_argument("--dump", help="write every case as JSON lines (dev half only)")
    ap.add_argument("csv", nargs="+")
    ARGS = ap.parse_args()
    names, vocab = load(ARGS.csv)
    df = collections.Counter()
    for toks in names:
        df.update(set(toks))
    words = sorted(w for w, n in df.items() if 4 <= len(w) <= 14 and n >= 3)
    weights = [df[w] for w in words]
    rng = random.Random(ARGS.seed)
    where = collections.defaultdict(list)
    for k, toks in enumerate(names):
        for i, t in enumerate(toks):
            where[t].append((k, i))
    if ARGS.mode == "two":
        cases = two_edit_cases(names, vocab, df, where)
    else:
        cases = mixed_cases(names, vocab, words, weights, rng, where)
    ex = run(ARGS.topk, ARGS.off, sorted({c["query"] for c in cases}))
    corr = set()
    for e in ex.values():
        for t in e.get("tokens", []):
            if "correction" in t:
                corr.add(t["correction"])
    stems = {q: (e.get("tokens") or [{}])[0].get("stem")
             for q, e in run(ARGS.topk, ARGS.off, sorted(corr | {c["word"] for c in cases})).items()}
    tally = collections.defaultdict(lambda: [0, 0])
    realword = collections.Counter()
    dump = open(ARGS.dump, "w") if ARGS.dump else None
    for c in cases:
        e = ex.get(c["query"], {})
        toks = e.get("tokens", [])
        target = stems.get(c["word"])
        if target is None:          # a stop word
            continue
        tok = next((t for t in toks if t["token"] == c["typo"]), None)
        if tok is not None and tok["known"] and "correction" not in tok:
            realword[half(c["word"])] += 1
            continue
        got = [stems.get(t["correction"]) if "correction" in t else t["stem"] for t in toks
               if not c["context"] or t["token"] != c["query"].replace(c["typo"], "").strip()]
        ok = target in got
        h = half(c["word"])
        for key in ((h, "all"), (h, f"{c['edits']} edit" + ("s" if c["edits"] > 1 else "")),
                    (h, "len " + bucket(len(c["word"]))),
                    (h, "with context" if c["context"] else "alone")) + tuple(
                        (h, "has " + k) for k in sorted(set(c.get("kinds", "").split("+")) - {""})):
            tally[key][0] += ok
            tally[key][1] += 1
        if dump and h == "dev":
            c2 = dict(c, ok=ok, read=[t.get("correction", t["token"]) for t in toks])
            dump.write(json.dumps(c2) + "\n")
    keys = ["all", "1 edit", "2 edits", "alone", "with context",
            "len 4", "len 5-7", "len 8-10", "len 11-14"]
    if ARGS.mode == "two":
        keys = [k for k in keys if k not in ("1 edit", "len 4")] + [
            "has " + k for k in ("insert", "delete", "keyboard", "sound", "transpose",
                                 "vowel", "double", "undouble")]
    print(f"{'':14} {'dev':>14} {'test':>14}")
    for k in keys:
        row = [f"{k:14}"]
        for h in ("dev", "test"):
            ok, n = tally[(h, k)]
            row.append(f"{ok / n:.3f} ({n:5d})" if n else f"{'-':>14}")
        print(" ".join(row))
    print(f"real-word errors left out: dev {realword['dev']}, test {realword['test']}")


if __name__ == "__main__":
    main()
