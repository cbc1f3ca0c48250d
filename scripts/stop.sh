#!/usr/bin/env bash
# `make stop`: stops everything `make run` started.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tests/harness/suite.sh stop var/run 2>/dev/null || true
tests/harness/stack.sh stop var/stack
