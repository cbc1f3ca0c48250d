#!/usr/bin/env python3
"""The table of bench/ab_env.sh: one column per run (in the order they ran), one row
per figure (server CPU ms per request, req/s, p99).

usage: ab_table.py RESULTS.jsonl"""
import json
import sys

runs, rows = [], {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    label = r.get("label", "")
    name, _, kind = label.partition(" closed c=32 ") if " closed " in label else label.partition(" open ")
    if name not in runs:
        runs.append(name)
    if r["mode"] == "closed":
        what = "home alone" if "home-only" in kind else "mix c=32"
        rows.setdefault(f"{what}: server CPU ms/req", {})[name] = f'{r["server_cpu_ms_per_request"]:.3f}'
        rows.setdefault(f"{what}: req/s", {})[name] = f'{r["throughput_rps"]:,.0f}'
        rows.setdefault(f"{what}: p99 ms", {})[name] = f'{r["latency_ms"]["p99"]:.1f}'
    else:
        rows.setdefault("open loop 1,000 req/s: server CPU ms/req", {})[name] = f'{r["server_cpu_ms_per_request"]:.3f}'
        rows.setdefault("open loop 1,000 req/s: p99 ms", {})[name] = f'{r["kinds"]["ALL"]["p99"]:.1f}'
print("| run | " + " | ".join(runs) + " |")
print("|---|" + "---:|" * len(runs))
for row, cells in rows.items():
    print(f"| {row} | " + " | ".join(cells.get(n, "") for n in runs) + " |")
