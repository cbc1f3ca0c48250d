#!/usr/bin/env python3
"""The tables of bench/capacity.sh from its raw counters: one line per run,
"REPEAT CLASS key=value ... | key=value ..." (the snapshots before and
after).  Prints markdown; with WRITE_DOCS=1 also replaces the text between
the capacity-constants markers of DOCS (docs/scaling.md).
usage: capacity_table.py RESULTS COMMIT LOAD_BEFORE LOAD_AFTER SECONDS RATE REPEATS WRITE_DOCS DOCS [LIVE]
LIVE: the output of `hybridrec capacity` during the run, written between
the capacity-live markers of DOCS and of operations.md beside it."""
import re, statistics, sys
path, commit, load0, load1, secs, rate, repeats, write_docs, docs = sys.argv[1:10]
live = sys.argv[10] if len(sys.argv) > 10 else ""
services = ["interactions", "content", "trending", "rules", "collab"]
classes = ["home-history", "home-new", "product", "search", "post", "shop"]
def kv(text):
    return {k: float(v) for k, v in (x.split("=") for x in text.split())}
runs = {}
for line in open(path):
    rep, cls, rest = line.split(" ", 2)
    before, after = rest.split("|")
    b, a = kv(before), kv(after)
    runs[(int(rep), cls)] = (b, {k: a[k] - b.get(k, 0) for k in a})
procs = ["gw"] + services + ["postgres", "redis"]
# CPU per second at rest, per process, from each repeat's idle window
idle = {}
for (rep, cls), (_, d) in runs.items():
    if cls == "idle":
        idle[rep] = {p: d.get(p + "_cpu", 0) / d["t"] for p in procs}
        idle[rep]["gw_bcpu"] = d.get("gw_bcpu", 0) / d["t"]
        idle[rep]["gw_bmsgs"] = d.get("gw_bmsgs", 0) / d["t"]
# per (class, constant): one value per repeat
vals = {}
def put(cls, key, v):
    vals.setdefault((cls, key), []).append(v)
for (rep, cls), (_, d) in runs.items():
    if cls == "idle":
        continue
    http = d.get("gw_http", 0)
    if http <= 0:
        continue
    rest = idle.get(rep, {})
    marg = lambda p: max(0.0, d.get(p + "_cpu", 0) - rest.get(p, 0) * d["t"])
    put(cls, "rate", http / d["t"])
    put(cls, "gw_ms", 1000 * marg("gw") / http)
    bmsgs = d.get("gw_bmsgs", 0) - rest.get("gw_bmsgs", 0) * d["t"]
    bcpu = d.get("gw_bcpu", 0) - rest.get("gw_bcpu", 0) * d["t"]
    put(cls, "m", bmsgs / http)
    if bcpu > 0:
        put(cls, "Cb", d.get("gw_bmsgs", 0) / d.get("gw_bcpu", 1))
    put(cls, "lost", d.get("gw_lost", 0) / http)
    look = d.get("gw_hits", 0) + d.get("gw_misses", 0)
    if look > 0:
        put(cls, "hit", d.get("gw_hits", 0) / look)
    for s in services:
        calls = d.get(s + "_calls", 0)
        put(cls, s + "_k", calls / http)
        put(cls, s + "_d", 1000 * marg(s) / http)
        if calls >= 20:
            put(cls, s + "_c", 1000 * marg(s) / calls)
    put(cls, "pg_ms", 1000 * marg("postgres") / http)
    put(cls, "redis_ms", 1000 * marg("redis") / http)
def cell(cls, key, fmt="%.2f"):
    v = vals.get((cls, key))
    if not v:
        return "–"
    med = statistics.median(v)
    if len(v) == 1 or max(v) - min(v) < 0.005 * max(abs(med), 1e-9):
        return fmt % med
    return (fmt + " (" + fmt + "–" + fmt + ")") % (med, min(v), max(v))
label = {"home-history": "`/home`, user with history", "home-new": "`/home`, new user",
         "product": "`/product/{id}`", "search": "`/search`", "post": "POST a click",
         "shop": "**shop mix** (60/25/10/5)"}
out = []
out.append("Calls per HTTP request, per service (`k`; a `/product` or `/search` answered from the")
out.append("gateway's cache makes none; \"lost\": calls per request that timed out, failed or were")
out.append("skipped by an open circuit, i.e. answered degraded, which a loaded machine causes):\n")
out.append("| endpoint | req/s | " + " | ".join(services) + " | broker msgs `m` | cache hits | lost |")
out.append("|---|---|" + "---|" * len(services) + "---|---|---|")
for c in classes:
    out.append("| %s | %s | %s | %s | %s | %s |" % (label[c], cell(c, "rate", "%.0f"),
               " | ".join(cell(c, s + "_k") for s in services), cell(c, "m"), cell(c, "hit", "%.2f"),
               cell(c, "lost")))
out.append("\nCPU ms per call, per service (`c`, marginal: the idle CPU subtracted), the gateway's")
out.append("CPU ms per HTTP request (`c_gw`, its broker thread included), PostgreSQL and Redis")
out.append("per HTTP request, and the broker's messages per CPU second (`C_b`):\n")
out.append("| endpoint | " + " | ".join(services) + " | gateway | PostgreSQL | Redis | `C_b` |")
out.append("|---|" + "---|" * len(services) + "---|---|---|---|")
for c in classes:
    out.append("| %s | %s | %s | %s | %s | %s |" % (label[c], " | ".join(cell(c, s + "_c", "%.3f") for s in services),
               cell(c, "gw_ms", "%.3f"), cell(c, "pg_ms", "%.3f"), cell(c, "redis_ms", "%.3f"), cell(c, "Cb", "%.0f")))
out.append("\nCPU ms per HTTP request, per service (`d = k × c`, plus work that comes without a call:")
out.append("trending and collab consume the click stream that POSTs feed) and all processes together:\n")
out.append("| endpoint | " + " | ".join(services) + " | gateway | all, PostgreSQL and Redis included |")
out.append("|---|" + "---|" * len(services) + "---|---|")
for (rep, cls), (_, d) in runs.items():
    if cls != "idle" and d.get("gw_http", 0) > 0:
        r = idle.get(rep, {})
        put(cls, "all", 1000 * sum(max(0.0, d.get(p + "_cpu", 0) - r.get(p, 0) * d["t"]) for p in procs) / d["gw_http"])
for c in classes:
    out.append("| %s | %s | %s | %s |" % (label[c], " | ".join(cell(c, s + "_d", "%.3f") for s in services),
               cell(c, "gw_ms", "%.3f"), cell(c, "all", "%.3f")))
idle_cores = {p: statistics.median(idle[r][p] for r in idle) for p in procs} if idle else {}
out.append("\nAt rest (heartbeats, model polls), cores: " +
           ", ".join("%s %.3f" % ("gateway" if p == "gw" else p, idle_cores[p]) for p in procs if p in idle_cores) + ".")
out.append("\nMedian (min–max) over %s repeat(s); commit %s; load average %s before, %s after (1/5/15 min;"
           % (repeats, commit, load0, load1))
out.append("the machine: 2 cores shared by 8 agents building and testing at the same time, so")
out.append("every figure is an upper bound on cost). Command:")
out.append("`unshare -n bash -c 'ip link set lo up && bench/capacity.sh %s %s %s'`." % (secs, rate, repeats))
text = "\n".join(out)
print(text)
def between(doc, name, text):
    begin, end = "<!-- %s:begin -->" % name, "<!-- %s:end -->" % name
    if begin not in doc or end not in doc:
        print("capacity: no %s markers" % name, file=sys.stderr)
        return doc
    return doc[:doc.index(begin) + len(begin)] + "\n" + text + "\n" + doc[doc.index(end):]
if write_docs == "1":
    import os
    try:
        shown = open(live).read().rstrip("\n") if live else ""
    except OSError:
        shown = ""
    example = ("Example: `hybridrec capacity --interval 5` during the last shop-mix run of\n"
               "`bench/capacity.sh` (%s requests/s on a machine shared by 8 agents; commit %s):\n\n" % (rate, commit)
               + "\n".join("    " + l if l else "" for l in shown.split("\n")))
    # docs/scaling.md: the tables and the example; docs/operations.md beside it: the example
    for i, name in enumerate([docs, os.path.join(os.path.dirname(docs), "operations.md")]):
        if not os.path.exists(name):
            continue
        doc = open(name).read()
        if i == 0:
            doc = between(doc, "capacity-constants", text)
        if shown:
            doc = between(doc, "capacity-live", example)
        open(name, "w").write(doc)
        print("capacity: wrote into " + name, file=sys.stderr)
