# Sourced by the whole-stack benchmarks (soak.sh, gateway.sh, compare.sh, ab_env.sh, ab.sh, ...):
# builds the Release binaries, starts throwaway PostgreSQL + Redis and every process on
# the given ports with the full catalog (BENCH_CATALOG when set, else the
# amazon.in CSVs, the bundled sample when ../shared/data is absent), trained
# models, and removes it all on exit.
#   bench_stack_up PG_PORT REDIS_PORT GATEWAY_PORT BROKER_PORT METRICS_BASE
# Sets: root, bin, work (run dir = $work/run), and exports DATABASE_URL, REDIS_URL,
# HR_GATEWAY_PORT, HR_BROKER_PORT, HR_METRICS_BASE.
bench_stack_up() {
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  cd "$root"
  cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build-rel -j2 --target hybridrec hybridrec-gateway interactions-svc content-svc \
    trending-svc rules-svc collab-svc hr_load >/dev/null
  bin=$root/build-rel/bin
  work=$(mktemp -d /tmp/hr-bench-XXXXXX)
  trap 'bench_stack_stop "$work"; rm -rf "$work"' EXIT
  bench_stack_start "$bin" "$work" "$@"
}

# bench_stack_start BIN WORK PG_PORT REDIS_PORT GATEWAY_PORT BROKER_PORT METRICS_BASE:
# bench_stack_up's stack from the binaries in BIN, in WORK (WORK/stack: PostgreSQL + Redis,
# WORK/run: the processes), from the repository root (the current directory), no build,
# no trap (bench_stack_stop WORK stops it).  Exports what bench_stack_up does.
bench_stack_start() {
  local bin=$1 work=$2 pg=$3 redis=$4
  mkdir -p "$work"
  chmod 755 "$work"      # PostgreSQL runs as its own user below it
  tests/harness/stack.sh start "$work/stack" "$pg" "$redis" >/dev/null
  export DATABASE_URL=postgresql://hybridrec@127.0.0.1:$pg/hybridrec REDIS_URL=redis://127.0.0.1:$redis/0
  export HR_GATEWAY_PORT=$5 HR_BROKER_PORT=$6 HR_METRICS_BASE=$7
  export HR_LOG_LEVEL=${HR_LOG_LEVEL:-warn} HR_GATEWAY_ACCESS_LOG=${HR_GATEWAY_ACCESS_LOG:-0}
  local shared=../shared/data/amazon-in-products
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

# bench_stack_stop WORK: stops the processes and the PostgreSQL + Redis of bench_stack_start.
bench_stack_stop() {
  tests/harness/suite.sh stop "$1/run" >/dev/null 2>&1 || true
  tests/harness/stack.sh stop "$1/stack" >/dev/null 2>&1 || true
}

# bench_stack_pids [WORK=$work]: the pids of one stack, one a line: its processes
# (gateway, services), Redis, PostgreSQL's postmaster and its children (backends,
# background workers) -- by the stack's pid files, not by command name (two stacks
# from the same binaries have the same names).
bench_stack_pids() {
  local w=${1:-$work} f
  for f in "$w"/run/*.pid "$w/stack/redis.pid"; do [ -f "$f" ] && cat "$f"; done
  bench_pg_pids "$w"
}

# bench_pg_pids [WORK=$work]: PostgreSQL's postmaster of that stack and its children.
bench_pg_pids() {
  local pg
  pg=$(head -1 "${1:-$work}/stack/pg/postmaster.pid")
  echo "$pg"
  pgrep -P "$pg" || true
}

# bench_ticks PID...: "pid=ticks" (CPU time so far, user+system, clock ticks) of each
# PID, one a line (0 for a process gone).
bench_ticks() {
  local p
  for p in "$@"; do
    printf '%s=%s\n' "$p" "$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)"
  done
}

# CPU time (clock ticks, user+system) used so far by each process of the
# run, and by PostgreSQL (postmaster + backends) and Redis: "name=ticks ...".
bench_cpu() {
  local f p t=0
  ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
  for f in "$work"/run/*.pid; do
    printf ' %s=%s' "$(basename "$f" .pid)" "$(ticks "$(cat "$f")")"
  done
  for p in $(bench_pg_pids); do t=$((t + $(ticks "$p"))); done
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

# bench_netns MARK SCRIPT ARGS...: unless MARK is set (it is, inside), re-executes
# SCRIPT with ARGS in its own network + PID namespace, loopback up: ports never collide,
# and the CPU report of load.sh (by command name, from /proc) sees only this run's
# processes.
bench_netns() {
  local mark=$1; shift
  [ -z "${!mark:-}" ] || return 0
  exec unshare -n -p -m -f --mount-proc env "$mark=1" \
    bash -c 'ip link set lo up && exec "$0" "$@"' "$@"
}

# bench_ir_prepare DEFAULT_WORK: what the instruction counts per request share
# (search_ir.sh, home_ir.sh): sets shared (../shared) and exports WORK (default
# DEFAULT_WORK) and BENCH_CATALOG (the amazon.in CSVs converted once by the
# reference's converter), makes the shared harness's inputs once ($WORK/inputs,
# seed 1), and, as valgrind runs a process ~50x slower, no fan-out deadline and
# no /product warmer.
bench_ir_prepare() {
  shared=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../shared" && pwd)
  export WORK=${WORK:-$1}
  mkdir -p "$WORK"
  export BENCH_CATALOG=$WORK/catalog.csv
  [ -s "$BENCH_CATALOG" ] || /usr/bin/python3 "$shared/reference/data/convert_amazon.py" \
    "$shared/data/amazon-in-products" -o "$BENCH_CATALOG"
  [ -s "$WORK/inputs/requests.tsv" ] || /usr/bin/python3 "$shared/bench/gen_inputs.py" \
    "$BENCH_CATALOG" "$WORK/inputs" --seed 1 >/dev/null
  export HR_GATEWAY_DEADLINE_MS=10000 HR_GATEWAY_PRODUCT_WARM_BATCH=0
}

# bench_ir_callgrind OUT PROC...: each PROC of the running stack restarted
# under valgrind --tool=callgrind (counts in OUT/PROC.cg), from IR_BIN when set
# (else this tree's build-rel/bin); IR_NATIVE=1: restarted without valgrind.
# Sets vb, the folder of the wrappers (suite.sh restart "$vb" ... starts one again).
bench_ir_callgrind() {
  local out=$1 p vg
  shift
  vb=$work/vbin; mkdir "$vb"
  for p in "$@"; do
    vg="valgrind --tool=callgrind --callgrind-out-file=$out/$p.cg"
    [ -z "${IR_NATIVE:-}" ] || vg=
    printf '#!/bin/sh\nexec %s "%s/%s"\n' "$vg" "${IR_BIN:-$bin}" "$p" >"$vb/$p"
    chmod +x "$vb/$p"
    tests/harness/suite.sh kill "$work/run" "$p"
    tests/harness/suite.sh restart "$vb" "$work/run" "$p"
  done
}

# bench_ir_measure OUT URL WHAT PIDS PATH...: one counted pass: URL+PATH asked
# for each PATH in turn while the processes PIDS run under callgrind (counts
# zeroed before, dumped as "requests" after, then as long idle and dumped as
# "idle"); bodies in OUT/resp/<i>, status and size in OUT/codes, the Ir of each
# dump in OUT/summary.  IR_NATIVE=1: the answers only, no counts.
bench_ir_measure() {
  local out=$1 url=$2 what=$3 pids=$4 p path f t0 secs i=0
  shift 4
  [ -n "${IR_NATIVE:-}" ] || for p in $pids; do callgrind_control -z "$p" >/dev/null; done
  t0=$(date +%s.%N)
  for path in "$@"; do
    i=$((i + 1))
    curl -s -o "$out/resp/$i" -w '%{http_code} %{size_download}\n' "$url$path" >>"$out/codes"
  done
  secs=$(echo "$(date +%s.%N) - $t0" | bc)
  [ -n "${IR_NATIVE:-}" ] || for p in $pids; do callgrind_control -d requests "$p" >/dev/null; done
  sleep "$secs"
  [ -n "${IR_NATIVE:-}" ] || for p in $pids; do callgrind_control -d idle "$p" >/dev/null; done
  {
    echo "$# $what in $secs s; Ir per process (.1: over the requests, .2: as long idle)"
    for f in "$out"/*.cg.*; do [ -e "$f" ] || continue; echo "$(basename "$f") $(grep -m1 '^summary:' "$f")"; done
  } | tee "$out/summary"
  awk '{print "status " $1}' "$out/codes" | sort | uniq -c
}

# bench_reference_deps: the reference's Debian packages (../shared/reference/README.md
# "Install"), installed when missing; before bench_netns (apt needs the network).
bench_reference_deps() {
  local p missing=() sudo_=""
  for p in python3-fastapi python3-uvicorn python3-uvloop python3-httptools \
           python3-asyncpg python3-sklearn python3-numpy python3-scipy; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "bench: installing the reference's packages: ${missing[*]}" >&2
  [ "$(id -u)" = 0 ] || sudo_=sudo
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { DEBIAN_FRONTEND=noninteractive $sudo_ apt-get update -qq \
         && DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
}

# bench_compare_setup DEFAULT_WORK: what the runs with the shared harness share
# (compare.sh, ab_env.sh): sets shared (../shared) and exports WORK (default
# DEFAULT_WORK), RESULTS, QUIET_WAIT=0 and CATALOG, the amazon.in CSVs converted once by
# the reference's converter (its ids, so both servers know the same products).
bench_compare_setup() {
  shared=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../shared" && pwd)
  export WORK=${WORK:-$1}
  mkdir -p "$WORK"; chmod 755 "$WORK"
  export RESULTS=$WORK/results.jsonl QUIET_WAIT=0 CATALOG=$WORK/catalog.csv
  [ -s "$CATALOG" ] || /usr/bin/python3 "$shared/reference/data/convert_amazon.py" \
    "$shared/data/amazon-in-products" -o "$CATALOG"
}

# bench_seeded_stack: hybridrec with CATALOG on compare.sh's ports (gateway 8252), the
# shared harness's seeded users, then models trained over the seeded histories (as the
# reference recomputes at restart).  Sets url, and SERVER_COMMS to hybridrec's processes.
bench_seeded_stack() {
  export BENCH_CATALOG=$CATALOG
  bench_stack_up 55492 56442 8252 5752 9470
  url=http://127.0.0.1:8252
  "$shared/bench/load.sh" "$url" 0 seed
  "$bin/hybridrec" train all >/dev/null 2>&1
  sleep 10                     # every service polls for the new versions
  export SERVER_COMMS=hybridrec-gatew,content-svc,interactions-sv,trending-svc,collab-svc,rules-svc,redis-server,postgres
}
