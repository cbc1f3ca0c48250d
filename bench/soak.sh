#!/usr/bin/env bash
# Soak: the realistic mix at a fixed rate for a long time against the whole
# local stack (Release build, full catalog when ../shared/data is present),
# reporting p99 per minute, errors, and the resident memory of every process
# after each minute (growth after warm-up = a leak or an unbounded cache).
#   bench/soak.sh [MINUTES=10] [RATE=1000]
# Ports: PG 55480, Redis 56430, gateway 8140, broker 5640, metrics 9480 (outside the
# test suite's ranges, so a soak and `make test` can share the machine).
set -euo pipefail
minutes=${1:-10}
rate=${2:-1000}
. "$(dirname "$0")/lib.sh"
bench_stack_up 55480 56430 8140 5640 9480
rss() {
  for f in "$work"/run/*.pid; do
    printf ' %s=%s' "$(basename "$f" .pid)" "$(ps -o rss= -p "$(cat "$f")" | tr -d ' ')"
  done
}
echo "minute  req/s   p50ms  p99ms  maxms  5xx/err   RSS KiB per process"
for m in $(seq 1 "$minutes"); do
  out=$("$bin/hr_load" --port 8140 --rate "$rate" --duration 60 --connections 64 2>&1)
  line=$(echo "$out" | awk '$1 == "ALL"')
  set -- $line
  errs=$(echo "${9:-?/?/?/?/?}" | awk -F/ '{print $4 "/" $5}')
  printf '%6d %7s %7s %6s %6s %8s  %s\n' "$m" "$3" "$4" "$6" "$8" "$errs" "$(rss)"
done
