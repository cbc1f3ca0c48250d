#!/usr/bin/env bash
# The gateway and ingest benchmarks of BENCHMARKS.md in one run, side by side
# on one stack (Release, full catalog): open loop at 1,000 req/s, closed loop,
# the h2o fixed-response ceiling, and the interactions write path through
# HTTP (closed loop, and open loop at 2,000 events/s).  After each closed-loop
# run: CPU per process (percent of one core; the machine has two).
#   bench/gateway.sh [SECONDS=20]
# Ports: PG 55482, Redis 56432, gateway 8242, broker 5742, metrics 9460.
set -euo pipefail
secs=${1:-20}
. "$(dirname "$0")/lib.sh"
HR_GATEWAY_BENCH=1 bench_stack_up 55482 56432 8242 5742 9460
load() { "$bin/hr_load" --port 8242 --duration "$secs" "$@"; }
measured() {  # LABEL hr_load-args...: runs, prints the ALL line and the CPU split
  local label=$1 before after; shift
  before=$(bench_cpu)
  load "$@" >"$work/out" 2>&1
  after=$(bench_cpu)
  echo "== $label: hr_load $*"
  grep -E '^(class|ALL|product|post)' "$work/out"
  echo "   CPU: $(bench_cpu_delta "$before" "$after" "$(awk -v s="$secs" 'BEGIN {print s + 3}')")"
}
measured "open loop 1,000 req/s, shop mix" --rate 1000 --connections 64
measured "closed loop, shop mix" --rate 0 --connections 64
measured "closed loop, shop mix" --rate 0 --connections 128
measured "ceiling: h2o fixed 36 KB" --rate 0 --connections 64 --target '/bench/fixed?bytes=36000'
measured "ingest, closed loop" --rate 0 --connections 256 --mix ingest --users 100000
measured "ingest, open loop 2,000 events/s" --rate 2000 --connections 256 --mix ingest --users 100000
