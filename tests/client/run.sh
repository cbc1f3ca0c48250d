#!/usr/bin/env bash
# The typed TypeScript client against a live stack (CTest: client_ts_live).
# Type-checks clients/ts/hybridrec.ts and tests/client/client.test.ts with
# the TypeScript of scripts/node/package-lock.json (installed by
# scripts/deps.sh into .deps/node; never downloaded here), compiles them
# into the build tree, brings up the stack like the e2e tests (migrate, the
# sample catalog, train, tests/harness/suite.sh) with an API key set, runs
# the compiled test with node, stops the stack.
# Needs DATABASE_URL / REDIS_URL (the CTest stack fixture sets them).
# HR_DOCS_EMBEDDED (from CMake): 1 when the gateway embeds Swagger UI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${HR_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
build=${HR_BINARY_DIR:?HR_BINARY_DIR is required}
bin=${HR_BIN_DIR:-$build/bin}
deps=${HR_NODE_DEPS_DIR:-$src/.deps/node}
: "${DATABASE_URL:?}" "${REDIS_URL:?}"

fail() { echo "client test: $*" >&2; exit 1; }
command -v node >/dev/null || fail "node is missing"
tsc=$deps/node_modules/typescript/bin/tsc
[ -f "$tsc" ] || fail "typescript is not in $deps: run scripts/deps.sh (npm ci of scripts/node/package-lock.json)"

out=$build/tests/client-ts
rm -rf "$out"
mkdir -p "$out"
node "$tsc" -p "$here/tsconfig.json" --outDir "$out" || fail "the generated client or the test does not type-check"
echo '{ "type": "module" }' > "$out/package.json"

port=${HR_CLIENT_PORT:-18600}
export HR_GATEWAY_PORT=$port HR_BROKER_PORT=$((port + 1)) HR_METRICS_BASE=$((port + 10))
export HR_API_KEYS=${HR_CLIENT_API_KEY:-client-test-key}
export HR_LOG_LEVEL=${HR_LOG_LEVEL:-warn}
# Statuses are under test here, not latency (two busy cores, a Sanitize build).
export HR_GATEWAY_DEADLINE_MS=${HR_GATEWAY_DEADLINE_MS:-1000}
run=$build/client-run
"$bin/hybridrec" migrate >/dev/null
"$bin/hybridrec" import-catalog "$src/data/catalog-sample.csv" >/dev/null
"$bin/hybridrec" train all >/dev/null || echo "client test: WARNING: train all failed; continuing" >&2
trap '"$src/tests/harness/suite.sh" stop "$run"' EXIT
if ! "$src/tests/harness/suite.sh" start "$bin" "$run"; then
  tail -n 5 "$run"/log/*.log >&2 || true
  fail "the stack did not start"
fi

HR_CLIENT_BASE="http://127.0.0.1:$port" HR_CLIENT_API_KEY="$HR_API_KEYS" \
HR_DOCS_EMBEDDED="${HR_DOCS_EMBEDDED:-1}" node "$out/tests/client/client.test.js"
