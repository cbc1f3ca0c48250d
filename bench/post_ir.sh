#!/usr/bin/env bash
# Instructions per POST /api/v1/interactions/interactions in the gateway and
# interactions-svc, counted by callgrind (issue 16): a figure other load on
# the machine does not move, unlike CPU seconds.
#   bench/post_ir.sh OUT [RATE=200] [SECONDS=20] [CONNECTIONS=32]
# Starts the Release stack (bench/lib.sh) in its own network namespace,
# restarts the gateway and interactions-svc under valgrind --tool=callgrind,
# runs `hr_load --mix ingest --users 1000` open loop at RATE POST/s, zeroes
# the counters when hr_load says "measuring" (after its set-up and warm-up)
# and dumps them when it ends.  OUT/summary: Ir of each process over the
# run and per POST (hr_load's count); OUT/load: hr_load's table; OUT/redis:
# `redis-cli info commandstats` over the run.  The batch size, and with it
# the cost per POST, depends on the rate: compare runs at the same RATE.
# IR_BIN=DIR: the gateway and interactions-svc measured are DIR's (e.g. a
# copy of main's build-rel/bin), the rest of the stack this tree's.
# IR_NATIVE=1: the two run without valgrind (bench/lib.sh bench_ir_callgrind):
# the load table only, no counts.
set -euo pipefail
out=$(mkdir -p "${1:?usage: bench/post_ir.sh OUT [RATE] [SECONDS] [CONNECTIONS]}" && cd "$1" && pwd)
rate=${2:-200} secs=${3:-20} conns=${4:-32}
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${HR_IR_NS:-}" ]; then
  exec unshare -n env HR_IR_NS=1 bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi
# valgrind runs the processes ~50x slower: no fan-out deadline
export HR_GATEWAY_DEADLINE_MS=10000 HR_GATEWAY_PRODUCT_WARM_BATCH=0
. "$here/lib.sh"
bench_stack_up 55494 56444 8254 5754 9490
rm -f "$out"/*.cg* "$out"/summary "$out"/load "$out"/redis
procs="hybridrec-gateway interactions-svc"
bench_ir_callgrind "$out" $procs
url=http://127.0.0.1:8254
body='{"user_id":"irwarm","event_type":"product_click","product_id":"B000000000"}'
for _ in $(seq 1 600); do       # until a POST is committed through both
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "$body" "$url/api/v1/interactions/interactions" || true)
  [ "$code" = 200 ] && break
  sleep 0.5
done
[ "$code" = 200 ] || { echo "post_ir: the stack never answered a POST (logs: $work/run/log)" >&2; exit 2; }
rcli() { redis-cli -p 56444 "$@"; }
"$bin/hr_load" --port 8254 --mix ingest --users 1000 --rate "$rate" --duration "$secs" \
  --warmup 5 --connections "$conns" >"$out/load" 2>&1 &
load=$!
for _ in $(seq 1 600); do grep -q '^measuring' "$out/load" && break; sleep 0.1; done
pids=$(for p in $procs; do cat "$work/run/$p.pid"; done)
[ -n "${IR_NATIVE:-}" ] || for p in $pids; do callgrind_control -z "$p" >/dev/null; done
rcli config resetstat >/dev/null
wait "$load"
[ -n "${IR_NATIVE:-}" ] || for p in $pids; do callgrind_control -d post "$p" >/dev/null; done
rcli info commandstats >"$out/redis"
posts=$(awk '$1 == "ALL" {print $2; exit}' "$out/load")
{
  echo "$posts POSTs at $rate/s, $conns connections, $secs s; Ir per process over the run, and per POST"
  for f in "$out"/*.cg.*; do
    [ -e "$f" ] || continue
    ir=$(grep -m1 '^summary:' "$f" | awk '{print $2}')
    echo "$(basename "$f") $ir $(( ir / ${posts:-1} ))"
  done
  grep -E 'cmdstat_(lpush|ltrim|expire|incr|decr|xadd)' "$out/redis" | cut -d, -f1
} | tee "$out/summary"
