#!/usr/bin/env python3
"""The tables of bench/ab.sh: per kind, A and B of each round (the order they ran in),
B/A per round, then the medians and B/A of the medians, and the median and range of the
per-round ratios (paired: a slow drift of the machine hits both turns of a round; the
range is the spread, with A = B the harness's own noise).

usage: ab_turns_table.py AB.jsonl [SECONDS CONNS]"""
import json
import statistics
import sys

FIGURES = [("req/s", "rps", "{:,.0f}"),
           ("CPU ms/req", "cpu_ms_per_request", "{:.3f}"),
           ("p99 ms", "p99_ms", "{:.1f}")]


def ratio(a, b):
    return b / a if a else float("nan")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    turns = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    what = f"closed loop, {sys.argv[3]} connections, {sys.argv[2]} s per turn" if len(sys.argv) > 3 else "closed loop"
    kinds = list(dict.fromkeys(t["kind"] for t in turns))
    summary = []
    for kind in kinds:
        by = {(t["round"], t["stack"]): t for t in turns if t["kind"] == kind}
        rounds = sorted({r for r, _ in by})
        rounds = [r for r in rounds if (r, "A") in by and (r, "B") in by]
        if not rounds:
            continue
        print(f"{kind}: {what}")
        head = " | ".join(f"{n} A | {n} B | B/A" for n, _, _ in FIGURES)
        print(f"| round (order) | {head} |")
        print("|---|" + "---:|" * (3 * len(FIGURES)))
        per = {key: [] for _, key, _ in FIGURES}
        for r in rounds:
            a, b = by[(r, "A")], by[(r, "B")]
            order = "A B" if a["position"] < b["position"] else "B A"
            cells = []
            for _, key, fmt in FIGURES:
                q = ratio(a[key], b[key])
                per[key].append(q)
                cells += [fmt.format(a[key]), fmt.format(b[key]), f"{q:.3f}"]
            bad = a["non_2xx"] + b["non_2xx"]
            note = f" ({a['non_2xx']}/{b['non_2xx']} not 2xx)" if bad else ""
            print(f"| {r} ({order}){note} | " + " | ".join(cells) + " |")
        cells, spread, medians = [], [], {}
        for _, key, fmt in FIGURES:
            ma = statistics.median(by[(r, "A")][key] for r in rounds)
            mb = statistics.median(by[(r, "B")][key] for r in rounds)
            medians[key] = ratio(ma, mb)
            cells += [fmt.format(ma), fmt.format(mb), f"**{medians[key]:.3f}**"]
            spread += ["", "", f"{statistics.median(per[key]):.3f} ({min(per[key]):.3f}..{max(per[key]):.3f})"]
        print("| median | " + " | ".join(cells) + " |")
        print("| per-round B/A: median (range) | " + " | ".join(spread) + " |")
        print()
        line = "; ".join(f"{name} {medians[key]:.3f} ({', '.join(f'{q:.3f}' for q in per[key])})"
                         for name, key, _ in FIGURES)
        summary.append(f"  {kind:7s} {line}")
    print("B/A of the medians (each round's B/A, in round order):")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
