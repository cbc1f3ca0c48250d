#!/usr/bin/env bash
# System calls per request, per process, of the whole stack (gateway, services,
# PostgreSQL, Redis) during a closed loop of one endpoint kind: `perf trace -s` attached
# to every process of the seeded stack (bench_seeded_stack: the amazon.in catalog, 1,000
# seeded users) while the shared harness runs KIND alone (CONNS=8 connections, SECONDS).
# CONNS=1: one request at a time, nothing batched: the cost of one request's path, nearly
# the same from run to run (with 8, how much libzmq batches moves the counts by ~10%).
#   bench/syscalls.sh [KINDS=home] [SECONDS=5]      KINDS: home, product, search, post
#   e.g. bench/syscalls.sh "home post search"       (one stack, one run per kind)
# Counts depend much less than CPU time on what else runs on the machine (a syscall
# costs ~1 us on the VM of BENCHMARKS.md "Syscalls per request").  perf counts from
# 1 s before the loop to 3 s after it; what the stack does idle in as long (heartbeats
# of every worker thread, measured first) is taken off.  No /product warming (it runs in
# the background after a version change and every 45 s).  Needs root (perf trace,
# unshare).  Runs in its own network + PID namespace.  WORK=/tmp/hr-syscalls.
set -euo pipefail
kinds=${1:-home} secs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_netns HR_SYSCALLS_NS "$0" "$@"
bench_compare_setup /tmp/hr-syscalls
export HR_GATEWAY_PRODUCT_WARM_BATCH=0    # no /product warming in the background
bench_seeded_stack
pids=$(bench_stack_pids | paste -sd, -)
count() {  # KIND: one closed loop under perf trace, then the table (KIND idle: no load)
  local kind=$1 trace=$work/trace.$1.txt out reqs=1 perf_pid
  perf trace -s -p "$pids" -o "$trace" -- sleep $((secs + 4)) >/dev/null 2>&1 &
  perf_pid=$!
  sleep 1
  if [ "$kind" != idle ]; then
    out=$(WARMUP=0 CONNS=${CONNS:-8} THREADS=$(( ${CONNS:-8} < 2 ? 1 : 2 )) SKIP_SEED=1 KIND=$kind LABEL="syscalls $kind" \
      "$shared/bench/load.sh" "$url" "$secs" 2>&1)
    echo "$out" | grep -E '^MIX  (requests|responses)'
    reqs=$(echo "$out" | sed -n 's/^MIX  requests=\([0-9]*\).*/\1/p' | head -1)
  fi
  wait "$perf_pid" || true
  # Each thread to its process (perf names threads: libzmq's I/O threads are
  # "ZMQbg/IO/0" in every process).
  local p t
  for p in ${pids//,/ }; do
    for t in /proc/"$p"/task/*; do echo "${t##*/} $(cat /proc/"$p"/comm 2>/dev/null)"; done
  done >"$work/threads.txt" 2>/dev/null || true
  python3 - "$trace" "$reqs" "$kind" "$work/threads.txt" "$work/trace.idle.txt" <<'PY'
import collections, os, re, sys
trace, reqs, kind, threads, idle = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
proc = dict(line.split(None, 1) for line in open(threads) if len(line.split(None, 1)) == 2)
def read(path):
    calls, where = collections.Counter(), None
    for line in open(path):
        m = re.match(r'\s*(\S.*?) \((\d+)\), (\d+) events', line)
        if m:
            where = proc.get(m.group(2), m.group(1)).strip()
            continue
        m = re.match(r'\s+(\w+)\s+(\d+)\s+(\d+)\s+([\d.]+)', line)
        if m and where and m.group(1) != 'syscall':
            calls[(where, m.group(1))] += int(m.group(2))
    return calls
calls = read(trace)
if kind == 'idle':
    print(f"idle (no load, {os.environ['secs']} + 4 s): {sum(calls.values())} system calls, taken off each kind below")
    sys.exit(0)
calls.subtract(read(idle))
by = collections.Counter()
for (c, _), n in calls.items():
    by[c] += n
print(f"{kind}: {reqs} requests; syscalls per request by process (the calls >= 0.1):")
for c, n in by.most_common():
    top = ", ".join(f"{s} {k / reqs:.2f}" for (cc, s), k in calls.most_common() if cc == c and k / reqs >= 0.1)
    print(f"  {c:18s} {n / reqs:7.2f}  {top}")
print(f"  {'total':18s} {sum(by.values()) / reqs:7.2f}")
PY
}

export secs
for kind in idle $kinds; do count "$kind"; done
