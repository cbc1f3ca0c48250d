#!/usr/bin/env bash
# hybridrec against the reference (the original design in Python), back to back, with the
# shared harness (../shared/bench: load.sh, reference-suite.sh) at the API's default
# parameters, then the table of BENCHMARKS.md "Against the reference".
#   bench/compare.sh [SECONDS=10]        (make bench-compare)
# Environment: ONLY=hybridrec|reference (default both), CONNS_LIST="32 64 128",
#   RATES=1000, WORK=/tmp/hr-compare (inputs, results.jsonl, the converted catalog).
# Runs in its own network + PID namespace (re-executes itself under unshare): ports
# never collide, and the CPU report (by command name, from /proc) sees only this run's
# processes.  Both servers get the same catalog: the amazon.in CSVs converted by the
# reference's converter (its ids), imported into both.  The same matrix for each:
# closed loop at CONNS_LIST connections (SECONDS each), each endpoint alone at 32
# connections (SECONDS/2 each), open loop at RATES (SECONDS).
set -euo pipefail
secs=${1:-10}
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${HR_COMPARE_NS:-}" ]; then
  exec unshare -n -p -m -f --mount-proc env HR_COMPARE_NS=1 \
    bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi
shared=$(cd "$here/../../shared" && pwd)
export WORK=${WORK:-/tmp/hr-compare}
mkdir -p "$WORK"; chmod 755 "$WORK"
export RESULTS=$WORK/results.jsonl QUIET_WAIT=0
[ -n "${ONLY:-}" ] || : >"$RESULTS"      # ONLY=...: add to the earlier results
CONNS_LIST=${CONNS_LIST:-32 64 128}
RATES=${RATES:-1000}
ONLY=${ONLY:-}
export CATALOG=$WORK/catalog.csv
[ -s "$CATALOG" ] || /usr/bin/python3 "$shared/reference/data/convert_amazon.py" \
  "$shared/data/amazon-in-products" -o "$CATALOG"

suite() {  # URL LABEL: the matrix of reference-suite.sh
  local c
  for c in $CONNS_LIST; do
    CONNS=$c SKIP_SEED=1 LABEL=$2 "$shared/bench/load.sh" "$1" "$secs"
  done
  CONNS=32 SKIP_SEED=1 BREAKDOWN=1 LABEL=$2 "$shared/bench/load.sh" "$1" $((secs / 2))
  SKIP_SEED=1 LABEL=$2 "$shared/bench/load.sh" "$1" "$secs" "$RATES"
}

if [ "$ONLY" != reference ]; then
  (
    export BENCH_CATALOG=$CATALOG
    . "$here/lib.sh"
    bench_stack_up 55492 56442 8252 5752 9470
    url=http://127.0.0.1:8252
    "$shared/bench/load.sh" "$url" 0 seed
    # Models trained over the seeded histories, as the reference recomputes at restart.
    "$bin/hybridrec" train all >/dev/null 2>&1
    sleep 10                     # every service polls for the new versions
    export SERVER_COMMS=hybridrec-gatew,content-svc,interactions-sv,trending-svc,collab-svc,rules-svc,redis-server,postgres
    suite "$url" hybridrec
    curl -s "http://127.0.0.1:8252/metrics" >"$WORK/hybridrec-metrics.txt" || true
  )
fi
if [ "$ONLY" != hybridrec ]; then
  (
    export SERVER_COMMS=python3,postgres
    export PGDATA=$WORK/refpg PGSOCK=$WORK/refsock RUN_DIR=$WORK/refrun
    ref=$shared/reference
    trap '(cd "$ref" && ./run-server.sh stop; ./run-db.sh stop) >/dev/null 2>&1 || true' EXIT
    (cd "$ref" && ./run-db.sh start >/dev/null && ./run-db.sh drop-interactions \
      && /usr/bin/python3 -m database.csv_importer "$CATALOG")
    (cd "$ref" && ./run-server.sh restart)
    "$shared/bench/load.sh" http://127.0.0.1:58000 0 seed
    (cd "$ref" && ./run-server.sh restart)
    suite http://127.0.0.1:58000 reference
  )
fi
python3 "$here/compare_table.py" "$RESULTS"
