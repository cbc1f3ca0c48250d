#!/usr/bin/env bash
# The served figure of EVALUATION.md: a throwaway stack (PostgreSQL, Redis, the
# five services, the gateway) gets a data set's catalog, its train part posted
# through the REST API and `hybridrec train all`; then bench/served_eval.py
# replays the test sessions through /recommendations/home.
#   bench/served_eval.sh yoochoose|online-retail [SESSIONS] [SEED]
# Run it in its own network namespace (ports are the defaults):
#   unshare -n bash -c 'ip link set lo up && bench/served_eval.sh yoochoose 1000'
# Needs the Release build (build/bin: `make run` or cmake -B build). Work files
# (and the stack's logs) in var/served-eval/DATASET unless WORK is set.
set -euo pipefail
ds=${1:?usage: served_eval.sh yoochoose|online-retail [SESSIONS] [SEED]}
sessions=${2:-0}
seed=${3:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${HR_BIN:-$root/build/bin}
work=${WORK:-$root/var/served-eval/$ds}
port=${HR_GATEWAY_PORT:-8080}
[ -x "$bin/hybridrec-gateway" ] || { echo "served_eval: no build in $bin" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work/run/log"
export DATABASE_URL=postgresql://hybridrec@127.0.0.1:55432/hybridrec
export REDIS_URL=redis://127.0.0.1:56379/0
export HR_CONTENT_SYNONYMS=$root/data/synonyms.txt HR_LOG_LEVEL=warn HR_GATEWAY_ACCESS_LOG=0
cleanup() {
  "$root/tests/harness/suite.sh" stop "$work/run" >/dev/null 2>&1 || true
  "$root/tests/harness/stack.sh" stop "$work/stack" >/dev/null 2>&1 || true
}
trap cleanup EXIT
python3 "$root/bench/served_eval.py" prepare "$ds" "$work"
"$root/tests/harness/stack.sh" start "$work/stack" 55432 56379 >/dev/null
"$bin/hybridrec" migrate >/dev/null
"$bin/hybridrec" import-catalog "$work/catalog.csv" | grep -E '^(accepted|rejected)'
"$root/tests/harness/suite.sh" start "$bin" "$work/run"
python3 "$root/bench/served_eval.py" train "$ds" "$work" "http://127.0.0.1:$port"
rc=0
"$bin/hybridrec" train all >"$work/train.log" 2>&1 || rc=$?
grep -vE '^\s*$' "$work/train.log" | tail -n 20
echo "train all: exit $rc"
# Restart the services so every one serves the models just trained (the
# replay must not race the hot-swap pollers).
"$root/tests/harness/suite.sh" stop "$work/run"
"$root/tests/harness/suite.sh" start "$bin" "$work/run"
python3 "$root/bench/served_eval.py" test "$ds" "$work" "http://127.0.0.1:$port" \
  --sessions "$sessions" --seed "$seed" | tee "$work/result.txt"
