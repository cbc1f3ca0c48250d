#!/usr/bin/env bash
# Starts/stops the hybridrec processes (five services + gateway with its
# embedded broker) in the background, against DATABASE_URL / REDIS_URL from
# the environment.
#   suite.sh start BIN_DIR RUN_DIR     -> waits until the gateway's /readyz is 200
#   suite.sh stop RUN_DIR
#   suite.sh kill RUN_DIR NAME         -> SIGKILL one process (tests)
#   suite.sh restart BIN_DIR RUN_DIR NAME
#   suite.sh signal RUN_DIR NAME SIG   -> e.g. STOP / CONT (the pid file stays)
#   suite.sh replica BIN_DIR RUN_DIR SERVICE N   -> extra replica N (>= 2) of a
#        service: pid/log name SERVICE.N, metrics port HR_METRICS_BASE+10*(N-1)+i
#   suite.sh broker BIN_DIR RUN_DIR    -> the standalone broker (hybridrec-broker)
#   suite.sh gateway2 BIN_DIR RUN_DIR  -> a second gateway on HR_GATEWAY2_PORT
#        (default gateway port + 1) using the standalone broker
#   suite.sh gateway BIN_DIR RUN_DIR K -> with HR_SUITE_BROKER=mesh: gateway K
#        (>= 2) on gateway port + K - 1 with its broker on broker port + K - 1
# Topology: HR_SUITE_BROKER=standalone makes `start` run hybridrec-broker on
# its own and the gateway with HR_GATEWAY_EMBED_BROKER=0 (default: embedded).
# HR_SUITE_BROKER=mesh (docs/scaling.md): HR_SUITE_GATEWAYS gateways (3),
# each with its embedded broker; every service replica registers with all
# of them (HR_BROKER_ENDPOINTS); `start` starts the first gateway only.
# HR_SUITE_BROKER=mesh-standalone: the same, except that the last gateway
# uses hybridrec-broker (bound on that gateway's broker port, started by
# `start`) instead of a broker of its own.
# NAME is a pid-file name: hybridrec-gateway, hybridrec-gateway2 (..K),
# hybridrec-broker, <service> or <service>.N.
# Ports: HR_GATEWAY_PORT (8080), HR_BROKER_PORT (5555), HR_METRICS_BASE (9101:
# interactions, +1 content, +2 trending, +3 rules, +4 collab, +9 standalone
# broker).  Logs (one JSON object per line) in RUN_DIR/log/<name>.log, pids in
# RUN_DIR/<name>.pid.
set -euo pipefail
cmd=${1:?usage: see the top of suite.sh}

gw_port=${HR_GATEWAY_PORT:-8080}
gw2_port=${HR_GATEWAY2_PORT:-$((gw_port + 1))}
broker_port=${HR_BROKER_PORT:-5555}
mbase=${HR_METRICS_BASE:-9101}
standalone=0 mesh=0 mesh_standalone=0
[ "${HR_SUITE_BROKER:-embedded}" = standalone ] && standalone=1
[ "${HR_SUITE_BROKER:-embedded}" = mesh ] && mesh=1
[ "${HR_SUITE_BROKER:-embedded}" = mesh-standalone ] && mesh=1 mesh_standalone=1
last=${HR_SUITE_GATEWAYS:-3}
services=(interactions-svc content-svc trending-svc rules-svc collab-svc)
broker_ep="tcp://127.0.0.1:$broker_port"
standalone_ep=$broker_ep
[ "$mesh_standalone" = 1 ] && standalone_ep="tcp://127.0.0.1:$((broker_port + last - 1))"
broker_eps=$broker_ep     # what the service replicas register with
if [ "$mesh" = 1 ]; then
  for k in $(seq 2 "${HR_SUITE_GATEWAYS:-3}"); do
    broker_eps="$broker_eps,tcp://127.0.0.1:$((broker_port + k - 1))"
  done
fi

start_one() {  # BIN_DIR RUN_DIR NAME   (NAME may carry a .N replica suffix)
  local bin=$1 run=$2 name=$3 i port threads base replica=1
  local pidf="$run/$name.pid"
  if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then return 0; fi
  base=${name%.*}
  [ "$base" != "$name" ] && replica=${name##*.}
  case "$name" in
    hybridrec-gateway|hybridrec-gateway[0-9])
      local embed=1 p=$gw_port ep=$broker_ep k=${name#hybridrec-gateway}
      [ "$standalone" = 1 ] && embed=0
      if [ "$mesh" = 1 ] && [ -n "$k" ]; then
        p=$((gw_port + k - 1)); ep="tcp://127.0.0.1:$((broker_port + k - 1))"
        [ "$mesh_standalone" = 1 ] && [ "$k" = "$last" ] && embed=0
      elif [ -n "$k" ]; then
        embed=0; p=$gw2_port
      fi
      env HR_GATEWAY_PORT="$p" HR_BROKER_BIND="$ep" HR_BROKER_ENDPOINT="$ep" \
          HR_GATEWAY_EMBED_BROKER="$embed" \
          "$bin/hybridrec-gateway" >>"$run/log/$name.log" 2>&1 &
      ;;
    hybridrec-broker)
      env HR_BROKER_BIND="$standalone_ep" HR_METRICS_PORT=$((mbase + 9)) \
          "$bin/hybridrec-broker" >>"$run/log/$name.log" 2>&1 &
      ;;
    *)
      port=
      for i in "${!services[@]}"; do [ "${services[$i]}" = "$base" ] && port=$((mbase + 10 * (replica - 1) + i)); done
      [ -n "$port" ] || { echo "suite: unknown service $name" >&2; return 2; }
      threads=${HR_WORKER_THREADS:-2}
      [ "$base" = interactions-svc ] && threads=${HR_INTERACTIONS_THREADS:-64}
      env HR_BROKER_ENDPOINT="$broker_ep" HR_BROKER_ENDPOINTS="$broker_eps" \
          HR_METRICS_PORT="$port" \
          HR_WORKER_THREADS="$threads" \
          "$bin/$base" >>"$run/log/$name.log" 2>&1 &
      ;;
  esac
  echo $! >"$pidf"
}

wait_ready() {  # RUN_DIR PORT   (HR_SUITE_READY_S: how long, default 30 s)
  local code= limit=${HR_SUITE_READY_S:-30}
  for _ in $(seq 1 $((limit * 10))); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$2/readyz" || true)
    [ "$code" = 200 ] && return 0
    sleep 0.1
  done
  echo "suite: gateway on $2 not ready after $limit s (last /readyz: ${code:-none}); logs in $1/log" >&2
  return 1
}

case "$cmd" in
start)
  bin=${2:?BIN_DIR}; run=${3:?RUN_DIR}
  mkdir -p "$run/log"
  if [ "$standalone" = 1 ] || [ "$mesh_standalone" = 1 ]; then start_one "$bin" "$run" hybridrec-broker; fi
  start_one "$bin" "$run" hybridrec-gateway
  for s in "${services[@]}"; do start_one "$bin" "$run" "$s"; done
  wait_ready "$run" "$gw_port"
  ;;
stop)
  run=${2:?RUN_DIR}
  for f in "$run"/*.pid; do
    [ -f "$f" ] || continue
    kill -CONT "$(cat "$f")" 2>/dev/null || true   # a stopped process cannot exit
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
  run=${2:?RUN_DIR}; name=${3:?NAME}
  [ -f "$run/$name.pid" ] && kill -KILL "$(cat "$run/$name.pid")" 2>/dev/null || true
  rm -f "$run/$name.pid"
  ;;
signal)
  run=${2:?RUN_DIR}; name=${3:?NAME}; sig=${4:?SIG}
  kill -"$sig" "$(cat "$run/$name.pid")"
  ;;
restart)
  bin=${2:?BIN_DIR}; run=${3:?RUN_DIR}; name=${4:?NAME}
  mkdir -p "$run/log"
  start_one "$bin" "$run" "$name"
  ;;
replica)
  bin=${2:?BIN_DIR}; run=${3:?RUN_DIR}; svc=${4:?SERVICE}; n=${5:?N}
  [ "$n" -ge 2 ] 2>/dev/null || { echo "suite: replica N must be >= 2" >&2; exit 2; }
  mkdir -p "$run/log"
  start_one "$bin" "$run" "$svc.$n"
  ;;
broker)
  bin=${2:?BIN_DIR}; run=${3:?RUN_DIR}
  mkdir -p "$run/log"
  start_one "$bin" "$run" hybridrec-broker
  ;;
gateway2)
  bin=${2:?BIN_DIR}; run=${3:?RUN_DIR}
  mkdir -p "$run/log"
  start_one "$bin" "$run" hybridrec-gateway2
  wait_ready "$run" "$gw2_port"
  ;;
gateway)
  bin=${2:?BIN_DIR}; run=${3:?RUN_DIR}; k=${4:?K}
  [ "$mesh" = 1 ] && [ "$k" -ge 2 ] 2>/dev/null || { echo "suite: gateway K needs HR_SUITE_BROKER=mesh and K >= 2" >&2; exit 2; }
  mkdir -p "$run/log"
  start_one "$bin" "$run" "hybridrec-gateway$k"
  wait_ready "$run" $((gw_port + k - 1))
  ;;
*) echo "usage: see the top of $0" >&2; exit 2 ;;
esac
