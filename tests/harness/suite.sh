#!/usr/bin/env bash
# Starts/stops the hybridrec processes (five services + gateway with its
# embedded broker) in the background, against DATABASE_URL / REDIS_URL from
# the environment.
#   suite.sh start BIN_DIR RUN_DIR     -> waits until the gateway's /readyz is 200
#   suite.sh stop RUN_DIR
#   suite.sh kill RUN_DIR SERVICE      -> SIGKILL one process (tests)
#   suite.sh restart BIN_DIR RUN_DIR SERVICE
# Ports: HR_GATEWAY_PORT (8080), HR_BROKER_PORT (5555), HR_METRICS_BASE (9101:
# interactions, +1 content, +2 trending, +3 rules, +4 collab).  Logs (one JSON
# object per line) in RUN_DIR/log/<name>.log, pids in RUN_DIR/<name>.pid.
set -euo pipefail
cmd=${1:?usage: suite.sh start BIN_DIR RUN_DIR | stop RUN_DIR | kill RUN_DIR SERVICE | restart BIN_DIR RUN_DIR SERVICE}

gw_port=${HR_GATEWAY_PORT:-8080}
broker_port=${HR_BROKER_PORT:-5555}
mbase=${HR_METRICS_BASE:-9101}
services=(interactions-svc content-svc trending-svc rules-svc collab-svc)

start_one() {  # BIN_DIR RUN_DIR NAME
  local bin=$1 run=$2 name=$3 i port threads
  local pidf="$run/$name.pid"
  if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then return 0; fi
  case "$name" in
    hybridrec-gateway)
      env HR_GATEWAY_PORT="$gw_port" HR_BROKER_BIND="tcp://127.0.0.1:$broker_port" \
          HR_BROKER_ENDPOINT="tcp://127.0.0.1:$broker_port" \
          "$bin/$name" >>"$run/log/$name.log" 2>&1 &
      ;;
    *)
      for i in "${!services[@]}"; do [ "${services[$i]}" = "$name" ] && port=$((mbase + i)); done
      threads=${HR_WORKER_THREADS:-2}
      [ "$name" = interactions-svc ] && threads=${HR_INTERACTIONS_THREADS:-16}
      env HR_BROKER_ENDPOINT="tcp://127.0.0.1:$broker_port" HR_METRICS_PORT="$port" \
          HR_WORKER_THREADS="$threads" \
          "$bin/$name" >>"$run/log/$name.log" 2>&1 &
      ;;
  esac
  echo $! >"$pidf"
}

wait_ready() {
  for _ in $(seq 1 300); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$gw_port/readyz" || true)
    [ "$code" = 200 ] && return 0
    sleep 0.1
  done
  echo "suite: gateway not ready after 30 s (last /readyz: ${code:-none}); logs in $1/log" >&2
  return 1
}

case "$cmd" in
start)
  bin=${2:?BIN_DIR}; run=${3:?RUN_DIR}
  mkdir -p "$run/log"
  start_one "$bin" "$run" hybridrec-gateway
  for s in "${services[@]}"; do start_one "$bin" "$run" "$s"; done
  wait_ready "$run"
  ;;
stop)
  run=${2:?RUN_DIR}
  for f in "$run"/*.pid; do
    [ -f "$f" ] || continue
    kill -TERM "$(cat "$f")" 2>/dev/null || true
  done
  for f in "$run"/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  ;;
kill)
  run=${2:?RUN_DIR}; name=${3:?SERVICE}
  [ -f "$run/$name.pid" ] && kill -KILL "$(cat "$run/$name.pid")" 2>/dev/null || true
  rm -f "$run/$name.pid"
  ;;
restart)
  bin=${2:?BIN_DIR}; run=${3:?RUN_DIR}; name=${4:?SERVICE}
  start_one "$bin" "$run" "$name"
  ;;
*) echo "usage: see the top of $0" >&2; exit 2 ;;
esac
