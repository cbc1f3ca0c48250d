#!/usr/bin/env bash
# Soak: the realistic mix at a fixed rate for a long time against the whole
# local stack (Release build, full catalog when ../shared/data is present),
# reporting p99 per minute, errors, and the resident memory of every process
# after each minute (growth after warm-up = a leak or an unbounded cache).
#   bench/soak.sh [MINUTES=10] [RATE=1000]
# Ports: PG 55480, Redis 56430, gateway 8140, broker 5640, metrics 9240.
set -euo pipefail
minutes=${1:-10}
rate=${2:-1000}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-rel -j2 --target hybridrec hybridrec-gateway interactions-svc content-svc \
  trending-svc rules-svc collab-svc hr_load >/dev/null
bin=$root/build-rel/bin
work=$(mktemp -d /tmp/hr-soak-XXXXXX)
chmod 755 "$work"      # PostgreSQL runs as its own user below it
trap 'tests/harness/suite.sh stop "$work/run" >/dev/null 2>&1; tests/harness/stack.sh stop "$work/stack" >/dev/null 2>&1; rm -rf "$work"' EXIT
tests/harness/stack.sh start "$work/stack" 55480 56430 >/dev/null
export DATABASE_URL=postgresql://hybridrec@127.0.0.1:55480/hybridrec REDIS_URL=redis://127.0.0.1:56430/0
export HR_GATEWAY_PORT=8140 HR_BROKER_PORT=5640 HR_METRICS_BASE=9240 HR_LOG_LEVEL=warn HR_GATEWAY_ACCESS_LOG=0
shared=$root/../shared/data/amazon-in-products
if [ -d "$shared" ]; then
  "$bin/hybridrec" import-catalog "$shared"/first100-per-category/*.csv "$shared"/full-category/*.csv >/dev/null
else
  echo "soak: ../shared/data absent, using the bundled sample catalog" >&2
  "$bin/hybridrec" import-catalog data/catalog-sample.csv >/dev/null
fi
"$bin/hybridrec" train all >/dev/null 2>&1
tests/harness/suite.sh start "$bin" "$work/run"
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
