#!/usr/bin/env bash
# An interleaved A/B of two builds: two complete hybridrec stacks (each its own PostgreSQL,
# Redis, services and gateway, on ports of their own) from two bin dirs, seeded alike,
# up at the same time; then ROUNDS rounds in which they take turns running the shared
# harness (../shared/bench/load.sh, closed loop) for SECONDS each, A then B in odd rounds,
# B then A in even ones (order effects cancel); last, a table per kind: A and B per round,
# the medians, B/A of the medians and each round's B/A (the spread).
#   bench/ab.sh BIN_A BIN_B [ROUNDS=3] [SECONDS=10]        (make bench-ab BIN_A=.. BIN_B=..)
#   e.g.  cp -r ../main/build-rel/bin /tmp/bin-main          # a copy: a rebuild must not
#         cmake --build build-rel -j2 && cp -r build-rel/bin /tmp/bin-mine   # change it mid-run
#         bench/ab.sh /tmp/bin-main /tmp/bin-mine
# Why: on a shared machine CPU time per request moves by 20-50 % between passes minutes
# apart on unchanged code, more than the effects measured; with both stacks up and the
# turns interleaved, what the machine does to one turn it does as much to the next one.
# Run it once with BIN_A = BIN_B (two copies of one build): the A/A ratios are the
# harness's own noise floor (BENCHMARKS.md "Interleaved A/B: bench/ab.sh").
# Per turn: requests, req/s, p99 (wrk's), non-2xx answers, and the server CPU per request
# of that stack's processes only: user+system time (/proc/PID/stat) of the pids of its
# gateway, services, Redis, postmaster and backends (bench_stack_pids, by pid file, not by
# command name: both stacks have the same names), from just before load.sh to just after
# (its ~0.5 s of set-up and report included; the other stack idles meanwhile).  load.sh's
# own "CPU: server" line counts both stacks by name and is not used.  Every turn replays
# requests.tsv from the same offsets (mix.lua), so a stack's caches hold more of a turn's
# requests round after round: alike on both stacks, which see the same turns in the same
# number; compare A with B of one run, not turns of different rounds or runs.
# Environment: KINDS="mix home post search" (mix: the whole mix; else load.sh's KIND),
#   CONNS=32 connections, WARMUP=3 s of the same load on the same stack before each turn
#   (not counted), PRIME=SECONDS s of the mix on each stack before the first round (not
#   counted: the caches of a stack just started fill; without it round 1's mix cost ~40 %
#   more CPU per request than round 2's on both stacks), WORK=/tmp/hr-abbin (inputs, the converted catalog, ab.jsonl: one line per
#   turn; bench/ab_turns_table.py WORK/ab.jsonl prints the table again), HR_* variables
#   (both stacks get them, e.g. HR_GATEWAY_PRODUCT_WARM_BATCH=0: no /product warming in
#   the background, whose CPU would land in whichever turn it runs).
# Both stacks get the catalog of compare.sh (the amazon.in CSVs converted by the
# reference's converter), the shared harness's 1,000 seeded users (load.sh seed), models
# trained over them by their own `hybridrec train all`, then a restart of their processes
# (each loads the new models at start; ready = /readyz 200).  The schema is whatever each
# build's binaries apply; the harness scripts (tests/harness) are this tree's.  Runs in its
# own network + PID namespace (like compare.sh); ports: A gateway 8271, B 8272 (PostgreSQL
# 55611/55621, Redis 56611/56621, broker 5771/5772, metrics 9611../9631..).  Needs root
# (unshare).  Both stacks are stopped on exit, Ctrl-C and SIGTERM included (and, as this
# script is the namespace's first process, the kernel kills whatever is left when it ends).
set -euo pipefail
usage() { sed -n '2,42p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
if [ $# -lt 2 ] || [ ! -d "${1:-/nonexistent}" ] || [ ! -d "${2:-/nonexistent}" ]; then usage; fi
bin_a=$(cd "$1" && pwd) bin_b=$(cd "$2" && pwd)
rounds=${3:-3} secs=${4:-10}
for b in "$bin_a" "$bin_b"; do
  for p in hybridrec hybridrec-gateway interactions-svc content-svc trending-svc rules-svc collab-svc; do
    [ -x "$b/$p" ] || { echo "ab.sh: $b/$p missing (a bin dir of a Release build?)" >&2; exit 2; }
  done
done
[[ "$rounds" =~ ^[1-9][0-9]*$ && "$secs" =~ ^[1-9][0-9]*$ ]] || usage
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_netns HR_ABBIN_NS "$0" "$bin_a" "$bin_b" "$rounds" "$secs"
cd "$here/.."
bench_compare_setup /tmp/hr-abbin
kinds=${KINDS:-mix home post search} conns=${CONNS:-32} warm=${WARMUP:-3} prime=${PRIME:-$secs}
for k in $kinds; do
  case $k in mix|home|product|search|post) ;; *) echo "ab.sh: unknown kind $k" >&2; exit 2 ;; esac
done
load=$shared/bench/load.sh
: >"$RESULTS"
turns=$WORK/ab.jsonl
: >"$turns"

declare -A bins=([A]=$bin_a [B]=$bin_b) ports=([A]="55611 56611 8271 5771 9611" [B]="55621 56621 8272 5772 9631")
declare -A url=([A]=http://127.0.0.1:8271 [B]=http://127.0.0.1:8272)
stacks=$(mktemp -d /tmp/hr-abbin-stacks-XXXXXX)
chmod 755 "$stacks"      # PostgreSQL runs as its own user below it
trap 'bench_stack_stop "$stacks/A"; bench_stack_stop "$stacks/B"; rm -rf "$stacks"' EXIT
trap 'exit 130' INT; trap 'exit 143' TERM HUP   # bash runs no EXIT trap on a fatal signal

up() {  # A|B: the stack up, seeded, trained, restarted (in a subshell: its own exports)
  (
    export BENCH_CATALOG=$CATALOG
    # shellcheck disable=SC2086  # five port numbers
    bench_stack_start "${bins[$1]}" "$stacks/$1" ${ports[$1]}
    "$load" "${url[$1]}" 0 seed | sed "s/^/  $1: /"
    "${bins[$1]}/hybridrec" train all >"$stacks/$1/train.log" 2>&1 \
      || { echo "ab.sh: stack $1: train all failed:" >&2; tail -5 "$stacks/$1/train.log" >&2; exit 1; }
    tests/harness/suite.sh stop "$stacks/$1/run" >/dev/null
    tests/harness/suite.sh start "${bins[$1]}" "$stacks/$1/run" >/dev/null
  )
}

turn() {  # STACK ROUND KIND POSITION: one measured closed loop on STACK, one line in $turns
  local s=$1 r=$2 k=$3 pos=$4 kind before after out hz
  kind=$k; [ "$k" != mix ] || kind=
  [ "$warm" = 0 ] || WARMUP=0 SKIP_SEED=1 CONNS=$conns KIND=$kind RESULTS=$WORK/warmup.jsonl \
    "$load" "${url[$s]}" "$warm" >/dev/null
  # shellcheck disable=SC2046  # one pid a word
  before=$(bench_ticks $(bench_stack_pids "$stacks/$s"))
  out=$(WARMUP=0 SKIP_SEED=1 CONNS=$conns KIND=$kind LABEL="ab $s r$r $k" SERVER_COMMS=none \
    "$load" "${url[$s]}" "$secs" 2>&1) || { echo "$out" >&2; echo "ab.sh: load.sh failed on stack $s" >&2; return 1; }
  # shellcheck disable=SC2046
  after=$(bench_ticks $(bench_stack_pids "$stacks/$s"))
  hz=$(getconf CLK_TCK)
  python3 - "$RESULTS" "$turns" "$s" "$r" "$k" "$pos" "$hz" "$before" "$after" <<'PY'
import json, sys
results, turns, stack, rnd, kind, pos, hz, before, after = sys.argv[1:]
def ticks(text):
    return {p: int(float(t)) for p, _, t in (l.partition("=") for l in text.split())}
b, a = ticks(before), ticks(after)
cpu_s = sum(max(0, t - b.get(p, 0)) for p, t in a.items()) / int(hz)   # a backend new since: from 0
res = json.loads(open(results).read().splitlines()[-1])
if not res.get("label", "").startswith(f"ab {stack} r{rnd} {kind} "):
    sys.exit(f"ab.sh: load.sh recorded no result for stack {stack} round {rnd} {kind}")
n = res["requests"]
bad = res["other_4xx"] + res["s5xx"] + res["socket_errors"]
row = {"stack": stack, "round": int(rnd), "kind": kind, "position": int(pos), "requests": n,
       "rps": res["throughput_rps"], "cpu_s": round(cpu_s, 2),
       "cpu_ms_per_request": round(1000 * cpu_s / n, 4) if n else None,
       "p99_ms": res["latency_ms"]["p99"], "non_2xx": bad, "loadavg": res.get("loadavg_after", [""])[0]}
open(turns, "a").write(json.dumps(row) + "\n")
print(f"  r{rnd} {kind:6s} {stack}: {n} requests, {res['throughput_rps']:,.0f} req/s, "
      f"{row['cpu_ms_per_request']} ms CPU/request ({cpu_s:.1f} s of stack {stack}), "
      f"p99 {row['p99_ms']:.1f} ms" + (f", {bad} not 2xx/404-fallback" if bad else "")
      + f"  (load {row['loadavg']})")
PY
}

echo "== stack A from $bin_a"
up A
echo "== stack B from $bin_b"
up B
if [ "$prime" != 0 ]; then
  echo "== priming: the mix for $prime s on A, then on B (not counted)"
  for s in A B; do
    WARMUP=0 SKIP_SEED=1 CONNS=$conns RESULTS=$WORK/warmup.jsonl "$load" "${url[$s]}" "$prime" >/dev/null
  done
fi
echo "== $rounds rounds x kinds ($kinds), closed loop c=$conns, $secs s per turn (+${warm} s warm-up)"
for r in $(seq 1 "$rounds"); do
  order="A B"; [ $((r % 2)) = 1 ] || order="B A"
  for k in $kinds; do
    pos=0
    for s in $order; do pos=$((pos + 1)); turn "$s" "$r" "$k" "$pos"; done
  done
done
echo
python3 "$here/ab_turns_table.py" "$turns" "$secs" "$conns"
