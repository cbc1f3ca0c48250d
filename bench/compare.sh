#!/usr/bin/env bash
# hybridrec against the reference (the original design in Python), back to back, with the
# shared harness (../shared/bench: load.sh, reference-suite.sh) at the API's default
# parameters, then the table of BENCHMARKS.md "Against the reference".
#   bench/compare.sh [SECONDS=10]        (make bench-compare)
# Environment: ONLY=hybridrec|reference (default both), CONNS_LIST="32 64 128",
#   RATES=1000 (empty: no open loop), BREAKDOWN=1 (0: no per-endpoint runs),
#   WORK=/tmp/hr-compare (inputs, results.jsonl, the converted catalog).
# Runs in its own network + PID namespace (re-executes itself under unshare): ports
# never collide, and the CPU report (by command name, from /proc) sees only this run's
# processes.  Both servers get the same catalog: the amazon.in CSVs converted by the
# reference's converter (its ids), imported into both.  The same matrix for each:
# closed loop at CONNS_LIST connections (SECONDS each), each endpoint alone at 32
# connections (SECONDS/2 each), open loop at RATES (SECONDS).
set -euo pipefail
secs=${1:-10}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ -n "${HR_COMPARE_NS:-}" ] || [ "${ONLY:-}" = hybridrec ] || bench_reference_deps
bench_netns HR_COMPARE_NS "$0" "$@"
bench_compare_setup /tmp/hr-compare
[ -n "${ONLY:-}" ] || : >"$RESULTS"      # ONLY=...: add to the earlier results
CONNS_LIST=${CONNS_LIST:-32 64 128}
RATES=${RATES-1000}
BREAKDOWN=${BREAKDOWN:-1}
ONLY=${ONLY:-}

suite() {  # URL LABEL: the matrix of reference-suite.sh
  local c
  for c in $CONNS_LIST; do
    CONNS=$c SKIP_SEED=1 LABEL=$2 "$shared/bench/load.sh" "$1" "$secs"
  done
  [ "$BREAKDOWN" = 0 ] || CONNS=32 SKIP_SEED=1 BREAKDOWN=1 LABEL=$2 "$shared/bench/load.sh" "$1" $((secs / 2))
  [ -z "$RATES" ] || SKIP_SEED=1 LABEL=$2 "$shared/bench/load.sh" "$1" "$secs" "$RATES"
}

if [ "$ONLY" != reference ]; then
  (
    bench_seeded_stack
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
