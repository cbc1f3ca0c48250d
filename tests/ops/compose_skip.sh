#!/usr/bin/env bash
# `make test-compose` on a machine that cannot have a Docker engine: it is
# skipped with the reason and exits 0 (what .ci/run relies on), unless
# HR_CT_REQUIRE_DOCKER=1, and scripts/docker.sh says why with exit 77.
# The path taken here is "no daemon answers and not root": as root the
# scripts run as nobody, and DOCKER=/bin/false stands for a client that
# reaches no daemon, so nothing is installed, started or built.
#   compose_skip.sh SOURCE_DIR
set -euo pipefail
src=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
as_user=()
[ "$(id -u)" != 0 ] || as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
run() {  # run OUTFILE [VAR=VALUE...] SCRIPT: exit code on stdout
  local out=$1; shift
  local rc=0
  (cd / && "${as_user[@]}" env HOME=/tmp DOCKER=/bin/false DOCKERD=/bin/false "$@") >"$out" 2>&1 || rc=$?
  echo "$rc"
}
tmp=$(mktemp -d /tmp/hr-compose-skip-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# The two scripts in a tree nobody can read (the clone may be under /root).
mkdir -p "$tmp/tree/scripts"
cp "$src/scripts/docker.sh" "$src/scripts/compose_test.sh" "$tmp/tree/scripts/"
chmod -R a+rX "$tmp"
src=$tmp/tree

rc=$(run "$tmp/engine" "$src/scripts/docker.sh")
[ "$rc" = 77 ] || fail "docker.sh exited $rc, expected 77: $(cat "$tmp/engine")"
grep -q 'no Docker engine on this machine: .*not root' "$tmp/engine" || fail "no reason given: $(cat "$tmp/engine")"

rc=$(run "$tmp/skip" "$src/scripts/compose_test.sh")
[ "$rc" = 0 ] || fail "compose_test.sh exited $rc, expected 0 (skipped): $(cat "$tmp/skip")"
grep -q '^compose test: SKIPPED: no Docker engine' "$tmp/skip" || fail "no SKIPPED line: $(cat "$tmp/skip")"
grep -q 'not root' "$tmp/skip" || fail "the reason is not shown: $(cat "$tmp/skip")"
! grep -q '^image:' "$tmp/skip" || fail "images were built on a machine without an engine"

rc=$(run "$tmp/required" HR_CT_REQUIRE_DOCKER=1 "$src/scripts/compose_test.sh")
[ "$rc" = 77 ] || fail "HR_CT_REQUIRE_DOCKER=1: exited $rc, expected 77: $(cat "$tmp/required")"
! grep -q SKIPPED "$tmp/required" || fail "HR_CT_REQUIRE_DOCKER=1 still skipped"
echo "compose_skip: ok"
