#!/usr/bin/env python3
"""brand_bench — a synthetic benchmark of brand + type queries from the catalog.

Brands: first words of product names (letters only, 2+ letters) that open at
least 10 names.  Types: the head noun of a name (audience_bench's rule: the
word before the first "(", ",", "|", " - ", "for" or "with", or the last
word).  For each brand, the types it heads at least MIN names of become a
query "<brand> <type>" (each brand's two most frequent types, at most).  A
result is relevant when its name opens with the brand and holds the type
word (singular or plural) before any "for" / "compatible" (so "Cover for
Apple iPhone" is no iPhone of Apple's).  P@10 through search_topk, halves
by a hash of the brand.

usage: brand_bench.py [--min N] [--topk build/bin/search_topk] [--off PART]...
                      [--dump FILE] CSV...
"""
import argparse
import collections
import csv
import hashlib
import json
import re
import subprocess

from audience_bench import head, singular, NOT_TYPES

WORD = re.compile(r"[a-z]+")
ZONE_END = re.compile(r"\b(for|compatible|suitable|fits)\b")


def half(w):
    return "dev" if hashlib.md5(w.encode()).digest()[0] % 2 == 0 else "test"


def type_re(t):
    return re.compile(r"\b" + re.escape(t) + r"(s|es)?\b" if not t.endswith("y")
                      else r"\b(" + re.escape(t) + r"|" + re.escape(t[:-1]) + r"ies)\b")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--min", type=int, default=5, help="names of the brand with the type")
    ap.add_argument("--topk", default="build/bin/search_topk")
    ap.add_argument("--off", action="append", default=[])
    ap.add_argument("--dump")
    ap.add_argument("csv", nargs="+")
    a = ap.parse_args()
    names = {}
    for p in a.csv:
        with open(p, newline="", encoding="utf-8", errors="replace") as f:
            for row in csv.DictReader(f):
                n = (row.get("name") or "").strip()
                names[n] = n.lower()
    first = collections.Counter()
    pairs = collections.Counter()
    for ln in names.values():
        ws = re.findall(r"[a-z0-9]+", ln)
        if not ws or not ws[0].isalpha() or len(ws[0]) < 2:
            continue
        first[ws[0]] += 1
        h = head(ln)
        if h and h != ws[0] and len(h) >= 3 and h not in NOT_TYPES:
            pairs[(ws[0], singular(h))] += 1
    per_brand = collections.defaultdict(list)
    for (b, t), n in pairs.most_common():
        if first[b] >= 10 and n >= a.min and len(per_brand[b]) < 2:
            per_brand[b].append(t)
    queries = [(b, t) for b in sorted(per_brand) for t in per_brand[b]]
    cmd = [a.topk]
    for o in a.off:
        cmd += ["--off", o]
    out = subprocess.run(cmd + a.csv, input="\n".join(f"{b} {t}" for b, t in queries) + "\n",
                         text=True, capture_output=True, check=True).stdout
    res = {o["query"]: [r["name"].lower() for r in o["results"]]
           for o in map(json.loads, out.splitlines())}
    tally = collections.defaultdict(list)
    dump = open(a.dump, "w") if a.dump else None
    for b, t in queries:
        q = f"{b} {t}"
        tre = type_re(t)
        ok = []
        for ln in res.get(q, [])[:10]:
            ws = re.findall(r"[a-z0-9]+", ln)
            zone = ZONE_END.split(ln, 1)[0]
            ok.append(bool(ws) and ws[0] == b and tre.search(zone) is not None)
        p = sum(ok) / 10
        tally[half(b)].append(p)
        if dump and half(b) == "dev":
            dump.write(json.dumps({"q": q, "p10": p, "results": list(zip(res.get(q, [])[:10], ok))}) + "\n")
    print(f"{'':8} {'dev':>18} {'test':>18}")
    row = ["all     "]
    for h in ("dev", "test"):
        v = tally[h]
        row.append(f"{sum(v) / len(v):.3f} ({len(v):3d}, {sum(x < 0.7 for x in v):3d}<.7)")
    print(" ".join(row))


if __name__ == "__main__":
    main()
