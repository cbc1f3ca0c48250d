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
# The fuzzing short pass (issue 9): every target a few seconds, clang build.
HR_FUZZ_SECONDS=${HR_FUZZ_SECONDS:-5} scripts/fuzz.sh
cd build-test
ctest --output-on-failure --timeout 600 ${CTEST_ARGS:-}
