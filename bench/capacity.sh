#!/usr/bin/env bash
# The constants of the capacity model (docs/scaling.md, "Capacity model"):
# one throwaway Release stack (one gateway with its embedded broker, one
# replica of each service), then each endpoint ALONE at RATE req/s open
# loop for SECONDS (hr_load --only: /home with history, /home without,
# /product, /search, POST a click) and the shop mix, REPEATS times; around
# each run the counters of every process (/metrics):
#   gateway: API requests, process_cpu_seconds_total, broker messages and
#            broker thread CPU, cache hits/misses
#   service: calls (hr_requests_total, batch items one by one), process CPU
# and PostgreSQL + Redis CPU from /proc.  An idle window first gives every
# process's CPU at rest (heartbeats, model polls), which is subtracted: the
# constants are the marginal cost of traffic.  Prints, per endpoint, the
# calls per HTTP request and CPU ms per call of every service, the gateway
# CPU ms per request and the broker messages per request and per CPU second,
# median and spread over the repeats.
#   bench/capacity.sh [SECONDS=10] [RATE=150] [REPEATS=2]
#   BENCH_CAPACITY_DOCS=1 bench/capacity.sh ...  also writes the tables into
#       docs/scaling.md between the capacity-constants markers, and the
#       output of `hybridrec capacity` taken during the last shop-mix run
#       between the capacity-live markers.
# Run it inside a network namespace on a shared machine:
#   unshare -n bash -c 'ip link set lo up && bench/capacity.sh'
# Slow starts (a loaded machine) are waited for, on conditions, up to 5 min
# each: PostgreSQL and Redis answering, the gateway's and every service's
# /readyz, hr_load's "measuring" line.
# Ports: PG 55484, Redis 56434, gateway 8244, broker 5744, metrics 9500..9504.
set -euo pipefail
secs=${1:-10}
rate=${2:-150}
repeats=${3:-2}
export HR_SUITE_READY_S=${HR_SUITE_READY_S:-300}   # a loaded machine starts slowly
export HR_STACK_WAIT_S=${HR_STACK_WAIT_S:-300}
. "$(dirname "$0")/lib.sh"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
bench_stack_up 55484 56434 8244 5744 9500
services=(interactions content trending rules collab)   # suite.sh's metrics order
gw=8244

wait_for() {  # SECONDS WHAT COMMAND...: polls COMMAND every 0.2 s
  local limit=$1 what=$2 i; shift 2
  for i in $(seq 1 $((limit * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "capacity: $what not after $limit s; logs in $work/run/log" >&2
  exit 1
}
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" = 200 ]; }
for i in "${!services[@]}"; do wait_for 300 "${services[$i]}-svc ready" ready $((9500 + i)); done
wait_for 300 "gateway ready" ready $gw

# Every series of interest from one /metrics, as "key=value ...".
scrape() {  # PORT PREFIX
  curl -s "http://127.0.0.1:$1/metrics" | awk -v p="$2" '
    /^#/ { next }
    { name = $1; sub(/\{.*/, "", name); v = $NF }
    name == "process_cpu_seconds_total" { s["cpu"] += v }
    name == "hr_requests_total" && $1 !~ /method="batch"/ { s["calls"] += v }
    name == "hr_gateway_requests_total" && $1 ~ /endpoint="(home|product|search|interactions_post|interactions_get|events)"/ { s["http"] += v }
    name == "hr_broker_messages_total" { s["bmsgs"] += v }
    name == "hr_broker_cpu_seconds" { s["bcpu"] += v }
    name == "hr_gateway_cache_hits_total" { s["hits"] += v }
    name == "hr_gateway_cache_misses_total" { s["misses"] += v }
    name ~ /^hr_gateway_fanout_(timeouts|errors|skipped)_total$/ { s["lost"] += v }
    END { for (k in s) printf " %s_%s=%.6f", p, k, s[k] }'
}
snapshot() {
  local i hz t
  printf 't=%s' "$(date +%s.%N)"
  scrape $gw gw
  for i in "${!services[@]}"; do scrape $((9500 + i)) "${services[$i]}"; done
  hz=$(getconf CLK_TCK)
  # PostgreSQL and Redis from /proc (bench_cpu: clock ticks)
  bench_cpu | tr ' ' '\n' | awk -F= -v hz="$hz" '$1 == "postgres" || $1 == "redis" { printf " %s_cpu=%.2f", $1, $2 / hz }'
  echo
}

results=$work/results
: >"$results"
measure() {  # REPEAT CLASS  -> appends "REPEAT CLASS BEFORE | AFTER"
  local rep=$1 cls=$2 out=$work/load.$cls.$rep before after pid
  if [ "$cls" = idle ]; then
    before=$(snapshot); sleep "$secs"; after=$(snapshot)
  else
    local args=(--port $gw --rate "$rate" --duration "$secs" --warmup 2 --connections 32)
    [ "$cls" = shop ] || args+=(--only "$cls")
    [ "$cls" = home-history ] && args+=(--users 500)   # hr_load seeds a click for 500 users
    "$bin/hr_load" "${args[@]}" >"$out" 2>&1 &
    pid=$!
    # set-up (product ids, seeded histories) and warm-up are not measured
    wait_for 600 "hr_load $cls measuring" grep -q '^measuring' "$out"
    before=$(snapshot)
    if [ "$cls" = shop ] && [ "$rep" = "$repeats" ]; then   # the live view of the same load
      HR_CAPACITY_GATEWAYS=127.0.0.1:$gw HR_CAPACITY_SERVICES=$(seq -s, -f '127.0.0.1:%g' 9500 9504) \
        "$bin/hybridrec" capacity --interval 5 >"$work/live" 2>&1 || true
    fi
    wait "$pid"
    after=$(snapshot)
    grep -E '^ALL' "$out" | sed "s/^/  $cls: /" >&2
  fi
  echo "$rep $cls $before | $after" >>"$results"
}

echo "capacity: $repeats repeat(s) of idle + 5 endpoints + shop mix, $rate req/s for $secs s each" >&2
for rep in $(seq 1 "$repeats"); do
  for cls in idle home-history home-new product search post shop; do
    measure "$rep" "$cls"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -s "$work/live" ]; then
  echo "== hybridrec capacity --interval 5, during the last shop-mix run ($rate req/s):"
  cat "$work/live"; echo
fi
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!docs' 2>/dev/null || echo '+dirty')

cp "$results" "/tmp/hr-capacity-results.$$"   # bench/capacity_table.py can render it again
echo "capacity: raw counters in /tmp/hr-capacity-results.$$" >&2
python3 "$root/bench/capacity_table.py" "$results" "$commit" "$load_before" "$load_after" "$secs" "$rate" "$repeats" \
    "${BENCH_CAPACITY_DOCS:-0}" "$root/docs/scaling.md" "$work/live"
