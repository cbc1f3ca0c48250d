#!/usr/bin/env bash
# `make bench`: the Release build (done by `make build`) includes every
# benchmark program in build/bin; this runs the quick, self-contained ones and
# says how to run the rest. Commands and results: BENCHMARKS.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=build/bin
shared=../shared/data
echo "== broker round trips (bench_proto)"
"$bin/bench_proto"
if [ -f "$shared/online-retail/online_retail_baskets.csv" ]; then
  echo "== FP-Growth on online-retail baskets"
  "$bin/bench_rules_fpgrowth" "$shared/online-retail/online_retail_baskets.csv" 0.01 0.005
else
  echo "SKIP: FP-Growth benchmark ($shared/online-retail absent)"
fi
cat <<MSG

Longer benchmarks (see BENCHMARKS.md for their exact commands and results):
  bench/soak.sh 10 1000                       the 10-minute soak through the whole stack
  $bin/hr_load --port 8080 --rate 1000 ...    open/closed-loop load against a running gateway (make run)
  $bin/content_build / content_search / content_eval, collab_bench_train, ingest_bench
MSG
