#!/usr/bin/env bash
# The dashboard's end-to-end test (CTest: browser_dashboard), then Swagger UI
# at /docs rendered (docs.test.cjs).  Uses playwright-core from .deps/node/
# (scripts/deps.sh; it never downloads a browser: Debian's chromium is used),
# brings up the stack like the e2e tests (migrate, the
# sample catalog, train, tests/harness/suite.sh) with an API key set, runs
# dashboard.test.cjs, stops the stack.  Screenshots: $HR_BINARY_DIR/tests/artifacts/.
# Needs DATABASE_URL / REDIS_URL (the CTest stack fixture sets them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${HR_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
build=${HR_BINARY_DIR:?HR_BINARY_DIR is required}
bin=${HR_BIN_DIR:-$build/bin}
: "${DATABASE_URL:?}" "${REDIS_URL:?}"
chromium=${HR_CHROMIUM:-/usr/bin/chromium}

fail() { echo "browser test: $*" >&2; exit 1; }
[ -x "$chromium" ] || fail "$chromium is missing (scripts/deps.sh installs Debian's chromium)"
command -v node >/dev/null || fail "node is missing"
command -v npm >/dev/null || fail "npm is missing"

# playwright-core comes from the pinned npm set that scripts/deps.sh installs
# into .deps/node/ (scripts/node/package-lock.json): nothing is downloaded
# while the tests run, so they also pass without a network.
mods=${HR_NODE_DEPS_DIR:-$src/.deps/node}
[ -d "$mods/node_modules/playwright-core" ] \
  || fail "playwright-core is missing from $mods: run scripts/deps.sh (needs the npm registry once)"

port=${HR_BROWSER_PORT:-18560}
export HR_GATEWAY_PORT=$port HR_BROKER_PORT=$((port + 1)) HR_METRICS_BASE=$((port + 10))
export HR_API_KEYS=${HR_BROWSER_API_KEY-browser-test-key}
export HR_LOG_LEVEL=${HR_LOG_LEVEL:-warn}
# What is rendered is under test here, not latency: the Sanitize build on two
# busy cores can miss the 50 ms default, and /home would then (correctly)
# answer degraded lists, which are not what this test looks at.
export HR_GATEWAY_DEADLINE_MS=${HR_GATEWAY_DEADLINE_MS:-1000}
run=$build/browser-run
"$bin/hybridrec" migrate >/dev/null
"$bin/hybridrec" import-catalog "$src/data/catalog-sample.csv" >/dev/null
"$bin/hybridrec" train all >/dev/null || echo "browser test: WARNING: train all failed; continuing" >&2
trap '"$src/tests/harness/suite.sh" stop "$run"' EXIT
if ! "$src/tests/harness/suite.sh" start "$bin" "$run"; then
  tail -n 5 "$run"/log/*.log >&2 || true
  fail "the stack did not start"
fi

artifacts=$build/tests/artifacts
mkdir -p "$artifacts"
export HR_BROWSER_BASE="http://127.0.0.1:$port" HR_BIN_DIR="$bin" HR_ARTIFACTS="$artifacts" \
  HR_BROWSER_API_KEY="$HR_API_KEYS" HR_CHROMIUM="$chromium" NODE_PATH="$mods/node_modules"
status=0
node "$here/dashboard.test.cjs" || status=1
node "$here/docs.test.cjs" || status=1   # Swagger UI at /docs
exit $status
