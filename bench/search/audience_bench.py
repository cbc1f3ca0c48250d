#!/usr/bin/env python3
"""audience_bench — a synthetic benchmark of audience queries from the catalog.

Product types are the head nouns of product names (the word before the
first "(", ",", "|", " - ", "for" or "with", or the last word) that head at
least 10 names of each of two or more audiences.  The audience of a product
is judged as bench/search/README.md judges it: its name or Amazon category
says so, with judge.py's macros (@WOMEN, @MEN, @KIDS; girls/boys/baby count
as kids; a unisex item is not counted for men or women).  For every such
type and audience, queries are generated from templates ("<type> for
<audience>", "<audience>'s <type>", "<audience> <type>", "ladies/gents
<type>", "<type> for girls/boys") and a result is relevant when its name
holds the type word (singular or plural) and its name or category the
audience.  Only queries with at least 10 relevant products are kept.  P@10
through search_topk (variants collapsed), split into a dev half (to tune
on) and a test half (to report) by a hash of the type word.

With --min-audiences 1 the types sold to one audience only are in too
(a woman's "nighty", a man's "trimmer": there the audience word is mostly
redundant, and the question is whether it hurts).

--pronouns adds "<type> for her" and "<type> for him" (the pronoun is a
stop word: the query has only the type word left).

usage: audience_bench.py [--topk build/bin/search_topk] [--off PART]...
                         [--min-audiences N] [--pronouns] [--dump FILE] CSV...
"""
import argparse
import collections
import csv
import hashlib
import json
import re
import subprocess

AUD = {
    "women": r"\b(women|womens|woman|ladies|lady|female)\b",
    "men": r"\b(men|mens|man|gents|gentlemen|male)\b",
    "kids": r"\b(kids?|child|children|boys?|girls?|baby|babies|infant|toddler|junior)\b",
}
AUD_RE = {a: re.compile(p) for a, p in AUD.items()}
TEMPLATES = {
    "women": ["{t} for women", "women's {t}", "women {t}", "ladies {t}"],
    "men": ["{t} for men", "men's {t}", "men {t}", "gents {t}"],
    "kids": ["{t} for kids", "kids {t}", "{t} for girls", "boys {t}"],
}
HEAD_END = re.compile(r"\s*(?:\(|,|\||\s-\s|\bfor\b|\bwith\b)")
WORD = re.compile(r"[a-z]+")
#  heads that name no type ("... Compatible with", "Combo of ...")
NOT_TYPES = {"compatible", "combo", "pack", "set", "kit", "piece", "pcs", "edition"}


def head(name):
    first = HEAD_END.split(name.lower(), 1)[0]
    ws = WORD.findall(first)
    return ws[-1] if ws else None


def singular(w):
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("es") and w[-3:-2] in ("s", "x", "z", "h"):
        return w[:-2]
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


def audiences(text):
    return {a for a, r in AUD_RE.items() if r.search(text)}


def half(w):
    return "dev" if hashlib.md5(w.encode()).digest()[0] % 2 == 0 else "test"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--topk", default="build/bin/search_topk")
    ap.add_argument("--off", action="append", default=[])
    ap.add_argument("--dump", help="per-query P@10 of the dev half, JSON lines")
    ap.add_argument("--min-audiences", type=int, default=2,
                    help="audiences a type must head 10 names of (1: types sold to one "
                         "audience too, the rarer types)")
    ap.add_argument("--pronouns", action="store_true",
                    help="also '<type> for her' (women) and '<type> for him' (men)")
    ap.add_argument("csv", nargs="+")
    args = ap.parse_args()
    if args.pronouns:
        TEMPLATES["women"].append("{t} for her")
        TEMPLATES["men"].append("{t} for him")
    prods = {}
    for p in args.csv:
        with open(p, newline="", encoding="utf-8", errors="replace") as f:
            for row in csv.DictReader(f):
                name = row.get("name") or ""
                cat = f"{row.get('main_category') or ''} > {row.get('sub_category') or ''}"
                prods[name] = (name.lower(), (name + " || " + cat).lower())
    heads = collections.Counter()
    for lname, anytext in prods.values():
        h = head(lname)
        if h and len(h) >= 3 and h not in AUD_RE and not AUD_RE["kids"].fullmatch(h):
            for a in audiences(anytext):
                heads[(singular(h), a)] += 1
    types = collections.defaultdict(set)
    for (t, a), n in heads.items():
        if n >= 10:
            types[t].add(a)
    queries = []
    for t in sorted(types):
        if len(types[t]) < args.min_audiences or t in NOT_TYPES or any(AUD_RE[a].fullmatch(t) for a in AUD):
            continue
        tre = re.compile(r"\b" + re.escape(t) + r"(s|es)?\b" if not t.endswith("y")
                         else r"\b(" + re.escape(t) + r"|" + re.escape(t[:-1]) + r"ies)\b")
        for a in sorted(types[t]):
            rel = sum(1 for ln, at in prods.values() if tre.search(ln) and AUD_RE[a].search(at))
            if rel < 10:
                continue
            for k, tpl in enumerate(TEMPLATES[a]):
                queries.append({"q": tpl.format(t=t), "type": t, "aud": a, "tpl": k})
    cmd = [args.topk]
    for o in args.off:
        cmd += ["--off", o]
    out = subprocess.run(cmd + args.csv, input="\n".join(q["q"] for q in queries) + "\n",
                         text=True, capture_output=True, check=True).stdout
    res = {}
    for line in out.splitlines():
        o = json.loads(line)
        res[o["query"]] = o["results"]
    tally = collections.defaultdict(list)
    dump = open(args.dump, "w") if args.dump else None
    for q in queries:
        t, a = q["type"], q["aud"]
        tre = re.compile(r"\b" + re.escape(t) + r"(s|es)?\b" if not t.endswith("y")
                         else r"\b(" + re.escape(t) + r"|" + re.escape(t[:-1]) + r"ies)\b")
        rs = res.get(q["q"], [])[:10]
        ok = [bool(tre.search(r["name"].lower()) and AUD_RE[a].search(
            (r["name"] + " || " + r.get("category", "")).lower())) for r in rs]
        p = sum(ok) / 10
        h = half(t)
        for key in ("all", "audience " + a, "template " + TEMPLATES[a][q["tpl"]].replace("{t}", "T")):
            tally[(h, key)].append(p)
        if dump and h == "dev":
            dump.write(json.dumps(dict(q, p10=p, results=[(r["name"], r.get("category"), k)
                                                           for r, k in zip(rs, ok)])) + "\n")
    keys = sorted({k for _, k in tally}, key=lambda k: (k != "all", k))
    print(f"{'':24} {'dev':>16} {'test':>16}")
    for k in keys:
        row = [f"{k:24}"]
        for h in ("dev", "test"):
            v = tally[(h, k)]
            row.append(f"{sum(v) / len(v):.3f} ({len(v):3d}, {sum(x < 0.7 for x in v):3d}<.7)"
                       if v else f"{'-':>16}")
        print(" ".join(row))


if __name__ == "__main__":
    main()
