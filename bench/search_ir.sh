#!/usr/bin/env bash
# Instructions per default-limit /recommendations/search (response_limit 2000)
# in the gateway and content-svc, counted by callgrind: a figure other load on
# the machine does not move, unlike CPU seconds (issue 16).
#   bench/search_ir.sh OUT [N=200] [BEFORE_OUT]
# Starts the Release stack on the amazon.in catalog as bench/compare.sh does
# (the reference's converter), restarts the gateway and content-svc under
# valgrind --tool=callgrind, sends the first N searches of the shared
# harness's inputs (gen_inputs.py, seed 1) one at a time with curl, and
# writes OUT/resp/<i> (each body), OUT/codes (status and size), OUT/summary
# (Ir of each process over the requests, and over as long idle after them).
# With BEFORE_OUT (an earlier OUT, e.g. of main): every response must be
# byte-identical to it, else exit 1.  Own network namespace (unshare -n).
# Environment: WORK=/tmp/hr-search-ir (catalog, inputs); IR_BIN=DIR: the
# gateway and content-svc measured are DIR's (e.g. a copy of main's
# build-rel/bin), the rest of the stack this tree's.
set -euo pipefail
out=$(mkdir -p "${1:?usage: bench/search_ir.sh OUT [N] [BEFORE_OUT]}" && cd "$1" && pwd)
n=${2:-200} before=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${HR_IR_NS:-}" ]; then
  exec unshare -n env HR_IR_NS=1 bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi
. "$here/lib.sh"
bench_ir_prepare /tmp/hr-search-ir
bench_stack_up 55492 56442 8252 5752 9470
rm -rf "$out"/resp "$out"/*.cg* "$out"/codes "$out"/summary; mkdir -p "$out/resp"
# the model version native content serves: the measured one must serve it
# too before the first search (content starts on a snapshot without the
# model and installs the published one when it has decoded it, which takes
# minutes under valgrind on a busy machine)
model_version() {
  curl -s "http://127.0.0.1:$((HR_METRICS_BASE + 1))/metrics" \
    | awk '$1 == "hr_content_model_version" {print $2}'
}
for _ in $(seq 1 600); do want=$(model_version); [ -n "$want" ] && break; sleep 0.5; done
bench_ir_callgrind "$out" hybridrec-gateway content-svc
url=http://127.0.0.1:8252
mapfile -t paths < <(awk -F'\t' '$4 == "search" {print $2}' "$WORK/inputs/requests.tsv" | head -n "$n")
[ "${#paths[@]}" -gt 0 ] || { echo "search_ir: no searches in $WORK/inputs/requests.tsv" >&2; exit 2; }
for _ in $(seq 1 1200); do     # up, and content answers (has loaded its snapshot)
  # under valgrind on a busy machine content's first catalog read can pass
  # its 5 s statement timeout and the process exits: start it again
  for p in hybridrec-gateway content-svc; do
    kill -0 "$(cat "$work/run/$p.pid" 2>/dev/null)" 2>/dev/null \
      || tests/harness/suite.sh restart "$vb" "$work/run" "$p"
  done
  body=$(curl -s "$url${paths[0]}&response_limit=1" || true)
  case $body in *'"results":'*) case $body in *degraded*|*search_unavailable*) ;; *)
    [ "$(model_version)" = "$want" ] && break ;; esac ;; esac
  sleep 0.5
done
[ "$(model_version)" = "$want" ] || { echo "search_ir: content never served model $want" >&2; exit 2; }
sleep "${IR_SETTLE_S:-0}"
pids=$(cat "$work/run/hybridrec-gateway.pid" "$work/run/content-svc.pid")
bench_ir_measure "$out" "$url" searches "$pids" "${paths[@]}"
if [ -n "$before" ]; then
  bad=0
  for i in $(seq 1 "$n"); do cmp -s "$before/resp/$i" "$out/resp/$i" || { echo "differs: $i"; bad=1; }; done
  cmp -s "$before/codes" "$out/codes" || { echo "status codes differ"; bad=1; }
  [ "$bad" = 0 ] && echo "all $n responses byte-identical to $before"
  exit "$bad"
fi
