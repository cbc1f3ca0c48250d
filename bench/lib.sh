# Sourced by the whole-stack benchmarks (soak.sh, gateway.sh): builds the
# Release binaries, starts throwaway PostgreSQL + Redis and every process on
# the given ports with the full catalog (BENCH_CATALOG when set, else the
# amazon.in CSVs, the bundled sample when ../shared/data is absent), trained
# models, and removes it all on exit.
#   bench_stack_up PG_PORT REDIS_PORT GATEWAY_PORT BROKER_PORT METRICS_BASE
# Sets: bin, work (run dir = $work/run), and exports DATABASE_URL, REDIS_URL,
# HR_GATEWAY_PORT, HR_BROKER_PORT, HR_METRICS_BASE.
bench_stack_up() {
  local pg=$1 redis=$2
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  cd "$root"
  cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build-rel -j2 --target hybridrec hybridrec-gateway interactions-svc content-svc \
    trending-svc rules-svc collab-svc hr_load >/dev/null
  bin=$root/build-rel/bin
  work=$(mktemp -d /tmp/hr-bench-XXXXXX)
  chmod 755 "$work"      # PostgreSQL runs as its own user below it
  trap 'tests/harness/suite.sh stop "$work/run" >/dev/null 2>&1; tests/harness/stack.sh stop "$work/stack" >/dev/null 2>&1; rm -rf "$work"' EXIT
  tests/harness/stack.sh start "$work/stack" "$pg" "$redis" >/dev/null
  export DATABASE_URL=postgresql://hybridrec@127.0.0.1:$pg/hybridrec REDIS_URL=redis://127.0.0.1:$redis/0
  export HR_GATEWAY_PORT=$3 HR_BROKER_PORT=$4 HR_METRICS_BASE=$5
  export HR_LOG_LEVEL=${HR_LOG_LEVEL:-warn} HR_GATEWAY_ACCESS_LOG=${HR_GATEWAY_ACCESS_LOG:-0}
  local shared=$root/../shared/data/amazon-in-products
  if [ -n "${BENCH_CATALOG:-}" ]; then   # a spec-format CSV (compare.sh: the reference's ids)
    "$bin/hybridrec" import-catalog "$BENCH_CATALOG" >/dev/null
  elif [ -d "$shared" ]; then
    "$bin/hybridrec" import-catalog "$shared"/first100-per-category/*.csv "$shared"/full-category/*.csv >/dev/null
  else
    echo "bench: ../shared/data absent, using the bundled sample catalog" >&2
    "$bin/hybridrec" import-catalog data/catalog-sample.csv >/dev/null
  fi
  "$bin/hybridrec" train all >/dev/null 2>&1
  tests/harness/suite.sh start "$bin" "$work/run" >/dev/null
}

# CPU time (clock ticks, user+system) used so far by each process of the
# run, and by PostgreSQL (postmaster + backends) and Redis: "name=ticks ...".
bench_cpu() {
  local f pg p t=0
  ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
  for f in "$work"/run/*.pid; do
    printf ' %s=%s' "$(basename "$f" .pid)" "$(ticks "$(cat "$f")")"
  done
  pg=$(head -1 "$work/stack/pg/postmaster.pid")
  for p in $pg $(pgrep -P "$pg"); do t=$((t + $(ticks "$p"))); done
  printf ' postgres=%s redis=%s\n' "$t" "$(ticks "$(cat "$work/stack/redis.pid")")"
}

# Two bench_cpu lines -> each process's CPU as percent of one core over SECONDS.
bench_cpu_delta() {  # BEFORE AFTER SECONDS
  awk -v s="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    n = split(ARGV[1], a, " "); for (i = 1; i <= n; i++) { split(a[i], kv, "="); b[kv[1]] = kv[2] }
    n = split(ARGV[2], a, " ")
    for (i = 1; i <= n; i++) {
      split(a[i], kv, "="); d = (kv[2] - b[kv[1]]) / hz; tot += d
      printf "%s %.0f%%  ", kv[1], 100 * d / s
    }
    printf "| all %.0f%% of one core\n", 100 * tot / s; ARGV[1] = ARGV[2] = "" }' "$1" "$2"
}
