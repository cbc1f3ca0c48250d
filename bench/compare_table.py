#!/usr/bin/env python3
"""The reference-vs-hybridrec table from load.sh's results.jsonl (bench/compare.sh).

  python3 bench/compare_table.py RESULTS.jsonl

Rows are matched by label ("hybridrec ..." / "reference ..."); the last row of each label
wins.  Ratios: req/s hybridrec / reference; CPU per request and p99 reference / hybridrec
(so > 1 always means hybridrec is better)."""
import json
import sys


def load(path):
    rows = {}
    for line in open(path):
        if line.strip():
            r = json.loads(line)
            rows[r.get("label", "")] = r
    return rows


def fmt(x, nd=0):
    if x is None:
        return "-"
    return f"{x:,.{nd}f}"


def main():
    rows = load(sys.argv[1])
    who = ("reference", "hybridrec")

    def get(what):
        return [rows.get(f"{w} {what}") for w in who]

    print("| run | reference | hybridrec | ratio |")
    print("|---|---:|---:|---:|")

    def line(name, vals, nd, better_high):
        ref, hr = vals
        ratio = "-"
        if ref and hr:
            ratio = f"{(hr / ref if better_high else ref / hr):.1f}×"
        print(f"| {name} | {fmt(ref, nd)} | {fmt(hr, nd)} | {ratio} |")

    closed = sorted({k.split(" ", 1)[1] for k in rows if " closed " in f" {k} "},
                    key=lambda s: (not s.endswith(" mix"), s))
    for what in closed:
        r = get(what)
        tag = what.replace("closed ", "")
        line(f"closed loop {tag}: req/s", [x and x.get("throughput_rps") for x in r], 0, True)
        line(f"closed loop {tag}: server CPU ms per request",
             [x and x.get("server_cpu_ms_per_request") for x in r], 3, False)
        line(f"closed loop {tag}: p99 ms", [x and x["latency_ms"]["p99"] for x in r], 1, False)
        five = [x and x.get("s5xx") for x in r]
        total = [x and x.get("requests") for x in r]
        print(f"| closed loop {tag}: 5xx / requests | {fmt(five[0])} / {fmt(total[0])} "
              f"| {fmt(five[1])} / {fmt(total[1])} | |")
    opened = sorted({k.split(" ", 1)[1] for k in rows if " open " in f" {k} "})
    for what in opened:
        r = get(what)
        line(f"{what}: p99 ms", [x and x["kinds"]["ALL"]["p99"] for x in r], 1, False)
        line(f"{what}: server CPU ms per request",
             [x and x.get("server_cpu_ms_per_request") for x in r], 3, False)
        five = [x and x["kinds"]["ALL"]["s5xx"] for x in r]
        print(f"| {what}: 5xx | {fmt(five[0])} | {fmt(five[1])} | |")


if __name__ == "__main__":
    main()
