#!/usr/bin/env bash
# Issue 21's kill test under load from the shared bench: runs CTest's
# scale_mesh (3 gateways with their brokers, 2 replicas of every service,
# gateway 2 SIGKILLed under load, then restarted alone) while the shared
# harness (../shared/bench/load.sh, closed loop, the API's defaults) loads
# the two surviving gateways from before the kill until after the restart.
# Passes when the test passes and the shared bench saw no 5xx and no socket
# error on either survivor.  Ports are the test's own (8160-8162): run it in
# its own network namespace:
#   unshare -n bash -c 'ip link set lo up && bench/mesh_shared_load.sh [BUILD_DIR]'
# BUILD_DIR: a build tree with the tests (default build-test; build works too).
# SHARED_BENCH (default ../shared/bench next to the repo), CONNS (8), SECONDS_ (40).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench=${SHARED_BENCH:-$root/../shared/bench}
if [ "${1:-}" = --survivors ]; then
  # Called by the test (HR_MESH_EXTERNAL_LOAD): both survivors, in parallel.
  pids=()
  for port in 8160 8162; do
    SKIP_SEED=1 WARMUP=2 CONNS=${CONNS:-8} CATALOG=$root/data/catalog-sample.csv \
      WORK=/tmp/hr-mesh-load-$port "$bench/load.sh" "http://127.0.0.1:$port" "${SECONDS_:-40}" \
      >/tmp/hr-mesh-load-$port.out 2>&1 &
    pids+=($!)
  done
  until grep -q '^== closed loop' /tmp/hr-mesh-load-8160.out 2>/dev/null &&
        grep -q '^== closed loop' /tmp/hr-mesh-load-8162.out 2>/dev/null; do
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { echo "a load ended early"; cat /tmp/hr-mesh-load-*.out; exit 1; }; done
    sleep 0.2
  done
  echo READY
  status=0
  for p in "${pids[@]}"; do wait "$p" || status=1; done
  for port in 8160 8162; do
    line=$(grep -E '^MIX +responses' /tmp/hr-mesh-load-$port.out || true)
    echo "survivor $port: ${line:-no MIX line}"
    ok=$(sed -nE 's/.* ok=([0-9]+).*/\1/p' <<<"$line")
    bad=$(sed -nE 's/.* 5xx=([0-9]+).*/\1/p' <<<"$line")
    sock=$(sed -nE 's/.* socket_errors=([0-9]+).*/\1/p' <<<"$line")
    [ -n "$ok" ] && [ "$ok" -gt 0 ] && [ "${bad:-1}" = 0 ] && [ "${sock:-1}" = 0 ] || status=1
  done
  exit $status
fi
[ -x "$bench/load.sh" ] || { echo "mesh_shared_load: no shared bench at $bench (set SHARED_BENCH)" >&2; exit 2; }
build=${1:-$root/build-test}
export HR_MESH_EXTERNAL_LOAD="$root/bench/mesh_shared_load.sh --survivors"
cd "$build"
status=0
ctest --output-on-failure -R '^scale_mesh$' || status=$?
out=$(find "$build" -name mesh-external-load.out -newer "$root/bench/mesh_shared_load.sh" 2>/dev/null | head -1)
[ -n "$out" ] && { echo "== the shared bench on the survivors ($out)"; grep -E '^survivor|external-load-rc' "$out"; }
exit $status
