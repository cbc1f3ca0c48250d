#!/usr/bin/env bash
# Instructions per default /recommendations/home (20 items) in the gateway,
# trending-svc and interactions-svc, counted by callgrind: a figure other load
# on the machine does not move, unlike CPU seconds (issue 16).
#   bench/home_ir.sh OUT [N=200]
# Starts the Release stack on the amazon.in catalog as bench/compare.sh does
# (the reference's converter), seeds the shared harness's 1,000 users
# (gen_inputs.py, seed 1; seed.py through the API), restarts the gateway,
# trending-svc and interactions-svc under valgrind --tool=callgrind, sends the
# first N /home requests of the harness's requests.tsv one at a time with curl
# once to warm up (the personal lists cached per history, the sections
# rendered), then again measured, and writes OUT/resp/<i> (each body of the
# measured pass), OUT/sections/<i> (its bytes from ,"trending": to
# ,"diverse_picks": — the part of the page that is the same for every user of
# one ranking; the rest depends on the diverse picks, drawn per request),
# OUT/codes (status and size), OUT/summary (Ir of each process over the
# measured pass, and over as long idle after it).
# IR_SAME_AS=DIR: then the gateway is restarted natively from DIR (e.g. main's
# build-rel/bin) on the same stack and state, the N pages asked again, and
# every page's sections must be byte-identical to the measured ones, else
# exit 1 (two stacks' rankings are not comparable: trending reconciles the
# seeded clicks with their times, and ties of equal counts fall either way).
# Own network namespace (unshare -n).
# Environment: WORK=/tmp/hr-home-ir (catalog, inputs); IR_BIN=DIR: the
# gateway, trending-svc and interactions-svc measured are DIR's (e.g. a copy
# of main's build-rel/bin), the rest of the stack this tree's; IR_NATIVE=1:
# answers only, no valgrind.
set -euo pipefail
out=$(mkdir -p "${1:?usage: bench/home_ir.sh OUT [N]}" && cd "$1" && pwd)
n=${2:-200}
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${HR_IR_NS:-}" ]; then
  exec unshare -n env HR_IR_NS=1 bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi
. "$here/lib.sh"
bench_ir_prepare /tmp/hr-home-ir
bench_stack_up 55493 56443 8253 5753 9480
url=http://127.0.0.1:8253
rm -rf "$out"/resp "$out"/sections "$out"/*.cg* "$out"/codes "$out"/summary
mkdir -p "$out/resp" "$out/sections"
/usr/bin/python3 "$shared/bench/seed.py" "$url" "$WORK/inputs/seed.tsv" >/dev/null
mapfile -t paths < <(awk -F'\t' '$4 == "home" {print $2}' "$WORK/inputs/requests.tsv" | head -n "$n")
[ "${#paths[@]}" -gt 0 ] || { echo "home_ir: no /home in $WORK/inputs/requests.tsv" >&2; exit 2; }
# the sections of a page: the bytes from ,"trending": to ,"diverse_picks":
sections() { /usr/bin/python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
i, j = b.find(b",\"trending\":"), b.find(b",\"diverse_picks\":")
sys.stdout.buffer.write(b[i:j] if 0 <= i < j else b"")' "$1"; }
procs="hybridrec-gateway trending-svc interactions-svc"
bench_ir_callgrind "$out" $procs
# until up and settled: trending-svc starts without a ranking and reconciles
# from PostgreSQL (minutes under valgrind on a busy machine), the gateway
# loads the catalog; a page without "degraded" whose sections three probes
# in a row agree on (no clicks arrive: the ranking then stays)
settled() {  # the first page's sections' md5, when served whole
  rm -f "$work/probe"
  curl -s -o "$work/probe" "$url${paths[0]}" || true
  [ -s "$work/probe" ] && ! grep -q degraded "$work/probe" \
    && sections "$work/probe" | grep -q trending && sections "$work/probe" | md5sum
}
wait_settled() {  # PROCS
  local same=0 last= now
  for _ in $(seq 1 1200); do
    # under valgrind on a busy machine a first read of PostgreSQL can pass
    # its statement timeout and the process exits: start it again
    for p in $1; do
      kill -0 "$(cat "$work/run/$p.pid" 2>/dev/null)" 2>/dev/null \
        || tests/harness/suite.sh restart "$vb" "$work/run" "$p"
    done
    now=$(settled || true)
    if [ -n "$now" ] && [ "$now" = "$last" ]; then same=$((same + 1)); else same=0; fi
    last=$now
    [ "$same" -ge 2 ] && return 0
    sleep 0.5
  done
  echo "home_ir: the stack never settled (logs: $work/run/log)" >&2
  exit 2
}
wait_settled "$procs"
for path in "${paths[@]}"; do curl -s -o /dev/null "$url$path"; done     # warm-up pass
pids=$(for p in $procs; do cat "$work/run/$p.pid"; done)
bench_ir_measure "$out" "$url" /home "$pids" "${paths[@]}"
for i in $(seq 1 "${#paths[@]}"); do sections "$out/resp/$i" >"$out/sections/$i"; done
grep -l degraded "$out"/resp/* | sed 's/^/degraded: /' || true
if [ -n "${IR_SAME_AS:-}" ]; then
  printf '#!/bin/sh\nexec "%s/hybridrec-gateway"\n' "$IR_SAME_AS" >"$vb/hybridrec-gateway"
  tests/harness/suite.sh kill "$work/run" hybridrec-gateway
  tests/harness/suite.sh restart "$vb" "$work/run" hybridrec-gateway
  wait_settled hybridrec-gateway
  mkdir -p "$out/same"
  bad=0 i=0
  for path in "${paths[@]}"; do
    i=$((i + 1))
    curl -s -o "$out/same/$i" "$url$path"
    cmp -s <(sections "$out/same/$i") "$out/sections/$i" || { echo "sections differ: $i"; bad=1; }
  done
  [ "$bad" = 0 ] && echo "all $n pages' sections byte-identical to $IR_SAME_AS's gateway on the same stack"
  exit "$bad"
fi
