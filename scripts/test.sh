#!/usr/bin/env bash
# `make test`: installs, builds the Sanitize tree, runs every test with CTest.
# The CTest fixture starts a throwaway PostgreSQL + Redis (tests/harness/stack.sh)
# on 127.0.0.1:55433/56380 and stops it afterwards. Before the tests, a short
# libFuzzer pass over every fuzz target (HR_FUZZ_SECONDS, default 5).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/deps.sh
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Sanitize >/dev/null
cmake --build build-test -j"$(nproc)"
rm -rf build-test/test-stack
# The test servers listen on fixed ports inside the kernel's ephemeral range
# (55430-55499 PostgreSQL, 56370-56449 Redis): a client socket of an earlier
# test lingering in TIME-WAIT on such a port makes the next bind fail.  Keep
# the kernel from handing them out (root only; harmless where not allowed).
reserved=55430-55499,56370-56449
if [ -w /proc/sys/net/ipv4/ip_local_reserved_ports ]; then
  current=$(cat /proc/sys/net/ipv4/ip_local_reserved_ports)
  case ",$current," in *",$reserved,"*) ;; *)
    echo "${current:+$current,}$reserved" >/proc/sys/net/ipv4/ip_local_reserved_ports 2>/dev/null || true ;;
  esac
fi
# The fuzzing short pass (issue 9): every target a few seconds, clang build.
HR_FUZZ_SECONDS=${HR_FUZZ_SECONDS:-5} scripts/fuzz.sh
cd build-test
ctest --output-on-failure --timeout 600 ${CTEST_ARGS:-}
