#!/usr/bin/env bash
# An interleaved A/B of one gateway variable on one seeded stack, with the shared harness
# (../shared/bench/load.sh) at the API's defaults: per round and value, the gateway is
# restarted with VAR=value, then `/home` alone (closed loop, 32 connections), the mix (32
# connections) and the open loop at 1,000 req/s, SECONDS each; the cache metrics after.
#   bench/ab_env.sh VAR "VALUE_A VALUE_B" [ROUNDS=2] [SECONDS=10]
#   e.g. bench/ab_env.sh HR_GATEWAY_HOME_CACHE_MB "0 64"
# On a shared machine run-to-run noise is large: interleaving (A, B, A, B) spreads it over
# both values.  Runs in its own network + PID namespace (like compare.sh): ports never
# collide and the CPU report sees only this run's processes.  WORK=/tmp/hr-ab (inputs,
# results.jsonl; the catalog converted once, as compare.sh does).
set -euo pipefail
var=${1:?usage: bench/ab_env.sh VAR "VALUE_A VALUE_B" [ROUNDS] [SECONDS]}
values=${2:?values}; rounds=${3:-2}; secs=${4:-10}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_netns HR_AB_NS "$0" "$@"
bench_compare_setup /tmp/hr-ab
bench_seeded_stack
for r in $(seq 1 "$rounds"); do
  for v in $values; do
    tests/harness/suite.sh kill "$work/run" hybridrec-gateway >/dev/null 2>&1 || true
    env "$var=$v" tests/harness/suite.sh restart "$bin" "$work/run" hybridrec-gateway
    for _ in $(seq 1 150); do
      [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" = 200 ] && break
      sleep 0.2
    done
    echo "=== round $r $var=$v"
    CONNS=32 SKIP_SEED=1 KIND=home LABEL="$var=$v r$r" "$shared/bench/load.sh" "$url" "$secs"
    CONNS=32 SKIP_SEED=1 LABEL="$var=$v r$r" "$shared/bench/load.sh" "$url" "$secs"
    SKIP_SEED=1 LABEL="$var=$v r$r" "$shared/bench/load.sh" "$url" "$secs" 1000
    curl -s "$url/metrics" | grep '^hr_gateway_cache_' || true
  done
done
python3 "$here/ab_table.py" "$RESULTS"
