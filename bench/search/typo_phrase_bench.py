#!/usr/bin/env python3
"""typo_phrase_bench — end-to-end P@10 of two-word queries with a misspelt word.

typo_bench.py asks whether the corrector reads a misspelling as the word; this
asks what a shopper sees.  From the catalog's product names it draws (fixed
seed) adjacent word pairs "a b" that at least MIN product names hold as
adjacent words (letters only, 3+ letters, no stop word), then misspells one
word of the pair (typo_bench's shopper-like edits): two edits in a word of
5+ letters ("televison" -> "telvison"), or one edit in a word of 4 letters
("stand" -> "stnd" is a 5-letter word's, "desk" -> "dsek" a 4-letter one's).
A result is relevant when its name holds both words of the pair (each as a
word, a plural "s"/"es" allowed).  It reports P@10 of the misspelt queries
next to the same queries spelt right (the ceiling the ranking reaches
without typos), split into a dev half (tune on) and a test half (report) by a
hash of the pair.

usage: typo_phrase_bench.py [--n N] [--seed S] [--min MIN] [--topk build/bin/search_topk]
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

import typo_bench as tb

STOP = set("a an and are as at be but by for if in into is it no not of on or such that the "
           "their then there these they this to was will with from".split())
WORD = re.compile(r"[a-z]+")


def load(paths):
    names, vocab = [], set()
    for p in paths:
        with open(p, newline="", encoding="utf-8", errors="replace") as f:
            for row in csv.DictReader(f):
                name = (row.get("name") or "").lower()
                names.append(name)
                for fld in ("name", "main_category", "sub_category"):
                    vocab.update(WORD.findall((row.get(fld) or "").lower()))
    return names, vocab


def holds(name_words, w):
    return w in name_words or w + "s" in name_words or w + "es" in name_words \
        or (w.endswith("s") and w[:-1] in name_words)


def half(pair):
    return "dev" if hashlib.md5(pair.encode()).digest()[0] % 2 == 0 else "test"


def run(topk, offs, csvs, queries):
    cmd = [topk, "--limit", "10"]
    for o in offs:
        cmd += ["--off", o]
    out = subprocess.run(cmd + csvs, input="\n".join(queries) + "\n", text=True,
                         capture_output=True, check=True).stdout
    return {o["query"]: [r["name"] for r in o["results"]] for o in map(json.loads, out.splitlines())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=400, help="pairs drawn")
    ap.add_argument("--seed", type=int, default=29)
    ap.add_argument("--min", type=int, default=12, help="names holding the pair")
    ap.add_argument("--topk", default="build/bin/search_topk")
    ap.add_argument("--off", action="append", default=[])
    ap.add_argument("--dump")
    ap.add_argument("csv", nargs="+")
    a = ap.parse_args()
    names, vocab = load(a.csv)
    pairs = collections.Counter()
    for n in names:
        toks = re.findall(r"[a-z0-9]+", n)
        for x, y in set(zip(toks, toks[1:])):
            if x != y and all(t.isalpha() and len(t) >= 3 and t not in STOP for t in (x, y)):
                pairs[(x, y)] += 1
    cand = sorted(p for p, c in pairs.items() if c >= a.min and max(len(p[0]), len(p[1])) >= 4)
    rng = random.Random(a.seed)
    rng.shuffle(cand)
    cases = []
    for x, y in cand:
        if len(cases) >= a.n:
            break
        which = [i for i, w in enumerate((x, y)) if len(w) >= 4]
        i = rng.choice(which)
        w = (x, y)[i]
        edits = 2 if len(w) >= 5 else 1
        m = tb.misspell(w, edits, rng, vocab)
        if not m:
            continue
        q = f"{m} {y}" if i == 0 else f"{x} {m}"
        cases.append({"pair": f"{x} {y}", "query": q, "word": w, "typo": m, "edits": edits})
    res = run(a.topk, a.off, a.csv, sorted({c["query"] for c in cases} | {c["pair"] for c in cases}))
    tally = collections.defaultdict(lambda: [0.0, 0.0, 0, 0])
    dump = open(a.dump, "w") if a.dump else None
    for c in cases:
        x, y = c["pair"].split()

        def p10(q):
            hits = 0
            for n in res.get(q, [])[:10]:
                ws = set(WORD.findall(n.lower()))
                hits += holds(ws, x) and holds(ws, y)
            return hits / 10
        pt, pc = p10(c["query"]), p10(c["pair"])
        h = half(c["pair"])
        for k in ("all", "two edits (5+ letters)" if c["edits"] == 2 else "one edit (4 letters)"):
            t = tally[(h, k)]
            t[0] += pt
            t[1] += pc
            t[2] += 1
            t[3] += pt < 0.7
        if dump and h == "dev":
            dump.write(json.dumps(dict(c, p10=pt, clean=pc)) + "\n")
    print(f"{'P@10 misspelt / spelt right (<0.7)':36} {'dev':>24} {'test':>24}")
    for k in ("all", "two edits (5+ letters)", "one edit (4 letters)"):
        row = [f"{k:36}"]
        for h in ("dev", "test"):
            s, cl, n, lo = tally[(h, k)]
            row.append(f"{s / n:.3f} / {cl / n:.3f} ({lo:3d}/{n:3d})" if n else "-")
        print(" ".join(f"{r:>24}" for r in row))


if __name__ == "__main__":
    main()
