#!/usr/bin/env bash
# The constants of the capacity model (docs/scaling.md, "Capacity model"):
# one Release stack (one gateway with its embedded broker, one replica of
# each service), an open-loop shop mix at RATE req/s for SECONDS, then per
# service the calls per HTTP request and the CPU per call, and the broker
# thread's CPU per message it received (-> messages/s per broker thread).
#   bench/capacity.sh [SECONDS=15] [RATE=400]
# Ports: PG 55484, Redis 56434, gateway 8244, broker 5744, metrics 9500.
set -euo pipefail
secs=${1:-15}
rate=${2:-400}
. "$(dirname "$0")/lib.sh"
bench_stack_up 55484 56434 8244 5744 9500
services=(interactions content trending rules collab)   # suite.sh's metrics order
metric() {  # PORT NAME: the sum of every sample of NAME
  curl -s "http://127.0.0.1:$1/metrics" |
    awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $NF } END { printf "%.6f", s }'
}
snapshot() {
  printf 'http=%s broker_msgs=%s broker_cpu=%s' "$(metric 8244 hr_gateway_requests_total)" \
    "$(metric 8244 hr_broker_messages_total)" "$(metric 8244 hr_broker_cpu_seconds)"
  for i in "${!services[@]}"; do printf ' calls_%s=%s' "${services[$i]}" "$(metric $((9500 + i)) hr_requests_total)"; done
  printf ' %s\n' "$(bench_cpu)"
}
"$bin/hr_load" --port 8244 --rate "$rate" --duration 3 --connections 64 >/dev/null 2>&1   # warm-up
sleep 1.2        # the broker series move once a heartbeat (1 s)
before=$(snapshot)
"$bin/hr_load" --port 8244 --rate "$rate" --duration "$secs" --connections 64 >"$work/out" 2>&1
sleep 1.2
after=$(snapshot)
grep -E '^(open|closed)|^ALL' "$work/out"
awk -v hz="$(getconf CLK_TCK)" -v svcs="${services[*]}" 'BEGIN {
  n = split(ARGV[1], a, " "); for (i = 1; i <= n; i++) { split(a[i], kv, "="); b[kv[1]] = kv[2] }
  n = split(ARGV[2], a, " "); for (i = 1; i <= n; i++) { split(a[i], kv, "="); d[kv[1]] = kv[2] - b[kv[1]] }
  http = d["http"]
  printf "HTTP requests %d; broker: %d messages in, %.3f s CPU -> %.1f us per message, %.0f messages/s per broker thread\n",
    http, d["broker_msgs"], d["broker_cpu"], 1e6 * d["broker_cpu"] / d["broker_msgs"], d["broker_msgs"] / d["broker_cpu"]
  printf "broker messages per HTTP request: %.2f\n", d["broker_msgs"] / http
  printf "gateway CPU per HTTP request: %.3f ms\n", 1000 * d["hybridrec-gateway"] / hz / http
  m = split(svcs, s, " ")
  for (i = 1; i <= m; i++) {
    c = d["calls_" s[i]]; cpu = d[s[i] "-svc"] / hz
    printf "%-13s calls per HTTP request %.2f, CPU per call %.3f ms, calls/s per core %.0f\n",
      s[i], c / http, c ? 1000 * cpu / c : 0, cpu > 0 ? c / cpu : 0
  }
  printf "postgres CPU per HTTP request %.3f ms, redis %.3f ms\n", 1000 * d["postgres"] / hz / http, 1000 * d["redis"] / hz / http
  ARGV[1] = ARGV[2] = "" }' "$before" "$after"
