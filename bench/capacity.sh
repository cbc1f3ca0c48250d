#!/usr/bin/env bash
# The constants of the capacity model (docs/scaling.md, "Capacity model"):
# one throwaway Release stack (one gateway with its embedded broker, one
# replica of each service), then each endpoint ALONE at RATE req/s open
# loop for SECONDS (hr_load --only: /home with history, /home without,
# /product, /search, POST a click) and the shop mix, REPEATS times; around
# each run the counters of every process (/metrics):
#   gateway: API requests, process_cpu_seconds_total, broker messages and
#            broker thread CPU, cache hits/misses
#   service: calls (hr_requests_total, batch items one by one), process CPU
# and PostgreSQL + Redis CPU from /proc.  An idle window first gives every
# process's CPU at rest (heartbeats, model polls), which is subtracted: the
# constants are the marginal cost of traffic.  Prints, per endpoint, the
# calls per HTTP request and CPU ms per call of every service, the gateway
# CPU ms per request and the broker messages per request and per CPU second,
# median and spread over the repeats.
#   bench/capacity.sh [SECONDS=10] [RATE=150] [REPEATS=2]
#   BENCH_CAPACITY_DOCS=1 bench/capacity.sh ...  also writes the table into
#       docs/scaling.md between the capacity-constants markers.
# Run it inside a network namespace on a shared machine:
#   unshare -n bash -c 'ip link set lo up && bench/capacity.sh'
# Slow starts (a loaded machine) are waited for, on conditions: the gateway's
# and every service's /readyz, hr_load's "measuring" line.
# Ports: PG 55484, Redis 56434, gateway 8244, broker 5744, metrics 9500..9504.
set -euo pipefail
secs=${1:-10}
rate=${2:-150}
repeats=${3:-2}
export HR_SUITE_READY_S=${HR_SUITE_READY_S:-300}   # a loaded machine starts slowly
. "$(dirname "$0")/lib.sh"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
bench_stack_up 55484 56434 8244 5744 9500
services=(interactions content trending rules collab)   # suite.sh's metrics order
gw=8244

wait_for() {  # SECONDS WHAT COMMAND...: polls COMMAND every 0.2 s
  local limit=$1 what=$2 i; shift 2
  for i in $(seq 1 $((limit * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "capacity: $what not after $limit s; logs in $work/run/log" >&2
  exit 1
}
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" = 200 ]; }
for i in "${!services[@]}"; do wait_for 300 "${services[$i]}-svc ready" ready $((9500 + i)); done
wait_for 300 "gateway ready" ready $gw

# Every series of interest from one /metrics, as "key=value ...".
scrape() {  # PORT PREFIX
  curl -s "http://127.0.0.1:$1/metrics" | awk -v p="$2" '
    /^#/ { next }
    { name = $1; sub(/\{.*/, "", name); v = $NF }
    name == "process_cpu_seconds_total" { s["cpu"] += v }
    name == "hr_requests_total" && $1 !~ /method="batch"/ { s["calls"] += v }
    name == "hr_gateway_requests_total" && $1 ~ /endpoint="(home|product|search|interactions_post|interactions_get|events)"/ { s["http"] += v }
    name == "hr_broker_messages_total" { s["bmsgs"] += v }
    name == "hr_broker_cpu_seconds" { s["bcpu"] += v }
    name == "hr_gateway_cache_hits_total" { s["hits"] += v }
    name == "hr_gateway_cache_misses_total" { s["misses"] += v }
    name ~ /^hr_gateway_fanout_(timeouts|errors|skipped)_total$/ { s["lost"] += v }
    END { for (k in s) printf " %s_%s=%.6f", p, k, s[k] }'
}
snapshot() {
  local i hz t
  printf 't=%s' "$(date +%s.%N)"
  scrape $gw gw
  for i in "${!services[@]}"; do scrape $((9500 + i)) "${services[$i]}"; done
  hz=$(getconf CLK_TCK)
  # PostgreSQL and Redis from /proc (bench_cpu: clock ticks)
  bench_cpu | tr ' ' '\n' | awk -F= -v hz="$hz" '$1 == "postgres" || $1 == "redis" { printf " %s_cpu=%.2f", $1, $2 / hz }'
  echo
}

results=$work/results
: >"$results"
measure() {  # REPEAT CLASS  -> appends "REPEAT CLASS BEFORE | AFTER"
  local rep=$1 cls=$2 out=$work/load.$cls.$rep before after pid
  if [ "$cls" = idle ]; then
    before=$(snapshot); sleep "$secs"; after=$(snapshot)
  else
    local args=(--port $gw --rate "$rate" --duration "$secs" --warmup 2 --connections 32)
    [ "$cls" = shop ] || args+=(--only "$cls")
    [ "$cls" = home-history ] && args+=(--users 500)   # hr_load seeds a click for 500 users
    "$bin/hr_load" "${args[@]}" >"$out" 2>&1 &
    pid=$!
    # set-up (product ids, seeded histories) and warm-up are not measured
    wait_for 600 "hr_load $cls measuring" grep -q '^measuring' "$out"
    before=$(snapshot)
    wait "$pid"
    after=$(snapshot)
    grep -E '^ALL' "$out" | sed "s/^/  $cls: /" >&2
  fi
  echo "$rep $cls $before | $after" >>"$results"
}

echo "capacity: $repeats repeat(s) of idle + 5 endpoints + shop mix, $rate req/s for $secs s each" >&2
for rep in $(seq 1 "$repeats"); do
  for cls in idle home-history home-new product search post shop; do
    measure "$rep" "$cls"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!docs' 2>/dev/null || echo '+dirty')

python3 - "$results" "$commit" "$load_before" "$load_after" "$secs" "$rate" "$repeats" \
    "${BENCH_CAPACITY_DOCS:-0}" "$root/docs/scaling.md" <<'EOF'
import re, statistics, sys
path, commit, load0, load1, secs, rate, repeats, write_docs, docs = sys.argv[1:]
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
if write_docs == "1":
    doc = open(docs).read()
    begin, end = "<!-- capacity-constants:begin -->", "<!-- capacity-constants:end -->"
    if begin in doc and end in doc:
        doc = doc[:doc.index(begin) + len(begin)] + "\n" + text + "\n" + doc[doc.index(end):]
        open(docs, "w").write(doc)
        print("capacity: wrote the table into " + docs, file=sys.stderr)
    else:
        print("capacity: no capacity-constants markers in " + docs, file=sys.stderr)
EOF
